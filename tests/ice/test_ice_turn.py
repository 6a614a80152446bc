"""The TURN client against the simulated server, exchange by exchange."""

from __future__ import annotations

import random

import pytest

from purertc.ice import TurnClient
from purertc.ice.events import TurnAllocated, TurnData, TurnEvent, TurnFailed
from purertc.stun import ErrorCode, Message, MessageClass, Method, Nonce, Realm
from tests.netsim import Network, TurnServer

SERVER = ("198.51.100.2", 3478)
CLIENT = ("203.0.113.5", 40000)
PEER = ("192.0.2.7", 7000)


class Harness:
    def __init__(self, *, password: str = "secret", sha256: bool = False) -> None:
        self.net = Network()
        self.server = TurnServer(self.net, "turn", SERVER, {"alice": "secret"}, sha256=sha256)
        self.net.add_node("turn", self.server, [SERVER])
        self.client = TurnClient(SERVER, "alice", password, rng=random.Random(3))
        self.now = 0.0
        self.to_peer: list[tuple[bytes, tuple[str, int]]] = []
        self.lost_to_server = 0

    def pump(self, *, drop_to_server: bool = False) -> list[TurnEvent]:
        for _ in range(10):
            out = self.client.datagrams_to_send(self.now)
            for data in out:
                if drop_to_server:
                    self.lost_to_server += 1
                    continue
                self.server.receive(data, CLIENT, SERVER, self.now)
            back = self.server.datagrams_to_send(self.now)
            for datagram in back:
                if datagram.destination == CLIENT:
                    self.client.receive(datagram.data, self.now)
                else:
                    self.to_peer.append((datagram.data, datagram.destination))
            if not out and not back:
                break
        events = []
        while (event := self.client.next_event()) is not None:
            events.append(event)
        return events

    def advance(self, seconds: float) -> list[TurnEvent]:
        end = self.now + seconds
        events = self.pump()
        while (timer := self.client.get_timer()) is not None and timer <= end:
            self.now = max(self.now, timer)
            self.client.handle_timer(self.now)
            events += self.pump()
        self.now = end
        return events

    def allocate(self) -> TurnAllocated:
        self.client.allocate()
        events = self.pump()
        assert len(events) == 1 and isinstance(events[0], TurnAllocated), events
        return events[0]


@pytest.mark.parametrize("sha256", [False, True])
def test_allocate_after_401_challenge(sha256: bool) -> None:
    h = Harness(sha256=sha256)
    allocated = h.allocate()
    assert allocated.relayed == (SERVER[0], 50000)
    assert allocated.mapped == CLIENT
    assert h.server.requests[:2] == [(Method.ALLOCATE, 401), (Method.ALLOCATE, 0)]
    assert h.client.relayed_address == allocated.relayed


def test_wrong_password_surfaces_as_401_wrong_credentials() -> None:
    h = Harness(password="not it")
    h.client.allocate()
    events = h.pump()
    assert len(events) == 1 and isinstance(events[0], TurnFailed)
    assert events[0].code == 401 and "wrong credentials" in events[0].reason
    assert events[0].during_allocation
    assert h.client.state == "failed"


def test_stale_nonce_is_retried_with_the_new_one() -> None:
    h = Harness()
    h.allocate()
    h.server.rotate_nonce()
    h.client.create_permission(PEER[0])
    assert h.pump() == []
    assert h.server.requests[-2:] == [
        (Method.CREATE_PERMISSION, 438),
        (Method.CREATE_PERMISSION, 0),
    ]


def test_refresh_ahead_of_expiry_and_permission_refresh() -> None:
    h = Harness()
    h.allocate()
    h.client.create_permission(PEER[0])
    h.pump()
    h.advance(600.0)
    methods = [m for m, code in h.server.requests if code == 0]
    assert methods.count(Method.REFRESH) == 1  # at 540 s (lifetime 600 - 60)
    assert methods.count(Method.CREATE_PERMISSION) == 3  # at 0, 240 and 480 s


def test_send_indication_then_channel_data_both_ways() -> None:
    h = Harness()
    allocated = h.allocate()
    h.client.send_to(PEER, b"first")
    h.pump()
    # the permission and channel requests went first, so the first Send already got through
    assert (b"first", PEER) in h.to_peer
    h.client.send_to(PEER, b"second")
    out = h.client.datagrams_to_send(h.now)
    assert len(out) == 1 and 0x40 <= out[0][0] <= 0x4F  # ChannelData now
    h.server.receive(out[0], CLIENT, SERVER, h.now)
    h.pump()
    assert h.to_peer[-1] == (b"second", PEER)
    # from the peer: the server wraps it in ChannelData for the bound peer
    h.server.receive(b"reply", PEER, allocated.relayed, h.now)
    for datagram in h.server.datagrams_to_send(h.now):
        h.client.receive(datagram.data, h.now)
    assert h.client.next_event() == TurnData(PEER, b"reply")


def test_data_indication_before_any_channel() -> None:
    h = Harness()
    allocated = h.allocate()
    h.client.create_permission(PEER[0])
    h.pump()
    h.server.receive(b"early", PEER, allocated.relayed, h.now)
    for datagram in h.server.datagrams_to_send(h.now):
        assert Message.parse(datagram.data).method == Method.DATA
        h.client.receive(datagram.data, h.now)
    assert h.client.next_event() == TurnData(PEER, b"early")


def test_close_deallocates() -> None:
    h = Harness()
    h.allocate()
    h.client.close()
    h.pump()
    assert h.client.state == "closed"
    assert h.server.allocations == {}


def test_unanswered_allocate_retransmits_then_fails() -> None:
    h = Harness()
    h.client.allocate()
    h.pump(drop_to_server=True)
    events: list[TurnEvent] = []
    while (timer := h.client.get_timer()) is not None:
        h.now = timer
        h.client.handle_timer(h.now)
        events += h.pump(drop_to_server=True)
    assert h.lost_to_server == 7
    assert isinstance(events[-1], TurnFailed) and events[-1].code == 0


def test_stream_transport_frames_the_byte_stream() -> None:
    client = TurnClient(SERVER, "alice", "secret", transport="tcp", rng=random.Random(1))
    client.allocate()
    (request,) = client.datagrams_to_send(0.0)
    tid = Message.parse(request).transaction_id
    challenge = Message(
        Method.ALLOCATE,
        MessageClass.ERROR_RESPONSE,
        tid,
        [ErrorCode(401, "Unauthorized"), Realm("r"), Nonce("n")],
    ).serialize()
    for i in range(len(challenge)):  # one byte at a time, as TCP may deliver it
        client.receive(challenge[i : i + 1], 0.0)
    (retry,) = client.datagrams_to_send(0.0)
    assert Message.parse(retry).username == "alice"
    assert client.get_timer() == 39.5  # reliable transport: sent once, Ti timeout
    client.receive(b"\xff\xff\xff\xff", 0.1)
    event = client.next_event()
    assert isinstance(event, TurnFailed) and event.during_allocation
    assert client.state == "failed"
