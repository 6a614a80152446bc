"""One ``m=`` section (RFC 8866 §5.14) and the typed access WebRTC needs to it: the m= line,
codecs, header extensions, RTP attributes, ICE candidates, simulcast and data channels."""

from __future__ import annotations

from collections.abc import Iterable

from .attributes import (
    Extmap,
    Fmtp,
    MediaLine,
    Msid,
    Rid,
    Rtcp,
    RtcpFb,
    Rtpmap,
    Sctpmap,
    Simulcast,
    Ssrc,
    SsrcGroup,
)
from .candidate import Candidate
from .codecs import STATIC_PAYLOAD_TYPES, Codec
from .errors import SdpError
from .lines import Line
from .section import MEDIA_ORDER, Section, checked_text, new_attribute

# The RTP payload types as written in an m= line or an a=fmtp (RFC 3550: 0-127).
_PAYLOAD_TYPES = {str(pt): pt for pt in range(128)}


class MediaSection(Section):
    """One ``m=`` section; ``lines[0]`` is the ``m=`` line."""

    __slots__ = ()
    _ORDER = MEDIA_ORDER

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
        return self._all()[0].typed(MediaLine.parse)

    @media_line.setter
    def media_line(self, value: MediaLine) -> None:
        _check_media_line(value)
        self._replace(0, Line.field("m", value))

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
        for line in self._named("rtpmap"):
            rtpmap = line.typed(Rtpmap.parse)
            rtpmaps.setdefault(rtpmap.payload_type, rtpmap)
        for line in self._named("rtcp-fb"):
            fb = line.typed(RtcpFb.parse)
            entries = feedback.setdefault(fb.payload_type, [])
            entry = (fb.type, fb.parameter)
            if entry not in entries:
                entries.append(entry)
        for line in self._named("fmtp"):
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
            self.add_attribute("fmtp", Fmtp.parse(checked_text(str(fmtp))))

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
        self.add_attribute("rid", Rid.parse(checked_text(str(rid))))

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
        self._insert(new_attribute("candidate", candidate.to_sdp()))

    def remove_candidate(self, candidate: Candidate) -> bool:
        """Remove the first line holding ``candidate``; False if there was none."""
        for index, line in enumerate(self._all()):
            if (
                line.type == "a"
                and line.name == "candidate"
                and line.typed(Candidate.from_value) == candidate
            ):
                self._replace(index, None)
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


def _check_media_line(line: MediaLine) -> None:
    """The rules of a received m= line, except that a section being built may have no
    format yet (its codecs come next); such a line does not parse back until it has one."""
    MediaLine.parse(checked_text(str(line)))
