"""The sans-IO ICE agent (RFC 8445 full and lite, RFC 8838 trickle, RFC 7675 consent).

The agent does no I/O. An agent sends from several local sockets to several addresses, so it
uses the *addressed* variant of the five verbs (DESIGN.md §1)::

    agent.receive(data, source, destination, now)   # datagram from `source` to our `destination`
    agent.handle_timer(now)
    agent.get_timer() -> float | None
    agent.datagrams_to_send(now) -> list[Transmit]  # each with its local socket and destination
    agent.next_event() -> Event | None

Gathering is fed from outside (the str0m model): the driver reports its sockets with
:meth:`Agent.add_local_socket`; STUN and TURN servers are named with :meth:`add_stun_server` /
:meth:`add_turn_server`, and their Binding / Allocate exchanges come out of
``datagrams_to_send`` like every other datagram. After any command or input, drain
``datagrams_to_send`` and ``next_event`` and re-arm the timer from ``get_timer``.

Pacing (§6.1.4.2): one ordinary or triggered check per ``ta`` seconds, and the first one goes
out as soon as there is a pair: nothing waits on a fixed tick.
"""

from __future__ import annotations

import base64
import dataclasses
import random
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from purertc.stun import (
    Attribute,
    ErrorCode,
    IceControlled,
    IceControlling,
    Message,
    MessageClass,
    Method,
    Priority,
    StunError,
    UnknownAttributes,
    UseCandidate,
    Username,
    XorMappedAddress,
)

from .candidate import (
    Address,
    Candidate,
    candidate_priority,
    compute_foundation,
    is_ipv6,
    prflx_priority,
)
from .checklist import (
    CandidatePair,
    CheckList,
    PairState,
    PairStats,
    can_pair,
    pairing_candidate,
)
from .errors import IceError
from .events import (
    CandidateGathered,
    ConnectionStateChanged,
    DataReceived,
    Event,
    GatheringComplete,
    RoleChanged,
    SelectedPairChanged,
    ServerError,
    TurnAllocated,
    TurnData,
    TurnFailed,
)
from .transaction import Transaction
from .turn import TurnClient

TransportPolicy = Literal["all", "relay"]
_ROLE_CONFLICT = 487
_KEEPALIVE_INTERVAL = 15.0  # Tr, RFC 8445 §11


@dataclass(frozen=True, slots=True)
class Transmit:
    """One datagram out: from the local socket ``source`` to ``destination``."""

    data: bytes
    source: Address
    destination: Address
    transport: str = "udp"


@dataclass
class AgentStats:
    """Counters of what the agent dropped (bad input is counted, never raised)."""

    malformed: int = 0
    unauthenticated: int = 0
    unknown_destination: int = 0
    unmatched_responses: int = 0
    remote_candidates_refused: int = 0
    checks_sent: int = 0
    checks_received: int = 0


@dataclass
class _Generation:
    """Credentials and check list of one ICE session; a restart starts a new one (§9)."""

    local_ufrag: str
    local_password: str
    max_pairs: int
    remote_ufrag: str | None = None
    remote_password: str | None = None
    remote_lite: bool = False
    remote_candidates: list[Candidate] = field(default_factory=list)
    remote_end_of_candidates: bool = False
    checklist: CheckList = field(init=False)
    triggered: deque[CandidatePair] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.checklist = CheckList(self.max_pairs)

    @property
    def started(self) -> bool:
        return self.remote_password is not None


class _Transaction(Transaction):
    """A check, consent check or gathering Binding request and what its answer is matched to."""

    __slots__ = (
        "kind",
        "source",
        "destination",
        "pair",
        "generation",
        "use_candidate",
        "controlling",
        "priority",
        "server",
    )

    def __init__(
        self,
        tid: bytes,
        kind: str,
        request: bytes,
        source: Address,
        destination: Address,
        *,
        rto: float,
        max_rto: float,
        limit: int,
    ) -> None:
        super().__init__(tid, request, rto=rto, max_rto=max_rto, limit=limit)
        self.kind = kind  # "check", "consent" or "gather"
        self.source = source
        self.destination = destination
        self.pair: CandidatePair | None = None
        self.generation: _Generation | None = None
        self.use_candidate = False
        self.controlling = False
        self.priority = 0
        self.server: Address | None = None


class Agent:
    """An ICE agent for one data stream with one component (WebRTC bundles with rtcp-mux)."""

    def __init__(
        self,
        *,
        controlling: bool,
        ufrag: str | None = None,
        password: str | None = None,
        lite: bool = False,
        ta: float = 0.05,
        check_rto: float = 0.25,
        check_max_rto: float = 1.6,
        check_transmissions: int = 7,
        stun_rto: float = 0.5,
        stun_transmissions: int = 5,
        nomination_delay: float = 0.5,
        consent_interval: float = 5.0,
        disconnected_timeout: float = 7.5,
        failed_timeout: float = 30.0,
        max_remote_candidates: int = 100,
        max_pairs: int = 100,
        transport_policy: TransportPolicy = "all",
        rng: random.Random | None = None,
        tie_breaker: int | None = None,
        software: str | None = None,
    ) -> None:
        self._rng = rng if rng is not None else random.Random(secrets.randbits(64))
        if lite and controlling:
            raise IceError("a lite agent is always controlled (RFC 8445 §6.1.1)")
        if transport_policy not in ("all", "relay"):
            raise IceError(f"transport policy: {transport_policy!r} is not 'all' or 'relay'")
        self.controlling = controlling
        self.lite = lite
        self.ta = ta
        self.check_rto = check_rto
        self.check_max_rto = check_max_rto
        self.check_transmissions = check_transmissions
        self.stun_rto = stun_rto
        self.stun_transmissions = stun_transmissions
        self.nomination_delay = nomination_delay
        self.consent_interval = consent_interval
        self.disconnected_timeout = disconnected_timeout
        self.failed_timeout = failed_timeout
        self.max_remote_candidates = max_remote_candidates
        self.max_pairs = max_pairs
        self.transport_policy = transport_policy
        self.tie_breaker = tie_breaker if tie_breaker is not None else self._rng.getrandbits(64)
        self.software = software
        self.stats = AgentStats()

        self._generation = _Generation(
            ufrag or self._token(8), password or self._token(24), max_pairs
        )
        self._previous: _Generation | None = None  # kept while its selected pair carries data
        self.state = "new"
        self.gathering_state = "new"
        self.local_candidates: list[Candidate] = []
        self._host_sockets: list[tuple[Address, str]] = []
        self._stun_servers: list[Address] = []
        self._turn: list[TurnClient] = []
        self._relay_by_address: dict[Address, TurnClient] = {}
        self._turn_by_socket: dict[tuple[Address, Address], TurnClient] = {}
        self._bases: dict[Address, Candidate] = {}  # local socket or relayed address -> candidate
        self._gather_pending = 0
        self._gather_queue: list[_Transaction] = []
        self._transactions: dict[bytes, _Transaction] = {}
        self._outbox: list[Transmit] = []
        self._events: deque[Event] = deque()
        self._next_check_at = 0.0
        self._selected: CandidatePair | None = None
        self._selected_generation: _Generation | None = None
        self._nominating: CandidatePair | None = None
        self._first_valid_at: float | None = None
        self._next_consent_at: float | None = None
        self._last_consent = 0.0
        self._now = 0.0
        self._closed = False
        # A command marks the agent dirty (the next drain ticks); a command or a tick marks
        # the cached get_timer() deadline stale.
        self._dirty = self._stale = True
        self._deadline: float | None = None

    # --- identity ---------------------------------------------------------------------------

    def _token(self, size: int) -> str:
        """``size`` random ice-chars: base64 of random bytes uses exactly that alphabet."""
        raw = self._rng.getrandbits(size * 6).to_bytes(-(-size * 6 // 8), "big")
        return base64.b64encode(raw).decode()[:size]

    @property
    def local_ufrag(self) -> str:
        return self._generation.local_ufrag

    @property
    def local_password(self) -> str:
        return self._generation.local_password

    @property
    def remote_candidates(self) -> list[Candidate]:
        return list(self._generation.remote_candidates)

    @property
    def check_list(self) -> CheckList:
        return self._generation.checklist

    def pair_stats(self) -> list[PairStats]:
        """Counters of every pair of this session, best first; during an ICE restart, also
        the previous session's selected pair, which still carries the data.

        The selected pair has ``selected=True`` (W3C ``selectedCandidatePairId``).
        """
        selected = self._selected
        pairs = list(self._generation.checklist.pairs)
        if selected is not None and self._selected_generation is not self._generation:
            pairs.append(selected)
        return [pair.snapshot(selected=pair is selected) for pair in pairs]

    @property
    def selected_pair(self) -> CandidatePair | None:
        return self._selected

    # --- commands -------------------------------------------------------------------------

    def add_local_socket(
        self, address: Address, transport: str = "udp", local_preference: int | None = None
    ) -> Candidate:
        """A socket the driver opened: it becomes a host candidate and a base (§5.1.1.1)."""
        self._dirty = self._stale = True
        if transport != "udp":
            raise IceError(f"transport: {transport!r} host candidates are not supported (udp)")
        if local_preference is None:
            # RFC 8421: prefer IPv6, then the order the driver reported the interfaces in.
            local_preference = max(
                0, 65535 - len(self._host_sockets) - (0 if is_ipv6(address[0]) else 4096)
            )
        candidate = Candidate(
            foundation=compute_foundation("host", address[0], "", transport),
            component=1,
            transport=transport,
            priority=candidate_priority("host", 1, local_preference),
            address=address[0],
            port=address[1],
            type="host",
            base=address,
        )
        self._host_sockets.append((address, transport))
        self._bases[address] = candidate
        if self.gathering_state != "new":
            self._add_local_candidate(candidate)
        return candidate

    def add_stun_server(self, address: Address) -> None:
        """A STUN server for server-reflexive candidates; several may be configured."""
        self._dirty = self._stale = True
        self._stun_servers.append(address)

    def add_turn_server(
        self,
        address: Address,
        username: str,
        password: str,
        *,
        transport: str = "udp",
        socket: Address | None = None,
    ) -> TurnClient:
        """A TURN server: one allocation from ``socket`` (default: the first host socket of the
        server's family) gives a relayed candidate. ``transport`` is ``udp``, ``tcp`` or ``tls``
        (the driver opens stream connections for the last two)."""
        self._dirty = self._stale = True
        client = TurnClient(
            address, username, password, transport=transport, rng=self._rng, software=self.software
        )
        client.socket = socket
        self._turn.append(client)
        return client

    def gather(self) -> None:
        """Start gathering: host candidates now, srflx and relay as the servers answer."""
        self._dirty = self._stale = True
        if self.gathering_state != "new":
            return
        self.gathering_state = "gathering"
        relay_only = self.transport_policy == "relay"
        for address, _transport in self._host_sockets:
            self._add_local_candidate(self._bases[address])
            if relay_only:
                continue
            for server in self._stun_servers:
                if is_ipv6(server[0]) != is_ipv6(address[0]):
                    continue
                tid = self._new_tid()
                request = Message(Method.BINDING, MessageClass.REQUEST, tid).serialize(
                    fingerprint=True
                )
                tx = _Transaction(
                    tid,
                    "gather",
                    request,
                    address,
                    server,
                    rto=self.stun_rto,
                    max_rto=self.stun_rto * 8,
                    limit=self.stun_transmissions,
                )
                tx.server = server
                self._gather_queue.append(tx)
                self._gather_pending += 1
        for client in self._turn:
            if client.socket is None:
                client.socket = next(
                    (
                        a
                        for a, _ in self._host_sockets
                        if is_ipv6(a[0]) == is_ipv6(client.server[0])
                    ),
                    None,
                )
            if client.socket is None:
                self._events.append(ServerError(client.server, 0, "no local socket of its family"))
                continue
            self._turn_by_socket[(client.socket, client.server)] = client
            client.allocate()
            self._gather_pending += 1
        self._check_gathering_done()

    def add_remote_candidate(self, candidate: Candidate | None) -> bool:
        """A remote candidate (trickle: any time), or ``None`` for end-of-candidates.

        Returns False when the candidate is refused: an unresolved mDNS name (resolve it first),
        another component or transport, a duplicate, or the remote-candidate cap reached.
        """
        self._dirty = self._stale = True
        gen = self._generation
        if candidate is None:
            gen.remote_end_of_candidates = True
            return True
        if candidate.is_mdns or candidate.component != 1 or candidate.transport != "udp":
            return False
        known = next(
            (
                c
                for c in gen.remote_candidates
                if c.transport_address == candidate.transport_address
            ),
            None,
        )
        if known is not None:
            if known.type != "prflx" or candidate.type == "prflx":
                return False
            # Signalled after checks taught it to us: the signalled type and priority win.
            gen.remote_candidates[gen.remote_candidates.index(known)] = candidate
            for pair in gen.checklist.pairs:
                if pair.remote is known:
                    pair.remote = candidate
                    pair.recompute_priority(self.controlling)
            gen.checklist.sort()
            return True
        if len(gen.remote_candidates) >= self.max_remote_candidates:
            self.stats.remote_candidates_refused += 1
            return False
        gen.remote_candidates.append(candidate)
        for local in self._pairable_locals():
            self._add_pair(gen, local, candidate)
        return True

    def end_of_remote_candidates(self) -> None:
        self.add_remote_candidate(None)

    def set_remote_credentials(self, ufrag: str, password: str, *, lite: bool = False) -> None:
        """The peer's ice-ufrag / ice-pwd. New values on a running session are an ICE restart
        by the peer, which renews ours too (RFC 8839 §4.4.1.1.2)."""
        self._dirty = self._stale = True
        gen = self._generation
        if gen.started and (gen.remote_ufrag, gen.remote_password) != (ufrag, password):
            self.restart()
            gen = self._generation
        gen.remote_ufrag, gen.remote_password, gen.remote_lite = ufrag, password, lite
        if lite and not self.lite and not self.controlling:
            self._set_role(True)  # a full agent facing a lite one controls (§6.1.1)

    def restart(self, ufrag: str | None = None, password: str | None = None) -> None:
        """ICE restart (§9): new credentials and a new check list. Data keeps flowing on the
        current selected pair until the new session selects one; local candidates are reported
        again for the new generation."""
        self._dirty = self._stale = True
        old = self._generation
        self._generation = _Generation(
            ufrag or self._token(8), password or self._token(24), self.max_pairs
        )
        if self._selected is not None and self._selected_generation is old:
            self._previous = old
        self._nominating = None
        self._first_valid_at = None
        if self.gathering_state != "new":
            for candidate in self.local_candidates:
                reported = self._reportable(candidate)
                if reported is not None:
                    self._events.append(CandidateGathered(reported))
            if self._gather_pending == 0:
                self._events.append(GatheringComplete())
        if self.state == "failed":
            self._selected = None  # its consent is gone: nothing to keep the data on
        if self.state not in ("new", "closed"):
            self._set_state("checking")

    def send(self, data: bytes) -> bool:
        """Send application data on the selected pair; False if none (or consent lost)."""
        pair = self._selected
        if pair is None or self.state in ("failed", "closed"):
            return False
        pair.packets_sent += 1
        pair.bytes_sent += len(data)
        pair.last_packet_sent_timestamp = self._now
        self._emit(data, pair.local, pair.remote.transport_address)
        return True

    def close(self) -> None:
        """Stop everything: TURN allocations are released, no more checks (state closed)."""
        self._dirty = self._stale = True
        if self._closed:
            return
        self._closed = True
        for client in self._turn:
            client.close()
        self._transactions.clear()
        self._gather_queue.clear()
        self._selected = None
        self._set_state("closed")

    # --- the five verbs ---------------------------------------------------------------------

    def receive(self, data: bytes, source: Address, destination: Address, now: float) -> None:
        """A datagram from ``source`` arrived on our socket (or relayed address) ``destination``."""
        self._now = now
        if not data:
            return
        client = self._turn_by_socket.get((destination, source))
        if data[0] > 3 and client is None and not self._closed:
            # Application data (RFC 7983: DTLS, RTP...): no state changes, no tick.
            self._on_data(data, source, destination, now)
            return
        if self._closed:
            if client is not None:  # the answer to the deallocation
                client.receive(data, now)
                self._pump_turn(client, now)
            return
        if client is not None and not (data[0] < 4 and data[8:20] in self._transactions):
            # From the TURN server, unless it answers our own Binding request (one server
            # often does both STUN and TURN).
            client.receive(data, now)
            self._pump_turn(client, now)
        else:
            self._receive_on(data, source, destination, now)
        self._tick(now)

    def handle_timer(self, now: float) -> None:
        self._now = now
        if not self._closed:
            self._tick(now)
            return
        for client in self._turn:  # closed: only deallocations may still retransmit
            timer = client.get_timer()
            if timer is not None and timer <= now:
                client.handle_timer(now)

    def get_timer(self) -> float | None:
        if self._closed:  # only the TURN deallocations may still be in flight
            timers = [t for c in self._turn if (t := c.get_timer()) is not None]
            return min(timers) if timers else None
        if self._stale:
            self._deadline = self._compute_timer()
            self._stale = False
        return self._deadline

    def _compute_timer(self) -> float | None:
        """The earliest deadline of the current state (cached by get_timer until a change)."""
        deadlines = [tx.deadline for tx in self._transactions.values()]
        if self._gather_queue:
            deadlines.append(self._now)
        gen = self._generation
        if not self.lite and gen.started and self._has_checks(gen):
            deadlines.append(self._next_check_at)
        if self._awaiting_nomination(gen):
            assert self._first_valid_at is not None
            deadlines.append(self._first_valid_at + self.nomination_delay)
        if self._selected is not None:
            if self._next_consent_at is not None:
                deadlines.append(self._next_consent_at)
            if self.state != "failed":
                deadlines.append(self._last_consent + self.failed_timeout)
                if self.state != "disconnected":
                    deadlines.append(self._last_consent + self.disconnected_timeout)
        for client in self._turn:
            timer = client.get_timer()
            if timer is not None:
                deadlines.append(timer)
        return min(deadlines) if deadlines else None

    def datagrams_to_send(self, now: float) -> list[Transmit]:
        self._now = now
        if not self._closed:
            # Nothing changed and nothing is due: skip the tick (the data fast path).
            changed = self._dirty  # a command ran since the last tick
            deadline = self.get_timer()
            if changed or (deadline is not None and now >= deadline):
                self._tick(now)
        else:
            for client in self._turn:
                self._pump_turn(client, now)
        out, self._outbox = self._outbox, []
        return out

    def next_event(self) -> Event | None:
        return self._events.popleft() if self._events else None

    # --- internals: candidates --------------------------------------------------------------

    def _new_tid(self) -> bytes:
        return self._rng.getrandbits(96).to_bytes(12, "big")

    def _pairable_locals(self) -> list[Candidate]:
        relay_only = self.transport_policy == "relay"
        result = []
        for candidate in self.local_candidates:
            if relay_only and candidate.type != "relay":
                continue
            paired = pairing_candidate(candidate)
            if paired is not None and paired.type != "prflx":
                result.append(paired)
        return result

    def _add_local_candidate(self, candidate: Candidate) -> None:
        if any(
            c.transport_address == candidate.transport_address and c.type == candidate.type
            for c in self.local_candidates
        ):
            return
        self.local_candidates.append(candidate)
        reported = self._reportable(candidate)
        if reported is None:
            return
        self._events.append(CandidateGathered(reported))
        paired = pairing_candidate(candidate)
        if paired is not None:
            gen = self._generation
            for remote in gen.remote_candidates:
                self._add_pair(gen, paired, remote)

    def _reportable(self, candidate: Candidate) -> Candidate | None:
        """The candidate as signalled to the peer, or None if policy keeps it private."""
        if candidate.type == "prflx":
            return None  # learned from checks, never signalled (§7.2.5.3.1)
        if self.transport_policy != "relay":
            return candidate
        if candidate.type != "relay":
            return None
        if candidate.related_address is None:
            return candidate
        # RFC 9429 §3.5.3: hide the addresses behind the relay.
        hidden = "0.0.0.0" if ":" not in candidate.address else "::"
        return dataclasses.replace(candidate, related_address=hidden, related_port=0)

    def _add_pair(
        self, gen: _Generation, local: Candidate, remote: Candidate
    ) -> CandidatePair | None:
        if not can_pair(local, remote):
            return None
        pair = gen.checklist.add(CandidatePair(local, remote, self.controlling))
        if pair is not None and pair.state is PairState.FROZEN:
            gen.checklist.unfreeze_initial()
        if self.state == "new" and gen.started:
            self._set_state("checking")
        return pair

    def _check_gathering_done(self) -> None:
        if self.gathering_state == "gathering" and self._gather_pending == 0:
            self.gathering_state = "complete"
            self._events.append(GatheringComplete())

    # --- internals: the tick ----------------------------------------------------------------

    def _tick(self, now: float) -> None:
        for client in self._turn:
            timer = client.get_timer()
            if timer is not None and timer <= now:
                client.handle_timer(now)
            self._pump_turn(client, now)
        if self._gather_queue:
            for tx in self._gather_queue:
                self._start(tx, now)
            self._gather_queue.clear()
        self._retransmit(now)
        gen = self._generation
        if not self.lite and gen.started and now >= self._next_check_at:
            pair = self._next_pair(gen)
            if pair is not None:
                self._send_check(gen, pair, now, use_candidate=False)
                self._next_check_at = now + self.ta
        if self.controlling and not self.lite:
            self._maybe_nominate(gen, now)
        self._consent(now)
        self._update_state(now)
        self._dirty = False
        self._stale = True

    @staticmethod
    def _has_checks(gen: _Generation) -> bool:
        """A triggered check is queued or some pair is still frozen or waiting."""
        return bool(gen.triggered) or any(
            p.state in (PairState.FROZEN, PairState.WAITING) for p in gen.checklist.pairs
        )

    def _next_pair(self, gen: _Generation) -> CandidatePair | None:
        while gen.triggered:
            pair = gen.triggered.popleft()
            if pair.state is PairState.WAITING and pair in gen.checklist.pairs:
                return pair
        return gen.checklist.next_waiting()

    def _start(self, tx: _Transaction, now: float) -> None:
        self._transactions[tx.tid] = tx
        tx.start(now)
        self._transmit(tx)

    def _transmit(self, tx: _Transaction) -> None:
        """(Re)send a request; a check or consent counts on its pair, retransmissions too."""
        pair = tx.pair
        if pair is not None:
            if tx.kind == "consent":
                pair.consent_requests_sent += 1
            else:
                pair.requests_sent += 1
        self._emit_from_base(tx.request, tx.source, tx.destination)

    def _retransmit(self, now: float) -> None:
        expired: list[_Transaction] = []
        for tx in self._transactions.values():
            due = tx.expire(now)
            if due:
                self._transmit(tx)
            elif due is False:
                expired.append(tx)
        for tx in expired:
            del self._transactions[tx.tid]
            self._on_timeout(tx)

    def _on_timeout(self, tx: _Transaction) -> None:
        if tx.kind == "gather":
            assert tx.server is not None
            self._events.append(ServerError(tx.server, 0, "STUN server did not answer"))
            self._gather_pending -= 1
            self._check_gathering_done()
        elif tx.kind == "check" and tx.pair is not None:
            if tx.pair.state is PairState.IN_PROGRESS:
                tx.pair.state = PairState.FAILED
            if self._nominating is tx.pair:
                self._nominating = None

    # --- internals: sending -------------------------------------------------------------------

    def _emit_from_base(self, data: bytes, base: Address, destination: Address) -> None:
        relay = self._relay_by_address.get(base)
        if relay is not None:
            self._dirty = self._stale = True  # the TURN client may have started a permission
            relay.send_to(destination, data)
            self._pump_turn(relay, self._now)
        else:
            self._outbox.append(Transmit(data, base, destination))

    def _emit(self, data: bytes, local: Candidate, destination: Address) -> None:
        self._emit_from_base(data, local.base or local.transport_address, destination)

    def _send_check(
        self,
        gen: _Generation,
        pair: CandidatePair,
        now: float,
        *,
        use_candidate: bool,
        kind: str = "check",
    ) -> None:
        """A connectivity check (§7.2.2): USERNAME, PRIORITY, role, maybe USE-CANDIDATE."""
        assert gen.remote_ufrag is not None and gen.remote_password is not None
        tid = self._new_tid()
        priority = prflx_priority(pair.local.priority)
        attributes = [
            Username(f"{gen.remote_ufrag}:{gen.local_ufrag}"),
            Priority(priority),
            IceControlling(self.tie_breaker)
            if self.controlling
            else IceControlled(self.tie_breaker),
        ]
        if use_candidate:
            attributes.append(UseCandidate())
        request = Message(Method.BINDING, MessageClass.REQUEST, tid, attributes).serialize(
            gen.remote_password.encode(), fingerprint=True
        )
        base = pair.local.base or pair.local.transport_address
        tx = _Transaction(
            tid,
            kind,
            request,
            base,
            pair.remote.transport_address,
            rto=self.check_rto,
            max_rto=self.check_max_rto,
            limit=self.check_transmissions,
        )
        tx.pair, tx.generation, tx.priority = pair, gen, priority
        tx.use_candidate, tx.controlling = use_candidate, self.controlling
        if kind == "check" and pair.state is not PairState.SUCCEEDED:
            pair.state = PairState.IN_PROGRESS
        self.stats.checks_sent += 1
        self._start(tx, now)

    # --- internals: receiving -------------------------------------------------------------

    def _receive_on(self, data: bytes, source: Address, destination: Address, now: float) -> None:
        if data[0] > 3:
            self._on_data(data, source, destination, now)
            return
        try:
            message = Message.parse(data)
            klass = message.message_class
            if message.method != Method.BINDING:
                self.stats.malformed += 1
            elif klass is MessageClass.REQUEST:
                self._on_request(message, source, destination, now)
            elif klass in (MessageClass.SUCCESS_RESPONSE, MessageClass.ERROR_RESPONSE):
                self._on_response(message, source, destination, now)
            # Binding indications are keepalives: nothing to do.
        except StunError:
            self.stats.malformed += 1

    def _on_data(self, data: bytes, source: Address, destination: Address, now: float) -> None:
        """Application data is accepted only on a pair we know, and counted on it."""
        pair = self._generation.checklist.pair_for_key((destination, source, "udp"))
        if pair is None and self._previous is not None:
            pair = self._previous.checklist.find(destination, source)
        if pair is None:
            self.stats.unknown_destination += 1
            return
        pair.packets_received += 1
        pair.bytes_received += len(data)
        pair.last_packet_received_timestamp = now
        self._events.append(DataReceived(data, source, destination))

    def _generation_for(self, username: str) -> _Generation | None:
        local = username.partition(":")[0]
        if local == self._generation.local_ufrag:
            return self._generation
        previous = self._previous
        if previous is not None and local == previous.local_ufrag:
            return previous
        return None

    def _on_request(
        self, message: Message, source: Address, destination: Address, now: float
    ) -> None:
        """A connectivity check from the peer (§7.3)."""
        self.stats.checks_received += 1
        username = message.username
        gen = self._generation_for(username) if username else None
        if gen is None or not message.verify_integrity(gen.local_password.encode()):
            self.stats.unauthenticated += 1
            return
        local = self._bases.get(destination)
        if local is None:
            self.stats.unknown_destination += 1
            return
        known = gen.checklist.find(local.base or local.transport_address, source)
        if known is not None:
            known.requests_received += 1
        unknown = message.unknown_comprehension_required()
        if unknown:  # RFC 8489 §6.3.1: 420 listing what we do not understand
            self._respond_error(
                gen,
                known,
                message,
                source,
                destination,
                420,
                "Unknown Attribute",
                UnknownAttributes(tuple(unknown)),
            )
            return
        remote_controlling = message.ice_controlling
        remote_controlled = message.ice_controlled
        # Role conflict (§7.3.1.1).
        if self.controlling and remote_controlling is not None:
            if self.tie_breaker >= remote_controlling:
                self._respond_error(
                    gen, known, message, source, destination, _ROLE_CONFLICT, "Role Conflict"
                )
                return
            self._set_role(False)
        elif not self.controlling and remote_controlled is not None:
            if self.tie_breaker >= remote_controlled:
                self._set_role(True)
            else:
                self._respond_error(
                    gen, known, message, source, destination, _ROLE_CONFLICT, "Role Conflict"
                )
                return
        response = Message(
            Method.BINDING,
            MessageClass.SUCCESS_RESPONSE,
            message.transaction_id,
            [XorMappedAddress(source[0], source[1])],
        ).serialize(gen.local_password.encode(), fingerprint=True)
        self._emit_from_base(response, destination, source)

        pair = self._pair_for_request(gen, message, local, source)
        if pair is None:
            return
        if known is None:  # a pair this request created (peer-reflexive or late candidate)
            pair.requests_received += 1
        pair.responses_sent += 1
        if self.lite and pair is self._selected:
            self._last_consent = now  # a lite agent sends no checks: the peer's are consent
        use_candidate = message.use_candidate and not self.controlling
        if self.lite:
            pair.state = PairState.SUCCEEDED
            if use_candidate:
                pair.nominated = True
                self._update_selected(gen, now)
            return
        # Triggered checks (§7.3.1.4).
        if pair.state in (PairState.FROZEN, PairState.WAITING, PairState.FAILED):
            pair.state = PairState.WAITING
            if pair not in gen.triggered:
                gen.triggered.append(pair)
        elif pair.state is PairState.IN_PROGRESS:
            for tx in self._transactions.values():
                if tx.pair is pair and tx.sent > 1:
                    tx.deadline = now  # the path just proved open: retransmit at once
        if use_candidate:
            if pair.state is PairState.SUCCEEDED:
                if not pair.nominated:
                    pair.nominated = True
                    self._update_selected(gen, now)
            else:
                pair.nominate_on_success = True

    def _pair_for_request(
        self, gen: _Generation, message: Message, local: Candidate, source: Address
    ) -> CandidatePair | None:
        base = local.base or local.transport_address
        pair = gen.checklist.find(base, source)
        if pair is not None:
            return pair
        if self.transport_policy == "relay" and local.type != "relay":
            return None
        remote = next((c for c in gen.remote_candidates if c.transport_address == source), None)
        if remote is None:
            priority = message.priority
            if priority is None or len(gen.remote_candidates) >= self.max_remote_candidates:
                self.stats.remote_candidates_refused += 1
                return None
            # A peer-reflexive remote candidate (§7.3.1.3).
            remote = Candidate(
                foundation=self._token(8).replace("+", "x").replace("/", "y"),
                component=1,
                transport="udp",
                priority=priority,
                address=source[0],
                port=source[1],
                type="prflx",
            )
            gen.remote_candidates.append(remote)
        return self._add_pair(gen, local, remote)

    def _respond_error(
        self,
        gen: _Generation,
        pair: CandidatePair | None,
        message: Message,
        source: Address,
        destination: Address,
        code: int,
        reason: str,
        *extra: Attribute,
    ) -> None:
        response = Message(
            Method.BINDING,
            MessageClass.ERROR_RESPONSE,
            message.transaction_id,
            [ErrorCode(code, reason), *extra],
        ).serialize(gen.local_password.encode(), fingerprint=True)
        if pair is not None:
            pair.responses_sent += 1
        self._emit_from_base(response, destination, source)

    def _on_response(
        self, message: Message, source: Address, destination: Address, now: float
    ) -> None:
        tx = self._transactions.get(message.transaction_id)
        if tx is None:
            self.stats.unmatched_responses += 1
            return
        if tx.kind == "gather":
            del self._transactions[tx.tid]
            self._on_gather_response(tx, message)
            return
        gen = tx.generation
        assert gen is not None and gen.remote_password is not None and tx.pair is not None
        if not message.verify_integrity(gen.remote_password.encode()):
            self.stats.unauthenticated += 1
            return
        del self._transactions[tx.tid]
        pair = tx.pair
        pair.responses_received += 1
        if message.message_class is MessageClass.ERROR_RESPONSE:
            error = message.error_code
            if error is not None and error.code == _ROLE_CONFLICT:
                if tx.controlling == self.controlling:
                    self._set_role(not tx.controlling)
                if tx.kind == "check":
                    pair.state = PairState.WAITING
                    gen.triggered.append(pair)
            elif tx.kind == "check":
                pair.state = PairState.FAILED
            if self._nominating is pair:
                self._nominating = None
            return
        # §7.2.5.2.1: the response must come back on the same addresses (symmetric).
        if source != tx.destination or destination != tx.source:
            if tx.kind == "check":
                pair.state = PairState.FAILED
            return
        pair.record_round_trip(now - tx.last_sent_at)
        mapped = message.xor_mapped_address
        if mapped is not None and not any(
            c.transport_address == mapped for c in self.local_candidates
        ):
            self._add_local_candidate(
                Candidate(
                    foundation=compute_foundation("prflx", tx.source[0], "", "udp"),
                    component=1,
                    transport="udp",
                    priority=tx.priority,
                    address=mapped[0],
                    port=mapped[1],
                    type="prflx",
                    base=tx.source,
                )
            )
        if pair.state is not PairState.SUCCEEDED:
            pair.state = PairState.SUCCEEDED
            gen.checklist.unfreeze_foundation(pair.foundation)
            if self._first_valid_at is None and gen is self._generation:
                self._first_valid_at = now
        if pair is self._selected:
            self._last_consent = now
        if (tx.use_candidate and tx.controlling) or (
            pair.nominate_on_success and not self.controlling
        ):
            pair.nominated = True
            if self._nominating is pair:
                self._nominating = None
            self._update_selected(gen, now)

    def _on_gather_response(self, tx: _Transaction, message: Message) -> None:
        assert tx.server is not None
        self._gather_pending -= 1
        mapped = message.xor_mapped_address
        if message.message_class is MessageClass.ERROR_RESPONSE or mapped is None:
            error = message.error_code
            self._events.append(
                ServerError(
                    tx.server,
                    error.code if error else 0,
                    error.reason if error else "no mapped address",
                )
            )
        elif mapped != tx.source:
            self._add_local_candidate(
                Candidate(
                    foundation=compute_foundation(
                        "srflx", tx.source[0], f"{tx.server[0]}:{tx.server[1]}", "udp"
                    ),
                    component=1,
                    transport="udp",
                    priority=candidate_priority(
                        "srflx", 1, self._bases[tx.source].priority >> 8 & 0xFFFF
                    ),
                    address=mapped[0],
                    port=mapped[1],
                    type="srflx",
                    related_address=tx.source[0],
                    related_port=tx.source[1],
                    base=tx.source,
                )
            )
        self._check_gathering_done()

    # --- internals: TURN ----------------------------------------------------------------------

    def _pump_turn(self, client: TurnClient, now: float) -> None:
        socket = client.socket
        if socket is None:
            return
        for data in client.datagrams_to_send(now):
            self._outbox.append(Transmit(data, socket, client.server, client.transport))
        while (event := client.next_event()) is not None:
            if self._closed:
                continue  # nothing is relayed or gathered any more
            if isinstance(event, TurnData):
                self._receive_on(event.data, event.peer, client.relayed_address or ("", 0), now)
            elif isinstance(event, TurnAllocated):
                self._gather_pending -= 1
                self._relay_by_address[event.relayed] = client
                local_pref = 65535 - 256 * {"udp": 0, "tcp": 1, "tls": 2}.get(client.transport, 0)
                candidate = Candidate(
                    foundation=compute_foundation(
                        "relay",
                        socket[0],
                        f"{client.server[0]}:{client.server[1]}",
                        client.transport,
                    ),
                    component=1,
                    transport="udp",
                    priority=candidate_priority("relay", 1, local_pref),
                    address=event.relayed[0],
                    port=event.relayed[1],
                    type="relay",
                    related_address=event.mapped[0] if event.mapped else None,
                    related_port=event.mapped[1] if event.mapped else None,
                    base=event.relayed,
                )
                self._bases[event.relayed] = candidate
                self._add_local_candidate(candidate)
                self._check_gathering_done()
            elif isinstance(event, TurnFailed):
                self._events.append(ServerError(client.server, event.code, event.reason))
                if event.during_allocation:
                    self._gather_pending -= 1
                    self._check_gathering_done()

    # --- internals: nomination, consent, states ---------------------------------------------

    def _awaiting_nomination(self, gen: _Generation) -> bool:
        """Controlling, a pair is valid, and nothing nominated or being nominated yet."""
        return (
            self.controlling
            and not self.lite
            and self._first_valid_at is not None
            and self._nominating is None
            and not (self._selected is not None and self._selected_generation is gen)
        )

    def _maybe_nominate(self, gen: _Generation, now: float) -> None:
        """Regular nomination (§8.1.1): once the best pair is valid, or after a short wait."""
        if not self._awaiting_nomination(gen):
            return
        assert self._first_valid_at is not None
        valid = gen.checklist.valid_pairs()
        if not valid:
            return
        best = valid[0]
        better_pending = any(
            p.priority > best.priority
            and p.state in (PairState.FROZEN, PairState.WAITING, PairState.IN_PROGRESS)
            for p in gen.checklist.pairs
        )
        if better_pending and now < self._first_valid_at + self.nomination_delay:
            return
        self._nominating = best
        self._send_check(gen, best, now, use_candidate=True)

    def _update_selected(self, gen: _Generation, now: float) -> None:
        nominated = [
            p for p in gen.checklist.pairs if p.nominated and p.state is PairState.SUCCEEDED
        ]
        if self.lite:
            nominated = [p for p in gen.checklist.pairs if p.nominated]
        if not nominated:
            return
        best = max(nominated, key=lambda p: p.priority)
        if best is self._selected:
            return
        self._selected = best
        self._selected_generation = gen
        if gen is self._generation:
            self._previous = None
        self._last_consent = now
        self._next_consent_at = now + (_KEEPALIVE_INTERVAL if self.lite else self._consent_delay())
        self._events.append(SelectedPairChanged(best.local, best.remote))

    def _consent_delay(self) -> float:
        return self.consent_interval * self._rng.uniform(0.8, 1.2)

    def _consent(self, now: float) -> None:
        """RFC 7675: a Binding request on the selected pair every ~5 s (randomized); these
        double as the keepalives of RFC 8445 §11, which a lite agent sends as indications."""
        pair, gen = self._selected, self._selected_generation
        if (
            pair is None
            or gen is None
            or self._next_consent_at is None
            or now < self._next_consent_at
        ):
            return
        if self.lite:
            # A lite agent sends no checks: a Binding indication keeps NAT bindings (§11).
            self._next_consent_at = now + _KEEPALIVE_INTERVAL
            keepalive = Message(Method.BINDING, MessageClass.INDICATION, self._new_tid())
            self._emit(
                keepalive.serialize(fingerprint=True), pair.local, pair.remote.transport_address
            )
            return
        self._next_consent_at = now + self._consent_delay()
        if self.state != "failed":
            self._send_check(gen, pair, now, use_candidate=False, kind="consent")

    def _update_state(self, now: float) -> None:
        if self._closed:
            return
        gen = self._generation
        if self._selected is not None:
            # Compare with the very sums get_timer() returns, so a timer never fires early.
            if now >= self._last_consent + self.failed_timeout:
                self._set_state("failed")
            elif self.state == "failed":
                pass  # consent once lost is lost (RFC 7675 §5.1); a restart recovers
            elif now >= self._last_consent + self.disconnected_timeout:
                self._set_state("disconnected")
            elif self._selected_generation is not gen:
                self._set_state("checking" if gen.started else self.state)
            elif (
                gen.remote_end_of_candidates
                and self.gathering_state == "complete"
                and not gen.checklist.pending()
                and not gen.triggered
            ):
                self._set_state("completed")
            else:
                self._set_state("connected")
            return
        if not gen.started or not gen.checklist.pairs:
            return
        if (
            gen.checklist.all_failed()
            and gen.remote_end_of_candidates
            and self.gathering_state == "complete"
        ):
            self._set_state("failed")
        elif self.state == "new":
            self._set_state("checking")

    def _set_state(self, state: str) -> None:
        if state == "completed" and self.state in ("new", "checking"):
            self._set_state("connected")  # W3C order: users wait for "connected"
        if state != self.state:
            self.state = state
            self._events.append(ConnectionStateChanged(state))

    def _set_role(self, controlling: bool) -> None:
        if controlling == self.controlling:
            return
        self.controlling = controlling
        self._generation.checklist.recompute_priorities(controlling)
        self._events.append(RoleChanged(controlling))
