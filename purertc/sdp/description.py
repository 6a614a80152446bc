"""The session description model: the session section and its media sections.

Both kinds of section are a list of :class:`Line` objects in document order, with typed
properties derived from those lines. Reading never changes a line; an edit through a typed
setter (or ``add_attribute``/``remove_attribute``) replaces or inserts lines built by the API,
which serialize canonically (``<type>=<value>`` + CRLF) while every untouched line keeps its
exact received text. New lines go where RFC 8866 §5 puts their type (``v o s i u e p c b t r
z k a`` in the session part, ``m i c b k a`` in a media section); a new attribute goes after
the last attribute of the same name (a candidate before ``a=end-of-candidates``), else at the
end of its section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import ClassVar, NamedTuple, TypeVar

from .attributes import (
    DIRECTIONS,
    LINE_CHECKS,
    SETUP_ROLES,
    Bandwidth,
    Connection,
    Extmap,
    Fingerprint,
    Fmtp,
    Group,
    MediaLine,
    Msid,
    MsidSemantic,
    Origin,
    Rid,
    Rtcp,
    RtcpFb,
    Rtpmap,
    Sctpmap,
    Simulcast,
    Ssrc,
    SsrcGroup,
    Timing,
    check_attribute,
    format_parameters,
    parse_parameters,
)
from .candidate import Candidate
from .codecs import STATIC_PAYLOAD_TYPES, Codec
from .errors import SdpError
from .lines import Line
from .parser import RawSection, split_sections

T = TypeVar("T")
S = TypeVar("S", bound="Section")

_SESSION_ORDER = {kind: index for index, kind in enumerate("vosiuepcbtrzka")}
_MEDIA_ORDER = {kind: index for index, kind in enumerate("micbka")}


def _text(value: str) -> str:
    """A value for a new line: no line breaks or NUL (they would split or end the line)."""
    if "\n" in value or "\r" in value or "\0" in value:
        raise SdpError(f"line break or NUL in value {value[:40]!r}", field="value")
    return value


def _new_attribute(name: str, value: object) -> Line:
    """A checked new ``a=`` line: known attributes obey the same rules as when parsed."""
    if not name or any(c in name for c in ": \r\n\0"):
        raise SdpError(f"bad attribute name {name!r}", field="a=")
    line = Line.attribute(name, value)
    if line.value is not None:
        _text(line.value)
    check_attribute(name, line.value)
    return line


def _new_field(kind: str, value: object) -> Line:
    """A checked new non-attribute line: the rules of a received one."""
    line = Line.field(kind, value)
    text = _text(line.value or "")
    check = LINE_CHECKS.get(kind)
    if check is not None and check(text) is None:
        raise SdpError(f"malformed {kind}= value {line.value!r}", field=f"{kind}=")
    return line


_CODEC_ATTRIBUTES = frozenset({"rtpmap", "rtcp-fb", "fmtp"})
_TRANSPORT_ATTRIBUTES = frozenset(
    {"ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "fingerprint", "setup"}
)

# The RTP payload types as written in an m= line or an a=fmtp (RFC 3550: 0-127).
_PAYLOAD_TYPES = {str(pt): pt for pt in range(128)}


class Section:
    """Lines of one section with the attribute helpers both section kinds share."""

    __slots__ = ("_lines", "_raw")
    _ORDER: ClassVar[dict[str, int]] = _SESSION_ORDER

    def __init__(self, lines: list[Line] | None = None) -> None:
        self._lines: list[Line] | None = lines if lines is not None else []
        self._raw: RawSection | None = None

    @classmethod
    def _received(cls: type[S], raw: RawSection) -> S:
        """A section over checked received text; its ``Line`` objects are built on first use."""
        section = cls.__new__(cls)
        section._lines = None
        section._raw = raw
        return section

    @property
    def lines(self) -> list[Line]:
        """The section's lines in document order (edit through the methods, or directly)."""
        lines = self._lines
        if lines is None:
            assert self._raw is not None
            lines = self._lines = self._raw.build_lines()
        return lines

    @lines.setter
    def lines(self, lines: list[Line]) -> None:
        self._lines = lines

    # -- generic attribute access -------------------------------------------------------

    # Only a= lines have a non-empty ``name``, so matching on it alone finds attributes.

    def attribute_lines(self, name: str) -> list[Line]:
        """The ``a=<name>`` lines, in order."""
        return [line for line in self.lines if line.name == name] if name else []

    def _first_attribute(self, name: str) -> Line | None:
        if name:
            for line in self.lines:
                if line.name == name:
                    return line
        return None

    def has_attribute(self, name: str) -> bool:
        return self._first_attribute(name) is not None

    def attribute(self, name: str) -> str | None:
        """Value of the first ``a=<name>`` (``""`` for a property attribute), or ``None``."""
        line = self._first_attribute(name)
        if line is None:
            return None
        return line.value if line.value is not None else ""

    def attribute_values(self, name: str) -> list[str | None]:
        return [line.value for line in self.lines if line.name == name] if name else []

    def add_attribute(self, name: str, value: object = None) -> Line:
        """Insert ``a=<name>[:<value>]`` (``value`` text or a typed value) and return it."""
        line = _new_attribute(name, value)
        self._insert(line)
        return line

    def remove_attribute(self, name: str, where: Callable[[Line], bool] | None = None) -> int:
        """Remove every ``a=<name>`` (for which ``where(line)`` holds); return how many."""
        before = len(self.lines)
        self.lines = [
            line
            for line in self.lines
            if not (line.type == "a" and line.name == name and (where is None or where(line)))
        ]
        return before - len(self.lines)

    def set_attribute(self, name: str, value: object = None) -> None:
        """Make ``a=<name>[:<value>]`` the only attribute of that name (replaced in place)."""
        new = _new_attribute(name, value)
        for index, line in enumerate(self.lines):
            if line.type == "a" and line.name == name:
                self.lines[index] = new
                self.lines[index + 1 :] = [
                    other
                    for other in self.lines[index + 1 :]
                    if not (other.type == "a" and other.name == name)
                ]
                return
        self._insert(new)

    def _set_flag(self, name: str, on: bool) -> None:
        if on:
            if not self.has_attribute(name):
                self._insert(Line.attribute(name))
        else:
            self.remove_attribute(name)

    def _insert(self, line: Line) -> None:
        lines = self.lines
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

    def _first_field(self, kind: str) -> Line | None:
        for line in self.lines:
            if line.type == kind:
                return line
        return None

    def _set_field(self, kind: str, value: object | None) -> None:
        """Replace the first ``<kind>=`` line (remove it for ``None``), or insert one."""
        new = _new_field(kind, value) if value is not None else None
        for index, line in enumerate(self.lines):
            if line.type == kind:
                if new is None:
                    del self.lines[index]
                else:
                    self.lines[index] = new
                return
        if new is not None:
            self._insert(new)

    def _typed_all(self, name: str, parser: Callable[[str], T]) -> list[T]:
        return [line.typed(parser) for line in self.lines if line.name == name]

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
        return [line.typed(Bandwidth.parse) for line in self.lines if line.type == "b"]

    def add_bandwidth(self, bandwidth: Bandwidth) -> None:
        self._insert(_new_field("b", bandwidth))

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
        """The explicit direction attribute (RFC 8866 §6.7), ``None`` when absent."""
        for line in self.lines:
            if line.type == "a" and line.name in DIRECTIONS:
                return line.name
        return None

    @direction.setter
    def direction(self, value: str | None) -> None:
        if value is not None and value not in DIRECTIONS:
            raise SdpError(f"bad direction {value!r}", field="direction")
        for index, line in enumerate(self.lines):
            if line.type == "a" and line.name in DIRECTIONS:
                if value is None:
                    del self.lines[index]
                elif line.name != value:
                    self.lines[index] = Line.attribute(value)
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

    def _transport_lines(self) -> dict[str, list[Line]]:
        """The ICE/DTLS attribute lines of this section by name, in one pass."""
        found: dict[str, list[Line]] = {}
        for line in self.lines:
            if line.name in _TRANSPORT_ATTRIBUTES:
                found.setdefault(line.name, []).append(line)
        return found

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


class MediaSection(Section):
    """One ``m=`` section; ``lines[0]`` is the ``m=`` line."""

    __slots__ = ()
    _ORDER = _MEDIA_ORDER

    def __init__(self, lines: list[Line]) -> None:
        if not lines or lines[0].type != "m":
            raise SdpError("a media section starts with its m= line", field="m=")
        super().__init__(lines)

    @classmethod
    def create(
        cls,
        kind: str,
        port: int = 9,
        protocol: str = "UDP/TLS/RTP/SAVPF",
        formats: Iterable[str | int] = (),
    ) -> MediaSection:
        """A new section (``formats`` may stay empty until codecs are added)."""
        fmts = tuple(str(f) for f in formats)
        line = MediaLine(kind, port, protocol, fmts)
        _check_media_line(line)
        section = cls([Line.field("m", line)])
        return section

    # -- the m= line -----------------------------------------------------------------

    @property
    def media_line(self) -> MediaLine:
        return self.lines[0].typed(MediaLine.parse)

    @media_line.setter
    def media_line(self, value: MediaLine) -> None:
        _check_media_line(value)
        self.lines[0] = Line.field("m", value)

    @property
    def kind(self) -> str:
        return self.media_line.kind

    @property
    def port(self) -> int:
        return self.media_line.port

    @port.setter
    def port(self, port: int) -> None:
        line = self.media_line
        self.media_line = MediaLine(line.kind, port, line.protocol, line.formats, line.port_count)

    @property
    def protocol(self) -> str:
        return self.media_line.protocol

    @property
    def formats(self) -> tuple[str, ...]:
        return self.media_line.formats

    @formats.setter
    def formats(self, formats: Iterable[str | int]) -> None:
        line = self.media_line
        fmts = tuple(str(f) for f in formats)
        self.media_line = MediaLine(line.kind, line.port, line.protocol, fmts, line.port_count)

    @property
    def rejected(self) -> bool:
        """Port 0 without ``a=bundle-only`` (RFC 8866 §5.14, RFC 9143 §7.3.3)."""
        return self.port == 0 and not self.bundle_only

    def reject(self) -> None:
        """Mark the section rejected in an answer: port 0 and no ``a=bundle-only``."""
        self.port = 0
        self.bundle_only = False

    @property
    def is_data_channel(self) -> bool:
        """SCTP over DTLS: ``UDP/DTLS/SCTP``, ``TCP/DTLS/SCTP`` or legacy ``DTLS/SCTP``."""
        return self.protocol.upper().endswith("DTLS/SCTP")

    # -- identification, bundling, direction ------------------------------------------

    @property
    def mid(self) -> str | None:
        return self.attribute("mid")

    @mid.setter
    def mid(self, value: str | None) -> None:
        self._set_token("mid", value)

    @property
    def bundle_only(self) -> bool:
        return self.has_attribute("bundle-only")

    @bundle_only.setter
    def bundle_only(self, on: bool) -> None:
        self._set_flag("bundle-only", on)

    @property
    def msids(self) -> list[Msid]:
        return self._typed_all("msid", Msid.parse)

    def add_msid(self, msid: Msid) -> None:
        self.add_attribute("msid", msid)

    # -- RTP ---------------------------------------------------------------------------

    @property
    def rtcp_mux(self) -> bool:
        return self.has_attribute("rtcp-mux")

    @rtcp_mux.setter
    def rtcp_mux(self, on: bool) -> None:
        self._set_flag("rtcp-mux", on)

    @property
    def rtcp_rsize(self) -> bool:
        return self.has_attribute("rtcp-rsize")

    @rtcp_rsize.setter
    def rtcp_rsize(self, on: bool) -> None:
        self._set_flag("rtcp-rsize", on)

    @property
    def rtcp(self) -> Rtcp | None:
        return self._typed_first("rtcp", Rtcp.parse)

    @rtcp.setter
    def rtcp(self, value: Rtcp | None) -> None:
        if value is None:
            self.remove_attribute("rtcp")
        else:
            self.set_attribute("rtcp", value)

    @property
    def rtpmaps(self) -> list[Rtpmap]:
        return self._typed_all("rtpmap", Rtpmap.parse)

    @property
    def fmtps(self) -> list[Fmtp]:
        return self._typed_all("fmtp", Fmtp.parse)

    @property
    def rtcp_feedback(self) -> list[RtcpFb]:
        return self._typed_all("rtcp-fb", RtcpFb.parse)

    @property
    def codecs(self) -> list[Codec]:
        """Each RTP payload type of the m-line, in m-line order, rtpmap/fmtp/rtcp-fb joined.

        Static payload types without ``a=rtpmap`` take their RFC 3551 definition; a dynamic
        one without ``a=rtpmap`` cannot be described and is left out. ``a=rtcp-fb:*`` entries
        come first in every codec's feedback.
        """
        rtpmaps: dict[int, Rtpmap] = {}
        fmtps: dict[int, Fmtp] = {}
        feedback: dict[int | None, list[tuple[str, str | None]]] = {}
        for line in self.lines:
            name = line.name
            if name not in _CODEC_ATTRIBUTES:
                continue
            if name == "rtpmap":
                rtpmap = line.typed(Rtpmap.parse)
                rtpmaps.setdefault(rtpmap.payload_type, rtpmap)
            elif name == "rtcp-fb":
                fb = line.typed(RtcpFb.parse)
                entries = feedback.setdefault(fb.payload_type, [])
                entry = (fb.type, fb.parameter)
                if entry not in entries:
                    entries.append(entry)
            else:
                fmtp = line.typed(Fmtp.parse)
                pt = _PAYLOAD_TYPES.get(fmtp.format)
                if pt is not None:
                    fmtps.setdefault(pt, fmtp)
        wildcard = feedback.get(None, [])
        codecs: list[Codec] = []
        seen: set[int] = set()
        for fmt in self.formats:
            pt = _PAYLOAD_TYPES.get(fmt)
            if pt is None or pt in seen:
                continue
            rtpmap_or_none = rtpmaps.get(pt) or STATIC_PAYLOAD_TYPES.get(pt)
            if rtpmap_or_none is None:
                continue
            seen.add(pt)
            fmtp_or_none = fmtps.get(pt)
            own = feedback.get(pt)
            if wildcard:
                fbs = tuple(
                    wildcard + [fb for fb in own if fb not in wildcard] if own else wildcard
                )
            else:
                fbs = tuple(own) if own else ()
            codecs.append(
                Codec(
                    pt,
                    rtpmap_or_none.encoding_name,
                    rtpmap_or_none.clock_rate,
                    rtpmap_or_none.channels,
                    fmtp_or_none.pairs if fmtp_or_none is not None else (),
                    fbs,
                )
            )
        return codecs

    def codec(self, payload_type: int) -> Codec | None:
        for codec in self.codecs:
            if codec.payload_type == payload_type:
                return codec
        return None

    def add_codec(self, codec: Codec) -> None:
        """Append ``codec``: its payload type to the m-line, then rtpmap, fmtp, rtcp-fb."""
        pt = codec.payload_type
        if not 0 <= pt <= 127:
            raise SdpError(f"payload type {pt} out of range", field="payload type")
        if str(pt) in self.formats:
            raise SdpError(f"payload type {pt} already in the m-line", field="payload type")
        self.formats = (*self.formats, str(pt))
        self.add_attribute("rtpmap", Rtpmap.parse(str(codec.rtpmap)))
        for fb in codec.rtcp_feedback:
            self.add_attribute("rtcp-fb", RtcpFb.parse(str(fb)))
        fmtp = codec.fmtp
        if fmtp is not None:
            self.add_attribute("fmtp", Fmtp.parse(_text(str(fmtp))))

    def remove_codec(self, payload_type: int) -> None:
        """Drop the payload type from the m-line with its rtpmap, fmtp and rtcp-fb lines."""
        text = str(payload_type)
        self.formats = tuple(fmt for fmt in self.formats if fmt != text)
        for name in ("rtpmap", "fmtp", "rtcp-fb"):
            self.remove_attribute(name, lambda line: (line.value or "").split(" ", 1)[0] == text)

    def set_codecs(self, codecs: Iterable[Codec]) -> None:
        """Replace every codec (the m-line's formats and their attributes)."""
        for pt in [_PAYLOAD_TYPES.get(fmt) for fmt in self.formats]:
            if pt is not None:
                self.remove_codec(pt)
        self.remove_attribute("rtcp-fb", lambda line: (line.value or "").startswith("* "))
        for codec in codecs:
            self.add_codec(codec)

    def remove_extmap(self, uri: str) -> None:
        self.remove_attribute("extmap", lambda line: line.typed(Extmap.parse).uri == uri)

    @property
    def ssrcs(self) -> list[Ssrc]:
        return self._typed_all("ssrc", Ssrc.parse)

    def add_ssrc(self, ssrc: Ssrc) -> None:
        self.add_attribute("ssrc", ssrc)

    @property
    def ssrc_groups(self) -> list[SsrcGroup]:
        return self._typed_all("ssrc-group", SsrcGroup.parse)

    def add_ssrc_group(self, group: SsrcGroup) -> None:
        self.add_attribute("ssrc-group", group)

    @property
    def rids(self) -> list[Rid]:
        return self._typed_all("rid", Rid.parse)

    def add_rid(self, rid: Rid) -> None:
        self.add_attribute("rid", Rid.parse(_text(str(rid))))

    @property
    def simulcast(self) -> Simulcast | None:
        return self._typed_first("simulcast", Simulcast.parse)

    @simulcast.setter
    def simulcast(self, value: Simulcast | None) -> None:
        if value is None:
            self.remove_attribute("simulcast")
        else:
            self.set_attribute("simulcast", Simulcast.parse(str(value)))

    # -- ICE candidates -----------------------------------------------------------------

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """The ``a=candidate`` lines (a snapshot: edit with add/remove_candidate)."""
        return tuple(self._typed_all("candidate", Candidate.from_value))

    def add_candidate(self, candidate: Candidate) -> None:
        """Insert after the last candidate (before ``a=end-of-candidates``)."""
        self._insert(_new_attribute("candidate", candidate.to_sdp()))

    def remove_candidate(self, candidate: Candidate) -> bool:
        """Remove the first line holding ``candidate``; False if there was none."""
        for index, line in enumerate(self.lines):
            if (
                line.type == "a"
                and line.name == "candidate"
                and line.typed(Candidate.from_value) == candidate
            ):
                del self.lines[index]
                return True
        return False

    @property
    def end_of_candidates(self) -> bool:
        return self.has_attribute("end-of-candidates")

    @end_of_candidates.setter
    def end_of_candidates(self, on: bool) -> None:
        self._set_flag("end-of-candidates", on)

    # -- data channel --------------------------------------------------------------------

    @property
    def sctp_port(self) -> int | None:
        """``a=sctp-port`` (RFC 8841 §5.2); for the legacy form, the ``a=sctpmap`` number."""
        value = self.attribute("sctp-port")
        if value is not None:
            return int(value)
        sctpmap = self.sctpmap
        return sctpmap.number if sctpmap is not None else None

    @sctp_port.setter
    def sctp_port(self, port: int | None) -> None:
        if port is None:
            self.remove_attribute("sctp-port")
        elif not 0 <= port <= 65535:
            raise SdpError(f"sctp-port {port} out of range", field="a=sctp-port")
        else:
            self.set_attribute("sctp-port", str(port))

    @property
    def max_message_size(self) -> int | None:
        """``a=max-message-size`` (RFC 8841 §6); ``None`` when absent (meaning 64 KiB)."""
        value = self.attribute("max-message-size")
        return int(value) if value is not None else None

    @max_message_size.setter
    def max_message_size(self, size: int | None) -> None:
        if size is None:
            self.remove_attribute("max-message-size")
        elif not 0 <= size < 1 << 64:
            raise SdpError(f"max-message-size {size} out of range", field="a=max-message-size")
        else:
            self.set_attribute("max-message-size", str(size))

    @property
    def sctpmap(self) -> Sctpmap | None:
        return self._typed_first("sctpmap", Sctpmap.parse)

    @sctpmap.setter
    def sctpmap(self, value: Sctpmap | None) -> None:
        if value is None:
            self.remove_attribute("sctpmap")
        else:
            self.set_attribute("sctpmap", Sctpmap.parse(str(value)))


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


def _check_media_line(line: MediaLine) -> None:
    """The rules of a received m= line, except that a section being built may have no
    format yet (its codecs come next); such a line does not parse back until it has one."""
    MediaLine.parse(_text(str(line)))


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
        yield from self.lines
        for section in self.media:
            yield from section.lines

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
        self._set_field("s", _text(value) or "-")

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
        self.add_attribute("group", Group.parse(_text(str(group))))

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


__all__ = [
    "MediaSection",
    "Section",
    "SessionDescription",
    "TransportParameters",
    "format_parameters",
    "parse_parameters",
]
