"""purertc: a WebRTC protocol stack written in Python.

Every protocol layer is a subpackage usable on its own (``purertc.sdp``, ``purertc.stun``, ...).
The W3C-shaped asyncio API is re-exported here as it lands.
"""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
