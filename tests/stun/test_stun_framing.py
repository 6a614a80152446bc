"""ChannelData, the TCP/TLS stream framer (random split points), RFC 7983 demultiplexing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.stun import ChannelData, Message, StreamFramer, StunError, classify
from tests.stun.stun_strategies import messages
from tests.support import vector_path

channels = st.integers(0x4000, 0x4FFF)
channel_data = st.builds(ChannelData, channels, st.binary(max_size=70))


@given(channel_data, st.booleans())
def test_channeldata_round_trip(message: ChannelData, stream: bool) -> None:
    wire = message.serialize(stream=stream)
    assert ChannelData.parse(wire, stream=stream) == message
    assert len(wire) % 4 == 0 or not stream
    # UDP receivers accept the padded form too.
    assert ChannelData.parse(message.serialize(stream=True)) == message


def test_channeldata_exact_bytes() -> None:
    assert ChannelData(0x4001, b"abcde").serialize() == b"\x40\x01\x00\x05abcde"
    assert (
        ChannelData(0x4001, b"abcde").serialize(stream=True) == b"\x40\x01\x00\x05abcde\x00\x00\x00"
    )


@pytest.mark.parametrize(
    ("frame", "stream", "field"),
    [
        (b"\x40\x01\x00", False, "ChannelData header"),
        (b"\x3f\xff\x00\x00", False, "channel number"),
        (b"\x50\x00\x00\x00", False, "channel number"),
        (b"\x40\x01\x00\x05abcd", False, "ChannelData length: 5"),
        (b"\x40\x01\x00\x01a\x00\x00\x00\x00", False, "not padding"),
        (b"\x40\x01\x00\x01a", True, "not padding"),
    ],
)
def test_channeldata_errors(frame: bytes, stream: bool, field: str) -> None:
    with pytest.raises(StunError, match=field):
        ChannelData.parse(frame, stream=stream)


def test_channeldata_serialize_refuses_bad_values() -> None:
    with pytest.raises(StunError, match="channel number"):
        ChannelData(0x3FFF, b"").serialize()
    with pytest.raises(StunError, match="ChannelData length"):
        ChannelData(0x4000, bytes(0x10000)).serialize()


frames = st.one_of(
    messages().map(lambda m: m.serialize()),
    channel_data.map(lambda c: c.serialize(stream=True)),
)


@given(st.lists(frames, min_size=1, max_size=6), st.data())
def test_framer_with_random_split_points(wires: list[bytes], data: st.DataObject) -> None:
    stream = b"".join(wires)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    framer = StreamFramer()
    received: list[bytes] = []
    start = 0
    for cut in [*cuts, len(stream)]:
        received += framer.feed(stream[start:cut])
        start = cut
    assert received == wires
    assert framer.buffered == 0


@given(st.lists(frames, min_size=1, max_size=4))
def test_framer_one_byte_at_a_time(wires: list[bytes]) -> None:
    framer = StreamFramer()
    received: list[bytes] = []
    for byte in b"".join(wires):
        received += framer.feed(bytes([byte]))
    assert received == wires


def test_framer_frames_parse() -> None:
    lines = vector_path("stun/pion_turn_chrome_coturn_allocate.hex").read_text().split()
    wires = [bytes.fromhex(line) for line in lines]
    channel = ChannelData(0x4000, b"media").serialize(stream=True)
    framer = StreamFramer()
    out = framer.feed(b"".join(wires[:2]) + channel + wires[2][:7])
    assert out[:2] == wires[:2]
    assert ChannelData.parse(out[2], stream=True) == ChannelData(0x4000, b"media")
    assert framer.buffered == 7
    assert framer.feed(wires[2][7:] + wires[3]) == wires[2:]
    assert [Message.parse(w).method for w in wires] == [3, 3, 3, 3]


def test_framer_refuses_garbage_for_good() -> None:
    framer = StreamFramer()
    with pytest.raises(StunError, match="first byte 0x80"):
        framer.feed(b"\x80\x00\x00\x00")
    with pytest.raises(StunError, match="first byte 0x80"):
        framer.feed(b"\x00\x01\x00\x00")


@pytest.mark.parametrize(
    ("datagram", "kind"),
    [
        (b"", "unknown"),
        (b"\x00\x01", "stun"),
        (b"\x03", "stun"),
        (b"\x04", "unknown"),
        (b"\x10", "zrtp"),
        (b"\x13", "zrtp"),
        (b"\x14", "dtls"),
        (b"\x16\xfe\xfd", "dtls"),
        (b"\x3f", "dtls"),
        (b"\x40\x00", "channeldata"),
        (b"\x4f", "channeldata"),
        (b"\x50", "unknown"),
        (b"\x7f", "unknown"),
        (b"\x80\x00", "rtp"),
        (b"\x80\x6f", "rtp"),
        (b"\x80\xc8", "rtcp"),  # SR
        (b"\x81\xcd", "rtcp"),  # RTPFB
        (b"\x80\xdf", "rtcp"),
        (b"\x80\xe0", "rtp"),  # marker bit + PT 96
        (b"\x80", "rtp"),
        (b"\xbf", "rtp"),
        (b"\xc0", "unknown"),
        (b"\xff", "unknown"),
    ],
)
def test_classify(datagram: bytes, kind: str) -> None:
    assert classify(datagram) == kind
    assert classify(memoryview(datagram)) == kind


def test_classify_vectors() -> None:
    assert classify(vector_path("stun/aioice_binding_request_bare.bin").read_bytes()) == "stun"
    assert classify(vector_path("rtp/aiortc_pcmu_plain.bin").read_bytes()) == "rtp"
    assert classify(vector_path("rtcp/aiortc_sr_one_report_block.bin").read_bytes()) == "rtcp"
