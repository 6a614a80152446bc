"""What ends a DTLS connection badly, and what must not: wrong fingerprints, peer alerts,
garbage, truncated records, unknown epochs, replays."""

from __future__ import annotations

import pytest

from purertc.dtls import (
    ApplicationData,
    Certificate,
    Closed,
    DtlsEndpoint,
    DtlsError,
    Failed,
    HandshakeComplete,
)
from purertc.dtls.framing import (
    APPLICATION_DATA,
    CLIENT_HELLO,
    HANDSHAKE,
    HandshakeFragment,
    Record,
    parse_records,
)
from tests.dtls.dtls_helpers import (
    certificate,
    completed,
    ended,
    endpoint_pair,
    events_of,
    other_certificate,
    received_data,
)
from tests.netsim import Link, Simulation


@pytest.mark.parametrize("wrong_side", ["client", "server"])
def test_fingerprint_mismatch_fails_with_reason_and_alert(wrong_side: str) -> None:
    client_cert, server_cert, stranger = certificate(), other_certificate(), Certificate.generate()
    client = DtlsEndpoint(
        client_cert, "client", (stranger if wrong_side == "client" else server_cert).fingerprints
    )
    server = DtlsEndpoint(
        server_cert, "server", (stranger if wrong_side == "server" else client_cert).fingerprints
    )
    sim = Simulation(client, server)
    client.start_handshake()
    sim.run_until(lambda: ended(sim, "a") and ended(sim, "b"), timeout=5)
    checker, peer = ("a", "b") if wrong_side == "client" else ("b", "a")
    (failure,) = events_of(sim, checker, Failed)
    assert "fingerprint" in failure.reason and "matches none" in failure.reason
    assert failure.alert is not None  # the fatal alert we sent
    (peer_failure,) = events_of(sim, peer, Failed)
    assert peer_failure.alert == failure.alert  # ...arrived at the peer
    assert "peer sent fatal alert" in peer_failure.reason
    assert not events_of(sim, checker, HandshakeComplete)
    assert client.state == server.state == "failed"


def test_no_remote_fingerprint_fails_the_handshake() -> None:
    client = DtlsEndpoint(certificate(), "client", [("md5", "AB:CD")])
    server = DtlsEndpoint(other_certificate(), "server", certificate().fingerprints)
    sim = Simulation(client, server)
    client.start_handshake()
    sim.run_until(lambda: ended(sim, "a"), timeout=5)
    assert "supported hash function" in events_of(sim, "a", Failed)[0].reason


def test_incompatible_cipher_suites_surface_the_alert() -> None:
    _, server = endpoint_pair()
    client = DtlsEndpoint(
        certificate(), "client", other_certificate().fingerprints, ciphers=b"ECDHE-RSA-AES128-SHA"
    )
    sim = Simulation(client, server)
    client.start_handshake()
    sim.run_until(lambda: ended(sim, "a") and ended(sim, "b"), timeout=5)
    (failure,) = events_of(sim, "a", Failed)
    assert failure.alert == 40 and "handshake_failure" in failure.reason
    assert events_of(sim, "b", Failed)[0].alert == 40


def test_well_formed_but_bogus_handshake_message_fails_with_a_reason() -> None:
    client, server = endpoint_pair()
    bogus = HandshakeFragment(CLIENT_HELLO, 4, 0, 0, 4, b"\xfe\xfd\x00\x00")
    record = Record(HANDSHAKE, 0xFEFD, 0, 0, bogus.serialize())
    server.receive(record.serialize(), 0.0)  # must not raise
    (failure,) = list(iter(server.next_event, None))
    assert isinstance(failure, Failed) and failure.reason.startswith("DTLS error")
    assert failure.alert is not None
    assert server.datagrams_to_send(0.0)  # the fatal alert


def connected_pair() -> tuple[Simulation, DtlsEndpoint, DtlsEndpoint, list[bytes]]:
    """A connected pair; the list collects every datagram the client sends from now on."""
    client, server = endpoint_pair()
    sent: list[bytes] = []

    def tap(_index: int, data: bytes) -> bool:
        sent.append(data)
        return False

    sim = Simulation(client, server, link_ab=Link(drop=tap))
    client.start_handshake()
    sim.run_until(lambda: completed(sim), timeout=5)
    sent.clear()
    return sim, client, server, sent


GARBAGE = [
    b"",
    b"\x00",
    b"\x17",
    b"\x17\xfe\xfd",
    bytes(13),
    b"\x17\xfe\xfd\x00\x01\x00\x00\x00\x00\x00\x09\x00\x20",  # length past the end
    b"\x63\xfe\xfd" + bytes(10),  # unknown content type
    b"\x17\x03\x03" + bytes(10),  # TLS, not DTLS
    b"\x16\xfe\xfd" + bytes(8) + b"\x00\x05" + b"\x01" * 5,  # epoch-0 handshake junk
    b"\x15\xfe\xfd\x00\x01" + bytes(6) + b"\x00\x02\x02\x28",  # unprotected alert in epoch 1
    bytes(range(256)) * 5,
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_after_handshake_is_dropped(garbage: bytes) -> None:
    sim, client, server, _ = connected_pair()
    server.receive(garbage, sim.now)
    client.receive(garbage, sim.now)
    if garbage[:1] not in (b"\x15", b"\x16"):  # not framed as whole records: not even fed
        assert server.dropped_datagrams == client.dropped_datagrams == 1
    client.send(b"still fine")
    sim.run_until(lambda: bool(received_data(sim, "b")), timeout=1)
    assert received_data(sim, "b") == [b"still fine"]
    assert not events_of(sim, "a", Failed) and not events_of(sim, "b", Failed)


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_during_handshake_is_dropped(garbage: bytes) -> None:
    client, server = endpoint_pair()
    sim = Simulation(client, server)
    client.start_handshake()
    server.receive(garbage, 0.0)
    client.receive(garbage, 0.0)
    sim.run_until(lambda: completed(sim), timeout=5)


def test_truncated_unknown_epoch_and_replayed_records_are_dropped() -> None:
    sim, client, server, sent = connected_pair()
    client.send(b"one")
    sim.run_until(lambda: len(received_data(sim, "b")) == 1, timeout=1)
    (datagram,) = sent
    (record,) = parse_records(datagram)
    assert record.content_type == APPLICATION_DATA and record.epoch == 1
    server.receive(datagram, sim.now)  # replay
    server.receive(datagram[:-1], sim.now)  # truncated
    server.receive(datagram + datagram[:7], sim.now)  # replay with a truncated tail
    for epoch in (0, 2, 0xFFFF):
        moved = Record(
            record.content_type, record.version, epoch, record.sequence_number + 5, record.fragment
        )
        server.receive(moved.serialize(), sim.now)
    forged = Record(
        record.content_type, record.version, 1, record.sequence_number + 9, record.fragment
    )
    server.receive(forged.serialize(), sim.now)  # fails authentication: dropped (RFC 6347 §4.1.2.7)
    sim.flush()
    assert received_data(sim, "b") == [b"one"]
    client.send(b"two")
    sim.run_until(lambda: len(received_data(sim, "b")) == 2, timeout=1)
    assert received_data(sim, "b") == [b"one", b"two"]
    assert not events_of(sim, "b", Failed)


def test_several_records_in_one_datagram_are_all_delivered_once() -> None:
    sim, client, server, _ = connected_pair()
    for word in (b"a", b"b", b"c"):
        client.send(word)
    bundle = b"".join(client.datagrams_to_send(sim.now))  # taken off the wire by hand
    assert len(parse_records(bundle)) == 3
    server.receive(bundle, sim.now)
    server.receive(bundle, sim.now)  # the same three again: replays
    sim.flush()
    assert received_data(sim, "b") == [b"a", b"b", b"c"]


def test_data_and_close_notify_in_one_datagram() -> None:
    sim, client, server, _ = connected_pair()
    client.send(b"last words")
    client.close()
    bundle = b"".join(client.datagrams_to_send(sim.now))
    assert [r.content_type for r in parse_records(bundle)] == [APPLICATION_DATA, 21]
    server.receive(bundle, sim.now)
    assert list(iter(server.next_event, None)) == [
        ApplicationData(b"last words"),
        Closed("peer sent close_notify"),
    ]


def test_close_during_handshake_ends_quietly() -> None:
    client, server = endpoint_pair()
    client.start_handshake()
    assert client.state == "connecting"
    client.datagrams_to_send(0.0)
    client.close()
    assert client.datagrams_to_send(0.0) == [] and client.get_timer() is None
    assert list(iter(client.next_event, None)) == [Closed("closed locally")]
    client.close()  # idempotent
    with pytest.raises(DtlsError, match="not established"):
        client.send(b"x")


def test_datagrams_after_failure_or_close_are_ignored() -> None:
    sim, client, server, sent = connected_pair()
    client.send(b"x")
    sim.flush()
    server.close()
    sim.flush()
    for datagram in sent:
        server.receive(datagram, sim.now)
    assert server.datagrams_to_send(sim.now) == []
    assert received_data(sim, "b") == []
