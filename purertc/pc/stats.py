"""``get_stats()``: the W3C stats report (webrtc-stats) for a data-channel connection.

A report maps stats ids to dictionaries with W3C member names (camelCase, as browsers and
aiortc report them): ``peer-connection``, ``transport``, ``candidate-pair``,
``local-candidate``/``remote-candidate``, ``certificate`` (ours and the peer's) and one
``data-channel`` entry per channel. Every candidate pair of the ICE agent has an entry with
its own counters (:meth:`purertc.ice.Agent.pair_stats`): STUN requests and responses, the
round-trip times they measured, and the DTLS datagrams it carried; the transport names the
selected one in ``selectedCandidatePairId``.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable
from typing import Any

from purertc.dtls import Certificate, compute_fingerprint
from purertc.ice import Agent, Candidate, PairStats

from .datachannel import RTCDataChannel
from .stack import ConnectionStack

Stats = dict[str, Any]


class RTCStatsReport(dict[str, Stats]):
    """W3C ``RTCStatsReport``: a mapping from stats id to a stats dictionary."""

    def of_type(self, kind: str) -> list[Stats]:
        return [stats for stats in self.values() if stats["type"] == kind]


def _candidate_id(prefix: str, candidate: Candidate) -> str:
    return f"{prefix}-{candidate.address}-{candidate.port}-{candidate.type}"


def _candidate_stats(kind: str, ident: str, candidate: Candidate, timestamp: float) -> Stats:
    return {
        "id": ident,
        "type": kind,
        "timestamp": timestamp,
        "transportId": "T01",
        "address": candidate.address,
        "port": candidate.port,
        "protocol": candidate.transport,
        "candidateType": candidate.type,
        "priority": candidate.priority,
        "foundation": candidate.foundation,
    }


def _certificate_stats(ident: str, der: bytes, timestamp: float) -> Stats:
    return {
        "id": ident,
        "type": "certificate",
        "timestamp": timestamp,
        "fingerprint": compute_fingerprint(der, "sha-256"),
        "fingerprintAlgorithm": "sha-256",
        "base64Certificate": base64.b64encode(der).decode(),
    }


def build_report(
    *,
    agent: Agent | None,
    stack: ConnectionStack | None,
    certificate: Certificate,
    channels: Iterable[RTCDataChannel],
    opened: int,
    closed: int,
    ice_state: str,
    clock: float,
) -> RTCStatsReport:
    """The report now; ``clock`` is the current time on the agent's clock (the loop's)."""
    timestamp = time.time() * 1000.0  # W3C DOMHighResTimeStamp: milliseconds
    report = RTCStatsReport()
    report["P"] = {
        "id": "P",
        "type": "peer-connection",
        "timestamp": timestamp,
        "dataChannelsOpened": opened,
        "dataChannelsClosed": closed,
    }
    for channel in channels:
        ident = f"D{channel.id}"
        report[ident] = {
            "id": ident,
            "type": "data-channel",
            "timestamp": timestamp,
            "label": channel.label,
            "protocol": channel.protocol,
            "dataChannelIdentifier": channel.id,
            "state": channel.ready_state,
            "messagesSent": channel.messages_sent,
            "bytesSent": channel.bytes_sent,
            "messagesReceived": channel.messages_received,
            "bytesReceived": channel.bytes_received,
        }
    local_cert = _certificate_stats("CFlocal", certificate.der, timestamp)
    report[local_cert["id"]] = local_cert
    if agent is None or stack is None:
        return report
    transport: Stats = {
        "id": "T01",
        "type": "transport",
        "timestamp": timestamp,
        "packetsSent": stack.packets_sent,
        "bytesSent": stack.bytes_sent,
        "packetsReceived": stack.packets_received,
        "bytesReceived": stack.bytes_received,
        "iceState": ice_state,
        "dtlsState": stack.dtls_state,
        "iceLocalUsernameFragment": agent.local_ufrag,
        "localCertificateId": local_cert["id"],
    }
    report["T01"] = transport
    if stack.dtls is not None:
        transport["dtlsRole"] = stack.dtls.role
    handshake = stack.handshake
    if handshake is not None:
        transport["tlsVersion"] = handshake.protocol
        transport["dtlsCipher"] = handshake.cipher
        remote_cert = _certificate_stats("CFremote", handshake.remote_certificate, timestamp)
        report[remote_cert["id"]] = remote_cert
        transport["remoteCertificateId"] = remote_cert["id"]
    for candidate in agent.local_candidates:
        ident = _candidate_id("L", candidate)
        report[ident] = _candidate_stats("local-candidate", ident, candidate, timestamp)
    for candidate in agent.remote_candidates:
        ident = _candidate_id("R", candidate)
        report[ident] = _candidate_stats("remote-candidate", ident, candidate, timestamp)
    # During an ICE restart the old selected pair comes last and may share its id with the
    # new session's pair on the same candidates: the selected one, carrying data, wins.
    for pair in agent.pair_stats():
        local_id = _candidate_id("L", pair.local)
        remote_id = _candidate_id("R", pair.remote)
        for ident, kind, candidate in (
            (local_id, "local-candidate", pair.local),
            (remote_id, "remote-candidate", pair.remote),
        ):
            report.setdefault(ident, _candidate_stats(kind, ident, candidate, timestamp))
        ident = f"CP{local_id}_{remote_id}"
        report[ident] = _pair_stats(ident, local_id, remote_id, pair, timestamp, clock)
        if pair.selected:
            transport["selectedCandidatePairId"] = ident
    return report


def _pair_stats(
    ident: str, local_id: str, remote_id: str, pair: PairStats, timestamp: float, clock: float
) -> Stats:
    """W3C ``RTCIceCandidatePairStats``; RTTs in seconds, the last-packet times in ms."""
    stats: Stats = {
        "id": ident,
        "type": "candidate-pair",
        "timestamp": timestamp,
        "transportId": "T01",
        "localCandidateId": local_id,
        "remoteCandidateId": remote_id,
        "state": pair.state.value,
        "nominated": pair.nominated,
        "priority": pair.priority,
        "requestsSent": pair.requests_sent,
        "requestsReceived": pair.requests_received,
        "responsesSent": pair.responses_sent,
        "responsesReceived": pair.responses_received,
        "consentRequestsSent": pair.consent_requests_sent,
        "packetsSent": pair.packets_sent,
        "packetsReceived": pair.packets_received,
        "bytesSent": pair.bytes_sent,
        "bytesReceived": pair.bytes_received,
        "totalRoundTripTime": pair.total_round_trip_time,
    }
    if pair.current_round_trip_time is not None:
        stats["currentRoundTripTime"] = pair.current_round_trip_time
    # The agent's times are on the event loop's clock (``clock`` is its now): as wall time.
    if pair.last_packet_sent_timestamp is not None:
        stats["lastPacketSentTimestamp"] = timestamp - (
            (clock - pair.last_packet_sent_timestamp) * 1000.0
        )
    if pair.last_packet_received_timestamp is not None:
        stats["lastPacketReceivedTimestamp"] = timestamp - (
            (clock - pair.last_packet_received_timestamp) * 1000.0
        )
    return stats
