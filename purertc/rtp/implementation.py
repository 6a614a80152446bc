"""Which RtpPacket class is in use: the compiled twin when it imports, else the pure one.

``PURERTC_PURE=1`` forces the pure-Python reference. Type checkers always see the pure class;
both have the same attributes and methods, and the same tests run against each.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from .errors import RtpError
from .extensions import decode_extensions, encode_extensions, is_two_byte_profile
from .packet import RtpPacket as PureRtpPacket


def _load_compiled() -> type[PureRtpPacket] | None:
    if os.environ.get("PURERTC_PURE") == "1":
        return None
    try:
        module = importlib.import_module("purertc._speedups._rtp")
    except ImportError:
        return None
    # The twin raises our error and reuses the pure extension codec (cold path).
    module.bind(RtpError, decode_extensions, encode_extensions, is_two_byte_profile)
    compiled: type[PureRtpPacket] = module.RtpPacket
    return compiled


CompiledRtpPacket = _load_compiled()
IMPLEMENTATION = "pure" if CompiledRtpPacket is None else "compiled"

if TYPE_CHECKING:
    RtpPacket = PureRtpPacket
else:
    RtpPacket = CompiledRtpPacket or PureRtpPacket

__all__ = ["IMPLEMENTATION", "CompiledRtpPacket", "PureRtpPacket", "RtpPacket"]
