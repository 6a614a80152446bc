"""The rendezvous server: WebSocket connections in, rooms through a hub, static files beside.

Each connection gets a random id (``secrets.token_urlsafe``), a token bucket and an outgoing
queue drained by its own writer task, so a slow reader never stalls the peers relaying to it
(its queue overflowing closes it instead). Every refused frame is answered with an ``error``
frame and the connection keeps going; only abuse (sustained rate-limit violations, frames far
over the limit, too many connections from one address, a full outgoing queue) closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import secrets
import ssl
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from purertc.stun import rest_credentials

from .errors import SignalingError
from .limits import Limits, TokenBucket
from .protocol import (
    CloseCode,
    ErrorCode,
    Join,
    Leave,
    Relay,
    TurnCredentialsRequest,
    encode,
    error_frame,
    parse_client_message,
    relayed_frame,
)
from .rooms import Hub, LocalHub, Member
from .tokens import verify_room_token

logger = logging.getLogger(__name__)

_SHUTDOWN_FLUSH = 1.0  # seconds the shutdown notice gets to reach every peer
_HARD_FRAME_FACTOR = 4  # frames over factor x max_frame_bytes close the connection (1009)


@dataclass(frozen=True)
class TurnConfig:
    """TURN REST credentials (the coturn ``--static-auth-secret`` scheme) for ``urls``."""

    secret: str
    urls: Sequence[str]
    ttl: int = 86400


@dataclass
class ServerStats:
    """Counters for tests, the benchmark and logs."""

    connections: int = 0
    relayed: int = 0
    errors: dict[str, int] = field(default_factory=dict)


class _Session:
    """One connection: its id, its room membership, its limits and its outgoing queue."""

    def __init__(self, ws: ServerConnection, id: str, bucket: TokenBucket, queue_size: int) -> None:
        self.ws = ws
        self.id = id
        self.bucket = bucket
        self.member: Member | None = None
        self.violations = 0
        self.queue: asyncio.Queue[str] = asyncio.Queue(queue_size)
        self.stopped = False

    def deliver(self, frame: str) -> None:
        if self.stopped:
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.stopped = True
            logger.warning("peer %s reads too slowly; closing it", self.id)
            asyncio.get_running_loop().create_task(
                self.ws.close(CloseCode.POLICY_VIOLATION, "outgoing queue full")
            )

    async def write_loop(self) -> None:
        try:
            while True:
                frame = await self.queue.get()
                try:
                    await self.ws.send(frame)
                finally:
                    self.queue.task_done()
        except ConnectionClosed:
            pass
        finally:  # nothing more goes out: release anyone waiting for the queue to flush
            self.stopped = True
            while not self.queue.empty():
                self.queue.get_nowait()
                self.queue.task_done()


class SignalingServer:
    """The signaling server. ``async with SignalingServer(...) as server: await server.start()``.

    ``clock`` (monotonic seconds) drives the rate limit, ``wall_clock`` (Unix seconds) the room
    tokens and TURN credentials; both are injectable for tests. ``hub`` is :class:`LocalHub`
    unless given (``purertc.signaling.redis_hub.RedisHub`` shares rooms between processes).
    """

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        hub: Hub | None = None,
        room_secret: bytes | None = None,
        turn: TurnConfig | None = None,
        origins: Sequence[str] | None = None,
        static_dir: Path | str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: secrets.token_urlsafe(16),
    ) -> None:
        self.limits = limits or Limits()
        self.hub: Hub = hub if hub is not None else LocalHub()
        self.room_secret = room_secret
        self.turn = turn
        self.origins = None if origins is None else frozenset(origins)
        self.static_dir = None if static_dir is None else Path(static_dir).resolve()
        self.clock = clock
        self.wall_clock = wall_clock
        self.new_id = new_id
        self.stats = ServerStats()
        self._server: Server | None = None
        self._sessions: set[_Session] = set()
        self._per_ip: dict[str, int] = {}
        self._closing = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, *, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        await self.hub.start()
        hard_limit = self.limits.max_frame_bytes * _HARD_FRAME_FACTOR
        self._server = await serve(
            self._handle,
            host,
            port,
            ssl=ssl_context,
            process_request=self._process_request,
            ping_interval=self.limits.ping_interval,
            ping_timeout=self.limits.ping_timeout,
            max_size=hard_limit,
            compression=None,
        )

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        sockets = list(self._server.sockets)
        return int(sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Graceful shutdown: every peer gets ``{"type": "shutdown"}``, then close code 1001."""
        if self._server is None or self._closing:
            return
        self._closing = True
        notice = encode({"type": "shutdown", "message": "server is shutting down"})
        for session in list(self._sessions):
            session.deliver(notice)
        flushes = [session.queue.join() for session in list(self._sessions)]
        if flushes:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_SHUTDOWN_FLUSH):
                    await asyncio.gather(*flushes)
        self._server.close(code=CloseCode.GOING_AWAY, reason="server shutting down")
        await self._server.wait_closed()
        await self.hub.close()

    async def __aenter__(self) -> SignalingServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- HTTP: origin check and static files --------------------------------------------------

    def _process_request(self, ws: ServerConnection, request: Request) -> Response | None:
        origin = request.headers.get("Origin")
        if self.origins is not None and origin is not None and origin not in self.origins:
            return ws.respond(403, "origin not allowed\n")
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        return self._static(ws, request.path)

    def _static(self, ws: ServerConnection, raw_path: str) -> Response:
        if self.static_dir is None:
            return ws.respond(426, "this is a WebSocket signaling server\n")
        path = urllib.parse.unquote(urllib.parse.urlsplit(raw_path).path)
        relative = path.lstrip("/") or "index.html"
        candidate = (self.static_dir / relative).resolve()
        if not candidate.is_relative_to(self.static_dir):
            return ws.respond(404, "not found\n")
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file():
            return ws.respond(404, "not found\n")
        body = candidate.read_bytes()
        response = ws.respond(200, "")
        content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        del response.headers["Content-Type"]
        del response.headers["Content-Length"]
        response.headers["Content-Type"] = content_type
        response.headers["Content-Length"] = str(len(body))
        response.body = body
        return response

    # -- WebSocket connections ----------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        address: Any = ws.remote_address
        ip = str(address[0]) if address else "?"
        if self._closing:
            await ws.close(CloseCode.GOING_AWAY, "server shutting down")
            return
        if self._per_ip.get(ip, 0) >= self.limits.connections_per_ip:
            self._count_error(ErrorCode.TOO_MANY_CONNECTIONS)
            await ws.close(CloseCode.TOO_MANY_CONNECTIONS, "too many connections from your address")
            return
        self._per_ip[ip] = self._per_ip.get(ip, 0) + 1
        self.stats.connections += 1
        limits = self.limits
        bucket = TokenBucket(limits.messages_per_second, limits.burst, self.clock())
        session = _Session(ws, self.new_id(), bucket, limits.outgoing_queue)
        self._sessions.add(session)
        writer = asyncio.get_running_loop().create_task(session.write_loop())
        try:
            await self._read_loop(session)
        finally:
            if session.member is not None:
                member, session.member = session.member, None
                try:
                    await self.hub.leave(member)
                except Exception:
                    logger.exception("leaving room %r for %s failed", member.room, member.id)
            self._sessions.discard(session)
            remaining = self._per_ip[ip] - 1
            if remaining:
                self._per_ip[ip] = remaining
            else:
                del self._per_ip[ip]
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer

    async def _read_loop(self, session: _Session) -> None:
        ws, limits = session.ws, self.limits
        while True:
            try:
                async with asyncio.timeout(limits.idle_timeout):
                    data = await ws.recv()
            except TimeoutError:
                await ws.close(CloseCode.IDLE, "idle timeout")
                return
            except ConnectionClosed:
                return
            if not session.bucket.take(self.clock()):
                session.violations += 1
                self._count_error(ErrorCode.RATE_LIMITED)
                if session.violations > limits.max_violations:
                    await ws.close(CloseCode.POLICY_VIOLATION, "rate limit exceeded repeatedly")
                    return
                session.deliver(error_frame(ErrorCode.RATE_LIMITED, "too many messages; slow down"))
                continue
            if len(data) > limits.max_frame_bytes // 4 and _size(data) > limits.max_frame_bytes:
                self._answer_error(
                    session,
                    SignalingError(
                        ErrorCode.FRAME_TOO_LARGE,
                        f"frame over {limits.max_frame_bytes} bytes",
                    ),
                )
                continue
            try:
                await self._dispatch(session, parse_client_message(data))
            except SignalingError as exc:
                self._answer_error(session, exc)
            except Exception:
                logger.exception("handling a frame from %s failed", session.id)
                self._answer_error(session, SignalingError(ErrorCode.INTERNAL, "server error"))

    def _answer_error(self, session: _Session, exc: SignalingError) -> None:
        self._count_error(exc.code)
        session.deliver(error_frame(exc.code, exc.message))

    def _count_error(self, code: str) -> None:
        self.stats.errors[code] = self.stats.errors.get(code, 0) + 1

    async def _dispatch(
        self, session: _Session, message: Join | Leave | Relay | TurnCredentialsRequest
    ) -> None:
        if isinstance(message, Relay):
            if session.member is None:
                raise SignalingError(ErrorCode.NOT_JOINED, "join a room first")
            await self.hub.relay(session.member, message.target, relayed_frame(message, session.id))
            self.stats.relayed += 1
        elif isinstance(message, Join):
            await self._join(session, message)
        elif isinstance(message, Leave):
            if session.member is None:
                raise SignalingError(ErrorCode.NOT_JOINED, "not in a room")
            member, session.member = session.member, None
            await self.hub.leave(member)
            session.deliver(encode({"type": "left", "room": member.room}))
        else:
            session.deliver(encode(self._turn_credentials(session.id)))

    async def _join(self, session: _Session, message: Join) -> None:
        if session.member is not None:
            raise SignalingError(
                ErrorCode.ALREADY_JOINED, f"already in room {session.member.room!r}; leave first"
            )
        if self.room_secret is not None and (
            message.token is None
            or not verify_room_token(
                self.room_secret, message.room, message.token, self.wall_clock()
            )
        ):
            raise SignalingError(ErrorCode.BAD_TOKEN, "missing, invalid or expired room token")
        member = Member(session.id, message.room, session.deliver)
        peers = await self.hub.join(
            member, self.limits.peers_per_room, self.limits.rooms_per_server
        )
        session.member = member
        session.deliver(
            encode({"type": "joined", "room": message.room, "id": session.id, "peers": peers})
        )

    def _turn_credentials(self, user: str) -> dict[str, Any]:
        if self.turn is None:
            raise SignalingError(
                ErrorCode.TURN_UNAVAILABLE, "this server issues no TURN credentials"
            )
        username, password = rest_credentials(
            self.turn.secret, user, self.turn.ttl, self.wall_clock()
        )
        server = {"urls": list(self.turn.urls), "username": username, "credential": password}
        return {"type": "turn-credentials", "ttl": self.turn.ttl, "ice_servers": [server]}


def _size(data: str | bytes) -> int:
    return len(data.encode()) if isinstance(data, str) else len(data)
