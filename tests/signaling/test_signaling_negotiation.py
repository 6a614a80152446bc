"""Two RTCPeerConnections meet through the signaling server with perfect negotiation."""

from __future__ import annotations

import asyncio

import pytest

from purertc.pc import PurertcSettings, RTCConfiguration, RTCDataChannel, RTCPeerConnection
from purertc.signaling import SignalingClient, SignalingServer
from purertc.signaling.negotiation import PeerLink, is_polite

pytestmark = pytest.mark.timeout(30)


async def _pump(client: SignalingClient, link: PeerLink) -> None:
    async for frame in client:
        if frame.get("from") == link.peer:
            await link.handle(frame)


@pytest.mark.parametrize("both_offer", [False, True], ids=["one-offers", "glare"])
async def test_two_peers_connect_through_the_server(both_offer: bool) -> None:
    configuration = RTCConfiguration(purertc=PurertcSettings(addresses=["127.0.0.1"]))
    async with SignalingServer() as server:
        await server.start()
        url = f"ws://127.0.0.1:{server.port}"
        async with SignalingClient(url) as one, SignalingClient(url) as two:
            await one.join("room")
            (peer_of_two,) = await two.join("room")
            assert (await one.recv())["type"] == "peer-joined"
            assert one.id is not None and two.id is not None
            pc_one = RTCPeerConnection(configuration)
            pc_two = RTCPeerConnection(configuration)
            link_one = PeerLink(one, pc_one, two.id, polite=is_polite(one.id, two.id))
            link_two = PeerLink(two, pc_two, peer_of_two, polite=is_polite(two.id, one.id))
            assert link_one.polite != link_two.polite
            pumps = [
                asyncio.create_task(_pump(one, link_one)),
                asyncio.create_task(_pump(two, link_two)),
            ]
            received: asyncio.Future[str | bytes] = asyncio.get_running_loop().create_future()

            def on_channel(channel: RTCDataChannel) -> None:
                channel.on("message", lambda m: received.done() or received.set_result(m))

            pc_two.on("datachannel", on_channel)
            channel = pc_one.create_data_channel("chat")
            if both_offer:
                pc_two.create_data_channel("other")
            opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            channel.on("open", lambda: opened.done() or opened.set_result(None))
            async with asyncio.timeout(20):
                await opened
                channel.send("hello through signaling")
                assert await received == "hello through signaling"
            assert pc_one.connection_state == "connected"
            for task in pumps:
                task.cancel()
            await pc_one.close()
            await pc_two.close()
