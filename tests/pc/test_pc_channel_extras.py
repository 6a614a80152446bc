"""The Python extras of RTCDataChannel: ``async for``, ``drain()``, ``async with``."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from purertc import RTCDataChannel, RTCPeerConnection
from tests.pc.pc_helpers import connect, loopback_configuration, wait_open

pytestmark = pytest.mark.timeout(30)


async def connected_pair() -> tuple[RTCPeerConnection, RTCPeerConnection, RTCDataChannel,
                                    asyncio.Future[RTCDataChannel]]:  # fmt: skip
    a = RTCPeerConnection(loopback_configuration())
    b = RTCPeerConnection(loopback_configuration())
    incoming: asyncio.Future[RTCDataChannel] = asyncio.get_running_loop().create_future()
    b.on("datachannel", incoming.set_result)
    channel = a.create_data_channel("extras")
    await connect(a, b)
    await wait_open(channel)
    return a, b, channel, incoming


async def test_async_for_gets_every_message_and_ends_on_close() -> None:
    a, b, channel, incoming = await connected_pair()
    for index in range(5):
        channel.send(f"m{index}")
    channel.send(b"last")
    remote = await asyncio.wait_for(incoming, 5)
    received: list[str | bytes] = []

    async def collect() -> None:
        async for message in remote:  # messages that came before the loop are kept too
            received.append(message)

    task = asyncio.ensure_future(collect())
    await asyncio.sleep(0)
    channel.close()
    await asyncio.wait_for(task, 5)
    assert received == ["m0", "m1", "m2", "m3", "m4", b"last"]
    assert remote.ready_state == "closed"
    await a.close()
    await b.close()


async def test_drain_bounds_the_buffer_and_everything_arrives() -> None:
    a, b, channel, incoming = await connected_pair()
    remote = await asyncio.wait_for(incoming, 5)
    digest = hashlib.sha256()
    total = 0
    done = asyncio.get_running_loop().create_future()
    size = 2 * 1024 * 1024

    def on_message(message: str | bytes) -> None:
        nonlocal total
        assert isinstance(message, bytes)
        digest.update(message)
        total += len(message)
        if total == size:
            done.set_result(None)

    remote.on("message", on_message)
    channel.buffered_amount_low_threshold = 64 * 1024
    lows: list[int] = []
    channel.on("bufferedamountlow", lambda: lows.append(channel.buffered_amount))
    sent = hashlib.sha256()
    peak = 0
    chunk = bytes(range(256)) * 64  # 16 KiB
    for _ in range(size // len(chunk)):
        channel.send(chunk)
        sent.update(chunk)
        peak = max(peak, channel.buffered_amount)
        await channel.drain()
        assert channel.buffered_amount <= 64 * 1024
    await asyncio.wait_for(done, 10)
    assert digest.digest() == sent.digest()
    assert peak <= 64 * 1024 + len(chunk)
    assert lows and all(amount <= 64 * 1024 for amount in lows)
    await a.close()
    await b.close()


async def test_async_with_closes_the_channel() -> None:
    a, b, channel, incoming = await connected_pair()
    remote = await asyncio.wait_for(incoming, 5)
    closed = asyncio.get_running_loop().create_future()
    remote.on("close", lambda: closed.set_result(None))
    async with channel as same:
        assert same is channel
        channel.send("inside")
    assert channel.ready_state in ("closing", "closed")
    await asyncio.wait_for(closed, 5)
    await a.close()
    await b.close()


async def test_peer_connection_async_with_closes_it() -> None:
    async with RTCPeerConnection(loopback_configuration()) as pc:
        pc.create_data_channel("x")
        await pc.set_local_description()
    assert pc.connection_state == "closed" and pc.signaling_state == "closed"
