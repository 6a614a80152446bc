"""Shared helpers for the association tests: two associations joined by tests/netsim.py."""

from __future__ import annotations

import random

from purertc.sctp import DataReceived
from purertc.sctp.association import Association, AssociationConfig, AssociationState
from tests.netsim import Link, Simulation


def make_pair(
    *,
    link: Link | None = None,
    link_ab: Link | None = None,
    link_ba: Link | None = None,
    seed: int = 0,
    config: AssociationConfig | None = None,
    connect: bool = True,
) -> tuple[Association, Association, Simulation]:
    """Two associations with seeded randomness; ``a`` connects unless told not to."""
    a = Association(rng=random.Random(seed * 2 + 1), config=config)
    b = Association(rng=random.Random(seed * 2 + 2), config=config)
    a.remote_max_message_size = b.remote_max_message_size = 262144
    sim = Simulation(a, b, link=link, link_ab=link_ab, link_ba=link_ba, seed=seed)
    counts = COUNTS[id(sim)] = {"a": 0, "b": 0}

    def count(name: str, event: object) -> None:
        if isinstance(event, DataReceived):
            counts[name] += 1

    sim.on_event = count
    if connect:
        a.connect(sim.now)
        sim.flush()
        sim.run_until(lambda: established(a) and established(b), 120)
    return a, b, sim


#: DataReceived events per side, kept by the simulation's on_event hook: a condition that
#: scanned sim.events at every step would make a long run quadratic.
COUNTS: dict[int, dict[str, int]] = {}


def delivered_count(sim: Simulation, name: str) -> int:
    return COUNTS[id(sim)][name]


def established(assoc: Association) -> bool:
    return assoc.state is AssociationState.ESTABLISHED


def received(sim: Simulation, name: str, stream_id: int | None = None) -> list[DataReceived]:
    return [
        e
        for e in sim.events[name]
        if isinstance(e, DataReceived) and (stream_id is None or e.stream_id == stream_id)
    ]


def events_of(sim: Simulation, name: str, kind: type) -> list[object]:
    return [e for e in sim.events[name] if isinstance(e, kind)]
