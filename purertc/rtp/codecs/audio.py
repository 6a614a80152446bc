"""Audio payload formats: Opus (RFC 7587) and PCMU/PCMA (RFC 3551 §4.5.14).

Opus carries one Opus packet (one or more frames, the TOC byte says) per RTP packet and is never
fragmented (RFC 7587 §4.2). G.711 carries raw 8-bit samples; a long block may be split at any
byte, each RTP packet then covering its own samples.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import RtpError
from .base import Depacketizer, Packetizer, split_evenly


class OpusPacketizer(Packetizer):
    def packetize(self, frame: bytes, keyframe: bool = False) -> list[bytes]:
        if not frame:
            raise RtpError("Opus packet is empty")
        if len(frame) > self.mtu:
            raise RtpError(f"Opus packet of {len(frame)} bytes exceeds the {self.mtu}-byte budget")
        return [bytes(frame)]


class OpusDepacketizer(Depacketizer):
    def depacketize(self, payloads: Sequence[bytes]) -> bytes:
        if len(payloads) != 1:
            raise RtpError(f"Opus frame: expected 1 payload, got {len(payloads)}")
        if not payloads[0]:
            raise RtpError("Opus payload is empty (no TOC byte)")
        return bytes(payloads[0])


class G711Packetizer(Packetizer):
    """PCMU (PT 0) / PCMA (PT 8): a block of samples, split into budget-sized packets."""

    def packetize(self, frame: bytes, keyframe: bool = False) -> list[bytes]:
        if not frame:
            raise RtpError("G.711 block is empty")
        pos = 0
        payloads = []
        for size in split_evenly(len(frame), self.mtu):
            payloads.append(bytes(frame[pos : pos + size]))
            pos += size
        return payloads


class G711Depacketizer(Depacketizer):
    def depacketize(self, payloads: Sequence[bytes]) -> bytes:
        if not payloads or not all(payloads):
            raise RtpError("G.711: empty payload")
        return b"".join(payloads)
