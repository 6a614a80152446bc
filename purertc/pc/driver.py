"""The one asyncio driver of a peer connection: the ICE driver's sockets under the whole stack.

:class:`purertc.aio.IceDriver` owns the sockets and feeds datagrams to the agent; this subclass
makes the :class:`~purertc.pc.stack.ConnectionStack` its core, so after every drained burst of
datagrams, every timer and every command the whole stack is processed once, everything pending
goes out, and one timer is re-armed at the stack's earliest deadline. Commands from the API
(a channel's ``send``) ask for a service with :meth:`StackDriver.schedule_service`, which runs
once per event-loop iteration however many commands came: a loop of sends becomes one flush.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from typing import Any

from purertc.aio import IceDriver, Resolver

from .stack import ConnectionStack


class StackDriver(IceDriver):
    def __init__(
        self,
        stack: ConnectionStack,
        *,
        on_event: Callable[[Any], None],
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(
            stack.agent, on_event=on_event, resolver=resolver, ssl_context=ssl_context, loop=loop
        )
        self.stack = stack
        self.core = stack  # timers and events come from the whole stack
        self._scheduled: asyncio.Handle | None = None

    def service(self) -> None:
        if self._closed:
            return
        self.stack.process(self.loop.time())
        super().service()

    def _send_pending(self, now: float) -> None:
        self.stack.flush(now)
        super()._send_pending(now)

    def schedule_service(self) -> None:
        """Service once, soon: after the caller's current burst of commands."""
        if self._scheduled is None and not self._closed:
            self._scheduled = self.loop.call_soon(self._run_scheduled)

    def _run_scheduled(self) -> None:
        self._scheduled = None
        self.service()

    async def close(self) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        self.stack.close(self.loop.time())
        await super().close()
