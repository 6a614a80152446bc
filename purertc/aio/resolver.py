"""Resolving mDNS ``.local`` names of remote candidates (draft-ietf-mmusic-mdns-ice-candidates).

Browsers hide host addresses behind random ``<uuid>.local`` names. The driver asks a
:class:`Resolver` before handing such a candidate to the agent; a name that does not resolve
drops the candidate (the peer's srflx/relay candidates and peer-reflexive learning still work).
The resolver is pluggable: :class:`MdnsResolver` asks the link with one-shot mDNS queries;
tests and applications with their own mDNS stack supply another.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any, Protocol

from purertc.ice import IceError
from purertc.ice.mdns import build_query, parse_answers


class Resolver(Protocol):
    async def resolve(self, name: str) -> str | None:
        """The IP literal for ``name``, or None when it cannot be resolved."""
        ...


class NoResolver:
    """Resolves nothing: ``.local`` candidates are dropped."""

    async def resolve(self, name: str) -> str | None:
        return None


class StaticResolver:
    """Answers from a fixed table (tests, or names learned out of band)."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = dict(table)
        self.queries: list[str] = []

    async def resolve(self, name: str) -> str | None:
        self.queries.append(name)
        return self.table.get(name)


class MdnsResolver:
    """One-shot mDNS queries (RFC 6762 §5.1) for A/AAAA records, answers cached for their TTL.

    ``group`` and ``bind`` are the multicast group and local address; tests point them at a
    fake responder on 127.0.0.1.
    """

    def __init__(
        self,
        *,
        timeout: float = 1.0,
        group: tuple[str, int] = ("224.0.0.251", 5353),
        bind: str = "0.0.0.0",
    ) -> None:
        self.timeout = timeout
        self.group = group
        self.bind = bind
        self._cache: dict[str, tuple[str, float]] = {}
        self.queries = 0

    async def resolve(self, name: str) -> str | None:
        loop = asyncio.get_running_loop()
        key = name.lower().rstrip(".")
        cached = self._cache.get(key)
        if cached is not None and cached[1] > loop.time():
            return cached[0]
        try:
            query = build_query(key)
        except IceError:
            return None
        future: asyncio.Future[tuple[str, int]] = loop.create_future()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _AnswerCollector(key, future), local_addr=(self.bind, 0)
            )
        except OSError:
            return None
        try:
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family == socket.AF_INET:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
            self.queries += 1
            transport.sendto(query, self.group)
            address, ttl = await asyncio.wait_for(future, self.timeout)
        except (OSError, TimeoutError):
            return None
        finally:
            transport.close()
        self._cache[key] = (address, loop.time() + ttl)
        return address


class _AnswerCollector(asyncio.DatagramProtocol):
    def __init__(self, name: str, future: asyncio.Future[tuple[str, int]]) -> None:
        self.name = name
        self.future = future

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        try:
            answers = parse_answers(data)
        except IceError:
            return  # not ours to fix: wait for a well-formed answer
        for name, address, ttl in answers:
            if name.lower() == self.name and not self.future.done():
                self.future.set_result((address, ttl))
