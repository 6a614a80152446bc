"""Static RTP payload types of the RTP/AVP profile, RFC 3551 §6 (tables 4 and 5).

Dynamic types (96-127) come from SDP ``a=rtpmap``; this table serves peers that use the static
assignments without an rtpmap line.
"""

from __future__ import annotations

from typing import NamedTuple


class StaticPayloadType(NamedTuple):
    encoding: str
    media: str  # "audio" or "video"
    clock_rate: int
    channels: int = 1


STATIC_PAYLOAD_TYPES: dict[int, StaticPayloadType] = {
    0: StaticPayloadType("PCMU", "audio", 8000),
    3: StaticPayloadType("GSM", "audio", 8000),
    4: StaticPayloadType("G723", "audio", 8000),
    5: StaticPayloadType("DVI4", "audio", 8000),
    6: StaticPayloadType("DVI4", "audio", 16000),
    7: StaticPayloadType("LPC", "audio", 8000),
    8: StaticPayloadType("PCMA", "audio", 8000),
    9: StaticPayloadType("G722", "audio", 8000),  # RTP clock stays 8000 (§4.5.2)
    10: StaticPayloadType("L16", "audio", 44100, 2),
    11: StaticPayloadType("L16", "audio", 44100),
    12: StaticPayloadType("QCELP", "audio", 8000),
    13: StaticPayloadType("CN", "audio", 8000),
    14: StaticPayloadType("MPA", "audio", 90000),
    15: StaticPayloadType("G728", "audio", 8000),
    16: StaticPayloadType("DVI4", "audio", 11025),
    17: StaticPayloadType("DVI4", "audio", 22050),
    18: StaticPayloadType("G729", "audio", 8000),
    25: StaticPayloadType("CelB", "video", 90000),
    26: StaticPayloadType("JPEG", "video", 90000),
    28: StaticPayloadType("nv", "video", 90000),
    31: StaticPayloadType("H261", "video", 90000),
    32: StaticPayloadType("MPV", "video", 90000),
    33: StaticPayloadType("MP2T", "video", 90000),
    34: StaticPayloadType("H263", "video", 90000),
}


def is_dynamic(payload_type: int) -> bool:
    return 96 <= payload_type <= 127


def is_rtcp_conflict(payload_type: int) -> bool:
    """PTs 64-95 collide with RTCP packet types 192-223 when RTP and RTCP share a port
    (RFC 5761 §4), so a muxed session must not use them."""
    return 64 <= payload_type <= 95
