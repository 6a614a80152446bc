"""SignalingClient against the server: requests, relaying, reconnect with backoff, TLS."""

from __future__ import annotations

import asyncio
import datetime
import random
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from purertc.signaling import (
    ErrorCode,
    Limits,
    SignalingClient,
    SignalingError,
    SignalingServer,
    TurnConfig,
    backoff_delay,
)
from purertc.stun import verify_rest_credentials
from tests.signaling.sigtools import FakeClock

pytestmark = pytest.mark.timeout(30)


async def test_two_clients_join_and_relay() -> None:
    async with SignalingServer() as server:
        await server.start()
        url = f"ws://127.0.0.1:{server.port}"
        async with SignalingClient(url) as alice, SignalingClient(url) as bob:
            assert await alice.join("room") == []
            assert await bob.join("room") == [alice.id]
            assert await alice.recv() == {"type": "peer-joined", "id": bob.id}
            assert alice.peers == [bob.id]
            assert bob.id is not None
            await alice.send("offer", bob.id, sdp="v=0")
            assert await bob.recv() == {"type": "offer", "sdp": "v=0", "from": alice.id}
            bob_id = bob.id
            await bob.leave()
            assert await alice.recv() == {"type": "peer-left", "id": bob_id}
            assert alice.peers == [] and bob.room is None
            with pytest.raises(ValueError, match="relayed"):
                await alice.send("join", "x")


async def test_refusals_raise_signaling_error() -> None:
    async with SignalingServer(limits=Limits(peers_per_room=1)) as server:
        await server.start()
        url = f"ws://127.0.0.1:{server.port}"
        async with SignalingClient(url) as first, SignalingClient(url) as second:
            await first.join("solo")
            with pytest.raises(SignalingError) as info:
                await second.join("solo")
            assert info.value.code == ErrorCode.ROOM_FULL
            with pytest.raises(SignalingError) as info:
                await second.turn_credentials()
            assert info.value.code == ErrorCode.TURN_UNAVAILABLE
            await first.send("offer", "nobody", sdp="x")  # errors not for a request: iterated
            frame = await first.recv()
            assert (frame["type"], frame["code"]) == ("error", ErrorCode.UNKNOWN_TARGET)


async def test_turn_credentials_are_coturn_rest_credentials() -> None:
    wall = FakeClock(1_700_000_000.0)
    turn = TurnConfig(secret="shared", urls=["turn:turn.example:3478"], ttl=600)
    async with SignalingServer(turn=turn, wall_clock=wall) as server:
        await server.start()
        async with SignalingClient(f"ws://127.0.0.1:{server.port}") as client:
            servers = await client.turn_credentials()
    assert len(servers) == 1 and servers[0]["urls"] == ["turn:turn.example:3478"]
    username, password = servers[0]["username"], servers[0]["credential"]
    expiry, _, user = username.partition(":")
    assert int(expiry) == 1_700_000_600 and user  # "<expiry>:<connection id>"
    assert verify_rest_credentials("shared", username, password, wall.now + 599)
    assert not verify_rest_credentials("shared", username, password, wall.now + 600)
    assert not verify_rest_credentials("other", username, password, wall.now)


def test_backoff_doubles_caps_and_jitters() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, 0.5, 8.0, rng) for n in range(8)]
    ceilings = [0.5, 1, 2, 4, 8, 8, 8, 8]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
    assert len({round(d / c, 6) for d, c in zip(delays, ceilings, strict=True)}) > 1  # jitter
    assert backoff_delay(10_000, 0.5, 8.0, rng) <= 8.0  # no overflow on long outages


async def test_reconnect_with_backoff_and_rejoin() -> None:
    server = SignalingServer()
    await server.start()
    port = server.port
    url = f"ws://127.0.0.1:{port}"
    delays: list[float] = []
    replacement: list[SignalingServer] = []

    async def fake_sleep(delay: float) -> None:  # no real waiting: the test drives the outage
        delays.append(delay)
        if len(delays) == 3:  # the server comes back before the third attempt
            new = SignalingServer()
            await new.start(port=port)
            replacement.append(new)

    client = SignalingClient(url, sleep=fake_sleep, rng=random.Random(1), backoff_initial=1.0)
    await client.connect()
    await client.join("room")
    first_id = client.id
    await server.close()
    assert (await client.recv())["type"] == "shutdown"
    reconnected = await client.recv()
    assert reconnected["type"] == "reconnected" and reconnected["room"] == "room"
    assert client.id == reconnected["id"] != first_id
    assert len(delays) == 3 and client.reconnects == 1
    assert 0.5 <= delays[0] <= 1 and 1 <= delays[1] <= 2 and 2 <= delays[2] <= 4
    # the re-joined client is a member again: a newcomer sees it
    async with SignalingClient(url) as other:
        assert await other.join("room") == [client.id]
    await client.close()
    await replacement[0].close()


async def test_reconnect_gives_up_after_max_attempts() -> None:
    server = SignalingServer()
    await server.start()
    sleeps: list[float] = []

    async def fake_sleep(delay: float) -> None:
        sleeps.append(delay)

    client = SignalingClient(f"ws://127.0.0.1:{server.port}", sleep=fake_sleep, max_attempts=3)
    await client.connect()
    await server.close()
    assert (await client.recv())["type"] == "shutdown"
    with pytest.raises(ConnectionError, match="lost"):
        await client.recv()
    assert len(sleeps) == 3
    await client.close()


def _self_signed(directory: Path) -> tuple[Path, Path, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path, cert


async def test_tls(tmp_path: Path) -> None:
    cert_path, key_path, _ = _self_signed(tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    client_context = ssl.create_default_context(cafile=str(cert_path))
    async with SignalingServer() as server:
        await server.start(ssl_context=server_context)
        url = f"wss://localhost:{server.port}"
        async with (
            SignalingClient(url, ssl_context=client_context) as a,
            SignalingClient(url, ssl_context=client_context) as b,
        ):
            await a.join("secure")
            await b.join("secure")
            assert b.id is not None
            await a.send("offer", b.id, sdp="over tls")
            assert (await b.recv())["sdp"] == "over tls"
        untrusting = ssl.create_default_context()  # the system store does not know our cert
        with pytest.raises(ssl.SSLCertVerificationError):
            await SignalingClient(url, ssl_context=untrusting).connect()


async def test_load_200_clients_50_rooms_no_cross_room_delivery() -> None:
    """200 clients in 50 rooms of 4; each sends one offer to every room-mate; every frame
    arrives, from a room-mate, and nothing crosses rooms."""
    async with SignalingServer(limits=Limits(connections_per_ip=256)) as server:
        await server.start()
        url = f"ws://127.0.0.1:{server.port}"
        clients = [SignalingClient(url, reconnect=False) for _ in range(200)]
        await asyncio.gather(*(c.connect() for c in clients))
        rooms = {c: f"room-{i % 50}" for i, c in enumerate(clients)}
        await asyncio.gather(*(client.join(rooms[client]) for client in clients))
        room_of_id = {c.id: rooms[c] for c in clients}

        async def chatter(client: SignalingClient) -> None:
            mates = [other.id for other in clients if rooms[other] == rooms[client]]
            for mate in mates:
                if mate != client.id and mate is not None:
                    await client.send("offer", mate, sdp=f"{rooms[client]}:{client.id}")

        async def collect(client: SignalingClient) -> list[dict[str, object]]:
            got: list[dict[str, object]] = []
            while len(got) < 3:
                frame = await client.recv()
                if frame["type"] == "offer":
                    got.append(frame)
            return got

        async with asyncio.timeout(15):
            collectors = [asyncio.create_task(collect(c)) for c in clients]
            await asyncio.gather(*(chatter(c) for c in clients))
            results = await asyncio.gather(*collectors)
        for client, frames in zip(clients, results, strict=True):
            for frame in frames:
                assert room_of_id[frame["from"]] == rooms[client]
                assert str(frame["sdp"]).split(":")[0] == rooms[client]
            assert len({frame["from"] for frame in frames}) == 3
        assert server.stats.relayed == 600
        await asyncio.gather(*(c.close() for c in clients))
