"""TURN over UDP, TCP and TLS, and REST credentials, against Debian's coturn on 127.0.0.1."""

from __future__ import annotations

import datetime
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from purertc.aio import IceDriver
from purertc.ice import Agent, Candidate
from purertc.ice.events import CandidateGathered, DataReceived, ServerError
from purertc.stun import rest_credentials
from tests.support import require_program, wait_for_listener

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

REALM = "purertc.test"
SECRET = "rest-secret"


def _free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _self_signed(directory: Path) -> tuple[Path, Path]:
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
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Coturn:
    port: int
    tls_port: int
    rest: bool


def _start(binary: str, tmp_path: Path, *, rest: bool) -> tuple[subprocess.Popen[bytes], Coturn]:
    port, tls_port = _free_port(socket.SOCK_STREAM), _free_port(socket.SOCK_STREAM)
    cert, key = _self_signed(tmp_path)
    args = [
        binary,
        "-n",
        "--no-cli",
        "--listening-ip", "127.0.0.1",
        "--relay-ip", "127.0.0.1",
        "--allow-loopback-peers",
        "--listening-port", str(port),
        "--tls-listening-port", str(tls_port),
        "--cert", str(cert),
        "--pkey", str(key),
        "--realm", REALM,
        "--fingerprint",
        "--no-dtls",
        "--min-port", "49152",
        "--max-port", "65000",
        "--log-file", str(tmp_path / "turn.log"),
        "--pidfile", str(tmp_path / "turn.pid"),
    ]  # fmt: skip
    if rest:
        args += ["--use-auth-secret", "--static-auth-secret", SECRET]
    else:
        args += ["--lt-cred-mech", "--user", "alice:secret"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_listener(process, tls_port, "coturn")
    return process, Coturn(port, tls_port, rest)


@pytest.fixture(params=[False, True], ids=["long-term", "rest"])
def coturn(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Coturn]:
    binary = require_program("turnserver")
    process, server = _start(binary, tmp_path, rest=request.param)
    yield server
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()


class Peer:
    def __init__(self, controlling: bool, **kwargs: object) -> None:
        self.agent = Agent(controlling=controlling, **kwargs)  # type: ignore[arg-type]
        self.candidates: list[Candidate] = []
        self.data: list[bytes] = []
        self.errors: list[ServerError] = []
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.driver = IceDriver(self.agent, on_event=self.on_event, ssl_context=context)

    def on_event(self, event: object) -> None:
        if isinstance(event, CandidateGathered):
            self.candidates.append(event.candidate)
        elif isinstance(event, DataReceived):
            self.data.append(event.data)
        elif isinstance(event, ServerError):
            self.errors.append(event)

    def connected(self) -> bool:
        return self.agent.state in ("connected", "completed")


def _credentials(server: Coturn) -> tuple[str, str]:
    if server.rest:
        return rest_credentials(SECRET, "alice", 600, time.time())
    return "alice", "secret"


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
async def test_relay_through_coturn(coturn: Coturn, transport: str) -> None:
    relayed = Peer(True, transport_policy="relay")
    plain = Peer(False)
    username, password = _credentials(coturn)
    url = {
        "udp": f"turn:127.0.0.1:{coturn.port}",
        "tcp": f"turn:localhost:{coturn.port}?transport=tcp",
        "tls": f"turns:localhost:{coturn.tls_port}",
    }[transport]
    relayed.driver.open_sockets(["127.0.0.1"])
    added = await relayed.driver.add_ice_server(url, username, password)
    assert added == [("127.0.0.1", coturn.tls_port if transport == "tls" else coturn.port)]
    plain.driver.open_sockets(["127.0.0.1"])
    for peer in (relayed, plain):
        peer.driver.gather()
    await relayed.driver.wait_for(lambda: relayed.agent.gathering_state == "complete", timeout=10)
    assert relayed.errors == []
    assert [c.type for c in relayed.candidates] == ["relay"]
    relayed.agent.set_remote_credentials(plain.agent.local_ufrag, plain.agent.local_password)
    plain.agent.set_remote_credentials(relayed.agent.local_ufrag, relayed.agent.local_password)
    for src, dst in ((relayed, plain), (plain, relayed)):
        for candidate in src.candidates:
            await dst.driver.add_remote_candidate(Candidate.from_sdp(candidate.to_sdp()))
        await dst.driver.add_remote_candidate(None)
    await relayed.driver.wait_for(relayed.connected, timeout=10)
    await plain.driver.wait_for(plain.connected, timeout=10)
    pair = relayed.agent.selected_pair
    assert pair is not None and pair.local.type == "relay"
    for i in range(3):  # the first goes in a Send indication, later ones in ChannelData
        assert relayed.driver.send(b"\x80relayed %d" % i)
    await plain.driver.wait_for(lambda: len(plain.data) >= 3, timeout=5)
    assert plain.driver.send(b"\x80back")
    await relayed.driver.wait_for(lambda: bool(relayed.data), timeout=5)
    await relayed.driver.close()
    await plain.driver.close()


async def test_wrong_credentials_surface_as_401(coturn: Coturn) -> None:
    peer = Peer(True, transport_policy="relay")
    peer.driver.open_sockets(["127.0.0.1"])
    peer.agent.add_turn_server(("127.0.0.1", coturn.port), "alice", "wrong")
    peer.driver.gather()
    await peer.driver.wait_for(lambda: peer.agent.gathering_state == "complete", timeout=10)
    assert [e.code for e in peer.errors] == [401]
    assert "wrong credentials" in peer.errors[0].reason
    await peer.driver.close()
