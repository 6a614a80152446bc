"""The channel manager: WebRTC data channels over one SCTP association (RFC 8831, RFC 8832).

Sans-IO like every purertc core, but one level up: it owns no datagrams and no timers. The
application calls commands (``create_channel``, ``send``, ``close``), the manager turns them
into calls on the association, and the association's events come back through
:meth:`DataChannelManager.handle_sctp_event`; what that means for the channels is drained with
:meth:`DataChannelManager.next_event`.

Two kinds of failure, as in h11: misuse by the application (unknown channel, wrong state,
message too large) raises :class:`DcepError` from the command; anything the peer sends is
never raised: a malformed message becomes a :class:`ChannelError` event or is dropped and
counted in :attr:`DataChannelManager.dropped_messages`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from purertc.datachannel.association import AssociationLike
from purertc.datachannel.channel import Channel, ChannelParameters, ChannelState
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
from purertc.datachannel.messages import (
    DEFAULT_PRIORITY,
    DataChannelAck,
    DataChannelOpen,
    parse_dcep,
)
from purertc.datachannel.ppid import Ppid
from purertc.sctp import events as sctp
from purertc.sctp.events import Event as SctpEvent

MAX_STREAM_ID = 65534  # RFC 8831 §6.5: stream 65535 is reserved
DEFAULT_MAX_MESSAGE_SIZE = 262144
# Deprecated partial pieces held at once, over all channels, in units of max_message_size: a
# peer opening thousands of channels cannot make us hold thousands of half messages.
PARTIAL_BUDGET_MESSAGES = 4

# Plain ints and members bound once: enum attribute lookups cost on the per-message path.
_DCEP = int(Ppid.DCEP)
_STRING = int(Ppid.STRING)
_STRING_PARTIAL = int(Ppid.STRING_PARTIAL)
_BINARY = int(Ppid.BINARY)
_BINARY_PARTIAL = int(Ppid.BINARY_PARTIAL)
_STRING_EMPTY = int(Ppid.STRING_EMPTY)
_BINARY_EMPTY = int(Ppid.BINARY_EMPTY)
_OPEN = ChannelState.OPEN
_CLOSED = ChannelState.CLOSED

_ACK = DataChannelAck().serialize()
_EMPTY_PAYLOAD = b"\x00"  # RFC 8831 §6.6: SCTP cannot carry an empty user message


class DataChannelManager:
    """Creates, opens, feeds and closes the data channels of one association.

    ``is_dtls_client`` picks the stream ids we allocate: even for the DTLS client, odd for the
    server (RFC 8832 §6), so both sides can open channels at once without colliding.
    ``established`` says the association is already up (otherwise the manager waits for its
    ``AssociationEstablished`` event before announcing channels). ``max_message_size`` is our
    own limit, used to bound reassembly of the deprecated partial PPIDs.
    """

    def __init__(
        self,
        association: AssociationLike,
        *,
        is_dtls_client: bool,
        established: bool = False,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        self._association = association
        self._parity = 0 if is_dtls_client else 1
        self._established = established
        self._max_message_size = max_message_size
        self._channels: dict[int, Channel] = {}
        self._events: deque[Event] = deque()
        self._partial_bytes = 0  # held in deprecated partial pieces, over all channels
        self.dropped_messages = 0  # peer messages discarded without a ChannelError

    # ------------------------------------------------------------------ queries

    @property
    def established(self) -> bool:
        """The association is up: channels are announced as soon as they are created."""
        return self._established

    @property
    def channel_ids(self) -> list[int]:
        """Ids of the channels that are not closed, in creation order."""
        return [i for i, c in self._channels.items() if c.state is not ChannelState.CLOSED]

    def parameters(self, channel_id: int) -> ChannelParameters:
        return self._get(channel_id).parameters

    def state(self, channel_id: int) -> ChannelState:
        """The channel's state; ``CLOSED`` also for ids the manager has forgotten."""
        channel = self._channels.get(channel_id)
        return ChannelState.CLOSED if channel is None else channel.state

    def buffered_amount(self, channel_id: int) -> int:
        """Bytes of this channel's messages the association has not yet had acknowledged.

        Still answers once the channel is closed (W3C keeps ``bufferedAmount`` readable).
        """
        return self._association.buffered_amount(channel_id)

    def next_event(self) -> Event | None:
        return self._events.popleft() if self._events else None

    # ------------------------------------------------------------------ commands

    def create_channel(
        self,
        label: str,
        *,
        ordered: bool = True,
        max_retransmits: int | None = None,
        max_packet_life_time: int | None = None,
        protocol: str = "",
        negotiated: bool = False,
        id: int | None = None,
        priority: int = DEFAULT_PRIORITY,
        now: float,
    ) -> int:
        """Create a channel and return its stream id.

        A negotiated channel (agreed out of band, same ``id`` on both sides) sends no DCEP and
        opens as soon as the association is up; any other sends DATA_CHANNEL_OPEN then, and is
        open from that moment (RFC 8832 §6 lets the opener send before the ACK).
        """
        if max_retransmits is not None and max_packet_life_time is not None:
            raise DcepError("max_retransmits and max_packet_life_time are mutually exclusive")
        for name, value in (
            ("max_retransmits", max_retransmits),
            ("max_packet_life_time", max_packet_life_time),
            ("priority", priority),
        ):
            if value is not None and not 0 <= value <= 0xFFFF:
                raise DcepError(f"{name} {value} out of range 0..65535")
        if id is None:
            if negotiated:
                raise DcepError("a negotiated channel needs an explicit id")
            id = self._allocate_id()
        elif not 0 <= id <= MAX_STREAM_ID:
            raise DcepError(f"id {id} out of range 0..{MAX_STREAM_ID}")
        elif id in self._channels:
            raise DcepError(f"id {id} is already used by another channel")
        parameters = ChannelParameters(
            id,
            label,
            protocol,
            ordered,
            max_retransmits,
            max_packet_life_time,
            priority,
            negotiated,
        )
        open_message = None if negotiated else parameters.open_message().serialize()
        channel = Channel(parameters)
        self._channels[id] = channel
        if self._established:
            try:
                self._announce(channel, open_message, now)
            except BaseException:
                del self._channels[id]
                raise
        return id

    def send(self, channel_id: int, data: str | bytes | bytearray | memoryview, now: float) -> None:
        """Queue one message: ``str`` goes as UTF-8 text, ``bytes``-like as binary.

        Raises :class:`DcepError` if the channel is not open, :class:`MessageTooLargeError`
        past the peer's limit, and lets the association's own ``SctpError`` (a
        ``ValueError`` too) through, e.g. once it is shutting down.
        """
        channel = self._channels.get(channel_id)
        if channel is None or channel.state is not _OPEN:
            raise self._not_open(channel_id, channel)
        if isinstance(data, str):
            try:
                payload = data.encode()
            except UnicodeEncodeError as error:
                raise DcepError(f"message is not encodable as UTF-8: {error.reason}") from None
            ppid = _STRING if payload else _STRING_EMPTY
        elif isinstance(data, (bytes, bytearray, memoryview)):
            payload = bytes(data)
            ppid = _BINARY if payload else _BINARY_EMPTY
        else:  # bytes(5) would quietly send five zero bytes
            raise TypeError(f"message must be str or bytes, not {type(data).__name__}")
        limit = self._association.remote_max_message_size
        if limit and len(payload) > limit:
            raise MessageTooLargeError(
                f"message of {len(payload)} bytes exceeds the peer's max-message-size {limit}"
            )
        self._association.send(
            channel_id,
            payload or _EMPTY_PAYLOAD,
            ppid,
            ordered=channel.ordered or channel.awaiting_ack,
            max_retransmits=channel.max_retransmits,
            max_lifetime=channel.max_lifetime,
            now=now,
        )

    def close(self, channel_id: int) -> None:
        """Close by resetting our outgoing stream (RFC 8831 §6.7).

        The channel is closed when the reset completes or the peer resets its side. Like the
        W3C ``close()``, closing a channel that is closing or closed does nothing; so does an
        id the manager does not know, since a closed channel's id is forgotten.
        """
        channel = self._channels.get(channel_id)
        if channel is None:
            return
        if channel.state is ChannelState.CONNECTING:
            # Never announced: nothing on the wire to undo.
            del self._channels[channel_id]
            self._events.append(ChannelClosed(channel_id))
        elif channel.state is ChannelState.OPEN:
            self._association.reset_streams((channel_id,))
            channel.state = ChannelState.CLOSING
            channel.reset_requested = True

    def set_buffered_amount_low_threshold(self, channel_id: int, threshold: int) -> None:
        if threshold < 0:
            raise DcepError(f"threshold {threshold} must not be negative")
        self._get(channel_id)
        self._association.set_buffered_amount_low_threshold(channel_id, threshold)

    # ------------------------------------------------------------------ association events

    def handle_sctp_event(self, event: SctpEvent, now: float) -> None:
        """Apply one association event. Never raises for anything the peer sent; events of
        other types are ignored."""
        if isinstance(event, sctp.DataReceived):
            self._on_data(event.stream_id, event.ppid, event.data, now)
        elif isinstance(event, sctp.BufferedAmountLow):
            channel = self._channels.get(event.stream_id)
            if channel is not None and channel.state is not ChannelState.CLOSED:
                self._events.append(BufferedAmountLow(event.stream_id))
        elif isinstance(event, sctp.StreamsResetIncoming):
            self._on_reset_incoming(event.stream_ids)
        elif isinstance(event, sctp.StreamsResetOutgoingDone):
            self._on_reset_outgoing_done(event.stream_ids)
        elif isinstance(event, sctp.AssociationEstablished):
            self._on_established(now)
        elif isinstance(event, sctp.AssociationClosed):
            self._on_association_closed()

    # ------------------------------------------------------------------ internals

    def _get(self, channel_id: int) -> Channel:
        channel = self._channels.get(channel_id)
        if channel is None or channel.state is _CLOSED:
            raise DcepError(f"no open or pending channel with id {channel_id}")
        return channel

    @staticmethod
    def _not_open(channel_id: int, channel: Channel | None) -> DcepError:
        if channel is None or channel.state is _CLOSED:
            return DcepError(f"no open or pending channel with id {channel_id}")
        return DcepError(f"channel {channel_id} is {channel.state.value}, not open")

    def _allocate_id(self) -> int:
        for candidate in range(self._parity, MAX_STREAM_ID + 1, 2):
            if candidate not in self._channels:
                return candidate
        raise DcepError("no free stream id left for a new channel")

    def _announce(self, channel: Channel, open_message: bytes | None, now: float) -> None:
        """Send the OPEN (unless negotiated) and open the channel."""
        channel_id = channel.parameters.id
        if open_message is not None:
            self._association.send(channel_id, open_message, _DCEP, ordered=True, now=now)
            channel.awaiting_ack = True
        channel.state = ChannelState.OPEN
        self._events.append(ChannelOpen(channel_id))

    def _on_established(self, now: float) -> None:
        if self._established:
            return
        self._established = True
        for channel in list(self._channels.values()):
            if channel.state is ChannelState.CONNECTING:
                parameters = channel.parameters
                message = None if parameters.negotiated else parameters.open_message().serialize()
                try:
                    self._announce(channel, message, now)
                except ValueError as error:
                    del self._channels[parameters.id]
                    self._events.append(ChannelError(parameters.id, f"cannot open: {error}"))
                    self._events.append(ChannelClosed(parameters.id))

    def _on_data(self, stream_id: int, ppid: int, data: bytes, now: float) -> None:
        if not self._established:
            # Only an established association delivers data: its AssociationEstablished was
            # lost on the way (or the manager was created late without established=True).
            self._on_established(now)
        if ppid == _DCEP:
            self._on_dcep(stream_id, data, now)
            return
        channel = self._channels.get(stream_id)
        if channel is None or channel.state is _CLOSED:
            self.dropped_messages += 1
            return
        # A user message can only follow the peer's ACK on the stream, or overtake it when
        # sent unordered (Firefox does): either way the peer has the channel, so take it as
        # the ACK (RFC 8832 §6).
        channel.awaiting_ack = False
        if ppid in (_BINARY, _STRING):
            if channel.partial:
                whole = self._finish_partial(channel, ppid, data)
                if whole is None:
                    return
                data = whole
            if ppid == _BINARY:
                self._events.append(ChannelMessage(stream_id, data))
                return
            try:
                text = data.decode()
            except UnicodeDecodeError as error:
                reason = f"string message is not valid UTF-8 (byte {error.start}), dropped"
                self._events.append(ChannelError(stream_id, reason))
                return
            self._events.append(ChannelMessage(stream_id, text))
        elif ppid in (_STRING_PARTIAL, _BINARY_PARTIAL):
            self._add_partial(channel, ppid, data)
        elif ppid == _STRING_EMPTY:
            self._events.append(ChannelMessage(stream_id, ""))
        elif ppid == _BINARY_EMPTY:
            self._events.append(ChannelMessage(stream_id, b""))
        else:
            self._events.append(ChannelError(stream_id, f"unknown PPID {ppid}, message dropped"))

    def _add_partial(self, channel: Channel, ppid: int, data: bytes) -> None:
        """Collect a piece of a message sent with the deprecated partial PPIDs (52/54)."""
        if channel.partial and channel.partial_ppid != ppid:
            self._drop_partial(channel, "partial message changed between string and binary")
        channel.partial.append(data)
        channel.partial_ppid = ppid
        channel.partial_size += len(data)
        self._partial_bytes += len(data)
        if channel.partial_size > self._max_message_size:
            self._drop_partial(
                channel, f"partial message exceeds max-message-size {self._max_message_size}"
            )
        elif self._partial_bytes > self._max_message_size * PARTIAL_BUDGET_MESSAGES:
            self._drop_partial(channel, "too many partial messages pending across channels")

    def _finish_partial(self, channel: Channel, ppid: int, last: bytes) -> bytes | None:
        """Join the collected pieces with the last one. If the last one is of the other type,
        the pieces are dropped (with an error event) and it stands alone; None if the whole
        would be too large."""
        expected = _STRING if channel.partial_ppid == _STRING_PARTIAL else _BINARY
        if ppid != expected:
            self._drop_partial(channel, "partial message ended with the other type")
            return last
        if channel.partial_size + len(last) > self._max_message_size:
            self._drop_partial(
                channel, f"partial message exceeds max-message-size {self._max_message_size}"
            )
            return None
        pieces = channel.partial
        pieces.append(last)
        whole = b"".join(pieces)
        self._reset_partial(channel)
        return whole

    def _drop_partial(self, channel: Channel, reason: str) -> None:
        self._reset_partial(channel)
        self._events.append(ChannelError(channel.parameters.id, f"{reason}, dropped"))

    def _reset_partial(self, channel: Channel) -> None:
        self._partial_bytes -= channel.partial_size
        channel.partial = []
        channel.partial_ppid = 0
        channel.partial_size = 0

    def _on_dcep(self, stream_id: int, data: bytes, now: float) -> None:
        try:
            message = parse_dcep(data)
        except DcepError as error:
            self._events.append(ChannelError(stream_id, f"malformed DCEP message: {error}"))
            return
        if isinstance(message, DataChannelOpen):
            self._on_open(stream_id, message, now)
            return
        channel = self._channels.get(stream_id)
        if channel is None or channel.state is ChannelState.CLOSED:
            self.dropped_messages += 1
        elif channel.parameters.negotiated:
            reason = "DATA_CHANNEL_ACK on a negotiated channel, ignored"
            self._events.append(ChannelError(stream_id, reason))
        else:
            channel.awaiting_ack = False

    def _on_open(self, stream_id: int, message: DataChannelOpen, now: float) -> None:
        if stream_id > MAX_STREAM_ID:
            self._events.append(ChannelError(stream_id, "DATA_CHANNEL_OPEN on reserved stream"))
            return
        existing = self._channels.get(stream_id)
        if existing is not None:
            reason = (
                f"DATA_CHANNEL_OPEN for stream {stream_id}, already used by channel "
                f"{existing.parameters.label!r}, ignored"
            )
            self._events.append(ChannelError(stream_id, reason))
            return
        try:
            self._association.send(stream_id, _ACK, _DCEP, ordered=True, now=now)
        except ValueError as error:
            self._events.append(ChannelError(stream_id, f"cannot acknowledge channel: {error}"))
            return
        parameters = ChannelParameters.from_open(stream_id, message)
        self._channels[stream_id] = Channel(parameters, ChannelState.OPEN)
        self._events.append(
            IncomingChannel(
                stream_id,
                parameters.label,
                parameters.protocol,
                parameters.ordered,
                parameters.max_retransmits,
                parameters.max_packet_life_time,
                parameters.priority,
            )
        )
        self._events.append(ChannelOpen(stream_id))

    def _on_reset_incoming(self, stream_ids: Iterable[int]) -> None:
        """The peer reset its outgoing stream: it closed the channel, or answers our close.

        The association has already reset our outgoing side in reply (sctp contract), so
        unless we are still waiting for our own reset to complete, the stream is free.
        """
        for stream_id in stream_ids:
            channel = self._channels.get(stream_id)
            if channel is None:
                continue
            channel.incoming_reset = True
            self._mark_closed(channel)
            if not channel.reset_requested or channel.outgoing_reset:
                del self._channels[stream_id]

    def _on_reset_outgoing_done(self, stream_ids: Iterable[int]) -> None:
        for stream_id in stream_ids:
            channel = self._channels.get(stream_id)
            if channel is None or not channel.reset_requested:
                continue
            channel.outgoing_reset = True
            self._mark_closed(channel)
            if channel.incoming_reset:
                del self._channels[stream_id]

    def _mark_closed(self, channel: Channel) -> None:
        self._reset_partial(channel)
        if channel.state is not ChannelState.CLOSED:
            channel.state = ChannelState.CLOSED
            self._events.append(ChannelClosed(channel.parameters.id))

    def _on_association_closed(self) -> None:
        self._established = False
        for channel in self._channels.values():
            self._mark_closed(channel)
        self._channels.clear()
