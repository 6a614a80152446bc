"""What the channel manager tells the layer above, drained with ``manager.next_event()``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IncomingChannel:
    """The peer announced a channel with DATA_CHANNEL_OPEN; we acknowledged it.

    A :class:`ChannelOpen` for the same id follows at once.
    """

    id: int
    label: str
    protocol: str
    ordered: bool
    max_retransmits: int | None
    max_packet_life_time: int | None  # milliseconds
    priority: int


@dataclass(frozen=True, slots=True)
class ChannelOpen:
    """The channel can carry messages (W3C ``open``)."""

    id: int


@dataclass(frozen=True, slots=True)
class ChannelMessage:
    """A whole message: ``str`` for the string PPIDs, ``bytes`` for the binary ones."""

    id: int
    data: str | bytes


@dataclass(frozen=True, slots=True)
class ChannelClosed:
    """The channel's stream was reset (either side closed it) or the association went away."""

    id: int


@dataclass(frozen=True, slots=True)
class ChannelError:
    """The peer sent something unusable on this stream (bad DCEP, bad UTF-8, unknown PPID...).

    The offending message was dropped; the channel itself keeps its state.
    """

    id: int
    reason: str


@dataclass(frozen=True, slots=True)
class BufferedAmountLow:
    """The channel's buffered amount fell to or below its low threshold (W3C
    ``bufferedamountlow``)."""

    id: int


Event = (
    IncomingChannel
    | ChannelOpen
    | ChannelMessage
    | ChannelClosed
    | ChannelError
    | BufferedAmountLow
)
