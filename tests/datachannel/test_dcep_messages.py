"""DCEP message codec (RFC 8832 §5): shared vectors, every channel type, bad input."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.datachannel import (
    ChannelType,
    DataChannelAck,
    DataChannelOpen,
    DcepError,
    MessageType,
    parse_dcep,
)
from tests.support import load_json_vector

OPEN_AND_ACK = "sctp/pion_dcep_open_and_ack.json"
COOKIE_ECHO_BUNDLE = "sctp/pion_cookie_echo_bundled_dcep_open.json"


def _check_expected(message: object, expected: dict[str, object]) -> None:
    if expected["message"] == "DATA_CHANNEL_ACK":
        assert isinstance(message, DataChannelAck)
        return
    assert isinstance(message, DataChannelOpen)
    assert expected["message"] == "DATA_CHANNEL_OPEN"
    assert message.channel_type == int(str(expected["channel_type"]), 16)
    assert message.priority == expected["priority"]
    assert message.reliability_parameter == expected["reliability_parameter"]
    assert message.label == expected["label"]
    assert message.protocol == expected["protocol"]


@pytest.mark.parametrize(
    "vector", load_json_vector(OPEN_AND_ACK)["vectors"], ids=lambda v: v["name"][:24]
)
def test_pion_vectors_parse_and_round_trip(vector: dict[str, object]) -> None:
    raw = bytes.fromhex(str(vector["hex"]))
    message = parse_dcep(raw)
    expected = vector["expected"]
    assert isinstance(expected, dict)
    _check_expected(message, expected)
    assert message.serialize() == raw


def _data_chunk_payloads(packet: bytes) -> list[tuple[int, int, bytes]]:
    """(stream id, PPID, user data) of each DATA chunk, by RFC 9260 §3.3.1 layout."""
    out = []
    offset = 12  # common header
    while offset + 4 <= len(packet):
        chunk_type, _flags, length = struct.unpack_from("!BBH", packet, offset)
        if chunk_type == 0:
            stream_id, _ssn, ppid = struct.unpack_from("!HHI", packet, offset + 8)
            out.append((stream_id, ppid, packet[offset + 16 : offset + length]))
        offset += (length + 3) & ~3
    return out


def test_dcep_open_bundled_with_cookie_echo() -> None:
    vector = load_json_vector(COOKIE_ECHO_BUNDLE)
    [(stream_id, ppid, payload)] = _data_chunk_payloads(bytes.fromhex(vector["hex"]))
    [_, data_chunk] = vector["expected"]["chunks"]
    assert (stream_id, ppid) == (data_chunk["stream_id"], data_chunk["ppid"]) == (1, 50)
    assert len(payload) == data_chunk["user_data_length"]
    message = parse_dcep(payload)
    _check_expected(message, data_chunk["dcep"])
    assert isinstance(message, DataChannelOpen)
    assert message.ordered and message.max_retransmits is None
    assert message.max_packet_life_time is None
    assert message.serialize() == payload


@pytest.mark.parametrize(
    ("ordered", "max_retransmits", "max_packet_life_time", "channel_type", "parameter"),
    [
        (True, None, None, ChannelType.RELIABLE, 0),
        (False, None, None, ChannelType.RELIABLE_UNORDERED, 0),
        (True, 3, None, ChannelType.PARTIAL_RELIABLE_REXMIT, 3),
        (False, 0, None, ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, 0),
        (True, None, 1500, ChannelType.PARTIAL_RELIABLE_TIMED, 1500),
        (False, None, 250, ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED, 250),
    ],
)
def test_every_channel_type(
    ordered: bool,
    max_retransmits: int | None,
    max_packet_life_time: int | None,
    channel_type: ChannelType,
    parameter: int,
) -> None:
    message = DataChannelOpen.for_options(
        "chat",
        "json",
        ordered=ordered,
        max_retransmits=max_retransmits,
        max_packet_life_time=max_packet_life_time,
        priority=512,
    )
    assert message.channel_type is channel_type
    assert message.reliability_parameter == parameter
    wire = message.serialize()
    assert wire[:2] == bytes([MessageType.DATA_CHANNEL_OPEN, channel_type])
    assert wire[2:4] == (512).to_bytes(2, "big")
    assert wire[4:8] == parameter.to_bytes(4, "big")
    assert wire[8:12] == b"\x00\x04\x00\x04" and wire[12:] == b"chatjson"
    parsed = DataChannelOpen.parse(wire)
    assert parsed == message
    assert (parsed.ordered, parsed.max_retransmits, parsed.max_packet_life_time) == (
        ordered,
        max_retransmits,
        max_packet_life_time,
    )


def test_ack_is_one_byte() -> None:
    assert DataChannelAck().serialize() == b"\x02"
    assert parse_dcep(b"\x02") == DataChannelAck()


def test_utf8_label_and_protocol() -> None:
    message = DataChannelOpen(ChannelType.RELIABLE, "çhät 💬", "proto/ü")
    wire = message.serialize()
    assert struct.unpack_from("!HH", wire, 8) == (len("çhät 💬".encode()), len(b"proto/\xc3\xbc"))
    assert parse_dcep(wire) == message


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"", "message_type"),
        (b"\x01", "message_type"),
        (b"\xff\x00", "message_type"),
        (b"\x03\x00\x00", "header"),
        (bytes.fromhex("0300000000000000"), "header"),
        (bytes.fromhex("03050000000000000000000000"), "channel_type"),
        (bytes.fromhex("0300000000000000000400016162"), "label_length"),
        (bytes.fromhex("03000000000000000001000161"), "protocol_length"),
        (bytes.fromhex("03000000000000000002000061ff"), "label"),
        (bytes.fromhex("0300000000000000000000018f"), "protocol"),
    ],
)
def test_malformed_messages_name_the_field(raw: bytes, field: str) -> None:
    with pytest.raises(DcepError, match=field):
        parse_dcep(raw)


def test_wrong_type_for_specific_parser() -> None:
    with pytest.raises(DcepError, match="message_type"):
        DataChannelOpen.parse(b"\x02" + bytes(11))
    with pytest.raises(DcepError, match="message_type"):
        DataChannelAck.parse(b"\x03")
    with pytest.raises(DcepError, match="message_type"):
        DataChannelAck.parse(b"")


def test_out_of_range_values_are_refused() -> None:
    with pytest.raises(DcepError, match="priority"):
        DataChannelOpen(ChannelType.RELIABLE, priority=0x10000)
    with pytest.raises(DcepError, match="reliability_parameter"):
        DataChannelOpen(ChannelType.PARTIAL_RELIABLE_REXMIT, reliability_parameter=-1)
    with pytest.raises(DcepError, match="label"):
        DataChannelOpen(ChannelType.RELIABLE, label="x" * 0x10000).serialize()
    with pytest.raises(DcepError, match="protocol"):
        DataChannelOpen(ChannelType.RELIABLE, protocol="\ud800").serialize()
    with pytest.raises(DcepError, match="mutually exclusive"):
        DataChannelOpen.for_options("x", max_retransmits=1, max_packet_life_time=1)


def test_memoryview_input() -> None:
    wire = DataChannelOpen(ChannelType.RELIABLE_UNORDERED, "a", "b").serialize()
    assert parse_dcep(memoryview(b"junk" + wire)[4:]) == parse_dcep(wire)


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)  # no lone surrogates
opens = st.builds(
    DataChannelOpen,
    st.sampled_from(ChannelType),
    texts,
    texts,
    st.integers(0, 0xFFFF),
    st.integers(0, 0xFFFF_FFFF),
    st.binary(max_size=8),
)


@given(opens)
def test_open_round_trip(message: DataChannelOpen) -> None:
    wire = message.serialize()
    assert parse_dcep(wire) == message
    assert parse_dcep(wire).serialize() == wire


@given(st.binary(max_size=8))
def test_ack_round_trip(trailing: bytes) -> None:
    ack = DataChannelAck(trailing)
    assert parse_dcep(ack.serialize()) == ack
