"""purertc's RTCPeerConnection against aiortc 1.16's, data channels over real loopback UDP.

Both peers run in the test's event loop. aiortc does not trickle: it gathers everything inside
``setLocalDescription`` and expects the peer's candidates in the description, so each side hands
over its description only after gathering completed (purertc completes host gathering inside
``set_local_description`` when no STUN/TURN server is configured, and writes the candidates and
``a=end-of-candidates`` into its local description).

Loopback: aioice's ``get_host_addresses`` leaves out 127.0.0.1 and offers no option to keep it,
so the test patches that function to return ``["127.0.0.1"]``: both peers then have exactly one
host candidate each, on loopback (tests bind 127.0.0.1 only).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import aioice.ice
import aiortc
import pytest

from purertc import RTCPeerConnection, RTCSessionDescription
from purertc.datachannel import MessageTooLargeError
from tests.pc.pc_helpers import (
    check_message_set,
    echo_exchange,
    loopback_configuration,
    message_set,
    wait_open,
)

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(autouse=True)
def aioice_on_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])
    yield


def to_aiortc(description: RTCSessionDescription | None) -> aiortc.RTCSessionDescription:
    assert description is not None
    return aiortc.RTCSessionDescription(sdp=description.sdp, type=description.type)


def from_aiortc(description: Any) -> RTCSessionDescription:
    return RTCSessionDescription(description.sdp, description.type)


def aiortc_echo(pc: aiortc.RTCPeerConnection) -> None:
    @pc.on("datachannel")
    def on_datachannel(channel: Any) -> None:
        @channel.on("message")
        def on_message(message: Any) -> None:
            channel.send(message)


async def test_purertc_offers_aiortc_answers_echo_set() -> None:
    ours = RTCPeerConnection(loopback_configuration())
    theirs = aiortc.RTCPeerConnection()
    aiortc_echo(theirs)
    messages = message_set()
    check_message_set(messages)
    channel = ours.create_data_channel("echo")
    await ours.set_local_description()
    assert ours.ice_gathering_state == "complete"
    await theirs.setRemoteDescription(to_aiortc(ours.local_description))
    await theirs.setLocalDescription(await theirs.createAnswer())
    await ours.set_remote_description(from_aiortc(theirs.localDescription))
    await wait_open(channel, timeout=10)
    await echo_exchange(channel, messages)
    assert ours.connection_state == "connected"
    # aiortc 1.16 announces a=max-message-size:262144: one byte more is refused here
    with pytest.raises(MessageTooLargeError, match="262144"):
        channel.send(b"x" * 262145)
    await ours.close()
    await theirs.close()


async def test_aiortc_offers_purertc_answers_echo_set() -> None:
    ours = RTCPeerConnection(loopback_configuration())
    theirs = aiortc.RTCPeerConnection()
    messages = message_set(seed=11)
    channel = theirs.createDataChannel("echo")
    opened = asyncio.get_running_loop().create_future()
    channel.on("open", lambda: opened.done() or opened.set_result(None))
    echoes: list[Any] = []
    done = asyncio.get_running_loop().create_future()

    @channel.on("message")
    def on_message(message: Any) -> None:
        echoes.append(message)
        if len(echoes) == len(messages) and not done.done():
            done.set_result(None)

    incoming: list[Any] = []

    @ours.on("datachannel")
    def on_datachannel(ours_channel: Any) -> None:
        incoming.append(ours_channel)
        ours_channel.on("message", ours_channel.send)

    await theirs.setLocalDescription(await theirs.createOffer())
    await ours.set_remote_description(from_aiortc(theirs.localDescription))
    await ours.set_local_description()
    await theirs.setRemoteDescription(to_aiortc(ours.local_description))
    await asyncio.wait_for(opened, 10)
    for message in messages:
        channel.send(message)
    await asyncio.wait_for(done, 10)
    for index, (sent, echoed) in enumerate(zip(messages, echoes, strict=True)):
        assert type(echoed) is type(sent) and echoed == sent, f"message {index}"
    assert incoming[0].label == "echo" and ours.connection_state == "connected"
    await ours.close()
    await theirs.close()


async def test_purertc_channel_opened_towards_aiortc_offerer() -> None:
    """A channel created by the answering purertc side (its id chosen as DTLS client)."""
    ours = RTCPeerConnection(loopback_configuration())
    theirs = aiortc.RTCPeerConnection()
    aiortc_echo(theirs)
    theirs.createDataChannel("offerer-side")
    await theirs.setLocalDescription(await theirs.createOffer())
    await ours.set_remote_description(from_aiortc(theirs.localDescription))
    channel = ours.create_data_channel("answerer-side")
    await ours.set_local_description()
    await theirs.setRemoteDescription(to_aiortc(ours.local_description))
    await wait_open(channel, timeout=10)
    assert channel.id is not None and channel.id % 2 == 0  # we answered active: DTLS client
    await echo_exchange(channel, message_set(seed=12)[:22])
    await ours.close()
    await theirs.close()
