"""Fuzz the DCEP parser and the channel manager: only DcepError may escape the parser, and
nothing at all may escape the manager while it handles what the peer sent."""

from __future__ import annotations

import struct

from hypothesis import given
from hypothesis import strategies as st

from purertc.datachannel import (
    ChannelClosed,
    ChannelMessage,
    ChannelOpen,
    ChannelState,
    ChannelType,
    DataChannelManager,
    DataChannelOpen,
    DcepError,
    IncomingChannel,
    Ppid,
    parse_dcep,
)
from purertc.sctp.events import (
    AssociationClosed,
    AssociationEstablished,
    DataReceived,
    StreamsResetIncoming,
    StreamsResetOutgoingDone,
)
from purertc.sctp.events import BufferedAmountLow as SctpBufferedAmountLow
from purertc.sctp.events import Event as SctpEvent
from tests.datachannel.fake_association import FakeAssociation
from tests.support import load_json_vector

_vectors = load_json_vector("sctp/pion_dcep_open_and_ack.json")["vectors"]
_bundle = bytes.fromhex(load_json_vector("sctp/pion_cookie_echo_bundled_dcep_open.json")["hex"])
SEEDS = [bytes.fromhex(v["hex"]) for v in _vectors] + [
    _bundle[64:79],  # the DATA chunk's user data: DATA_CHANNEL_OPEN "foo"
    DataChannelOpen(
        ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, "label", "éproto", 512, 5
    ).serialize(),
]


def _parse_only_dcep_error(data: bytes) -> None:
    try:
        message = parse_dcep(data)
    except DcepError:
        return
    assert message.serialize() == data  # whatever parses re-serializes byte for byte


def test_bundled_seed_is_the_dcep_open() -> None:
    assert parse_dcep(SEEDS[3]) == DataChannelOpen(ChannelType.RELIABLE, "foo", priority=0)


@given(st.binary(max_size=64))
def test_random_bytes(data: bytes) -> None:
    _parse_only_dcep_error(data)


@given(st.sampled_from(SEEDS), st.data())
def test_mutated_vectors(seed: bytes, data: st.DataObject) -> None:
    raw = bytearray(seed)
    mutation = data.draw(st.sampled_from(["truncate", "flip", "lengths", "extend"]))
    if mutation == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif mutation == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            bit = data.draw(st.integers(0, len(raw) * 8 - 1))
            raw[bit // 8] ^= 1 << (bit % 8)
    elif mutation == "lengths" and len(raw) >= 12:
        label, protocol = data.draw(st.integers(0, 0xFFFF)), data.draw(st.integers(0, 0xFFFF))
        struct.pack_into("!HH", raw, 8, label, protocol)
    else:
        raw += data.draw(st.binary(min_size=1, max_size=16))
    _parse_only_dcep_error(bytes(raw))


@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.sampled_from([*Ppid, 0, 55, 0xFFFFFFFF]),
            st.one_of(st.binary(max_size=32), st.sampled_from(SEEDS)),
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_manager_survives_any_peer_messages(
    messages: list[tuple[int, int, bytes]], is_client: bool
) -> None:
    association = FakeAssociation()
    manager = DataChannelManager(association, is_dtls_client=is_client, established=True)
    manager.create_channel("mine", now=0.0)
    manager.create_channel("negotiated", negotiated=True, id=5, now=0.0)
    for stream_id, ppid, payload in messages:
        manager.handle_sctp_event(DataReceived(stream_id, ppid, payload, False), 1.0)
    while manager.next_event() is not None:
        pass
    for channel_id in manager.channel_ids:
        manager.send(channel_id, "still works", now=2.0)


STREAMS = st.integers(0, 5)
OPERATIONS = st.one_of(
    st.tuples(st.just("create"), st.booleans(), st.one_of(st.none(), STREAMS)),
    st.tuples(st.just("send"), STREAMS, st.one_of(st.text(max_size=4), st.binary(max_size=4))),
    st.tuples(st.just("close"), STREAMS),
    st.tuples(
        st.just("peer_data"),
        STREAMS,
        st.sampled_from([*Ppid, 99]),
        st.one_of(st.binary(max_size=8), st.sampled_from(SEEDS)),
    ),
    st.tuples(st.just("reset_in"), st.lists(STREAMS, max_size=3)),
    st.tuples(st.just("reset_done"), st.lists(STREAMS, max_size=3)),
    st.tuples(st.just("low"), STREAMS),
    st.tuples(st.just("established")),
    st.tuples(st.just("closed")),
)


@given(st.lists(OPERATIONS, max_size=40), st.booleans())
def test_manager_state_machine_under_random_operations(
    operations: list[tuple[object, ...]], is_client: bool
) -> None:
    """Commands may refuse (DcepError); events from the association never raise, and the
    event stream stays coherent: a channel is announced once, carries messages only while
    announced, and is closed at most once per announcement."""
    association = FakeAssociation()
    manager = DataChannelManager(association, is_dtls_client=is_client)
    announced: set[int] = set()
    incoming: set[int] = set()
    now = 0.0
    for operation in operations:
        now += 0.1
        kind = operation[0]
        try:
            if kind == "create":
                manager.create_channel("x", negotiated=bool(operation[1]), id=operation[2], now=now)  # type: ignore[arg-type]
            elif kind == "send":
                manager.send(operation[1], operation[2], now=now)  # type: ignore[arg-type]
            elif kind == "close":
                manager.close(operation[1])  # type: ignore[arg-type]
        except DcepError:
            pass
        if kind == "peer_data":
            event: SctpEvent | None = DataReceived(operation[1], operation[2], operation[3], False)  # type: ignore[arg-type]
        elif kind == "reset_in":
            event = StreamsResetIncoming(tuple(operation[1]))  # type: ignore[arg-type]
        elif kind == "reset_done":
            event = StreamsResetOutgoingDone(tuple(operation[1]))  # type: ignore[arg-type]
        elif kind == "low":
            event = SctpBufferedAmountLow(operation[1])  # type: ignore[arg-type]
        elif kind == "established":
            event = AssociationEstablished()
        elif kind == "closed":
            event = AssociationClosed("abort")
        else:
            event = None
        if event is not None:
            manager.handle_sctp_event(event, now)
        while (out := manager.next_event()) is not None:
            if isinstance(out, IncomingChannel):
                assert out.id not in announced
                incoming.add(out.id)
            elif isinstance(out, ChannelOpen):
                assert out.id not in announced
                incoming.discard(out.id)
                announced.add(out.id)
            elif isinstance(out, ChannelMessage):
                assert out.id in announced
            elif isinstance(out, ChannelClosed):
                announced.discard(out.id)
        assert not incoming  # every IncomingChannel is followed by its ChannelOpen at once
        for channel_id in announced:
            assert manager.state(channel_id) in (ChannelState.OPEN, ChannelState.CLOSING)
