"""A simulated network joining two sans-IO endpoints, in simulated time.

Any pair of cores with the five verbs of DESIGN.md §1 (SCTP associations, DTLS endpoints, ICE
agents...) can be wired together. Each direction has its own :class:`Link` conditions: delay,
jitter, loss, duplication, reordering, an MTU and a hook to drop chosen datagrams ("lose the
first INIT"). Time only moves when the simulation advances it, so a test that covers minutes of
protocol time runs in milliseconds, and a seeded ``random.Random`` makes every run repeatable.

The loop is the one every driver follows: after anything changes a core, drain its datagrams
and events; then jump to the earliest of the next delivery or the next core timer.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class Core(Protocol):
    def receive(self, data: bytes, now: float) -> None: ...
    def handle_timer(self, now: float) -> None: ...
    def get_timer(self) -> float | None: ...
    def datagrams_to_send(self, now: float) -> list[bytes]: ...
    def next_event(self) -> object | None: ...


@dataclass
class Link:
    """Conditions of one direction. Probabilities are per datagram."""

    delay: float = 0.010
    jitter: float = 0.0  # uniform extra delay in [0, jitter): reorders datagrams naturally
    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0  # chance a datagram is held back by `reorder_delay`
    reorder_delay: float = 0.020
    mtu: int | None = None  # larger datagrams are dropped, as a strict path would
    # drop(index, data) -> True drops the index-th datagram sent on this link (0-based)
    drop: Callable[[int, bytes], bool] | None = None


@dataclass
class LinkStats:
    sent: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    oversize: int = 0
    bytes_delivered: int = 0


@dataclass(order=True)
class _Delivery:
    at: float
    order: int
    destination: str = field(compare=False)
    data: bytes = field(compare=False)


class Simulation:
    """Two cores, ``"a"`` and ``"b"``, joined by a simulated network."""

    def __init__(
        self,
        a: Core,
        b: Core,
        *,
        link: Link | None = None,
        link_ab: Link | None = None,
        link_ba: Link | None = None,
        seed: int = 0,
        start: float = 0.0,
        on_event: Callable[[str, object], None] | None = None,
    ) -> None:
        self.cores: dict[str, Core] = {"a": a, "b": b}
        base = link or Link()
        self.links: dict[str, Link] = {"a": link_ab or base, "b": link_ba or base}
        self.stats: dict[str, LinkStats] = {"a->b": LinkStats(), "b->a": LinkStats()}
        self.events: dict[str, list[object]] = {"a": [], "b": []}
        self.on_event = on_event
        self.now = start
        self.rng = random.Random(seed)
        self._queue: list[_Delivery] = []
        self._order = 0

    @staticmethod
    def _peer(name: str) -> str:
        return "b" if name == "a" else "a"

    def _transmit(self, source: str, data: bytes) -> None:
        link = self.links[source]
        stats = self.stats[f"{source}->{self._peer(source)}"]
        index = stats.sent
        stats.sent += 1
        if link.mtu is not None and len(data) > link.mtu:
            stats.oversize += 1
            return
        if (link.drop is not None and link.drop(index, data)) or self.rng.random() < link.loss:
            stats.lost += 1
            return
        copies = 1
        if link.duplicate and self.rng.random() < link.duplicate:
            copies = 2
            stats.duplicated += 1
        for _ in range(copies):
            at = self.now + link.delay
            if link.jitter:
                at += self.rng.random() * link.jitter
            if link.reorder and self.rng.random() < link.reorder:
                at += link.reorder_delay
            self._order += 1
            heapq.heappush(self._queue, _Delivery(at, self._order, self._peer(source), data))

    def flush(self) -> None:
        """Drain both cores' datagrams and events at the current time.

        Call after issuing a command to a core (``assoc.send(...)``) so its output enters the
        network; :meth:`step` and :meth:`run` do it after every action they take.
        """
        progress = True
        while progress:
            progress = False
            for name, core in self.cores.items():
                for datagram in core.datagrams_to_send(self.now):
                    self._transmit(name, datagram)
                while (event := core.next_event()) is not None:
                    progress = True
                    self.events[name].append(event)
                    if self.on_event is not None:
                        self.on_event(name, event)

    def next_time(self) -> float | None:
        """When the next delivery or timer is due, or None if the network is idle."""
        candidates = [d.at for d in self._queue[:1]]
        for core in self.cores.values():
            timer = core.get_timer()
            if timer is not None:
                candidates.append(timer)
        return min(candidates) if candidates else None

    def step(self, until: float | None = None) -> bool:
        """Do the next delivery or timer; False when nothing is due (before ``until``)."""
        self.flush()
        due = self.next_time()
        if due is None or (until is not None and due > until):
            return False
        self.now = max(self.now, due)
        if self._queue and self._queue[0].at <= self.now:
            delivery = heapq.heappop(self._queue)
            stats = self.stats[f"{self._peer(delivery.destination)}->{delivery.destination}"]
            stats.delivered += 1
            stats.bytes_delivered += len(delivery.data)
            self.cores[delivery.destination].receive(delivery.data, self.now)
        else:
            for core in self.cores.values():
                timer = core.get_timer()
                if timer is not None and timer <= self.now:
                    core.handle_timer(self.now)
        self.flush()
        return True

    def run(
        self,
        until: float | None = None,
        *,
        stop: Callable[[], bool] | None = None,
        max_steps: int = 10_000_000,
    ) -> None:
        """Advance until ``stop()`` holds, time passes ``until``, or nothing is left to do.

        Raises ``RuntimeError`` after ``max_steps`` (a core whose timer never moves forward).
        """
        self.flush()
        for _ in range(max_steps):
            if stop is not None and stop():
                return
            if not self.step(until):
                if until is not None:
                    self.now = max(self.now, until)
                return
        raise RuntimeError(f"simulation did not settle in {max_steps} steps (now={self.now})")

    def run_until(self, condition: Callable[[], bool], timeout: float) -> None:
        """Run until ``condition()`` holds; fail the test if ``timeout`` simulated seconds pass."""
        deadline = self.now + timeout
        self.run(deadline, stop=condition)
        if not condition():
            raise AssertionError(f"condition not met within {timeout} simulated seconds")
