"""Two real SCTP associations, each under a channel manager, joined by tests/netsim.py."""

from __future__ import annotations

import random

import pytest

from purertc.datachannel import (
    BufferedAmountLow,
    ChannelClosed,
    ChannelError,
    ChannelMessage,
    ChannelOpen,
    ChannelState,
    DataChannelManager,
    DcepError,
    Event,
    IncomingChannel,
    MessageTooLargeError,
    Ppid,
)
from purertc.sctp import Association
from purertc.sctp.events import DataReceived
from purertc.sctp.events import Event as SctpEvent
from tests.netsim import Link, Simulation


class Endpoint:
    """The adapter core: the association's five verbs, with its events fed to the manager
    and the manager's events coming out of ``next_event``."""

    def __init__(self, seed: int, *, is_dtls_client: bool) -> None:
        self.association = Association(rng=random.Random(seed))
        self.manager = DataChannelManager(self.association, is_dtls_client=is_dtls_client)
        self.sctp_events: list[SctpEvent] = []  # what the manager was fed, for the tests

    def _pump(self, now: float) -> None:
        while (event := self.association.next_event()) is not None:
            self.sctp_events.append(event)
            self.manager.handle_sctp_event(event, now)

    def user_data(self) -> list[tuple[bytes, bool]]:
        """(payload, unordered) of every non-DCEP message the association delivered."""
        return [
            (e.data, e.unordered)
            for e in self.sctp_events
            if isinstance(e, DataReceived) and e.ppid != Ppid.DCEP
        ]

    def receive(self, data: bytes, now: float) -> None:
        self.association.receive(data, now)
        self._pump(now)

    def handle_timer(self, now: float) -> None:
        self.association.handle_timer(now)
        self._pump(now)

    def get_timer(self) -> float | None:
        return self.association.get_timer()

    def datagrams_to_send(self, now: float) -> list[bytes]:
        return self.association.datagrams_to_send(now)

    def next_event(self) -> Event | None:
        return self.manager.next_event()


def connected(link: Link | None = None) -> tuple[Simulation, Endpoint, Endpoint]:
    a = Endpoint(1, is_dtls_client=True)
    b = Endpoint(2, is_dtls_client=False)
    sim = Simulation(a, b, link=Link(delay=0.02), seed=7)
    a.association.connect(sim.now)
    sim.run_until(lambda: a.manager.established and b.manager.established, timeout=5)
    if link is not None:  # the handshake under loss is the sctp tests' business
        sim.links = {"a": link, "b": link}
    return sim, a, b


def received(sim: Simulation, name: str) -> list[object]:
    return [e for e in sim.events[name] if isinstance(e, ChannelMessage)]


def test_open_ack_and_messages_both_ways() -> None:
    sim, a, b = connected()
    channel = a.manager.create_channel("chat", protocol="json", now=sim.now)
    sim.flush()
    sim.run_until(
        lambda: IncomingChannel(0, "chat", "json", True, None, None, 256) in sim.events["b"], 2
    )
    assert ChannelOpen(channel) in sim.events["a"] and ChannelOpen(channel) in sim.events["b"]
    sim.run_until(lambda: len(a.sctp_events) > 1, 2)  # the ACK came
    for i in range(20):
        a.manager.send(channel, f"a{i}", now=sim.now)
        b.manager.send(channel, bytes([i]) * (i * 100), now=sim.now)
    a.manager.send(channel, "", now=sim.now)
    b.manager.send(channel, b"", now=sim.now)
    sim.flush()
    sim.run_until(lambda: len(received(sim, "a")) == 21 and len(received(sim, "b")) == 21, 5)
    assert received(sim, "b") == [ChannelMessage(0, f"a{i}") for i in range(20)] + [
        ChannelMessage(0, "")
    ]
    assert received(sim, "a") == [ChannelMessage(0, bytes([i]) * (i * 100)) for i in range(20)] + [
        ChannelMessage(0, b"")
    ]


def test_both_sides_open_channels_at_once() -> None:
    sim, a, b = connected()
    ids_a = [a.manager.create_channel(f"a{i}", now=sim.now) for i in range(3)]
    ids_b = [b.manager.create_channel(f"b{i}", ordered=False, now=sim.now) for i in range(3)]
    sim.flush()
    sim.run_until(lambda: len(a.manager.channel_ids) == len(b.manager.channel_ids) == 6, 2)
    assert (ids_a, ids_b) == ([0, 2, 4], [1, 3, 5])
    incoming_a = [e for e in sim.events["a"] if isinstance(e, IncomingChannel)]
    assert [(e.id, e.label, e.ordered) for e in incoming_a] == [
        (1, "b0", False),
        (3, "b1", False),
        (5, "b2", False),
    ]


def test_close_by_stream_reset_both_ways() -> None:
    sim, a, b = connected()
    first = a.manager.create_channel("first", now=sim.now)
    second = a.manager.create_channel("second", now=sim.now)
    sim.flush()
    sim.run_until(lambda: b.manager.state(second) is ChannelState.OPEN, 2)
    a.manager.close(first)  # the opener closes
    sim.flush()
    sim.run_until(
        lambda: ChannelClosed(first) in sim.events["a"] and ChannelClosed(first) in sim.events["b"],
        5,
    )
    b.manager.close(second)  # the other side closes
    sim.flush()
    sim.run_until(
        lambda: (
            ChannelClosed(second) in sim.events["a"] and ChannelClosed(second) in sim.events["b"]
        ),
        5,
    )
    sim.run(sim.now + 2)
    assert a.manager.channel_ids == b.manager.channel_ids == []
    # both stream ids are free again on both sides, and a new channel works on a reused one
    assert a.manager.create_channel("again", now=sim.now) == first
    sim.flush()
    sim.run_until(lambda: b.manager.state(first) is ChannelState.OPEN, 2)
    a.manager.send(first, "after reuse", now=sim.now)
    sim.flush()
    sim.run_until(lambda: ChannelMessage(first, "after reuse") in sim.events["b"], 2)


def test_data_sent_before_the_ack_arrives() -> None:
    """The opener sends right after the OPEN (RFC 8832 §6), ordered so nothing overtakes the
    OPEN; the answerer's unordered data overtakes its lost ACK (as Firefox's may) and is
    delivered, counting as the ACK."""
    dropped: list[int] = []

    def drop_first_ack(index: int, datagram: bytes) -> bool:
        # a DATA chunk whose PPID is 50 (DCEP) and whose user data is the ACK byte
        if not dropped and b"\x00\x00\x00\x32\x02" in datagram:
            dropped.append(index)
            return True
        return False

    a = Endpoint(1, is_dtls_client=True)
    b = Endpoint(2, is_dtls_client=False)
    link = Link(delay=0.05)
    sim = Simulation(a, b, link_ab=link, link_ba=Link(delay=0.05, drop=drop_first_ack), seed=7)
    a.association.connect(sim.now)
    sim.run_until(lambda: a.manager.established and b.manager.established, timeout=30)
    channel = a.manager.create_channel("eager", ordered=False, now=sim.now)
    for i in range(5):
        a.manager.send(channel, f"early {i}", now=sim.now)  # before any ACK could come back
    sim.flush()
    sim.run_until(lambda: len(received(sim, "b")) == 5 and bool(dropped), 2)
    assert received(sim, "b") == [ChannelMessage(channel, f"early {i}") for i in range(5)]
    # sent ordered although the channel is unordered: the ACK is not back yet
    assert b.user_data() == [(f"early {i}".encode(), False) for i in range(5)]
    b.manager.send(channel, "reply", now=sim.now)  # unordered: nothing holds it back
    sim.flush()
    sent_at = sim.now
    sim.run_until(lambda: ChannelMessage(channel, "reply") in sim.events["a"], 2)
    assert sim.now < sent_at + 0.2  # well before the ACK's retransmission (RTO >= 1 s)
    assert a.user_data() == [(b"reply", True)]
    a.manager.send(channel, "now unordered", now=sim.now)  # the reply counted as the ACK
    sim.flush()
    sim.run(sim.now + 3)  # the ACK is retransmitted and arrives late: harmless
    assert b.user_data()[-1] == (b"now unordered", True)
    assert len(dropped) == 1
    assert [e for e in sim.events["a"] if isinstance(e, ChannelError | ChannelClosed)] == []
    assert ChannelMessage(channel, "now unordered") in sim.events["b"]


def test_messages_survive_loss() -> None:
    sim, a, b = connected(Link(delay=0.02, loss=0.1))
    channel = b.manager.create_channel("lossy", now=sim.now)
    sim.flush()
    for i in range(200):
        b.manager.send(channel, f"m{i}", now=sim.now)
    sim.flush()
    sim.run_until(lambda: len(received(sim, "a")) == 200, 60)
    assert received(sim, "a") == [ChannelMessage(channel, f"m{i}") for i in range(200)]


def test_partial_reliability_reaches_the_association() -> None:
    """An unordered channel with no retransmissions over a lossy link loses messages instead
    of stalling, and what arrives is intact."""
    sim, a, b = connected(Link(delay=0.02, loss=0.2))
    lossy = a.manager.create_channel("lossy", ordered=False, max_retransmits=0, now=sim.now)
    sim.flush()
    sim.run_until(lambda: b.manager.state(lossy) is ChannelState.OPEN, 10)
    for i in range(300):
        a.manager.send(lossy, f"l{i}", now=sim.now)
        sim.run(sim.now + 0.01)
    sim.run_until(lambda: a.manager.buffered_amount(lossy) == 0, 30)
    sim.run(sim.now + 1)
    got = [m.data for m in received(sim, "b")]
    assert 0 < len(got) < 300 and len(set(got)) == len(got)
    assert set(got) <= {f"l{i}" for i in range(300)}
    incoming = next(e for e in sim.events["b"] if isinstance(e, IncomingChannel))
    assert (incoming.ordered, incoming.max_retransmits) == (False, 0)


def test_large_messages_and_the_peers_limit() -> None:
    sim, a, b = connected()
    a.association.remote_max_message_size = 262144  # as the peer connection sets it from SDP
    channel = a.manager.create_channel("bulk", now=sim.now)
    big = bytes(range(256)) * 1024  # 256 KiB
    a.manager.send(channel, big, now=sim.now)
    with pytest.raises(MessageTooLargeError, match="262145 bytes"):
        a.manager.send(channel, big + b"!", now=sim.now)
    sim.flush()
    sim.run_until(lambda: len(received(sim, "b")) == 1, 30)
    assert received(sim, "b") == [ChannelMessage(channel, big)]


def test_buffered_amount_low_fires_when_the_peer_acknowledges() -> None:
    sim, a, b = connected()
    channel = a.manager.create_channel("flow", now=sim.now)
    a.manager.set_buffered_amount_low_threshold(channel, 4000)
    for _ in range(10):
        a.manager.send(channel, bytes(1000), now=sim.now)
    assert a.manager.buffered_amount(channel) >= 10_000
    sim.flush()
    sim.run_until(lambda: BufferedAmountLow(channel) in sim.events["a"], 5)
    assert a.manager.buffered_amount(channel) <= 4000
    sim.run_until(lambda: len(received(sim, "b")) == 10, 5)


def test_abort_closes_every_channel_on_both_sides() -> None:
    sim, a, b = connected()
    ids = [a.manager.create_channel(f"c{i}", now=sim.now) for i in range(3)]
    sim.flush()
    sim.run_until(lambda: len(b.manager.channel_ids) == 3, 2)
    a.association.abort("bye")
    a._pump(sim.now)
    sim.flush()
    sim.run_until(lambda: b.manager.channel_ids == [], 2)
    for name in ("a", "b"):
        assert [e.id for e in sim.events[name] if isinstance(e, ChannelClosed)] == ids
    with pytest.raises(DcepError):
        a.manager.send(ids[0], "too late", now=sim.now)


def test_close_delivers_what_was_sent_before_it() -> None:
    sim, a, b = connected(Link(delay=0.02, loss=0.05))
    channel = a.manager.create_channel("drain", now=sim.now)
    for i in range(50):
        a.manager.send(channel, f"m{i}", now=sim.now)
    a.manager.close(channel)
    sim.flush()
    sim.run_until(lambda: ChannelClosed(channel) in sim.events["b"], 30)
    closed_at = sim.events["b"].index(ChannelClosed(channel))
    assert sim.events["b"][closed_at - 50 : closed_at] == [
        ChannelMessage(channel, f"m{i}") for i in range(50)
    ]


def test_both_sides_close_the_same_channel_at_once() -> None:
    sim, a, b = connected()
    channel = a.manager.create_channel("both", now=sim.now)
    sim.flush()
    sim.run_until(lambda: b.manager.state(channel) is ChannelState.OPEN, 2)
    a.manager.close(channel)
    b.manager.close(channel)
    sim.flush()
    sim.run_until(
        lambda: (
            ChannelClosed(channel) in sim.events["a"] and ChannelClosed(channel) in sim.events["b"]
        ),
        5,
    )
    sim.run(sim.now + 3)
    assert a.manager.channel_ids == b.manager.channel_ids == []
    for name in ("a", "b"):
        assert sim.events[name].count(ChannelClosed(channel)) == 1
    assert a.manager.create_channel("again", now=sim.now) == channel
    sim.flush()
    sim.run_until(lambda: b.manager.state(channel) is ChannelState.OPEN, 2)


def test_garbage_from_the_peer_becomes_channel_errors() -> None:
    """A misbehaving peer writes straight to its association: bad DCEP, bad UTF-8, an
    unknown PPID and data on a stream with no channel. Nothing raises; the channel lives on."""
    sim, a, b = connected()
    channel = a.manager.create_channel("victim", now=sim.now)
    sim.flush()
    sim.run_until(lambda: b.manager.state(channel) is ChannelState.OPEN, 2)
    for stream_id, ppid, payload in [
        (channel, Ppid.DCEP, b"\x03\x00\x00"),  # truncated OPEN
        (channel, Ppid.DCEP, b"\x09"),  # no such DCEP message
        (channel, Ppid.STRING, b"\xff\xfe"),  # not UTF-8
        (channel, 1234, b"?"),  # unknown PPID
        (40, Ppid.STRING, b"nobody home"),  # no channel on that stream
        (channel, Ppid.STRING, b"still fine"),
    ]:
        b.association.send(stream_id, payload, ppid, now=sim.now)
    sim.flush()
    sim.run_until(lambda: ChannelMessage(channel, "still fine") in sim.events["a"], 2)
    errors = [e for e in sim.events["a"] if isinstance(e, ChannelError)]
    assert [e.id for e in errors] == [channel] * 4
    assert [r.split(":")[0].split(" (")[0] for r in (e.reason for e in errors)] == [
        "malformed DCEP message",
        "malformed DCEP message",
        "string message is not valid UTF-8",
        "unknown PPID 1234, message dropped",
    ]
    assert a.manager.dropped_messages == 1
    assert a.manager.state(channel) is ChannelState.OPEN
