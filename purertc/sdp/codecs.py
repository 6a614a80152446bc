"""A payload type's codec as one value: ``a=rtpmap`` + ``a=fmtp`` + ``a=rtcp-fb`` joined.

SDP spreads a codec over up to three attributes keyed by payload type (RFC 8866 §6.6 and
§6.15, RFC 4585 §4.2; ``a=rtcp-fb:*`` applies to every payload type). :class:`Codec` is the
joined view ``MediaSection.codecs`` returns and ``MediaSection.add_codec`` writes back.
"""

from __future__ import annotations

from typing import NamedTuple

from .attributes import Fmtp, RtcpFb, Rtpmap, format_parameters

# RFC 3551 §6 static payload types, used when an m-line lists one without a=rtpmap.
STATIC_PAYLOAD_TYPES: dict[int, Rtpmap] = {
    pt: Rtpmap(pt, name, rate, channels)
    for pt, name, rate, channels in (
        (0, "PCMU", 8000, 1),
        (3, "GSM", 8000, 1),
        (4, "G723", 8000, 1),
        (8, "PCMA", 8000, 1),
        (9, "G722", 8000, 1),
        (13, "CN", 8000, 1),
        (18, "G729", 8000, 1),
        (26, "JPEG", 90000, None),
        (31, "H261", 90000, None),
        (32, "MPV", 90000, None),
        (34, "H263", 90000, None),
    )
}


class Codec(NamedTuple):
    payload_type: int
    name: str  # encoding name as written ("opus", "VP8", "H264", "rtx"...)
    clock_rate: int
    channels: int | None = None
    parameters: tuple[tuple[str, str | None], ...] = ()  # the fmtp, in order
    feedback: tuple[tuple[str, str | None], ...] = ()  # (type, parameter) of each rtcp-fb

    def get(self, key: str) -> str | None:
        """Value of fmtp parameter ``key`` (case-insensitive key), or ``None``."""
        key = key.lower()
        for name, value in self.parameters:
            if name.lower() == key:
                return value
        return None

    @property
    def apt(self) -> int | None:
        """For RTX (RFC 4588 §8.1): the payload type this one retransmits."""
        value = self.get("apt")
        if value is None or not (value.isascii() and value.isdigit()) or len(value) > 3:
            return None
        return int(value)

    @property
    def is_rtx(self) -> bool:
        return self.name.lower() == "rtx"

    @property
    def rtpmap(self) -> Rtpmap:
        return Rtpmap(self.payload_type, self.name, self.clock_rate, self.channels)

    @property
    def fmtp(self) -> Fmtp | None:
        if not self.parameters:
            return None
        return Fmtp(str(self.payload_type), format_parameters(self.parameters))

    @property
    def rtcp_feedback(self) -> list[RtcpFb]:
        return [RtcpFb(self.payload_type, kind, param) for kind, param in self.feedback]
