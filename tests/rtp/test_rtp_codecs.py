"""Payload formats: descriptors, packetize -> depacketize round trips, MTU, key frames."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.rtp import RtpError
from purertc.rtp.codecs import (
    Av1Depacketizer,
    Av1Packetizer,
    G711Depacketizer,
    G711Packetizer,
    H264Depacketizer,
    H264Packetizer,
    OpusDepacketizer,
    OpusPacketizer,
    TelephoneEvent,
    Vp8Depacketizer,
    Vp8Descriptor,
    Vp8Packetizer,
    Vp9Depacketizer,
    Vp9Descriptor,
    Vp9Packetizer,
    Vp9ScalabilityStructure,
    depacketizer_for,
    dtmf_payloads,
    packetizer_for,
)
from purertc.rtp.codecs.av1 import TEMPORAL_DELIMITER, read_leb128, write_leb128
from purertc.rtp.codecs.h264 import split_annexb
from tests.support import vector_path

mtus = st.integers(40, 1400)


# --- VP8 -----------------------------------------------------------------------------------

vp8_descriptors = st.builds(
    Vp8Descriptor,
    start=st.booleans(),
    partition_id=st.integers(0, 7),
    non_reference=st.booleans(),
    picture_id=st.none() | st.integers(0, 127),
    long_picture_id=st.just(False),
    tl0_pic_idx=st.none() | st.integers(0, 255),
    tid=st.none() | st.integers(0, 3),
    key_idx=st.none() | st.integers(0, 31),
) | st.builds(Vp8Descriptor, picture_id=st.integers(0, 0x7FFF), long_picture_id=st.just(True))


@given(vp8_descriptors, st.binary(min_size=1, max_size=8))
def test_vp8_descriptor_round_trip(descriptor: Vp8Descriptor, data: bytes) -> None:
    wire = descriptor.serialize()
    parsed, offset = Vp8Descriptor.parse(wire + data)
    assert offset == len(wire)
    assert parsed.serialize() == wire
    for name in ("start", "partition_id", "non_reference", "picture_id", "tl0_pic_idx", "tid"):
        assert getattr(parsed, name) == getattr(descriptor, name)
    assert parsed.key_idx == descriptor.key_idx


def test_vp8_rfc7741_descriptor_examples() -> None:
    # X=1 S=1 PID=0; I L T K; 15-bit PictureID 0x1234; TL0PICIDX 5; TID 2, Y, KEYIDX 3.
    parsed, offset = Vp8Descriptor.parse(bytes.fromhex("90f0923405a3") + b"\x00")
    assert parsed == Vp8Descriptor(
        start=True, picture_id=0x1234, tl0_pic_idx=5, tid=2, layer_sync=True, key_idx=3
    )
    assert offset == 6
    assert Vp8Depacketizer().is_keyframe(bytes.fromhex("90f0923405a3") + b"\x10")
    assert not Vp8Depacketizer().is_keyframe(bytes.fromhex("90f0923405a3") + b"\x11")


@given(st.binary(min_size=1, max_size=5000), mtus, st.integers(0, 0x7FFF))
def test_vp8_round_trip(frame: bytes, mtu: int, picture_id: int) -> None:
    packetizer = Vp8Packetizer(mtu=mtu, picture_id=picture_id)
    payloads = packetizer.packetize(frame)
    assert all(len(p) <= mtu for p in payloads)
    depacketizer = Vp8Depacketizer()
    assert depacketizer.depacketize(payloads) == frame
    assert depacketizer.is_frame_start(payloads[0])
    assert not any(depacketizer.is_frame_start(p) for p in payloads[1:])
    assert depacketizer.is_keyframe(payloads[0]) == (not frame[0] & 1)
    assert packetizer.picture_id == (picture_id + 1) & 0x7FFF
    if len(payloads) > 1:
        with pytest.raises(RtpError):
            depacketizer.depacketize(payloads[1:])  # lost the first packet


# --- VP9 -----------------------------------------------------------------------------------

vp9_descriptors = st.builds(
    Vp9Descriptor,
    start=st.booleans(),
    end=st.booleans(),
    inter_predicted=st.just(True),
    flexible=st.just(True),
    picture_id=st.none() | st.integers(0, 0x7FFF),
    tid=st.none() | st.integers(0, 7),
    p_diffs=st.lists(st.integers(0, 127), min_size=1, max_size=3).map(tuple),
    scalability=st.none()
    | st.builds(
        Vp9ScalabilityStructure,
        spatial_layers=st.just(2),
        resolutions=st.none() | st.just(((320, 180), (640, 360))),
        picture_group=st.none()
        | st.lists(
            st.tuples(
                st.integers(0, 7),
                st.booleans(),
                st.lists(st.integers(0, 255), max_size=3).map(tuple),
            ),
            max_size=4,
        ).map(tuple),
    ),
) | st.builds(
    Vp9Descriptor,
    start=st.booleans(),
    inter_predicted=st.booleans(),
    picture_id=st.integers(0, 127),
    long_picture_id=st.just(False),
    tid=st.integers(0, 7),
    sid=st.integers(0, 7),
    switching_up=st.booleans(),
    inter_layer_dependency=st.booleans(),
    tl0_pic_idx=st.integers(0, 255),
)


@given(vp9_descriptors)
def test_vp9_descriptor_round_trip(descriptor: Vp9Descriptor) -> None:
    wire = descriptor.serialize()
    parsed, offset = Vp9Descriptor.parse(wire + b"\xaa")
    if descriptor.tid is None:
        assert parsed.tid is None
    else:
        assert parsed == descriptor
    assert offset == len(wire)
    assert parsed.serialize() == wire


@given(st.binary(min_size=1, max_size=5000), mtus, st.booleans(), st.booleans())
def test_vp9_round_trip(frame: bytes, mtu: int, keyframe: bool, flexible: bool) -> None:
    payloads = Vp9Packetizer(mtu=mtu, flexible=flexible).packetize(frame, keyframe=keyframe)
    assert all(len(p) <= mtu for p in payloads)
    depacketizer = Vp9Depacketizer()
    assert depacketizer.depacketize(payloads) == frame
    assert depacketizer.is_keyframe(payloads[0]) == keyframe
    if len(payloads) > 1:
        with pytest.raises(RtpError):
            depacketizer.depacketize(payloads[:-1])  # lost the last packet (no E bit)


# --- H.264 ---------------------------------------------------------------------------------

nal_units = st.tuples(st.integers(1, 23), st.integers(0, 3), st.binary(max_size=3000)).map(
    lambda t: bytes((t[1] << 5 | t[0],)) + t[2].replace(b"\x00\x00", b"\x00\x01") + b"\x01"
)


@given(st.lists(nal_units, min_size=1, max_size=8), mtus)
def test_h264_mode1_round_trip(units: list[bytes], mtu: int) -> None:
    frame = b"".join(b"\x00\x00\x00\x01" + u for u in units)
    payloads = H264Packetizer(mtu=mtu).packetize(frame)
    assert all(len(p) <= mtu for p in payloads)
    assert H264Depacketizer().depacketize(payloads) == frame
    assert split_annexb(frame) == units


@given(st.lists(nal_units, min_size=1, max_size=8))
def test_h264_mode0_single_nal_only(units: list[bytes]) -> None:
    frame = b"".join(b"\x00\x00\x01" + u for u in units)
    packetizer = H264Packetizer(mtu=1200, packetization_mode=0)
    if max(len(u) for u in units) > 1200:
        with pytest.raises(RtpError):
            packetizer.packetize(frame)
        return
    payloads = packetizer.packetize(frame)
    assert payloads == units
    assert H264Depacketizer().depacketize(payloads) == b"".join(
        b"\x00\x00\x00\x01" + u for u in units
    )


def test_h264_keyframe_detection_and_stap_a() -> None:
    sps, pps, idr = b"\x67\x42\x00\x1f", b"\x68\xce\x3c\x80", b"\x65\x88" + b"\x11" * 3000
    frame = b"".join(b"\x00\x00\x00\x01" + u for u in (sps, pps, idr))
    payloads = H264Packetizer().packetize(frame)
    assert payloads[0][0] & 0x1F == 24  # SPS and PPS aggregated
    assert [p[0] & 0x1F for p in payloads[1:]] == [28, 28, 28]
    depacketizer = H264Depacketizer()
    assert depacketizer.is_keyframe(payloads[0])
    assert depacketizer.is_frame_start(payloads[0])
    assert depacketizer.is_keyframe(payloads[1])  # FU-A start of an IDR slice
    assert not depacketizer.is_keyframe(payloads[2])
    assert not depacketizer.is_keyframe(b"\x41\x9a")
    with pytest.raises(RtpError, match="missing E"):
        depacketizer.depacketize(payloads[:-1])
    with pytest.raises(RtpError, match="without a start"):
        depacketizer.depacketize([payloads[0], *payloads[2:]])


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x18", b"\x18\x00\x05\x65", b"\x18\x00\x00", b"\x1c\x85", b"\x1c\xc5\x00", b"\x19\x00"]
    + [b"\x00\x00", b"\x1e\x00", b"\x1c\x45\x00"],
)
def test_h264_malformed(payload: bytes) -> None:
    with pytest.raises(RtpError):
        H264Depacketizer().depacketize([payload])


# --- AV1 -----------------------------------------------------------------------------------

obus = st.tuples(st.sampled_from([1, 3, 4, 5, 6, 15]), st.booleans(), st.binary(max_size=2500)).map(
    lambda t: (
        bytes((t[0] << 3 | (0x04 if t[1] else 0) | 0x02,))
        + (b"\x08" if t[1] else b"")
        + write_leb128(len(t[2]))
        + t[2]
    )
)


@given(st.lists(obus, min_size=1, max_size=6), mtus)
def test_av1_round_trip(units: list[bytes], mtu: int) -> None:
    temporal_unit = TEMPORAL_DELIMITER + b"".join(units)
    payloads = Av1Packetizer(mtu=mtu).packetize(temporal_unit)
    assert all(len(p) <= mtu for p in payloads)
    depacketizer = Av1Depacketizer()
    assert depacketizer.depacketize(payloads) == temporal_unit
    has_sequence_header = any((u[0] >> 3) & 0xF == 1 for u in units)
    assert depacketizer.is_keyframe(payloads[0]) == has_sequence_header
    assert depacketizer.is_frame_start(payloads[0])
    if len(payloads) > 1 and payloads[1][0] & 0x80:
        with pytest.raises(RtpError):
            depacketizer.depacketize(payloads[1:])


@given(st.integers(0, (1 << 56) - 1))
def test_leb128_round_trip(value: int) -> None:
    assert read_leb128(write_leb128(value) + b"\xff", 0) == (value, len(write_leb128(value)))


@pytest.mark.parametrize(
    "payloads",
    [[b""], [b"\x00"], [b"\x00\x05\x0a"], [b"\x80\x01\x0a"], [b"\x40\x01\x0a"], [b"\x20"]]
    + [[b"\x00" + b"\xff" * 9], [b"\x10\x8a"], [b"\x00\x00"]],
)
def test_av1_malformed(payloads: list[bytes]) -> None:
    with pytest.raises(RtpError):
        Av1Depacketizer().depacketize(payloads)


# --- audio ---------------------------------------------------------------------------------


@given(st.binary(min_size=1, max_size=1200))
def test_opus_round_trip(frame: bytes) -> None:
    payloads = OpusPacketizer().packetize(frame)
    assert OpusDepacketizer().depacketize(payloads) == frame


def test_opus_rejects_empty_and_oversized() -> None:
    with pytest.raises(RtpError):
        OpusPacketizer().packetize(b"")
    with pytest.raises(RtpError):
        OpusPacketizer(mtu=100).packetize(b"x" * 101)
    with pytest.raises(RtpError):
        OpusDepacketizer().depacketize([b""])
    with pytest.raises(RtpError):
        OpusDepacketizer().depacketize([b"a", b"b"])


@given(st.binary(min_size=1, max_size=5000), mtus)
def test_g711_round_trip(frame: bytes, mtu: int) -> None:
    payloads = G711Packetizer(mtu=mtu).packetize(frame)
    assert all(len(p) <= mtu for p in payloads)
    assert G711Depacketizer().depacketize(payloads) == frame


def test_telephone_event_vector_and_dtmf() -> None:
    data = vector_path("rtp/aiortc_telephone_event_dtmf.bin").read_bytes()
    event = TelephoneEvent.parse(data[12:])
    assert event == TelephoneEvent(event=1, end=True, volume=10, duration=960)
    assert event.serialize() == data[12:]
    events = dtmf_payloads("5", duration=800, step=160)
    assert [e.end for e in events] == [False] * 4 + [True] * 3
    assert {e.event for e in events} == {5}
    with pytest.raises(RtpError):
        dtmf_payloads("x")
    with pytest.raises(RtpError):
        TelephoneEvent.parse(b"\x01\x02")


def test_registry() -> None:
    assert isinstance(packetizer_for("video/VP8", mtu=900), Vp8Packetizer)
    assert isinstance(depacketizer_for("VIDEO/h264"), H264Depacketizer)
    with pytest.raises(RtpError):
        packetizer_for("video/theora")
