"""TURN credentials from the signaling server open a real allocation on coturn (REST secret)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from purertc.aio import IceDriver
from purertc.ice import Agent
from purertc.ice.events import CandidateGathered, ServerError
from purertc.signaling import SignalingClient, SignalingServer, TurnConfig
from tests.support import require_program, wait_for_listener

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

SECRET = "shared-with-coturn"


@pytest.fixture
def coturn_port(tmp_path: Path) -> Iterator[int]:
    binary = require_program("turnserver")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen(
        [binary, "-n", "--no-cli", "--no-tls", "--no-dtls",
         "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1",
         "--listening-port", str(port), "--realm", "purertc.test", "--fingerprint",
         "--use-auth-secret", "--static-auth-secret", SECRET,
         "--min-port", "49152", "--max-port", "65000",
         "--log-file", str(tmp_path / "turn.log"), "--pidfile", str(tmp_path / "turn.pid")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_listener(process, port, "coturn")
    yield port
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()


async def _allocate(url: str, username: str, credential: str) -> tuple[list[str], list[int]]:
    """Candidate types gathered and server error codes, relay-only, through ``url``."""
    types: list[str] = []
    errors: list[int] = []

    def on_event(event: object) -> None:
        if isinstance(event, CandidateGathered):
            types.append(event.candidate.type)
        elif isinstance(event, ServerError):
            errors.append(event.code)

    agent = Agent(controlling=True, transport_policy="relay")
    driver = IceDriver(agent, on_event=on_event)
    driver.open_sockets(["127.0.0.1"])
    await driver.add_ice_server(url, username, credential)
    driver.gather()
    await driver.wait_for(lambda: agent.gathering_state == "complete", timeout=10)
    await driver.close()
    return types, errors


async def _credentials(port: int, wall_clock: float | None = None) -> dict[str, object]:
    turn = TurnConfig(SECRET, [f"turn:127.0.0.1:{port}"], ttl=600)
    kwargs = {} if wall_clock is None else {"wall_clock": lambda: wall_clock}
    async with SignalingServer(turn=turn, **kwargs) as server:  # type: ignore[arg-type]
        await server.start()
        async with SignalingClient(f"ws://127.0.0.1:{server.port}") as client:
            (ice_server,) = await client.turn_credentials()
    return ice_server


async def test_issued_credentials_allocate_on_coturn(coturn_port: int) -> None:
    ice_server = await _credentials(coturn_port)
    urls = ice_server["urls"]
    assert isinstance(urls, list)
    types, errors = await _allocate(
        urls[0], str(ice_server["username"]), str(ice_server["credential"])
    )
    assert (types, errors) == (["relay"], [])


async def test_expired_credentials_are_refused_by_coturn(coturn_port: int) -> None:
    ice_server = await _credentials(coturn_port, wall_clock=time.time() - 3600)
    urls = ice_server["urls"]
    assert isinstance(urls, list)
    types, errors = await _allocate(
        urls[0], str(ice_server["username"]), str(ice_server["credential"])
    )
    assert types == [] and errors == [401]
