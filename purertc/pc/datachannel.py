"""``RTCDataChannel``: one channel of the peer connection's channel manager, W3C-shaped.

The channel is a view: its state lives in the :class:`purertc.datachannel.DataChannelManager`
(sans-IO), which the peer connection feeds; the channel turns the manager's events into W3C
events (``open``, ``message``, ``bufferedamountlow``, ``close``, ``error``) and its commands
into manager calls followed by one scheduled flush of the connection.

Python extras: ``async for message in channel`` (ends when the channel closes), ``await
channel.drain()`` (back-pressure: returns once ``buffered_amount`` is at or below
``buffered_amount_low_threshold``), and ``async with channel:`` (closes it on exit).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Protocol

from purertc.datachannel import DataChannelManager

from .aliases import add_aliases
from .emitter import EventEmitter
from .errors import InvalidStateError

Message = str | bytes
#: Messages kept for the first ``async for`` while no handler and no iterator listens.
BACKLOG_LIMIT = 4096


class ChannelHost(Protocol):
    """What a channel needs from its peer connection."""

    @property
    def manager(self) -> DataChannelManager | None: ...

    def now(self) -> float: ...

    def schedule_service(self) -> None: ...


class _Closed:
    """Marks the end of an ``async for`` when the channel closes."""


_END = _Closed()


class RTCDataChannel(EventEmitter):
    """A data channel (W3C ``RTCDataChannel``). Create it with ``pc.create_data_channel``."""

    def __init__(
        self,
        host: ChannelHost,
        label: str,
        *,
        ordered: bool = True,
        max_retransmits: int | None = None,
        max_packet_life_time: int | None = None,
        protocol: str = "",
        negotiated: bool = False,
        id: int | None = None,
        ready_state: str = "connecting",
    ) -> None:
        super().__init__()
        self._host = host
        self._label = label
        self._ordered = ordered
        self._max_retransmits = max_retransmits
        self._max_packet_life_time = max_packet_life_time
        self._protocol = protocol
        self._negotiated = negotiated
        self._id = id
        self._ready_state = ready_state
        self._threshold = 0
        self._queues: list[asyncio.Queue[Message | _Closed]] = []
        self._backlog: deque[Message] = deque()
        self._drain_waiters: list[asyncio.Future[None]] = []
        self.dropped_messages = 0  # backlog overflow
        self.messages_sent = 0
        self.bytes_sent = 0
        self.messages_received = 0
        self.bytes_received = 0

    # ------------------------------------------------------------------ W3C attributes

    @property
    def label(self) -> str:
        return self._label

    @property
    def ordered(self) -> bool:
        return self._ordered

    @property
    def max_retransmits(self) -> int | None:
        return self._max_retransmits

    @property
    def max_packet_life_time(self) -> int | None:
        return self._max_packet_life_time

    @property
    def protocol(self) -> str:
        return self._protocol

    @property
    def negotiated(self) -> bool:
        return self._negotiated

    @property
    def id(self) -> int | None:
        """The SCTP stream id; ``None`` until the DTLS role is known (W3C)."""
        return self._id

    @property
    def ready_state(self) -> str:
        """``connecting``, ``open``, ``closing`` or ``closed``."""
        return self._ready_state

    @property
    def buffered_amount(self) -> int:
        """Bytes sent with ``send`` that the peer has not yet acknowledged."""
        manager = self._host.manager
        if manager is None or self._id is None:
            return 0
        return manager.buffered_amount(self._id)

    @property
    def buffered_amount_low_threshold(self) -> int:
        return self._threshold

    @buffered_amount_low_threshold.setter
    def buffered_amount_low_threshold(self, value: int) -> None:
        if value < 0:
            raise ValueError(f"buffered_amount_low_threshold {value} must not be negative")
        self._threshold = value
        self._apply_threshold()

    # ------------------------------------------------------------------ W3C methods

    def send(self, data: str | bytes | bytearray | memoryview) -> None:
        """Queue one message. A message larger than the peer's ``a=max-message-size`` raises
        :class:`purertc.datachannel.MessageTooLargeError` (a ``ValueError``); a channel that is
        not open raises :class:`InvalidStateError`."""
        manager = self._host.manager
        if self._ready_state != "open" or manager is None or self._id is None:
            raise InvalidStateError(f"channel {self._label!r} is {self._ready_state}, not open")
        manager.send(self._id, data, self._host.now())
        self.messages_sent += 1
        self.bytes_sent += len(data.encode()) if isinstance(data, str) else len(data)
        self._host.schedule_service()

    def close(self) -> None:
        """Close the channel (its stream is reset); ``close`` fires when it is done."""
        if self._ready_state in ("closing", "closed"):
            return
        manager = self._host.manager
        if manager is None or self._id is None:
            self._set_closed()
            return
        self._ready_state = "closing"
        manager.close(self._id)
        self._host.schedule_service()

    # ------------------------------------------------------------------ Python extras

    async def drain(self) -> None:
        """Wait until ``buffered_amount <= buffered_amount_low_threshold`` (or closed)."""
        loop = asyncio.get_running_loop()
        while self._ready_state == "open" and self.buffered_amount > self._threshold:
            waiter: asyncio.Future[None] = loop.create_future()
            self._drain_waiters.append(waiter)
            await waiter

    async def __aiter__(self) -> AsyncIterator[Message]:
        """Every message from now on (plus any received while nobody listened), until the
        channel closes."""
        queue: asyncio.Queue[Message | _Closed] = asyncio.Queue()
        while self._backlog:
            queue.put_nowait(self._backlog.popleft())
        if self._ready_state == "closed":
            queue.put_nowait(_END)
        self._queues.append(queue)
        try:
            while True:
                item = await queue.get()
                if isinstance(item, _Closed):
                    return
                yield item
        finally:
            self._queues.remove(queue)

    async def __aenter__(self) -> RTCDataChannel:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RTCDataChannel {self._label!r} id={self._id} {self._ready_state}>"

    # ------------------------------------------------------------------ from the connection

    def _attach(self, manager: DataChannelManager, now: float) -> None:
        """The manager exists (DTLS role known): create our stream there."""
        self._id = manager.create_channel(
            self._label,
            ordered=self._ordered,
            max_retransmits=self._max_retransmits,
            max_packet_life_time=self._max_packet_life_time,
            protocol=self._protocol,
            negotiated=self._negotiated,
            id=self._id,
            now=now,
        )
        self._apply_threshold()

    def _apply_threshold(self) -> None:
        manager = self._host.manager
        if manager is not None and self._id is not None and self._ready_state != "closed":
            manager.set_buffered_amount_low_threshold(self._id, self._threshold)

    def _on_open(self) -> None:
        if self._ready_state == "connecting":
            self._ready_state = "open"
            self.emit("open")

    def _on_message(self, data: Message) -> None:
        self.messages_received += 1
        self.bytes_received += len(data.encode()) if isinstance(data, str) else len(data)
        if self._queues:
            for queue in self._queues:
                queue.put_nowait(data)
        elif not self._handlers.get("message"):
            if len(self._backlog) < BACKLOG_LIMIT:
                self._backlog.append(data)
            else:
                self.dropped_messages += 1
        self.emit("message", data)

    def _on_buffered_amount_low(self) -> None:
        self._wake_drainers()
        self.emit("bufferedamountlow")

    def _on_error(self, reason: str) -> None:
        self.emit("error", reason)

    def _on_closed(self) -> None:
        if self._ready_state != "closed":
            self._set_closed()
            self.emit("close")

    def _set_closed(self) -> None:
        self._ready_state = "closed"
        for queue in self._queues:
            queue.put_nowait(_END)
        self._wake_drainers()

    def _wake_drainers(self) -> None:
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


add_aliases(
    RTCDataChannel,
    {
        "readyState": "ready_state",
        "bufferedAmount": "buffered_amount",
        "bufferedAmountLowThreshold": "buffered_amount_low_threshold",
        "maxRetransmits": "max_retransmits",
        "maxPacketLifeTime": "max_packet_life_time",
    },
)
