"""Hypothesis: descriptions built through the API serialize, parse back to equal typed
values, and serialize again to the same text."""

from __future__ import annotations

import ipaddress
import string

from hypothesis import given
from hypothesis import strategies as st

from purertc.sdp import (
    Candidate,
    Codec,
    Extmap,
    Fingerprint,
    Group,
    MediaSection,
    Rid,
    SessionDescription,
    Simulcast,
    SimulcastRid,
    Ssrc,
    SsrcGroup,
)
from tests.sdp.sdp_snapshot import snapshot

ICE_CHARS = string.ascii_letters + string.digits + "+/"
TOKEN_CHARS = string.ascii_letters + string.digits + "-_.!~*'"
tokens = st.text(TOKEN_CHARS, min_size=1, max_size=12)
ice_strings = st.text(ICE_CHARS, min_size=4, max_size=32)
ports = st.integers(0, 65535)

addresses = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda a: str(ipaddress.IPv6Address(a))),
    st.uuids().map(lambda u: f"{u}.local"),
)


@st.composite
def candidates(draw: st.DrawFn) -> Candidate:
    transport = draw(st.sampled_from(["udp", "UDP", "tcp", "TCP"]))
    typ = draw(st.sampled_from(["host", "srflx", "prflx", "relay"]))
    related = typ != "host" and draw(st.booleans())
    extension_names = st.text(TOKEN_CHARS, min_size=1, max_size=12).filter(
        lambda name: name not in ("raddr", "rport", "tcptype")
    )
    return Candidate(
        foundation=draw(st.text(ICE_CHARS, min_size=1, max_size=32)),
        component=draw(st.integers(1, 256)),
        transport=transport,
        priority=draw(st.integers(0, 2**32 - 1)),
        address=draw(addresses),
        port=draw(ports),
        type=typ,
        related_address=draw(addresses) if related else None,
        related_port=draw(ports) if related else None,
        tcptype=draw(st.sampled_from([None, "active", "passive", "so"]))
        if transport.lower() == "tcp"
        else None,
        extensions=tuple(draw(st.lists(st.tuples(extension_names, tokens), max_size=3))),
    )


@st.composite
def codec_lists(draw: st.DrawFn) -> list[Codec]:
    pts = draw(st.lists(st.integers(96, 127), min_size=1, max_size=4, unique=True))
    codecs = []
    for pt in pts:
        params = draw(
            st.lists(
                st.tuples(tokens, st.one_of(st.none(), tokens)),
                max_size=3,
                unique_by=lambda pair: pair[0].lower(),
            )
        )
        feedback = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["nack", "ccm", "goog-remb", "transport-cc"]),
                    st.sampled_from([None, "pli", "fir"]),
                ),
                max_size=3,
                unique=True,
            )
        )
        codecs.append(
            Codec(
                pt,
                draw(st.sampled_from(["opus", "VP8", "VP9", "H264", "AV1", "rtx", "red"])),
                draw(st.sampled_from([8000, 48000, 90000])),
                draw(st.sampled_from([None, 1, 2])),
                tuple(params),
                tuple(feedback),
            )
        )
    if draw(st.booleans()):
        codecs.append(Codec(0, "PCMU", 8000, 1))  # a static type, as browsers still offer
    return codecs


@st.composite
def media_sections(draw: st.DrawFn, mid: str) -> MediaSection:
    kind = draw(st.sampled_from(["audio", "video", "application"]))
    if kind == "application":
        media = MediaSection.create(kind, draw(ports), "UDP/DTLS/SCTP", ["webrtc-datachannel"])
        media.sctp_port = draw(ports)
        media.max_message_size = draw(st.one_of(st.none(), st.integers(0, 2**64 - 1)))
    else:
        media = MediaSection.create(kind, draw(ports))
        for codec in draw(codec_lists()):
            media.add_codec(codec)
        ids = draw(st.lists(st.integers(1, 255), max_size=4, unique=True))
        for ext_id in ids:
            media.add_extmap(
                Extmap(
                    ext_id,
                    "urn:ietf:params:rtp-hdrext:" + draw(tokens),
                    draw(st.sampled_from([None, "sendonly", "recvonly"])),
                )
            )
        media.extmap_allow_mixed = draw(st.booleans())
        media.direction = draw(st.sampled_from([None, "sendrecv", "sendonly", "recvonly"]))
        media.rtcp_mux = draw(st.booleans())
        media.rtcp_rsize = draw(st.booleans())
        ssrcs = draw(st.lists(st.integers(0, 2**32 - 1), max_size=3, unique=True))
        for ssrc in ssrcs:
            media.add_ssrc(Ssrc(ssrc, "cname", draw(tokens)))
        if len(ssrcs) >= 2:
            media.add_ssrc_group(SsrcGroup("FID", tuple(ssrcs[:2])))
        if kind == "video" and draw(st.booleans()):
            rids = draw(
                st.lists(
                    st.text(string.ascii_letters, min_size=1, max_size=4),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            )
            for rid in rids:
                media.add_rid(Rid(rid, "send"))
            media.simulcast = Simulcast(
                send=tuple((SimulcastRid(rid, draw(st.booleans())),) for rid in rids)
            )
    media.mid = mid
    media.ice_ufrag = draw(ice_strings)
    media.ice_pwd = draw(ice_strings)
    media.setup = draw(st.sampled_from(["actpass", "active", "passive"]))
    digest = draw(st.binary(min_size=32, max_size=32))
    media.fingerprints = [Fingerprint("sha-256", ":".join(f"{b:02X}" for b in digest))]
    media.bundle_only = draw(st.booleans())
    for candidate in draw(st.lists(candidates(), max_size=3)):
        media.add_candidate(candidate)
    media.end_of_candidates = draw(st.booleans())
    return media


@st.composite
def descriptions(draw: st.DrawFn) -> SessionDescription:
    description = SessionDescription.create(
        draw(st.integers(0, 2**63 - 1)), draw(st.integers(0, 2**32))
    )
    count = draw(st.integers(0, 3))
    mids = [str(index) for index in range(count)]
    if mids and draw(st.booleans()):
        description.add_group(Group("BUNDLE", tuple(mids)))
    description.ice_lite = draw(st.booleans())
    description.ice_options = draw(st.lists(st.sampled_from(["trickle", "ice2"]), unique=True))
    for mid in mids:
        description.media.append(draw(media_sections(mid)))
    return description


@given(descriptions())
def test_built_description_round_trips(description: SessionDescription) -> None:
    text = description.serialize()
    assert "\n" not in text.replace("\r\n", "")
    parsed = SessionDescription.parse(text)
    assert parsed.serialize() == text
    assert parsed.serialize(canonical=True) == text
    assert snapshot(parsed) == snapshot(description)
    for media in parsed.media:
        values = media.attribute_values("candidate")
        assert values == [candidate.to_sdp() for candidate in media.candidates]


@given(candidates())
def test_candidate_round_trips(candidate: Candidate) -> None:
    text = str(candidate)
    assert text.startswith("candidate:")
    assert Candidate.parse(text) == candidate
    assert Candidate.parse("a=" + text) == candidate
    assert Candidate.parse(candidate.to_sdp()) == candidate
