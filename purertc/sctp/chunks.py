"""SCTP chunks (RFC 9260 §3.3, RFC 3758, RFC 6525, RFC 8260): one class per chunk type.

Every chunk starts with the same header (RFC 9260 §3.2)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |   Chunk Type  | Chunk  Flags  |        Chunk Length           |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    \\                          Chunk Value                          \
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

A parser is a plain function ``(flags, body) -> chunk`` in :data:`CHUNK_PARSERS`, keyed by type,
so the packet walk is one dictionary lookup per chunk. ``serialize()`` returns the chunk with its
header and padded to four bytes. Chunks are mutable slotted dataclasses for speed (a frozen
dataclass costs four times as much to build); treat them as values. Types we do not know are kept
as :class:`UnknownChunk` with their bytes, so the association can act on the type's high bits
(RFC 9260 §3.2) and a packet round-trips byte for byte.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import starmap

from purertc.sctp.errors import SctpError
from purertc.sctp.parameters import (
    PAD,
    ErrorCause,
    Parameter,
    ReconfigParameter,
    parse_parameters,
    parse_reconfig_parameters,
    serialize_parameters,
)

# Chunk types (RFC 9260 §3.2, RFC 3758, RFC 6525, RFC 8260)
DATA = 0
INIT = 1
INIT_ACK = 2
SACK = 3
HEARTBEAT = 4
HEARTBEAT_ACK = 5
ABORT = 6
SHUTDOWN = 7
SHUTDOWN_ACK = 8
ERROR = 9
COOKIE_ECHO = 10
COOKIE_ACK = 11
SHUTDOWN_COMPLETE = 14
I_DATA = 64
RE_CONFIG = 130
FORWARD_TSN = 192
I_FORWARD_TSN = 194

# DATA / I-DATA flags (RFC 9260 §3.3.1, RFC 7053 for I)
FLAG_END = 0x01
FLAG_BEGIN = 0x02
FLAG_UNORDERED = 0x04
FLAG_IMMEDIATE = 0x08
# ABORT / SHUTDOWN-COMPLETE: the verification tag is the sender's own (reflected) tag
FLAG_T = 0x01

_HEADER = struct.Struct("!BBH")
_DATA_HEADER = struct.Struct("!BBHIHHI")
_DATA_FIELDS = struct.Struct("!IHHI")
_IDATA_HEADER = struct.Struct("!BBHIHHII")
_IDATA_FIELDS = struct.Struct("!IHHII")
_INIT_FIELDS = struct.Struct("!IIHHI")
_SACK_FIELDS = struct.Struct("!IIHH")
_SACK_HEADER = struct.Struct("!BBHIIHH")
_U32 = struct.Struct("!I")
_U16X2 = struct.Struct("!HH")
_U16U16U32 = struct.Struct("!HHI")


def _frame(kind: int, flags: int, body: bytes, uncounted_padding: int = 0) -> bytes:
    """Header + body + padding; ``uncounted_padding`` is the last parameter's padding, already
    in ``body`` but not in the length field."""
    length = 4 + len(body) - uncounted_padding
    return _HEADER.pack(kind, flags, length) + body + PAD[len(body) & 3]


# RFC 9260 §3.3.1 DATA
#  |   Type = 0    | Reserved|I|U|B|E|    Length                     |
#  |                              TSN                                |
#  |      Stream Identifier S      |   Stream Sequence Number n      |
#  |                  Payload Protocol Identifier                    |
#  \                 User Data (seq n of Stream S)                   \
@dataclass(slots=True)
class DataChunk:
    flags: int
    tsn: int
    stream_id: int
    stream_seq: int
    ppid: int
    user_data: bytes
    type = DATA

    @property
    def unordered(self) -> bool:
        return bool(self.flags & FLAG_UNORDERED)

    @property
    def beginning(self) -> bool:
        return bool(self.flags & FLAG_BEGIN)

    @property
    def ending(self) -> bool:
        return bool(self.flags & FLAG_END)

    def serialize(self) -> bytes:
        data = self.user_data
        size = len(data)
        return b"".join(
            (
                _DATA_HEADER.pack(
                    DATA, self.flags, 16 + size, self.tsn, self.stream_id, self.stream_seq,
                    self.ppid,
                ),
                data,
                PAD[size & 3],
            )
        )  # fmt: skip


def encode_data(
    flags: int, tsn: int, stream_id: int, ssn: int, ppid: int, data: bytes | memoryview
) -> bytes:
    """A DATA chunk on the wire without building a :class:`DataChunk` (the sender's hot path)."""
    size = len(data)
    header = _DATA_HEADER.pack(DATA, flags, 16 + size, tsn, stream_id, ssn, ppid)
    return b"".join((header, data, PAD[size & 3]))


def _parse_data(flags: int, body: bytes) -> DataChunk:
    if len(body) < 12:
        raise SctpError(f"DATA: chunk length {len(body) + 4} is below 16")
    tsn, stream_id, ssn, ppid = _DATA_FIELDS.unpack_from(body)
    return DataChunk(flags, tsn, stream_id, ssn, ppid, body[12:])


# RFC 8260 §2.1 I-DATA
#  |   Type = 64   |  Res  |I|U|B|E|       Length = Variable         |
#  |                              TSN                                |
#  |        Stream Identifier      |           Reserved              |
#  |                      Message Identifier                         |
#  |    Payload Protocol Identifier / Fragment Sequence Number       |
#  \                           User Data                             \
@dataclass(slots=True)
class IDataChunk:
    flags: int
    tsn: int
    stream_id: int
    reserved: int
    message_id: int
    ppid_or_fsn: int  # PPID when the B bit is set, else the fragment sequence number
    user_data: bytes
    type = I_DATA

    @property
    def ppid(self) -> int:
        """The payload protocol id (meaningful on the first fragment, B bit set)."""
        return self.ppid_or_fsn

    def serialize(self) -> bytes:
        data = self.user_data
        size = len(data)
        header = _IDATA_HEADER.pack(
            I_DATA, self.flags, 20 + size, self.tsn, self.stream_id, self.reserved,
            self.message_id, self.ppid_or_fsn,
        )  # fmt: skip
        return b"".join((header, data, PAD[size & 3]))


def encode_idata(
    flags: int, tsn: int, stream_id: int, mid: int, ppid_or_fsn: int, data: bytes | memoryview
) -> bytes:
    """An I-DATA chunk on the wire (RFC 8260 §2.1), for the sender's hot path."""
    size = len(data)
    header = _IDATA_HEADER.pack(I_DATA, flags, 20 + size, tsn, stream_id, 0, mid, ppid_or_fsn)
    return b"".join((header, data, PAD[size & 3]))


def _parse_idata(flags: int, body: bytes) -> IDataChunk:
    if len(body) < 16:
        raise SctpError(f"I-DATA: chunk length {len(body) + 4} is below 20")
    tsn, stream_id, reserved, mid, ppid_or_fsn = _IDATA_FIELDS.unpack_from(body)
    return IDataChunk(flags, tsn, stream_id, reserved, mid, ppid_or_fsn, body[16:])


# RFC 9260 §3.3.2 INIT and §3.3.3 INIT ACK
#  |   Type = 1/2  |  Chunk Flags  |      Chunk Length             |
#  |                         Initiate Tag                          |
#  |           Advertised Receiver Window Credit (a_rwnd)          |
#  |  Number of Outbound Streams   |  Number of Inbound Streams    |
#  |                          Initial TSN                          |
#  \              Optional/Variable-Length Parameters              \
@dataclass(slots=True)
class InitChunk:
    initiate_tag: int
    a_rwnd: int
    outbound_streams: int
    inbound_streams: int
    initial_tsn: int
    params: list[Parameter] = field(default_factory=list)
    flags: int = 0
    type = INIT

    def serialize(self) -> bytes:
        body, last_pad = serialize_parameters(self.params)
        fixed = _INIT_FIELDS.pack(
            self.initiate_tag, self.a_rwnd, self.outbound_streams, self.inbound_streams,
            self.initial_tsn,
        )  # fmt: skip
        return _frame(self.type, self.flags, fixed + body, last_pad)


@dataclass(slots=True)
class InitAckChunk(InitChunk):
    type = INIT_ACK

    @property
    def state_cookie(self) -> bytes | None:
        for param in self.params:
            if param.type == 7:
                return param.value
        return None


def _parse_init(flags: int, body: bytes, cls: type[InitChunk] = InitChunk) -> InitChunk:
    if len(body) < 16:
        raise SctpError(f"{cls.__name__}: chunk length {len(body) + 4} is below 20")
    tag, rwnd, outbound, inbound, tsn = _INIT_FIELDS.unpack_from(body)
    params = parse_parameters(body, 16, cls.__name__)
    return cls(tag, rwnd, outbound, inbound, tsn, params, flags)


def _parse_init_ack(flags: int, body: bytes) -> InitChunk:
    return _parse_init(flags, body, InitAckChunk)


# RFC 9260 §3.3.4 SACK
#  |   Type = 3    |Chunk  Flags   |      Chunk Length             |
#  |                      Cumulative TSN Ack                       |
#  |          Advertised Receiver Window Credit (a_rwnd)           |
#  | Number of Gap Ack Blocks = N  |  Number of Duplicate TSNs = M |
#  |  Gap Ack Block #1 Start       |   Gap Ack Block #1 End        |
#  |                       Duplicate TSN 1..M                      |
@dataclass(slots=True)
class SackChunk:
    cumulative_tsn: int
    a_rwnd: int
    gaps: tuple[tuple[int, int], ...] = ()
    duplicates: tuple[int, ...] = ()
    flags: int = 0
    type = SACK

    def serialize(self) -> bytes:
        gaps = self.gaps
        dups = self.duplicates
        count_gaps = len(gaps)
        count_dups = len(dups)
        head = _SACK_HEADER.pack(
            SACK, self.flags, 16 + 4 * (count_gaps + count_dups), self.cumulative_tsn,
            self.a_rwnd, count_gaps, count_dups,
        )  # fmt: skip
        if not count_gaps and not count_dups:
            return head
        parts = [head]
        parts.extend(starmap(_U16X2.pack, gaps))
        parts.extend(map(_U32.pack, dups))
        return b"".join(parts)


@lru_cache(maxsize=64)
def _u32_array(count: int) -> struct.Struct:
    return struct.Struct(f"!{count}I")


def _parse_sack(flags: int, body: bytes) -> SackChunk:
    if len(body) < 12:
        raise SctpError(f"SACK: chunk length {len(body) + 4} is below 16")
    cum, rwnd, count_gaps, count_dups = _SACK_FIELDS.unpack_from(body)
    if len(body) != 12 + 4 * count_gaps + 4 * count_dups:
        raise SctpError(
            f"SACK: {count_gaps} gap blocks and {count_dups} duplicates do not fit "
            f"chunk length {len(body) + 4}"
        )
    if not count_gaps and not count_dups:
        return SackChunk(cum, rwnd, (), (), flags)
    end = 12 + 4 * count_gaps
    gaps = tuple(_U16X2.iter_unpack(body[12:end])) if count_gaps else ()
    dups = _u32_array(count_dups).unpack_from(body, end) if count_dups else ()
    return SackChunk(cum, rwnd, gaps, dups, flags)


@dataclass(slots=True)
class _ParamsChunk:
    """A chunk whose value is a list of TLVs (HEARTBEAT, ABORT, ERROR...)."""

    params: list[Parameter] = field(default_factory=list)
    flags: int = 0
    type = -1

    def serialize(self) -> bytes:
        body, last_pad = serialize_parameters(self.params)
        return _frame(self.type, self.flags, body, last_pad)


# RFC 9260 §3.3.5 HEARTBEAT / §3.3.6 HEARTBEAT ACK: Heartbeat Info TLV (type 1), opaque to peer
@dataclass(slots=True)
class HeartbeatChunk(_ParamsChunk):
    type = HEARTBEAT


@dataclass(slots=True)
class HeartbeatAckChunk(_ParamsChunk):
    type = HEARTBEAT_ACK


# RFC 9260 §3.3.7 ABORT (flag T) and §3.3.10 ERROR: zero or more error causes
@dataclass(slots=True)
class AbortChunk(_ParamsChunk):
    type = ABORT

    @property
    def causes(self) -> list[ErrorCause]:
        return self.params


@dataclass(slots=True)
class ErrorChunk(_ParamsChunk):
    type = ERROR

    @property
    def causes(self) -> list[ErrorCause]:
        return self.params


def _params_parser(cls: type[_ParamsChunk]) -> Callable[[int, bytes], _ParamsChunk]:
    name = cls.__name__

    def parse(flags: int, body: bytes) -> _ParamsChunk:
        return cls(parse_parameters(body, 0, name), flags)

    return parse


# RFC 9260 §3.3.8 SHUTDOWN: Cumulative TSN Ack
@dataclass(slots=True)
class ShutdownChunk:
    cumulative_tsn: int
    flags: int = 0
    type = SHUTDOWN

    def serialize(self) -> bytes:
        return _HEADER.pack(SHUTDOWN, self.flags, 8) + _U32.pack(self.cumulative_tsn)


def _parse_shutdown(flags: int, body: bytes) -> ShutdownChunk:
    if len(body) != 4:
        raise SctpError(f"SHUTDOWN: chunk length {len(body) + 4} is not 8")
    return ShutdownChunk(_U32.unpack(body)[0], flags)


@dataclass(slots=True)
class _EmptyChunk:
    """SHUTDOWN ACK (§3.3.9), COOKIE ACK (§3.3.12), SHUTDOWN COMPLETE (§3.3.13, flag T)."""

    flags: int = 0
    type = -1

    def serialize(self) -> bytes:
        return _HEADER.pack(self.type, self.flags, 4)


@dataclass(slots=True)
class ShutdownAckChunk(_EmptyChunk):
    type = SHUTDOWN_ACK


@dataclass(slots=True)
class CookieAckChunk(_EmptyChunk):
    type = COOKIE_ACK


@dataclass(slots=True)
class ShutdownCompleteChunk(_EmptyChunk):
    type = SHUTDOWN_COMPLETE


def _empty_parser(cls: type[_EmptyChunk]) -> Callable[[int, bytes], _EmptyChunk]:
    name = cls.__name__

    def parse(flags: int, body: bytes) -> _EmptyChunk:
        if body:
            raise SctpError(f"{name}: chunk length {len(body) + 4} is not 4")
        return cls(flags)

    return parse


# RFC 9260 §3.3.11 COOKIE ECHO: the State Cookie from the INIT ACK, opaque
@dataclass(slots=True)
class CookieEchoChunk:
    cookie: bytes
    flags: int = 0
    type = COOKIE_ECHO

    def serialize(self) -> bytes:
        return _frame(COOKIE_ECHO, self.flags, self.cookie)


def _parse_cookie_echo(flags: int, body: bytes) -> CookieEchoChunk:
    return CookieEchoChunk(body, flags)


# RFC 3758 §3.2 FORWARD TSN
#  |   Type = 192  |  Flags = 0x00 |        Length = Variable      |
#  |                      New Cumulative TSN                       |
#  |         Stream-1              |       Stream Sequence-1       |
@dataclass(slots=True)
class ForwardTsnChunk:
    new_cumulative_tsn: int
    streams: tuple[tuple[int, int], ...] = ()  # (stream id, stream sequence number)
    flags: int = 0
    type = FORWARD_TSN

    def serialize(self) -> bytes:
        flat = [value for pair in self.streams for value in pair]
        body = _U32.pack(self.new_cumulative_tsn) + struct.pack(f"!{len(flat)}H", *flat)
        return _frame(FORWARD_TSN, self.flags, body)


def _parse_forward_tsn(flags: int, body: bytes) -> ForwardTsnChunk:
    if len(body) < 4 or len(body) % 4:
        raise SctpError(f"FORWARD-TSN: chunk length {len(body) + 4} is not 8 + 4 * N")
    values = struct.unpack_from(f"!I{(len(body) - 4) // 2}H", body)
    pairs = tuple(zip(values[1::2], values[2::2], strict=True))
    return ForwardTsnChunk(values[0], pairs, flags)


# RFC 8260 §2.3.1 I-FORWARD-TSN
#  |  Type = 194   | Flags = 0x00  |      Length = Variable        |
#  |                       New Cumulative TSN                      |
#  |       Stream Identifier       |          Reserved           |U|
#  |                       Message Identifier                      |
@dataclass(slots=True)
class IForwardTsnChunk:
    new_cumulative_tsn: int
    streams: tuple[tuple[int, int, int], ...] = ()  # (stream id, reserved|U, message id)
    flags: int = 0
    type = I_FORWARD_TSN

    def serialize(self) -> bytes:
        parts = [_U32.pack(self.new_cumulative_tsn)]
        parts.extend(_U16U16U32.pack(*entry) for entry in self.streams)
        return _frame(I_FORWARD_TSN, self.flags, b"".join(parts))


def _parse_i_forward_tsn(flags: int, body: bytes) -> IForwardTsnChunk:
    if len(body) < 4 or len(body) % 8 != 4:
        raise SctpError(f"I-FORWARD-TSN: chunk length {len(body) + 4} is not 8 + 8 * N")
    entries = tuple(_U16U16U32.iter_unpack(body[4:]))
    return IForwardTsnChunk(_U32.unpack_from(body)[0], entries, flags)


# RFC 6525 §3.1 RE-CONFIG: one or two re-configuration parameters
@dataclass(slots=True)
class ReconfigChunk:
    params: list[ReconfigParameter] = field(default_factory=list)
    flags: int = 0
    type = RE_CONFIG

    def serialize(self) -> bytes:
        body, last_pad = serialize_parameters(self.params)
        return _frame(RE_CONFIG, self.flags, body, last_pad)


def _parse_reconfig(flags: int, body: bytes) -> ReconfigChunk:
    return ReconfigChunk(parse_reconfig_parameters(body), flags)


@dataclass(slots=True)
class UnknownChunk:
    """A chunk type this stack does not implement, kept verbatim (RFC 9260 §3.2 high bits:
    00 stop, 01 stop and report, 10 skip, 11 skip and report)."""

    type: int
    flags: int
    body: bytes

    def serialize(self) -> bytes:
        return _frame(self.type, self.flags, self.body)


Chunk = (
    DataChunk
    | IDataChunk
    | InitChunk
    | SackChunk
    | _ParamsChunk
    | ShutdownChunk
    | _EmptyChunk
    | CookieEchoChunk
    | ForwardTsnChunk
    | IForwardTsnChunk
    | ReconfigChunk
    | UnknownChunk
)

CHUNK_PARSERS: dict[int, Callable[[int, bytes], Chunk]] = {
    DATA: _parse_data,
    INIT: _parse_init,
    INIT_ACK: _parse_init_ack,
    SACK: _parse_sack,
    HEARTBEAT: _params_parser(HeartbeatChunk),
    HEARTBEAT_ACK: _params_parser(HeartbeatAckChunk),
    ABORT: _params_parser(AbortChunk),
    SHUTDOWN: _parse_shutdown,
    SHUTDOWN_ACK: _empty_parser(ShutdownAckChunk),
    ERROR: _params_parser(ErrorChunk),
    COOKIE_ECHO: _parse_cookie_echo,
    COOKIE_ACK: _empty_parser(CookieAckChunk),
    SHUTDOWN_COMPLETE: _empty_parser(ShutdownCompleteChunk),
    I_DATA: _parse_idata,
    RE_CONFIG: _parse_reconfig,
    FORWARD_TSN: _parse_forward_tsn,
    I_FORWARD_TSN: _parse_i_forward_tsn,
}


def parse_chunk(kind: int, flags: int, body: bytes) -> Chunk:
    """One chunk from its header fields and value bytes (``body`` excludes the header)."""
    parser = CHUNK_PARSERS.get(kind)
    if parser is None:
        return UnknownChunk(kind, flags, body)
    return parser(flags, body)
