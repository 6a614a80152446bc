"""Jitter buffer: packetize -> reorder/duplicate/lose -> frames, in simulated time."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from purertc.rtp import RtpPacket
from purertc.rtp.codecs import (
    Av1Depacketizer,
    Av1Packetizer,
    H264Depacketizer,
    H264Packetizer,
    OpusDepacketizer,
    OpusPacketizer,
    Vp8Depacketizer,
    Vp8Packetizer,
    Vp9Depacketizer,
    Vp9Packetizer,
)
from purertc.rtp.codecs.av1 import TEMPORAL_DELIMITER, write_leb128
from purertc.rtp.codecs.base import Depacketizer, Packetizer
from purertc.rtp.events import Frame, FrameReady, KeyframeNeeded
from purertc.rtp.jitter import JitterBuffer


def _vp8_frame(rng: random.Random, keyframe: bool) -> bytes:
    body = rng.randbytes(rng.randrange(1, 3000))
    return bytes(((body[0] & 0xFE) | (0 if keyframe else 1),)) + body[1:]


def _h264_frame(rng: random.Random, keyframe: bool) -> bytes:
    units = [b"\x09\xf0"]  # AUD opens every access unit
    if keyframe:
        units += [b"\x67\x42\x00\x1f", b"\x68\xce\x3c\x80", b"\x65" + rng.randbytes(2500)]
    else:
        units.append(b"\x41" + rng.randbytes(rng.randrange(10, 2500)))
    return b"".join(b"\x00\x00\x00\x01" + u.replace(b"\x00\x00", b"\x00\x01") for u in units)


def _vp9_frame(rng: random.Random, keyframe: bool) -> bytes:
    return rng.randbytes(rng.randrange(1, 3000))


def _av1_frame(rng: random.Random, keyframe: bool) -> bytes:
    obus = []
    if keyframe:
        obus.append((1, rng.randbytes(12)))  # sequence header
    obus.append((6, rng.randbytes(rng.randrange(1, 3000))))  # frame
    return TEMPORAL_DELIMITER + b"".join(
        bytes((kind << 3 | 0x02,)) + write_leb128(len(body)) + body for kind, body in obus
    )


FRAME_MAKERS = {"vp8": _vp8_frame, "vp9": _vp9_frame, "h264": _h264_frame, "av1": _av1_frame}


def _packets(
    packetizer: Packetizer, frames: list[tuple[bytes, bool]], first_seq: int
) -> list[RtpPacket]:
    packets = []
    seq = first_seq
    for index, (frame, keyframe) in enumerate(frames):
        payloads = packetizer.packetize(frame, keyframe=keyframe)
        for position, payload in enumerate(payloads):
            packets.append(
                RtpPacket(
                    payload_type=96,
                    sequence_number=seq & 0xFFFF,
                    timestamp=(1000 + 3000 * index) & 0xFFFFFFFF,
                    ssrc=1,
                    marker=position == len(payloads) - 1,
                    payload=payload,
                )
            )
            seq += 1
    return packets


def _run(buffer: JitterBuffer, packets: list[RtpPacket]) -> tuple[list[Frame], int]:
    frames: list[Frame] = []
    requests = 0
    now = 0.0
    for packet in packets:
        now += 0.001
        buffer.receive(packet, now)
    buffer.handle_timer(now + 10)
    buffer.handle_timer(now + 20)
    while (event := buffer.next_event()) is not None:
        if isinstance(event, FrameReady):
            frames.append(event.frame)
        else:
            assert isinstance(event, KeyframeNeeded)
            requests += 1
    return frames, requests


CODECS: list[tuple[str, type[Packetizer], type[Depacketizer]]] = [
    ("vp8", Vp8Packetizer, Vp8Depacketizer),
    ("h264", H264Packetizer, H264Depacketizer),
    ("vp9", Vp9Packetizer, Vp9Depacketizer),
    ("av1", Av1Packetizer, Av1Depacketizer),
]


@given(
    seed=st.integers(0, 2**32),
    codec=st.sampled_from(CODECS),
    first_seq=st.sampled_from([0, 65500, 1234]),
    loss=st.sampled_from([0.0, 0.0, 0.05, 0.3]),
    duplicate=st.floats(0, 0.3),
    window=st.integers(0, 12),
)
def test_shuffled_lossy_duplicated_video(
    seed: int,
    codec: tuple[str, type[Packetizer], type[Depacketizer]],
    first_seq: int,
    loss: float,
    duplicate: float,
    window: int,
) -> None:
    name, packetizer_cls, depacketizer_cls = codec
    rng = random.Random(seed)
    make = FRAME_MAKERS[name]
    originals = [(make(rng, index % 5 == 0), index % 5 == 0) for index in range(12)]
    packets = _packets(packetizer_cls(mtu=500), originals, first_seq)
    sent = [p for p in packets if rng.random() >= loss]
    sent += [p for p in sent if rng.random() < duplicate]
    # bounded reordering: each packet moves at most `window` places
    keyed = sorted(enumerate(sent), key=lambda item: item[0] + rng.uniform(0, window))
    frames, requests = _run(JitterBuffer(depacketizer_cls()), [p for _, p in keyed])
    by_timestamp = {1000 + 3000 * i: frame for i, (frame, _) in enumerate(originals)}
    for frame in frames:
        assert frame.data == by_timestamp[frame.timestamp]  # never a corrupted frame
    stamps = [f.timestamp for f in frames]
    assert stamps == sorted(stamps)
    if len(sent) == len(packets) and not loss:
        assert len(frames) == len(originals)
        assert requests == 0
        assert frames[0].keyframe


def test_loss_requests_keyframe_and_resumes_there() -> None:
    rng = random.Random(1)
    originals = [(_vp8_frame(rng, i in (0, 6)), i in (0, 6)) for i in range(10)]
    packets = _packets(Vp8Packetizer(mtu=400), originals, 65530)
    lost_frame_ts = 1000 + 3000 * 2
    kept = [p for p in packets if not (p.timestamp == lost_frame_ts and not p.marker)]
    buffer = JitterBuffer(Vp8Depacketizer(), max_wait=0.05)
    events = []
    now = 0.0
    for packet in kept:
        now += 0.01
        buffer.receive(packet, now)
        if (deadline := buffer.get_timer()) is not None and deadline <= now:
            buffer.handle_timer(now)
        while (event := buffer.next_event()) is not None:
            events.append(event)
    frames = [e.frame.timestamp for e in events if isinstance(e, FrameReady)]
    assert frames == [1000, 4000] + [1000 + 3000 * i for i in range(6, 10)]
    assert any(isinstance(e, KeyframeNeeded) for e in events)
    assert buffer.dropped_frames >= 1


def test_late_and_duplicate_packets_are_dropped() -> None:
    packets = _packets(OpusPacketizer(), [(b"\xfc" + bytes([i]), True) for i in range(5)], 10)
    buffer = JitterBuffer(OpusDepacketizer(), audio=True)
    for packet in packets:
        buffer.receive(packet, 0.0)
    buffer.receive(packets[2], 0.1)
    assert buffer.late_packets == 1
    frames = []
    while (event := buffer.next_event()) is not None:
        assert isinstance(event, FrameReady)
        frames.append(event.frame.data)
    assert frames == [b"\xfc" + bytes([i]) for i in range(5)]


def test_audio_gap_waits_then_skips() -> None:
    packets = _packets(OpusPacketizer(), [(b"\xfc" + bytes([i]), True) for i in range(4)], 0)
    buffer = JitterBuffer(OpusDepacketizer(), audio=True, max_wait=0.1)
    buffer.receive(packets[0], 0.0)
    buffer.receive(packets[2], 0.02)
    buffer.receive(packets[3], 0.04)
    deadline = buffer.get_timer()
    assert deadline is not None and abs(deadline - 0.12) < 1e-9
    buffer.handle_timer(deadline - 0.001)
    assert buffer.next_event() is not None  # frame 0 only
    assert buffer.next_event() is None
    buffer.handle_timer(deadline)
    data = []
    while (event := buffer.next_event()) is not None:
        assert isinstance(event, FrameReady)
        data.append(event.frame.data[1])
    assert data == [2, 3]


def test_capacity_bounds_memory() -> None:
    buffer = JitterBuffer(Vp8Depacketizer(), capacity=16)
    for seq in range(1, 100):  # a frame that never completes (the first packet is missing)
        buffer.receive(
            RtpPacket(
                payload_type=96, sequence_number=seq, timestamp=5, payload=b"\x80\x80\x01\x00"
            ),
            0.0,
        )
        assert len(buffer._packets) <= 16
    assert isinstance(buffer.next_event(), KeyframeNeeded)
