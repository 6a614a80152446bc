"""Type-length-value parameters carried inside chunks (RFC 9260 §3.2.1, RFC 6525 §4).

INIT/INIT-ACK parameters, error causes (ABORT, ERROR), heartbeat information and RE-CONFIG
requests all share one layout::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |        Parameter Type         |       Parameter Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    \\                        Parameter Value                        \
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

The length excludes the padding to a multiple of four; a chunk's length counts the padding of
every parameter but the last. :class:`Parameter` keeps any TLV verbatim (unknown ones are passed
through); the RE-CONFIG parameters of RFC 6525 get typed classes because the association acts on
their fields.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from purertc.sctp.errors import SctpError

_TL = struct.Struct("!HH")
_U32 = struct.Struct("!I")
_U32X2 = struct.Struct("!II")
_U32X3 = struct.Struct("!III")
_U32X4 = struct.Struct("!IIII")
_U32_U16_U16 = struct.Struct("!IHH")
PAD = (b"", b"\x00\x00\x00", b"\x00\x00", b"\x00")

# INIT / INIT-ACK parameter types (RFC 9260 §3.3.2, RFC 3758, RFC 5061)
PARAM_HEARTBEAT_INFO = 1
PARAM_STATE_COOKIE = 7
PARAM_UNRECOGNIZED = 8
PARAM_COOKIE_PRESERVATIVE = 9
PARAM_SUPPORTED_ADDRESS_TYPES = 12
PARAM_SUPPORTED_EXTENSIONS = 0x8008
PARAM_FORWARD_TSN_SUPPORTED = 0xC000

# RE-CONFIG parameter types (RFC 6525 §4)
PARAM_OUTGOING_SSN_RESET = 13
PARAM_INCOMING_SSN_RESET = 14
PARAM_SSN_TSN_RESET = 15
PARAM_RECONFIG_RESPONSE = 16
PARAM_ADD_OUTGOING_STREAMS = 17
PARAM_ADD_INCOMING_STREAMS = 18

# Error cause codes (RFC 9260 §3.3.10)
CAUSE_INVALID_STREAM = 1
CAUSE_MISSING_PARAMETER = 2
CAUSE_STALE_COOKIE = 3
CAUSE_OUT_OF_RESOURCE = 4
CAUSE_UNRECOGNIZED_CHUNK = 6
CAUSE_INVALID_PARAMETER = 7
CAUSE_UNRECOGNIZED_PARAMETERS = 8
CAUSE_NO_USER_DATA = 9
CAUSE_COOKIE_WHILE_SHUTTING_DOWN = 10
CAUSE_RESTART_WITH_NEW_ADDRESSES = 11
CAUSE_USER_INITIATED_ABORT = 12
CAUSE_PROTOCOL_VIOLATION = 13

# Re-configuration Response results (RFC 6525 §4.4)
RESULT_SUCCESS_NOTHING_TO_DO = 0
RESULT_SUCCESS_PERFORMED = 1
RESULT_DENIED = 2
RESULT_ERROR_WRONG_SSN = 3
RESULT_ERROR_REQUEST_IN_PROGRESS = 4
RESULT_ERROR_BAD_SEQUENCE_NUMBER = 5
RESULT_IN_PROGRESS = 6


@dataclass(slots=True)
class Parameter:
    """Any TLV kept verbatim: INIT parameters, error causes, heartbeat info, unknown ones."""

    type: int
    value: bytes

    def serialize(self) -> bytes:
        return _TL.pack(self.type, 4 + len(self.value)) + self.value


#: Error causes (ABORT, ERROR) share the TLV layout; ``type`` is the cause code.
ErrorCause = Parameter


# RFC 6525 §4.1 Outgoing SSN Reset Request Parameter
#  |     Parameter Type = 13       | Parameter Length = 16 + 2 * N |
#  |           Re-configuration Request Sequence Number            |
#  |           Re-configuration Response Sequence Number           |
#  |                Sender's Last Assigned TSN                     |
#  |  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
@dataclass(slots=True)
class OutgoingSsnResetRequest:
    request_sequence: int
    response_sequence: int
    last_tsn: int
    streams: tuple[int, ...] = ()

    def serialize(self) -> bytes:
        count = len(self.streams)
        return _TL.pack(PARAM_OUTGOING_SSN_RESET, 16 + 2 * count) + struct.pack(
            f"!III{count}H", self.request_sequence, self.response_sequence, self.last_tsn,
            *self.streams,
        )  # fmt: skip


# RFC 6525 §4.2 Incoming SSN Reset Request Parameter
#  |     Parameter Type = 14       |  Parameter Length = 8 + 2 * N |
#  |          Re-configuration Request Sequence Number             |
#  |  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
@dataclass(slots=True)
class IncomingSsnResetRequest:
    request_sequence: int
    streams: tuple[int, ...] = ()

    def serialize(self) -> bytes:
        count = len(self.streams)
        return _TL.pack(PARAM_INCOMING_SSN_RESET, 8 + 2 * count) + struct.pack(
            f"!I{count}H", self.request_sequence, *self.streams
        )


# RFC 6525 §4.3 SSN/TSN Reset Request Parameter
#  |     Parameter Type = 15       |      Parameter Length = 8     |
#  |         Re-configuration Request Sequence Number              |
@dataclass(slots=True)
class SsnTsnResetRequest:
    request_sequence: int

    def serialize(self) -> bytes:
        return _TL.pack(PARAM_SSN_TSN_RESET, 8) + _U32.pack(self.request_sequence)


# RFC 6525 §4.4 Re-configuration Response Parameter
#  |     Parameter Type = 16       |      Parameter Length         |
#  |         Re-configuration Response Sequence Number             |
#  |                            Result                             |
#  |                   Sender's Next TSN (optional)                |
#  |                  Receiver's Next TSN (optional)               |
@dataclass(slots=True)
class ReconfigResponse:
    response_sequence: int
    result: int
    sender_next_tsn: int | None = None
    receiver_next_tsn: int | None = None

    def serialize(self) -> bytes:
        if self.sender_next_tsn is None or self.receiver_next_tsn is None:
            return _TL.pack(PARAM_RECONFIG_RESPONSE, 12) + _U32X2.pack(
                self.response_sequence, self.result
            )
        return _TL.pack(PARAM_RECONFIG_RESPONSE, 20) + _U32X4.pack(
            self.response_sequence, self.result, self.sender_next_tsn, self.receiver_next_tsn
        )


# RFC 6525 §4.5 / §4.6 Add Outgoing / Incoming Streams Request Parameter
#  |     Parameter Type = 17/18    |      Parameter Length = 12    |
#  |          Re-configuration Request Sequence Number             |
#  |      Number of new streams    |         Reserved              |
@dataclass(slots=True)
class AddStreamsRequest:
    incoming: bool  # False: type 17 (Add Outgoing), True: type 18 (Add Incoming)
    request_sequence: int
    new_streams: int
    reserved: int = 0

    def serialize(self) -> bytes:
        kind = PARAM_ADD_INCOMING_STREAMS if self.incoming else PARAM_ADD_OUTGOING_STREAMS
        return _TL.pack(kind, 12) + _U32_U16_U16.pack(
            self.request_sequence, self.new_streams, self.reserved
        )


ReconfigParameter = (
    OutgoingSsnResetRequest
    | IncomingSsnResetRequest
    | SsnTsnResetRequest
    | ReconfigResponse
    | AddStreamsRequest
    | Parameter
)
AnyParameter = ReconfigParameter


def _streams(value: bytes, offset: int, what: str) -> tuple[int, ...]:
    rest = len(value) - offset
    if rest % 2:
        raise SctpError(f"{what}: stream list has an odd length of {rest} bytes")
    return struct.unpack_from(f"!{rest // 2}H", value, offset)


def _reconfig_parameter(kind: int, value: bytes) -> ReconfigParameter:
    size = len(value)
    if kind == PARAM_OUTGOING_SSN_RESET:
        if size < 12:
            raise SctpError("Outgoing SSN Reset Request: parameter length below 16")
        req, resp, last = _U32X3.unpack_from(value)
        return OutgoingSsnResetRequest(req, resp, last, _streams(value, 12, "Outgoing SSN Reset"))
    if kind == PARAM_INCOMING_SSN_RESET:
        if size < 4:
            raise SctpError("Incoming SSN Reset Request: parameter length below 8")
        return IncomingSsnResetRequest(
            _U32.unpack_from(value)[0], _streams(value, 4, "Incoming SSN Reset")
        )
    if kind == PARAM_SSN_TSN_RESET:
        if size != 4:
            raise SctpError(f"SSN/TSN Reset Request: parameter length {size + 4} is not 8")
        return SsnTsnResetRequest(_U32.unpack_from(value)[0])
    if kind == PARAM_RECONFIG_RESPONSE:
        if size == 8:
            return ReconfigResponse(*_U32X2.unpack_from(value))
        if size == 16:
            resp, result, sender_next, receiver_next = _U32X4.unpack_from(value)
            return ReconfigResponse(resp, result, sender_next, receiver_next)
        raise SctpError(f"Re-configuration Response: parameter length {size + 4} is not 12 or 20")
    if kind in (PARAM_ADD_OUTGOING_STREAMS, PARAM_ADD_INCOMING_STREAMS):
        if size != 8:
            raise SctpError(f"Add Streams Request: parameter length {size + 4} is not 12")
        req, count, reserved = _U32_U16_U16.unpack_from(value)
        return AddStreamsRequest(kind == PARAM_ADD_INCOMING_STREAMS, req, count, reserved)
    return Parameter(kind, value)


def parse_parameters(body: bytes, offset: int, what: str) -> list[Parameter]:
    """Walk the TLVs of ``body`` from ``offset``; every one is kept as a :class:`Parameter`."""
    return [Parameter(kind, value) for kind, value in _walk(body, offset, what)]


def parse_reconfig_parameters(body: bytes) -> list[ReconfigParameter]:
    return [_reconfig_parameter(kind, value) for kind, value in _walk(body, 0, "RE-CONFIG")]


def _walk(body: bytes, offset: int, what: str) -> list[tuple[int, bytes]]:
    end = len(body)
    found: list[tuple[int, bytes]] = []
    unpack = _TL.unpack_from
    while offset < end:
        if end - offset < 4:
            raise SctpError(f"{what}: {end - offset} trailing bytes cannot hold a parameter")
        kind, length = unpack(body, offset)
        if length < 4 or offset + length > end:
            raise SctpError(f"{what}: parameter type {kind:#06x} has invalid length {length}")
        found.append((kind, body[offset + 4 : offset + length]))
        offset += (length + 3) & ~3
    return found


def serialize_parameters(params: Sequence[AnyParameter]) -> tuple[bytes, int]:
    """The TLVs padded for the wire, and the length of the last padding (not counted in a
    chunk's length field, RFC 9260 §3.2)."""
    if not params:
        return b"", 0
    parts: list[bytes] = []
    for param in params:
        raw = param.serialize()
        parts.append(raw)
        parts.append(PAD[len(raw) & 3])
    return b"".join(parts), len(parts[-1])


def supported_extensions(params: Sequence[Parameter]) -> frozenset[int]:
    """Chunk types named in a Supported Extensions parameter (RFC 5061 §4.2.7), plus
    FORWARD-TSN when the Forward-TSN-Supported parameter (RFC 3758 §3.1) is present."""
    found: set[int] = set()
    for param in params:
        if param.type == PARAM_SUPPORTED_EXTENSIONS:
            found.update(param.value)
        elif param.type == PARAM_FORWARD_TSN_SUPPORTED:
            found.add(192)
    return frozenset(found)
