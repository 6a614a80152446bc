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
import struct
from collections.abc import Callable, Sequence
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


# --- Addressed networks: many nodes, IP addresses, NATs, STUN and TURN servers --------------
#
# ICE agents and servers speak the *addressed* verbs: ``receive(data, source, destination,
# now)`` and ``datagrams_to_send(now)`` returning objects with ``data``, ``source`` and
# ``destination``. A :class:`Network` routes those datagrams between nodes. A node behind a
# :class:`Nat` lives in that NAT's private realm: it reaches its neighbours directly and the
# public realm through the NAT's mappings and filters (RFC 4787 behaviours).

Address = tuple[str, int]


class Addressed(Protocol):
    data: bytes
    source: Address
    destination: Address


class AddressedCore(Protocol):
    def receive(self, data: bytes, source: Address, destination: Address, now: float) -> None: ...
    def handle_timer(self, now: float) -> None: ...
    def get_timer(self) -> float | None: ...
    def datagrams_to_send(self, now: float) -> Sequence[Addressed]: ...
    def next_event(self) -> object | None: ...


@dataclass(frozen=True)
class Datagram:
    data: bytes
    source: Address
    destination: Address


NAT_KINDS = ("full-cone", "address-restricted", "port-restricted", "symmetric")


class Nat:
    """A NAT with one public IP.

    Mapping: endpoint-independent for the three cone kinds, per destination for ``symmetric``.
    Filtering: ``full-cone`` lets anyone reach a mapping, ``address-restricted`` only IPs the
    mapping sent to, ``port-restricted`` and ``symmetric`` only the exact IP and port.
    """

    def __init__(self, kind: str, public_ip: str, *, first_port: int = 40000) -> None:
        if kind not in NAT_KINDS:
            raise ValueError(f"NAT kind: {kind!r}")
        self.kind = kind
        self.public_ip = public_ip
        self._next_port = first_port
        self._mappings: dict[tuple[Address, Address | None], int] = {}
        self._private: dict[int, Address] = {}
        self._contacted: dict[int, set[Address]] = {}

    def outbound(self, source: Address, destination: Address) -> Address:
        key = (source, destination if self.kind == "symmetric" else None)
        port = self._mappings.get(key)
        if port is None:
            port = self._next_port
            self._next_port += 1
            self._mappings[key] = port
            self._private[port] = source
            self._contacted[port] = set()
        self._contacted[port].add(destination)
        return (self.public_ip, port)

    def inbound(self, port: int, source: Address) -> Address | None:
        private = self._private.get(port)
        if private is None:
            return None
        contacted = self._contacted[port]
        if self.kind == "address-restricted":
            if not any(ip == source[0] for ip, _ in contacted):
                return None
        elif self.kind in ("port-restricted", "symmetric") and source not in contacted:
            return None
        return private


@dataclass
class _Node:
    name: str
    core: AddressedCore
    addresses: set[Address]
    nat: Nat | None


class Network:
    """Nodes with addresses, optionally behind NATs, in simulated time.

    ``drop(datagram)`` may drop chosen datagrams (cut a path to test consent loss); it sees
    the datagram as sent by the node (private addresses).
    """

    def __init__(
        self,
        *,
        delay: float = 0.010,
        jitter: float = 0.0,
        loss: float = 0.0,
        seed: int = 0,
        start: float = 0.0,
    ) -> None:
        self.delay = delay
        self.jitter = jitter
        self.loss = loss
        self.rng = random.Random(seed)
        self.now = start
        self.nodes: dict[str, _Node] = {}
        self.events: dict[str, list[object]] = {}
        self.drop: Callable[[Addressed], bool] | None = None
        self.on_event: Callable[[str, object], None] | None = None
        self.unroutable = 0
        self.delivered = 0
        self._queue: list[tuple[float, int, str, Datagram]] = []
        self._order = 0

    def add_node(
        self, name: str, core: AddressedCore, addresses: Sequence[Address], nat: Nat | None = None
    ) -> None:
        self.nodes[name] = _Node(name, core, set(addresses), nat)
        self.events[name] = []

    def own(self, name: str, address: Address) -> None:
        """Give a node one more address (a TURN server's relayed addresses)."""
        self.nodes[name].addresses.add(address)

    def _owner(self, address: Address, nat: Nat | None) -> _Node | None:
        for node in self.nodes.values():
            if node.nat is nat and address in node.addresses:
                return node
        return None

    def _route(self, sender: _Node, datagram: Addressed) -> None:
        if self.drop is not None and self.drop(datagram):
            return
        if self.loss and self.rng.random() < self.loss:
            return
        source, destination = datagram.source, datagram.destination
        nat = sender.nat
        target: _Node | None = None
        if nat is not None:
            target = self._owner(destination, nat)  # a neighbour on the same LAN
            if target is None:
                source = nat.outbound(source, destination)
        if target is None:
            target = self._owner(destination, None)
            if target is None:
                for node in self.nodes.values():
                    if node.nat is not None and node.nat.public_ip == destination[0]:
                        private = node.nat.inbound(destination[1], source)
                        if private is not None:
                            target = self._owner(private, node.nat)
                            destination = private
                        break
        if target is None:
            self.unroutable += 1
            return
        at = self.now + self.delay + (self.rng.random() * self.jitter if self.jitter else 0.0)
        self._order += 1
        heapq.heappush(
            self._queue,
            (at, self._order, target.name, Datagram(datagram.data, source, destination)),
        )

    def flush(self) -> None:
        progress = True
        while progress:
            progress = False
            for node in self.nodes.values():
                for datagram in node.core.datagrams_to_send(self.now):
                    progress = True
                    self._route(node, datagram)
                while (event := node.core.next_event()) is not None:
                    progress = True
                    self.events[node.name].append(event)
                    if self.on_event is not None:
                        self.on_event(node.name, event)

    def step(self, until: float | None = None) -> bool:
        self.flush()
        due = [self._queue[0][0]] if self._queue else []
        for node in self.nodes.values():
            timer = node.core.get_timer()
            if timer is not None:
                due.append(timer)
        if not due or (until is not None and min(due) > until):
            return False
        self.now = max(self.now, min(due))
        if self._queue and self._queue[0][0] <= self.now:
            _, _, name, datagram = heapq.heappop(self._queue)
            self.delivered += 1
            self.nodes[name].core.receive(
                datagram.data, datagram.source, datagram.destination, self.now
            )
        else:
            for node in self.nodes.values():
                timer = node.core.get_timer()
                if timer is not None and timer <= self.now:
                    node.core.handle_timer(self.now)
        self.flush()
        return True

    def run(self, until: float, *, stop: Callable[[], bool] | None = None) -> None:
        self.flush()
        for _ in range(1_000_000):
            if stop is not None and stop():
                return
            if not self.step(until):
                self.now = max(self.now, until)
                return
        raise RuntimeError(f"network did not settle (now={self.now})")

    def run_until(self, condition: Callable[[], bool], timeout: float) -> None:
        deadline = self.now + timeout
        self.run(deadline, stop=condition)
        if not condition():
            raise AssertionError(f"condition not met within {timeout} simulated seconds")


class _ServerCore:
    """Shared plumbing of the simulated servers: an outbox and no timers or events."""

    def __init__(self) -> None:
        self.outbox: list[Datagram] = []
        self.received = 0

    def handle_timer(self, now: float) -> None:
        return None

    def get_timer(self) -> float | None:
        return None

    def datagrams_to_send(self, now: float) -> list[Datagram]:
        out, self.outbox = self.outbox, []
        return out

    def next_event(self) -> object | None:
        return None


class StunServer(_ServerCore):
    """Answers Binding requests with the source it saw (RFC 8489 §7.3)."""

    def receive(self, data: bytes, source: Address, destination: Address, now: float) -> None:
        from purertc.stun import Message, MessageClass, Method, XorMappedAddress

        self.received += 1
        request = Message.parse(data)
        if request.method == Method.BINDING and request.message_class is MessageClass.REQUEST:
            response = Message(
                Method.BINDING,
                MessageClass.SUCCESS_RESPONSE,
                request.transaction_id,
                [XorMappedAddress(*source)],
            )
            self.outbox.append(Datagram(response.serialize(fingerprint=True), destination, source))


@dataclass
class _Allocation:
    relayed: Address
    username: str
    key: bytes
    expires: float
    permissions: dict[str, float] = field(default_factory=dict)  # peer IP -> expiry
    channels: dict[int, tuple[Address, float]] = field(default_factory=dict)  # -> peer, expiry

    def permitted(self, ip: str, now: float) -> bool:
        return self.permissions.get(ip, -1.0) > now

    def channel_peer(self, channel: int, now: float) -> Address | None:
        bound = self.channels.get(channel)
        return bound[0] if bound is not None and bound[1] > now else None


class TurnServer(_ServerCore):
    """A small RFC 8656 server over UDP: long-term credentials (MD5, or SHA-256 when
    ``sha256``), nonces that go stale on demand, permissions (300 s), channels (600 s) and
    allocations (LIFETIME) that expire unless refreshed, Send/Data indications.
    Register it with ``network.add_node(name, server, [address])``; relayed addresses are
    claimed through ``network.own`` as allocations are made.
    """

    def __init__(
        self,
        network: Network,
        name: str,
        address: Address,
        users: dict[str, str],
        *,
        realm: str = "purertc.test",
        sha256: bool = False,
        first_relay_port: int = 50000,
    ) -> None:
        super().__init__()
        self.network = network
        self.name = name
        self.address = address
        self.users = users
        self.realm = realm
        self.sha256 = sha256
        self.nonce = "nonce-1"
        self._next_port = first_relay_port
        self.allocations: dict[Address, _Allocation] = {}
        self._by_relay: dict[Address, Address] = {}
        self.requests: list[tuple[int, int]] = []  # (method, error code or 0) per request
        self.now = 0.0

    def _live(self, client: Address) -> _Allocation | None:
        """The client's allocation unless it expired (then it is gone, as on a real server)."""
        allocation = self.allocations.get(client)
        if allocation is not None and allocation.expires <= self.now:
            del self.allocations[client]
            del self._by_relay[allocation.relayed]
            return None
        return allocation

    def rotate_nonce(self) -> None:
        self.nonce = f"nonce-{int(self.nonce.split('-')[1]) + 1}"

    def receive(self, data: bytes, source: Address, destination: Address, now: float) -> None:
        self.received += 1
        self.now = now
        if destination != self.address:
            self._from_peer(data, source, destination)
            return
        if 0x40 <= data[0] <= 0x4F:
            allocation = self._live(source)
            channel, length = struct.unpack_from("!HH", data)
            peer = allocation.channel_peer(channel, now) if allocation is not None else None
            if allocation is not None and peer is not None:
                self.outbox.append(Datagram(data[4 : 4 + length], allocation.relayed, peer))
            return
        from purertc.stun import Data as DataAttr
        from purertc.stun import Message, MessageClass, Method, XorPeerAddress

        message = Message.parse(data)
        if message.message_class is MessageClass.INDICATION:
            allocation = self._live(source)
            peer = message.get(XorPeerAddress)
            payload = message.get(DataAttr)
            if (
                message.method == Method.SEND
                and allocation is not None
                and peer is not None
                and payload is not None
                and allocation.permitted(peer.address, now)
            ):
                self.outbox.append(
                    Datagram(payload.value, allocation.relayed, (peer.address, peer.port))
                )
            return
        if message.message_class is MessageClass.REQUEST:
            self._request(message, source)

    def _reply(
        self,
        request: object,
        source: Address,
        attributes: list[object],
        key: bytes | None,
        code: int = 0,
    ) -> None:
        from purertc.stun import ErrorCode, Message, MessageClass

        assert isinstance(request, Message)
        self.requests.append((int(request.method), code))
        klass = MessageClass.ERROR_RESPONSE if code else MessageClass.SUCCESS_RESPONSE
        attrs = ([ErrorCode(code, _REASONS.get(code, "Error"))] if code else []) + attributes
        response = Message(request.method, klass, request.transaction_id, attrs)  # type: ignore[arg-type]
        self.outbox.append(
            Datagram(
                response.serialize(key, integrity_sha256=self.sha256 and key is not None),
                self.address,
                source,
            )
        )

    def _request(self, message: object, source: Address) -> None:
        from purertc.stun import (
            ChannelNumber,
            Lifetime,
            Message,
            Method,
            Nonce,
            PasswordAlgorithms,
            Realm,
            XorMappedAddress,
            XorPeerAddress,
            XorRelayedAddress,
            long_term_key,
        )

        assert isinstance(message, Message)
        if message.method == Method.BINDING:  # TURN servers are STUN servers too
            self._reply(message, source, [XorMappedAddress(*source)], None)
            return
        challenge: list[object] = [Realm(self.realm), Nonce(self.nonce)]
        if self.sha256:
            challenge.append(PasswordAlgorithms(((2, b""), (1, b""))))
        username = message.username
        if username is None or not (message.has(0x0008) or message.has(0x001C)):
            self._reply(message, source, challenge, None, 401)
            return
        password = self.users.get(username)
        key = (
            long_term_key(username, self.realm, password, "SHA-256" if self.sha256 else "MD5")
            if password is not None
            else None
        )
        if key is None or not message.verify_integrity(key):
            self._reply(message, source, challenge, None, 401)
            return
        if message.nonce != self.nonce:
            self._reply(message, source, challenge, None, 438)
            return
        allocation = self._live(source)
        method = message.method
        if method == Method.ALLOCATE:
            if allocation is not None:
                self._reply(message, source, [], key, 437)
                return
            relayed = (self.address[0], self._next_port)
            self._next_port += 1
            self.allocations[source] = _Allocation(relayed, username, key, self.now + 600)
            self._by_relay[relayed] = source
            self.network.own(self.name, relayed)
            self._reply(
                message,
                source,
                [XorRelayedAddress(*relayed), XorMappedAddress(*source), Lifetime(600)],
                key,
            )
            return
        if allocation is None:
            self._reply(message, source, [], key, 437)
            return
        if method == Method.REFRESH:
            lifetime = message.get(Lifetime)
            if lifetime is not None and lifetime.value == 0:
                del self.allocations[source]
                del self._by_relay[allocation.relayed]
            else:
                allocation.expires = self.now + (lifetime.value if lifetime else 600)
            self._reply(message, source, [Lifetime(lifetime.value if lifetime else 600)], key)
        elif method == Method.CREATE_PERMISSION:
            peer = message.get(XorPeerAddress)
            if peer is None:
                self._reply(message, source, [], key, 400)
                return
            allocation.permissions[peer.address] = self.now + 300
            self._reply(message, source, [], key)
        elif method == Method.CHANNEL_BIND:
            peer = message.get(XorPeerAddress)
            number = message.get(ChannelNumber)
            if peer is None or number is None:
                self._reply(message, source, [], key, 400)
                return
            allocation.channels[number.number] = ((peer.address, peer.port), self.now + 600)
            allocation.permissions[peer.address] = self.now + 300
            self._reply(message, source, [], key)
        else:
            self._reply(message, source, [], key, 400)

    def _from_peer(self, data: bytes, source: Address, relayed: Address) -> None:
        from purertc.stun import Data as DataAttr
        from purertc.stun import Message, MessageClass, Method, XorPeerAddress

        client = self._by_relay.get(relayed)
        if client is None:
            return
        allocation = self.allocations[client]
        if not allocation.permitted(source[0], self.now) or allocation.expires <= self.now:
            return
        for channel, (peer, expiry) in allocation.channels.items():
            if peer == source and expiry > self.now:
                frame = struct.pack("!HH", channel, len(data)) + data
                self.outbox.append(Datagram(frame, self.address, client))
                return
        indication = Message(
            Method.DATA,
            MessageClass.INDICATION,
            self.network.rng.randbytes(12),
            [XorPeerAddress(*source), DataAttr(data)],
        )
        self.outbox.append(Datagram(indication.serialize(), self.address, client))


_REASONS = {400: "Bad Request", 401: "Unauthorized", 437: "Allocation Mismatch", 438: "Stale Nonce"}
