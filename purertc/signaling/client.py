"""The signaling client: connect, join, relay, ``async for`` the frames, reconnect on loss.

One reader task owns the connection. Replies to requests (``join``, ``leave``,
``turn-credentials``) resolve the oldest waiting request (the server answers frames in order);
everything else goes to the queue ``async for`` reads. When the connection drops without
:meth:`SignalingClient.close`, the reader reconnects with exponential backoff and jitter and
re-joins the room it was in; the new ``joined`` frame (new id, current peers) is handed to the
iterator as ``{"type": "reconnected", ...}`` so the application can restart negotiation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import ssl
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from .errors import SignalingError
from .protocol import RELAYED

logger = logging.getLogger(__name__)

_CLOSED = object()


def backoff_delay(attempt: int, initial: float, maximum: float, rng: random.Random) -> float:
    """Delay before reconnect ``attempt`` (0-based): doubling, capped, with "equal jitter"
    (uniform in the upper half) so a crowd of clients does not come back in lockstep."""
    ceiling = min(maximum, initial * (2.0 ** min(attempt, 32)))
    return ceiling * (0.5 + 0.5 * rng.random())


class SignalingClient:
    """A client of :class:`~purertc.signaling.server.SignalingServer`.

    ``sleep`` and ``rng`` are injectable so tests can check the backoff without waiting.
    ``max_attempts`` bounds consecutive failed reconnects (``None``: keep trying).
    """

    def __init__(
        self,
        url: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        origin: str | None = None,
        reconnect: bool = True,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        max_attempts: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.url = url
        self.ssl_context = ssl_context
        self.origin = origin
        self.reconnect = reconnect
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.max_attempts = max_attempts
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.id: str | None = None
        self.room: str | None = None
        self.peers: list[str] = []
        self.reconnects = 0
        self._token: str | None = None
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: deque[tuple[frozenset[str], asyncio.Future[dict[str, Any]]]] = deque()
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._closing = False
        self._failure: BaseException | None = None

    # -- connection ---------------------------------------------------------------------------

    async def _open(self) -> ClientConnection:
        kwargs: dict[str, Any] = {"compression": None}
        if self.ssl_context is not None:
            kwargs["ssl"] = self.ssl_context
        if self.origin is not None:
            kwargs["origin"] = self.origin
        return await connect(self.url, **kwargs)

    async def connect(self) -> None:
        """Open the connection (the first attempt is not retried: a wrong URL fails at once)."""
        self._ws = await self._open()
        self._reader = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        self._fail_pending(ConnectionError("client closed"))
        self._queue.put_nowait(_CLOSED)

    async def __aenter__(self) -> SignalingClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- requests -----------------------------------------------------------------------------

    async def _request(self, frame: dict[str, Any], replies: frozenset[str]) -> dict[str, Any]:
        if self._ws is None:
            raise ConnectionError("not connected")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending.append((replies, future))
        await self._ws.send(json.dumps(frame))
        return await future

    async def join(self, room: str, token: str | None = None) -> list[str]:
        """Join ``room``; return the ids of the peers already there. Raises
        :class:`SignalingError` when the server refuses (``room-full``, ``bad-token``...)."""
        frame: dict[str, Any] = {"type": "join", "room": room}
        if token is not None:
            frame["token"] = token
        reply = await self._request(frame, frozenset({"joined"}))
        self._joined(reply, room, token)
        return self.peers

    def _joined(self, reply: dict[str, Any], room: str, token: str | None) -> None:
        self.id = str(reply["id"])
        self.peers = [str(peer) for peer in reply.get("peers", [])]
        self.room, self._token = room, token

    async def leave(self) -> None:
        await self._request({"type": "leave"}, frozenset({"left"}))
        self.room = self._token = self.id = None
        self.peers = []

    async def turn_credentials(self) -> list[dict[str, Any]]:
        """``ice_servers`` entries (``urls``, ``username``, ``credential``) for TURN."""
        reply = await self._request({"type": "turn-credentials"}, frozenset({"turn-credentials"}))
        servers: list[dict[str, Any]] = reply["ice_servers"]
        return servers

    async def send(self, type: str, target: str, **fields: Any) -> None:
        """Relay ``{"type": type, "target": target, **fields}`` (offer/answer/ice-candidate)."""
        if type not in RELAYED:
            raise ValueError(f"not a relayed message type: {type!r}")
        if self._ws is None:
            raise ConnectionError("not connected")
        await self._ws.send(json.dumps({"type": type, "target": target, **fields}))

    async def recv(self) -> dict[str, Any]:
        """The next frame that is not a reply to a request."""
        item = await self._queue.get()
        if item is _CLOSED:
            self._queue.put_nowait(_CLOSED)
            if self._failure is not None:
                raise ConnectionError("signaling connection lost") from self._failure
            raise StopAsyncIteration
        assert isinstance(item, dict)
        return item

    def __aiter__(self) -> SignalingClient:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return await self.recv()

    # -- the reader ---------------------------------------------------------------------------

    def _fail_pending(self, exc: BaseException) -> None:
        while self._pending:
            _, future = self._pending.popleft()
            if not future.done():
                future.set_exception(exc)

    def _dispatch(self, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
        except ValueError:
            logger.warning("server sent a frame that is not JSON; ignored")
            return
        if not isinstance(frame, dict):
            return
        kind = frame.get("type")
        if self._pending and (kind == "error" or kind in self._pending[0][0]):
            _, future = self._pending.popleft()
            if not future.done():
                if kind == "error":
                    code, message = str(frame.get("code")), str(frame.get("message"))
                    future.set_exception(SignalingError(code, message))
                else:
                    future.set_result(frame)
            return
        if kind == "peer-joined" and isinstance(frame.get("id"), str):
            self.peers.append(frame["id"])
        elif kind == "peer-left" and frame.get("id") in self.peers:
            self.peers.remove(frame["id"])
        self._queue.put_nowait(frame)

    async def _run(self) -> None:
        while True:
            ws = self._ws
            assert ws is not None
            try:
                async for raw in ws:
                    self._dispatch(raw)
            except ConnectionClosed:
                pass
            self._fail_pending(ConnectionError("signaling connection lost"))
            if self._closing:
                return
            if not self.reconnect or not await self._reconnect():
                self._failure = self._failure or ConnectionError("connection closed by server")
                self._queue.put_nowait(_CLOSED)
                return

    async def _reconnect(self) -> bool:
        attempt = 0
        while self.max_attempts is None or attempt < self.max_attempts:
            await self.sleep(
                backoff_delay(attempt, self.backoff_initial, self.backoff_max, self.rng)
            )
            attempt += 1
            try:
                ws = await self._open()
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                self._failure = exc
                logger.info("reconnect attempt %d failed: %s", attempt, exc)
                continue
            try:
                if self.room is not None:
                    await self._rejoin(ws, self.room, self._token)
            except (ConnectionClosed, SignalingError) as exc:
                self._failure = exc
                await ws.close()
                continue
            self._ws, self._failure = ws, None
            self.reconnects += 1
            self._queue.put_nowait(
                {"type": "reconnected", "id": self.id, "room": self.room, "peers": list(self.peers)}
            )
            return True
        return False

    async def _rejoin(self, ws: ClientConnection, room: str, token: str | None) -> None:
        frame: dict[str, Any] = {"type": "join", "room": room}
        if token is not None:
            frame["token"] = token
        await ws.send(json.dumps(frame))
        while True:
            reply = json.loads(await ws.recv())
            if not isinstance(reply, dict):
                continue
            if reply.get("type") == "joined":
                self._joined(reply, room, token)
                return
            if reply.get("type") == "error":
                raise SignalingError(str(reply.get("code")), str(reply.get("message")))
            self._queue.put_nowait(reply)
