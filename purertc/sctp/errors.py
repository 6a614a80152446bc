"""The SCTP layer's one error type."""

from __future__ import annotations


class SctpError(ValueError):
    """A malformed SCTP packet or chunk, or a misuse of the association API.

    Parsers raise it with a message naming the offending field; inside a live association a bad
    packet from the peer is dropped (or answered per RFC 9260) and never raises.
    """
