"""DTLS roles from a=setup (RFC 8842 §5.2-5.3) and how an endpoint starts in each role."""

from __future__ import annotations

import pytest

from purertc.dtls import DtlsEndpoint, answer_setup, role_from_setup
from tests.dtls.dtls_helpers import certificate, endpoint_pair, other_certificate


def test_role_from_negotiated_setup() -> None:
    assert role_from_setup("active") == "client"
    assert role_from_setup("PASSIVE") == "server"
    for value in ("actpass", "holdconn", ""):
        with pytest.raises(ValueError, match="a=setup"):
            role_from_setup(value)


def test_answerer_picks_active_for_actpass() -> None:
    assert answer_setup("actpass") == "active"
    assert answer_setup("passive") == "active"
    assert answer_setup("active") == "passive"
    with pytest.raises(ValueError, match="not valid in an offer"):
        answer_setup("holdconn")


def test_endpoint_accepts_setup_values_as_roles() -> None:
    assert DtlsEndpoint(certificate(), "active").role == "client"
    assert DtlsEndpoint(certificate(), "passive").role == "server"
    with pytest.raises(ValueError, match="role"):
        DtlsEndpoint(certificate(), "actpass")
    with pytest.raises(ValueError, match="mtu"):
        DtlsEndpoint(certificate(), "client", mtu=100)


def test_client_speaks_first_and_ignores_input_before_it_starts() -> None:
    client, server = endpoint_pair()
    server.start_handshake()
    assert server.datagrams_to_send(0.0) == []
    client.receive(b"\x16\xfe\xfd" + bytes(10), 0.0)  # before start_handshake: ignored
    assert client.datagrams_to_send(0.0) == [] and client.get_timer() is None
    client.start_handshake()
    client.start_handshake()  # idempotent
    (hello,) = client.datagrams_to_send(0.0)
    assert hello[0] == 22 and hello[13] == 1  # handshake record, ClientHello


def test_server_needs_no_start_call() -> None:
    client = DtlsEndpoint(certificate(), "client", other_certificate().fingerprints)
    server = DtlsEndpoint(other_certificate(), "server", certificate().fingerprints)
    client.start_handshake()
    for datagram in client.datagrams_to_send(0.0):
        server.receive(datagram, 0.0)
    assert server.datagrams_to_send(0.0)  # the ServerHello flight
