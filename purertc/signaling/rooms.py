"""Room membership and routing: the in-memory hub, and the interface a shared hub implements.

A hub owns the answer to "who is in room R" and delivers frames to members. The server asks it
to join, leave and relay; it never routes a frame itself, so the rule "relay only to a target in
the sender's room" lives here, once per hub.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .errors import SignalingError
from .protocol import ErrorCode, encode


class Member:
    """One joined connection as the hub sees it: an id, a room, and a way to hand it a frame."""

    __slots__ = ("id", "room", "deliver")

    def __init__(self, id: str, room: str, deliver: Callable[[str], None]) -> None:
        self.id = id
        self.room = room
        self.deliver = deliver


class Hub(Protocol):
    """Where rooms live: in this process (:class:`LocalHub`) or shared through Redis."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def join(self, member: Member, max_peers: int, max_rooms: int) -> list[str]:
        """Add ``member``; return the ids already in the room. Tell them ``peer-joined``.

        Raises :class:`SignalingError` (``room-full``, ``too-many-rooms``).
        """
        ...

    async def leave(self, member: Member) -> None:
        """Remove ``member`` and tell the others ``peer-left``."""
        ...

    async def relay(self, member: Member, target: str, frame: str) -> None:
        """Deliver ``frame`` to ``target`` if it is in ``member``'s room, else raise
        :class:`SignalingError` (``unknown-target``)."""
        ...


def unknown_target(target: str) -> SignalingError:
    return SignalingError(ErrorCode.UNKNOWN_TARGET, f"no peer {target[:64]!r} in your room")


class LocalHub:
    """Rooms in a dictionary: the embedded default, one server process."""

    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, Member]] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self.rooms.clear()

    async def join(self, member: Member, max_peers: int, max_rooms: int) -> list[str]:
        room = self.rooms.get(member.room)
        if room is None:
            if len(self.rooms) >= max_rooms:
                raise SignalingError(ErrorCode.TOO_MANY_ROOMS, "server holds its maximum of rooms")
            room = self.rooms[member.room] = {}
        if len(room) >= max_peers:
            raise SignalingError(ErrorCode.ROOM_FULL, f"room holds its maximum of {max_peers}")
        peers = list(room)
        announcement = encode({"type": "peer-joined", "id": member.id})
        for other in room.values():
            other.deliver(announcement)
        room[member.id] = member
        return peers

    async def leave(self, member: Member) -> None:
        room = self.rooms.get(member.room)
        if room is None or room.pop(member.id, None) is None:
            return
        if not room:
            del self.rooms[member.room]
            return
        announcement = encode({"type": "peer-left", "id": member.id})
        for other in room.values():
            other.deliver(announcement)

    async def relay(self, member: Member, target: str, frame: str) -> None:
        room = self.rooms.get(member.room)
        recipient = None if room is None else room.get(target)
        if recipient is None or recipient.id == member.id:
            raise unknown_target(target)
        recipient.deliver(frame)
