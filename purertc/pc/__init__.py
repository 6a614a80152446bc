"""The W3C-shaped asyncio API (DESIGN.md §4): ``RTCPeerConnection`` and its data channels."""

from __future__ import annotations

from .configuration import (
    PurertcSettings,
    RTCConfiguration,
    RTCIceCandidate,
    RTCIceServer,
    RTCSessionDescription,
)
from .datachannel import RTCDataChannel
from .emitter import EventEmitter
from .errors import InvalidAccessError, InvalidStateError, OperationError, PeerConnectionError
from .peerconnection import RTCPeerConnection
from .stats import RTCStatsReport

__all__ = [
    "EventEmitter",
    "InvalidAccessError",
    "InvalidStateError",
    "OperationError",
    "PeerConnectionError",
    "PurertcSettings",
    "RTCConfiguration",
    "RTCDataChannel",
    "RTCIceCandidate",
    "RTCIceServer",
    "RTCPeerConnection",
    "RTCSessionDescription",
    "RTCStatsReport",
]
