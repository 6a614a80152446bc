"""Splitting SDP text into checked lines, grouped into the session and media sections.

RFC 8866 §5: ``<type>=<value>`` lines ending in CRLF (LF tolerated); ``v=0`` first; the
session part, then one section per ``m=`` line.

What ``parse`` checks (so a document it accepts is structurally sound): every line is
``<type>=<value>`` (or tolerated, below); ``v=0`` comes first and ``o=``/``s=`` exactly once
in the session part; the ``o=``/``c=``/``b=``/``t=``/``m=`` values; and the values of the
attributes in :data:`attributes.PARSE_CHECKS` (candidate, rtpmap, fmtp, extmap, ssrc,
fingerprint, setup, mid, group, ICE credentials, sctp-port, max-message-size). The other
known attributes (rtcp-fb, msid, rid, simulcast...) are checked when their typed value is
first read, which raises the same :class:`SdpError` with the line number. ``Line`` objects
and typed values are built on first access, so parsing stays cheap.

Tolerated (kept, and serialized back as they were): LF-only or mixed line endings, a missing
final newline, blank lines, ``;`` comment lines, unknown line types and unknown attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .attributes import LINE_CHECKS, MEDIA_CHECK, PARSE_CHECKS
from .errors import SdpError
from .lines import Line

# Line types that belong to the session part only (RFC 8866 §5, "Session description").
_SESSION_ONLY = frozenset("vostrzuep")


@dataclass(slots=True)
class RawSection:
    """The checked text of one section: line contents, their line endings, first number."""

    contents: list[str]
    eols: list[str]
    first_number: int

    def build_lines(self) -> list[Line]:
        """The :class:`Line` objects of the section (built when first needed)."""
        new = tuple.__new__  # Line is a NamedTuple: skip its Python-level __new__
        lines: list[Line] = []
        append = lines.append
        number = self.first_number
        for content, eol in zip(self.contents, self.eols, strict=True):
            if content[:2] == "a=":
                name, sep, value = content[2:].partition(":")
                append(new(Line, ("a", name, value if sep else None, content, eol, number)))
            elif content[1:2] == "=":
                append(new(Line, (content[0], "", content[2:], content, eol, number)))
            else:  # a tolerated blank or comment line
                append(new(Line, ("", "", content, content, eol, number)))
            number += 1
        return lines

    def text(self) -> str:
        return "".join(map(str.__add__, self.contents, self.eols))


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Line contents and their line endings (the last one ``""`` if the text lacks it)."""
    if not isinstance(text, str):
        raise SdpError("a session description is text (str)", line=1, field="document")
    # One split for the whole text; the common uniform line endings need no per-line work.
    newlines = text.count("\n")
    crlfs = text.count("\r\n")
    if crlfs == newlines:
        contents = text.split("\r\n")
        eols = ["\r\n"] * (len(contents) - 1)
    elif crlfs == 0:
        contents = text.split("\n")
        eols = ["\n"] * (len(contents) - 1)
    else:
        contents = []
        eols = []
        for part in text.split("\n"):
            if part[-1:] == "\r":
                contents.append(part[:-1])
                eols.append("\r\n")
            else:
                contents.append(part)
                eols.append("\n")
        eols.pop()
    if contents[-1]:
        eols.append("")  # the last line has no line ending
    else:
        contents.pop()
    return contents, eols


def split_sections(text: str) -> tuple[RawSection, list[RawSection]]:
    """Check ``text`` and cut it into the session section and the media sections."""
    contents, eols = split_lines(text)
    if not contents:
        raise SdpError("empty session description", line=1, field="v=")
    checks = PARSE_CHECKS.get
    line_checks = LINE_CHECKS
    starts: list[int] = []  # index of each m= line
    seen: set[str] = set()  # v=, o=, s= in the session part
    in_media = False
    for number, content in enumerate(contents, 1):
        if content[:2] == "a=":
            name, sep, value = content[2:].partition(":")
            check = checks(name)
            if check is not None:
                if not sep:
                    raise SdpError(f"a={name} needs a value", line=number, field=f"a={name}")
                try:
                    result = check(value)
                except SdpError as error:
                    raise error.at_line(number) from None
                if result is None:
                    raise SdpError(
                        f"malformed a={name} value {value[:80]!r}", line=number, field=f"a={name}"
                    )
            if not seen:
                raise SdpError("the first line must be v=", line=number, field="v=")
            continue
        kind = content[:1]
        if content[1:2] == "=" and "a" <= kind <= "z":
            value = content[2:]
            if not seen:
                if kind != "v":
                    raise SdpError("the first line must be v=", line=number, field="v=")
                if value != "0":
                    raise SdpError(f"unsupported version {value[:20]!r}", line=number, field="v=")
                seen.add("v")
                continue
            if kind == "m":
                if MEDIA_CHECK(value) is None:
                    raise SdpError(f"malformed m= line {value[:80]!r}", line=number, field="m=")
                starts.append(number - 1)
                in_media = True
                continue
            if kind in _SESSION_ONLY:
                if in_media:
                    raise SdpError(
                        f"{kind}= is not allowed in a media section", line=number, field=f"{kind}="
                    )
                if kind in "vos":
                    if kind in seen:
                        raise SdpError(f"duplicate {kind}= line", line=number, field=f"{kind}=")
                    seen.add(kind)
            line_check = line_checks.get(kind)
            if line_check is not None and line_check(value) is None:
                raise SdpError(
                    f"malformed {kind}= line {value[:80]!r}", line=number, field=f"{kind}="
                )
        elif content.strip() and kind != ";":
            raise SdpError(
                f"not a <type>=<value> line: {content[:40]!r}", line=number, field="line"
            )
    if not seen:
        raise SdpError("no v= line", line=len(contents), field="v=")
    for kind in "os":
        if kind not in seen:
            raise SdpError(f"missing {kind}= line", line=1, field=f"{kind}=")
    starts.append(len(contents))
    first = starts[0]
    session = RawSection(contents[:first], eols[:first], 1)
    media = []
    for end in starts[1:]:
        media.append(RawSection(contents[first:end], eols[first:end], first + 1))
        first = end
    return session, media
