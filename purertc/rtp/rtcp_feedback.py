"""RTCP feedback messages (RFC 4585 §6, RFC 5104 §4.3, draft-alvestrand-rmcat-remb).

::

     0                   1                   2                   3
    |V=2|P|   FMT   |  PT=205/206   |          length               |
    |                  SSRC of packet sender                        |
    |                  SSRC of media source                         |
    :            Feedback Control Information (FCI)                 :

Transport-layer feedback (RTPFB, 205) and payload-specific feedback (PSFB, 206) share this
frame; the FMT selects the message. Messages we do not model are kept as
:class:`RtpFeedback`/:class:`PsFeedback` with their FCI bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import NamedTuple, Self

from .errors import RtpError
from .rtcp_header import PSFB, RTPFB, TWO_U32, check_length, new_tuple, pack_rtcp

_NACK_ITEM = struct.Struct("!HH")
_FIR_ENTRY = struct.Struct("!IB3x")
_REMB = struct.Struct("!4sBBH")


def _ssrcs(body: bytes, what: str) -> tuple[int, int]:
    check_length(body, 8, what)
    sender, media = TWO_U32.unpack_from(body)
    return sender, media


def _pack_ssrcs(sender: int, media: int, what: str) -> bytes:
    try:
        return TWO_U32.pack(sender, media)
    except struct.error as exc:
        raise RtpError(f"{what} SSRC out of range: {exc}") from exc


def _fci_items(body: bytes, item: struct.Struct, what: str) -> tuple[tuple[int, int], ...]:
    """The fixed-size two-field FCI entries after the two SSRCs (RFC 4585 §6.1)."""
    if (len(body) - 8) % item.size:
        raise RtpError(f"{what}: FCI is not whole {item.size}-byte entries")
    return tuple(item.iter_unpack(body[8:]))


def _pack_fci(entries: tuple[tuple[int, int], ...], item: struct.Struct, what: str) -> bytes:
    try:
        return b"".join(item.pack(*entry) for entry in entries)
    except struct.error as exc:
        raise RtpError(f"{what} entry out of range: {exc}") from exc


class RtpFeedback(NamedTuple):
    """A transport-layer feedback message kept as raw FCI (e.g. TMMBR, RRR)."""

    fmt: int
    sender_ssrc: int
    media_ssrc: int
    fci: bytes = b""
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return RTPFB

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        sender, media = _ssrcs(body, f"RTCP feedback FMT {count}")
        return cls(count, sender, media, body[8:], padding)

    def serialize(self) -> bytes:
        body = _pack_ssrcs(self.sender_ssrc, self.media_ssrc, "feedback") + self.fci
        return pack_rtcp(self.packet_type, self.fmt, body, self.padding)


class PsFeedback(RtpFeedback):
    """A payload-specific feedback message kept as raw FCI (e.g. SLI, RPSI, other AFB)."""

    __slots__ = ()

    @property
    def packet_type(self) -> int:
        return PSFB


class GenericNack(NamedTuple):
    """Generic NACK, RFC 4585 §6.2.1: items of (PID, bitmask of the 16 following losses)."""

    sender_ssrc: int
    media_ssrc: int
    items: tuple[tuple[int, int], ...] = ()
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return RTPFB

    @property
    def fmt(self) -> int:
        return 1

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        sender, media = _ssrcs(body, "RTCP generic NACK")
        items = _fci_items(body, _NACK_ITEM, "RTCP generic NACK")
        return cls(sender, media, items, padding)

    @classmethod
    def from_lost(cls, sender_ssrc: int, media_ssrc: int, lost: Iterable[int]) -> GenericNack:
        """The shortest item list covering ``lost`` (sequence numbers, in send order)."""
        items: list[tuple[int, int]] = []
        for seq in lost:
            seq &= 0xFFFF
            if items:
                pid, mask = items[-1]
                distance = (seq - pid) & 0xFFFF
                if 1 <= distance <= 16:
                    items[-1] = (pid, mask | 1 << (distance - 1))
                    continue
                if distance == 0:
                    continue
            items.append((seq, 0))
        return cls(sender_ssrc, media_ssrc, tuple(items))

    @property
    def lost(self) -> list[int]:
        """Every sequence number the message reports lost."""
        seqs = []
        for pid, mask in self.items:
            seqs.append(pid)
            for bit in range(16):
                if mask >> bit & 1:
                    seqs.append((pid + bit + 1) & 0xFFFF)
        return seqs

    def serialize(self) -> bytes:
        fci = _pack_fci(self.items, _NACK_ITEM, "generic NACK")
        body = _pack_ssrcs(self.sender_ssrc, self.media_ssrc, "generic NACK") + fci
        return pack_rtcp(RTPFB, 1, body, self.padding)


class PictureLossIndication(NamedTuple):
    """PLI, RFC 4585 §6.3.1: no FCI; asks the sender for a keyframe."""

    sender_ssrc: int
    media_ssrc: int
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return PSFB

    @property
    def fmt(self) -> int:
        return 1

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        sender, media = _ssrcs(body, "RTCP PLI")
        if len(body) != 8:
            raise RtpError(f"RTCP PLI: {len(body) - 8} unexpected FCI bytes")
        packet: Self = new_tuple(cls, (sender, media, padding))
        return packet

    def serialize(self) -> bytes:
        body = _pack_ssrcs(self.sender_ssrc, self.media_ssrc, "PLI")
        return pack_rtcp(PSFB, 1, body, self.padding)


class FullIntraRequest(NamedTuple):
    """FIR, RFC 5104 §4.3.1: entries of (SSRC, command sequence number); media SSRC is 0."""

    sender_ssrc: int
    entries: tuple[tuple[int, int], ...] = ()
    media_ssrc: int = 0
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return PSFB

    @property
    def fmt(self) -> int:
        return 4

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        sender, media = _ssrcs(body, "RTCP FIR")
        entries = _fci_items(body, _FIR_ENTRY, "RTCP FIR")
        return cls(sender, entries, media, padding)

    def serialize(self) -> bytes:
        fci = _pack_fci(self.entries, _FIR_ENTRY, "FIR")
        body = _pack_ssrcs(self.sender_ssrc, self.media_ssrc, "FIR") + fci
        return pack_rtcp(PSFB, 4, body, self.padding)


class ReceiverEstimatedMaxBitrate(NamedTuple):
    """REMB (PSFB FMT=15 "REMB"): bitrate = mantissa * 2**exponent, for a list of SSRCs::

    |  Unique identifier 'R' 'E' 'M' 'B'                            |
    |  Num SSRC     | BR Exp    |  BR Mantissa                      |
    |   SSRC feedback ...                                           |
    """

    sender_ssrc: int
    exponent: int
    mantissa: int
    ssrcs: tuple[int, ...] = ()
    media_ssrc: int = 0
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return PSFB

    @property
    def fmt(self) -> int:
        return 15

    @classmethod
    def create(
        cls, sender_ssrc: int, bitrate: int, ssrcs: Iterable[int]
    ) -> ReceiverEstimatedMaxBitrate:
        exponent = 0
        while bitrate >> exponent >= 1 << 18:
            exponent += 1
        if exponent > 63:
            raise RtpError(f"REMB bitrate {bitrate}: too large")
        return cls(sender_ssrc, exponent, bitrate >> exponent, tuple(ssrcs))

    @property
    def bitrate(self) -> int:
        return self.mantissa << self.exponent

    @classmethod
    def matches(cls, body: bytes) -> bool:
        return body[8:12] == b"REMB"

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        sender, media = _ssrcs(body, "RTCP REMB")
        check_length(body, 16, "RTCP REMB")
        _, count_ssrc, high, low = _REMB.unpack_from(body, 8)
        if len(body) != 16 + 4 * count_ssrc:
            raise RtpError(f"RTCP REMB: num SSRC {count_ssrc} does not match the length")
        ssrcs = struct.unpack_from(f"!{count_ssrc}I", body, 16)
        return cls(sender, high >> 2, (high & 3) << 16 | low, tuple(ssrcs), media, padding)

    def serialize(self) -> bytes:
        if not (0 <= self.exponent < 64 and 0 <= self.mantissa < 1 << 18):
            raise RtpError("REMB exponent/mantissa out of range")
        if len(self.ssrcs) > 255:
            raise RtpError("REMB: more than 255 SSRCs")
        fci = _REMB.pack(
            b"REMB",
            len(self.ssrcs),
            self.exponent << 2 | self.mantissa >> 16,
            self.mantissa & 0xFFFF,
        )
        try:
            fci += struct.pack(f"!{len(self.ssrcs)}I", *self.ssrcs)
        except struct.error as exc:
            raise RtpError(f"REMB SSRC out of range: {exc}") from exc
        body = _pack_ssrcs(self.sender_ssrc, self.media_ssrc, "REMB") + fci
        return pack_rtcp(PSFB, 15, body, self.padding)
