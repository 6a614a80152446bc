"""The simulated network itself: delays, loss, duplication, MTU and timers in simulated time."""

from __future__ import annotations

from dataclasses import dataclass

from tests.netsim import Link, Simulation


@dataclass(frozen=True)
class Received:
    data: bytes
    at: float


class Ticker:
    """Sends ``count`` numbered datagrams, one every ``interval`` seconds; records arrivals."""

    def __init__(self, count: int = 0, interval: float = 0.1, size: int = 4) -> None:
        self.count = count
        self.interval = interval
        self.size = size
        self.sent = 0
        self.next_at: float | None = 0.0 if count else None
        self.outbox: list[bytes] = []
        self.events: list[Received] = []

    def receive(self, data: bytes, now: float) -> None:
        self.events.append(Received(data, now))

    def handle_timer(self, now: float) -> None:
        self.outbox.append(self.sent.to_bytes(4, "big").ljust(self.size, b"\0"))
        self.sent += 1
        self.next_at = now + self.interval if self.sent < self.count else None

    def get_timer(self) -> float | None:
        return self.next_at

    def datagrams_to_send(self, now: float) -> list[bytes]:
        out, self.outbox = self.outbox, []
        return out

    def next_event(self) -> object | None:
        return self.events.pop(0) if self.events else None


def test_delivery_in_simulated_time() -> None:
    sim = Simulation(Ticker(count=3, interval=0.5), Ticker(), link=Link(delay=0.25))
    sim.run()
    arrivals = [(e.data[:4], e.at) for e in sim.events["b"] if isinstance(e, Received)]
    assert arrivals == [
        (b"\0\0\0\0", 0.25),
        (b"\0\0\0\1", 0.75),
        (b"\0\0\0\2", 1.25),
    ]
    assert sim.stats["a->b"].delivered == 3


def test_loss_is_seeded_and_counted() -> None:
    def lost(seed: int) -> int:
        sim = Simulation(
            Ticker(count=1000, interval=0.001), Ticker(), link=Link(loss=0.2), seed=seed
        )
        sim.run()
        stats = sim.stats["a->b"]
        assert stats.sent == 1000
        assert stats.delivered + stats.lost == 1000
        return stats.lost

    assert lost(1) == lost(1)
    assert 120 < lost(1) < 280


def test_duplication_mtu_and_drop_hook() -> None:
    link = Link(duplicate=1.0, mtu=100, drop=lambda index, data: index == 0)
    sim = Simulation(Ticker(count=3, size=50), Ticker(), link_ab=link)
    sim.run()
    assert sim.stats["a->b"].lost == 1
    assert sim.stats["a->b"].delivered == 4  # two datagrams, each twice
    big = Simulation(Ticker(count=2, size=101), Ticker(), link_ab=Link(mtu=100))
    big.run()
    assert big.stats["a->b"].oversize == 2
    assert big.stats["a->b"].delivered == 0


def test_jitter_reorders() -> None:
    sim = Simulation(Ticker(count=200, interval=0.001), Ticker(), link=Link(jitter=0.05), seed=3)
    sim.run()
    order = [int.from_bytes(e.data[:4], "big") for e in sim.events["b"] if isinstance(e, Received)]
    assert sorted(order) == list(range(200))
    assert order != sorted(order)


def test_run_until_fails_loudly_on_timeout() -> None:
    sim = Simulation(Ticker(), Ticker())
    try:
        sim.run_until(lambda: False, timeout=5.0)
    except AssertionError as exc:
        assert "5.0 simulated seconds" in str(exc)
    else:
        raise AssertionError("run_until returned although its condition never held")
