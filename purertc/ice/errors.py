"""The ICE layer's error: bad candidate text or a misused agent."""

from __future__ import annotations


class IceError(ValueError):
    """A malformed candidate attribute, or a command the agent cannot honour."""
