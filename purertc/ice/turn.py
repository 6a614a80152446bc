"""The sans-IO TURN client (RFC 8656): one allocation on one server.

Everything it sends goes to its server, so its verbs are the plain ones of DESIGN.md §1
(``datagrams_to_send`` returns bytes; the owner knows the server address and local socket).
Over TCP and TLS the same verbs carry a byte stream: :meth:`TurnClient.receive` takes whatever
the connection delivered and cuts it into STUN messages and padded ChannelData frames
(RFC 8656 §12.5); the driver owns the connection and, for ``tls``, the TLS session.

Flow: Allocate without credentials, 401 gives REALM and NONCE (and PASSWORD-ALGORITHMS when the
server supports SHA-256), Allocate again with the long-term key; 438 Stale Nonce retries with
the new nonce. The allocation is refreshed ahead of expiry, permissions every 4 minutes for the
peers in use, channels every 9 minutes. Data goes in Send indications until a channel is bound,
then in ChannelData. :meth:`close` deallocates (Refresh with LIFETIME 0).
"""

from __future__ import annotations

import random
from collections import deque
from typing import Literal

from purertc.stun import (
    ChannelData,
    ChannelNumber,
    Data,
    Lifetime,
    Message,
    MessageClass,
    Method,
    Nonce,
    PasswordAlgorithm,
    PasswordAlgorithms,
    Realm,
    RequestedTransport,
    Software,
    StreamFramer,
    StunError,
    Username,
    XorPeerAddress,
    XorRelayedAddress,
    long_term_key,
)
from purertc.stun.channeldata import CHANNEL_MAX, CHANNEL_MIN
from purertc.stun.constants import AttributeType, PasswordAlgorithmId

from .candidate import Address
from .events import TurnAllocated, TurnData, TurnEvent, TurnFailed
from .transaction import Transaction

TurnTransport = Literal["udp", "tcp", "tls"]

_UDP = 17
_MI = AttributeType.MESSAGE_INTEGRITY
_MI256 = AttributeType.MESSAGE_INTEGRITY_SHA256
_PERMISSION_REFRESH = 240.0  # permissions last 300 s (§9)
_CHANNEL_REFRESH = 540.0  # channel bindings last 600 s (§12)


class _Request(Transaction):
    __slots__ = ("method", "attributes", "peer", "channel", "stale_retried", "authenticated")

    def __init__(
        self,
        tid: bytes,
        request: bytes,
        method: Method,
        attributes: list[object],
        *,
        rto: float,
        max_rto: float,
        limit: int,
    ) -> None:
        super().__init__(tid, request, rto=rto, max_rto=max_rto, limit=limit)
        self.method = method
        self.attributes = attributes
        self.peer: Address | None = None
        self.channel = 0
        self.stale_retried = False
        self.authenticated = False


class TurnClient:
    """One TURN allocation (UDP relay) from one local socket to one server."""

    def __init__(
        self,
        server: Address,
        username: str,
        password: str,
        *,
        transport: str = "udp",
        lifetime: int = 600,
        rng: random.Random | None = None,
        software: str | None = None,
        rto: float = 0.5,
        transmissions: int = 7,
        stream_timeout: float = 39.5,
    ) -> None:
        if transport not in ("udp", "tcp", "tls"):
            raise StunError(f"TURN transport: {transport!r} is not udp, tcp or tls")
        self.server = server
        self.username = username
        self.password = password
        self.transport = transport
        self.lifetime = lifetime
        self.software = software
        self.socket: Address | None = None  # the local socket, for the owner's routing
        self.relayed_address: Address | None = None
        self.mapped_address: Address | None = None
        self.state = "idle"  # idle, allocating, allocated, failed, closing, closed
        self._rng = rng if rng is not None else random.Random()
        self._stream = transport != "udp"
        self._framer = StreamFramer() if self._stream else None
        if self._stream:
            self._rto, self._max_rto, self._limit = stream_timeout, stream_timeout, 1
        else:
            self._rto, self._max_rto, self._limit = rto, 8.0 * rto, transmissions
        self._realm: str | None = None
        self._nonce: str | None = None
        self._key: bytes | None = None
        self._sha256 = False
        self._algorithms: PasswordAlgorithms | None = None
        self._transactions: dict[bytes, _Request] = {}
        self._outbox: list[bytes] = []
        self._events: deque[TurnEvent] = deque()
        self._refresh_at: float | None = None
        self._permissions: dict[str, float] = {}  # peer IP -> when to refresh
        self._pending_permissions: set[str] = set()
        self._channels: dict[Address, int] = {}  # bound peer -> channel
        self._channel_refresh: dict[Address, float] = {}
        self._channel_peers: dict[int, Address] = {}
        self._binding: dict[Address, int] = {}  # ChannelBind in flight
        self._next_channel = CHANNEL_MIN
        self._now = 0.0
        self.stats_malformed = 0

    # --- commands ---------------------------------------------------------------------------

    def allocate(self) -> None:
        if self.state != "idle":
            return
        self.state = "allocating"
        self._request(Method.ALLOCATE, [RequestedTransport(_UDP), Lifetime(self.lifetime)])

    def create_permission(self, peer_ip: str) -> None:
        """Install (and keep refreshing) a permission for ``peer_ip`` (§9)."""
        if (
            self.state != "allocated"
            or peer_ip in self._permissions
            or peer_ip in self._pending_permissions
        ):
            return
        self._pending_permissions.add(peer_ip)
        tx = self._request(Method.CREATE_PERMISSION, [XorPeerAddress(peer_ip, 0)])
        tx.peer = (peer_ip, 0)

    def send_to(self, peer: Address, data: bytes) -> None:
        """Relay ``data`` to ``peer``: ChannelData once bound, a Send indication before."""
        if self.state != "allocated":
            return
        channel = self._channels.get(peer)
        if channel is not None:
            self._outbox.append(ChannelData(channel, data).serialize(stream=self._stream))
            return
        self.create_permission(peer[0])
        if (
            peer not in self._binding
            and len(self._channels) + len(self._binding) < CHANNEL_MAX - CHANNEL_MIN
        ):
            self._bind_channel(peer)
        indication = Message(
            Method.SEND,
            MessageClass.INDICATION,
            self._tid(),
            [XorPeerAddress(peer[0], peer[1]), Data(data)],
        )
        self._outbox.append(indication.serialize())

    def close(self) -> None:
        """Deallocate (Refresh with LIFETIME 0, §7.2); the client is closed once it is out."""
        if self.state == "allocated":
            self.state = "closing"
            self._transactions.clear()
            self._request(Method.REFRESH, [Lifetime(0)])
        elif self.state not in ("closing", "closed"):
            self.state = "closed"
            self._transactions.clear()

    # --- the five verbs -------------------------------------------------------------------

    def receive(self, data: bytes, now: float) -> None:
        self._now = now
        if self._framer is not None:
            try:
                frames = self._framer.feed(data)
            except StunError as exc:
                self.stats_malformed += 1
                if self.state not in ("failed", "closed"):
                    # Framing on a stream is lost for good: so is the allocation on it.
                    allocating = self.state == "allocating"
                    self.state = "failed"
                    self._transactions.clear()
                    self._events.append(TurnFailed(0, str(exc), allocating))
                return
        else:
            frames = [data]
        for frame in frames:
            self._receive_frame(frame, now)

    def handle_timer(self, now: float) -> None:
        self._now = now
        expired: list[_Request] = []
        for tx in self._transactions.values():
            due = tx.expire(now)
            if due:
                self._outbox.append(tx.request)
            elif due is False:
                expired.append(tx)
        for tx in expired:
            del self._transactions[tx.tid]
            self._fail(tx, 0, "TURN server did not answer")
        if self.state != "allocated":
            return
        if self._refresh_at is not None and now >= self._refresh_at:
            self._refresh_at = None
            self._request(Method.REFRESH, [Lifetime(self.lifetime)])
        for peer_ip, at in list(self._permissions.items()):
            if now >= at:
                del self._permissions[peer_ip]
                self.create_permission(peer_ip)
        for peer, at in list(self._channel_refresh.items()):
            if now >= at:
                del self._channel_refresh[peer]
                tx = self._request(
                    Method.CHANNEL_BIND,
                    [ChannelNumber(self._channels[peer]), XorPeerAddress(peer[0], peer[1])],
                )
                tx.peer, tx.channel = peer, self._channels[peer]

    def get_timer(self) -> float | None:
        deadlines = [tx.deadline for tx in self._transactions.values()]
        if self.state == "allocated":
            if self._refresh_at is not None:
                deadlines.append(self._refresh_at)
            deadlines.extend(self._permissions.values())
            deadlines.extend(self._channel_refresh.values())
        return min(deadlines) if deadlines else None

    def datagrams_to_send(self, now: float) -> list[bytes]:
        self._now = now
        # New requests go ahead of queued data: a Send indication right behind the
        # CreatePermission it needs then reaches the server after it.
        out = []
        for tx in self._transactions.values():
            if tx.sent == 0:
                tx.start(now)
                out.append(tx.request)
        out += self._outbox
        self._outbox = []
        return out

    def next_event(self) -> TurnEvent | None:
        return self._events.popleft() if self._events else None

    # --- internals ----------------------------------------------------------------------------

    def _tid(self) -> bytes:
        return self._rng.getrandbits(96).to_bytes(12, "big")

    def _bind_channel(self, peer: Address) -> None:
        channel = self._next_channel
        self._next_channel += 1
        self._binding[peer] = channel
        tx = self._request(
            Method.CHANNEL_BIND, [ChannelNumber(channel), XorPeerAddress(peer[0], peer[1])]
        )
        tx.peer, tx.channel = peer, channel

    def _request(
        self, method: Method, attributes: list[object], tx: _Request | None = None
    ) -> _Request:
        """Build (or rebuild, after a challenge) a request with the current credentials."""
        tid = self._tid()
        attrs: list[object] = list(attributes)
        if self.software:
            attrs.append(Software(self.software))
        key = self._key
        if key is not None and self._realm is not None and self._nonce is not None:
            attrs += [Username(self.username), Realm(self._realm), Nonce(self._nonce)]
            if self._sha256 and self._algorithms is not None:
                attrs += [PasswordAlgorithm(PasswordAlgorithmId.SHA256), self._algorithms]
        message = Message(method, MessageClass.REQUEST, tid, attrs)  # type: ignore[arg-type]
        request = message.serialize(
            key, integrity_sha256=self._sha256 and key is not None, fingerprint=False
        )
        new = _Request(
            tid,
            request,
            method,
            attributes,
            rto=self._rto,
            max_rto=self._max_rto,
            limit=self._limit,
        )
        new.authenticated = key is not None
        if tx is not None:
            new.peer, new.channel, new.stale_retried = tx.peer, tx.channel, tx.stale_retried
        self._transactions[tid] = new
        return new

    def _receive_frame(self, frame: bytes, now: float) -> None:
        if not frame:
            return
        first = frame[0]
        try:
            if 0x40 <= first <= 0x4F:
                channel_data = ChannelData.parse(frame, stream=self._stream)
                peer = self._channel_peers.get(channel_data.channel)
                if peer is not None:
                    self._events.append(TurnData(peer, channel_data.data))
                return
            message = Message.parse(frame)
            klass = message.message_class
            if klass is MessageClass.INDICATION:
                if message.method == Method.DATA:
                    peer_attr = message.get(XorPeerAddress)
                    data_attr = message.get(Data)
                    if peer_attr is not None and data_attr is not None:
                        self._events.append(
                            TurnData((peer_attr.address, peer_attr.port), data_attr.value)
                        )
                return
            if klass is MessageClass.REQUEST:
                self.stats_malformed += 1
                return
            tx = self._transactions.get(message.transaction_id)
            if tx is None:
                return
            key = self._key if tx.authenticated else None
            sealed = message.has(_MI) or message.has(_MI256)
            if key is not None and sealed and not message.verify_integrity(key):
                self.stats_malformed += 1  # forged or corrupted: wait for the real one
                return
            del self._transactions[tx.tid]
            if klass is MessageClass.SUCCESS_RESPONSE:
                self._on_success(tx, message, now)
            else:
                self._on_error(tx, message)
        except StunError:
            self.stats_malformed += 1

    def _on_success(self, tx: _Request, message: Message, now: float) -> None:
        if tx.method == Method.ALLOCATE:
            relayed = message.get(XorRelayedAddress)
            if relayed is None:
                self._fail(tx, 0, "Allocate success without XOR-RELAYED-ADDRESS")
                return
            lifetime_attr = message.get(Lifetime)
            lifetime = lifetime_attr.value if lifetime_attr is not None else self.lifetime
            self.relayed_address = (relayed.address, relayed.port)
            self.mapped_address = message.xor_mapped_address
            self.state = "allocated"
            self._schedule_refresh(lifetime, now)
            self._events.append(TurnAllocated(self.relayed_address, self.mapped_address, lifetime))
        elif tx.method == Method.REFRESH:
            if self.state == "closing":
                self.state = "closed"
                return
            lifetime_attr = message.get(Lifetime)
            self._schedule_refresh(lifetime_attr.value if lifetime_attr else self.lifetime, now)
        elif tx.method == Method.CREATE_PERMISSION and tx.peer is not None:
            self._pending_permissions.discard(tx.peer[0])
            self._permissions[tx.peer[0]] = now + _PERMISSION_REFRESH
        elif tx.method == Method.CHANNEL_BIND and tx.peer is not None:
            self._binding.pop(tx.peer, None)
            self._channels[tx.peer] = tx.channel
            self._channel_peers[tx.channel] = tx.peer
            self._channel_refresh[tx.peer] = now + _CHANNEL_REFRESH
            # A channel binding also installs (and refreshes) the permission (§12.2).
            self._permissions.setdefault(tx.peer[0], now + _PERMISSION_REFRESH)

    def _schedule_refresh(self, lifetime: int, now: float) -> None:
        ahead = 60.0 if lifetime > 120 else lifetime / 2
        self._refresh_at = now + max(1.0, lifetime - ahead)

    def _on_error(self, tx: _Request, message: Message) -> None:
        error = message.error_code
        code = error.code if error is not None else 0
        reason = error.reason if error is not None else "error response without ERROR-CODE"
        if code == 401 and not tx.authenticated:
            realm, nonce = message.realm, message.nonce
            if realm is None or nonce is None:
                self._fail(tx, code, "401 without REALM and NONCE")
                return
            algorithms = message.get(PasswordAlgorithms)
            self._sha256 = algorithms is not None and any(
                a == PasswordAlgorithmId.SHA256 for a, _ in algorithms.algorithms
            )
            self._algorithms = algorithms
            self._realm, self._nonce = realm, nonce
            try:
                self._key = long_term_key(
                    self.username, realm, self.password, "SHA-256" if self._sha256 else "MD5"
                )
            except StunError as exc:
                self._fail(tx, code, str(exc))
                return
            self._request(tx.method, tx.attributes, tx)
            return
        if code == 438 and not tx.stale_retried and message.nonce is not None:
            self._nonce = message.nonce
            realm = message.realm
            if realm is not None and realm != self._realm and self._key is not None:
                self._realm = realm
                self._key = long_term_key(
                    self.username, realm, self.password, "SHA-256" if self._sha256 else "MD5"
                )
            retry = self._request(tx.method, tx.attributes, tx)
            retry.stale_retried = True
            return
        if code == 401:
            reason = f"wrong credentials ({reason or 'Unauthorized'})"
        self._fail(tx, code, reason)

    def _fail(self, tx: _Request, code: int, reason: str) -> None:
        during_allocation = tx.method == Method.ALLOCATE
        if during_allocation:
            self.state = "failed"
        elif tx.method == Method.REFRESH and self.state == "closing":
            self.state = "closed"
            return
        elif tx.method == Method.REFRESH:
            self.state = "failed"  # the allocation will expire
        elif tx.method == Method.CREATE_PERMISSION and tx.peer is not None:
            self._pending_permissions.discard(tx.peer[0])
        elif tx.method == Method.CHANNEL_BIND and tx.peer is not None:
            self._binding.pop(tx.peer, None)
        self._events.append(TurnFailed(code, reason, during_allocation))
