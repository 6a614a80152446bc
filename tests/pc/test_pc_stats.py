"""get_stats(): the W3C report of a connected data-channel peer connection."""

from __future__ import annotations

import pytest

from purertc import RTCPeerConnection
from tests.pc.pc_helpers import (
    connect,
    echo_exchange,
    echo_incoming,
    loopback_configuration,
    wait_open,
)

pytestmark = pytest.mark.timeout(30)


async def test_stats_report_of_a_connected_pair() -> None:
    a = RTCPeerConnection(loopback_configuration())
    b = RTCPeerConnection(loopback_configuration())
    before = await a.get_stats()
    assert [s["type"] for s in before.values()] == ["peer-connection", "certificate"]
    echo_incoming(b)
    channel = a.create_data_channel("stats", protocol="p")
    await connect(a, b)
    await wait_open(channel)
    await echo_exchange(channel, ["1234é", b"678"])
    report = await a.getStats()  # type: ignore[attr-defined]
    (pc,) = report.of_type("peer-connection")
    assert pc["dataChannelsOpened"] == 1 and pc["dataChannelsClosed"] == 0
    (transport,) = report.of_type("transport")
    assert transport["dtlsState"] == "connected" and transport["iceState"] in (
        "connected",
        "completed",
    )
    assert transport["dtlsRole"] == "server"  # a offered: b answered active
    assert transport["tlsVersion"].startswith("DTLS")
    assert transport["bytesSent"] > 0 and transport["bytesReceived"] > 0
    pair = report[transport["selectedCandidatePairId"]]
    assert pair["type"] == "candidate-pair" and pair["state"] == "succeeded"
    assert pair["bytesSent"] == transport["bytesSent"] and pair["requestsSent"] > 0
    local = report[pair["localCandidateId"]]
    remote = report[pair["remoteCandidateId"]]
    assert local["type"] == "local-candidate" and local["address"] == "127.0.0.1"
    assert remote["type"] == "remote-candidate" and remote["protocol"] == "udp"
    ours = report[transport["localCertificateId"]]
    theirs = report[transport["remoteCertificateId"]]
    assert ours["fingerprint"] == a.certificate.fingerprint()
    assert theirs["fingerprint"] == b.certificate.fingerprint()
    (data,) = report.of_type("data-channel")
    assert data["label"] == "stats" and data["protocol"] == "p" and data["state"] == "open"
    assert (data["messagesSent"], data["bytesSent"]) == (2, 9)
    assert (data["messagesReceived"], data["bytesReceived"]) == (2, 9)
    await a.close()
    await b.close()
