"""Handshake (with losses and collisions), stream reset, shutdown, abort, failure detection."""

from __future__ import annotations

import random

import pytest

from purertc.sctp import (
    AbortChunk,
    AssociationClosed,
    AssociationEstablished,
    CookieAckChunk,
    CookieEchoChunk,
    DataReceived,
    ErrorChunk,
    InitAckChunk,
    InitChunk,
    Packet,
    ReconfigChunk,
    SackChunk,
    ShutdownCompleteChunk,
    StreamsResetIncoming,
    StreamsResetOutgoingDone,
)
from purertc.sctp.association import Association, AssociationConfig, AssociationState
from tests.netsim import Link, Simulation
from tests.sctp.sctp_harness import delivered_count, established, events_of, make_pair, received


def _first_chunk_type(data: bytes) -> type:
    return type(Packet.parse(data).chunks[0])


def _drop_first(kind: type) -> Link:
    """A link that loses the first datagram whose first chunk is of ``kind``."""
    dropped = {"done": False}

    def drop(index: int, data: bytes) -> bool:
        if not dropped["done"] and _first_chunk_type(data) is kind:
            dropped["done"] = True
            return True
        return False

    return Link(drop=drop)


def test_handshake_events_and_state() -> None:
    a, b, sim = make_pair()
    assert events_of(sim, "a", AssociationEstablished) == [AssociationEstablished()]
    assert events_of(sim, "b", AssociationEstablished) == [AssociationEstablished()]
    assert a.state is b.state is AssociationState.ESTABLISHED
    assert sim.now < 0.1


@pytest.mark.parametrize(
    ("direction", "kind"),
    [("ab", InitChunk), ("ba", InitAckChunk), ("ab", CookieEchoChunk)],
    ids=["lost-INIT", "lost-INIT-ACK", "lost-COOKIE-ECHO"],
)
def test_handshake_survives_a_lost_packet(direction: str, kind: type) -> None:
    link = _drop_first(kind)
    kwargs = {"link_ab": link} if direction == "ab" else {"link_ba": link}
    a, b, sim = make_pair(connect=False, **kwargs)  # type: ignore[arg-type]
    a.connect(sim.now)
    sim.flush()
    sim.run_until(lambda: established(a) and established(b), 30)
    assert sim.now >= 1.0  # T1 (RTO.Initial = 1 s) had to fire
    a.send(1, b"after", 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") == 1, 10)


def test_lost_cookie_ack_is_recovered() -> None:
    a, b, sim = make_pair(connect=False, link_ba=_drop_first(CookieAckChunk))
    a.connect(sim.now)
    sim.flush()
    sim.run_until(lambda: established(a) and established(b), 30)
    assert len(events_of(sim, "b", AssociationEstablished)) == 1


def test_simultaneous_connect() -> None:
    """Both ends send INIT at once (usrsctp/Chrome do): one association results (§5.2.1)."""
    a, b, sim = make_pair(connect=False)
    a.connect(sim.now)
    b.connect(sim.now)
    sim.flush()
    sim.run_until(lambda: established(a) and established(b), 30)
    a.send(1, b"hello", 51, now=sim.now)
    b.send(1, b"world", 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "a") == delivered_count(sim, "b") == 1, 10)
    assert len(events_of(sim, "a", AssociationEstablished)) == 1
    assert len(events_of(sim, "b", AssociationEstablished)) == 1


def test_handshake_gives_up_after_max_init_retransmits() -> None:
    config = AssociationConfig(max_init_retransmits=3, rto_max=4.0)
    a, b, sim = make_pair(connect=False, link_ab=Link(loss=1.0), config=config)
    a.connect(sim.now)
    sim.flush()
    sim.run_until(lambda: a.state is AssociationState.CLOSED, 120)
    assert events_of(sim, "a", AssociationClosed) == [
        AssociationClosed("failure: handshake timed out")
    ]


def test_stale_cookie_restarts_handshake() -> None:
    """A cookie echoed after its lifetime draws a Stale Cookie ERROR; a starts over."""
    seen: list[type] = []

    def record(index: int, data: bytes) -> bool:
        seen.extend(type(c) for c in Packet.parse(data).chunks)
        return False

    config = AssociationConfig(valid_cookie_life=0.5, rto_initial=5.0)
    slow_then_fast = Link(delay=2.0, drop=record)
    a, b, sim = make_pair(connect=False, config=config, link_ba=slow_then_fast)
    a.connect(sim.now)
    sim.flush()
    sim.run(until=0.5)
    slow_then_fast.delay = 0.01
    sim.run_until(lambda: established(a) and established(b), 60)
    assert ErrorChunk in seen


def test_cookie_echo_retransmitted_after_its_lifespan_gets_a_cookie_ack() -> None:
    """§5.2.4 case D: b is established but its COOKIE ACKs keep getting lost; a retransmits
    the COOKIE ECHO past the cookie's lifespan. b answers COOKIE ACK, not Stale Cookie (which
    would make a start a new handshake against b's live association)."""
    seen: list[type] = []
    lost = {"cookie_acks": 0}

    def lose_cookie_acks(index: int, data: bytes) -> bool:
        kinds = [type(c) for c in Packet.parse(data).chunks]
        seen.extend(kinds)
        if CookieAckChunk in kinds and lost["cookie_acks"] < 3:
            lost["cookie_acks"] += 1
            return True
        return False

    config = AssociationConfig(valid_cookie_life=2.0)
    a, b, sim = make_pair(connect=False, config=config, link_ba=Link(drop=lose_cookie_acks))
    a.connect(sim.now)
    sim.flush()
    sim.run_until(lambda: established(a) and established(b), 30)
    assert lost["cookie_acks"] == 3 and sim.now > 2.0  # the last COOKIE ECHO was stale
    assert ErrorChunk not in seen
    assert len(events_of(sim, "a", AssociationEstablished)) == 1


@pytest.mark.parametrize("i_data", [False, True], ids=["DATA", "I-DATA"])
def test_stream_reset_both_ways(i_data: bool) -> None:
    """a resets stream 1; b performs it, answers with its own reset of stream 1 (Chrome needs
    that), and both sides learn both directions are closed. Then the stream is reused."""
    a, b, sim = make_pair(seed=1, config=AssociationConfig(enable_i_data=i_data))
    a.send(1, b"before", 51, now=sim.now)
    a.reset_streams([1])
    sim.flush()
    sim.run_until(
        lambda: (
            bool(events_of(sim, "a", StreamsResetIncoming))
            and bool(events_of(sim, "b", StreamsResetOutgoingDone))
        ),
        30,
    )
    assert events_of(sim, "a", StreamsResetOutgoingDone) == [StreamsResetOutgoingDone((1,))]
    assert events_of(sim, "b", StreamsResetIncoming) == [StreamsResetIncoming((1,))]
    assert events_of(sim, "a", StreamsResetIncoming) == [StreamsResetIncoming((1,))]
    assert events_of(sim, "b", StreamsResetOutgoingDone) == [StreamsResetOutgoingDone((1,))]
    assert [e.data for e in received(sim, "b")] == [b"before"]
    # no ping-pong: nothing more happens
    sim.run(until=sim.now + 10)
    assert len(events_of(sim, "a", StreamsResetIncoming)) == 1
    # the stream id is reused from SSN 0 in both directions
    a.send(1, b"again", 51, now=sim.now)
    b.send(1, b"back", 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "a") == 1 and delivered_count(sim, "b") == 2, 10)
    # and can be reset again by the other side
    b.reset_streams([1])
    sim.flush()
    sim.run_until(lambda: len(events_of(sim, "b", StreamsResetIncoming)) == 2, 30)


def test_stream_reset_waits_for_data_in_flight() -> None:
    """The reset is applied after the data sent before it, even when that data is lost first
    (deferred reset, RFC 6525 §5.2.2)."""
    a, b, sim = make_pair(link=Link(loss=0.3), seed=12)
    messages = [b"m%d" % i for i in range(50)]
    for message in messages:
        a.send(5, message, 51, now=sim.now)
    a.reset_streams([5])
    sim.flush()
    sim.run_until(lambda: bool(events_of(sim, "a", StreamsResetOutgoingDone)), 600)
    assert [e.data for e in received(sim, "b", 5)] == messages


def test_graceful_shutdown_delivers_queued_data() -> None:
    a, b, sim = make_pair(link=Link(loss=0.05), seed=3)
    for i in range(200):
        a.send(1, b"d%d" % i, 51, now=sim.now)
    a.shutdown()
    sim.flush()
    sim.run_until(lambda: a.state is b.state is AssociationState.CLOSED, 600)
    assert delivered_count(sim, "b") == 200
    assert events_of(sim, "a", AssociationClosed) == [AssociationClosed("shutdown")]
    assert events_of(sim, "b", AssociationClosed) == [AssociationClosed("shutdown")]
    assert a.get_timer() is None and b.get_timer() is None


def test_shutdown_with_lost_shutdown_packets() -> None:
    a, b, sim = make_pair(seed=4)
    sim.links["a"] = Link(loss=0.5)
    sim.links["b"] = Link(loss=0.5)
    a.shutdown()
    sim.flush()
    sim.run_until(lambda: a.state is b.state is AssociationState.CLOSED, 600)
    assert events_of(sim, "a", AssociationClosed) == [AssociationClosed("shutdown")]
    assert events_of(sim, "b", AssociationClosed) == [AssociationClosed("shutdown")]


def test_abort_reaches_peer_with_reason() -> None:
    a, b, sim = make_pair()
    a.abort("going away")
    sim.flush()
    sim.run_until(lambda: b.state is AssociationState.CLOSED, 10)
    assert events_of(sim, "a", AssociationClosed) == [AssociationClosed("abort: going away")]
    [closed] = events_of(sim, "b", AssociationClosed)
    assert isinstance(closed, AssociationClosed)
    assert closed.reason.startswith("abort by peer") and "going away" in closed.reason
    assert a.get_timer() is None and b.get_timer() is None


def test_unreachable_peer_fails_association() -> None:
    config = AssociationConfig(max_retransmits=4, rto_max=2.0)
    a, b, sim = make_pair(config=config)
    sim.links["a"] = Link(loss=1.0)
    a.send(1, b"void", 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: a.state is AssociationState.CLOSED, 600)
    assert events_of(sim, "a", AssociationClosed) == [
        AssociationClosed("failure: too many retransmissions")
    ]


def test_heartbeat_is_answered() -> None:
    from purertc.sctp import HeartbeatAckChunk, HeartbeatChunk, Parameter

    a, b, sim = make_pair()
    hb = Packet(5000, 5000, b._local_tag, [HeartbeatChunk([Parameter(1, b"probe")])])
    b.receive(hb.serialize(), sim.now)
    [reply] = b.datagrams_to_send(sim.now)
    chunk = Packet.parse(reply).chunks[0]
    assert chunk == HeartbeatAckChunk([Parameter(1, b"probe")])


def test_rto_follows_measured_rtt() -> None:
    a, b, sim = make_pair(link=Link(delay=0.3), config=AssociationConfig(rto_min=0.1))
    for i in range(100):
        a.send(1, b"%d" % i, 51, now=sim.now)
        sim.flush()
        sim.run(until=sim.now + 0.05)
    sim.run_until(lambda: delivered_count(sim, "b") == 100, 60)
    assert a._srtt is not None and 0.55 < a._srtt < 0.85  # 0.6 s RTT (+ delayed SACK)
    assert a._rto >= a._srtt


def test_seeded_runs_are_repeatable() -> None:
    def run() -> list[bytes]:
        a = Association(rng=random.Random(1))
        b = Association(rng=random.Random(2))
        sim = Simulation(a, b, link=Link(loss=0.1, jitter=0.01), seed=3)
        a.connect(0.0)
        sim.run_until(lambda: established(a) and established(b), 60)
        for i in range(100):
            a.send(1, b"%d" % i, 51, now=sim.now)
        sim.flush()
        sim.run(until=sim.now + 30)
        return [bytes(str(sim.stats), "ascii")]

    assert run() == run()


def test_idle_association_sends_heartbeats_and_measures_rtt() -> None:
    a, b, sim = make_pair(link=Link(delay=0.05))
    assert a._srtt is None  # no data yet, so no RTT sample
    sim.run(until=sim.now + 100)
    assert a._srtt is not None and abs(a._srtt - 0.1) < 0.01
    assert a.state is b.state is AssociationState.ESTABLISHED


def test_vanished_peer_is_detected_by_heartbeats() -> None:
    config = AssociationConfig(heartbeat_interval=5.0, max_retransmits=3, rto_max=4.0)
    a, b, sim = make_pair(config=config)
    sim.links["b"] = Link(loss=1.0)  # b's answers never arrive
    sim.run_until(lambda: a.state is AssociationState.CLOSED, 300)
    assert events_of(sim, "a", AssociationClosed) == [
        AssociationClosed("failure: peer does not answer heartbeats")
    ]


def test_lost_shutdown_complete_is_answered_out_of_the_blue() -> None:
    """a closes after sending SHUTDOWN COMPLETE; when that is lost, b's retransmitted
    SHUTDOWN ACK reaches a closed a, which answers SHUTDOWN COMPLETE with the T bit (§8.4)."""
    a, b, sim = make_pair()
    sim.links["a"] = _drop_first(ShutdownCompleteChunk)
    b.shutdown()
    sim.flush()
    sim.run_until(lambda: a.state is b.state is AssociationState.CLOSED, 60)
    assert events_of(sim, "b", AssociationClosed) == [AssociationClosed("shutdown")]


def test_lost_abort_is_repeated_out_of_the_blue() -> None:
    """a aborts but the ABORT is lost; b's next packet reaches a closed a, which answers with
    ABORT (T bit), so b closes too instead of retransmitting until it gives up."""
    a, b, sim = make_pair()
    sim.links["a"] = _drop_first(AbortChunk)
    a.abort("gone")
    sim.flush()
    b.send(1, b"anyone there?", 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: b.state is AssociationState.CLOSED, 10)
    [closed] = events_of(sim, "b", AssociationClosed)
    assert isinstance(closed, AssociationClosed) and closed.reason.startswith("abort by peer")


def test_fresh_endpoint_answers_stray_packets_with_abort() -> None:
    b = Association(rng=random.Random(1))
    stray = Packet(5000, 5000, 0x1234, [SackChunk(1, 1000)]).serialize()
    b.receive(stray, 0.0)
    [reply] = b.datagrams_to_send(0.0)
    packet = Packet.parse(reply)
    assert packet.verification_tag == 0x1234
    assert packet.chunks == [AbortChunk([], 1)]
    b.receive(reply, 0.0)  # an ABORT out of the blue is never answered
    assert b.datagrams_to_send(0.0) == []


@pytest.mark.parametrize("both", [False, True], ids=["one-side", "simultaneous"])
def test_shutdown_with_data_queued_both_ways(both: bool) -> None:
    """SHUTDOWN waits for our queue; the peer, in SHUTDOWN-RECEIVED, still delivers its own
    queued data before SHUTDOWN ACK (§9.2). Closing from both sides at once also completes."""
    a, b, sim = make_pair(link=Link(loss=0.05, jitter=0.003), seed=23)
    to_b = [b"ab%d" % i + bytes(i * 50) for i in range(100)]
    to_a = [b"ba%d" % i + bytes(i * 70) for i in range(100)]
    for message in to_b:
        a.send(1, message, 53, now=sim.now)
    for message in to_a:
        b.send(1, message, 53, now=sim.now)
    a.shutdown()
    if both:
        b.shutdown()
    sim.flush()
    sim.run_until(lambda: a.state is b.state is AssociationState.CLOSED, 600)
    assert [e.data for e in received(sim, "b")] == to_b
    assert [e.data for e in received(sim, "a")] == to_a
    assert events_of(sim, "a", AssociationClosed) == [AssociationClosed("shutdown")]
    assert events_of(sim, "b", AssociationClosed) == [AssociationClosed("shutdown")]


def test_closed_association_refuses_a_new_init() -> None:
    """An Association object serves one association: after it closed, a new INIT gets ABORT
    (tag = the INIT's initiate tag), so the peer's new attempt fails at once."""
    a, b, sim = make_pair()
    a.abort("done")
    sim.flush()
    sim.run_until(lambda: b.state is AssociationState.CLOSED, 10)
    fresh = Association(rng=random.Random(9))
    fresh.connect(sim.now)
    [init] = fresh.datagrams_to_send(sim.now)
    b.receive(init, sim.now)
    [reply] = b.datagrams_to_send(sim.now)
    fresh.receive(reply, sim.now)
    assert fresh.state is AssociationState.CLOSED
    assert isinstance(fresh.next_event(), AssociationClosed)


def test_data_sent_right_after_a_reset_waits_for_it() -> None:
    """Reusing a stream at once after reset_streams(): the new message is held until the reset
    completes, then goes out with SSN 0, so it cannot overtake a lost RE-CONFIG and be dropped
    by the peer as an old SSN."""
    a, b, sim = make_pair(link_ab=_drop_first(ReconfigChunk), seed=2)
    for i in range(5):
        a.send(5, b"old-%d" % i, 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") == 5 and a.buffered_amount(5) == 0, 10)
    a.reset_streams([5])
    a.send(5, b"new", 51, now=sim.now)
    assert a.buffered_amount(5) == 3
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") == 6, 60)
    assert [e.data for e in received(sim, "b", 5)] == [b"old-%d" % i for i in range(5)] + [b"new"]
    kinds = [type(e) for e in sim.events["b"]]
    assert kinds.index(StreamsResetIncoming) < len(kinds) - 1 - kinds[::-1].index(DataReceived)
