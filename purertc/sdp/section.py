"""What both kinds of section share: a list of lines and the attribute helpers over it.

A section is the session part or one media section of a document, kept as :class:`Line`
objects in document order with typed properties derived from them. Reading never changes a
line; an edit through a typed setter (or ``add_attribute``/``remove_attribute``) replaces or
inserts lines built by the API, which serialize canonically (``<type>=<value>`` + CRLF) while
every untouched line keeps its exact received text. New lines go where RFC 8866 §5 puts their
type (``v o s i u e p c b t r z k a`` in the session part, ``m i c b k a`` in a media
section); a new attribute goes after the last attribute of the same name (a candidate before
``a=end-of-candidates``), else at the end of its section.

Reads go through a per-section index of the attribute lines by name, built in one pass on
first use and dropped by every edit; that is why ``lines`` is a read-only tuple (assign a new
sequence to replace them wholesale).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar, TypeVar

from .attributes import (
    DIRECTIONS,
    LINE_CHECKS,
    SETUP_ROLES,
    Bandwidth,
    Connection,
    Extmap,
    Fingerprint,
    check_attribute,
)
from .errors import SdpError
from .lines import Line
from .parser import RawSection

T = TypeVar("T")
S = TypeVar("S", bound="Section")

# RFC 8866 §5: the order of line types in the session part and in a media section.
SESSION_ORDER = {kind: index for index, kind in enumerate("vosiuepcbtrzka")}
MEDIA_ORDER = {kind: index for index, kind in enumerate("micbka")}


def checked_text(value: str) -> str:
    """A value for a new line: no line breaks or NUL (they would split or end the line)."""
    if "\n" in value or "\r" in value or "\0" in value:
        raise SdpError(f"line break or NUL in value {value[:40]!r}", field="value")
    return value


def new_attribute(name: str, value: object) -> Line:
    """A checked new ``a=`` line: known attributes obey the same rules as when parsed."""
    if not name or any(c in name for c in ": \r\n\0"):
        raise SdpError(f"bad attribute name {name!r}", field="a=")
    line = Line.attribute(name, value)
    if line.value is not None:
        checked_text(line.value)
    check_attribute(name, line.value)
    return line


def new_field(kind: str, value: object) -> Line:
    """A checked new non-attribute line: the rules of a received one."""
    line = Line.field(kind, value)
    text = checked_text(line.value or "")
    check = LINE_CHECKS.get(kind)
    if check is not None and check(text) is None:
        raise SdpError(f"malformed {kind}= value {line.value!r}", field=f"{kind}=")
    return line


_TRANSPORT_ATTRIBUTES = frozenset(
    {"ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "fingerprint", "setup"}
)


class Section:
    """Lines of one section with the attribute helpers both section kinds share."""

    __slots__ = ("_lines", "_raw", "_index")
    _ORDER: ClassVar[dict[str, int]] = SESSION_ORDER

    def __init__(self, lines: list[Line] | None = None) -> None:
        self._lines: list[Line] | None = list(lines) if lines is not None else []
        self._raw: RawSection | None = None
        self._index: dict[str, list[Line]] | None = None

    @classmethod
    def _received(cls: type[S], raw: RawSection) -> S:
        """A section over checked received text; its ``Line`` objects are built on first use."""
        section = cls.__new__(cls)
        section._lines = None
        section._raw = raw
        section._index = None
        return section

    def _all(self) -> list[Line]:
        """The section's own list of lines (built on first use). Whoever changes it calls
        ``_changed``."""
        lines = self._lines
        if lines is None:
            assert self._raw is not None
            lines = self._lines = self._raw.build_lines()
        return lines

    def _changed(self) -> None:
        self._index = None

    def _named(self, name: str) -> Sequence[Line]:
        """The ``a=<name>`` lines in order, from an index built in one pass on first use.

        Only a= lines have a non-empty ``name``, so the index holds exactly the attributes.
        """
        index = self._index
        if index is None:
            index = {}
            for line in self._all():
                key = line.name
                if key:
                    found = index.get(key)
                    if found is None:
                        index[key] = [line]
                    else:
                        found.append(line)
            self._index = index
        return index.get(name, ())

    @property
    def lines(self) -> tuple[Line, ...]:
        """The section's lines in document order (read-only: edit through the methods, or
        assign a new sequence)."""
        return tuple(self._all())

    @lines.setter
    def lines(self, lines: Iterable[Line]) -> None:
        self._lines = list(lines)
        self._index = None

    # -- generic attribute access -------------------------------------------------------

    def attribute_lines(self, name: str) -> list[Line]:
        """The ``a=<name>`` lines, in order."""
        return list(self._named(name))

    def _first_attribute(self, name: str) -> Line | None:
        found = self._named(name)
        return found[0] if found else None

    def has_attribute(self, name: str) -> bool:
        return bool(self._named(name))

    def attribute(self, name: str) -> str | None:
        """Value of the first ``a=<name>`` (``""`` for a property attribute), or ``None``."""
        line = self._first_attribute(name)
        if line is None:
            return None
        return line.value if line.value is not None else ""

    def attribute_values(self, name: str) -> list[str | None]:
        return [line.value for line in self._named(name)]

    def add_attribute(self, name: str, value: object = None) -> Line:
        """Insert ``a=<name>[:<value>]`` (``value`` text or a typed value) and return it."""
        line = new_attribute(name, value)
        self._insert(line)
        return line

    def remove_attribute(self, name: str, where: Callable[[Line], bool] | None = None) -> int:
        """Remove every ``a=<name>`` (for which ``where(line)`` holds); return how many."""
        lines = self._all()
        before = len(lines)
        self.lines = [
            line
            for line in lines
            if not (line.type == "a" and line.name == name and (where is None or where(line)))
        ]
        return before - len(self._all())

    def set_attribute(self, name: str, value: object = None) -> None:
        """Make ``a=<name>[:<value>]`` the only attribute of that name (replaced in place)."""
        new = new_attribute(name, value)
        lines = self._all()
        for index, line in enumerate(lines):
            if line.type == "a" and line.name == name:
                lines[index] = new
                lines[index + 1 :] = [
                    other
                    for other in lines[index + 1 :]
                    if not (other.type == "a" and other.name == name)
                ]
                self._changed()
                return
        self._insert(new)

    def _set_flag(self, name: str, on: bool) -> None:
        if on:
            if not self.has_attribute(name):
                self._insert(Line.attribute(name))
        else:
            self.remove_attribute(name)

    def _insert(self, line: Line) -> None:
        lines = self._all()
        self._changed()
        if line.type == "a":
            name = line.name
            for index in range(len(lines) - 1, -1, -1):
                if lines[index].type == "a" and lines[index].name == name:
                    lines.insert(index + 1, line)
                    return
            if name == "candidate":
                for index, other in enumerate(lines):
                    if other.type == "a" and other.name == "end-of-candidates":
                        lines.insert(index, line)
                        return
            lines.append(line)
            return
        order = self._ORDER
        rank = order.get(line.type, order["k"])
        for index, other in enumerate(lines):
            if other.type and order.get(other.type, order["k"]) > rank:
                lines.insert(index, line)
                return
        lines.append(line)

    def _replace(self, index: int, line: Line | None) -> None:
        """Put ``line`` at ``index`` (delete the line there for ``None``)."""
        lines = self._all()
        if line is None:
            del lines[index]
        else:
            lines[index] = line
        self._changed()

    def _first_field(self, kind: str) -> Line | None:
        for line in self._all():
            if line.type == kind:
                return line
        return None

    def _set_field(self, kind: str, value: object | None) -> None:
        """Replace the first ``<kind>=`` line (remove it for ``None``), or insert one."""
        new = new_field(kind, value) if value is not None else None
        for index, line in enumerate(self._all()):
            if line.type == kind:
                self._replace(index, new)
                return
        if new is not None:
            self._insert(new)

    def _typed_all(self, name: str, parser: Callable[[str], T]) -> list[T]:
        return [line.typed(parser) for line in self._named(name)]

    def _typed_first(self, name: str, parser: Callable[[str], T]) -> T | None:
        line = self._first_attribute(name)
        return line.typed(parser) if line is not None else None

    # -- typed values valid at both levels ----------------------------------------------

    @property
    def connection(self) -> Connection | None:
        line = self._first_field("c")
        return line.typed(Connection.parse) if line is not None else None

    @connection.setter
    def connection(self, value: Connection | None) -> None:
        self._set_field("c", value)

    @property
    def bandwidths(self) -> list[Bandwidth]:
        return [line.typed(Bandwidth.parse) for line in self._all() if line.type == "b"]

    def add_bandwidth(self, bandwidth: Bandwidth) -> None:
        self._insert(new_field("b", bandwidth))

    @property
    def ice_ufrag(self) -> str | None:
        return self.attribute("ice-ufrag")

    @ice_ufrag.setter
    def ice_ufrag(self, value: str | None) -> None:
        self._set_token("ice-ufrag", value)

    @property
    def ice_pwd(self) -> str | None:
        return self.attribute("ice-pwd")

    @ice_pwd.setter
    def ice_pwd(self, value: str | None) -> None:
        self._set_token("ice-pwd", value)

    @property
    def ice_options(self) -> list[str]:
        """Every ``a=ice-options`` token (RFC 8839 §5.6), e.g. ``["trickle"]``."""
        return [
            token
            for value in self.attribute_values("ice-options")
            for token in (value or "").split()
        ]

    @ice_options.setter
    def ice_options(self, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        if any(not token or any(c.isspace() for c in token) for token in tokens):
            raise SdpError(f"bad ice-options {tokens!r}", field="a=ice-options")
        if tokens:
            self.set_attribute("ice-options", " ".join(tokens))
        else:
            self.remove_attribute("ice-options")

    @property
    def ice_lite(self) -> bool:
        return self.has_attribute("ice-lite")

    @ice_lite.setter
    def ice_lite(self, on: bool) -> None:
        self._set_flag("ice-lite", on)

    @property
    def fingerprints(self) -> list[Fingerprint]:
        return self._typed_all("fingerprint", Fingerprint.parse)

    @fingerprints.setter
    def fingerprints(self, values: Iterable[Fingerprint]) -> None:
        self.remove_attribute("fingerprint")
        for value in values:
            self.add_attribute("fingerprint", Fingerprint.parse(str(value)))

    @property
    def setup(self) -> str | None:
        """``a=setup`` role (RFC 4145 §4): active / passive / actpass / holdconn."""
        return self.attribute("setup")

    @setup.setter
    def setup(self, role: str | None) -> None:
        if role is not None and role not in SETUP_ROLES:
            raise SdpError(f"bad setup role {role!r}", field="a=setup")
        if role is None:
            self.remove_attribute("setup")
        else:
            self.set_attribute("setup", role)

    @property
    def direction(self) -> str | None:
        """The explicit direction attribute (RFC 8866 §6.7), ``None`` when absent (the
        first one in document order if a malformed section has several)."""
        present = [name for name in DIRECTIONS if self._named(name)]
        if len(present) > 1:
            lines = self._all()
            present.sort(key=lambda name: lines.index(self._named(name)[0]))
        return present[0] if present else None

    @direction.setter
    def direction(self, value: str | None) -> None:
        if value is not None and value not in DIRECTIONS:
            raise SdpError(f"bad direction {value!r}", field="direction")
        for index, line in enumerate(self._all()):
            if line.type == "a" and line.name in DIRECTIONS:
                if value is None:
                    self._replace(index, None)
                elif line.name != value:
                    self._replace(index, Line.attribute(value))
                return
        if value is not None:
            self._insert(Line.attribute(value))

    @property
    def extmaps(self) -> list[Extmap]:
        return self._typed_all("extmap", Extmap.parse)

    def add_extmap(self, extmap: Extmap) -> None:
        self.add_attribute("extmap", extmap)

    @property
    def extmap_allow_mixed(self) -> bool:
        """RFC 8285 §6: one- and two-byte header extensions may be mixed."""
        return self.has_attribute("extmap-allow-mixed")

    @extmap_allow_mixed.setter
    def extmap_allow_mixed(self, on: bool) -> None:
        self._set_flag("extmap-allow-mixed", on)

    def _transport_lines(self) -> dict[str, Sequence[Line]]:
        """The ICE/DTLS attribute lines of this section by name."""
        return {name: found for name in _TRANSPORT_ATTRIBUTES if (found := self._named(name))}

    def _set_token(self, name: str, value: str | None) -> None:
        if value is None:
            self.remove_attribute(name)
            return
        if not value or any(c.isspace() for c in value):
            raise SdpError(f"bad a={name} value {value!r}", field=f"a={name}")
        self.set_attribute(name, value)

    def serialize(self) -> str:
        """This section's text: received lines as they were, edited ones with CRLF."""
        lines = self._lines
        if lines is None:
            assert self._raw is not None
            return self._raw.text()
        chunks = [line.text + line.eol for line in lines]
        # Only the last received line may lack its line ending; if lines now follow it,
        # end it so the two do not merge.
        for index in range(len(chunks) - 1):
            if not lines[index].eol:
                chunks[index] += "\r\n"
        return "".join(chunks)
