"""Parsing compound and reduced-size RTCP datagrams (RFC 3550 §6.1, RFC 5506).

A datagram is a sequence of RTCP packets, each with its own common header. We do not insist on
the compound rules (first packet SR/RR, CNAME present): RFC 5506 reduced-size RTCP sends lone
feedback packets, and a receiver should accept both. Unknown packet types and feedback formats
are kept as :class:`UnknownRtcpPacket` / raw feedback so they can be forwarded unchanged.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import NamedTuple, Self

from .errors import RtpError
from .rtcp_feedback import (
    FullIntraRequest,
    GenericNack,
    PictureLossIndication,
    PsFeedback,
    ReceiverEstimatedMaxBitrate,
    RtpFeedback,
)
from .rtcp_header import (
    APP,
    BYE,
    COMMON_HEADER,
    PSFB,
    RR,
    RTPFB,
    SDES,
    SR,
    XR,
    RtcpPacket,
    pack_rtcp,
)
from .rtcp_reports import (
    ApplicationDefined,
    Bye,
    ReceiverReport,
    SenderReport,
    SourceDescription,
)
from .rtcp_xr import ExtendedReport
from .twcc import TransportFeedback


class UnknownRtcpPacket(NamedTuple):
    """A packet type we do not model, kept whole."""

    packet_type: int
    count_or_fmt: int
    body: bytes
    padding: bytes = b""

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        raise RtpError("UnknownRtcpPacket is built by parse_rtcp, which knows the type")

    def serialize(self) -> bytes:
        return pack_rtcp(self.packet_type, self.count_or_fmt, self.body, self.padding)


def _parse_rtpfb(count: int, body: bytes, padding: bytes) -> RtcpPacket:
    return _RTPFB.get(count, RtpFeedback.parse_body)(count, body, padding)


def _parse_psfb(count: int, body: bytes, padding: bytes) -> RtcpPacket:
    if count == 1 and len(body) == 8:
        return PictureLossIndication.parse_body(count, body, padding)
    if count == 15 and ReceiverEstimatedMaxBitrate.matches(body):
        return ReceiverEstimatedMaxBitrate.parse_body(count, body, padding)
    return _PSFB.get(count, PsFeedback.parse_body)(count, body, padding)


_RTPFB: dict[int, Callable[[int, bytes, bytes], RtcpPacket]] = {
    1: GenericNack.parse_body,
    15: TransportFeedback.parse_body,
}
_PSFB: dict[int, Callable[[int, bytes, bytes], RtcpPacket]] = {4: FullIntraRequest.parse_body}
# Dispatch table: packet type -> parser of (count/FMT, body, padding).
_PARSERS: dict[int, Callable[[int, bytes, bytes], RtcpPacket]] = {
    SR: SenderReport.parse_body,
    RR: ReceiverReport.parse_body,
    SDES: SourceDescription.parse_body,
    BYE: Bye.parse_body,
    APP: ApplicationDefined.parse_body,
    XR: ExtendedReport.parse_body,
}
_PARSERS[RTPFB] = _parse_rtpfb
_PARSERS[PSFB] = _parse_psfb


def parse_rtcp(data: bytes | bytearray | memoryview) -> list[RtcpPacket]:
    """Every RTCP packet in a datagram; :class:`RtpError` names the first malformed field."""
    if type(data) is not bytes:
        data = bytes(data)
    length = len(data)
    if not length:
        raise RtpError("RTCP datagram is empty")
    packets: list[RtcpPacket] = []
    append = packets.append
    unpack_header = COMMON_HEADER.unpack_from
    parsers = _PARSERS
    pos = 0
    try:
        while pos < length:
            first, packet_type, words = unpack_header(data, pos)
            end = pos + 4 + 4 * words
            if first & 0xE0 == 0x80 and end <= length:  # version 2, unpadded, in bounds
                body = data[pos + 4 : end]
                padding = b""
            else:
                body, padding = _split_padding(data, pos, first, end)
            parser = parsers.get(packet_type)
            if parser is None:
                append(UnknownRtcpPacket(packet_type, first & 0x1F, body, padding))
            else:
                append(parser(first & 0x1F, body, padding))
            pos = end
    except struct.error:
        raise RtpError(f"RTCP header truncated at offset {pos}") from None
    return packets


def _split_padding(data: bytes, pos: int, first: int, end: int) -> tuple[bytes, bytes]:
    """Body and padding of a packet off the fast path: checks version, length and padding."""
    if first & 0xC0 != 0x80:
        raise RtpError(f"RTCP version {first >> 6} at offset {pos}: only version 2 exists")
    if end > len(data):
        raise RtpError(f"RTCP length {(end - pos) // 4 - 1} at offset {pos} overruns the datagram")
    pad = data[end - 1]
    if pad == 0 or pad > end - pos - 4:
        raise RtpError(f"RTCP padding count {pad} at offset {pos} is invalid")
    return data[pos + 4 : end - pad], data[end - pad : end]


def serialize_rtcp(packets: list[RtcpPacket]) -> bytes:
    """A compound datagram from packets (order kept)."""
    return b"".join(packet.serialize() for packet in packets)
