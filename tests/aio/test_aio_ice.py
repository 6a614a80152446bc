"""The asyncio driver over real loopback sockets: purertc <-> purertc and <-> aioice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import aioice
import pytest

from purertc.aio import IceDriver, StaticResolver, host_addresses
from purertc.ice import Agent, Candidate
from purertc.ice.events import CandidateGathered, DataReceived, GatheringComplete

pytestmark = pytest.mark.timeout(20)


class Peer:
    def __init__(self, controlling: bool, **kwargs: Any) -> None:
        self.agent = Agent(controlling=controlling, **kwargs)
        self.candidates: list[Candidate] = []
        self.complete = False
        self.data: list[bytes] = []
        self.driver = IceDriver(self.agent, on_event=self.on_event, **self._driver_kwargs())

    def _driver_kwargs(self) -> dict[str, Any]:
        return {}

    def on_event(self, event: object) -> None:
        if isinstance(event, CandidateGathered):
            self.candidates.append(event.candidate)
        elif isinstance(event, GatheringComplete):
            self.complete = True
        elif isinstance(event, DataReceived):
            self.data.append(event.data)

    def connected(self) -> bool:
        return self.agent.state in ("connected", "completed")


async def test_two_purertc_agents_over_loopback() -> None:
    a, b = Peer(True), Peer(False)
    for peer in (a, b):
        peer.driver.open_sockets(["127.0.0.1"])
        peer.driver.gather()
    a.agent.set_remote_credentials(b.agent.local_ufrag, b.agent.local_password)
    b.agent.set_remote_credentials(a.agent.local_ufrag, a.agent.local_password)
    for src, dst in ((a, b), (b, a)):
        for candidate in src.candidates:
            await dst.driver.add_remote_candidate(Candidate.from_sdp(candidate.to_sdp()))
        await dst.driver.add_remote_candidate(None)
    await a.driver.wait_for(a.connected, timeout=5)
    await b.driver.wait_for(b.connected, timeout=5)
    assert a.driver.send(b"\x80ping")
    await b.driver.wait_for(lambda: bool(b.data), timeout=5)
    assert b.data == [b"\x80ping"]
    await a.driver.close()
    await b.driver.close()
    assert a.agent.state == "closed"


async def test_mdns_candidate_resolved_through_the_pluggable_resolver() -> None:
    a, b = Peer(True), Peer(False)
    b.driver.resolver = StaticResolver({"0f1e2d3c-aaaa-bbbb-cccc-000000000000.local": "127.0.0.1"})
    for peer in (a, b):
        peer.driver.open_sockets(["127.0.0.1"])
        peer.driver.gather()
    a.agent.set_remote_credentials(b.agent.local_ufrag, b.agent.local_password)
    b.agent.set_remote_credentials(a.agent.local_ufrag, a.agent.local_password)
    (host,) = a.candidates
    hidden = Candidate.from_sdp(
        host.to_sdp().replace("127.0.0.1", "0f1e2d3c-aaaa-bbbb-cccc-000000000000.local")
    )
    assert hidden.is_mdns
    assert await b.driver.add_remote_candidate(hidden)
    assert not await b.driver.add_remote_candidate(
        Candidate.from_sdp("1 1 udp 1 unknown-name.local 9 typ host")
    )
    assert b.agent.remote_candidates[0].address == "127.0.0.1"
    await a.driver.wait_for(a.connected, timeout=5)
    await b.driver.wait_for(b.connected, timeout=5)
    await a.driver.close()
    await b.driver.close()


def test_loopback_only_when_asked_for() -> None:
    assert not any(a in ("127.0.0.1", "::1") for a in host_addresses())
    assert "127.0.0.1" in host_addresses(include_loopback=True)


async def test_port_range_is_honoured() -> None:
    agent = Agent(controlling=True)
    driver = IceDriver(agent)
    (candidate,) = driver.open_sockets(["127.0.0.1"], port_range=(47100, 47199))
    assert 47100 <= candidate.port <= 47199
    await driver.close()


@pytest.fixture
def aioice_on_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """aioice has no loopback switch: make it gather on 127.0.0.1 only."""
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])
    yield


@pytest.mark.interop
@pytest.mark.parametrize("purertc_controlling", [True, False])
async def test_interop_with_aioice(aioice_on_loopback: None, purertc_controlling: bool) -> None:
    ours = Peer(purertc_controlling)
    theirs = aioice.Connection(ice_controlling=not purertc_controlling, use_ipv6=False)
    ours.driver.open_sockets(["127.0.0.1"])
    ours.driver.gather()
    await theirs.gather_candidates()
    ours.agent.set_remote_credentials(theirs.local_username, theirs.local_password)
    theirs.remote_username = ours.agent.local_ufrag
    theirs.remote_password = ours.agent.local_password
    for candidate in theirs.local_candidates:
        await ours.driver.add_remote_candidate(Candidate.from_sdp(candidate.to_sdp()))
    await ours.driver.add_remote_candidate(None)
    for candidate in ours.candidates:
        await theirs.add_remote_candidate(aioice.Candidate.from_sdp(candidate.to_sdp()))
    await theirs.add_remote_candidate(None)
    await asyncio.wait_for(theirs.connect(), 10)
    await ours.driver.wait_for(ours.connected, timeout=10)
    await theirs.send(b"\x80from aioice")
    await ours.driver.wait_for(lambda: bool(ours.data), timeout=5)
    assert ours.data == [b"\x80from aioice"]
    assert ours.driver.send(b"\x80from purertc")
    assert await asyncio.wait_for(theirs.recv(), 5) == b"\x80from purertc"
    await theirs.close()
    await ours.driver.close()


class _Upper:
    """A plain-verb core (as DTLS or SCTP would be): answers each datagram upper-cased."""

    def __init__(self) -> None:
        self.out: list[bytes] = []

    def receive(self, data: bytes, now: float) -> None:
        self.out.append(data.upper())

    def handle_timer(self, now: float) -> None:
        return None

    def get_timer(self) -> float | None:
        return None

    def datagrams_to_send(self, now: float) -> list[bytes]:
        out, self.out = self.out, []
        return out

    def next_event(self) -> None:
        return None


async def test_a_plain_core_rides_on_the_ice_driver() -> None:
    """One driver shape: a DatagramPump whose datagrams go out through ICE's selected pair."""
    from purertc.aio import DatagramPump

    a, b = Peer(True), Peer(False)
    pump = DatagramPump(_Upper(), b.driver.send)
    b_on_event = b.on_event

    def on_event(event: object) -> None:
        b_on_event(event)
        if isinstance(event, DataReceived):
            pump.receive(event.data)

    b.driver.on_event = on_event
    for peer in (a, b):
        peer.driver.open_sockets(["127.0.0.1"])
        peer.driver.gather()
    a.agent.set_remote_credentials(b.agent.local_ufrag, b.agent.local_password)
    b.agent.set_remote_credentials(a.agent.local_ufrag, a.agent.local_password)
    for src, dst in ((a, b), (b, a)):
        for candidate in src.candidates:
            await dst.driver.add_remote_candidate(candidate)
    await a.driver.wait_for(a.connected, timeout=5)
    await b.driver.wait_for(b.connected, timeout=5)
    assert a.driver.send(b"\x80hello")
    await a.driver.wait_for(lambda: bool(a.data), timeout=5)
    assert a.data == [b"\x80HELLO"]
    pump.stop()
    await a.driver.close()
    await b.driver.close()


class _StunResponder(asyncio.DatagramProtocol):
    """A real UDP STUN server on 127.0.0.1 answering Binding requests."""

    def __init__(self) -> None:
        self.requests = 0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        from purertc.stun import Message, MessageClass, Method, XorMappedAddress

        request = Message.parse(data)
        self.requests += 1
        response = Message(
            Method.BINDING,
            MessageClass.SUCCESS_RESPONSE,
            request.transaction_id,
            [XorMappedAddress(addr[0], addr[1])],
        )
        assert self.transport is not None
        self.transport.sendto(response.serialize(fingerprint=True), addr)


async def test_stun_server_by_url_with_a_host_name() -> None:
    from purertc.ice import IceError
    from purertc.ice.events import ServerError

    loop = asyncio.get_running_loop()
    transport, responder = await loop.create_datagram_endpoint(
        _StunResponder, local_addr=("127.0.0.1", 0)
    )
    port = transport.get_extra_info("sockname")[1]
    peer = Peer(True)
    errors: list[object] = []
    base = peer.on_event
    peer.driver.on_event = lambda e: (
        base(e),
        errors.append(e) if isinstance(e, ServerError) else None,
    )
    peer.driver.open_sockets(["127.0.0.1"])
    assert await peer.driver.add_ice_server(f"stun:localhost:{port}") == [("127.0.0.1", port)]
    with pytest.raises(IceError, match="username"):
        await peer.driver.add_ice_server("turn:localhost", None, None)
    with pytest.raises(IceError, match="TLS"):
        await peer.driver.add_ice_server("stuns:localhost")
    peer.driver.gather()
    await peer.driver.wait_for(lambda: peer.agent.gathering_state == "complete", timeout=5)
    assert responder.requests == 1 and errors == []
    # on loopback the mapped address is the host address: no redundant srflx (RFC 8445 §5.1.3)
    assert [c.type for c in peer.candidates] == ["host"]
    transport.close()
    await peer.driver.close()


class _FakeMdnsResponder(asyncio.DatagramProtocol):
    """Answers every query with fixed records (a stand-in for the link's responders)."""

    def __init__(self, answers: list[tuple[str, str, int]]) -> None:
        self.answers = answers
        self.queries = 0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        from purertc.ice.mdns import build_response

        self.queries += 1
        assert self.transport is not None
        self.transport.sendto(b"\xff garbage first", addr)  # a broken answer is ignored
        self.transport.sendto(build_response(self.answers), addr)


async def test_mdns_resolver_queries_caches_and_times_out() -> None:
    from purertc.aio import MdnsResolver

    name = "0f1e2d3c-aaaa-bbbb-cccc-000000000001.local"
    loop = asyncio.get_running_loop()
    transport, responder = await loop.create_datagram_endpoint(
        lambda: _FakeMdnsResponder([("other.local", "10.9.9.9", 60), (name, "127.0.0.1", 60)]),
        local_addr=("127.0.0.1", 0),
    )
    group = transport.get_extra_info("sockname")
    resolver = MdnsResolver(group=group, bind="127.0.0.1", timeout=0.2)
    assert await resolver.resolve(name.upper()) == "127.0.0.1"
    assert await resolver.resolve(name) == "127.0.0.1"  # from the cache
    assert responder.queries == 1
    assert await resolver.resolve("missing.local") is None  # answered, but not for this name
    transport.close()
