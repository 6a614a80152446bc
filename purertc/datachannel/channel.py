"""One data channel's parameters and state, as the manager keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from purertc.datachannel.messages import DEFAULT_PRIORITY, DataChannelOpen


class ChannelState(Enum):
    """W3C ``RTCDataChannelState``."""

    CONNECTING = "connecting"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ChannelParameters:
    """What a channel was created with (locally or by the peer's DATA_CHANNEL_OPEN)."""

    id: int
    label: str = ""
    protocol: str = ""
    ordered: bool = True
    max_retransmits: int | None = None
    max_packet_life_time: int | None = None  # milliseconds
    priority: int = DEFAULT_PRIORITY
    negotiated: bool = False

    @property
    def max_lifetime(self) -> float | None:
        """The lifetime in seconds, as the association's send() takes it."""
        if self.max_packet_life_time is None:
            return None
        return self.max_packet_life_time / 1000.0

    def open_message(self) -> DataChannelOpen:
        return DataChannelOpen.for_options(
            self.label,
            self.protocol,
            ordered=self.ordered,
            max_retransmits=self.max_retransmits,
            max_packet_life_time=self.max_packet_life_time,
            priority=self.priority,
        )

    @classmethod
    def from_open(cls, stream_id: int, message: DataChannelOpen) -> ChannelParameters:
        return cls(
            stream_id,
            message.label,
            message.protocol,
            message.ordered,
            message.max_retransmits,
            message.max_packet_life_time,
            message.priority,
        )


@dataclass(slots=True)
class Channel:
    """The manager's mutable record of one channel.

    ``awaiting_ack`` is true between sending our DATA_CHANNEL_OPEN and the peer's ACK (or its
    first user message, which implies the ACK): while it holds, user messages go out ordered so
    they cannot overtake the OPEN (RFC 8832 §6). A closed channel keeps its record, and so its
    stream id, until both directions of the stream are reset, so the id is not reused while a
    late reset for it may still arrive.
    """

    parameters: ChannelParameters
    state: ChannelState = ChannelState.CONNECTING
    # the send options, copied out of the parameters for the per-message path
    ordered: bool = field(init=False)
    max_retransmits: int | None = field(init=False)
    max_lifetime: float | None = field(init=False)
    awaiting_ack: bool = False
    reset_requested: bool = False  # we called reset_streams for it
    outgoing_reset: bool = False  # our outgoing stream is reset
    incoming_reset: bool = False  # the peer's outgoing stream is reset
    partial: list[bytes] = field(default_factory=list)  # deprecated PPID 52/54 pieces
    partial_ppid: int = 0
    partial_size: int = 0

    def __post_init__(self) -> None:
        self.ordered = self.parameters.ordered
        self.max_retransmits = self.parameters.max_retransmits
        self.max_lifetime = self.parameters.max_lifetime
