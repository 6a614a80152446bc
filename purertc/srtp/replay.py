"""Packet index estimation and the replay window (RFC 3711 §3.3.1-§3.3.2).

The 48-bit SRTP packet index is ``ROC * 2^16 + SEQ``; only SEQ is on the wire, so the receiver
(and the sender, for its own bookkeeping) guesses the rollover counter from the highest index
seen so far, picking whichever of ROC-1, ROC, ROC+1 puts the packet closest to it.

Both functions follow libsrtp's arithmetic exactly (``srtp_rdbx_estimate_index``), so the two
backends agree packet for packet: while the highest index is at most 2^15 the ROC is taken as 0
(no ROC-1 guess can be right that early), and a guess is strictly more than 2^15 away before it
moves to the neighbouring ROC.
"""

from __future__ import annotations

from purertc.srtp.errors import SrtpError

SRTP_INDEX_MAX = (1 << 48) - 1  # ROC (32 bits) and SEQ (16 bits)
_SEQ_MEDIAN = 1 << 15


def estimate_rtp_index(highest: int, seq: int) -> int:
    """The packet index a sequence number most likely has, given the highest index seen."""
    if highest <= _SEQ_MEDIAN:
        return seq
    roc = highest >> 16
    local_seq = highest & 0xFFFF
    if local_seq < _SEQ_MEDIAN:
        if seq - local_seq > _SEQ_MEDIAN:
            roc -= 1
    elif local_seq - _SEQ_MEDIAN > seq:
        roc += 1
    return (roc << 16) | seq


class ReplayWindow:
    """The highest index accepted so far and which of the ``size`` indices up to it were seen.

    Bit ``k`` of ``seen`` stands for index ``highest - k``. Checking and recording are separate
    so that a packet is recorded only once it has authenticated (RFC 3711 §3.3.2).
    """

    __slots__ = ("highest", "mask", "seen", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self.mask = (1 << size) - 1
        self.highest = 0
        self.seen = 0

    def is_new(self, index: int) -> bool:
        """True if ``index`` was not seen, False if it is a repeat inside the window.

        Raises :class:`SrtpError` if ``index`` is too old for the window to tell.
        """
        delta = index - self.highest
        if delta > 0:
            return True
        if -delta >= self.size:
            raise SrtpError(
                f"replay check failed: index {index} is too old "
                f"(highest {self.highest}, window {self.size})"
            )
        return not (self.seen >> -delta) & 1

    def add(self, index: int) -> None:
        """Record ``index`` (which :meth:`is_new` accepted)."""
        delta = index - self.highest
        if delta > 0:
            self.seen = ((self.seen << delta) | 1) & self.mask if delta < self.size else 1
            self.highest = index
        else:
            self.seen |= 1 << -delta

    def snapshot(self) -> tuple[int, int]:
        """``(highest, seen)``: for tests that prove a rejected packet changed nothing."""
        return self.highest, self.seen
