"""Hypothesis round trips: parse(serialize(chunk)) == chunk for every chunk type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.sctp import (
    AbortChunk,
    AddStreamsRequest,
    CookieAckChunk,
    CookieEchoChunk,
    DataChunk,
    ErrorChunk,
    ForwardTsnChunk,
    HeartbeatAckChunk,
    HeartbeatChunk,
    IDataChunk,
    IForwardTsnChunk,
    IncomingSsnResetRequest,
    InitAckChunk,
    InitChunk,
    OutgoingSsnResetRequest,
    Packet,
    Parameter,
    ReconfigChunk,
    ReconfigResponse,
    SackChunk,
    SctpError,
    ShutdownAckChunk,
    ShutdownChunk,
    ShutdownCompleteChunk,
    SsnTsnResetRequest,
    UnknownChunk,
)
from purertc.sctp.chunks import CHUNK_PARSERS, DATA, SACK
from purertc.sctp.implementation import COMPILED, ChunkCodec
from tests.sctp.sctp_impls import IMPLEMENTATIONS, parse_with, speedups_required

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
payload = st.binary(min_size=0, max_size=64)
# reconfig parameter types are parsed into typed classes, so plain TLVs avoid 13..18
tlv = st.builds(Parameter, st.integers(0, 0xFFFF).filter(lambda t: not 13 <= t <= 18), payload)
tlvs = st.lists(tlv, max_size=5)
streams = st.lists(u16, max_size=6).map(tuple)
reconfig_param = st.one_of(
    st.builds(OutgoingSsnResetRequest, u32, u32, u32, streams),
    st.builds(IncomingSsnResetRequest, u32, streams),
    st.builds(SsnTsnResetRequest, u32),
    st.builds(ReconfigResponse, u32, u32),
    st.builds(ReconfigResponse, u32, u32, u32, u32),
    st.builds(AddStreamsRequest, st.booleans(), u32, u16, u16),
    tlv,
)
unknown_types = st.integers(0, 0xFF).filter(lambda t: t not in CHUNK_PARSERS)

chunks = st.one_of(
    st.builds(DataChunk, u8, u32, u16, u16, u32, payload),
    st.builds(IDataChunk, u8, u32, u16, u16, u32, u32, payload),
    st.builds(InitChunk, u32, u32, u16, u16, u32, tlvs, u8),
    st.builds(InitAckChunk, u32, u32, u16, u16, u32, tlvs, u8),
    st.builds(
        SackChunk,
        u32,
        u32,
        st.lists(st.tuples(u16, u16), max_size=8).map(tuple),
        st.lists(u32, max_size=8).map(tuple),
        u8,
    ),
    st.builds(HeartbeatChunk, tlvs, u8),
    st.builds(HeartbeatAckChunk, tlvs, u8),
    st.builds(AbortChunk, tlvs, u8),
    st.builds(ErrorChunk, tlvs, u8),
    st.builds(ShutdownChunk, u32, u8),
    st.builds(ShutdownAckChunk, u8),
    st.builds(CookieAckChunk, u8),
    st.builds(ShutdownCompleteChunk, u8),
    st.builds(CookieEchoChunk, payload, u8),
    st.builds(ForwardTsnChunk, u32, st.lists(st.tuples(u16, u16), max_size=6).map(tuple), u8),
    st.builds(IForwardTsnChunk, u32, st.lists(st.tuples(u16, u16, u32), max_size=6).map(tuple), u8),
    st.builds(ReconfigChunk, st.lists(reconfig_param, max_size=2), u8),
    st.builds(UnknownChunk, unknown_types, u8, payload),
)


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
@given(chunks)
def test_chunk_round_trip(codec: ChunkCodec, chunk: object) -> None:
    packet = Packet(5000, 5000, 0x01020304, [chunk])  # type: ignore[list-item]
    data = packet.serialize()
    assert len(data) % 4 == 0
    assert parse_with(codec, data) == packet


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
@given(u16, u16, u32, st.lists(chunks, min_size=1, max_size=6))
def test_packet_round_trip(
    codec: ChunkCodec, source: int, destination: int, tag: int, items: list[object]
) -> None:
    packet = Packet(source, destination, tag, items)  # type: ignore[arg-type]
    data = packet.serialize()
    parsed = parse_with(codec, data)
    assert parsed == packet
    assert parsed.serialize() == data


def test_compiled_twin_present_when_required() -> None:
    if speedups_required():
        assert COMPILED is not None, "PURERTC_REQUIRE_SPEEDUPS=1 but the SCTP twin is missing"
    else:
        assert IMPLEMENTATIONS[0].values[0].name == "pure"


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
@given(st.builds(DataChunk, u8, u32, u16, u16, u32, payload))
def test_data_chunk_codec(codec: ChunkCodec, chunk: DataChunk) -> None:
    wire = codec.serialize_data(chunk)
    assert wire == chunk.serialize()
    fields = (chunk.flags, chunk.tsn, chunk.stream_id, chunk.stream_seq, chunk.ppid)
    assert codec.encode_data(*fields, memoryview(chunk.user_data)) == wire
    assert codec.parse_chunk(DATA, chunk.flags, wire[4 : 16 + len(chunk.user_data)]) == chunk


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
@given(st.binary(max_size=40), u8)
def test_short_or_odd_bodies_match_the_pure_parser(
    codec: ChunkCodec, body: bytes, flags: int
) -> None:
    """DATA and SACK bodies of any length: the same chunk or the same SctpError message."""
    for kind in (DATA, SACK):
        try:
            expected: object = CHUNK_PARSERS[kind](flags, body)
        except SctpError as error:
            with pytest.raises(SctpError) as raised:
                codec.parse_chunk(kind, flags, body)
            assert str(raised.value) == str(error)
        else:
            assert codec.parse_chunk(kind, flags, body) == expected
