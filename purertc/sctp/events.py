"""What an :class:`~purertc.sctp.Association` reports to the layer above (data channels)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AssociationEstablished:
    """The four-way handshake completed; :meth:`Association.send` may be used."""


@dataclass(frozen=True, slots=True)
class DataReceived:
    """One complete user message, delivered in order for ordered streams."""

    stream_id: int
    ppid: int
    data: bytes
    unordered: bool


@dataclass(frozen=True, slots=True)
class StreamsResetIncoming:
    """The peer reset its outgoing side of these streams (RFC 6525). The association has
    already answered with its own outgoing reset of them (Chrome waits for it to close)."""

    stream_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StreamsResetOutgoingDone:
    """Our :meth:`Association.reset_streams` request was performed by the peer."""

    stream_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BufferedAmountLow:
    """``buffered_amount(stream_id)`` fell to or below the stream's low threshold."""

    stream_id: int


@dataclass(frozen=True, slots=True)
class AssociationClosed:
    """The association ended: ``"shutdown"`` (graceful), ``"abort by peer: ..."``,
    ``"abort: ..."`` (ours) or ``"failure: ..."`` (retransmission limit reached)."""

    reason: str


Event = (
    AssociationEstablished
    | DataReceived
    | StreamsResetIncoming
    | StreamsResetOutgoingDone
    | BufferedAmountLow
    | AssociationClosed
)
