"""One line of a session description, as received or as built through the API.

A document is kept as its lines so serializing an untouched document gives back its exact
text (line endings, spacing and unknown lines included). A parsed line keeps its exact text
and its own line ending; a line the API creates renders canonically with CRLF. A line is an
immutable value: an edit replaces it, so what changed is exactly the set of lines with
``edited`` set.

Typed values are a pure function of the line's value, so they are parsed through shared,
bounded tables: the capability lines browsers repeat verbatim in every offer (rtpmap, fmtp,
rtcp-fb, extmap...) are parsed once per process rather than once per document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from .errors import SdpError

T = TypeVar("T")

_TABLE_SIZE = 2048
# parser -> {value text -> typed value}; each table starts over when full.
_TABLES: dict[Callable[[str], Any], dict[str, Any]] = {}


def clear_shared_tables() -> None:
    """Forget every shared typed value (frees the memory; benchmarks measure cold reads)."""
    _TABLES.clear()


class Line(NamedTuple):
    """``<type>=<value>``; for ``a=`` lines ``name`` and ``value`` split ``a=<name>[:<value>]``.

    ``text`` is the line exactly as received (or as built) without its line ending, ``eol``
    the line ending (``"\\r\\n"``, ``"\\n"``, or ``""`` for a last line without one). ``type``
    is ``""`` for the blank and ``;`` comment lines the parser tolerates. ``value`` is ``None``
    for a property attribute (``a=rtcp-mux``). ``number`` is the 1-based line number in the
    parsed text, 0 for a line built through the API.
    """

    type: str
    name: str
    value: str | None
    text: str
    eol: str
    number: int

    @classmethod
    def attribute(cls, name: str, value: object = None) -> Line:
        """A new ``a=`` line; a typed ``value`` is rendered with ``str``."""
        if value is None:
            return cls("a", name, None, "a=" + name, "\r\n", 0)
        text = value if isinstance(value, str) else str(value)
        return cls("a", name, text, f"a={name}:{text}", "\r\n", 0)

    @classmethod
    def field(cls, type: str, value: object) -> Line:
        """A new non-attribute line (``c=``, ``b=``, ``m=``...) from text or a typed value."""
        text = value if isinstance(value, str) else str(value)
        return cls(type, "", text, f"{type}={text}", "\r\n", 0)

    @property
    def edited(self) -> bool:
        """True for a line built or changed through the API (rendered canonically)."""
        return self.number == 0

    def render(self) -> str:
        return self.text + self.eol

    def typed(self, parser: Callable[[str], T]) -> T:
        """The value parsed by ``parser`` (shared between equal values), errors located at
        this line."""
        value = self.value
        if value is None:
            field = f"a={self.name}" if self.type == "a" else f"{self.type}="
            raise SdpError(f"{field} has no value", line=self.number or None, field=field)
        table = _TABLES.get(parser)
        if table is None:
            table = _TABLES[parser] = {}
        result: T | None = table.get(value)
        if result is None:
            try:
                result = parser(value)
            except SdpError as error:
                raise error.at_line(self.number) if self.number else error from None
            if len(table) >= _TABLE_SIZE:
                table.clear()
            table[value] = result
        return result

    def __repr__(self) -> str:
        return f"Line({self.text!r})"
