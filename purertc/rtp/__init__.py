"""RTP and RTCP: packets, header extensions, feedback, payload formats and stream machinery.

Sans-IO and usable alone. ``RtpPacket`` is the compiled twin from ``purertc._speedups`` when it
is built (``PURERTC_PURE=1`` forces the pure-Python reference).
"""

from .errors import RtpError
from .events import Frame, FrameReady, KeyframeNeeded
from .extension_map import HeaderExtensionMap
from .implementation import IMPLEMENTATION, RtpPacket
from .jitter import JitterBuffer
from .nack import NackGenerator, RetransmissionBuffer
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
from .rtx import unwrap_rtx, wrap_rtx
from .stats import ReceiverStatistics, SenderStatistics, receiver_report
from .transport_cc import PacketResult, TransportFeedbackRecorder, TransportSequenceStamper
from .twcc import TransportFeedback

__all__ = [
    "IMPLEMENTATION",
    "Frame",
    "FrameReady",
    "HeaderExtensionMap",
    "JitterBuffer",
    "KeyframeNeeded",
    "NackGenerator",
    "PacketResult",
    "ReceiverStatistics",
    "RetransmissionBuffer",
    "SenderStatistics",
    "TransportFeedbackRecorder",
    "TransportSequenceStamper",
    "receiver_report",
    "unwrap_rtx",
    "wrap_rtx",
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
