"""RTP and RTCP: packets, header extensions, feedback, payload formats and stream machinery.

Sans-IO and usable alone. ``RtpPacket`` is the compiled twin from ``purertc._speedups`` when it
is built (``PURERTC_PURE=1`` forces the pure-Python reference).
"""

from .errors import RtpError
from .implementation import IMPLEMENTATION, RtpPacket

__all__ = ["IMPLEMENTATION", "RtpError", "RtpPacket"]
