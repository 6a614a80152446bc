"""WebRTC data channels over an SCTP association: DCEP (RFC 8832) and the channel manager
(RFC 8831), sans-IO."""

from purertc.datachannel.association import AssociationLike
from purertc.datachannel.channel import ChannelParameters, ChannelState
from purertc.datachannel.errors import DcepError, MessageTooLargeError
from purertc.datachannel.events import (
    BufferedAmountLow,
    ChannelClosed,
    ChannelError,
    ChannelMessage,
    ChannelOpen,
    Event,
    IncomingChannel,
)
from purertc.datachannel.manager import DataChannelManager
from purertc.datachannel.messages import (
    ChannelType,
    DataChannelAck,
    DataChannelOpen,
    DcepMessage,
    MessageType,
    parse_dcep,
)
from purertc.datachannel.ppid import Ppid

__all__ = [
    "AssociationLike",
    "BufferedAmountLow",
    "ChannelClosed",
    "ChannelError",
    "ChannelMessage",
    "ChannelOpen",
    "ChannelParameters",
    "ChannelState",
    "ChannelType",
    "DataChannelAck",
    "DataChannelManager",
    "DataChannelOpen",
    "DcepError",
    "DcepMessage",
    "Event",
    "IncomingChannel",
    "MessageTooLargeError",
    "MessageType",
    "Ppid",
    "parse_dcep",
]
