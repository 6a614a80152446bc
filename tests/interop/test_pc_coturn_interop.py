"""Relay-only peer connection through Debian's coturn on 127.0.0.1: TURN over UDP, TCP and
TLS, long-term and REST credentials, configured the W3C way (``RTCIceServer`` and
``ice_transport_policy="relay"``). The TURN server is started and stopped by the test, with
the helpers of the ICE layer's own coturn test."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from purertc import (
    PurertcSettings,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
)
from tests.aio.test_aio_coturn import Coturn, _credentials, _start
from tests.pc.pc_helpers import (
    connect,
    echo_exchange,
    echo_incoming,
    loopback_configuration,
    message_set,
    wait_open,
)
from tests.support import require_program

pytestmark = [pytest.mark.interop, pytest.mark.timeout(60)]


@pytest.fixture(params=[False, True], ids=["long-term", "rest"])
def turn_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Coturn]:
    binary = require_program("turnserver")
    process, server = _start(binary, tmp_path, rest=request.param)
    yield server
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
async def test_relay_only_data_channel(turn_server: Coturn, transport: str) -> None:
    username, password = _credentials(turn_server)
    url = {
        "udp": f"turn:127.0.0.1:{turn_server.port}",
        "tcp": f"turn:localhost:{turn_server.port}?transport=tcp",
        "tls": f"turns:localhost:{turn_server.tls_port}",
    }[transport]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's self-signed coturn certificate
    relayed = RTCPeerConnection(
        RTCConfiguration(
            ice_servers=[RTCIceServer(url, username, password)],
            ice_transport_policy="relay",
            purertc=PurertcSettings(addresses=["127.0.0.1"], ssl_context=context),
        )
    )
    plain = RTCPeerConnection(loopback_configuration())
    echo_incoming(plain)
    channel = relayed.create_data_channel("relayed")
    gathered = []
    relayed.on("icecandidate", gathered.append)
    await connect(relayed, plain)
    await wait_open(channel, timeout=20)
    assert [c.candidate.split()[7] for c in gathered if c is not None] == ["relay"]
    await echo_exchange(channel, message_set(seed=30), timeout=20)
    report = await relayed.get_stats()
    (transport_stats,) = report.of_type("transport")
    pair = report[transport_stats["selectedCandidatePairId"]]
    assert report[pair["localCandidateId"]]["candidateType"] == "relay"
    await relayed.close()
    await plain.close()
