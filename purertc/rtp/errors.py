"""The one error type of the RTP layer."""

from __future__ import annotations


class RtpError(ValueError):
    """A malformed RTP/RTCP packet or payload; the message names the offending field."""
