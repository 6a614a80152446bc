"""Reliable and partially reliable transfer through tests/netsim.py, in simulated time."""

from __future__ import annotations

import random
from typing import Any

import pytest

from purertc.sctp import BufferedAmountLow, DataReceived, SctpError
from purertc.sctp.association import Association, AssociationConfig, AssociationState
from tests.netsim import Link, Simulation
from tests.sctp.sctp_harness import delivered_count, events_of, make_pair, received

SMALL = 10_000
BIG = 50
BIG_SIZE = 256 * 1024


@pytest.mark.parametrize("loss", [0.01, 0.05, 0.20])
def test_reliable_ordered_exactly_once_under_loss(loss: float) -> None:
    """10,000 small and 50 x 256 KiB messages arrive once each, in order, despite loss,
    jitter (reordering), explicit reordering and duplication."""
    link = Link(loss=loss, jitter=0.004, duplicate=0.01, reorder=0.02)
    a, b, sim = make_pair(link=link, seed=int(loss * 100))
    small = [b"msg-%d" % i for i in range(SMALL)]
    big = [bytes([i]) * (BIG_SIZE - i) for i in range(BIG)]
    for message in small:
        a.send(1, message, 51, now=sim.now)
    for message in big:
        a.send(2, message, 53, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") >= SMALL + BIG, 7200)
    assert [e.data for e in received(sim, "b", 1)] == small
    assert [e.data for e in received(sim, "b", 2)] == big
    assert delivered_count(sim, "b") == SMALL + BIG  # nothing twice
    assert sim.stats["a->b"].lost > 0 and sim.stats["a->b"].duplicated > 0
    sim.run_until(lambda: a.buffered_amount(1) == 0 and a.buffered_amount(2) == 0, 600)


def test_unordered_reliable_delivers_everything_once() -> None:
    link = Link(loss=0.05, jitter=0.01)
    a, b, sim = make_pair(link=link, seed=3)
    messages = [b"u%d" % i for i in range(2000)]
    for message in messages:
        a.send(4, message, 51, ordered=False, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") >= len(messages), 600)
    got = [e.data for e in received(sim, "b", 4)]
    assert sorted(got) == sorted(messages) and len(got) == len(messages)
    assert all(e.unordered for e in received(sim, "b", 4))


@pytest.mark.parametrize("ordered", [True, False])
def test_partial_reliability_max_retransmits(ordered: bool) -> None:
    """With max_retransmits=0 lost messages are abandoned (FORWARD-TSN), never duplicated,
    ordered ones stay in order, and a reliable stream beside them is complete."""
    link = Link(loss=0.2, jitter=0.002)
    a, b, sim = make_pair(link=link, seed=11)
    partial = [b"p%05d" % i for i in range(3000)]
    reliable = [b"r%05d" % i for i in range(300)]
    for i, message in enumerate(partial):
        a.send(3, message, 53, ordered=ordered, max_retransmits=0, now=sim.now)
        if i % 10 == 0:
            a.send(1, reliable[i // 10], 53, now=sim.now)
    sim.flush()
    sim.run_until(lambda: len(received(sim, "b", 1)) >= len(reliable), 3600)
    sim.run_until(lambda: not a._outstanding and not a._send_queue, 3600)
    got = [e.data for e in received(sim, "b", 3)]
    assert [e.data for e in received(sim, "b", 1)] == reliable
    assert len(set(got)) == len(got) and set(got) <= set(partial)
    assert 0 < len(got) < len(partial)  # some lost for good, most delivered
    if ordered:
        assert got == sorted(got)
    assert a.stats.messages_abandoned > 0
    assert a.buffered_amount(3) == 0


def test_partial_reliability_lifetime() -> None:
    """Messages whose lifetime ends while the peer is unreachable are abandoned; traffic
    resumes afterwards with no gap in the reliable stream."""
    blackout = {"on": True}
    link = Link(drop=lambda index, data: blackout["on"])
    a, b, sim = make_pair(link=Link(), seed=5)
    sim.links["a"] = link
    for i in range(20):
        a.send(2, b"t%d" % i, 51, max_lifetime=0.5, now=sim.now)
    a.send(1, b"reliable", 51, now=sim.now)
    sim.flush()
    sim.run(until=sim.now + 3.0)
    blackout["on"] = False
    sim.run_until(lambda: len(received(sim, "b", 1)) == 1, 120)
    sim.run_until(lambda: not a._outstanding, 120)
    assert received(sim, "b", 2) == []
    assert a.stats.messages_abandoned == 20


def test_window_full_back_pressure() -> None:
    """A receiver whose application stops reading closes its window: the sender keeps the
    data buffered instead of pushing it, and everything flows once reading resumes."""
    config = AssociationConfig(receive_window=300_000)
    a, b, sim = make_pair(config=config, seed=2)
    paused = {"on": True}
    real_next_event = b.next_event
    b.next_event = lambda: None if paused["on"] else real_next_event()  # type: ignore[method-assign]
    payload = [bytes([i % 251]) * 60_000 for i in range(40)]  # 2.4 MB
    for message in payload:
        a.send(1, message, 53, now=sim.now)
    sim.flush()
    sim.run(until=sim.now + 30)
    assert b._rwnd_used >= 250_000  # the window is full of unread messages
    assert a.buffered_amount(1) > 2_000_000
    assert a._peer_rwnd < 2 * a.mtu
    paused["on"] = False
    sim.run_until(lambda: delivered_count(sim, "b") == len(payload), 600)
    assert [e.data for e in received(sim, "b", 1)] == payload
    sim.run_until(lambda: a.buffered_amount(1) == 0, 60)


def test_buffered_amount_low_event() -> None:
    a, b, sim = make_pair(seed=4)
    a.set_buffered_amount_low_threshold(7, 10_000)
    for _ in range(10):
        a.send(7, b"x" * 5000, 53, now=sim.now)
    assert a.buffered_amount(7) == 50_000
    sim.flush()
    sim.run_until(lambda: a.buffered_amount(7) == 0, 60)
    assert events_of(sim, "a", BufferedAmountLow) == [BufferedAmountLow(7)]


def test_send_checks_size_and_state() -> None:
    a, b, sim = make_pair(connect=False)
    with pytest.raises(SctpError, match="not established"):
        a.send(1, b"x", 51, now=0.0)
    a.connect(0.0)
    sim.flush()
    sim.run_until(lambda: len(sim.events["a"]) > 0, 10)
    a.remote_max_message_size = 1000
    with pytest.raises(SctpError, match="maximum message size"):
        a.send(1, b"x" * 1001, 51, now=sim.now)
    with pytest.raises(SctpError, match="empty"):
        a.send(1, b"", 51, now=sim.now)
    a.send(1, b"x" * 1000, 51, now=sim.now)
    a.remote_max_message_size = 0  # RFC 8841 §6: the peer announced no limit
    a.send(1, b"x" * 200_000, 51, now=sim.now)


def test_messages_above_our_limit_are_refused() -> None:
    a, b, sim = make_pair(seed=9)
    b.max_message_size = 100_000
    a.send(1, b"y" * 150_000, 53, now=sim.now)
    a.send(1, b"z" * 99_000, 53, now=sim.now)
    sim.flush()
    sim.run_until(lambda: a.buffered_amount(1) == 0, 60)
    assert [len(e.data) for e in received(sim, "b")] == [99_000]


def test_bundling_many_small_messages_per_packet() -> None:
    a, b, sim = make_pair(seed=6)
    before = sim.stats["a->b"].sent
    for i in range(1000):
        a.send(1, b"%04d" % i, 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") == 1000, 60)
    assert sim.stats["a->b"].sent - before < 40  # ~55 chunks of 20 bytes per 1200-byte packet
    assert sim.stats["b->a"].sent < 40  # SACKs are delayed, not one per packet


def test_mtu_is_respected() -> None:
    a, b, sim = make_pair(link=Link(mtu=1200), seed=8)
    a.send(1, bytes(100_000), 53, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") == 1, 60)
    assert sim.stats["a->b"].oversize == 0


INTERLEAVING = AssociationConfig(enable_i_data=True)


def test_i_data_is_negotiated_only_when_both_offer_it() -> None:
    a, b, sim = make_pair(config=INTERLEAVING)
    assert a._use_i_data and b._use_i_data
    a, b, sim = make_pair()
    assert not a._use_i_data and not b._use_i_data


@pytest.mark.parametrize("loss", [0.0, 0.05])
def test_i_data_reliable_transfer(loss: float) -> None:
    """With I-DATA every message (ordered, unordered, large and small, on several streams)
    arrives once; ordered streams keep their order."""
    link = Link(loss=loss, jitter=0.004, duplicate=0.01)
    a, b, sim = make_pair(link=link, config=INTERLEAVING, seed=21)
    small = [b"s%d" % i for i in range(2000)]
    big = [bytes([i]) * (100_000 + i) for i in range(10)]
    unordered = [b"u%d" % i for i in range(500)]
    for i, message in enumerate(small):
        a.send(1, message, 51, now=sim.now)
        if i % 200 == 0:
            a.send(2, big[i // 200], 53, now=sim.now)
        if i % 4 == 0:
            a.send(3, unordered[i // 4], 51, ordered=False, now=sim.now)
    sim.flush()
    total = len(small) + len(big) + len(unordered)
    sim.run_until(lambda: delivered_count(sim, "b") >= total, 3600)
    assert [e.data for e in received(sim, "b", 1)] == small
    assert [e.data for e in received(sim, "b", 2)] == big
    assert sorted(e.data for e in received(sim, "b", 3)) == sorted(unordered)
    assert delivered_count(sim, "b") == total


@pytest.mark.parametrize("ordered", [True, False])
def test_i_data_partial_reliability(ordered: bool) -> None:
    """Abandoned I-DATA messages are skipped with I-FORWARD-TSN; fragments never mix."""
    link = Link(loss=0.2, jitter=0.002)
    a, b, sim = make_pair(link=link, config=INTERLEAVING, seed=13)
    partial = [bytes([i % 256]) * (3000 + i) for i in range(300)]
    reliable = [b"r%04d" % i for i in range(100)]
    for i, message in enumerate(partial):
        a.send(3, message, 53, ordered=ordered, max_retransmits=0, now=sim.now)
        if i % 3 == 0:
            a.send(1, reliable[i // 3], 53, now=sim.now)
    sim.flush()
    sim.run_until(lambda: len(received(sim, "b", 1)) >= len(reliable), 3600)
    sim.run_until(lambda: not a._outstanding and not a._send_queue, 3600)
    got = [e.data for e in received(sim, "b", 3)]
    assert [e.data for e in received(sim, "b", 1)] == reliable
    assert all(message in partial for message in got)  # whole messages only
    assert len(set(got)) == len(got) and 0 < len(got) < len(partial)
    if ordered:
        assert got == [m for m in partial if m in set(got)]


def test_partial_reliability_falls_back_to_reliable_without_peer_support() -> None:
    """RFC 3758 §3.3: a peer that did not offer FORWARD-TSN gets every message reliably."""
    a, b, sim = make_pair(link=Link(loss=0.2), seed=17)
    a._peer_extensions = frozenset()  # as if the peer's INIT had no Forward-TSN-Supported
    messages = [b"m%d" % i for i in range(300)]
    for message in messages:
        a.send(3, message, 51, max_retransmits=0, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") == len(messages), 3600)
    assert [e.data for e in received(sim, "b", 3)] == messages
    assert a.stats.messages_abandoned == 0


def test_receive_window_must_hold_a_whole_message() -> None:
    with pytest.raises(SctpError, match="receive_window"):
        Association(config=AssociationConfig(receive_window=100_000))
    with pytest.raises(SctpError, match="mtu"):
        Association(mtu=40)


def test_message_abandoned_after_part_of_it_was_acked() -> None:
    """Fragments already acknowledged must not be taken out of the flight size again when the
    rest of their message is abandoned (lifetime expiry during an outage)."""
    outage = {"on": False}
    a, b, sim = make_pair(seed=19)
    sim.links["a"] = Link(drop=lambda index, data: outage["on"])
    a.send(2, bytes(20 * 1100), 53, max_lifetime=2.0, now=sim.now)  # 20 fragments
    sim.flush()
    sim.run(until=sim.now + 0.015)  # the first packets get through, then the path fails
    outage["on"] = True
    sim.run(until=sim.now + 5)
    assert a._flight >= 0
    outage["on"] = False
    a.send(1, b"after", 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: len(received(sim, "b", 1)) == 1 and not a._outstanding, 120)
    assert a._flight == 0 and a.buffered_amount(2) == 0
    assert received(sim, "b", 2) == []


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_mixed_traffic_keeps_every_promise(seed: int) -> None:
    """Random sizes on four streams, one per reliability mode, under loss, jitter and
    duplication, with and without I-DATA; afterwards every window and counter is back to zero."""
    rng = random.Random(seed)
    link = Link(loss=0.1, jitter=0.005, duplicate=0.02)
    config = AssociationConfig(enable_i_data=seed % 2 == 0)
    a, b, sim = make_pair(link=link, seed=seed, config=config)
    sent: dict[int, list[bytes]] = {0: [], 1: [], 2: [], 3: []}
    for i in range(150):
        stream = rng.randrange(4)
        message = bytes([i]) + bytes(rng.choice([1, 300, 4000, 60000]))
        options: dict[str, Any] = [
            {},
            {"ordered": False},
            {"max_retransmits": 0},
            {"max_lifetime": 0.3, "ordered": False},
        ][stream]
        a.send(stream, message, 53, now=sim.now, **options)
        sent[stream].append(message)
        if rng.random() < 0.2:
            sim.flush()
            sim.run(until=sim.now + rng.random() * 0.2)
    sim.flush()
    sim.run_until(lambda: not a._outstanding and not a._send_queue, 3600)
    sim.run(until=sim.now + 5)
    got = {s: [e.data for e in received(sim, "b", s)] for s in range(4)}
    assert got[0] == sent[0]
    assert sorted(got[1]) == sorted(sent[1])
    assert got[2] == [m for m in sent[2] if m in got[2]]
    assert len(set(got[3])) == len(got[3]) and set(got[3]) <= set(sent[3])
    assert b._rwnd_used == 0 and not b._pending and not b._partial and not b._i_partials
    assert a._flight == 0 and all(amount == 0 for amount in a._buffered.values())


class _NearWrap(random.Random):
    """Initial TSNs (and tags) just below 2**32, so TSNs wrap during the test."""

    def getrandbits(self, k: int) -> int:
        return (1 << k) - 40 if k == 32 else super().getrandbits(k)


@pytest.mark.parametrize("i_data", [False, True], ids=["DATA", "I-DATA"])
def test_tsn_and_ssn_wrap_around(i_data: bool) -> None:
    """TSNs wrap past 2**32 and 16-bit SSNs past 65535 without losing order or data."""
    config = AssociationConfig(enable_i_data=i_data)
    a = Association(rng=_NearWrap(1), config=config)
    b = Association(rng=_NearWrap(2), config=config)
    sim = Simulation(a, b, link=Link(loss=0.02, jitter=0.002), seed=3)
    a.connect(sim.now)
    sim.run_until(lambda: b.state is a.state is AssociationState.ESTABLISHED, 30)
    assert a._local_initial_tsn == (1 << 32) - 40
    count = 70_000 if not i_data else 5_000  # SSNs wrap after 65536; MIDs are 32-bit
    for i in range(count):
        a.send(1, i.to_bytes(4, "big"), 53, now=sim.now)
    sim.flush()
    sim.run_until(lambda: len(sim.events["b"]) > count, 3600)
    got = [e.data for e in sim.events["b"] if isinstance(e, DataReceived)]
    assert got == [i.to_bytes(4, "big") for i in range(count)]
    assert a._next_tsn > 1 << 32  # the wire TSN wrapped
