"""The signaling layer's error: a protocol violation, with the ``error`` frame code to answer."""

from __future__ import annotations


class SignalingError(ValueError):
    """A frame or request the server refuses; ``code`` goes into the ``error`` frame."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
