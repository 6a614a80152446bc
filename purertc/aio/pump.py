"""The one driver shape that pumps a sans-IO core (DESIGN.md §1, the aioquic loop).

After anything reaches the core — a datagram, a command, a timer — :meth:`Pump.service`
hands every pending event to ``on_event``, sends everything pending, and re-arms a single
``loop.call_at`` at the core's ``get_timer()``. ``now`` is always ``loop.time()``.

:class:`DatagramPump` serves cores with the plain verbs (DTLS endpoints, SCTP associations:
``datagrams_to_send(now) -> list[bytes]`` to one peer); :class:`purertc.aio.ice.IceDriver`
is the same shape for the ICE agent's addressed verbs.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class TimedCore(Protocol):
    def handle_timer(self, now: float) -> None: ...
    def get_timer(self) -> float | None: ...
    def next_event(self) -> Any: ...


class PlainCore(TimedCore, Protocol):
    def receive(self, data: bytes, now: float) -> None: ...
    def datagrams_to_send(self, now: float) -> list[bytes]: ...


class Pump(ABC):
    """Timer and event plumbing shared by every driver; subclasses send the output."""

    def __init__(
        self,
        core: TimedCore,
        *,
        on_event: Callable[[Any], None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.core = core
        self.loop = loop or asyncio.get_running_loop()
        self.on_event = on_event
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._closed = False

    def now(self) -> float:
        return self.loop.time()

    @abstractmethod
    def _send_pending(self, now: float) -> None:
        """Hand everything the core has to send to the transport (each driver knows where)."""

    def service(self) -> None:
        """Events out, datagrams out, timer re-armed: call after anything touched the core."""
        now = self.loop.time()
        core = self.core
        self._send_pending(now)
        event = core.next_event()
        handled = event is not None
        while event is not None:
            if self.on_event is not None:
                try:
                    self.on_event(event)
                except Exception:  # a handler must never break the connection
                    logger.exception("event handler failed on %r", event)
            event = core.next_event()
        if handled:
            self._send_pending(now)  # a handler may have issued commands
            self._wake_waiters()
        self._arm()

    def _arm(self) -> None:
        when = None if self._closed else self.core.get_timer()
        if when == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = when
        if when is not None:
            self._timer = self.loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._timer_at = None
        self.core.handle_timer(self.loop.time())
        self.service()

    def _wake_waiters(self) -> None:
        if not self._waiters:
            return
        remaining = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            if predicate():
                future.set_result(None)
            else:
                remaining.append((predicate, future))
        self._waiters = remaining

    async def wait_for(self, predicate: Callable[[], bool], timeout: float | None = None) -> None:
        """Wait until ``predicate()`` holds, checked after every batch of events."""
        if predicate():
            return
        future: asyncio.Future[None] = self.loop.create_future()
        self._waiters.append((predicate, future))
        await asyncio.wait_for(future, timeout)

    def stop(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
            self._timer_at = None


class DatagramPump(Pump):
    """A plain-verb core whose datagrams go to one place through ``send``."""

    def __init__(
        self,
        core: PlainCore,
        send: Callable[[bytes], None],
        *,
        on_event: Callable[[Any], None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(core, on_event=on_event, loop=loop)
        self.plain = core
        self.send = send

    def receive(self, data: bytes) -> None:
        self.plain.receive(data, self.loop.time())
        self.service()

    def _send_pending(self, now: float) -> None:
        send = self.send
        for datagram in self.plain.datagrams_to_send(now):
            send(datagram)
