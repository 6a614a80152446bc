"""RTCP reports and source description: SR, RR, SDES, BYE, APP (RFC 3550 §6.4-6.7)."""

from __future__ import annotations

import struct
from typing import NamedTuple, Self

from .errors import RtpError
from .rtcp_header import (
    APP,
    BYE,
    RR,
    SDES,
    SR,
    U32,
    check_length,
    new_tuple,
    pack_rtcp,
)

_REPORT_BLOCK = struct.Struct("!IIIIII")
_new_tuple = new_tuple
_SENDER_INFO = struct.Struct("!IQIII")
_SENDER_INFO_ONE_BLOCK = struct.Struct("!IQIIIIIIIII")  # the common SR: one report block
_CHUNK_START = struct.Struct("!IBB").unpack_from  # SDES chunk: SSRC, first item type/length


class ReportBlock(NamedTuple):
    """RFC 3550 §6.4.1 report block (24 octets)::

        |                 SSRC_n (source identifier)                    |
        | fraction lost |       cumulative number of packets lost       |
        |           extended highest sequence number received           |
        |                      interarrival jitter                      |
        |                         last SR (LSR)                         |
        |                   delay since last SR (DLSR)                  |

    ``cumulative_lost`` is the signed 24-bit value (it goes negative with duplicates).
    """

    ssrc: int
    fraction_lost: int = 0
    cumulative_lost: int = 0
    highest_sequence: int = 0
    jitter: int = 0
    lsr: int = 0
    dlsr: int = 0

    @classmethod
    def parse(cls, data: bytes, offset: int) -> ReportBlock:
        ssrc, lost, highest, jitter, lsr, dlsr = _REPORT_BLOCK.unpack_from(data, offset)
        block: ReportBlock = _new_tuple(
            cls, (ssrc, lost >> 24, _signed24(lost), highest, jitter, lsr, dlsr)
        )
        return block

    def serialize(self) -> bytes:
        if not -(1 << 23) <= self.cumulative_lost < 1 << 23:
            raise RtpError(f"report block cumulative lost {self.cumulative_lost}: not 24-bit")
        if not 0 <= self.fraction_lost <= 255:
            raise RtpError(f"report block fraction lost {self.fraction_lost}: not 8-bit")
        try:
            return _REPORT_BLOCK.pack(
                self.ssrc,
                self.fraction_lost << 24 | (self.cumulative_lost & 0xFFFFFF),
                self.highest_sequence,
                self.jitter,
                self.lsr,
                self.dlsr,
            )
        except struct.error as exc:
            raise RtpError(f"report block field out of range: {exc}") from exc


def _signed24(lost: int) -> int:
    """The cumulative-lost field (low 24 bits of ``lost``) as a two's-complement integer."""
    return ((lost & 0xFFFFFF) ^ 0x800000) - 0x800000


def _parse_blocks(body: bytes, offset: int, count: int) -> tuple[ReportBlock, ...]:
    """``count`` report blocks from ``offset`` (the caller checked the length)."""
    new = _new_tuple
    return tuple(
        [
            new(ReportBlock, (ssrc, lost >> 24, _signed24(lost), highest, jitter, lsr, dlsr))
            for ssrc, lost, highest, jitter, lsr, dlsr in _REPORT_BLOCK.iter_unpack(
                body[offset : offset + 24 * count]
            )
        ]
    )


def _pack_blocks(reports: tuple[ReportBlock, ...], what: str) -> bytes:
    if len(reports) > 31:
        raise RtpError(f"RTCP {what}: {len(reports)} report blocks, at most 31")
    return b"".join(block.serialize() for block in reports)


class SenderReport(NamedTuple):
    """SR, RFC 3550 §6.4.1: sender info (NTP/RTP timestamps, counts) plus report blocks.

    ``profile_extension`` keeps any bytes after the report blocks (§6.4.3).
    """

    ssrc: int
    ntp_timestamp: int
    rtp_timestamp: int
    packet_count: int
    octet_count: int
    reports: tuple[ReportBlock, ...] = ()
    profile_extension: bytes = b""
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return SR

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        end = 24 + 24 * count
        size = len(body)
        if size < end:
            raise RtpError(f"RTCP SR with {count} report blocks: {size} bytes, need {end}")
        if count == 1:  # the common SR: sender info and one block in one unpack
            ssrc, ntp, rtp, packets, octets, source, lost, highest, jitter, lsr, dlsr = (
                _SENDER_INFO_ONE_BLOCK.unpack_from(body)
            )
            cumulative = ((lost & 0xFFFFFF) ^ 0x800000) - 0x800000  # _signed24, inlined: hot
            block = (source, lost >> 24, cumulative, highest, jitter, lsr, dlsr)
            reports: tuple[ReportBlock, ...] = (_new_tuple(ReportBlock, block),)
        else:
            ssrc, ntp, rtp, packets, octets = _SENDER_INFO.unpack_from(body)
            reports = _parse_blocks(body, 24, count) if count else ()
        extension = body[end:] if size > end else b""
        packet: Self = _new_tuple(
            cls, (ssrc, ntp, rtp, packets, octets, reports, extension, padding)
        )
        return packet

    def serialize(self) -> bytes:
        try:
            info = _SENDER_INFO.pack(
                self.ssrc,
                self.ntp_timestamp,
                self.rtp_timestamp,
                self.packet_count,
                self.octet_count,
            )
        except struct.error as exc:
            raise RtpError(f"RTCP SR field out of range: {exc}") from exc
        body = info + _pack_blocks(self.reports, "SR") + self.profile_extension
        return pack_rtcp(SR, len(self.reports), body, self.padding)


class ReceiverReport(NamedTuple):
    """RR, RFC 3550 §6.4.2: the reporter's SSRC plus report blocks."""

    ssrc: int
    reports: tuple[ReportBlock, ...] = ()
    profile_extension: bytes = b""
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return RR

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        end = 4 + 24 * count
        size = len(body)
        if size < end:
            raise RtpError(f"RTCP RR with {count} report blocks: {size} bytes, need {end}")
        reports = _parse_blocks(body, 4, count) if count else ()
        extension = body[end:] if size > end else b""
        packet: Self = _new_tuple(cls, (U32.unpack_from(body)[0], reports, extension, padding))
        return packet

    def serialize(self) -> bytes:
        body = _pack_u32(self.ssrc, "RR SSRC") + _pack_blocks(self.reports, "RR")
        return pack_rtcp(RR, len(self.reports), body + self.profile_extension, self.padding)


def _pack_u32(value: int, what: str) -> bytes:
    try:
        return U32.pack(value)
    except struct.error as exc:
        raise RtpError(f"RTCP {what} {value}: not a 32-bit value") from exc


# SDES item types, RFC 3550 §6.5.
CNAME, NAME, EMAIL, PHONE, LOC, TOOL, NOTE, PRIV = range(1, 9)
SDES_ITEM_NAMES = {1: "CNAME", 2: "NAME", 3: "EMAIL", 4: "PHONE", 5: "LOC", 6: "TOOL", 7: "NOTE"}
SDES_ITEM_NAMES[8] = "PRIV"


class SdesItem(NamedTuple):
    """One SDES item: type and raw value (PRIV keeps its prefix inside ``value``)."""

    type: int
    value: bytes

    @property
    def text(self) -> str:
        try:
            return self.value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RtpError(f"SDES item type {self.type}: value is not UTF-8") from exc


class SdesChunk(NamedTuple):
    ssrc: int
    items: tuple[SdesItem, ...] = ()

    @property
    def cname(self) -> str | None:
        for item in self.items:
            if item.type == CNAME:
                return item.text
        return None


class SourceDescription(NamedTuple):
    """SDES, RFC 3550 §6.5::

    chunk:  | SSRC/CSRC | type | length | text ... | ... | 0 (null items to a word) |
    """

    chunks: tuple[SdesChunk, ...] = ()
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return SDES

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        # Reads past the end surface as IndexError/struct.error and become RtpError below; an
        # item length that overruns is checked explicitly (a slice would silently shorten).
        new = _new_tuple
        item_class = SdesItem
        chunks: tuple[SdesChunk, ...] = ()
        pos = 0
        length = len(body)
        try:
            for _ in range(count):
                # A chunk is at least 8 octets (SSRC, null item, padding): read the SSRC with
                # the first item's type and length.
                ssrc, item_type, size = _CHUNK_START(body, pos)
                pos += 4
                items: tuple[SdesItem, ...] = ()  # few items: concatenation beats a list
                while item_type:
                    end = pos + 2 + size
                    if end > length:
                        raise RtpError(
                            f"RTCP SDES item type {item_type}: length overruns the chunk"
                        )
                    items += (new(item_class, (item_type, body[pos + 2 : end])),)
                    pos = end
                    item_type = body[pos]
                    if item_type:
                        size = body[pos + 1]
                pos = (pos + 4) & ~3  # the null octet and the padding to the next word
                chunks += (new(SdesChunk, (ssrc, items)),)
        except struct.error:
            raise RtpError(f"RTCP SDES chunk {len(chunks)}: SSRC truncated") from None
        except IndexError:
            raise RtpError(f"RTCP SDES chunk {len(chunks)}: items not terminated") from None
        if pos != length:
            if pos > length:
                raise RtpError(f"RTCP SDES chunk {count - 1}: terminating padding truncated")
            raise RtpError(f"RTCP SDES: {length - pos} bytes after {count} chunks")
        packet: Self = new(cls, (chunks, padding))
        return packet

    def serialize(self) -> bytes:
        parts = []
        for chunk in self.chunks:
            parts.append(_pack_u32(chunk.ssrc, "SDES SSRC"))
            size = 4
            for item in chunk.items:
                if not 1 <= item.type <= 255 or len(item.value) > 255:
                    raise RtpError(f"SDES item type {item.type}: type or length out of range")
                parts.append(bytes((item.type, len(item.value))) + item.value)
                size += 2 + len(item.value)
            parts.append(b"\x00" * (4 - size % 4))
        return pack_rtcp(SDES, len(self.chunks), b"".join(parts), self.padding)


class Bye(NamedTuple):
    """BYE, RFC 3550 §6.6: the sources leaving and an optional reason."""

    sources: tuple[int, ...] = ()
    reason: bytes | None = None
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return BYE

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        check_length(body, 4 * count, f"RTCP BYE with {count} sources")
        sources = struct.unpack_from(f"!{count}I", body)
        pos = 4 * count
        reason = None
        if pos < len(body):
            end = pos + 1 + body[pos]
            if end > len(body):
                raise RtpError("RTCP BYE reason length overruns the packet")
            reason = body[pos + 1 : end]
            if (end + 3) & ~3 != len(body) or any(body[end:]):
                raise RtpError("RTCP BYE: unexpected bytes after the reason")
        return cls(tuple(sources), reason, padding)

    def serialize(self) -> bytes:
        body = b"".join(_pack_u32(s, "BYE SSRC") for s in self.sources)
        if self.reason is not None:
            if len(self.reason) > 255:
                raise RtpError("RTCP BYE reason longer than 255 bytes")
            text = bytes((len(self.reason),)) + self.reason
            body += text + b"\x00" * (-len(text) % 4)
        return pack_rtcp(BYE, len(self.sources), body, self.padding)


class ApplicationDefined(NamedTuple):
    """APP, RFC 3550 §6.7: subtype, SSRC, four-character name and application data."""

    subtype: int
    ssrc: int
    name: bytes
    data: bytes = b""
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return APP

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        check_length(body, 8, "RTCP APP")
        return cls(count, U32.unpack_from(body)[0], body[4:8], body[8:], padding)

    def serialize(self) -> bytes:
        if len(self.name) != 4:
            raise RtpError(f"RTCP APP name {self.name!r}: must be 4 bytes")
        body = _pack_u32(self.ssrc, "APP SSRC") + self.name + self.data
        return pack_rtcp(APP, self.subtype, body, self.padding)
