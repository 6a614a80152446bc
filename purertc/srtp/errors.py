"""The one error the SRTP layer raises."""

from __future__ import annotations


class SrtpError(ValueError):
    """A packet could not be protected or unprotected, or a context was misconfigured.

    The message says which: too short, authentication failed, replayed, too old, unknown profile,
    key length... A packet that raised this left its context's state exactly as it was.
    """
