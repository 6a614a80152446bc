"""The one error the STUN layer raises for bad input."""

from __future__ import annotations


class StunError(ValueError):
    """Malformed STUN/TURN data; the message names the field or attribute at fault."""
