"""Hypothesis round trips: parse(serialize(chunk)) == chunk for every chunk type."""

from __future__ import annotations

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
    ShutdownAckChunk,
    ShutdownChunk,
    ShutdownCompleteChunk,
    SsnTsnResetRequest,
    UnknownChunk,
)
from purertc.sctp.chunks import CHUNK_PARSERS

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


@given(chunks)
def test_chunk_round_trip(chunk: object) -> None:
    packet = Packet(5000, 5000, 0x01020304, [chunk])  # type: ignore[list-item]
    data = packet.serialize()
    assert len(data) % 4 == 0
    assert Packet.parse(data) == packet


@given(u16, u16, u32, st.lists(chunks, min_size=1, max_size=6))
def test_packet_round_trip(source: int, destination: int, tag: int, items: list[object]) -> None:
    packet = Packet(source, destination, tag, items)  # type: ignore[arg-type]
    data = packet.serialize()
    parsed = Packet.parse(data)
    assert parsed == packet
    assert parsed.serialize() == data
