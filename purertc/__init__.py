"""purertc: a WebRTC protocol stack written in Python.

Every protocol layer is a subpackage usable on its own (``purertc.sdp``, ``purertc.stun``, ...).
The W3C-shaped asyncio API (:mod:`purertc.pc`) is re-exported here, loaded on first use so that
importing one layer (``import purertc.sdp``) does not pull in the whole stack and OpenSSL.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"

__all__ = [
    "InvalidAccessError",
    "InvalidStateError",
    "OperationError",
    "PurertcSettings",
    "RTCConfiguration",
    "RTCDataChannel",
    "RTCIceCandidate",
    "RTCIceServer",
    "RTCPeerConnection",
    "RTCSessionDescription",
    "RTCStatsReport",
    "__version__",
]
_PC_NAMES = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:
    from purertc.pc import (
        InvalidAccessError,
        InvalidStateError,
        OperationError,
        PurertcSettings,
        RTCConfiguration,
        RTCDataChannel,
        RTCIceCandidate,
        RTCIceServer,
        RTCPeerConnection,
        RTCSessionDescription,
        RTCStatsReport,
    )


def __getattr__(name: str) -> Any:
    if name in _PC_NAMES:
        value = getattr(importlib.import_module("purertc.pc"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'purertc' has no attribute {name!r}")
