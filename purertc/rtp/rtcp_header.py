"""The RTCP common header (RFC 3550 §6.4.1) shared by every RTCP packet type.

::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |V=2|P| RC/FMT  |      PT       |      length (words - 1)       |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

Every packet class keeps the padding octets it was parsed with (``padding``, count octet
included) so that a parsed compound packet re-serializes to the same bytes.
"""

from __future__ import annotations

import struct
from typing import Any, Protocol

from .errors import RtpError

COMMON_HEADER = struct.Struct("!BBH")
U32 = struct.Struct("!I")
TWO_U32 = struct.Struct("!II")

SR = 200
RR = 201
SDES = 202
BYE = 203
APP = 204
RTPFB = 205
PSFB = 206
XR = 207


class RtcpPacket(Protocol):
    """One packet of a (possibly compound) RTCP datagram.

    Every packet type is an immutable NamedTuple (cheap to build on the receive path) with a
    ``packet_type`` class attribute, a ``parse_body(count, body, padding)`` class method and
    ``serialize()``.
    """

    @property
    def packet_type(self) -> int: ...

    def serialize(self) -> bytes: ...


# Builds a NamedTuple from a tuple without the generated keyword-argument constructor.
new_tuple: Any = tuple.__new__


def pack_rtcp(packet_type: int, count: int, body: bytes, padding: bytes = b"") -> bytes:
    """Prefix ``body`` with the common header; ``padding`` ends with its own count octet."""
    if not 0 <= count <= 31:
        raise RtpError(f"RTCP count/FMT {count}: out of range 0..31")
    size = len(body) + len(padding)
    if size % 4:
        raise RtpError(f"RTCP packet type {packet_type}: {size} bytes is not a multiple of 4")
    if size // 4 > 0xFFFF:
        raise RtpError(f"RTCP packet type {packet_type}: too long for the length field")
    first = 0xA0 | count if padding else 0x80 | count
    return COMMON_HEADER.pack(first, packet_type, size // 4) + body + padding


def make_padding(size: int) -> bytes:
    """RFC 3550 padding of ``size`` octets (zeros, then the count); empty for 0."""
    if not 0 <= size <= 255:
        raise RtpError(f"RTCP padding size {size}: out of range 0..255")
    return b"\x00" * (size - 1) + bytes((size,)) if size else b""


def check_length(body: bytes, needed: int, what: str) -> None:
    if len(body) < needed:
        raise RtpError(f"{what}: {len(body)} bytes, need {needed}")
