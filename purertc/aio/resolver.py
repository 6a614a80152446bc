"""Resolving mDNS ``.local`` names of remote candidates (draft-ietf-mmusic-mdns-ice-candidates).

Browsers hide host addresses behind random ``<uuid>.local`` names. The driver asks a
:class:`Resolver` before handing such a candidate to the agent; a name that does not resolve
drops the candidate (the peer's srflx/relay candidates and peer-reflexive learning still work).
The resolver is pluggable: tests and applications with their own mDNS stack supply one.
"""

from __future__ import annotations

from typing import Protocol


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
