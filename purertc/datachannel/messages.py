"""DCEP messages: DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK (RFC 8832 §5).

Both travel as SCTP user messages with PPID 50 on the stream of the channel they announce.
The parsers take ``bytes``/``memoryview``, check every length against the buffer and raise
:class:`DcepError` naming the field; the value objects are immutable and serialize back to the
same bytes they were parsed from.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from purertc.datachannel.errors import DcepError


class MessageType(IntEnum):
    """RFC 8832 §8.2.1 (0x00, 0x01 and 0xFF are reserved)."""

    DATA_CHANNEL_ACK = 0x02
    DATA_CHANNEL_OPEN = 0x03


class ChannelType(IntEnum):
    """RFC 8832 §5.1: the high bit (0x80) asks for unordered delivery."""

    RELIABLE = 0x00
    PARTIAL_RELIABLE_REXMIT = 0x01
    PARTIAL_RELIABLE_TIMED = 0x02
    RELIABLE_UNORDERED = 0x80
    PARTIAL_RELIABLE_REXMIT_UNORDERED = 0x81
    PARTIAL_RELIABLE_TIMED_UNORDERED = 0x82


UNORDERED_BIT = 0x80
_RELIABILITY_MASK = 0x7F

# The Priority field's values for the W3C RTCPriorityType levels (RFC 8832 §5.1 carries the
# number; the levels are very-low, low (the default), medium and high).
PRIORITY_VERY_LOW = 128
PRIORITY_LOW = 256
PRIORITY_MEDIUM = 512
PRIORITY_HIGH = 1024
DEFAULT_PRIORITY = PRIORITY_LOW

_U16_MAX = 0xFFFF
_U32_MAX = 0xFFFF_FFFF

#  0                   1                   2                   3
#  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |  Message Type |  Channel Type |            Priority           |
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |                    Reliability Parameter                      |
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |         Label Length          |       Protocol Length         |
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# \                             Label                             \
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# \                            Protocol                           \
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
_OPEN_HEADER = struct.Struct("!BBHIHH")


def _check_range(field: str, value: int, maximum: int) -> None:
    if not 0 <= value <= maximum:
        raise DcepError(f"{field} {value} out of range 0..{maximum}")


def _encode_text(field: str, text: str) -> bytes:
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as error:  # lone surrogates cannot go on the wire
        raise DcepError(f"{field} is not encodable as UTF-8: {error.reason}") from None
    if len(encoded) > _U16_MAX:
        raise DcepError(f"{field} is {len(encoded)} bytes of UTF-8, at most {_U16_MAX} fit")
    return encoded


def _decode_text(field: str, raw: memoryview) -> str:
    try:
        return str(raw, "utf-8")
    except UnicodeDecodeError as error:
        raise DcepError(f"{field} is not valid UTF-8 (byte {error.start})") from None


@dataclass(frozen=True, slots=True)
class DataChannelOpen:
    """RFC 8832 §5.1: announces a channel, its reliability, priority, label and protocol.

    ``reliability_parameter`` is the retransmission limit for the REXMIT types, the lifetime in
    milliseconds for the TIMED types, and ignored (sent as 0) for the reliable ones.
    ``trailing`` keeps bytes a peer put after the protocol, so a parsed message re-serializes
    byte for byte; we never send any.
    """

    channel_type: ChannelType
    label: str = ""
    protocol: str = ""
    priority: int = DEFAULT_PRIORITY
    reliability_parameter: int = 0
    trailing: bytes = b""

    def __post_init__(self) -> None:
        _check_range("priority", self.priority, _U16_MAX)
        _check_range("reliability_parameter", self.reliability_parameter, _U32_MAX)

    @classmethod
    def for_options(
        cls,
        label: str,
        protocol: str = "",
        *,
        ordered: bool = True,
        max_retransmits: int | None = None,
        max_packet_life_time: int | None = None,
        priority: int = DEFAULT_PRIORITY,
    ) -> DataChannelOpen:
        """The OPEN announcing a channel created with the W3C-style options."""
        if max_retransmits is not None and max_packet_life_time is not None:
            raise DcepError("max_retransmits and max_packet_life_time are mutually exclusive")
        if max_retransmits is not None:
            base, parameter = ChannelType.PARTIAL_RELIABLE_REXMIT, max_retransmits
        elif max_packet_life_time is not None:
            base, parameter = ChannelType.PARTIAL_RELIABLE_TIMED, max_packet_life_time
        else:
            base, parameter = ChannelType.RELIABLE, 0
        channel_type = ChannelType(base | (0 if ordered else UNORDERED_BIT))
        return cls(channel_type, label, protocol, priority, parameter)

    @property
    def ordered(self) -> bool:
        return not self.channel_type & UNORDERED_BIT

    @property
    def max_retransmits(self) -> int | None:
        """The retransmission limit, or None unless the channel type is a REXMIT one."""
        if self.channel_type & _RELIABILITY_MASK == ChannelType.PARTIAL_RELIABLE_REXMIT:
            return self.reliability_parameter
        return None

    @property
    def max_packet_life_time(self) -> int | None:
        """The lifetime in milliseconds, or None unless the channel type is a TIMED one."""
        if self.channel_type & _RELIABILITY_MASK == ChannelType.PARTIAL_RELIABLE_TIMED:
            return self.reliability_parameter
        return None

    def serialize(self) -> bytes:
        label = _encode_text("label", self.label)
        protocol = _encode_text("protocol", self.protocol)
        header = _OPEN_HEADER.pack(
            MessageType.DATA_CHANNEL_OPEN,
            self.channel_type,
            self.priority,
            self.reliability_parameter,
            len(label),
            len(protocol),
        )
        return b"".join((header, label, protocol, self.trailing))

    @classmethod
    def parse(cls, data: bytes | memoryview) -> DataChannelOpen:
        view = memoryview(data)
        if len(view) < _OPEN_HEADER.size:
            raise DcepError(
                f"DATA_CHANNEL_OPEN header needs {_OPEN_HEADER.size} bytes, got {len(view)}"
            )
        message_type, raw_type, priority, parameter, label_length, protocol_length = (
            _OPEN_HEADER.unpack_from(view)
        )
        if message_type != MessageType.DATA_CHANNEL_OPEN:
            raise DcepError(f"message_type 0x{message_type:02x} is not DATA_CHANNEL_OPEN")
        try:
            channel_type = ChannelType(raw_type)
        except ValueError:
            raise DcepError(f"channel_type 0x{raw_type:02x} is not defined") from None
        label_end = _OPEN_HEADER.size + label_length
        protocol_end = label_end + protocol_length
        if protocol_end > len(view):
            raise DcepError(
                f"label_length {label_length} + protocol_length {protocol_length} exceed the "
                f"{len(view) - _OPEN_HEADER.size} bytes after the header"
            )
        return cls(
            channel_type,
            _decode_text("label", view[_OPEN_HEADER.size : label_end]),
            _decode_text("protocol", view[label_end:protocol_end]),
            priority,
            parameter,
            bytes(view[protocol_end:]),
        )


#  0 1 2 3 4 5 6 7
# +-+-+-+-+-+-+-+-+
# |  Message Type |
# +-+-+-+-+-+-+-+-+
@dataclass(frozen=True, slots=True)
class DataChannelAck:
    """RFC 8832 §5.2: one byte. ``trailing`` keeps the padding some peers add (pion sends
    ``02 00 00 00``), so a parsed ACK re-serializes byte for byte; we send the single byte."""

    trailing: bytes = b""

    def serialize(self) -> bytes:
        return b"\x02" + self.trailing

    @classmethod
    def parse(cls, data: bytes | memoryview) -> DataChannelAck:
        view = memoryview(data)
        if not view:
            raise DcepError("message_type missing: DCEP message is empty")
        if view[0] != MessageType.DATA_CHANNEL_ACK:
            raise DcepError(f"message_type 0x{view[0]:02x} is not DATA_CHANNEL_ACK")
        return cls(bytes(view[1:]))


DcepMessage = DataChannelOpen | DataChannelAck


def parse_dcep(data: bytes | memoryview) -> DcepMessage:
    """Parse a PPID-50 payload into the message its first byte names."""
    view = memoryview(data)
    if not view:
        raise DcepError("message_type missing: DCEP message is empty")
    message_type = view[0]
    if message_type == MessageType.DATA_CHANNEL_OPEN:
        return DataChannelOpen.parse(view)
    if message_type == MessageType.DATA_CHANNEL_ACK:
        return DataChannelAck.parse(view)
    raise DcepError(f"message_type 0x{message_type:02x} is not a DCEP message type")
