"""JSEP answer helpers, exercised with the browser offers in the shared vectors."""

from __future__ import annotations

import pytest

from purertc.sdp import Codec, Extmap, Group, SdpError, SessionDescription
from purertc.sdp.jsep import (
    H264Profile,
    answer_bundle_group,
    answer_data_channel,
    answer_direction,
    answer_rids,
    answer_rtp_section,
    answer_simulcast,
    data_channel_section,
    negotiate_codecs,
    negotiate_extmaps,
    parse_profile_level_id,
    rejected_section,
    reverse_direction,
)
from tests.support import vector_path


def _offer(name: str) -> SessionDescription:
    return SessionDescription.parse(vector_path(f"sdp/{name}").read_bytes().decode("utf-8"))


CHROMIUM120 = "chromium120_audio_video_offer_exwebrtc.sdp"
FIREFOX152 = "firefox152_simulcast_offer_webrtcrs.sdp"
FEEDBACK = (("nack", None), ("nack", "pli"), ("transport-cc", None))

OPUS = Codec(111, "OPUS", 48000, 2, (("minptime", "10"), ("useinbandfec", "1")),
             (("transport-cc", None),))  # fmt: skip
PCMU = Codec(0, "PCMU", 8000)
VP8 = Codec(96, "VP8", 90000, feedback=FEEDBACK)
VP9_PROFILE_0 = Codec(98, "VP9", 90000, None, (("profile-id", "0"),), FEEDBACK)
H264_CB = Codec(
    102, "H264", 90000, None,
    (("packetization-mode", "1"), ("profile-level-id", "42e01f")), FEEDBACK,
)  # fmt: skip
RTX = Codec(97, "rtx", 90000)


def test_audio_codecs_keep_offer_payload_types_and_order() -> None:
    audio = _offer(CHROMIUM120).media[0]
    answer = negotiate_codecs(audio.codecs, [PCMU, OPUS])
    assert [(c.payload_type, c.name) for c in answer] == [(111, "opus"), (0, "PCMU")]
    assert answer[0].parameters == OPUS.parameters
    assert answer[0].feedback == (("transport-cc", None),)
    ours_first = negotiate_codecs(audio.codecs, [PCMU, OPUS], local_order=True)
    assert [c.payload_type for c in ours_first] == [0, 111]


def test_channels_and_clock_rate_must_match() -> None:
    audio = _offer(CHROMIUM120).media[0]
    mono_opus = OPUS._replace(channels=1)
    assert negotiate_codecs(audio.codecs, [mono_opus]) == []
    assert negotiate_codecs(audio.codecs, [Codec(0, "PCMU", 16000)]) == []
    # A missing channel count means one channel: "G722/8000" matches G722/8000/1.
    assert [
        c.payload_type for c in negotiate_codecs(audio.codecs, [Codec(9, "g722", 8000, 1)])
    ] == [9]


def test_video_codecs_rtx_follows_its_apt_and_feedback_is_intersected() -> None:
    video = _offer(CHROMIUM120).media[1]
    answer = negotiate_codecs(video.codecs, [VP8, RTX])
    assert [(c.payload_type, c.name, c.apt) for c in answer] == [(96, "VP8", None), (97, "rtx", 96)]
    # Chrome also offers goog-remb and ccm fir: we did not list them.
    assert answer[0].feedback == (("transport-cc", None), ("nack", None), ("nack", "pli"))
    # Without a local rtx, no RTX is answered; without VP8, its RTX goes too.
    assert [c.name for c in negotiate_codecs(video.codecs, [VP8])] == ["VP8"]
    assert [c.name for c in negotiate_codecs(video.codecs, [VP9_PROFILE_0, RTX])] == ["VP9", "rtx"]


def test_vp9_profile_id_must_match() -> None:
    video = _offer(CHROMIUM120).media[1]
    answer = negotiate_codecs(video.codecs, [VP9_PROFILE_0])
    assert [c.payload_type for c in answer] == [98]  # 100 is profile-id=2
    profile_2 = VP9_PROFILE_0._replace(parameters=(("profile-id", "2"),))
    assert [c.payload_type for c in negotiate_codecs(video.codecs, [profile_2])] == [100]


def test_h264_profile_and_packetization_mode() -> None:
    video = _offer(CHROMIUM120).media[1]
    answer = negotiate_codecs(video.codecs, [H264_CB, RTX])
    # 42e01f with packetization-mode=1 only: 42001f is Baseline (not constrained),
    # 108 has packetization-mode=0, 127/39 are Main.
    assert [(c.payload_type, c.apt) for c in answer] == [(106, None), (107, 106)]
    mode0 = H264_CB._replace(parameters=(("profile-level-id", "42e01f"),))
    assert [c.payload_type for c in negotiate_codecs(video.codecs, [mode0])] == [108]


@pytest.mark.parametrize(
    ("ours", "theirs", "answered"),
    [
        ("42e01f", "42e034", "42e01f"),
        ("42e034", "42e00b", "42e00b"),
        ("640c1f", "640c28", "640c1f"),
    ],
)
def test_h264_level_is_the_lower_one(ours: str, theirs: str, answered: str) -> None:
    offered = Codec(120, "H264", 90000, None, (("profile-level-id", theirs),
                                               ("packetization-mode", "1")))  # fmt: skip
    local = Codec(1, "H264", 90000, None, (("packetization-mode", "1"),
                                           ("profile-level-id", ours)))  # fmt: skip
    [answer] = negotiate_codecs([offered], [local])
    assert answer.payload_type == 120
    assert answer.get("profile-level-id") == answered


def test_profile_level_id_parsing() -> None:
    assert parse_profile_level_id("42e01f") == H264Profile("constrained-baseline", 31)
    assert parse_profile_level_id("42001f") == H264Profile("baseline", 31)
    assert parse_profile_level_id("4d001f") == H264Profile("main", 31)
    assert parse_profile_level_id("640c34") == H264Profile("constrained-high", 52)
    assert parse_profile_level_id("42f00b") == H264Profile("constrained-baseline", 9)  # 1b
    assert parse_profile_level_id(None) == H264Profile("baseline", 10)
    assert parse_profile_level_id("zz0000") is None
    assert parse_profile_level_id("4200") is None


def test_firefox_offer_codecs() -> None:
    video = _offer(FIREFOX152).media[0]
    answer = negotiate_codecs(video.codecs, [VP8, RTX, Codec(35, "AV1", 90000)])
    assert [(c.payload_type, c.name, c.apt) for c in answer] == [
        (120, "VP8", None),
        (124, "rtx", 120),
        (99, "AV1", None),
        (100, "rtx", 99),
    ]


def test_extmaps_keep_offerer_ids() -> None:
    video = _offer(FIREFOX152).media[0]
    answer = negotiate_extmaps(
        video.extmaps,
        ["urn:ietf:params:rtp-hdrext:sdes:mid", "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
         "urn:example:unknown"],
    )  # fmt: skip
    assert answer == [
        Extmap(3, "urn:ietf:params:rtp-hdrext:sdes:mid"),
        Extmap(9, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "recvonly"),
    ]


@pytest.mark.parametrize(
    ("offered", "send", "recv", "answer"),
    [
        ("sendrecv", True, True, "sendrecv"),
        ("sendrecv", True, False, "sendonly"),
        ("sendrecv", False, True, "recvonly"),
        ("sendrecv", False, False, "inactive"),
        ("sendonly", True, True, "recvonly"),
        ("sendonly", True, False, "inactive"),
        ("recvonly", True, True, "sendonly"),
        ("recvonly", False, True, "inactive"),
        ("inactive", True, True, "inactive"),
    ],
)
def test_answer_direction(offered: str, send: bool, recv: bool, answer: str) -> None:
    assert answer_direction(offered, send=send, recv=recv) == answer


def test_direction_helpers() -> None:
    assert reverse_direction("sendonly") == "recvonly"
    assert reverse_direction("inactive") == "inactive"
    with pytest.raises(SdpError):
        answer_direction("sideways", send=True, recv=True)


def test_bundle_group_only_lists_accepted_mids() -> None:
    offer = _offer("chrome_mac_1v1a1d_offer_kvs.sdp")  # offers BUNDLE 0 1 2 3 4 5
    assert answer_bundle_group(offer, ["0", "2"]) == Group("BUNDLE", ("0", "2"))
    # The offerer-tagged section (mid 0) carries the transport: without it, no group.
    assert answer_bundle_group(offer, ["1", "2"]) is None
    assert answer_bundle_group(_offer("rfc_simulcast_draft_sdptransform.sdp"), ["x"]) is None


def test_rejected_section_keeps_protocol_formats_and_mid() -> None:
    video = _offer(CHROMIUM120).media[1]
    rejected = rejected_section(video)
    assert rejected.port == 0 and rejected.rejected
    assert rejected.protocol == video.protocol and rejected.formats == video.formats
    assert rejected.mid == "1"
    assert rejected.serialize().startswith("m=video 0 UDP/TLS/RTP/SAVPF 96 97 ")


def test_answer_rtp_section_to_chromium_offer() -> None:
    offer = _offer(CHROMIUM120)
    audio, video = offer.media
    audio_answer = answer_rtp_section(
        audio, [OPUS], ["urn:ietf:params:rtp-hdrext:sdes:mid"], send=False, recv=True
    )
    assert audio_answer.formats == ("111",)
    assert audio_answer.direction == "recvonly"
    assert audio_answer.mid == "0" and audio_answer.rtcp_mux
    assert [e.id for e in audio_answer.extmaps] == [4]
    # No video codec in common: the answer rejects the section.
    video_answer = answer_rtp_section(video, [Codec(96, "H265", 90000)])
    assert video_answer.rejected and video_answer.mid == "1"
    answer = SessionDescription.create(1, 1)
    bundle = answer_bundle_group(offer, [m.mid for m in (audio_answer, video_answer)
                                         if not m.rejected and m.mid is not None])  # fmt: skip
    assert bundle == Group("BUNDLE", ("0",))
    answer.add_group(bundle)
    answer.media += [audio_answer, video_answer]
    text = answer.serialize()
    reparsed = SessionDescription.parse(text)
    assert reparsed.serialize() == text
    assert [m.port for m in reparsed.media] == [9, 0]
    assert reparsed.media[0].codecs == audio_answer.codecs


def test_bundle_only_offer_section_is_not_rejected() -> None:
    offer = _offer("jsep_offer_bundle_only_sdptransform.sdp")
    video = offer.media[1]
    assert video.port == 0 and video.bundle_only and not video.rejected
    codec = video.codecs[0]
    answer = answer_rtp_section(video, [codec._replace(payload_type=50)])
    assert not answer.rejected and answer.formats == (str(codec.payload_type),)


def test_data_channel_sections() -> None:
    modern = data_channel_section("2", max_message_size=65536)
    assert modern.serialize() == (
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
        "c=IN IP4 0.0.0.0\r\n"
        "a=mid:2\r\n"
        "a=sctp-port:5000\r\n"
        "a=max-message-size:65536\r\n"
    )
    legacy = data_channel_section("data", legacy=True)
    assert legacy.protocol == "DTLS/SCTP" and legacy.formats == ("5000",)
    assert str(legacy.sctpmap) == "5000 webrtc-datachannel 65535"


def test_answer_data_channel_in_kind() -> None:
    modern_offer = _offer("chrome_datachannel_only_offer_sdptransform.sdp").media[0]
    answer = answer_data_channel(modern_offer, sctp_port=5000)
    assert answer.protocol == "UDP/DTLS/SCTP" and answer.formats == ("webrtc-datachannel",)
    assert answer.sctp_port == 5000 and answer.mid == "data" and answer.sctpmap is None
    legacy_offer = _offer("firefox58_datachannel_legacy_sctpmap_aiortc.sdp").media[0]
    legacy = answer_data_channel(legacy_offer)
    assert legacy.protocol == "DTLS/SCTP" and legacy.formats == ("5000",)
    assert legacy.sctpmap is not None and legacy.attribute("sctp-port") is None
    assert legacy.mid == "sdparta_0"
    with pytest.raises(SdpError):
        answer_data_channel(_offer(CHROMIUM120).media[0])
    document = SessionDescription.create(7)
    document.media += [answer, legacy]
    assert SessionDescription.parse(document.serialize()).media[1].sctp_port == 5000


def test_red_keeps_the_offers_payload_type_list() -> None:
    audio = _offer(CHROMIUM120).media[0]
    local_red = Codec(100, "red", 48000, 2, (("100/100", None),))
    answer = negotiate_codecs(audio.codecs, [OPUS, local_red])
    assert [(c.payload_type, c.parameters) for c in answer] == [
        (111, OPUS.parameters),
        (63, (("111/111", None),)),
    ]


def test_simulcast_answer_reverses_directions() -> None:
    video = _offer(FIREFOX152).media[0]
    simulcast = video.simulcast
    assert simulcast is not None
    answer = answer_simulcast(simulcast)
    assert str(answer) == "recv h;m;l"
    assert str(answer_simulcast(simulcast, accept=["h", "l"])) == "recv h;l"
    rids = answer_rids(video.rids, accept=["h", "l"])
    assert [str(rid) for rid in rids] == ["h recv", "l recv"]
    draft = _offer("rfc_simulcast_draft_sdptransform.sdp").media[1]
    assert draft.simulcast is not None
    assert str(answer_simulcast(draft.simulcast)) == "send c recv 1,~4;2;3"
    assert [rid.direction for rid in answer_rids(draft.rids)] == ["recv"] * 4 + ["send"]
