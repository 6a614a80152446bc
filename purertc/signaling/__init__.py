"""WebSocket signaling: the rendezvous server (rooms, limits, auth, TURN credentials) and client.

The protocol is described in ``docs/signaling.md`` and checked in :mod:`.protocol`. Rooms live in
a hub: :class:`LocalHub` in memory, or ``purertc.signaling.redis_hub.RedisHub`` shared between
server processes through Redis (needs the optional ``redis`` package).
"""

from __future__ import annotations

from .client import SignalingClient, backoff_delay
from .errors import SignalingError
from .limits import Limits, TokenBucket
from .protocol import CloseCode, ErrorCode
from .rooms import Hub, LocalHub, Member
from .server import ServerStats, SignalingServer, TurnConfig
from .tokens import make_room_token, verify_room_token

__all__ = [
    "CloseCode",
    "ErrorCode",
    "Hub",
    "Limits",
    "LocalHub",
    "Member",
    "ServerStats",
    "SignalingClient",
    "SignalingError",
    "SignalingServer",
    "TokenBucket",
    "TurnConfig",
    "backoff_delay",
    "make_room_token",
    "verify_room_token",
]
