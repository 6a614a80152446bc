"""Typed access and editing: untouched lines stay byte-exact, edits render canonically."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from purertc.sdp import (
    Candidate,
    Codec,
    Connection,
    Extmap,
    Fingerprint,
    Group,
    MediaSection,
    Origin,
    RtcpFb,
    SdpError,
    SessionDescription,
    Ssrc,
)
from tests.support import vector_path


def _vector(name: str) -> str:
    return vector_path(f"sdp/{name}").read_bytes().decode("utf-8")


CHROME_VIDEO = "chrome_video_aiortc.sdp"  # CRLF
CHROMIUM120 = "chromium120_audio_video_offer_exwebrtc.sdp"  # LF
NO_FINAL_NEWLINE = "chrome_datachannel_only_offer_sdptransform.sdp"


def _diff(before: str, after: str) -> list[tuple[str, str]]:
    """Lines (with endings) that differ between two texts of equal line count."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_edit_direction_changes_only_that_line_lf_document() -> None:
    text = _vector(CHROMIUM120)
    description = SessionDescription.parse(text)
    video = description.media[1]
    assert video.direction == "sendrecv"
    video.direction = "recvonly"
    after = description.serialize()
    assert _diff(text, after) == [("a=sendrecv\n", "a=recvonly\r\n")]
    assert SessionDescription.parse(after).media[1].direction == "recvonly"
    assert description.media[0].lines[0].edited is False


def test_reject_sets_port_zero_and_keeps_the_rest() -> None:
    text = _vector(CHROME_VIDEO)
    description = SessionDescription.parse(text)
    media = description.media[0]
    old_m_line = media.lines[0].text
    media.reject()
    assert media.port == 0 and media.rejected
    changes = _diff(text, description.serialize())
    assert changes == [(old_m_line + "\r\n", old_m_line.replace("34955", "0", 1) + "\r\n")]


def test_add_candidate_goes_before_end_of_candidates() -> None:
    text = _vector("jsep_offer_bundle_only_sdptransform.sdp")
    description = SessionDescription.parse(text)
    audio = description.media[0]
    candidate = Candidate.parse(
        "candidate:3 1 udp 1694498815 198.51.100.7 61665 typ srflx "
        "raddr 10.0.1.1 rport 56500 generation 0"
    )
    audio.add_candidate(candidate)
    names = [line.name for line in audio.lines if line.type == "a"]
    assert names.index("end-of-candidates") == names.index("candidate") + 3
    assert audio.candidates[-1] == candidate
    reparsed = SessionDescription.parse(description.serialize())
    assert reparsed.media[0].candidates == audio.candidates
    assert audio.remove_candidate(candidate) is True
    assert audio.remove_candidate(candidate) is False
    assert description.serialize() == text


def test_media_appended_after_unterminated_last_line() -> None:
    text = _vector(NO_FINAL_NEWLINE)
    assert not text.endswith("\n")
    description = SessionDescription.parse(text)
    extra = MediaSection.create("audio", 9, "UDP/TLS/RTP/SAVPF", [0])
    extra.mid = "a1"
    description.media.append(extra)
    after = description.serialize()
    assert after == text + "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:a1\r\n"
    reparsed = SessionDescription.parse(after)
    assert [m.mid for m in reparsed.media] == ["data", "a1"]


def test_attribute_appended_to_unterminated_section() -> None:
    text = _vector(NO_FINAL_NEWLINE)
    description = SessionDescription.parse(text)
    description.media[0].add_attribute("x-custom", "1")
    after = description.serialize()
    assert after == text + "\r\na=x-custom:1\r\n"


def test_build_from_scratch_is_crlf_in_rfc_order() -> None:
    description = SessionDescription.create(4611731400430051336, 2)
    description.add_group(Group("BUNDLE", ("0", "1")))
    description.ice_options = ["trickle"]
    audio = MediaSection.create("audio", 9)
    audio.add_attribute("rtcp", "9 IN IP4 0.0.0.0")
    audio.mid = "0"
    audio.ice_ufrag = "abcd"
    audio.ice_pwd = "0123456789012345678901"
    audio.fingerprints = [Fingerprint("sha-256", "AB:CD")]
    audio.setup = "actpass"
    audio.direction = "sendrecv"
    audio.rtcp_mux = True
    audio.add_codec(
        Codec(
            111,
            "opus",
            48000,
            2,
            (("minptime", "10"), ("useinbandfec", "1")),
            (("transport-cc", None),),
        )
    )
    audio.add_codec(Codec(0, "PCMU", 8000))
    audio.connection = Connection("IN", "IP4", "0.0.0.0")  # goes right after the m= line
    description.media.append(audio)
    video = MediaSection.create("video", 9)
    video.mid = "1"
    video.add_codec(Codec(96, "VP8", 90000, feedback=(("nack", None), ("nack", "pli"))))
    video.add_codec(Codec(97, "rtx", 90000, parameters=(("apt", "96"),)))
    video.add_extmap(Extmap(3, "urn:ietf:params:rtp-hdrext:sdes:mid"))
    video.add_ssrc(Ssrc(1234, "cname", "x"))
    description.media.append(video)
    text = description.serialize()
    assert text == (
        "v=0\r\n"
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
        "s=-\r\n"
        "t=0 0\r\n"
        "a=group:BUNDLE 0 1\r\n"
        "a=ice-options:trickle\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n"
        "c=IN IP4 0.0.0.0\r\n"
        "a=rtcp:9 IN IP4 0.0.0.0\r\n"
        "a=mid:0\r\n"
        "a=ice-ufrag:abcd\r\n"
        "a=ice-pwd:0123456789012345678901\r\n"
        "a=fingerprint:sha-256 AB:CD\r\n"
        "a=setup:actpass\r\n"
        "a=sendrecv\r\n"
        "a=rtcp-mux\r\n"
        "a=rtpmap:111 opus/48000/2\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtcp-fb:111 transport-cc\r\n"
        "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
        "a=mid:1\r\n"
        "a=rtpmap:96 VP8/90000\r\n"
        "a=rtpmap:97 rtx/90000\r\n"
        "a=rtcp-fb:96 nack\r\n"
        "a=rtcp-fb:96 nack pli\r\n"
        "a=fmtp:97 apt=96\r\n"
        "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
        "a=ssrc:1234 cname:x\r\n"
    )
    reparsed = SessionDescription.parse(text)
    assert reparsed.serialize() == text
    assert reparsed.media[0].codecs == audio.codecs
    assert reparsed.media[0].codecs[1] == Codec(0, "PCMU", 8000)
    assert reparsed.media[1].codecs[1].apt == 96


def test_codecs_join_rtpmap_fmtp_feedback_and_wildcard() -> None:
    text = (
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 0 35\r\n"
        "a=rtcp-fb:* nack\r\n"
        "a=rtpmap:96 VP8/90000\r\n"
        "a=rtcp-fb:96 nack\r\n"
        "a=rtcp-fb:96 ccm fir\r\n"
        "a=rtpmap:97 rtx/90000\r\n"
        "a=fmtp:97 apt=96\r\n"
    )
    media = SessionDescription.parse(text).media[0]
    codecs = media.codecs
    # 35 is dynamic-range-free but unmapped: left out; 0 is PCMU from the static table.
    assert [c.payload_type for c in codecs] == [96, 97, 0]
    assert codecs[0].feedback == (("nack", None), ("ccm", "fir"))
    assert codecs[1].feedback == (("nack", None),)
    assert codecs[1].apt == 96 and codecs[1].is_rtx
    assert codecs[2].name == "PCMU" and codecs[2].clock_rate == 8000


def test_remove_and_replace_codecs() -> None:
    description = SessionDescription.parse(_vector(CHROME_VIDEO))
    media = description.media[0]
    vp8 = next(c for c in media.codecs if c.name == "VP8")
    media.remove_codec(vp8.payload_type)
    assert str(vp8.payload_type) not in media.formats
    assert all(fb.payload_type != vp8.payload_type for fb in media.rtcp_feedback)
    kept = [c for c in media.codecs if c.name in ("VP9", "rtx") and c.apt in (None, 98)]
    assert [c.payload_type for c in kept] == [98, 99]
    media.set_codecs(kept)
    reparsed = SessionDescription.parse(description.serialize()).media[0]
    assert reparsed.codecs == kept
    assert not reparsed.fmtps or all(
        int(f.format) in {c.payload_type for c in kept} for f in reparsed.fmtps
    )


def test_session_level_transport_inheritance() -> None:
    description = SessionDescription.parse(_vector("obs_libdatachannel_whip_offer_exwebrtc.sdp"))
    video = description.media[1]
    assert video.ice_ufrag is None
    transport = description.transport(video)
    assert transport.ice_ufrag == description.ice_ufrag is not None
    assert transport.ice_pwd == description.ice_pwd is not None
    assert transport.fingerprints == tuple(description.fingerprints)
    assert transport.ice_options == ("ice2,trickle",)
    lite = SessionDescription.parse(_vector("ice_lite_edited_aiortc.sdp"))
    assert lite.transport(lite.media[0]).ice_lite is True


def test_effective_direction_defaults_and_session_level() -> None:
    description = SessionDescription.parse(_vector("firefox152_simulcast_offer_webrtcrs.sdp"))
    assert description.direction == "sendrecv"
    plain = SessionDescription.parse(
        _vector("rfc_offer_answer_rejected_video_libwebrtc_corpus.sdp")
    )
    assert plain.media[0].direction is None
    assert plain.effective_direction(plain.media[0]) == "sendrecv"


def test_simulcast_and_rids() -> None:
    description = SessionDescription.parse(_vector("rfc_simulcast_draft_sdptransform.sdp"))
    video = description.media[1]
    assert [rid.id for rid in video.rids] == ["1", "2", "3", "4", "c"]
    assert video.rids[0].payload_types == (97,)
    simulcast = video.simulcast
    assert simulcast is not None
    assert [[r.rid for r in alts] for alts in simulcast.send] == [["1", "4"], ["2"], ["3"]]
    assert simulcast.send[0][1].paused is True
    assert str(simulcast) == "send 1,~4;2;3 recv c"
    draft = video.attribute_values("simulcast")[1]
    assert draft is not None
    from purertc.sdp import Simulcast

    assert Simulcast.parse(draft) == simulcast  # the draft-03 form reads the same


def test_data_channel_sections() -> None:
    modern = SessionDescription.parse(_vector(NO_FINAL_NEWLINE)).media[0]
    assert modern.is_data_channel and modern.protocol == "UDP/DTLS/SCTP"
    assert modern.sctp_port == 5000 and modern.max_message_size == 10000
    legacy = SessionDescription.parse(_vector("firefox58_datachannel_legacy_sctpmap_aiortc.sdp"))
    section = legacy.media[0]
    assert section.protocol == "DTLS/SCTP" and section.sctpmap is not None
    assert section.sctp_port == 5000 and section.sctpmap.streams == 256
    section.max_message_size = 65536
    section.sctp_port = 5001
    reparsed = SessionDescription.parse(legacy.serialize()).media[0]
    assert reparsed.max_message_size == 65536 and reparsed.attribute("sctp-port") == "5001"


def test_origin_groups_and_canonical_serialize() -> None:
    text = _vector(CHROMIUM120)
    description = SessionDescription.parse(text)
    origin = description.origin
    description.origin = Origin(origin.username, origin.session_id, origin.session_version + 1)
    description.remove_groups("BUNDLE")
    description.add_group(Group("BUNDLE", ("1",)))
    after = SessionDescription.parse(description.serialize())
    assert after.origin.session_version == origin.session_version + 1
    assert after.bundle_groups == [Group("BUNDLE", ("1",))]
    canonical = SessionDescription.parse(text).serialize(canonical=True)
    assert canonical == text.replace("\n", "\r\n")


HEAD = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n"


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("", 1, "v="),
        ("o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\n", 1, "v="),
        ("v=1\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n", 1, "v="),
        ("v=0\r\no=- x 1 IN IP4 0.0.0.0\r\ns=-\r\n", 2, "o="),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4\r\n", 4, "c="),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 70000 RTP/AVP 0\r\n", 4, "m="),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP\r\n", 4, "m="),
        (
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:128 x/1\r\n",
            5,
            "a=rtpmap",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\na=setup:maybe\r\n",
            5,
            "a=setup",
        ),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\na=mid\r\n", 5, "a=mid"),
        (
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\n"
            "a=candidate:1 1 udp 1 1.2.3.4 9 typ host rport 99999\r\n",
            5,
            "candidate rport",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\na=extmap:x urn:a\r\n",
            5,
            "a=extmap",
        ),
        (
            HEAD + "m=audio 9 RTP/AVP 0\r\na=fingerprint:sha-1 Z\r\n",
            5,
            "a=fingerprint",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\na=ssrc:-1 cname:x\r\n",
            5,
            "a=ssrc",
        ),
        (
            HEAD + "m=audio 9 RTP/AVP 0\r\no=- 1 1 IN IP4 0.0.0.0\r\n",
            5,
            "o=",
        ),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\ngarbage\r\n", 4, "line"),
        ("v=0\r\ns=-\r\n", 1, "o="),
    ],
)
def test_errors_name_line_and_field(text: str, line: int, field: str) -> None:
    with pytest.raises(SdpError) as info:
        SessionDescription.parse(text)
    assert info.value.line == line
    assert info.value.field == field
    assert str(info.value).startswith(f"line {line}: ")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("line", "read", "field"),
    [
        ("a=rtcp-fb:x nack", lambda m: m.rtcp_feedback, "a=rtcp-fb"),
        ("a=rtcp-fb:96", lambda m: m.codecs, "a=rtcp-fb"),
        ("a=msid:", lambda m: m.msids, "a=msid"),
        ("a=rid:1 both", lambda m: m.rids, "a=rid"),
        ("a=simulcast:sideways 1", lambda m: m.simulcast, "a=simulcast"),
        ("a=simulcast:send 1;;2", lambda m: m.simulcast, "a=simulcast"),
        ("a=sctpmap:x webrtc-datachannel", lambda m: m.sctp_port, "a=sctpmap"),
        ("a=ssrc-group:FID x", lambda m: m.ssrc_groups, "a=ssrc-group"),
        ("a=rtcp:99999", lambda m: m.rtcp, "a=rtcp"),
        ("a=rid:1 send pt=x", lambda m: m.rids[0].payload_types, "a=rid pt"),
    ],
)
def test_lazily_checked_attributes_raise_sdp_error_on_access(
    line: str, read: Callable[[MediaSection], object], field: str
) -> None:
    text = HEAD + "m=video 9 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n" + line + "\r\n"
    media = SessionDescription.parse(text).media[0]  # parse itself accepts the document
    with pytest.raises(SdpError) as info:
        read(media)
    assert info.value.field == field
    if field != "a=rid pt":
        assert info.value.line == 6


def test_api_rejects_malformed_values() -> None:
    media = MediaSection.create("audio")
    with pytest.raises(SdpError):
        media.add_attribute("rtpmap", "x")
    with pytest.raises(SdpError):
        media.add_attribute("bad name", "1")
    with pytest.raises(SdpError):
        media.mid = "two words"
    with pytest.raises(SdpError):
        media.add_attribute("x-note", "line\r\nbreak")
    with pytest.raises(SdpError):
        media.direction = "sideways"
    with pytest.raises(SdpError):
        media.port = 70000
    with pytest.raises(SdpError):
        media.add_codec(Codec(200, "x", 1))
    with pytest.raises(SdpError):
        media.add_attribute("rtcp-fb", str(RtcpFb(None, "")))


def test_bytes_input_and_bad_encoding() -> None:
    text = _vector(CHROME_VIDEO)
    assert SessionDescription.parse(text.encode()).serialize() == text
    with pytest.raises(SdpError) as info:
        SessionDescription.parse(b"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=\xff\r\n")
    assert info.value.line == 3 and info.value.field == "encoding"


def test_api_checks_non_attribute_lines() -> None:
    description = SessionDescription.create(1)
    with pytest.raises(SdpError):
        description.connection = Connection("IN", "IP4", "two words")
    with pytest.raises(SdpError):
        description.origin = Origin("-", -1, 0)
    with pytest.raises(SdpError):
        description.session_name = "a\nb"


def test_mixed_line_endings_round_trip() -> None:
    lines = _vector(CHROMIUM120).split("\n")
    text = "".join(
        line + ("\r\n" if index % 3 == 0 else "\n") for index, line in enumerate(lines[:-1])
    )
    description = SessionDescription.parse(text)
    assert description.serialize() == text
    assert [line.eol for line in description.all_lines()][:4] == ["\r\n", "\n", "\n", "\r\n"]
    assert description.serialize(canonical=True) == text.replace("\r\n", "\n").replace("\n", "\r\n")


def test_canonical_serialize_ends_the_last_line() -> None:
    text = _vector(NO_FINAL_NEWLINE)
    canonical = SessionDescription.parse(text).serialize(canonical=True)
    assert canonical == text.replace("\n", "\r\n") + "\r\n"


def test_deepcopy_is_independent() -> None:
    import copy

    text = _vector(CHROME_VIDEO)
    original = SessionDescription.parse(text)
    clone = copy.deepcopy(original)
    clone.media[0].direction = "inactive"
    assert original.serialize() == text
    assert clone.media[0].direction == "inactive"


def test_reads_after_edits_see_the_edits() -> None:
    """Typed reads use a per-section index: every kind of edit must refresh it."""
    description = SessionDescription.parse(_vector(CHROMIUM120))
    audio = description.media[0]
    assert audio.mid == "0" and audio.direction == "sendrecv" and audio.rtcp_mux
    audio.mid = "a"  # set_attribute, in place
    assert audio.mid == "a"
    audio.direction = None  # a removal by index
    assert audio.direction is None
    audio.direction = "sendonly"  # an insertion
    assert audio.direction == "sendonly"
    audio.rtcp_mux = False  # remove_attribute
    assert not audio.rtcp_mux and not audio.has_attribute("rtcp-mux")
    audio.add_attribute("x-extra", "1")
    assert audio.attribute_values("x-extra") == ["1"]
    audio.lines = [line for line in audio.lines if line.name != "x-extra"]  # wholesale
    assert audio.attribute("x-extra") is None
    audio.port = 0  # the m= line
    assert audio.port == 0 and audio.rejected
    description.ice_lite = True
    assert description.transport(audio).ice_lite
    assert audio.attribute_lines("extmap")[0].name == "extmap"
