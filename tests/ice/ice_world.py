"""Two ICE agents wired through the addressed netsim, with trickle signalling between them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from purertc.ice import Agent, Candidate
from purertc.ice.events import (
    CandidateGathered,
    ConnectionStateChanged,
    DataReceived,
    GatheringComplete,
    SelectedPairChanged,
)
from tests.netsim import Nat, Network, StunServer, TurnServer

STUN = ("198.51.100.1", 3478)
TURN = ("198.51.100.2", 3478)


@dataclass
class World:
    net: Network
    a: Agent
    b: Agent
    a_socket: tuple[str, int]
    b_socket: tuple[str, int]
    signalling: bool = True
    turn: TurnServer | None = None
    held: dict[str, list[Candidate | None]] = field(default_factory=lambda: {"a": [], "b": []})

    def agent(self, name: str) -> Agent:
        return self.a if name == "a" else self.b

    def peer(self, name: str) -> Agent:
        return self.b if name == "a" else self.a

    def on_event(self, name: str, event: object) -> None:
        if isinstance(event, CandidateGathered):
            # Through the SDP text, as a real signalling channel would carry it.
            self.deliver(name, Candidate.from_sdp(event.candidate.to_sdp()))
        elif isinstance(event, GatheringComplete):
            self.deliver(name, None)

    def deliver(self, name: str, candidate: Candidate | None) -> None:
        if self.signalling:
            self.peer(name).add_remote_candidate(candidate)
        else:
            self.held[name].append(candidate)

    def release(self) -> None:
        """Deliver the candidates held back while signalling was off."""
        self.signalling = True
        for name in ("a", "b"):
            for candidate in self.held[name]:
                self.peer(name).add_remote_candidate(candidate)
            self.held[name].clear()
        self.net.flush()

    def states(self, name: str) -> list[str]:
        return [e.state for e in self.net.events[name] if isinstance(e, ConnectionStateChanged)]

    def data(self, name: str) -> list[bytes]:
        return [e.data for e in self.net.events[name] if isinstance(e, DataReceived)]

    def selections(self, name: str) -> list[SelectedPairChanged]:
        return [e for e in self.net.events[name] if isinstance(e, SelectedPairChanged)]

    def connected(self) -> bool:
        ok = ("connected", "completed")
        return self.a.state in ok and self.b.state in ok

    def connect(self, timeout: float = 10.0) -> None:
        self.net.run_until(self.connected, timeout)


def world(
    *,
    a_nat: Nat | None = None,
    b_nat: Nat | None = None,
    a_socket: tuple[str, int] = ("10.0.0.1", 5000),
    b_socket: tuple[str, int] = ("10.0.1.1", 6000),
    stun: bool = False,
    turn: bool = False,
    turn_sha256: bool = False,
    a_kwargs: dict[str, Any] | None = None,
    b_kwargs: dict[str, Any] | None = None,
    signalling: bool = True,
    gather: bool = True,
    a_knows_b: bool = True,
    seed: int = 1,
) -> World:
    net = Network(seed=seed)
    a = Agent(**{"controlling": True, "rng": random.Random(seed), **(a_kwargs or {})})
    b = Agent(**{"controlling": False, "rng": random.Random(seed + 100), **(b_kwargs or {})})
    a.add_local_socket(a_socket)
    b.add_local_socket(b_socket)
    net.add_node("a", a, [a_socket], a_nat)
    net.add_node("b", b, [b_socket], b_nat)
    w = World(net, a, b, a_socket, b_socket, signalling=signalling)
    if stun:
        net.add_node("stun", StunServer(), [STUN])
        a.add_stun_server(STUN)
        b.add_stun_server(STUN)
    if turn:
        server = TurnServer(net, "turn", TURN, {"alice": "secret"}, sha256=turn_sha256)
        net.add_node("turn", server, [TURN])
        a.add_turn_server(TURN, "alice", "secret")
        b.add_turn_server(TURN, "alice", "secret")
        w.turn = server
    net.on_event = w.on_event
    if a_knows_b:  # False: a has not received b's answer (ufrag/pwd) yet
        a.set_remote_credentials(b.local_ufrag, b.local_password, lite=b.lite)
    b.set_remote_credentials(a.local_ufrag, a.local_password, lite=a.lite)
    if gather:
        a.gather()
        b.gather()
    return w
