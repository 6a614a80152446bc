"""Fuzz the DTLS framing parsers and the endpoint: only DtlsError may escape a parser, and
nothing at all may escape ``DtlsEndpoint.receive`` (garbage is dropped or ends the connection
with a ``Failed`` event)."""

from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from purertc.dtls import DtlsEndpoint, DtlsError, Failed, parse_fingerprint
from purertc.dtls.framing import parse_handshake_fragments, parse_records
from tests.dtls.dtls_helpers import (
    certificate,
    endpoint_pair,
    other_certificate,
    pcapng_udp_datagrams,
)
from tests.netsim import Simulation
from tests.support import vector_path

CAPTURES = [
    "dtls/chrome124_dtls12_handshake.pcapng",
    "dtls/chrome147_dtls13_pq_clienthello_fragmented.pcapng",
    "dtls/firefox153_dtls12_handshake.pcapng",
]


@cache
def seeds() -> list[bytes]:
    return [
        d.payload for name in CAPTURES for d in pcapng_udp_datagrams(vector_path(name).read_bytes())
    ]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real captured datagram, truncated, bit-flipped, or with a length field corrupted."""
    data = bytearray(draw(st.sampled_from(seeds())))
    kind = draw(st.sampled_from(["truncate", "flip", "length", "splice"]))
    if kind == "truncate":
        del data[draw(st.integers(0, len(data))) :]
    elif kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
    elif kind == "length":  # the record length (11-12) or a handshake length (14-16, 22-24)
        i = draw(st.sampled_from([11, 12, 14, 15, 16, 22, 23, 24]))
        data[i] = draw(st.integers(0, 255))
    else:
        data[draw(st.integers(0, len(data))) :] = draw(st.binary(max_size=40))
    return bytes(data)


inputs = st.one_of(st.binary(max_size=1500), mutated())


def _records_only_dtls_error(data: bytes) -> None:
    try:
        records = parse_records(data)
    except DtlsError:
        return
    assert b"".join(r.serialize() for r in records) == data
    for record in records:
        if record.content_type == 22 and record.epoch == 0:
            try:
                fragments = parse_handshake_fragments(record.fragment)
            except DtlsError:
                continue
            assert b"".join(f.serialize() for f in fragments) == record.fragment


@given(inputs)
def test_record_parsers_raise_only_dtls_error(data: bytes) -> None:
    _records_only_dtls_error(data)


def test_record_parsers_byte_at_a_time_prefixes() -> None:
    for seed in seeds():
        for end in range(len(seed) + 1):
            _records_only_dtls_error(seed[:end])


@given(st.text(max_size=120))
def test_fingerprint_parser_raises_only_dtls_error(text: str) -> None:
    try:
        algorithm, value = parse_fingerprint(text)
    except DtlsError:
        return
    assert parse_fingerprint(f"{algorithm} {value}") == (algorithm, value)


@given(st.lists(inputs, min_size=1, max_size=4))
def test_server_receive_never_raises_during_handshake(datagrams: list[bytes]) -> None:
    server = DtlsEndpoint(other_certificate(), "server", certificate().fingerprints)
    for now, datagram in enumerate(datagrams):
        server.receive(datagram, float(now))
        server.datagrams_to_send(float(now))
        while (event := server.next_event()) is not None:
            assert isinstance(event, Failed) and event.reason


@given(st.lists(inputs, min_size=1, max_size=4))
def test_client_receive_never_raises_while_waiting_for_the_server(datagrams: list[bytes]) -> None:
    client = DtlsEndpoint(certificate(), "client", other_certificate().fingerprints)
    client.start_handshake()
    client.datagrams_to_send(0.0)
    for now, datagram in enumerate(datagrams):
        client.receive(datagram, float(now))
        client.handle_timer(float(now))
        client.datagrams_to_send(float(now))
        while (event := client.next_event()) is not None:
            assert isinstance(event, Failed) and event.reason


@cache
def _connected_client_flight() -> tuple[list[bytes], list[bytes]]:
    """The datagrams of one recorded handshake, each direction."""
    client, server = endpoint_pair()
    sim = Simulation(client, server)
    seen: dict[str, list[bytes]] = {"a": [], "b": []}
    for name in ("a", "b"):
        core = sim.cores[name]
        original = core.datagrams_to_send

        def tap(now: float, original=original, name=name) -> list[bytes]:  # type: ignore[no-untyped-def]
            out = original(now)
            seen[name].extend(out)
            return out

        core.datagrams_to_send = tap  # type: ignore[method-assign]
    client.start_handshake()
    sim.run(2.0)
    client.send(b"application data")
    sim.run(3.0)
    return seen["a"], seen["b"]


@given(st.lists(st.one_of(inputs, st.sampled_from(_connected_client_flight()[0])), max_size=6))
def test_connected_server_receive_never_raises(datagrams: list[bytes]) -> None:
    client, server = endpoint_pair()
    sim = Simulation(client, server)
    client.start_handshake()
    sim.run(2.0)
    assert server.is_connected
    for datagram in datagrams:
        server.receive(datagram, sim.now)
        mutilated = bytearray(datagram)
        if mutilated:
            mutilated[-1] ^= 0xFF  # a corrupted ciphertext: fails authentication, dropped
            server.receive(bytes(mutilated), sim.now)
    sim.flush()
    assert not [e for e in sim.events["b"] if isinstance(e, Failed)]
