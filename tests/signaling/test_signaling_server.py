"""The signaling server on loopback: protocol conformance, every refusal, limits, cleanup."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from purertc.signaling import (
    CloseCode,
    ErrorCode,
    Limits,
    SignalingServer,
    make_room_token,
)
from tests.signaling.sigtools import FakeClock, Raw

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def server() -> AsyncIterator[SignalingServer]:
    server = SignalingServer(limits=Limits(max_frame_bytes=4096, peers_per_room=3))
    await server.start()
    yield server
    await server.close()


async def _pair(server: SignalingServer, room: str = "r") -> tuple[Raw, str, Raw, str]:
    a = await Raw.open(server.port)
    joined_a = await a.join(room)
    assert joined_a["peers"] == []
    b = await Raw.open(server.port)
    joined_b = await b.join(room)
    assert joined_b["peers"] == [joined_a["id"]]
    assert (await a.expect("peer-joined"))["id"] == joined_b["id"]
    return a, joined_a["id"], b, joined_b["id"]


async def test_join_relay_leave_conformance(server: SignalingServer) -> None:
    a, id_a, b, id_b = await _pair(server)
    assert id_a != id_b and len(id_a) >= 20  # token_urlsafe(16): 22 characters, 128 bits
    await a.send({"type": "offer", "target": id_b, "sdp": "v=0 offer"})
    assert await b.recv() == {"type": "offer", "sdp": "v=0 offer", "from": id_a}
    await b.send({"type": "answer", "target": id_a, "sdp": "v=0 answer"})
    assert await a.recv() == {"type": "answer", "sdp": "v=0 answer", "from": id_b}
    candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMLineIndex": 0}
    await a.send({"type": "ice-candidate", "target": id_b, "candidate": candidate})
    assert await b.recv() == {"type": "ice-candidate", "candidate": candidate, "from": id_a}
    await b.send({"type": "leave"})
    assert (await b.expect("left"))["room"] == "r"
    assert await a.recv() == {"type": "peer-left", "id": id_b}
    # after leaving, b may join again (another room) and is alone there
    assert (await b.join("other"))["peers"] == []
    assert server.stats.relayed == 3
    await a.close()
    await b.close()


async def test_disconnect_is_leave(server: SignalingServer) -> None:
    a, id_a, b, id_b = await _pair(server)
    await b.close()
    assert await a.recv() == {"type": "peer-left", "id": id_b}
    await a.send({"type": "offer", "target": id_b, "sdp": "x"})
    await a.expect_error(ErrorCode.UNKNOWN_TARGET)
    await a.close()
    for _ in range(100):  # the server's handler finishes after the close handshake
        if not server.hub.rooms:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.01)
    assert server.hub.rooms == {}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", ErrorCode.BAD_JSON),
        ("[1, 2]", ErrorCode.BAD_MESSAGE),
        (b"\x00binary", ErrorCode.BAD_MESSAGE),
        ('{"type": "dance"}', ErrorCode.UNKNOWN_TYPE),
        ('{"type": 7}', ErrorCode.BAD_MESSAGE),
        ('{"room": "r"}', ErrorCode.MISSING_FIELD),
        ('{"type": "join"}', ErrorCode.MISSING_FIELD),
        ('{"type": "join", "room": ""}', ErrorCode.BAD_MESSAGE),
        ('{"type": "join", "room": "r", "token": 5}', ErrorCode.BAD_MESSAGE),
        ('{"type": "join", "room": "' + "x" * 200 + '"}', ErrorCode.BAD_MESSAGE),
        ('{"type": "offer", "sdp": "x"}', ErrorCode.MISSING_FIELD),
        ('{"type": "answer", "target": "t"}', ErrorCode.MISSING_FIELD),
        ('{"type": "ice-candidate", "target": "t"}', ErrorCode.MISSING_FIELD),
        ('{"type": "offer", "target": "t", "sdp": "x"}', ErrorCode.NOT_JOINED),
        ('{"type": "leave"}', ErrorCode.NOT_JOINED),
        ('{"type": "turn-credentials"}', ErrorCode.TURN_UNAVAILABLE),
        ("[" * 5000 + "]" * 5000, ErrorCode.FRAME_TOO_LARGE),
        (
            '{"type": "offer", "target": "t", "sdp": "' + "a" * 5000 + '"}',
            ErrorCode.FRAME_TOO_LARGE,
        ),
    ],
)
async def test_refused_frame_gets_error_and_server_serves_on(
    server: SignalingServer, frame: str | bytes, code: str
) -> None:
    a, id_a, b, id_b = await _pair(server)
    bad = await Raw.open(server.port)
    await bad.send(frame)
    await bad.expect_error(code)
    # the offender's connection still works, and so does everyone else's
    assert (await bad.join("elsewhere"))["peers"] == []
    await a.send({"type": "offer", "target": id_b, "sdp": "still here"})
    assert (await b.recv())["sdp"] == "still here"
    assert server.stats.errors[code] == 1
    for peer in (a, b, bad):
        await peer.close()


async def test_deeply_nested_json_within_size_is_refused_cleanly() -> None:
    server = SignalingServer(limits=Limits(max_frame_bytes=1 << 20))
    await server.start()
    try:
        peer = await Raw.open(server.port)
        await peer.send("[" * 200_000 + "]" * 200_000)  # RecursionError inside json.loads
        await peer.expect_error(ErrorCode.BAD_JSON)
        assert (await peer.join("r"))["peers"] == []
        await peer.close()
    finally:
        await server.close()


async def test_frame_far_over_limit_closes_with_1009(server: SignalingServer) -> None:
    peer = await Raw.open(server.port)
    await peer.send("x" * (4096 * 4 + 1))
    with pytest.raises(ConnectionClosed) as info:
        await peer.recv()
    assert info.value.rcvd is not None and info.value.rcvd.code == CloseCode.TOO_BIG


async def test_target_outside_room_is_refused_and_never_delivered(
    server: SignalingServer,
) -> None:
    a, id_a, b, id_b = await _pair(server, "one")
    c = await Raw.open(server.port)
    id_c = (await c.join("two"))["id"]
    await c.send({"type": "offer", "target": id_a, "sdp": "cross-room"})
    await c.expect_error(ErrorCode.UNKNOWN_TARGET)
    await c.send({"type": "offer", "target": id_c, "sdp": "to myself"})
    await c.expect_error(ErrorCode.UNKNOWN_TARGET)
    await a.send({"type": "offer", "target": id_c, "sdp": "cross-room"})
    await a.expect_error(ErrorCode.UNKNOWN_TARGET)
    assert await a.silent() and await b.silent() and await c.silent()
    for peer in (a, b, c):
        await peer.close()


async def test_join_twice(server: SignalingServer) -> None:
    a, id_a, b, id_b = await _pair(server)
    await a.send({"type": "join", "room": "another"})
    error = await a.expect_error(ErrorCode.ALREADY_JOINED)
    assert "'r'" in error["message"]
    await a.send({"type": "offer", "target": id_b, "sdp": "same room still"})
    assert (await b.recv())["from"] == id_a
    for peer in (a, b):
        await peer.close()


async def test_room_full(server: SignalingServer) -> None:
    peers = [await Raw.open(server.port) for _ in range(4)]
    for i, peer in enumerate(peers[:3]):
        assert len((await peer.join("small"))["peers"]) == i
    await peers[3].send({"type": "join", "room": "small"})
    await peers[3].expect_error(ErrorCode.ROOM_FULL)
    assert (await peers[3].join("big-enough"))["peers"] == []
    for peer in peers:
        await peer.close()


async def test_rooms_per_server() -> None:
    server = SignalingServer(limits=Limits(rooms_per_server=2))
    await server.start()
    try:
        peers = [await Raw.open(server.port) for _ in range(4)]
        await peers[0].join("a")
        await peers[1].join("b")
        await peers[2].send({"type": "join", "room": "c"})
        await peers[2].expect_error(ErrorCode.TOO_MANY_ROOMS)
        assert (await peers[3].join("a"))["peers"]  # existing rooms still take peers
        for peer in peers:
            await peer.close()
    finally:
        await server.close()


async def test_rate_limit_token_bucket_with_injected_clock() -> None:
    clock = FakeClock()
    server = SignalingServer(
        limits=Limits(messages_per_second=2, burst=3, max_violations=2), clock=clock
    )
    await server.start()
    try:
        a = await Raw.open(server.port)
        other = await Raw.open(server.port)
        await other.join("calm")
        await a.join("r")  # token 1
        for _ in range(2):  # tokens 2 and 3
            await a.send({"type": "dance"})
            await a.expect_error(ErrorCode.UNKNOWN_TYPE)
        await a.send({"type": "dance"})
        await a.expect_error(ErrorCode.RATE_LIMITED)
        clock.now += 0.5  # one token back
        await a.send({"type": "dance"})
        await a.expect_error(ErrorCode.UNKNOWN_TYPE)
        await a.send({"type": "dance"})  # second violation: still an error frame
        await a.expect_error(ErrorCode.RATE_LIMITED)
        await a.send({"type": "dance"})  # third: abuse, closed
        with pytest.raises(ConnectionClosed) as info:
            await a.recv()
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == CloseCode.POLICY_VIOLATION
        await other.send({"type": "leave"})  # others are unaffected
        await other.expect("left")
        await other.close()
    finally:
        await server.close()


async def test_room_tokens() -> None:
    secret = b"app-secret"
    clock = FakeClock(1_700_000_000.0)
    server = SignalingServer(room_secret=secret, wall_clock=clock)
    await server.start()
    try:
        peer = await Raw.open(server.port)
        good = make_room_token(secret, "vip", 1_700_000_060)
        for token in (
            None,
            make_room_token(b"wrong", "vip", 1_700_000_060),
            make_room_token(secret, "other-room", 1_700_000_060),
            make_room_token(secret, "vip", 1_700_000_000),  # expired
            "garbage",
            good[:-2],
        ):
            frame = {"type": "join", "room": "vip"} | ({} if token is None else {"token": token})
            await peer.send(frame)
            await peer.expect_error(ErrorCode.BAD_TOKEN)
        assert (await peer.join("vip", token=good))["peers"] == []
        clock.now += 61
        late = await Raw.open(server.port)
        await late.send({"type": "join", "room": "vip", "token": good})
        await late.expect_error(ErrorCode.BAD_TOKEN)
        await peer.close()
        await late.close()
    finally:
        await server.close()


async def test_connections_per_ip() -> None:
    server = SignalingServer(limits=Limits(connections_per_ip=2))
    await server.start()
    try:
        first, second = await Raw.open(server.port), await Raw.open(server.port)
        third = await Raw.open(server.port)
        with pytest.raises(ConnectionClosed) as info:
            await third.recv()
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == CloseCode.TOO_MANY_CONNECTIONS
        await first.close()
        for _ in range(100):  # the slot frees once the server saw the close
            if sum(server._per_ip.values()) == 1:
                break
            await asyncio.sleep(0.01)
        fourth = await Raw.open(server.port)
        assert (await fourth.join("r"))["peers"] == []
        await second.close()
        await fourth.close()
    finally:
        await server.close()


async def test_idle_timeout_closes_silent_connection() -> None:
    server = SignalingServer(limits=Limits(idle_timeout=0.2))
    await server.start()
    try:
        peer = await Raw.open(server.port)
        with pytest.raises(ConnectionClosed) as info:
            await peer.recv(timeout=5)
        assert info.value.rcvd is not None and info.value.rcvd.code == CloseCode.IDLE
    finally:
        await server.close()


async def test_graceful_shutdown_tells_every_peer() -> None:
    server = SignalingServer()
    await server.start()
    peers = [await Raw.open(server.port) for _ in range(3)]
    await peers[0].join("r")
    await peers[1].join("r")
    await peers[0].expect("peer-joined")
    await server.close()
    for peer in peers:
        assert (await peer.recv())["type"] == "shutdown"
        with pytest.raises(ConnectionClosed) as info:
            await peer.recv()
        assert info.value.rcvd is not None and info.value.rcvd.code == CloseCode.GOING_AWAY


async def test_origin_allow_list() -> None:
    server = SignalingServer(origins=["https://app.example"])
    await server.start()
    url = f"ws://127.0.0.1:{server.port}/"
    try:
        with pytest.raises(InvalidStatus) as info:
            await connect(url, origin="https://evil.example")  # type: ignore[arg-type]
        assert info.value.response.status_code == 403
        ws = await connect(url, origin="https://app.example")  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "join", "room": "r"}))
        assert json.loads(await ws.recv())["type"] == "joined"
        await ws.close()
        ws = await connect(url)  # no Origin header: not a browser, the allow-list does not apply
        await ws.close()
    finally:
        await server.close()


async def _http_get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


async def test_static_files_from_the_same_port(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "js").mkdir(parents=True)
    (site / "index.html").write_text("<h1>demo</h1>")
    (site / "js" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("no")
    server = SignalingServer(static_dir=site)
    await server.start()
    try:
        status, headers, body = await _http_get(server.port, "/")
        assert (status, body, headers["Content-Type"]) == (200, b"<h1>demo</h1>", "text/html")
        status, headers, body = await _http_get(server.port, "/js/app.js?v=2")
        assert status == 200 and body == b"console.log(1)"
        assert headers["Content-Length"] == str(len(body))
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/missing.html"):
            status, _, body = await _http_get(server.port, path)
            assert status == 404 and body != b"no"
        peer = await Raw.open(server.port)  # and WebSockets on the same port
        assert (await peer.join("r"))["peers"] == []
        await peer.close()
    finally:
        await server.close()


async def test_plain_http_without_static_dir_is_426() -> None:
    server = SignalingServer()
    await server.start()
    try:
        status, _, _ = await _http_get(server.port, "/")
        assert status == 426
    finally:
        await server.close()


class _StuckConnection:
    """A connection whose peer never reads: every send waits forever."""

    def __init__(self) -> None:
        self.closed: list[tuple[int, str]] = []
        self.sent = 0

    async def send(self, frame: str) -> None:
        self.sent += 1
        await asyncio.Event().wait()

    async def close(self, code: int, reason: str) -> None:
        self.closed.append((code, reason))


async def test_slow_reader_is_closed_when_its_queue_overflows() -> None:
    from purertc.signaling.limits import TokenBucket
    from purertc.signaling.server import _Session

    ws = _StuckConnection()
    session = _Session(ws, "slow", TokenBucket(1, 1, 0.0), queue_size=4)  # type: ignore[arg-type]
    writer = asyncio.get_running_loop().create_task(session.write_loop())
    session.deliver("first")
    await asyncio.sleep(0)  # the writer takes it and blocks in send
    for i in range(4):
        session.deliver(f"queued {i}")
    assert ws.closed == [] and session.queue.qsize() == 4
    session.deliver("one too many")
    await asyncio.sleep(0)
    assert ws.closed == [(CloseCode.POLICY_VIOLATION, "outgoing queue full")]
    session.deliver("ignored")
    assert session.queue.qsize() == 4 and ws.sent == 1
    writer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writer
    assert session.queue.qsize() == 0  # released: a shutdown flush does not wait on it
