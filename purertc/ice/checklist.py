"""Candidate pairs and the check list (RFC 8445 §6.1.2).

The check list is where a flooding peer could grow state, so it is bounded: beyond
``max_pairs`` the lowest-priority pairs that carry no state worth keeping (frozen, waiting or
failed) are dropped, as §6.1.2.5 allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .candidate import Address, Candidate, is_ipv6


class PairState(Enum):
    """Check list states of a pair (RFC 8445 §6.1.2.6)."""

    FROZEN = "frozen"
    WAITING = "waiting"
    IN_PROGRESS = "in-progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def pair_priority(local: Candidate, remote: Candidate, controlling: bool) -> int:
    """``2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0)``, G the controlling side's (§6.1.2.3)."""
    g, d = (local.priority, remote.priority) if controlling else (remote.priority, local.priority)
    return (min(g, d) << 32) + 2 * max(g, d) + (1 if g > d else 0)


@dataclass(frozen=True, slots=True)
class PairStats:
    """A snapshot of one pair's counters, with W3C ``RTCIceCandidatePairStats`` semantics.

    Requests count every transmission, retransmissions included; consent checks (RFC 7675)
    are counted apart in ``consent_requests_sent``, their responses with the others. Bytes and
    packets are application data only (no STUN). Times are on the agent's clock (the ``now``
    it is given); round-trip times are in seconds, from the latest transmission of a request
    to its authenticated success response, ``None`` before the first one.
    """

    local: Candidate
    remote: Candidate
    state: PairState
    nominated: bool
    selected: bool
    priority: int
    requests_sent: int
    requests_received: int
    responses_sent: int
    responses_received: int
    consent_requests_sent: int
    packets_sent: int
    packets_received: int
    bytes_sent: int
    bytes_received: int
    last_packet_sent_timestamp: float | None
    last_packet_received_timestamp: float | None
    current_round_trip_time: float | None
    total_round_trip_time: float
    round_trip_time_measurements: int


class CandidatePair:
    """A local candidate (always a host, relay or prflx base) and a remote candidate.

    The pair also holds its own traffic counters (see :class:`PairStats`): the data path bumps
    them with plain attribute increments, so they cost next to nothing per datagram.
    """

    __slots__ = (
        "local",
        "remote",
        "priority",
        "state",
        "nominated",
        "nominate_on_success",
        "requests_sent",
        "requests_received",
        "responses_sent",
        "responses_received",
        "consent_requests_sent",
        "packets_sent",
        "packets_received",
        "bytes_sent",
        "bytes_received",
        "last_packet_sent_timestamp",
        "last_packet_received_timestamp",
        "current_round_trip_time",
        "total_round_trip_time",
        "round_trip_time_measurements",
    )

    def __init__(self, local: Candidate, remote: Candidate, controlling: bool) -> None:
        self.local = local
        self.remote = remote
        self.priority = pair_priority(local, remote, controlling)
        self.state = PairState.FROZEN
        self.nominated = False
        # Controlled side: a USE-CANDIDATE arrived before our own check succeeded (§7.3.1.5).
        self.nominate_on_success = False
        self.requests_sent = self.requests_received = 0
        self.responses_sent = self.responses_received = 0
        self.consent_requests_sent = 0
        self.packets_sent = self.packets_received = 0
        self.bytes_sent = self.bytes_received = 0
        self.last_packet_sent_timestamp: float | None = None
        self.last_packet_received_timestamp: float | None = None
        self.current_round_trip_time: float | None = None
        self.total_round_trip_time = 0.0
        self.round_trip_time_measurements = 0

    def record_round_trip(self, rtt: float) -> None:
        """A success response matched a request sent ``rtt`` seconds ago."""
        self.current_round_trip_time = rtt
        self.total_round_trip_time += rtt
        self.round_trip_time_measurements += 1

    def snapshot(self, *, selected: bool) -> PairStats:
        return PairStats(
            local=self.local,
            remote=self.remote,
            state=self.state,
            nominated=self.nominated,
            selected=selected,
            priority=self.priority,
            requests_sent=self.requests_sent,
            requests_received=self.requests_received,
            responses_sent=self.responses_sent,
            responses_received=self.responses_received,
            consent_requests_sent=self.consent_requests_sent,
            packets_sent=self.packets_sent,
            packets_received=self.packets_received,
            bytes_sent=self.bytes_sent,
            bytes_received=self.bytes_received,
            last_packet_sent_timestamp=self.last_packet_sent_timestamp,
            last_packet_received_timestamp=self.last_packet_received_timestamp,
            current_round_trip_time=self.current_round_trip_time,
            total_round_trip_time=self.total_round_trip_time,
            round_trip_time_measurements=self.round_trip_time_measurements,
        )

    @property
    def foundation(self) -> tuple[str, str]:
        return (self.local.foundation, self.remote.foundation)

    @property
    def key(self) -> tuple[Address, Address, str]:
        """What makes two pairs redundant: the local base, the remote address, the transport."""
        base = self.local.base or self.local.transport_address
        return (base, self.remote.transport_address, self.local.transport)

    @property
    def is_valid(self) -> bool:
        return self.state is PairState.SUCCEEDED

    def recompute_priority(self, controlling: bool) -> None:
        self.priority = pair_priority(self.local, self.remote, controlling)

    def __repr__(self) -> str:
        return (
            f"CandidatePair({self.local.type} {self.local.address}:{self.local.port} -> "
            f"{self.remote.type} {self.remote.address}:{self.remote.port}, {self.state.value}"
            f"{', nominated' if self.nominated else ''})"
        )


def can_pair(local: Candidate, remote: Candidate) -> bool:
    """Same component, same transport and the same IP family (RFC 8445 §6.1.2.2)."""
    return (
        local.component == remote.component
        and local.transport == remote.transport
        and is_ipv6(local.address) == is_ipv6(remote.address)
    )


def pairing_candidate(local: Candidate) -> Candidate | None:
    """The candidate a local one pairs as: server-reflexive ones are replaced by their base.

    RFC 8445 §6.1.2.4: a pair whose local candidate is server reflexive is pruned to its base,
    which is a host candidate the list already holds, so srflx candidates never pair at all.
    """
    if local.type == "srflx":
        return None
    return local


class CheckList:
    """The pairs of one data stream, sorted by priority, bounded, with the frozen algorithm."""

    def __init__(self, max_pairs: int = 100) -> None:
        self.max_pairs = max_pairs
        self.pairs: list[CandidatePair] = []
        self._by_key: dict[tuple[Address, Address, str], CandidatePair] = {}
        # The data path's lookup by (base, remote, transport): the dict's own method, so
        # each datagram is matched to its pair without a Python call frame.
        self.pair_for_key = self._by_key.get

    def __len__(self) -> int:
        return len(self.pairs)

    def find(self, base: Address, remote: Address, transport: str = "udp") -> CandidatePair | None:
        return self._by_key.get((base, remote, transport))

    def add(self, pair: CandidatePair) -> CandidatePair | None:
        """Insert a pair unless redundant; a higher-priority duplicate replaces a waiting one.

        Returns the pair now in the list for that key, or ``None`` when the list is full of
        pairs better than this one.
        """
        existing = self._by_key.get(pair.key)
        if existing is not None:
            if pair.priority > existing.priority and existing.state in (
                PairState.FROZEN,
                PairState.WAITING,
            ):
                existing.local, existing.remote = pair.local, pair.remote
                existing.priority = pair.priority
                self.sort()
            return existing
        if len(self.pairs) >= self.max_pairs and not self._evict_below(pair.priority):
            return None
        self._by_key[pair.key] = pair
        self.pairs.append(pair)
        self.sort()
        return pair

    def _evict_below(self, priority: int) -> bool:
        """Drop the lowest-priority stateless pair below ``priority``; True if one went."""
        for pair in reversed(self.pairs):
            if pair.priority >= priority:
                return False
            if pair.state in (PairState.FROZEN, PairState.WAITING, PairState.FAILED):
                self.remove(pair)
                return True
        return False

    def remove(self, pair: CandidatePair) -> None:
        self.pairs.remove(pair)
        del self._by_key[pair.key]

    def clear(self) -> None:
        self.pairs.clear()
        self._by_key.clear()

    def sort(self) -> None:
        self.pairs.sort(key=lambda p: p.priority, reverse=True)

    def recompute_priorities(self, controlling: bool) -> None:
        for pair in self.pairs:
            pair.recompute_priority(controlling)
        self.sort()

    def unfreeze_initial(self) -> None:
        """Per foundation, set the highest-priority frozen pair Waiting (§6.1.2.6).

        A foundation that already has a pair waiting, in progress or succeeded is left alone.
        """
        active = {
            p.foundation
            for p in self.pairs
            if p.state in (PairState.WAITING, PairState.IN_PROGRESS, PairState.SUCCEEDED)
        }
        for pair in self.pairs:  # sorted: the first frozen one of a foundation is the best
            if pair.state is PairState.FROZEN and pair.foundation not in active:
                pair.state = PairState.WAITING
                active.add(pair.foundation)

    def unfreeze_foundation(self, foundation: tuple[str, str]) -> None:
        """A pair of this foundation succeeded: its frozen siblings become Waiting (§7.2.5.3.3)."""
        for pair in self.pairs:
            if pair.state is PairState.FROZEN and pair.foundation == foundation:
                pair.state = PairState.WAITING

    def next_waiting(self) -> CandidatePair | None:
        """The highest-priority Waiting pair, else unfreeze one and take it (§6.1.4.2)."""
        for pair in self.pairs:
            if pair.state is PairState.WAITING:
                return pair
        for pair in self.pairs:
            if pair.state is PairState.FROZEN:
                pair.state = PairState.WAITING
                return pair
        return None

    def valid_pairs(self) -> list[CandidatePair]:
        return [p for p in self.pairs if p.state is PairState.SUCCEEDED]

    def pending(self) -> bool:
        """Some pair may still be checked (frozen, waiting or in progress)."""
        return any(
            p.state in (PairState.FROZEN, PairState.WAITING, PairState.IN_PROGRESS)
            for p in self.pairs
        )

    def all_failed(self) -> bool:
        return bool(self.pairs) and all(p.state is PairState.FAILED for p in self.pairs)
