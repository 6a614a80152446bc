"""The whole session description: the session-level section and its media sections.

``SessionDescription.parse(text).serialize() == text`` for every document the parser accepts;
see :mod:`.section` for how edits render and where new lines go.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from .attributes import (
    Connection,
    Fingerprint,
    Group,
    MsidSemantic,
    Origin,
    Timing,
)
from .errors import SdpError
from .lines import Line
from .media import MediaSection
from .parser import split_sections
from .section import Section, checked_text


def _decode(data: object) -> str:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise SdpError("a session description is str or UTF-8 bytes", line=1, field="document")
    raw = bytes(data)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SdpError("not valid UTF-8", line=line, field="encoding") from None


def _canonical(line: Line) -> str:
    """A line re-rendered from its value (``serialize(canonical=True)``)."""
    if line.type == "a":
        return ("a=" + line.name if line.value is None else f"a={line.name}:{line.value}") + "\r\n"
    return (line.value or "") + "\r\n" if line.type == "" else f"{line.type}={line.value}\r\n"


class TransportParameters(NamedTuple):
    """What ICE and DTLS use for one media section, media level first, then session level
    (RFC 8839 §5.4-5.6, RFC 8122 §5, RFC 4145 §4 allow these at either level)."""

    ice_ufrag: str | None
    ice_pwd: str | None
    ice_options: tuple[str, ...]
    ice_lite: bool
    fingerprints: tuple[Fingerprint, ...]
    setup: str | None


class SessionDescription(Section):
    """A whole SDP document: the session-level lines and the ``media`` sections.

    ``media`` is a plain list: append, remove or reorder :class:`MediaSection` objects freely.
    """

    __slots__ = ("media",)

    def __init__(self, lines: list[Line] | None = None, media: list[MediaSection] | None = None):
        super().__init__(lines)
        self.media: list[MediaSection] = media if media is not None else []

    @classmethod
    def parse(cls, text: str | bytes) -> SessionDescription:
        """Parse ``text`` (``bytes`` must be UTF-8); raise :class:`SdpError` (line number,
        field) when malformed."""
        if not isinstance(text, str):
            text = _decode(text)
        session, sections = split_sections(text)
        description = cls._received(session)
        description.media = [MediaSection._received(raw) for raw in sections]
        return description

    @classmethod
    def create(
        cls,
        session_id: int,
        session_version: int = 0,
        *,
        username: str = "-",
        address: str = "127.0.0.1",
        session_name: str = "-",
    ) -> SessionDescription:
        """A new document with the mandatory ``v=``, ``o=``, ``s=`` and ``t=0 0`` lines."""
        description = cls()
        description.lines = [Line.field("v", "0")]
        description.origin = Origin(username, session_id, session_version, "IN", "IP4", address)
        description.session_name = session_name
        description.timing = Timing(0, 0)
        return description

    def serialize(self, canonical: bool = False) -> str:
        """The document's text: untouched lines as received, edited ones as ``...\\r\\n``.

        ``canonical=True`` renders every line from its value with CRLF instead.
        """
        if canonical:
            return "".join([_canonical(line) for line in self.all_lines()])
        chunks = [Section.serialize(self)]
        chunks += [section.serialize() for section in self.media]
        for index in range(len(chunks) - 1):
            if chunks[index] and chunks[index][-1] != "\n":
                chunks[index] += "\r\n"
        return "".join(chunks)

    __str__ = serialize

    def __repr__(self) -> str:
        sections = " ".join(f"{m.kind}:{m.mid}" for m in self.media)
        return f"<SessionDescription {len(self.media)} media [{sections}]>"

    def all_lines(self) -> Iterator[Line]:
        yield from self._all()
        for section in self.media:
            yield from section._all()

    # -- RFC 8866 session fields -----------------------------------------------------------

    @property
    def version(self) -> int:
        return 0

    @property
    def origin(self) -> Origin:
        line = self._first_field("o")
        if line is None:
            raise SdpError("missing o= line", field="o=")
        return line.typed(Origin.parse)

    @origin.setter
    def origin(self, value: Origin) -> None:
        self._set_field("o", value)

    @property
    def session_name(self) -> str:
        line = self._first_field("s")
        return line.value or "" if line is not None else ""

    @session_name.setter
    def session_name(self, value: str) -> None:
        self._set_field("s", checked_text(value) or "-")

    @property
    def timing(self) -> Timing | None:
        line = self._first_field("t")
        return line.typed(Timing.parse) if line is not None else None

    @timing.setter
    def timing(self, value: Timing | None) -> None:
        self._set_field("t", value)

    # -- session attributes ------------------------------------------------------------------

    @property
    def groups(self) -> list[Group]:
        return self._typed_all("group", Group.parse)

    def add_group(self, group: Group) -> None:
        self.add_attribute("group", Group.parse(checked_text(str(group))))

    def remove_groups(self, semantics: str) -> None:
        self.remove_attribute("group", lambda line: line.typed(Group.parse).semantics == semantics)

    @property
    def bundle_groups(self) -> list[Group]:
        return [group for group in self.groups if group.semantics == "BUNDLE"]

    @property
    def msid_semantics(self) -> list[MsidSemantic]:
        return self._typed_all("msid-semantic", MsidSemantic.parse)

    # -- lookups across sections ---------------------------------------------------------------

    def media_by_mid(self, mid: str) -> MediaSection | None:
        for section in self.media:
            if section.mid == mid:
                return section
        return None

    def transport(self, media: MediaSection) -> TransportParameters:
        """ICE/DTLS parameters for ``media``: media-level value, else the session-level one."""
        ours = media._transport_lines()
        session = self._transport_lines()

        def first(name: str) -> str | None:
            lines = ours.get(name) or session.get(name)
            return lines[0].value if lines else None

        options = ours.get("ice-options") or session.get("ice-options") or []
        fingerprints = ours.get("fingerprint") or session.get("fingerprint") or []
        return TransportParameters(
            first("ice-ufrag"),
            first("ice-pwd"),
            tuple(token for line in options for token in (line.value or "").split()),
            "ice-lite" in ours or "ice-lite" in session,
            tuple(line.typed(Fingerprint.parse) for line in fingerprints),
            first("setup"),
        )

    def effective_direction(self, media: MediaSection) -> str:
        """Media-level direction, else session-level, else ``sendrecv`` (RFC 8866 §6.7)."""
        return media.direction or self.direction or "sendrecv"

    def effective_connection(self, media: MediaSection) -> Connection | None:
        return media.connection or self.connection
