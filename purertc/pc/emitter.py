"""Events on peer connections and channels: ``obj.on("name", handler)`` or ``@obj.on("name")``.

The shape aiortc users know (pyee's), without the dependency. A handler may be a plain function
or a coroutine function; a coroutine is run as a task the emitter keeps until it finishes, so
``close()`` can cancel what is still running. An exception in a handler is logged and swallowed:
user code must never break the connection that called it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar, overload

logger = logging.getLogger("purertc.pc")

Handler = Callable[..., Any]
H = TypeVar("H", bound=Handler)


class EventEmitter:
    """Named events with any number of handlers, called in subscription order."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._handler_tasks: set[asyncio.Task[Any]] = set()

    @overload
    def on(self, name: str) -> Callable[[H], H]: ...

    @overload
    def on(self, name: str, handler: H) -> H: ...

    def on(self, name: str, handler: H | None = None) -> H | Callable[[H], H]:
        """Subscribe ``handler`` to ``name``; without a handler, return a decorator."""
        if handler is None:

            def decorator(function: H) -> H:
                self._handlers.setdefault(name, []).append(function)
                return function

            return decorator
        self._handlers.setdefault(name, []).append(handler)
        return handler

    def once(self, name: str, handler: Handler) -> None:
        """Subscribe ``handler`` for the next ``name`` event only."""

        def wrapper(*args: Any) -> Any:
            self.remove_listener(name, wrapper)
            return handler(*args)

        self.on(name, wrapper)

    def remove_listener(self, name: str, handler: Handler) -> None:
        handlers = self._handlers.get(name)
        if handlers and handler in handlers:
            handlers.remove(handler)

    def remove_all_listeners(self, name: str | None = None) -> None:
        if name is None:
            self._handlers.clear()
        else:
            self._handlers.pop(name, None)

    def listeners(self, name: str) -> list[Handler]:
        return list(self._handlers.get(name, ()))

    def emit(self, name: str, *args: Any) -> None:
        """Call every handler of ``name``; coroutines are scheduled, failures are logged."""
        for handler in list(self._handlers.get(name, ())):
            try:
                result = handler(*args)
            except Exception:
                logger.exception("handler for %r failed", name)
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._handler_tasks.add(task)
                task.add_done_callback(self._handler_done)

    def _handler_done(self, task: asyncio.Task[Any]) -> None:
        self._handler_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("coroutine handler failed", exc_info=task.exception())

    def _cancel_handler_tasks(self) -> None:
        """Cancel the coroutine handlers still running (not the one calling, if any)."""
        current = asyncio.current_task()
        for task in list(self._handler_tasks):
            if task is not current:
                task.cancel()
