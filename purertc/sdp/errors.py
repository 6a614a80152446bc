"""The SDP layer's one error type."""

from __future__ import annotations


class SdpError(ValueError):
    """A session description (or one of its values) is malformed.

    ``line`` is the 1-based line number in the parsed text when the error comes from a
    document (``None`` for a lone value such as ``Candidate.parse``); ``field`` names what was
    wrong (``"m= port"``, ``"a=rtpmap"``, ``"candidate priority"``...). Both are also in the
    message, so ``str(error)`` alone tells a user where to look.
    """

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        self.line = line
        self.field = field
        prefix = f"line {line}: " if line is not None else ""
        super().__init__(prefix + message)

    def at_line(self, line: int) -> SdpError:
        """The same error, located at ``line`` of a document."""
        if self.line is not None:
            return self
        return SdpError(str(self), line=line, field=self.field)
