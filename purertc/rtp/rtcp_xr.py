"""RTCP extended reports (RFC 3611): RRTR and DLRR blocks; other blocks kept raw.

::

    |V=2|P|reserved |   PT=XR=207   |             length            |
    |                              SSRC                             |
    :                         report blocks                         :

    block: |      BT       | type-specific |         block length (words)  |
"""

from __future__ import annotations

import struct
from typing import NamedTuple, Self

from .errors import RtpError
from .rtcp_header import U32, XR, check_length, pack_rtcp

_BLOCK_HEADER = struct.Struct("!BBH")
_DLRR_ITEM = struct.Struct("!III")
_NTP = struct.Struct("!Q")

RRTR = 4
DLRR = 5


class XrBlock(NamedTuple):
    """One report block; ``data`` is the block content after its 4-byte header."""

    block_type: int
    type_specific: int
    data: bytes

    @classmethod
    def rrtr(cls, ntp_timestamp: int) -> XrBlock:
        """Receiver Reference Time Report (RFC 3611 §4.4)."""
        return cls(RRTR, 0, _NTP.pack(ntp_timestamp))

    @classmethod
    def dlrr(cls, items: list[tuple[int, int, int]]) -> XrBlock:
        """DLRR (RFC 3611 §4.5): ``(ssrc, last RR, delay since last RR)`` per receiver."""
        return cls(DLRR, 0, b"".join(_DLRR_ITEM.pack(*item) for item in items))

    @property
    def ntp_timestamp(self) -> int:
        if self.block_type != RRTR or len(self.data) != 8:
            raise RtpError("XR block: not a well-formed RRTR block")
        value: int = _NTP.unpack(self.data)[0]
        return value

    @property
    def dlrr_items(self) -> list[tuple[int, int, int]]:
        if self.block_type != DLRR or len(self.data) % 12:
            raise RtpError("XR block: not a well-formed DLRR block")
        return list(_DLRR_ITEM.iter_unpack(self.data))


class ExtendedReport(NamedTuple):
    """XR (RFC 3611 §2): the reporter's SSRC and its report blocks, in order."""

    ssrc: int
    blocks: tuple[XrBlock, ...] = ()
    reserved: int = 0
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return XR

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        check_length(body, 4, "RTCP XR")
        blocks = []
        pos = 4
        while pos < len(body):
            check_length(body, pos + 4, "RTCP XR block header")
            block_type, specific, words = _BLOCK_HEADER.unpack_from(body, pos)
            end = pos + 4 + 4 * words
            if end > len(body):
                raise RtpError(f"RTCP XR block type {block_type}: length overruns the packet")
            block = XrBlock(block_type, specific, body[pos + 4 : end])
            if block_type == RRTR and words != 2:
                raise RtpError(f"RTCP XR RRTR block length {words}: must be 2")
            if block_type == DLRR and words % 3:
                raise RtpError(f"RTCP XR DLRR block length {words}: not whole sub-blocks")
            blocks.append(block)
            pos = end
        return cls(U32.unpack_from(body)[0], tuple(blocks), count, padding)

    def serialize(self) -> bytes:
        parts = [U32.pack(self.ssrc)]
        for block in self.blocks:
            if len(block.data) % 4:
                raise RtpError(f"XR block type {block.block_type}: data not whole words")
            parts.append(
                _BLOCK_HEADER.pack(block.block_type, block.type_specific, len(block.data) // 4)
            )
            parts.append(block.data)
        return pack_rtcp(XR, self.reserved, b"".join(parts), self.padding)
