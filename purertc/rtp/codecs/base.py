"""What every payload format offers: a packetizer and a depacketizer.

A packetizer splits one encoded frame into RTP payloads that each fit ``mtu`` bytes (the
payload budget after RTP header, extensions and SRTP tag, 1200 by default); the caller gives
them consecutive sequence numbers, the frame's timestamp, and the marker bit on the last one.
A depacketizer gets the payloads of one frame in sequence order (the jitter buffer assembles
them) and returns the frame, or raises :class:`RtpError` — it never returns a frame built from
a malformed or incomplete set of payloads.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from ..errors import RtpError

DEFAULT_MTU = 1200


class Packetizer(ABC):
    def __init__(self, mtu: int = DEFAULT_MTU) -> None:
        if mtu < 16:
            raise RtpError(f"payload budget {mtu} bytes is too small")
        self.mtu = mtu

    @abstractmethod
    def packetize(self, frame: bytes, keyframe: bool = False) -> list[bytes]:
        """Payloads for one frame; ``keyframe`` matters only where the format signals it."""


class Depacketizer(ABC):
    @abstractmethod
    def depacketize(self, payloads: Sequence[bytes]) -> bytes:
        """The frame carried by ``payloads`` (one frame, in order)."""

    def is_frame_start(self, payload: bytes) -> bool:
        """Whether this payload begins a frame (True for formats with one packet per frame)."""
        return True

    def is_keyframe(self, payload: bytes) -> bool:
        """Whether the frame this first payload begins can be decoded on its own."""
        return True


def split_evenly(size: int, budget: int) -> list[int]:
    """Sizes of the fewest chunks of at most ``budget`` covering ``size``, as equal as can be.

    Equal sizes (rather than full packets and a runt) keep packet sizes steady on the wire.
    """
    if size <= 0:
        return []
    count = -(-size // budget)
    base, extra = divmod(size, count)
    return [base + 1] * extra + [base] * (count - extra)
