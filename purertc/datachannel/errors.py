"""The data-channel layer's errors: one ``ValueError`` subclass, as DESIGN.md §3 asks."""

from __future__ import annotations


class DcepError(ValueError):
    """A malformed DCEP message, or a channel command that cannot be carried out.

    Parsers raise it with a message naming the offending field; the channel manager raises it
    to the application for misuse (unknown channel, wrong state, message too large) and never
    lets it escape while handling what the peer sent.
    """


class MessageTooLargeError(DcepError):
    """An outgoing message is larger than the peer's advertised max-message-size (RFC 8841)."""
