"""RTP payload formats: packetizers and depacketizers with key frame detection.

``packetizer_for("video/VP8")`` / ``depacketizer_for("video/VP8")`` pick by MIME type
(case-insensitive, as in SDP ``a=rtpmap``).
"""

from __future__ import annotations

from ..errors import RtpError
from .audio import G711Depacketizer, G711Packetizer, OpusDepacketizer, OpusPacketizer
from .av1 import Av1Depacketizer, Av1Packetizer
from .base import DEFAULT_MTU, Depacketizer, Packetizer
from .h264 import H264Depacketizer, H264Packetizer
from .telephone_event import TelephoneEvent, dtmf_payloads
from .vp8 import Vp8Depacketizer, Vp8Descriptor, Vp8Packetizer
from .vp9 import Vp9Depacketizer, Vp9Descriptor, Vp9Packetizer, Vp9ScalabilityStructure

_FORMATS: dict[str, tuple[type[Packetizer], type[Depacketizer]]] = {
    "audio/opus": (OpusPacketizer, OpusDepacketizer),
    "audio/pcmu": (G711Packetizer, G711Depacketizer),
    "audio/pcma": (G711Packetizer, G711Depacketizer),
    "video/vp8": (Vp8Packetizer, Vp8Depacketizer),
    "video/vp9": (Vp9Packetizer, Vp9Depacketizer),
    "video/h264": (H264Packetizer, H264Depacketizer),
    "video/av1": (Av1Packetizer, Av1Depacketizer),
}


def _lookup(mime_type: str) -> tuple[type[Packetizer], type[Depacketizer]]:
    try:
        return _FORMATS[mime_type.lower()]
    except KeyError:
        raise RtpError(f"no payload format for {mime_type!r}") from None


def packetizer_for(mime_type: str, mtu: int = DEFAULT_MTU) -> Packetizer:
    return _lookup(mime_type)[0](mtu)


def depacketizer_for(mime_type: str) -> Depacketizer:
    return _lookup(mime_type)[1]()


__all__ = [
    "DEFAULT_MTU",
    "Av1Depacketizer",
    "Av1Packetizer",
    "Depacketizer",
    "G711Depacketizer",
    "G711Packetizer",
    "H264Depacketizer",
    "H264Packetizer",
    "OpusDepacketizer",
    "OpusPacketizer",
    "Packetizer",
    "TelephoneEvent",
    "Vp8Depacketizer",
    "Vp8Descriptor",
    "Vp8Packetizer",
    "Vp9Depacketizer",
    "Vp9Descriptor",
    "Vp9Packetizer",
    "Vp9ScalabilityStructure",
    "depacketizer_for",
    "dtmf_payloads",
    "packetizer_for",
]
