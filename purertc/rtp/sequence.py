"""16-bit sequence-number arithmetic shared by the receive machinery."""

from __future__ import annotations


def seq_distance(a: int, b: int) -> int:
    """Signed distance from ``a`` to ``b`` on the 16-bit circle, in -32768..32767."""
    return ((b - a + 0x8000) & 0xFFFF) - 0x8000


class SequenceUnwrapper:
    """Extends 16-bit sequence numbers to a monotonic integer line (nearest to the last one)."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: int | None = None

    def unwrap(self, seq: int) -> int:
        last = self._last
        if last is None:
            self._last = seq & 0xFFFF
            return self._last
        extended = last + seq_distance(last & 0xFFFF, seq & 0xFFFF)
        if extended > last:
            self._last = extended
        return extended
