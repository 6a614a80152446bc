"""RTP packets (RFC 3550 §5.1) and header extensions (RFC 8285) against the shared vectors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.rtp import RtpError, RtpPacket
from purertc.rtp.extensions import ONE_BYTE_PROFILE, TWO_BYTE_PROFILE, decode_extensions
from purertc.rtp.implementation import CompiledRtpPacket, PureRtpPacket
from tests.rtp.rtp_impls import IMPLEMENTATIONS, speedups_required
from tests.support import load_json_vector, manifest_entries, vector_path

BINARY = [e for e in manifest_entries("rtp") if not e["file"].endswith((".json", ".txt"))]


def _json_packets() -> list[tuple[str, bytes, dict[str, Any]]]:
    found = []
    for entry in manifest_entries("rtp"):
        if not entry["file"].endswith(".json"):
            continue
        data = load_json_vector(entry["file"])
        if "hex" in data:
            found.append((entry["file"], bytes.fromhex(data["hex"]), data["expected"]))
        for vector in data.get("vectors", []):
            found.append((vector["name"], bytes.fromhex(vector["hex"]), vector["expected"]))
    return found


ALL_VECTORS = [
    (e["file"], vector_path(e["file"]).read_bytes(), e["expected"]) for e in BINARY
] + _json_packets()


def test_compiled_twin_present_when_required() -> None:
    if speedups_required():
        assert CompiledRtpPacket is not None, "PURERTC_REQUIRE_SPEEDUPS=1 but the twin is missing"
    else:
        assert PureRtpPacket in {p.values[0] for p in IMPLEMENTATIONS}


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize(("name", "data", "expected"), ALL_VECTORS, ids=[v[0] for v in ALL_VECTORS])
def test_vector_fields_and_round_trip(
    impl: Any, name: str, data: bytes, expected: dict[str, Any]
) -> None:
    packet = impl.parse(data)
    assert packet.version == expected["version"] == 2
    assert packet.padding == expected["padding"]
    assert packet.padding_size == expected["padding_size"]
    assert packet.marker == expected["marker"]
    assert packet.payload_type == expected["payload_type"]
    assert packet.sequence_number == expected["sequence_number"]
    assert packet.timestamp == expected["timestamp"]
    assert packet.ssrc == expected["ssrc"]
    assert list(packet.csrc) == expected["csrc"]
    assert len(packet.payload) == expected["payload_length"]
    assert (packet.extension_profile is not None) == expected["extension"]
    if expected["extension"]:
        assert packet.extension_profile == int(expected["extension_profile"], 16)
        assert len(packet.extension_data) == 4 * expected["extension_length_words"]
        elements = expected["extension_elements"]
        if isinstance(elements, list):
            assert dict(packet.extensions) == {e["id"]: bytes.fromhex(e["data"]) for e in elements}
        else:
            assert len(packet.extensions) == elements
    header_length = len(data) - len(packet.payload) - packet.padding_size
    assert header_length == expected["header_length"]
    assert packet.serialize() == data
    assert impl.parse(memoryview(data)) == packet


def test_all_extensions_vector_typed_values() -> None:
    from purertc.rtp import extensions as ext

    vector = load_json_vector("rtp/aiortc_libwebrtc_all_extensions_one_byte.json")
    mapped = vector["expected_mapped_values"]
    elements = RtpPacket.parse(bytes.fromhex(vector["hex"])).extensions
    assert ext.unpack_abs_send_time(elements[6]) == mapped["abs_send_time"]
    level = ext.unpack_audio_level(elements[4])
    assert level.voice is mapped["audio_level"]["voice_activity"]
    assert level.level == mapped["audio_level"]["level_dbov_neg"]
    assert ext.unpack_transmission_offset(elements[2]) == mapped["transmission_offset"]
    assert (
        ext.unpack_transport_sequence_number(elements[8]) == (mapped["transport_sequence_number"])
    )
    assert ext.unpack_sdes_text(elements[12]) == mapped["rtp_stream_id"]
    assert ext.unpack_sdes_text(elements[13]) == mapped["repaired_rtp_stream_id"]
    assert ext.unpack_video_orientation(elements[10]) == ext.VideoOrientation(rotation=270)
    assert ext.unpack_playout_delay(elements[11]) == ext.PlayoutDelay(0x124, 0x876)


def test_padding_only_vector_abs_send_time() -> None:
    from purertc.rtp.extensions import unpack_abs_send_time

    packet = RtpPacket.parse(
        vector_path("rtp/aiortc_padding_only_with_abs_send_time.bin").read_bytes()
    )
    assert unpack_abs_send_time(packet.extensions[2]) == 15846540


INVALID = [
    (b"\x80\x00\x00", "truncated"),
    (bytes.fromhex("400000000000000000000000"), "version"),
    (bytes.fromhex("820000000000000000000000abcdef01"), "CSRC"),
    (bytes.fromhex("900000000000000000000000bede"), "extension"),
    (bytes.fromhex("900000000000000000000000bede0002aabbccdd"), "extension length"),
    (bytes.fromhex("a00000000000000000000000aabb00"), "padding count 0"),
    (bytes.fromhex("a00000000000000000000000aabb09"), "padding count 9"),
]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize(("data", "why"), INVALID, ids=[w for _, w in INVALID])
def test_invalid_packets_raise(impl: Any, data: bytes, why: str) -> None:
    with pytest.raises(RtpError):
        impl.parse(data)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_malformed_extension_block_raises_on_access(impl: Any) -> None:
    packet = impl.parse(bytes.fromhex("900000000000000000000000bede00011f0000ff"))
    with pytest.raises(RtpError, match="extension id 1"):
        _ = packet.extensions


def test_extension_id_15_stops_processing_and_two_byte_form() -> None:
    assert decode_extensions(ONE_BYTE_PROFILE, bytes.fromhex("10aaf0bb20cc0000")) == {1: b"\xaa"}
    raw = bytes.fromhex("0100" + "00" + "1003aabbcc")
    assert decode_extensions(TWO_BYTE_PROFILE, raw) == {1: b"", 16: b"\xaa\xbb\xcc"}
    assert decode_extensions(0x1234, b"\x01\x02\x03\x04") == {}


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_building_packets_picks_the_extension_form(impl: Any) -> None:
    packet = impl(payload_type=96, sequence_number=1, ssrc=5, extensions={1: b"\x01"})
    assert packet.extension_profile == ONE_BYTE_PROFILE
    packet.set_extension(20, b"abc")
    assert packet.extension_profile == TWO_BYTE_PROFILE
    assert dict(impl.parse(packet.serialize()).extensions) == {1: b"\x01", 20: b"abc"}
    packet.set_extension(2, b"")  # zero-length elements need the two-byte form too
    packet.remove_extension(20)
    assert dict(impl.parse(packet.serialize()).extensions) == {1: b"\x01", 2: b""}
    packet.extensions = {}
    assert packet.extension_profile is None
    assert packet.serialize()[0] & 0x10 == 0


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_out_of_range_fields_raise_on_serialize(impl: Any) -> None:
    with pytest.raises(RtpError):
        impl(payload_type=128).serialize()
    with pytest.raises(RtpError):
        impl(sequence_number=1 << 16).serialize()
    with pytest.raises(RtpError):
        impl(padding_size=256)


extension_maps = st.one_of(
    st.dictionaries(st.integers(1, 14), st.binary(min_size=1, max_size=16), max_size=14),
    st.dictionaries(st.integers(1, 255), st.binary(max_size=255), max_size=5),
)


@st.composite
def packets(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "payload_type": draw(st.integers(0, 127)),
        "sequence_number": draw(st.integers(0, 0xFFFF)),
        "timestamp": draw(st.integers(0, 0xFFFFFFFF)),
        "ssrc": draw(st.integers(0, 0xFFFFFFFF)),
        "marker": draw(st.booleans()),
        "csrc": draw(st.lists(st.integers(0, 0xFFFFFFFF), max_size=15)),
        "payload": draw(st.binary(max_size=300)),
        "extensions": draw(extension_maps),
        "padding_size": draw(st.integers(0, 255)),
    }


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@given(fields=packets())
def test_round_trip(impl: Any, fields: dict[str, Any]) -> None:
    packet = impl(**fields)
    wire = packet.serialize()
    parsed = impl.parse(wire)
    assert parsed == packet
    assert parsed.serialize() == wire
    assert dict(parsed.extensions) == fields["extensions"]
    assert parsed.payload == fields["payload"]
    assert list(parsed.csrc) == fields["csrc"]
    assert parsed.padding_size == fields["padding_size"]
    # both implementations read each other's bytes identically
    assert PureRtpPacket.parse(wire).serialize() == wire


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_extension_map_typed_access(impl: Any) -> None:
    from purertc.rtp import extensions as ext
    from purertc.rtp.extension_map import HeaderExtensionMap

    vector = load_json_vector("rtp/aiortc_libwebrtc_all_extensions_one_byte.json")
    ids = {int(k): v for k, v in vector["extmap"].items() if k.isdigit()}
    extmap = HeaderExtensionMap(ids)
    packet = impl.parse(bytes.fromhex(vector["hex"]))
    mapped = vector["expected_mapped_values"]
    assert extmap.get(packet, ext.URI_ABS_SEND_TIME) == mapped["abs_send_time"]
    assert extmap.get(packet, ext.URI_TRANSPORT_CC) == mapped["transport_sequence_number"]
    assert extmap.get(packet, ext.URI_RTP_STREAM_ID) == mapped["rtp_stream_id"]
    assert extmap.get(packet, ext.URI_MID) is mapped["mid"] is None
    built = impl(payload_type=96)
    extmap = HeaderExtensionMap({1: ext.URI_MID, 2: ext.URI_AUDIO_LEVEL, 3: "urn:x-custom"})
    extmap.set(built, ext.URI_MID, "video0")
    extmap.set(built, ext.URI_AUDIO_LEVEL, ext.AudioLevel(voice=True, level=30))
    extmap.set(built, "urn:x-custom", b"\x01\x02")
    parsed = impl.parse(built.serialize())
    assert extmap.get(parsed, ext.URI_MID) == "video0"
    assert extmap.get(parsed, ext.URI_AUDIO_LEVEL) == ext.AudioLevel(True, 30)
    assert extmap.get(parsed, "urn:x-custom") == b"\x01\x02"
    with pytest.raises(RtpError):
        extmap.set(parsed, ext.URI_TRANSPORT_CC, 5)
    with pytest.raises(RtpError):
        HeaderExtensionMap({0: ext.URI_MID})


def test_typed_helpers_round_trip_and_reject_bad_sizes() -> None:
    from purertc.rtp import extensions as ext

    assert ext.unpack_abs_capture_time(
        ext.pack_abs_capture_time(ext.AbsCaptureTime(1 << 40, -5))
    ) == ext.AbsCaptureTime(1 << 40, -5)
    assert ext.unpack_abs_capture_time(ext.pack_abs_capture_time(ext.AbsCaptureTime(7))) == (
        ext.AbsCaptureTime(7)
    )
    assert ext.unpack_abs_send_time(ext.pack_abs_send_time(1.5)) == int(1.5 * (1 << 18))
    assert ext.unpack_transmission_offset(ext.pack_transmission_offset(-3)) == -3
    assert ext.unpack_video_orientation(
        ext.pack_video_orientation(ext.VideoOrientation(camera=1, flip=True, rotation=90))
    ) == ext.VideoOrientation(1, True, 90)
    for unpack, bad in [
        (ext.unpack_audio_level, b""),
        (ext.unpack_abs_send_time, b"\x01"),
        (ext.unpack_transport_sequence_number, b"\x01\x02\x03"),
        (ext.unpack_playout_delay, b"\x00"),
        (ext.unpack_abs_capture_time, b"\x00" * 9),
        (ext.unpack_sdes_text, b"\xff"),
    ]:
        with pytest.raises(RtpError):
            unpack(bad)
    with pytest.raises(RtpError):
        ext.pack_video_orientation(ext.VideoOrientation(rotation=45))
    with pytest.raises(RtpError):
        ext.pack_audio_level(ext.AudioLevel(False, 200))
