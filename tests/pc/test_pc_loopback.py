"""purertc <-> purertc over real loopback UDP: offer/answer both ways, the echo set, closing
channels and connections, and nothing left behind."""

from __future__ import annotations

import asyncio
import gc

import pytest

from purertc import (
    InvalidStateError,
    RTCIceCandidate,
    RTCPeerConnection,
)
from purertc.datachannel import MessageTooLargeError
from tests.pc.pc_helpers import (
    check_message_set,
    connect,
    echo_exchange,
    echo_incoming,
    loopback_configuration,
    message_set,
    wait_connected,
    wait_open,
)

pytestmark = pytest.mark.timeout(30)


def pair() -> tuple[RTCPeerConnection, RTCPeerConnection]:
    return RTCPeerConnection(loopback_configuration()), RTCPeerConnection(loopback_configuration())


@pytest.mark.parametrize("direction", ["a-offers", "b-offers"])
async def test_echo_set_both_offer_directions(direction: str) -> None:
    a, b = pair()
    messages = message_set()
    check_message_set(messages)
    echo_incoming(b)
    channel = a.create_data_channel("echo")
    if direction == "a-offers":
        await connect(a, b)
    else:
        # b offers (it needs a channel of its own for its offer to carry a data section);
        # a's channel, created before any description, gets its id when a answers.
        b.create_data_channel("b-side")
        await connect(b, a)
    await wait_open(channel)
    assert channel.id is not None
    await echo_exchange(channel, messages)
    assert a.connection_state == b.connection_state == "connected"
    await a.close()
    await b.close()


async def test_open_reports_states_and_ids() -> None:
    a, b = pair()
    seen: list[str] = []
    a.on("signalingstatechange", lambda: seen.append(a.signaling_state))
    a.on("connectionstatechange", lambda: seen.append("pc:" + a.connection_state))
    incoming: list[object] = []
    b.on("datachannel", incoming.append)
    channel = a.create_data_channel("chat", protocol="json")
    assert channel.id is None and channel.ready_state == "connecting"
    await connect(a, b)
    await wait_open(channel)
    await wait_connected(b)
    assert [s for s in seen if not s.startswith("pc:")] == ["have-local-offer", "stable"]
    assert [s for s in seen if s.startswith("pc:")] == ["pc:connecting", "pc:connected"]
    # a offered actpass, b answered active: b is the DTLS client and a the server (odd ids)
    assert channel.id == 1
    remote = incoming[0]
    assert remote.label == "chat" and remote.protocol == "json" and remote.id == 1  # type: ignore[attr-defined]
    await a.close()
    await b.close()


async def test_trickled_candidates_and_queueing() -> None:
    """Candidates given with add_ice_candidate (before the remote description: queued)."""
    a, b = pair()
    echo_incoming(b)
    trickled: dict[str, list[RTCIceCandidate | None]] = {"a": [], "b": []}
    a.on("icecandidate", trickled["a"].append)
    b.on("icecandidate", trickled["b"].append)
    channel = a.create_data_channel("t")
    offer = await a.create_offer()  # no candidates yet: gathering starts at set_local
    await a.set_local_description(offer)
    assert trickled["a"][-1] is None and len(trickled["a"]) == 2
    for candidate in trickled["a"]:
        await b.add_ice_candidate(candidate)  # queued: no remote description yet
    await b.set_remote_description(offer)
    await b.set_local_description()
    answer = b.local_description
    assert answer is not None
    stripped = "".join(
        line + "\r\n"
        for line in answer.sdp.splitlines()
        if not line.startswith(("a=candidate", "a=end-of-candidates"))
    )
    await a.set_remote_description(type(answer)(stripped, "answer"))
    for candidate in trickled["b"]:
        await a.add_ice_candidate(candidate)
    await wait_open(channel)
    await echo_exchange(channel, ["trickled", b"\x00\x01"])
    await a.close()
    await b.close()


async def test_channels_close_both_ways_and_negotiated_channel() -> None:
    a, b = pair()
    echo_incoming(b)
    first = a.create_data_channel("first")
    negotiated_a = a.create_data_channel("n", negotiated=True, id=10)
    negotiated_b = b.create_data_channel("n", negotiated=True, id=10)
    await connect(a, b)
    await wait_open(first)
    await wait_open(negotiated_a)
    await wait_open(negotiated_b)
    received: list[object] = []
    negotiated_b.on("message", received.append)
    negotiated_a.send("over the negotiated channel")
    closed = asyncio.get_running_loop().create_future()
    first.on("close", lambda: closed.set_result(first.ready_state))
    first.close()
    assert first.ready_state == "closing"
    assert await asyncio.wait_for(closed, 5) == "closed"
    with pytest.raises(InvalidStateError):
        first.send("late")
    assert received == ["over the negotiated channel"]
    await a.close()
    await b.close()


async def test_message_larger_than_peer_limit_is_refused() -> None:
    a, b = pair()
    channel = a.create_data_channel("big")
    await connect(a, b)
    await wait_open(channel)
    with pytest.raises(MessageTooLargeError, match="max-message-size 262144"):
        channel.send(b"x" * 262145)
    channel.send(b"x" * 262144)  # exactly the limit goes
    await a.close()
    await b.close()


async def test_close_releases_every_socket_task_and_timer() -> None:
    a, b = pair()
    echo_incoming(b)
    channel = a.create_data_channel("leak")

    async def slow_handler(message: object) -> None:
        await asyncio.sleep(60)  # still running at close: must be cancelled

    channel.on("message", slow_handler)
    await connect(a, b)
    await wait_open(channel)
    await echo_exchange(channel, ["ping"])
    sockets = [udp.sock for pc in (a, b) for udp in pc._driver.sockets.values()]  # type: ignore[union-attr]
    assert sockets
    await a.close()
    await b.close()
    await asyncio.sleep(0)
    assert all(sock.fileno() == -1 for sock in sockets)
    for pc in (a, b):
        assert pc.connection_state == "closed" and pc.signaling_state == "closed"
        assert pc._driver is not None and pc._driver._timer is None
        assert not pc._driver.sockets
    assert channel.ready_state == "closed"
    current = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not current] == []
    with pytest.raises(InvalidStateError):
        await a.create_offer()
    await a.close()  # twice is fine
    gc.collect()


async def test_peer_closing_closes_our_channels() -> None:
    """The peer's close() aborts the association: our channel fires close, state follows."""
    a, b = pair()
    channel = a.create_data_channel("bye")
    await connect(a, b)
    await wait_open(channel)
    closed = asyncio.get_running_loop().create_future()
    channel.on("close", lambda: closed.set_result(None))
    states: list[str] = []
    a.on("connectionstatechange", lambda: states.append(a.connection_state))
    await b.close()
    await asyncio.wait_for(closed, 5)
    assert channel.ready_state == "closed"
    assert states and states[-1] == "closed"  # DTLS close_notify arrived
    await a.close()
