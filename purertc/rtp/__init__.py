"""RTP and RTCP: packets, header extensions, feedback, payload formats and stream machinery.

Sans-IO and usable alone. ``RtpPacket`` is the compiled twin from ``purertc._speedups`` when it
is built (``PURERTC_PURE=1`` forces the pure-Python reference).
"""

from .errors import RtpError
from .implementation import IMPLEMENTATION, RtpPacket
from .rtcp import UnknownRtcpPacket, parse_rtcp, serialize_rtcp
from .rtcp_feedback import (
    FullIntraRequest,
    GenericNack,
    PictureLossIndication,
    PsFeedback,
    ReceiverEstimatedMaxBitrate,
    RtpFeedback,
)
from .rtcp_header import RtcpPacket
from .rtcp_reports import (
    ApplicationDefined,
    Bye,
    ReceiverReport,
    ReportBlock,
    SdesChunk,
    SdesItem,
    SenderReport,
    SourceDescription,
)
from .rtcp_xr import ExtendedReport, XrBlock
from .twcc import TransportFeedback

__all__ = [
    "IMPLEMENTATION",
    "ApplicationDefined",
    "Bye",
    "ExtendedReport",
    "FullIntraRequest",
    "GenericNack",
    "PictureLossIndication",
    "PsFeedback",
    "ReceiverEstimatedMaxBitrate",
    "ReceiverReport",
    "ReportBlock",
    "RtcpPacket",
    "RtpError",
    "RtpFeedback",
    "RtpPacket",
    "SdesChunk",
    "SdesItem",
    "SenderReport",
    "SourceDescription",
    "TransportFeedback",
    "UnknownRtcpPacket",
    "XrBlock",
    "parse_rtcp",
    "serialize_rtcp",
]
