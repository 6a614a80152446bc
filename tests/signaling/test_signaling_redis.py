"""Scale-out: two servers sharing rooms through one real Redis (Debian's redis-server)."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from purertc.signaling import ErrorCode, Limits, SignalingServer
from purertc.signaling.redis_hub import RedisHub
from tests.signaling.sigtools import Raw, require_redis_package
from tests.support import require_program, wait_for_listener

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = require_program("redis-server")
    require_redis_package()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(tmp_path),
         "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_listener(process, port, "redis-server")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
async def two_servers(redis_url: str) -> AsyncIterator[tuple[SignalingServer, SignalingServer]]:
    limits = Limits(peers_per_room=3)
    one = SignalingServer(limits=limits, hub=RedisHub(redis_url))
    two = SignalingServer(limits=limits, hub=RedisHub(redis_url))
    await one.start()
    await two.start()
    yield one, two
    await one.close()
    await two.close()


async def test_peers_on_different_servers_share_a_room(
    two_servers: tuple[SignalingServer, SignalingServer],
) -> None:
    one, two = two_servers
    a = await Raw.open(one.port)
    id_a = (await a.join("shared"))["id"]
    b = await Raw.open(two.port)
    joined_b = await b.join("shared")
    assert joined_b["peers"] == [id_a]
    id_b = joined_b["id"]
    assert await a.recv() == {"type": "peer-joined", "id": id_b}
    c = await Raw.open(one.port)  # same server as a, room with a member on each
    joined_c = await c.join("shared")
    assert sorted(joined_c["peers"]) == sorted([id_a, id_b])
    id_c = joined_c["id"]
    assert await a.recv() == {"type": "peer-joined", "id": id_c}
    assert await b.recv() == {"type": "peer-joined", "id": id_c}
    await a.send({"type": "offer", "target": id_b, "sdp": "across servers"})
    assert await b.recv() == {"type": "offer", "sdp": "across servers", "from": id_a}
    await b.send({"type": "answer", "target": id_a, "sdp": "and back"})
    assert await a.recv() == {"type": "answer", "sdp": "and back", "from": id_b}
    await a.send({"type": "ice-candidate", "target": id_c, "candidate": {"c": 1}})
    assert (await c.recv())["from"] == id_a  # local delivery still works
    # room full counts members on both servers
    d = await Raw.open(two.port)
    await d.send({"type": "join", "room": "shared"})
    await d.expect_error(ErrorCode.ROOM_FULL)
    # disconnect on one server: peers on both hear peer-left
    await b.close()
    assert await a.recv() == {"type": "peer-left", "id": id_b}
    assert await c.recv() == {"type": "peer-left", "id": id_b}
    await a.send({"type": "offer", "target": id_b, "sdp": "gone"})
    await a.expect_error(ErrorCode.UNKNOWN_TARGET)
    for peer in (a, c, d):
        await peer.close()


async def test_no_cross_room_delivery_between_servers(
    two_servers: tuple[SignalingServer, SignalingServer],
) -> None:
    one, two = two_servers
    a = await Raw.open(one.port)
    id_a = (await a.join("red"))["id"]
    b = await Raw.open(two.port)
    id_b = (await b.join("blue"))["id"]
    await a.send({"type": "offer", "target": id_b, "sdp": "x"})
    await a.expect_error(ErrorCode.UNKNOWN_TARGET)
    await b.send({"type": "offer", "target": id_a, "sdp": "x"})
    await b.expect_error(ErrorCode.UNKNOWN_TARGET)
    # a forged publish naming a peer of another room is dropped by the receiving server
    hub = one.hub
    assert isinstance(hub, RedisHub)
    other = two.hub
    assert isinstance(other, RedisHub)
    envelope = json.dumps({"room": "blue", "targets": [id_a], "frame": '{"type":"offer"}'})
    await other._redis.publish(other._channel(hub.server_id), envelope)
    await other._redis.publish(other._channel(hub.server_id), "not json")
    assert await a.silent(0.2) and await b.silent(0.05)
    await a.close()
    await b.close()


async def test_graceful_shutdown_of_one_server_tells_the_others(redis_url: str) -> None:
    one = SignalingServer(hub=RedisHub(redis_url))
    two = SignalingServer(hub=RedisHub(redis_url))
    await one.start()
    await two.start()
    try:
        a = await Raw.open(one.port)
        await a.join("r")
        b = await Raw.open(two.port)
        id_b = (await b.join("r"))["id"]
        await a.expect("peer-joined")
        await two.close()
        assert (await b.recv())["type"] == "shutdown"
        assert await a.recv() == {"type": "peer-left", "id": id_b}
        newcomer = await Raw.open(one.port)
        assert len((await newcomer.join("r"))["peers"]) == 1  # b is gone from Redis too
        await a.close()
        await newcomer.close()
    finally:
        await one.close()


async def test_relay_uses_the_announced_view_without_redis_lookups(
    two_servers: tuple[SignalingServer, SignalingServer],
) -> None:
    one, two = two_servers
    a = await Raw.open(one.port)
    id_a = (await a.join("view"))["id"]
    b = await Raw.open(two.port)
    id_b = (await b.join("view"))["id"]
    await a.expect("peer-joined")
    hubs = [one.hub, two.hub]
    lookups: list[str] = []
    for hub in hubs:
        assert isinstance(hub, RedisHub)

        async def hget(key: str, field: str) -> None:
            lookups.append(field)

        hub._redis.hget = hget  # both views already know the other member
    await a.send({"type": "offer", "target": id_b, "sdp": "1"})
    assert (await b.recv())["from"] == id_a
    await b.send({"type": "answer", "target": id_a, "sdp": "2"})
    assert (await a.recv())["from"] == id_b
    assert lookups == []
    await a.send({"type": "offer", "target": "stranger", "sdp": "3"})
    await a.expect_error(ErrorCode.UNKNOWN_TARGET)
    assert lookups == ["stranger"]  # unknown ids still fall back to Redis
    await a.close()
    await b.close()
