"""Shared helpers for the signaling tests: a raw JSON WebSocket peer and a fake clock."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import ssl
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tests.support import missing_interop_dependency


def require_redis_package() -> None:
    """Skip (fail under ``PURERTC_REQUIRE_INTEROP=1``) without the optional ``redis`` package."""
    if importlib.util.find_spec("redis") is None:
        missing_interop_dependency(
            "the optional 'redis' package is not installed (pip install 'purertc[redis]')"
        )


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Raw:
    """A bare WebSocket peer speaking the protocol by hand (no client-side checks)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(
        cls, port: int, *, scheme: str = "ws", ssl_context: ssl.SSLContext | None = None
    ) -> Raw:
        kwargs: dict[str, Any] = {"compression": None}
        if ssl_context is not None:
            kwargs["ssl"] = ssl_context
        return cls(await connect(f"{scheme}://127.0.0.1:{port}/", **kwargs))

    async def send(self, frame: dict[str, Any] | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            frame: dict[str, Any] = json.loads(await self.ws.recv())
        return frame

    async def expect(self, kind: str, timeout: float = 5.0) -> dict[str, Any]:
        frame = await self.recv(timeout)
        assert frame["type"] == kind, frame
        return frame

    async def expect_error(self, code: str) -> dict[str, Any]:
        frame = await self.expect("error")
        assert frame["code"] == code, frame
        assert isinstance(frame["message"], str) and frame["message"]
        return frame

    async def join(self, room: str, **extra: Any) -> dict[str, Any]:
        await self.send({"type": "join", "room": room, **extra})
        return await self.expect("joined")

    async def silent(self, wait: float = 0.1) -> bool:
        """True when nothing arrives within ``wait`` seconds (a bounded loopback wait)."""
        try:
            async with asyncio.timeout(wait):
                await self.ws.recv()
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        await self.ws.close()
