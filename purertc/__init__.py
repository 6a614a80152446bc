"""purertc: a WebRTC protocol stack written in Python.

Every protocol layer is a subpackage usable on its own (``purertc.sdp``, ``purertc.stun``, ...).
The W3C-shaped asyncio API (:mod:`purertc.pc`) is re-exported here.
"""

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
)

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
    "__version__",
]
