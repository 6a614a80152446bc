"""The W3C exceptions the peer connection raises for API misuse (WebIDL DOMException names).

Each is a ``ValueError`` subclass like every purertc error, so ``except ValueError`` catches them
too; ``name`` carries the DOMException name JavaScript code compares against.
"""

from __future__ import annotations


class PeerConnectionError(ValueError):
    """Base of the peer connection's own errors."""

    name = "Error"


class InvalidStateError(PeerConnectionError):
    """The object is in a state where the call is not allowed (closed, wrong signaling state)."""

    name = "InvalidStateError"


class InvalidAccessError(PeerConnectionError):
    """The arguments do not fit the object (a description that cannot be applied)."""

    name = "InvalidAccessError"


class OperationError(PeerConnectionError):
    """The operation failed for a reason specific to it (a candidate that cannot be added)."""

    name = "OperationError"
