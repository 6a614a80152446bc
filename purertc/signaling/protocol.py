"""The signaling protocol: JSON text frames between a client and the rendezvous server.

Client -> server::

    {"type": "join", "room": R, "token": T?}       enter a room (token when the server wants one)
    {"type": "offer" | "answer", "target": ID, "sdp": S}
    {"type": "ice-candidate", "target": ID, "candidate": C}
    {"type": "leave"}
    {"type": "turn-credentials"}

Server -> client::

    {"type": "joined", "id": ID, "peers": [ID, ...]}
    {"type": "peer-joined", "id": ID} / {"type": "peer-left", "id": ID}
    relayed offer/answer/ice-candidate with "from": ID in place of "target"
    {"type": "turn-credentials", "ice_servers": [...]}
    {"type": "left"} / {"type": "shutdown"}
    {"type": "error", "code": CODE, "message": TEXT}

``docs/signaling.md`` is the user-facing description; this module is the one place that checks
a frame's shape, so the server never touches an unchecked field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import SignalingError

# Relayed message types and the payload field each must carry.
RELAYED: dict[str, str] = {"offer": "sdp", "answer": "sdp", "ice-candidate": "candidate"}
CONTROL = frozenset({"join", "leave", "turn-credentials"})

MAX_ROOM_LENGTH = 128
MAX_ID_LENGTH = 128


class ErrorCode:
    """The ``code`` values of ``error`` frames (strings, stable, documented)."""

    BAD_JSON = "bad-json"
    BAD_MESSAGE = "bad-message"
    UNKNOWN_TYPE = "unknown-type"
    MISSING_FIELD = "missing-field"
    FRAME_TOO_LARGE = "frame-too-large"
    NOT_JOINED = "not-joined"
    ALREADY_JOINED = "already-joined"
    UNKNOWN_TARGET = "unknown-target"
    RATE_LIMITED = "rate-limited"
    ROOM_FULL = "room-full"
    TOO_MANY_ROOMS = "too-many-rooms"
    BAD_TOKEN = "bad-token"
    TURN_UNAVAILABLE = "turn-unavailable"
    INTERNAL = "internal-error"
    TOO_MANY_CONNECTIONS = "too-many-connections"


class CloseCode:
    """WebSocket close codes the server uses (RFC 6455 §7.4; 4000-4999 are ours)."""

    GOING_AWAY = 1001  # graceful shutdown
    POLICY_VIOLATION = 1008  # abuse: sustained rate-limit violations
    TOO_BIG = 1009  # frame over the size limit
    TOO_MANY_CONNECTIONS = 4029  # connections per IP exceeded
    IDLE = 4008  # idle timeout


@dataclass(frozen=True, slots=True)
class Join:
    room: str
    token: str | None = None


@dataclass(frozen=True, slots=True)
class Leave:
    pass


@dataclass(frozen=True, slots=True)
class TurnCredentialsRequest:
    pass


@dataclass(frozen=True, slots=True)
class Relay:
    """An offer, answer or ice-candidate for ``target``; ``payload`` is the whole frame."""

    type: str
    target: str
    payload: dict[str, Any]


ClientMessage = Join | Leave | TurnCredentialsRequest | Relay


def _string_field(frame: dict[str, Any], name: str, limit: int) -> str:
    if name not in frame:
        raise SignalingError(ErrorCode.MISSING_FIELD, f"field {name!r} is missing")
    value = frame[name]
    if not isinstance(value, str) or not value:
        raise SignalingError(ErrorCode.BAD_MESSAGE, f"field {name!r} must be a non-empty string")
    if len(value) > limit:
        raise SignalingError(ErrorCode.BAD_MESSAGE, f"field {name!r} longer than {limit}")
    return value


def parse_client_message(text: str | bytes) -> ClientMessage:
    """Check one client frame; raise :class:`SignalingError` with the ``error`` code to answer."""
    if isinstance(text, bytes):
        raise SignalingError(
            ErrorCode.BAD_MESSAGE, "binary frames are not accepted; send JSON text"
        )
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SignalingError(ErrorCode.BAD_JSON, f"frame is not JSON: {exc}") from None
    if not isinstance(frame, dict):
        raise SignalingError(ErrorCode.BAD_MESSAGE, "frame must be a JSON object")
    kind = frame.get("type")
    if kind is None:
        raise SignalingError(ErrorCode.MISSING_FIELD, "field 'type' is missing")
    if not isinstance(kind, str):
        raise SignalingError(ErrorCode.BAD_MESSAGE, "field 'type' must be a string")
    if kind in RELAYED:
        target = _string_field(frame, "target", MAX_ID_LENGTH)
        payload_field = RELAYED[kind]
        if payload_field not in frame:
            raise SignalingError(ErrorCode.MISSING_FIELD, f"field {payload_field!r} is missing")
        return Relay(kind, target, frame)
    if kind == "join":
        room = _string_field(frame, "room", MAX_ROOM_LENGTH)
        token = frame.get("token")
        if token is not None and not isinstance(token, str):
            raise SignalingError(ErrorCode.BAD_MESSAGE, "field 'token' must be a string")
        return Join(room, token)
    if kind == "leave":
        return Leave()
    if kind == "turn-credentials":
        return TurnCredentialsRequest()
    raise SignalingError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind[:64]!r}")


def relayed_frame(message: Relay, sender: str) -> str:
    """The frame the target receives: the sender's frame with ``from`` in place of ``target``."""
    out = {key: value for key, value in message.payload.items() if key != "target"}
    out["from"] = sender
    return encode(out)


def error_frame(code: str, message: str) -> str:
    return encode({"type": "error", "code": code, "message": message})


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"))
