"""Serial-number arithmetic (RFC 9260 §1.6, RFC 1982) done once, at the edge.

Inside the association every TSN is an unbounded integer that only grows, so comparisons are
plain ``<``; a 32-bit value from the wire is lifted next to a reference point with
:func:`unwrap32`, and :data:`MASK32` turns an internal TSN back into its wire form.
"""

from __future__ import annotations

MASK32 = 0xFFFFFFFF
MASK16 = 0xFFFF
_HALF32 = 1 << 31


def unwrap32(wire: int, reference: int) -> int:
    """The internal TSN closest to ``reference`` whose low 32 bits are ``wire``."""
    delta = (wire - reference) & MASK32
    if delta >= _HALF32:
        delta -= 1 << 32
    return reference + delta


def seq_newer(a: int, b: int, mask: int) -> bool:
    """True when sequence number ``a`` is after ``b`` (serial arithmetic) for any width:
    ``mask`` is 0xFFFF for SSNs (DATA), 0xFFFFFFFF for MIDs (I-DATA)."""
    return a != b and ((a - b) & mask) <= (mask >> 1)
