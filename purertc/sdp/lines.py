"""One line of a session description, as received or as built through the API.

A document is kept as its lines so serializing an untouched document gives back its exact
text (line endings, spacing and unknown lines included). A parsed line keeps its exact text
and its own line ending; a line the API creates renders canonically with CRLF. Lines are
never edited in place: an edit replaces the line, so what changed is exactly the set of
lines with ``edited`` set. The typed value of a line is parsed on first use and cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from .errors import SdpError

T = TypeVar("T")


class Line:
    """``<type>=<value>``; for ``a=`` lines ``name`` and ``value`` split ``a=<name>[:<value>]``.

    ``text`` is the line exactly as received (or as built) without its line ending, ``eol``
    the line ending (``"\r\n"``, ``"\n"``, or ``""`` for a last line without one). ``type``
    is ``""`` for the blank and ``;`` comment lines the parser tolerates. ``value`` is ``None``
    for a property attribute (``a=rtcp-mux``). ``number`` is the 1-based line number in the
    parsed text, 0 for a line built through the API.
    """

    __slots__ = ("type", "name", "value", "text", "eol", "number", "_typed")

    def __init__(
        self, type: str, name: str, value: str | None, text: str, eol: str, number: int
    ) -> None:
        self.type = type
        self.name = name
        self.value = value
        self.text = text
        self.eol = eol
        self.number = number
        self._typed: Any = None

    @classmethod
    def attribute(cls, name: str, value: object = None) -> Line:
        """A new ``a=`` line; a typed ``value`` is rendered with ``str`` and cached."""
        if value is None:
            return cls("a", name, None, "a=" + name, "\r\n", 0)
        text = value if isinstance(value, str) else str(value)
        line = cls("a", name, text, f"a={name}:{text}", "\r\n", 0)
        if not isinstance(value, str):
            line._typed = value
        return line

    @classmethod
    def field(cls, type: str, value: object) -> Line:
        """A new non-attribute line (``c=``, ``b=``, ``m=``...) from text or a typed value."""
        text = value if isinstance(value, str) else str(value)
        line = cls(type, "", text, f"{type}={text}", "\r\n", 0)
        if not isinstance(value, str):
            line._typed = value
        return line

    @property
    def edited(self) -> bool:
        """True for a line built or changed through the API (rendered canonically)."""
        return self.number == 0

    def render(self) -> str:
        return self.text + self.eol

    def typed(self, parser: Callable[[str], T]) -> T:
        """The value parsed by ``parser`` (cached), errors located at this line."""
        cached = self._typed
        if cached is None:
            value = self.value
            if value is None:
                field = f"a={self.name}" if self.type == "a" else f"{self.type}="
                raise SdpError(f"{field} has no value", line=self.number or None, field=field)
            try:
                cached = parser(value)
            except SdpError as error:
                raise error.at_line(self.number) if self.number else error from None
            self._typed = cached
        return cast(T, cached)

    def __repr__(self) -> str:
        return f"Line({self.text!r})"
