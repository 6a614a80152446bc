"""SDP (RFC 8866) for WebRTC: a lossless parser/serializer, typed access and JSEP helpers.

``SessionDescription.parse(text).serialize() == text`` for any document the parser accepts;
lines changed through the API serialize canonically. Malformed input raises :class:`SdpError`
(a ``ValueError``) naming the line number and the field.

::

    offer = SessionDescription.parse(text)
    for media in offer.media:
        media.kind, media.port, media.mid, media.codecs, media.candidates
        offer.transport(media).ice_ufrag          # media level, else session level
    offer.media[1].direction = "recvonly"         # only that line changes in serialize()
    offer.media[1].add_candidate(Candidate.parse("candidate:1 1 udp 2122260223 ..."))

    answer = SessionDescription.create(session_id=4611731400430051336)
    section = answer_rtp_section(offer.media[0], our_codecs, our_header_extensions)
    answer.media.append(section)
"""

from .attributes import (
    DIRECTIONS,
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
    SimulcastRid,
    Ssrc,
    SsrcGroup,
    Timing,
)
from .candidate import Candidate
from .codecs import STATIC_PAYLOAD_TYPES, Codec
from .description import SessionDescription, TransportParameters
from .errors import SdpError
from .jsep import (
    answer_bundle_group,
    answer_data_channel,
    answer_direction,
    answer_rids,
    answer_rtp_section,
    answer_simulcast,
    data_channel_section,
    negotiate_codecs,
    negotiate_extmaps,
    rejected_section,
)
from .lines import Line
from .media import MediaSection
from .section import Section

__all__ = [
    "DIRECTIONS",
    "SETUP_ROLES",
    "STATIC_PAYLOAD_TYPES",
    "Bandwidth",
    "Candidate",
    "Codec",
    "Connection",
    "Extmap",
    "Fingerprint",
    "Fmtp",
    "Group",
    "Line",
    "MediaLine",
    "MediaSection",
    "Msid",
    "MsidSemantic",
    "Origin",
    "Rid",
    "Rtcp",
    "RtcpFb",
    "Rtpmap",
    "Sctpmap",
    "SdpError",
    "Section",
    "SessionDescription",
    "Simulcast",
    "SimulcastRid",
    "Ssrc",
    "SsrcGroup",
    "Timing",
    "TransportParameters",
    "answer_bundle_group",
    "answer_data_channel",
    "answer_direction",
    "answer_rids",
    "answer_rtp_section",
    "answer_simulcast",
    "data_channel_section",
    "negotiate_codecs",
    "negotiate_extmaps",
    "rejected_section",
]
