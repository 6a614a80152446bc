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
    assert pair["nominated"] is True and pair["transportId"] == transport["id"]
    # Every DTLS datagram went over the selected pair.
    assert pair["bytesSent"] == transport["bytesSent"]
    assert pair["bytesReceived"] == transport["bytesReceived"]
    assert pair["packetsSent"] == transport["packetsSent"] > 0
    assert pair["packetsReceived"] == transport["packetsReceived"] > 0
    assert pair["requestsSent"] > 0 and pair["responsesReceived"] > 0
    assert pair["requestsReceived"] > 0 and pair["responsesSent"] > 0
    # Loopback: the STUN round trip is measured, positive and small.
    assert 0 < pair["currentRoundTripTime"] < 0.5
    assert 0 < pair["totalRoundTripTime"] < 0.5 * pair["responsesReceived"]
    assert pair["timestamp"] - 60_000 < pair["lastPacketSentTimestamp"] <= pair["timestamp"]
    assert pair["lastPacketReceivedTimestamp"] <= pair["timestamp"]
    # One entry per pair of the agent, each naming its candidates; one is selected.
    pairs = report.of_type("candidate-pair")
    assert pair in pairs
    for entry in pairs:
        assert report[entry["localCandidateId"]]["type"] == "local-candidate"
        assert report[entry["remoteCandidateId"]]["type"] == "remote-candidate"
        if entry is not pair:
            assert entry["bytesSent"] == entry["packetsSent"] == 0
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
    # Bytes grow on the pair after one more message.
    await echo_exchange(channel, [b"x" * 1000])
    after = (await a.get_stats())[pair["id"]]
    assert after["bytesSent"] >= pair["bytesSent"] + 1000
    assert after["bytesReceived"] >= pair["bytesReceived"] + 1000
    assert after["packetsSent"] > pair["packetsSent"]
    await a.close()
    await b.close()
