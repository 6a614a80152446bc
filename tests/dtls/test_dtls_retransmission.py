"""Handshake retransmission in simulated time (RFC 6347 §4.2.4): lost flights, random loss and
reordering, the back-off schedule, and giving up. No real time passes in these tests."""

from __future__ import annotations

import pytest
from OpenSSL import SSL

from purertc.dtls import DtlsEndpoint, Failed, HandshakeComplete
from tests.dtls.dtls_helpers import (
    certificate,
    completed,
    ended,
    endpoint_pair,
    events_of,
    received_data,
)
from tests.netsim import Link, Simulation


def drop_indices(*indices: int) -> Link:
    return Link(drop=lambda index, _data: index in indices)


def test_backoff_schedule_doubles_to_60_seconds_then_gives_up() -> None:
    client, server = endpoint_pair(max_retransmissions=8)
    sim = Simulation(client, server, link_ab=Link(loss=1.0))
    client.start_handshake()
    sim.flush()
    deadlines = []
    while (timer := client.get_timer()) is not None:
        deadlines.append(timer)
        sim.run(timer)
    assert deadlines == [1, 3, 7, 15, 31, 63, 123, 183, 243]
    assert sim.stats["a->b"].sent == 9  # the ClientHello and 8 retransmissions
    (failure,) = events_of(sim, "a", Failed)
    assert failure.reason == "handshake timed out after 8 retransmissions"


@pytest.mark.parametrize("client_is_a", [True, False])
@pytest.mark.parametrize(
    ("lost", "flight"),
    [
        ("client", 0),  # ClientHello
        ("server", 0),  # ServerHello ... ServerHelloDone
        ("client", 1),  # Certificate ... Finished
        ("server", 1),  # the server's final ChangeCipherSpec + Finished
    ],
)
def test_each_lost_flight_is_retransmitted(lost: str, flight: int, client_is_a: bool) -> None:
    client, server = endpoint_pair()
    a, b = (client, server) if client_is_a else (server, client)
    lossy = drop_indices(flight)
    client_link = "link_ab" if client_is_a else "link_ba"
    server_link = "link_ba" if client_is_a else "link_ab"
    sim = Simulation(a, b, **{client_link if lost == "client" else server_link: lossy})  # type: ignore[arg-type]
    client.start_handshake()
    sim.run_until(lambda: completed(sim), timeout=10)
    assert 1.0 <= sim.now < 2.0  # one retransmission timeout, on the simulated clock
    client_stats = sim.stats["a->b" if client_is_a else "b->a"]
    server_stats = sim.stats["b->a" if client_is_a else "a->b"]
    lossy_stats = client_stats if lost == "client" else server_stats
    assert lossy_stats.lost == 1
    assert lossy_stats.sent == 3  # two flights and the resent one
    total = client_stats.sent + server_stats.sent
    assert total <= 6  # 4 flights, the resend, and at most the peer's own timer resend
    # Then the connection works, and nothing keeps retransmitting.
    client.send(b"after loss")
    sim.run(sim.now + 120)
    assert received_data(sim, "b" if client_is_a else "a") == [b"after loss"]
    assert client_stats.sent + server_stats.sent == total + 1
    assert client.get_timer() is None and server.get_timer() is None


@pytest.mark.parametrize("seed", range(8))
def test_random_loss_and_reordering(seed: int) -> None:
    client, server = endpoint_pair()
    link = Link(loss=0.3, reorder=0.3, reorder_delay=0.05, jitter=0.02, duplicate=0.1)
    sim = Simulation(client, server, link=link, seed=seed)
    client.start_handshake()
    sim.run_until(lambda: completed(sim), timeout=120)
    keys = [events_of(sim, n, HandshakeComplete)[0].srtp_keys for n in ("a", "b")]
    assert keys[0] is not None and keys[1] is not None
    assert keys[0].local_key == keys[1].remote_key


def test_loss_of_fragments_of_a_big_flight() -> None:
    big = certificate("rsa", 4096)
    client = DtlsEndpoint(big, "client", big.fingerprints)
    server = DtlsEndpoint(big, "server", big.fingerprints)
    # The server's first flight spans several datagrams: lose its second one only.
    sim = Simulation(
        client, server, link=Link(mtu=1200), link_ba=Link(mtu=1200, drop=lambda i, _d: i == 1)
    )
    client.start_handshake()
    sim.run_until(lambda: completed(sim), timeout=10)
    assert sim.stats["b->a"].lost == 1
    assert sim.now >= 1.0


def test_timer_is_cleared_once_connected_and_server_waits_without_one() -> None:
    client, server = endpoint_pair()
    assert client.get_timer() is None and server.get_timer() is None
    server.start_handshake()
    assert server.datagrams_to_send(0.0) == [] and server.get_timer() is None
    client.start_handshake()
    (hello,) = client.datagrams_to_send(5.0)
    assert client.get_timer() == 6.0
    client.handle_timer(5.5)  # early: nothing happens
    assert client.datagrams_to_send(5.5) == [] and client.get_timer() == 6.0
    client.handle_timer(6.0)
    assert client.datagrams_to_send(6.0) == [hello]  # OpenSSL declined; the flight re-sent
    assert client.get_timer() == 8.0


def test_peer_that_never_answers_fails_the_server_too() -> None:
    client, server = endpoint_pair(max_retransmissions=2)
    sim = Simulation(client, server, link_ba=Link(loss=1.0))
    client.start_handshake()
    sim.run_until(lambda: ended(sim, "a") and ended(sim, "b"), timeout=60)
    assert "timed out" in events_of(sim, "b", Failed)[0].reason


def test_openssl_resending_by_itself_does_not_restart_the_back_off() -> None:
    """When OpenSSL's wall-clock timer runs out during a read it re-sends the flight itself
    (no way to force that in simulated time, so the BIO output is replayed here)."""
    client, server = endpoint_pair()
    client.start_handshake()
    (hello,) = client.datagrams_to_send(0.0)
    client.handle_timer(1.0)
    assert client.datagrams_to_send(1.0) == [hello] and client.get_timer() == 3.0
    client._read_output = lambda: hello  # type: ignore[method-assign]
    client._take_flight(complete=False)
    assert client.datagrams_to_send(1.5) == [hello]
    assert client.get_timer() == 3.0  # still the doubled interval, not 1.5 + 1
    del client._read_output  # back to reading OpenSSL
    server.receive(hello, 1.5)
    for datagram in server.datagrams_to_send(1.5):
        client.receive(datagram, 2.5)
    assert client.datagrams_to_send(2.5)  # the next flight: the timer starts over
    assert client.get_timer() == 3.5


def test_openssl_will_not_retransmit_before_its_wall_clock_timer() -> None:
    """The premise of the endpoint's own timer: OpenSSL's DTLS timer is wall-clock only."""
    connection = SSL.Connection(SSL.Context(SSL.DTLS_METHOD), None)
    connection.set_connect_state()
    with pytest.raises(SSL.WantReadError):
        connection.do_handshake()
    assert connection.bio_read(65536)[13] == 1  # the ClientHello
    remaining = connection.DTLSv1_get_timeout()
    assert remaining is not None and 0.5 < remaining <= 1.0
    assert connection.DTLSv1_handle_timeout() is False
    with pytest.raises(SSL.WantReadError):
        connection.bio_read(65536)  # nothing re-sent


def test_peer_retransmission_is_answered_at_once() -> None:
    """RFC 6347 §4.2.4: a re-sent ClientHello means our flight was lost: answer it before our
    own timer, and restart that timer; a duplicate soon after is not answered twice."""
    client, server = endpoint_pair()
    client.start_handshake()
    (hello,) = client.datagrams_to_send(0.0)
    server.receive(hello, 0.0)
    flight = server.datagrams_to_send(0.0)  # lost
    assert flight and server.get_timer() == 1.0
    server.receive(hello, 0.3)  # a peer whose timer is shorter than ours re-sends early
    assert server.datagrams_to_send(0.3) == []  # too soon after our own send: a duplicate
    server.receive(hello, 0.6)
    assert server.datagrams_to_send(0.6) == flight
    assert server.get_timer() == 1.6
    server.receive(hello, 0.7)  # the network duplicated it
    assert server.datagrams_to_send(0.7) == []
    # The client likewise answers the server's re-sent flight with its own lost one.
    for datagram in flight:
        client.receive(datagram, 0.8)
    answer = client.datagrams_to_send(0.8)  # Certificate ... Finished: lost
    for datagram in flight:
        client.receive(datagram, 1.6)
    assert client.datagrams_to_send(1.6) == answer
    assert client.get_timer() == 2.6
