"""The channel manager against a fake association with exactly the sctp contract's members."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.datachannel import (
    BufferedAmountLow,
    ChannelClosed,
    ChannelError,
    ChannelMessage,
    ChannelOpen,
    ChannelState,
    ChannelType,
    DataChannelManager,
    DataChannelOpen,
    DcepError,
    Event,
    IncomingChannel,
    MessageTooLargeError,
    Ppid,
    parse_dcep,
)
from purertc.sctp import events as sctp
from tests.datachannel.fake_association import FakeAssociation, Sent


def drain(manager: DataChannelManager) -> list[Event]:
    events = []
    while (event := manager.next_event()) is not None:
        events.append(event)
    return events


def make(
    *, is_client: bool = True, established: bool = True, **association: int
) -> tuple[DataChannelManager, FakeAssociation]:
    fake = FakeAssociation(**association)  # type: ignore[arg-type]
    manager = DataChannelManager(fake, is_dtls_client=is_client, established=established)
    return manager, fake


def peer_open(manager: DataChannelManager, stream_id: int, message: DataChannelOpen) -> None:
    event = sctp.DataReceived(stream_id, Ppid.DCEP, message.serialize(), False)
    manager.handle_sctp_event(event, 1.0)


def peer_data(manager: DataChannelManager, stream_id: int, ppid: int, data: bytes) -> None:
    manager.handle_sctp_event(sctp.DataReceived(stream_id, ppid, data, False), 1.0)


# --------------------------------------------------------------------------- stream ids


@pytest.mark.parametrize(("is_client", "ids"), [(True, [0, 2, 4]), (False, [1, 3, 5])])
def test_stream_ids_follow_the_dtls_role(is_client: bool, ids: list[int]) -> None:
    manager, _ = make(is_client=is_client)
    assert [manager.create_channel(f"c{i}", now=0.0) for i in range(3)] == ids


def test_allocation_skips_ids_in_use() -> None:
    manager, _ = make(is_client=True)
    manager.create_channel("negotiated", negotiated=True, id=0, now=0.0)
    peer_open(manager, 2, DataChannelOpen(ChannelType.RELIABLE, "theirs"))  # wrong parity
    assert manager.create_channel("next", now=0.0) == 4


def test_explicit_id_collision_is_refused() -> None:
    manager, _ = make()
    manager.create_channel("a", negotiated=True, id=7, now=0.0)
    with pytest.raises(DcepError, match="id 7 is already used"):
        manager.create_channel("b", negotiated=True, id=7, now=0.0)
    with pytest.raises(DcepError, match="id 65535 out of range"):
        manager.create_channel("c", negotiated=True, id=65535, now=0.0)
    with pytest.raises(DcepError, match="needs an explicit id"):
        manager.create_channel("d", negotiated=True, now=0.0)


def test_incoming_open_on_a_used_stream_is_an_error_not_a_takeover() -> None:
    manager, fake = make()
    channel = manager.create_channel("mine", negotiated=True, id=3, now=0.0)
    drain(manager)
    peer_open(manager, 3, DataChannelOpen(ChannelType.RELIABLE, "intruder"))
    [event] = drain(manager)
    assert isinstance(event, ChannelError) and event.id == 3 and "already used" in event.reason
    assert fake.sent == []  # no ACK
    assert manager.parameters(channel).label == "mine"


# --------------------------------------------------------------------------- opening


def test_open_waits_for_the_association() -> None:
    manager, fake = make(established=False)
    channel = manager.create_channel("early", now=0.0)
    negotiated = manager.create_channel("agreed", negotiated=True, id=10, now=0.0)
    assert fake.sent == [] and drain(manager) == []
    assert manager.state(channel) is ChannelState.CONNECTING
    with pytest.raises(DcepError, match="connecting"):
        manager.send(channel, "too soon", now=0.0)
    manager.handle_sctp_event(sctp.AssociationEstablished(), 2.0)
    assert drain(manager) == [ChannelOpen(channel), ChannelOpen(negotiated)]
    [open_sent] = fake.sent  # the negotiated channel sends no DCEP
    assert (open_sent.stream_id, open_sent.ppid, open_sent.ordered) == (channel, Ppid.DCEP, True)
    assert (open_sent.max_retransmits, open_sent.max_lifetime, open_sent.now) == (None, None, 2.0)
    assert parse_dcep(open_sent.data) == DataChannelOpen(ChannelType.RELIABLE, "early")
    assert manager.state(channel) is manager.state(negotiated) is ChannelState.OPEN


def test_data_from_the_peer_implies_the_association_is_up() -> None:
    manager, fake = make(established=False)
    channel = manager.create_channel("n", negotiated=True, id=0, now=0.0)
    peer_data(manager, channel, Ppid.STRING, b"hi")
    assert drain(manager) == [ChannelOpen(channel), ChannelMessage(channel, "hi")]


def test_a_second_established_event_changes_nothing() -> None:
    manager, fake = make(established=False)
    manager.create_channel("x", now=0.0)
    manager.handle_sctp_event(sctp.AssociationEstablished(), 1.0)
    manager.handle_sctp_event(sctp.AssociationEstablished(), 2.0)
    assert len(fake.sent) == 1 and len(drain(manager)) == 1


@pytest.mark.parametrize(
    ("options", "channel_type", "parameter", "send_options"),
    [
        ({}, ChannelType.RELIABLE, 0, (True, None, None)),
        ({"ordered": False}, ChannelType.RELIABLE_UNORDERED, 0, (False, None, None)),
        ({"max_retransmits": 2}, ChannelType.PARTIAL_RELIABLE_REXMIT, 2, (True, 2, None)),
        (
            {"ordered": False, "max_packet_life_time": 1500},
            ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED,
            1500,
            (False, None, 1.5),
        ),
    ],
)
def test_reliability_maps_to_the_open_and_to_send_options(
    options: dict[str, int],
    channel_type: ChannelType,
    parameter: int,
    send_options: tuple[bool, int | None, float | None],
) -> None:
    manager, fake = make()
    channel = manager.create_channel(
        "r",
        protocol="p",
        priority=1024,
        now=0.0,
        **options,  # type: ignore[arg-type]
    )
    [open_sent] = fake.sent
    message = parse_dcep(open_sent.data)
    assert message == DataChannelOpen(channel_type, "r", "p", 1024, parameter)
    peer_data(manager, channel, Ppid.DCEP, b"\x02")  # the ACK
    manager.send(channel, b"payload", now=3.0)
    sent = fake.sent[-1]
    assert (sent.ordered, sent.max_retransmits, sent.max_lifetime) == send_options
    assert (sent.stream_id, sent.data, sent.ppid, sent.now) == (channel, b"payload", 53, 3.0)


def test_unordered_channel_sends_ordered_until_the_ack() -> None:
    manager, fake = make()
    channel = manager.create_channel("u", ordered=False, now=0.0)
    assert drain(manager) == [ChannelOpen(channel)]  # open at once, before the ACK
    manager.send(channel, "first", now=0.1)
    assert fake.sent[-1].ordered is True  # must not overtake the OPEN
    peer_data(manager, channel, Ppid.DCEP, b"\x02\x00\x00\x00")  # pion's 4-byte ACK
    manager.send(channel, "second", now=0.2)
    assert fake.sent[-1].ordered is False
    assert drain(manager) == []


def test_data_before_the_ack_is_delivered_and_counts_as_the_ack() -> None:
    manager, fake = make()
    channel = manager.create_channel("ff", ordered=False, now=0.0)
    drain(manager)
    peer_data(manager, channel, Ppid.STRING, b"hello early")  # Firefox does this
    assert drain(manager) == [ChannelMessage(channel, "hello early")]
    manager.send(channel, "reply", now=1.0)
    assert fake.sent[-1].ordered is False
    peer_data(manager, channel, Ppid.DCEP, b"\x02")  # the late ACK is harmless
    assert drain(manager) == []


def test_incoming_open_is_acknowledged_and_announced() -> None:
    manager, fake = make(is_client=False)
    announced = DataChannelOpen(
        ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED, "in", "proto", 128, 900
    )
    peer_open(manager, 4, announced)
    [ack] = fake.sent
    assert ack == Sent(4, b"\x02", Ppid.DCEP, True, None, None, 1.0)
    assert drain(manager) == [
        IncomingChannel(4, "in", "proto", False, None, 900, 128),
        ChannelOpen(4),
    ]
    parameters = manager.parameters(4)
    assert (parameters.negotiated, parameters.max_lifetime) == (False, 0.9)
    manager.send(4, b"x", now=2.0)  # the responder never waits for anything
    assert (fake.sent[-1].ordered, fake.sent[-1].max_lifetime) == (False, 0.9)


def test_failed_ack_is_reported_and_the_channel_not_created() -> None:
    manager, fake = make()
    fake.established = False  # the association refuses to send
    peer_open(manager, 1, DataChannelOpen(ChannelType.RELIABLE, "x"))
    [event] = drain(manager)
    assert isinstance(event, ChannelError) and "cannot acknowledge" in event.reason
    assert manager.channel_ids == []


def test_failed_open_after_establishment_is_reported() -> None:
    manager, fake = make(established=False)
    channel = manager.create_channel("x", now=0.0)
    fake.established = False
    manager.handle_sctp_event(sctp.AssociationEstablished(), 1.0)
    [error, closed] = drain(manager)
    assert isinstance(error, ChannelError) and error.id == channel
    assert "cannot open" in error.reason
    assert closed == ChannelClosed(channel) and manager.channel_ids == []


def test_failed_create_leaves_no_channel_behind() -> None:
    manager, fake = make()
    fake.established = False
    with pytest.raises(ValueError, match="not established"):
        manager.create_channel("x", now=0.0)
    assert manager.channel_ids == [] and drain(manager) == []
    fake.established = True
    assert manager.create_channel("x", now=0.0) == 0


def test_ack_on_a_negotiated_channel_is_an_error() -> None:
    manager, _ = make()
    channel = manager.create_channel("n", negotiated=True, id=9, now=0.0)
    drain(manager)
    peer_data(manager, channel, Ppid.DCEP, b"\x02")
    [event] = drain(manager)
    assert isinstance(event, ChannelError) and "negotiated" in event.reason


def test_create_channel_validates_options() -> None:
    manager, _ = make()
    with pytest.raises(DcepError, match="mutually exclusive"):
        manager.create_channel("x", max_retransmits=1, max_packet_life_time=1, now=0.0)
    with pytest.raises(DcepError, match="max_retransmits 65536"):
        manager.create_channel("x", max_retransmits=65536, now=0.0)
    with pytest.raises(DcepError, match="max_packet_life_time -1"):
        manager.create_channel("x", max_packet_life_time=-1, now=0.0)
    with pytest.raises(DcepError, match="priority"):
        manager.create_channel("x", priority=70000, now=0.0)
    with pytest.raises(DcepError, match="priority"):
        manager.create_channel("x", negotiated=True, id=1, priority=-1, now=0.0)
    assert manager.channel_ids == []


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("message", "ppid", "payload"),
    [
        ("héllo", Ppid.STRING, "héllo".encode()),
        (b"\x00\x01", Ppid.BINARY, b"\x00\x01"),
        ("", Ppid.STRING_EMPTY, b"\x00"),
        (b"", Ppid.BINARY_EMPTY, b"\x00"),
        (bytearray(b"ba"), Ppid.BINARY, b"ba"),
    ],
)
def test_send_picks_the_ppid(message: str | bytes, ppid: Ppid, payload: bytes) -> None:
    manager, fake = make()
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    manager.send(channel, message, now=1.0)
    assert (fake.sent[-1].ppid, fake.sent[-1].data) == (ppid, payload)


@pytest.mark.parametrize(
    ("ppid", "payload", "delivered"),
    [
        (Ppid.STRING, "ünï".encode(), "ünï"),
        (Ppid.BINARY, b"\xff\x00", b"\xff\x00"),
        (Ppid.STRING_EMPTY, b"\x00", ""),
        (Ppid.BINARY_EMPTY, b"\x00", b""),
    ],
)
def test_receive_by_ppid(ppid: Ppid, payload: bytes, delivered: str | bytes) -> None:
    manager, _ = make()
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    drain(manager)
    peer_data(manager, channel, ppid, payload)
    assert drain(manager) == [ChannelMessage(channel, delivered)]


def test_deprecated_partial_messages_are_reassembled() -> None:
    manager, _ = make()
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    drain(manager)
    word = "größe".encode()
    peer_data(manager, channel, Ppid.STRING_PARTIAL, word[:3])  # splits the 'ö'
    peer_data(manager, channel, Ppid.STRING_PARTIAL, word[3:5])
    peer_data(manager, channel, Ppid.STRING, word[5:])
    peer_data(manager, channel, Ppid.BINARY_PARTIAL, b"ab")
    peer_data(manager, channel, Ppid.BINARY, b"cd")
    assert drain(manager) == [ChannelMessage(channel, "größe"), ChannelMessage(channel, b"abcd")]


def test_partial_message_of_mixed_types_is_dropped() -> None:
    manager, _ = make()
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    drain(manager)
    peer_data(manager, channel, Ppid.STRING_PARTIAL, b"ab")
    peer_data(manager, channel, Ppid.BINARY, b"whole")  # ends the wrong way
    peer_data(manager, channel, Ppid.BINARY_PARTIAL, b"x")
    peer_data(manager, channel, Ppid.STRING_PARTIAL, b"y")  # switches type midway
    peer_data(manager, channel, Ppid.STRING, b"z")
    events = drain(manager)
    assert [type(e) for e in events] == [ChannelError, ChannelMessage, ChannelError, ChannelMessage]
    assert events[1] == ChannelMessage(channel, b"whole")
    assert events[3] == ChannelMessage(channel, "yz")


def test_partial_reassembly_is_bounded_by_our_max_message_size() -> None:
    fake = FakeAssociation()
    manager = DataChannelManager(fake, is_dtls_client=True, established=True, max_message_size=10)
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    drain(manager)
    peer_data(manager, channel, Ppid.BINARY_PARTIAL, b"123456")
    peer_data(manager, channel, Ppid.BINARY_PARTIAL, b"789012")  # 12 > 10
    peer_data(manager, channel, Ppid.BINARY, b"end")  # stands alone now
    peer_data(manager, channel, Ppid.BINARY_PARTIAL, b"123456")
    peer_data(manager, channel, Ppid.BINARY, b"78901")  # the whole would be 11
    events = drain(manager)
    assert [type(e) for e in events] == [ChannelError, ChannelMessage, ChannelError]
    assert events[1] == ChannelMessage(channel, b"end")
    assert all("max-message-size 10" in e.reason for e in events if isinstance(e, ChannelError))


def test_partial_pieces_are_bounded_across_channels() -> None:
    fake = FakeAssociation()
    manager = DataChannelManager(fake, is_dtls_client=True, established=True, max_message_size=10)
    for stream_id in range(6):
        manager.create_channel(f"c{stream_id}", negotiated=True, id=stream_id, now=0.0)
    drain(manager)
    for stream_id in range(4):  # 4 x 9 bytes held: within 4 x max_message_size
        peer_data(manager, stream_id, Ppid.BINARY_PARTIAL, b"123456789")
    assert drain(manager) == []
    peer_data(manager, 4, Ppid.BINARY_PARTIAL, b"12345")  # 41 > 40
    [event] = drain(manager)
    assert isinstance(event, ChannelError) and event.id == 4 and "across channels" in event.reason
    manager.handle_sctp_event(sctp.StreamsResetIncoming((0,)), 1.0)  # frees channel 0's piece
    peer_data(manager, 5, Ppid.BINARY_PARTIAL, b"12345")
    peer_data(manager, 5, Ppid.BINARY, b"6")
    assert drain(manager) == [ChannelClosed(0), ChannelMessage(5, b"123456")]


@pytest.mark.parametrize(
    ("ppid", "payload", "reason"),
    [
        (Ppid.STRING, b"\xc3(", "not valid UTF-8"),
        (55, b"?", "unknown PPID 55"),
        (Ppid.DCEP, b"\x03\x00", "malformed DCEP message"),
        (Ppid.DCEP, b"\x07", "malformed DCEP message"),
        (Ppid.DCEP, b"", "malformed DCEP message"),
    ],
)
def test_bad_peer_messages_become_channel_errors(ppid: int, payload: bytes, reason: str) -> None:
    manager, _ = make()
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    drain(manager)
    peer_data(manager, channel, ppid, payload)
    [event] = drain(manager)
    assert isinstance(event, ChannelError) and event.id == channel and reason in event.reason
    assert manager.state(channel) is ChannelState.OPEN
    peer_data(manager, channel, Ppid.STRING, b"fine")
    assert drain(manager) == [ChannelMessage(channel, "fine")]


def test_messages_for_unknown_streams_are_dropped_and_counted() -> None:
    manager, _ = make()
    peer_data(manager, 12, Ppid.STRING, b"nobody")
    peer_data(manager, 12, Ppid.DCEP, b"\x02")
    assert drain(manager) == [] and manager.dropped_messages == 2


def test_peer_open_on_reserved_stream_is_refused() -> None:
    manager, fake = make()
    peer_open(manager, 65535, DataChannelOpen(ChannelType.RELIABLE, "x"))
    [event] = drain(manager)
    assert isinstance(event, ChannelError) and "reserved" in event.reason
    assert fake.sent == []


def test_max_message_size_is_enforced_on_send() -> None:
    manager, fake = make(remote_max_message_size=8)
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    manager.send(channel, b"12345678", now=0.0)
    with pytest.raises(MessageTooLargeError, match="9 bytes exceeds the peer's max-message-size 8"):
        manager.send(channel, b"123456789", now=0.0)
    with pytest.raises(MessageTooLargeError):
        manager.send(channel, "ééééé", now=0.0)  # 10 bytes of UTF-8
    assert len(fake.sent) == 1
    fake.remote_max_message_size = 0  # RFC 8841 §6: 0 means no limit was announced
    manager.send(channel, bytes(100_000), now=0.0)
    assert len(fake.sent[-1].data) == 100_000


def test_send_refuses_unencodable_text_and_unknown_channels() -> None:
    manager, _ = make()
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    with pytest.raises(DcepError, match="UTF-8"):
        manager.send(channel, "\ud800", now=0.0)
    with pytest.raises(DcepError, match="no open or pending channel with id 4"):
        manager.send(4, "x", now=0.0)
    with pytest.raises(TypeError, match="not int"):
        manager.send(channel, 5, now=0.0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- closing


def test_local_close_resets_the_stream_and_closes_when_done() -> None:
    manager, fake = make()
    channel = manager.create_channel("c", now=0.0)
    drain(manager)
    manager.close(channel)
    manager.close(channel)  # idempotent
    assert fake.resets == [(channel,)]
    assert manager.state(channel) is ChannelState.CLOSING
    with pytest.raises(DcepError, match="closing"):
        manager.send(channel, "late", now=0.0)
    assert drain(manager) == []
    manager.handle_sctp_event(sctp.StreamsResetOutgoingDone((channel,)), 1.0)
    assert drain(manager) == [ChannelClosed(channel)]
    assert manager.state(channel) is ChannelState.CLOSED
    # the id stays taken until the peer resets its side too
    assert manager.create_channel("next", now=1.0) == 2
    peer_data(manager, channel, Ppid.STRING, b"in flight")
    assert drain(manager) == [ChannelOpen(2)] and manager.dropped_messages == 1
    manager.handle_sctp_event(sctp.StreamsResetIncoming((channel,)), 1.1)
    assert drain(manager) == []
    manager.close(channel)  # closing a closed (forgotten) channel does nothing
    assert fake.resets == [(channel,)] and drain(manager) == []
    assert manager.create_channel("reuse", now=1.2) == channel


def test_local_close_completed_by_the_peers_reset_first() -> None:
    manager, _ = make()
    channel = manager.create_channel("c", now=0.0)
    manager.close(channel)
    drain(manager)
    manager.handle_sctp_event(sctp.StreamsResetIncoming((channel,)), 1.0)
    assert drain(manager) == [ChannelClosed(channel)]
    assert manager.create_channel("other", now=1.0) == 2  # ours still resetting
    manager.handle_sctp_event(sctp.StreamsResetOutgoingDone((channel,)), 1.1)
    assert drain(manager) == [ChannelOpen(2)]
    assert manager.create_channel("reuse", now=1.2) == channel


def test_peer_close_closes_at_once_and_frees_the_id() -> None:
    manager, fake = make()
    channel = manager.create_channel("c", now=0.0)
    drain(manager)
    manager.handle_sctp_event(sctp.StreamsResetIncoming((channel, 99)), 1.0)
    assert drain(manager) == [ChannelClosed(channel)]
    assert fake.resets == []  # the association answers the reset itself (sctp contract)
    # a stale completion for the association's own answer touches nothing
    manager.handle_sctp_event(sctp.StreamsResetOutgoingDone((channel,)), 1.1)
    assert manager.create_channel("reuse", now=1.2) == channel
    manager.handle_sctp_event(sctp.StreamsResetOutgoingDone((channel,)), 1.3)
    assert manager.state(channel) is ChannelState.OPEN and drain(manager) == [ChannelOpen(0)]


def test_closing_a_channel_never_announced() -> None:
    manager, fake = make(established=False)
    channel = manager.create_channel("c", now=0.0)
    manager.close(channel)
    assert drain(manager) == [ChannelClosed(channel)] and fake.resets == []
    manager.handle_sctp_event(sctp.AssociationEstablished(), 1.0)
    assert fake.sent == [] and drain(manager) == []


def test_association_closed_closes_every_channel() -> None:
    manager, _ = make()
    a = manager.create_channel("a", now=0.0)
    b = manager.create_channel("b", negotiated=True, id=7, now=0.0)
    manager.close(a)
    drain(manager)
    manager.handle_sctp_event(sctp.AssociationClosed("abort"), 1.0)
    assert drain(manager) == [ChannelClosed(a), ChannelClosed(b)]
    assert manager.channel_ids == []
    with pytest.raises(DcepError):
        manager.send(b, "x", now=1.0)


def test_partial_message_is_discarded_when_the_stream_resets() -> None:
    manager, _ = make()
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    peer_data(manager, channel, Ppid.BINARY_PARTIAL, b"half")
    manager.handle_sctp_event(sctp.StreamsResetIncoming((channel,)), 1.0)
    manager.create_channel("again", negotiated=True, id=0, now=1.0)
    drain(manager)
    peer_data(manager, channel, Ppid.BINARY, b"new")
    assert drain(manager) == [ChannelMessage(channel, b"new")]


# --------------------------------------------------------------------------- buffering


def test_buffered_amount_and_low_threshold() -> None:
    manager, fake = make()
    channel = manager.create_channel("b", negotiated=True, id=0, now=0.0)
    other = manager.create_channel("o", negotiated=True, id=2, now=0.0)
    drain(manager)
    manager.send(channel, b"x" * 100, now=0.0)
    manager.send(other, b"y" * 7, now=0.0)
    assert (manager.buffered_amount(channel), manager.buffered_amount(other)) == (100, 7)
    manager.set_buffered_amount_low_threshold(channel, 50)
    assert fake.thresholds == {channel: 50}
    with pytest.raises(DcepError, match="threshold -1"):
        manager.set_buffered_amount_low_threshold(channel, -1)
    manager.handle_sctp_event(sctp.BufferedAmountLow(channel), 1.0)
    manager.handle_sctp_event(sctp.BufferedAmountLow(40), 1.0)  # no such channel: ignored
    assert drain(manager) == [BufferedAmountLow(channel)]
    manager.close(channel)
    manager.handle_sctp_event(sctp.StreamsResetIncoming((channel,)), 1.0)
    assert manager.state(channel) is ChannelState.CLOSED
    assert manager.buffered_amount(channel) == 100  # readable after close, as in W3C


# --------------------------------------------------------------------------- robustness


def test_an_application_handler_raising_does_not_break_the_manager() -> None:
    """The manager has no callbacks: an exception while the application handles one event
    leaves the queue and the channels as they were, and the next event is still there."""
    manager, _ = make()
    channel = manager.create_channel("m", negotiated=True, id=0, now=0.0)
    drain(manager)
    peer_data(manager, channel, Ppid.STRING, b"one")
    peer_data(manager, channel, Ppid.STRING, b"two")

    def handler(event: Event) -> None:
        if isinstance(event, ChannelMessage) and event.data == "one":
            raise RuntimeError("application bug")

    delivered = []
    while (event := manager.next_event()) is not None:
        with contextlib.suppress(RuntimeError):
            handler(event)
        delivered.append(event)
    assert delivered == [ChannelMessage(channel, "one"), ChannelMessage(channel, "two")]
    manager.send(channel, "still open", now=1.0)


def test_unknown_association_events_are_ignored() -> None:
    manager, _ = make()
    manager.handle_sctp_event(object(), 0.0)  # type: ignore[arg-type]
    manager.handle_sctp_event(Sent(0, b"", 0, True, None, None, 0.0), 0.0)  # type: ignore[arg-type]
    assert drain(manager) == []


@given(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=10),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=10),
    st.booleans(),
    st.one_of(
        st.tuples(st.none(), st.none()),
        st.tuples(st.integers(0, 65535), st.none()),
        st.tuples(st.none(), st.integers(0, 65535)),
    ),
    st.integers(0, 65535),
)
def test_the_peer_sees_the_channel_we_created(
    label: str,
    protocol: str,
    ordered: bool,
    reliability: tuple[int | None, int | None],
    priority: int,
) -> None:
    ours, fake = make(is_client=True)
    channel = ours.create_channel(
        label,
        protocol=protocol,
        ordered=ordered,
        max_retransmits=reliability[0],
        max_packet_life_time=reliability[1],
        priority=priority,
        now=0.0,
    )
    theirs, _ = make(is_client=False)
    theirs.handle_sctp_event(sctp.DataReceived(channel, Ppid.DCEP, fake.sent[0].data, False), 0.0)
    assert theirs.parameters(channel) == ours.parameters(channel)
