"""Two DTLS endpoints through the simulated network: handshake, keys, data, close."""

from __future__ import annotations

import pytest

from purertc.dtls import Closed, DtlsEndpoint, DtlsError, Failed, HandshakeComplete
from purertc.srtp import PROFILES
from tests.dtls.dtls_helpers import (
    certificate,
    completed,
    endpoint_pair,
    events_of,
    other_certificate,
    received_data,
)
from tests.netsim import Link, Simulation


def handshake(
    client: DtlsEndpoint, server: DtlsEndpoint, client_is_a: bool = True, **kw: object
) -> Simulation:
    a, b = (client, server) if client_is_a else (server, client)
    sim = Simulation(a, b, **kw)  # type: ignore[arg-type]
    client.start_handshake()
    server.start_handshake()
    sim.run_until(lambda: completed(sim), timeout=5)
    return sim


@pytest.mark.parametrize("client_is_a", [True, False])
def test_handshake_both_roles_agree_on_srtp_keys(client_is_a: bool) -> None:
    client, server = endpoint_pair()
    sim = handshake(client, server, client_is_a)
    assert client.state == server.state == "connected"
    c = events_of(sim, "a" if client_is_a else "b", HandshakeComplete)[0]
    s = events_of(sim, "b" if client_is_a else "a", HandshakeComplete)[0]
    assert c.protocol == s.protocol == "DTLSv1.2"
    assert c.cipher == "ECDHE-ECDSA-AES128-GCM-SHA256"
    assert c.srtp_profile is s.srtp_profile is PROFILES["SRTP_AEAD_AES_128_GCM"]
    assert c.srtp_keys is not None and s.srtp_keys is not None
    assert c.srtp_keys.local_key == s.srtp_keys.remote_key
    assert c.srtp_keys.local_salt == s.srtp_keys.remote_salt
    assert c.srtp_keys.remote_key == s.srtp_keys.local_key
    assert len(c.srtp_keys.local_key) == 16 and len(c.srtp_keys.local_salt) == 12
    assert c.srtp_keys.local_key != c.srtp_keys.remote_key
    assert c.remote_certificate == other_certificate().der
    assert s.remote_certificate == certificate().der


def test_application_data_both_ways_and_close_notify_from_client() -> None:
    client, server = endpoint_pair()
    assert client.state == "new"
    sim = handshake(client, server)
    client.send(b"hello server")
    server.send(b"hello client")
    big = bytes(range(256)) * 4
    client.send(big)
    sim.run_until(lambda: len(received_data(sim, "b")) == 2 and received_data(sim, "a"), 1)
    assert received_data(sim, "b") == [b"hello server", big]
    assert received_data(sim, "a") == [b"hello client"]
    client.close()
    sim.run_until(lambda: bool(events_of(sim, "b", Closed)), 1)
    assert events_of(sim, "a", Closed) == [Closed("closed locally")]
    assert events_of(sim, "b", Closed) == [Closed("peer sent close_notify")]
    assert not client.is_connected and not server.is_connected
    assert client.state == server.state == "closed"
    with pytest.raises(DtlsError, match="not established"):
        client.send(b"late")


def test_close_notify_from_server_is_answered() -> None:
    client, server = endpoint_pair()
    sim = handshake(client, server)
    server.close()
    sim.flush()
    sent_before = sim.stats["a->b"].sent
    sim.run_until(lambda: bool(events_of(sim, "a", Closed)), 1)
    sim.run(sim.now + 1)
    assert events_of(sim, "a", Closed) == [Closed("peer sent close_notify")]
    assert sim.stats["a->b"].sent == sent_before + 1  # the client's own close_notify
    assert client.get_timer() is None and server.get_timer() is None


def test_send_before_handshake_and_oversized_send_are_refused() -> None:
    client, server = endpoint_pair()
    with pytest.raises(DtlsError, match="not established"):
        client.send(b"early")
    handshake(client, server)
    with pytest.raises(DtlsError, match="exceed"):
        client.send(bytes(2**14 + 1))
    assert 1100 < client.max_send_size < 1200
    client.send(bytes(client.max_send_size))
    (fits,) = client.datagrams_to_send(0.0)
    assert len(fits) == 1200  # the largest record that fits the MTU exactly
    client.send(bytes(client.max_send_size + 1))
    (too_big,) = client.datagrams_to_send(0.0)
    assert len(too_big) > 1200


@pytest.mark.parametrize(
    ("client_profiles", "server_profiles", "selected"),
    [
        (None, None, "SRTP_AEAD_AES_128_GCM"),
        # Chrome's order; the server's preference decides.
        (
            ["SRTP_AES128_CM_HMAC_SHA1_80", "SRTP_AEAD_AES_256_GCM", "SRTP_AEAD_AES_128_GCM"],
            ["SRTP_AEAD_AES_256_GCM", "SRTP_AES128_CM_HMAC_SHA1_80"],
            "SRTP_AEAD_AES_256_GCM",
        ),
        (["SRTP_AES128_CM_HMAC_SHA1_80"], None, "SRTP_AES128_CM_HMAC_SHA1_80"),
        (["SRTP_AES128_CM_HMAC_SHA1_32"], None, "SRTP_AES128_CM_HMAC_SHA1_32"),
        ([], None, None),
    ],
)
def test_srtp_profile_negotiation(
    client_profiles: list[str] | None, server_profiles: list[str] | None, selected: str | None
) -> None:
    client_cert, server_cert = certificate(), other_certificate()
    client = DtlsEndpoint(
        client_cert,
        "active",
        server_cert.fingerprints,
        **({} if client_profiles is None else {"srtp_profiles": client_profiles}),
    )
    server = DtlsEndpoint(
        server_cert,
        "passive",
        client_cert.fingerprints,
        **({} if server_profiles is None else {"srtp_profiles": server_profiles}),
    )
    sim = handshake(client, server)
    done = events_of(sim, "a", HandshakeComplete)[0]
    if selected is None:
        assert done.srtp_profile is None and done.srtp_keys is None
        return
    profile = PROFILES[selected]
    assert done.srtp_profile is profile
    assert events_of(sim, "b", HandshakeComplete)[0].srtp_profile is profile
    assert done.srtp_keys is not None
    assert len(done.srtp_keys.local_key) == len(done.srtp_keys.remote_key) == profile.key_length
    assert len(done.srtp_keys.local_salt) == profile.salt_length


def test_remote_fingerprints_can_arrive_after_construction() -> None:
    client_cert, server_cert = certificate(), other_certificate()
    client = DtlsEndpoint(client_cert, "client")
    server = DtlsEndpoint(server_cert, "server")
    client.set_remote_fingerprints([f"sha-256 {server_cert.fingerprint()}"])
    server.set_remote_fingerprints([("sha-384", client_cert.fingerprint("sha-384"))])
    handshake(client, server)


def test_hello_verify_request_cookie_exchange() -> None:
    client, server = endpoint_pair(hello_verify=True)
    flights: list[int] = []

    def watch(index: int, data: bytes) -> bool:
        flights.append(data[13])  # handshake type of the first record
        return False

    sim = Simulation(client, server, link_ba=Link(drop=watch))
    client.start_handshake()
    sim.run_until(lambda: completed(sim), timeout=5)
    assert flights[0] == 3  # HelloVerifyRequest before the ServerHello flight
    assert flights[1] == 2
    assert server.get_timer() is None


@pytest.mark.parametrize("mtu", [1200, 576])
def test_flights_fragment_to_the_mtu_with_big_rsa_certificates(mtu: int) -> None:
    big = certificate("rsa", 4096)
    assert len(big.der) > 1200
    client = DtlsEndpoint(big, "client", big.fingerprints, mtu=mtu)
    server = DtlsEndpoint(big, "server", big.fingerprints, mtu=mtu)
    sizes: list[int] = []
    sim = Simulation(
        client,
        server,
        link=Link(mtu=mtu, drop=lambda _i, data: sizes.append(len(data)) is not None),
    )
    client.start_handshake()
    sim.run_until(lambda: completed(sim), timeout=5)
    assert sim.stats["a->b"].oversize == sim.stats["b->a"].oversize == 0
    assert max(sizes) <= mtu
    assert sum(1 for size in sizes if size > mtu - 100) >= 2  # the certificate was split
    done = events_of(sim, "a", HandshakeComplete)[0]
    assert done.cipher == "ECDHE-RSA-AES128-GCM-SHA256"


def test_fingerprints_arriving_after_the_handshake_release_it() -> None:
    """A DTLS client may finish its handshake before our answer's fingerprints are applied:
    the peer's certificate waits, and nothing from the peer is delivered until it is checked."""
    client_cert, server_cert = certificate(), other_certificate()
    client = DtlsEndpoint(client_cert, "client", server_cert.fingerprints)
    server = DtlsEndpoint(server_cert, "server")  # no remote description yet
    sim = Simulation(client, server)
    client.start_handshake()
    sim.run_until(lambda: bool(events_of(sim, "a", HandshakeComplete)), timeout=5)
    sim.run(sim.now + 1)
    assert server.state == "connecting" and not sim.events["b"]
    client.send(b"too early")  # dropped: the server does not know who sent it yet
    sim.run(sim.now + 1)
    assert not sim.events["b"] and server.dropped_datagrams == 1
    with pytest.raises(DtlsError, match="not established"):
        server.send(b"nope")
    server.set_remote_fingerprints(client_cert.fingerprints)
    (done,) = list(iter(server.next_event, None))
    assert isinstance(done, HandshakeComplete) and done.remote_certificate == client_cert.der
    assert server.is_connected
    client.send(b"now")
    sim.run(sim.now + 1)
    assert received_data(sim, "b") == [b"now"]


def test_wrong_fingerprints_arriving_after_the_handshake_fail_it() -> None:
    client_cert, server_cert = certificate(), other_certificate()
    client = DtlsEndpoint(client_cert, "client", server_cert.fingerprints)
    server = DtlsEndpoint(server_cert, "server")
    sim = Simulation(client, server)
    client.start_handshake()
    sim.run(2)
    server.set_remote_fingerprints(server_cert.fingerprints)  # not the client's certificate
    sim.run(sim.now + 1)
    (failure,) = sim.events["b"]
    assert isinstance(failure, Failed) and "matches none" in failure.reason
    assert events_of(sim, "a", Closed) == [Closed("peer sent close_notify")]
    assert not events_of(sim, "b", HandshakeComplete)


def test_final_flight_is_answered_while_waiting_for_fingerprints() -> None:
    client_cert, server_cert = certificate(), other_certificate()
    client = DtlsEndpoint(client_cert, "client", server_cert.fingerprints)
    server = DtlsEndpoint(server_cert, "server")
    sim = Simulation(client, server, link_ba=Link(drop=lambda index, _data: index == 1))
    client.start_handshake()
    sim.run_until(lambda: bool(events_of(sim, "a", HandshakeComplete)), timeout=5)
    assert sim.stats["b->a"].lost == 1 and 1.0 <= sim.now < 2.0
