"""Random and mutated bytes into every RTP-layer parser: only RtpError may escape."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.rtp import RtpError
from tests.rtp.rtp_impls import IMPLEMENTATIONS
from tests.support import load_json_vector, manifest_entries, vector_path


def _seeds(category: str) -> list[bytes]:
    seeds = []
    for entry in manifest_entries(category):
        name = entry["file"]
        if name.endswith(".txt"):
            continue
        if name.endswith(".json"):
            data = load_json_vector(name)
            if "hex" in data:
                seeds.append(bytes.fromhex(data["hex"]))
            for vector in data.get("vectors", []) + data.get("extra", []):
                seeds.append(bytes.fromhex(vector["hex"]))
        else:
            seeds.append(vector_path(name).read_bytes())
    return seeds


RTP_SEEDS = _seeds("rtp")


def mutations(seed: bytes, rng: random.Random) -> list[bytes]:
    """Truncations, bit flips, byte overwrites (length/count fields), duplicated tails."""
    out = [seed[:cut] for cut in range(len(seed)) if cut < 64 or rng.random() < 0.1]
    for _ in range(150):
        data = bytearray(seed)
        if not data:
            break
        kind = rng.randrange(4)
        index = rng.randrange(len(data))
        if kind == 0:
            data[index] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data[index] = rng.choice((0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)))
        elif kind == 2:
            data[index : index + 2] = rng.randrange(1 << 16).to_bytes(2, "big")
        else:
            data += data[index:]
        out.append(bytes(data))
    return out


def only_rtp_error(parse: Callable[[bytes], Any], data: bytes, touch: Callable[[Any], Any]) -> None:
    try:
        result = parse(data)
    except RtpError:
        return
    try:
        touch(result)
    except RtpError:
        return


def _touch_rtp(packet: Any) -> None:
    dict(packet.extensions)
    assert type(packet).parse(packet.serialize()) == packet


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_rtp_mutated_vectors(impl: Any) -> None:
    rng = random.Random(5)
    for seed in RTP_SEEDS:
        for data in mutations(seed, rng):
            only_rtp_error(impl.parse, data, _touch_rtp)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@given(data=st.binary(max_size=200))
def test_rtp_random_bytes(impl: Any, data: bytes) -> None:
    only_rtp_error(impl.parse, data, _touch_rtp)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@given(tail=st.binary(max_size=80), first=st.integers(0x80, 0xBF))
def test_rtp_random_after_valid_first_byte(impl: Any, tail: bytes, first: int) -> None:
    only_rtp_error(impl.parse, bytes((first,)) + tail, _touch_rtp)


RTCP_SEEDS = _seeds("rtcp")


def _touch_rtcp(packets: Any) -> None:
    from purertc.rtp import SourceDescription, TransportFeedback, parse_rtcp, serialize_rtcp

    for packet in packets:
        if isinstance(packet, TransportFeedback):
            packet.arrivals_us()
        if isinstance(packet, SourceDescription):
            for chunk in packet.chunks:
                for item in chunk.items:
                    with contextlib.suppress(RtpError):
                        _ = item.text
    assert serialize_rtcp(parse_rtcp(serialize_rtcp(packets))) == serialize_rtcp(packets)


def test_rtcp_mutated_vectors() -> None:
    from purertc.rtp import parse_rtcp

    rng = random.Random(7)
    for seed in RTCP_SEEDS:
        for data in mutations(seed, rng):
            only_rtp_error(parse_rtcp, data, _touch_rtcp)


@given(data=st.binary(max_size=200))
def test_rtcp_random_bytes(data: bytes) -> None:
    from purertc.rtp import parse_rtcp

    only_rtp_error(parse_rtcp, data, _touch_rtcp)


@given(
    first=st.integers(0x80, 0xBF),
    packet_type=st.integers(192, 210),
    body=st.binary(max_size=120),
)
def test_rtcp_random_bodies_behind_valid_header(first: int, packet_type: int, body: bytes) -> None:
    from purertc.rtp import parse_rtcp

    body += b"\x00" * (-len(body) % 4)
    data = bytes((first, packet_type)) + (len(body) // 4).to_bytes(2, "big") + body
    only_rtp_error(parse_rtcp, data, _touch_rtcp)


DEPACKETIZERS = ["video/vp8", "video/vp9", "video/h264", "video/av1", "audio/opus", "audio/pcmu"]


@pytest.mark.parametrize("mime", DEPACKETIZERS)
@given(payloads=st.lists(st.binary(max_size=40), min_size=1, max_size=4))
def test_depacketizers_random_payloads(mime: str, payloads: list[bytes]) -> None:
    from purertc.rtp.codecs import depacketizer_for

    depacketizer = depacketizer_for(mime)
    for payload in payloads:
        for probe in (depacketizer.is_frame_start, depacketizer.is_keyframe):
            with contextlib.suppress(RtpError):
                probe(payload)
    with contextlib.suppress(RtpError):
        depacketizer.depacketize(payloads)


@pytest.mark.parametrize("mime", DEPACKETIZERS)
def test_depacketizers_mutated_packetizer_output(mime: str) -> None:
    from purertc.rtp.codecs import depacketizer_for, packetizer_for

    rng = random.Random(11)
    frame = b"\x00\x00\x00\x01\x67\x42\x00\x1f\x00\x00\x01\x65" + bytes(range(256)) * 12
    if mime == "video/av1":
        frame = b"\x12\x00\x0a\x03abc\x32\x8c\x18" + bytes(range(200)) * 16
    payloads = packetizer_for(mime, mtu=300 if mime != "audio/opus" else 5000).packetize(frame)
    depacketizer = depacketizer_for(mime)
    assert depacketizer.depacketize(payloads)
    for _ in range(300):
        trial = list(payloads)
        index = rng.randrange(len(trial))
        mutated = rng.choice(mutations(trial[index], rng)[-150:])
        trial[index] = mutated
        if rng.random() < 0.3 and len(trial) > 1:
            del trial[rng.randrange(len(trial))]
        with contextlib.suppress(RtpError):
            depacketizer.depacketize(trial)


@given(data=st.binary(max_size=40))
def test_payload_headers_random_bytes(data: bytes) -> None:
    from purertc.rtp.codecs import TelephoneEvent, Vp8Descriptor, Vp9Descriptor
    from purertc.rtp.codecs.av1 import read_leb128, split_obus
    from purertc.rtp.codecs.h264 import nal_types

    for parse in (
        TelephoneEvent.parse,
        Vp8Descriptor.parse,
        Vp9Descriptor.parse,
        split_obus,
        nal_types,
        lambda d: read_leb128(d, 0),
    ):
        with contextlib.suppress(RtpError):
            parse(data)
