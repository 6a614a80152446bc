"""Captured browser ClientHellos fed to a server endpoint: it must answer with a DTLS 1.2
ServerHello flight, including to Chrome 147's DTLS 1.3 ClientHello whose post-quantum key
share splits it over two datagrams."""

from __future__ import annotations

import struct

import pytest

from purertc.dtls import DtlsEndpoint
from purertc.dtls.framing import (
    CLIENT_HELLO,
    DTLS_1_2,
    HANDSHAKE,
    SERVER_HELLO,
    parse_handshake_fragments,
    parse_records,
)
from tests.dtls.dtls_helpers import certificate, other_certificate, pcapng_udp_datagrams
from tests.support import load_json_vector, manifest, vector_path

PCAPS = [
    "dtls/chrome124_dtls12_handshake.pcapng",
    "dtls/chrome147_dtls13_pq_clienthello_fragmented.pcapng",
    "dtls/firefox153_dtls12_handshake.pcapng",
]
HANDSHAKE_NAMES = {
    1: "ClientHello",
    2: "ServerHello",
    11: "Certificate",
    12: "ServerKeyExchange",
    13: "CertificateRequest",
    14: "ServerHelloDone",
    15: "CertificateVerify",
    16: "ClientKeyExchange",
    4: "NewSessionTicket",
}
EXT_USE_SRTP, EXT_EXTENDED_MASTER_SECRET = 0x000E, 0x0017
SRTP_AEAD_AES_128_GCM = 0x0007


@pytest.mark.parametrize("name", PCAPS)
def test_pcapng_reader_and_record_parser_match_the_manifest(name: str) -> None:
    expected = manifest()[name]["expected"]["datagrams"]
    datagrams = pcapng_udp_datagrams(vector_path(name).read_bytes())
    assert len(datagrams) == len(expected)
    for datagram, want in zip(datagrams, expected, strict=True):
        assert f"{datagram.source[0]}:{datagram.source[1]}" == want["from"]
        assert f"{datagram.destination[0]}:{datagram.destination[1]}" == want["to"]
        assert len(datagram.payload) == want["udp_payload_bytes"]
        records = parse_records(datagram.payload)
        assert len(records) == len(want["records"])
        for record, rec in zip(records, want["records"], strict=True):
            assert record.content_type == rec["content_type"]
            assert f"{record.version:04x}" == rec["version"]
            assert (record.epoch, record.sequence_number) == (rec["epoch"], rec["sequence"])
            assert len(record.fragment) == rec["length"]
            if "handshake" in rec:
                (fragment,) = parse_handshake_fragments(record.fragment)
                assert HANDSHAKE_NAMES[fragment.msg_type] == rec["handshake"]
                assert fragment.message_seq == rec["message_seq"]
                assert fragment.fragment_offset == rec["fragment_offset"]
                assert fragment.fragment_length == rec["fragment_length"]
                assert fragment.length == rec["message_length"]


def client_hello_datagrams(name: str) -> list[bytes]:
    if name.endswith(".json"):
        return [bytes.fromhex(h) for h in load_json_vector(name)["udp_payload_datagrams_hex"]]
    datagrams = pcapng_udp_datagrams(vector_path(name).read_bytes())
    client = datagrams[0].source
    hello: list[bytes] = []
    for datagram in datagrams:
        if datagram.source != client:
            break
        hello.append(datagram.payload)
    first_hello = hello[: 1 if len(hello[0]) < 1200 else 2]  # chrome124 re-sent its hello
    return first_hello


def server_hello(flight: list[bytes]) -> tuple[int, int, dict[int, bytes]]:
    """(server_version, cipher_suite, extensions) of the ServerHello opening ``flight``."""
    record = parse_records(flight[0])[0]
    assert record.content_type == HANDSHAKE and record.version == DTLS_1_2
    fragment = parse_handshake_fragments(record.fragment)[0]
    assert fragment.msg_type == SERVER_HELLO
    body = fragment.body
    version = struct.unpack_from("!H", body, 0)[0]
    offset = 2 + 32
    offset += 1 + body[offset]  # session_id
    cipher = struct.unpack_from("!H", body, offset)[0]
    offset += 2 + 1  # cipher_suite, compression_method
    end = offset + 2 + struct.unpack_from("!H", body, offset)[0]
    offset += 2
    extensions: dict[int, bytes] = {}
    while offset < end:
        ext_type, ext_len = struct.unpack_from("!HH", body, offset)
        extensions[ext_type] = body[offset + 4 : offset + 4 + ext_len]
        offset += 4 + ext_len
    return version, cipher, extensions


CLIENT_HELLOS = [
    "dtls/chrome147_dtls13_pq_clienthello_fragmented.pcapng",
    "dtls/chrome147_clienthello_reassembled.json",
    "dtls/chrome138_clienthello.json",
    "dtls/chrome124_dtls12_handshake.pcapng",
    "dtls/firefox153_dtls12_handshake.pcapng",
]


FRAGMENTED = "dtls/chrome147_dtls13_pq_clienthello_fragmented.pcapng"


@pytest.mark.parametrize(
    ("name", "reverse"), [(name, False) for name in CLIENT_HELLOS] + [(FRAGMENTED, True)]
)
def test_browser_client_hello_gets_a_dtls12_server_hello_flight(name: str, reverse: bool) -> None:
    hello = client_hello_datagrams(name)
    first = parse_handshake_fragments(parse_records(hello[0])[0].fragment)[0]
    assert first.msg_type == CLIENT_HELLO
    server = DtlsEndpoint(other_certificate(), "passive", certificate().fingerprints)
    ordered = list(reversed(hello)) if reverse else hello
    for datagram in ordered[:-1]:
        server.receive(datagram, 0.0)
        assert server.datagrams_to_send(0.0) == []  # waits for the rest of the ClientHello
    server.receive(ordered[-1], 0.0)
    flight = server.datagrams_to_send(0.0)
    assert flight and all(len(d) <= 1200 for d in flight)
    assert server.next_event() is None
    assert server.get_timer() == 1.0  # the flight is now retransmitted until answered
    version, cipher, extensions = server_hello(flight)
    assert version == DTLS_1_2
    assert cipher == 0xC02B  # TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, offered by all
    assert EXT_EXTENDED_MASTER_SECRET in extensions
    # use_srtp: profile list <2 bytes length><profile>, then the MKI length byte.
    assert extensions[EXT_USE_SRTP] == struct.pack("!HHB", 2, SRTP_AEAD_AES_128_GCM, 0)
    types = [
        parse_handshake_fragments(r.fragment)[0].msg_type for d in flight for r in parse_records(d)
    ]
    # ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone: the
    # flight Chrome's and Firefox's own servers send (see the full-handshake captures).
    assert types == [SERVER_HELLO, 11, 12, 13, 14]
    assert len(flight) == 1  # an ECDSA certificate keeps it in one datagram, as theirs


def test_chrome147_hello_really_offers_dtls13_and_a_large_key_share() -> None:
    """The premise of the test above, checked on the vector's decoded fields."""
    expected = load_json_vector("dtls/chrome147_clienthello_reassembled.json")["expected"]
    extensions = {ext["name"]: ext for ext in expected["extensions"]}
    assert extensions["supported_versions"]["versions"] == ["fefc", "fefd"]  # DTLS 1.3 first
    assert "0x11ec" in extensions["supported_groups"]["groups"]  # X25519MLKEM768
    assert extensions["key_share"]["length"] > 1200
    hello = client_hello_datagrams(FRAGMENTED)
    assert len(hello) == 2
    assert parse_handshake_fragments(parse_records(hello[0])[0].fragment)[0].length > 1200
