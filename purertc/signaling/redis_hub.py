"""Rooms shared by several server processes through Redis (``purertc signal --redis URL``).

Layout (``prefix`` defaults to ``purertc:``):

- ``{prefix}room:{R}``: a hash ``peer id -> server id``, the room's membership. Joining and
  leaving are Lua scripts, so "is the room full" and "who else is here" are atomic.
- ``{prefix}server:{S}``: the pub/sub channel of server ``S``. A frame for members on another
  server is published there as ``{"room": R, "targets": [ids], "frame": text}``.

A server delivers a published frame only to targets that are local members *of that room*, so
even a forged publish cannot cross rooms. Members of a server that dies without shutting down
stay in the hash until their room empties of live peers; graceful shutdown removes them.

Needs the ``redis`` package (``pip install 'purertc[redis]'``); it is imported on first use so
that purertc itself imports without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import secrets
from typing import Any

from .errors import SignalingError
from .protocol import ErrorCode, encode
from .rooms import Member, unknown_target

logger = logging.getLogger(__name__)

_POOL_SIZE = 16  # Redis connections for joins, leaves and lookups
_BATCH = 512  # publishes per pipeline
_CLOSE_FLUSH = 2.0  # seconds the last frames get to reach Redis on close

# KEYS[1] room hash; ARGV peer id, server id, max peers. Nil when full, else the prior members.
_JOIN = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return false end
local existing = redis.call('HGETALL', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return existing
"""

# KEYS[1] room hash; ARGV[1] peer id. The remaining members (empty when the peer was not there).
_LEAVE = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return {} end
return redis.call('HGETALL', KEYS[1])
"""


def _load_redis() -> Any:
    try:
        return importlib.import_module("redis.asyncio")
    except ImportError:
        raise RuntimeError(
            "Redis scale-out needs the 'redis' package: pip install 'purertc[redis]'"
        ) from None


def _pairs(flat: list[str]) -> list[tuple[str, str]]:
    return list(zip(flat[0::2], flat[1::2], strict=True))


class RedisHub:
    """A :class:`~purertc.signaling.rooms.Hub` whose rooms live in Redis."""

    def __init__(self, url: str, *, prefix: str = "purertc:", server_id: str | None = None) -> None:
        self.url = url
        self.prefix = prefix
        self.server_id = server_id or secrets.token_urlsafe(12)
        self.local: dict[str, dict[str, Member]] = {}
        # For rooms with local members: the members on other servers (peer -> server), kept
        # up to date by the peer-joined/peer-left envelopes, so relaying needs no Redis lookup.
        self.remote: dict[str, dict[str, str]] = {}
        self._redis: Any = None
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._publisher: asyncio.Task[None] | None = None
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._join_script: Any = None
        self._leave_script: Any = None

    def _room_key(self, room: str) -> str:
        return f"{self.prefix}room:{room}"

    def _channel(self, server_id: str) -> str:
        return f"{self.prefix}server:{server_id}"

    async def start(self) -> None:
        aioredis = _load_redis()
        # A blocking pool: a burst of joins waits for a connection instead of failing.
        pool = aioredis.BlockingConnectionPool.from_url(
            self.url, decode_responses=True, max_connections=_POOL_SIZE, timeout=10
        )
        self._redis = aioredis.Redis(connection_pool=pool)
        self._join_script = self._redis.register_script(_JOIN)
        self._leave_script = self._redis.register_script(_LEAVE)
        self._pubsub = self._redis.pubsub()
        await self._pubsub.subscribe(self._channel(self.server_id))
        async with asyncio.timeout(10):  # be listening before any peer can be routed here
            while True:
                message = await self._pubsub.get_message(timeout=1.0)
                if message is not None and message["type"] == "subscribe":
                    break
        loop = asyncio.get_running_loop()
        self._listener = loop.create_task(self._listen())
        self._publisher = loop.create_task(self._publish())

    async def close(self) -> None:
        for members in list(self.local.values()):
            for member in list(members.values()):
                await self.leave(member)
        with contextlib.suppress(TimeoutError):  # let the last peer-left frames go out
            async with asyncio.timeout(_CLOSE_FLUSH):
                await self._outbox.join()
        for task in (self._listener, self._publisher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._pubsub is not None:
            await self._pubsub.aclose()
        if self._redis is not None:
            await self._redis.aclose()

    async def _listen(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("reading the Redis channel failed; retrying")
                await asyncio.sleep(1.0)
                continue
            if message is None or message["type"] != "message":
                continue
            self._deliver_published(message["data"])

    async def _publish(self) -> None:
        """The one publisher: frames leave in the order they were relayed, batched into
        pipelines (a frame never overtakes one relayed before it)."""
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty() and len(batch) < _BATCH:
                batch.append(self._outbox.get_nowait())
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, data in batch:
                        pipe.publish(channel, data)
                    await pipe.execute()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("publishing %d frames to Redis failed", len(batch))
            finally:
                for _ in batch:
                    self._outbox.task_done()

    def _deliver_published(self, data: str) -> None:
        try:
            envelope = json.loads(data)
            room, targets, frame = envelope["room"], envelope["targets"], envelope["frame"]
        except (ValueError, KeyError, TypeError):
            logger.warning("malformed frame on the Redis channel; ignored")
            return
        members = self.local.get(room, {}) if isinstance(room, str) else {}
        peer, server, change = envelope.get("peer"), envelope.get("server"), envelope.get("change")
        if members and isinstance(peer, str) and isinstance(server, str):
            view = self.remote.setdefault(room, {})
            if change == "joined":
                view[peer] = server
            elif change == "left":
                view.pop(peer, None)
        for target in targets if isinstance(targets, list) else []:
            member = members.get(target) if isinstance(target, str) else None
            if member is not None and isinstance(frame, str):
                member.deliver(frame)

    async def _fan_out(
        self,
        room: str,
        others: list[tuple[str, str]],
        frame: str,
        change: str = "",
        subject: str = "",
    ) -> None:
        """Hand ``frame`` to each ``(peer, server)``: local ones directly, one publish per
        remote server. ``change`` (``joined``/``left``) of ``subject`` updates their views."""
        remote: dict[str, list[str]] = {}
        local = self.local.get(room, {})
        for peer, server in others:
            if server == self.server_id:
                member = local.get(peer)
                if member is not None:
                    member.deliver(frame)
            else:
                remote.setdefault(server, []).append(peer)
        for server, targets in remote.items():
            fields: dict[str, object] = {"room": room, "targets": targets, "frame": frame}
            if change:
                fields.update(change=change, peer=subject, server=self.server_id)
            envelope = json.dumps(fields)
            self._outbox.put_nowait((self._channel(server), envelope))

    async def join(self, member: Member, max_peers: int, max_rooms: int) -> list[str]:
        if member.room not in self.local and len(self.local) >= max_rooms:
            raise SignalingError(ErrorCode.TOO_MANY_ROOMS, "server holds its maximum of rooms")
        existing = await self._join_script(
            keys=[self._room_key(member.room)], args=[member.id, self.server_id, max_peers]
        )
        if existing is None:
            raise SignalingError(ErrorCode.ROOM_FULL, f"room holds its maximum of {max_peers}")
        self.local.setdefault(member.room, {})[member.id] = member
        others = _pairs(existing)
        view = self.remote.setdefault(member.room, {})
        view.update((peer, server) for peer, server in others if server != self.server_id)
        frame = encode({"type": "peer-joined", "id": member.id})
        await self._fan_out(member.room, others, frame, "joined", member.id)
        return [peer for peer, _ in others]

    async def leave(self, member: Member) -> None:
        members = self.local.get(member.room)
        if members is None or members.pop(member.id, None) is None:
            return
        if not members:
            del self.local[member.room]
            self.remote.pop(member.room, None)
        remaining = await self._leave_script(keys=[self._room_key(member.room)], args=[member.id])
        frame = encode({"type": "peer-left", "id": member.id})
        await self._fan_out(member.room, _pairs(remaining), frame, "left", member.id)

    async def relay(self, member: Member, target: str, frame: str) -> None:
        if target == member.id:
            raise unknown_target(target)
        local = self.local.get(member.room, {}).get(target)
        if local is not None:
            local.deliver(frame)
            return
        server = self.remote.get(member.room, {}).get(target)
        if server is None:  # not (yet) announced here: ask Redis
            server = await self._redis.hget(self._room_key(member.room), target)
        if server is None:
            raise unknown_target(target)
        await self._fan_out(member.room, [(target, server)], frame)
