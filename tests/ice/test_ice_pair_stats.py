"""Per-pair statistics (W3C RTCIceCandidatePairStats semantics), in simulated time."""

from __future__ import annotations

import pytest

from purertc.ice import Agent, PairState, PairStats
from tests.ice.ice_world import World, world
from tests.netsim import Addressed

BINDING_REQUEST = b"\x00\x01"


def _selected(agent: Agent) -> PairStats:
    (pair,) = [p for p in agent.pair_stats() if p.selected]
    return pair


def _connected(**kwargs: object) -> World:
    w = world(b_socket=("10.0.0.2", 6000), **kwargs)  # type: ignore[arg-type]
    w.connect(timeout=1.0)
    w.net.run(w.net.now + 1.0)  # nomination done, nothing in flight
    return w


def test_round_trip_time_is_twice_the_link_delay() -> None:
    w = _connected()
    assert w.net.delay == pytest.approx(0.010)
    for agent in (w.a, w.b):
        pair = _selected(agent)
        assert pair.current_round_trip_time == pytest.approx(0.020, abs=1e-9)
        assert pair.round_trip_time_measurements >= 1
        assert pair.total_round_trip_time == pytest.approx(
            0.020 * pair.round_trip_time_measurements, abs=1e-9
        )
    # The path slows down: the consent checks measure the new delay.
    w.net.delay = 0.050
    before = _selected(w.a).round_trip_time_measurements
    w.net.run(w.net.now + 7.0)  # at least one consent check (every 4-6 s)
    pair = _selected(w.a)
    assert pair.round_trip_time_measurements > before
    assert pair.current_round_trip_time == pytest.approx(0.100, abs=1e-9)


def test_counters_match_the_checks_on_both_sides() -> None:
    w = _connected()
    (pa,) = w.a.pair_stats()
    (pb,) = w.b.pair_stats()
    assert pa.selected and pb.selected and pa.nominated and pb.nominated
    assert pa.state is PairState.SUCCEEDED and pb.state is PairState.SUCCEEDED
    assert pa.local.transport_address == pb.remote.transport_address == w.a_socket
    # No loss: one transmission per check, every check answered.
    assert pa.requests_sent == w.a.stats.checks_sent >= 2  # ordinary check + nomination
    assert pb.requests_sent == w.b.stats.checks_sent >= 1
    assert pa.consent_requests_sent == pb.consent_requests_sent == 0
    for mine, theirs in ((pa, pb), (pb, pa)):
        assert theirs.requests_received == mine.requests_sent
        assert theirs.responses_sent == mine.requests_sent
        assert mine.responses_received == mine.requests_sent
        assert mine.round_trip_time_measurements == mine.responses_received

    # A minute of consent freshness (RFC 7675): counted apart, answered like checks.
    w.net.run(w.net.now + 60.0)
    (qa,) = w.a.pair_stats()
    (qb,) = w.b.pair_stats()
    assert qa.requests_sent == pa.requests_sent
    assert 9 <= qa.consent_requests_sent <= 16
    assert qa.requests_sent + qa.consent_requests_sent == w.a.stats.checks_sent
    assert qb.requests_received == pb.requests_received + qa.consent_requests_sent
    assert qb.responses_sent == qb.requests_received
    assert qa.responses_received == qa.requests_sent + qa.consent_requests_sent
    assert qa.round_trip_time_measurements == qa.responses_received


def test_retransmitted_requests_are_counted_and_time_from_the_last_one() -> None:
    w = world(b_socket=("10.0.0.2", 6000))
    dropped: list[Addressed] = []

    def drop_first_two_requests_from_a(datagram: Addressed) -> bool:
        if (
            len(dropped) < 2
            and datagram.source == w.a_socket
            and datagram.data[:2] == BINDING_REQUEST
        ):
            dropped.append(datagram)
            return True
        return False

    w.net.drop = drop_first_two_requests_from_a
    w.connect(timeout=5.0)
    w.net.run(w.net.now + 2.0)
    assert len(dropped) == 2
    (pa,) = w.a.pair_stats()
    (pb,) = w.b.pair_stats()
    # Each transmission counts: more than the transactions the agent started.
    assert pa.requests_sent >= w.a.stats.checks_sent + 2
    assert pb.requests_received == pa.requests_sent - 2
    assert pa.responses_received == pb.responses_sent == pb.requests_received
    # Timed from the retransmission that got through, not from the first (lost) send.
    assert pa.current_round_trip_time == pytest.approx(0.020, abs=1e-9)
    assert pa.total_round_trip_time == pytest.approx(
        0.020 * pa.round_trip_time_measurements, abs=1e-9
    )


def test_application_data_is_counted_on_the_selected_pair_only() -> None:
    w = _connected()
    idle = _selected(w.a)
    assert (idle.packets_sent, idle.bytes_sent, idle.last_packet_sent_timestamp) == (0, 0, None)
    sizes = [1, 100, 1200]
    for size in sizes:
        assert w.a.send(b"\x80" * size)
    sent_at = w.net.now
    w.net.run(w.net.now + 0.1)
    a, b = _selected(w.a), _selected(w.b)
    assert (a.packets_sent, a.bytes_sent) == (3, sum(sizes))
    assert (b.packets_received, b.bytes_received) == (3, sum(sizes))
    assert (a.packets_received, a.bytes_received, b.packets_sent, b.bytes_sent) == (0, 0, 0, 0)
    assert a.last_packet_sent_timestamp is not None and a.last_packet_sent_timestamp <= sent_at
    assert b.last_packet_received_timestamp == pytest.approx(sent_at + w.net.delay)
    # STUN is not application data: consent checks leave the byte counters alone.
    w.net.run(w.net.now + 20.0)
    later = _selected(w.b)
    assert (later.packets_received, later.bytes_received) == (3, sum(sizes))


def test_data_from_an_unknown_address_is_counted_nowhere() -> None:
    w = _connected()
    w.b.receive(b"\x80stray", ("10.9.9.9", 9), w.b_socket, w.net.now)
    assert w.b.stats.unknown_destination == 1
    assert all(p.packets_received == 0 for p in w.b.pair_stats())


def test_every_pair_is_reported_and_one_is_selected() -> None:
    # Dual stack: an IPv4 and an IPv6 pair each side; the agents check both.
    w = world(a_socket=("10.0.0.1", 5000), b_socket=("10.0.0.2", 6000), signalling=False)
    w.a.add_local_socket(("fd00::1", 5000))
    w.b.add_local_socket(("fd00::2", 6000))
    w.net.nodes["a"].addresses.add(("fd00::1", 5000))
    w.net.nodes["b"].addresses.add(("fd00::2", 6000))
    w.release()
    w.connect(timeout=2.0)
    w.net.run(w.net.now + 2.0)
    stats = w.a.pair_stats()
    assert len(stats) == len(w.a.check_list.pairs) >= 2
    assert sum(p.selected for p in stats) == 1
    chosen = _selected(w.a)
    selected = w.a.selected_pair
    assert selected is not None and chosen.local == selected.local
    assert all(p.requests_sent >= 1 for p in stats)
    assert w.a.send(b"\x80x")
    assert all(p.packets_sent == (1 if p.selected else 0) for p in w.a.pair_stats())


def test_during_a_restart_the_old_selected_pair_is_reported_with_its_counters() -> None:
    w = _connected()
    assert w.a.send(b"\x80before")
    w.a.restart()
    w.b.set_remote_credentials(w.a.local_ufrag, w.a.local_password)
    old = _selected(w.a)  # the new session has no pair selected yet: the old one carries data
    assert old.packets_sent == 1 and old.requests_sent >= 2
    w.a.set_remote_credentials(w.b.local_ufrag, w.b.local_password)
    w.net.run_until(lambda: len(w.selections("a")) == 2, 5.0)
    new = _selected(w.a)
    assert new.packets_sent == 0 and new.requests_sent >= 1
    assert new.current_round_trip_time == pytest.approx(0.020, abs=1e-9)
    assert len(w.a.pair_stats()) == len(w.a.check_list.pairs)
