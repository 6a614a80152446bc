"""What our ClientHello offers (RFC 6347 §4.2.1, RFC 5764 §4.1.1, RFC 7627, RFC 8827 §6.5)."""

from __future__ import annotations

import struct

from purertc.dtls import DtlsEndpoint
from purertc.dtls.framing import CLIENT_HELLO, DTLS_1_2, parse_handshake_fragments, parse_records
from purertc.srtp import PROFILES
from tests.dtls.dtls_helpers import certificate, other_certificate

EXT_USE_SRTP, EXT_EXTENDED_MASTER_SECRET, EXT_SUPPORTED_VERSIONS = 0x000E, 0x0017, 0x002B
EXT_SESSION_TICKET, EXT_RENEGOTIATION_INFO = 0x0023, 0xFF01


def client_hello(endpoint: DtlsEndpoint) -> tuple[int, list[int], dict[int, bytes]]:
    """(client_version, cipher_suites, extensions) of the endpoint's first flight."""
    endpoint.start_handshake()
    (datagram,) = endpoint.datagrams_to_send(0.0)
    (record,) = parse_records(datagram)
    (fragment,) = parse_handshake_fragments(record.fragment)
    assert fragment.msg_type == CLIENT_HELLO and fragment.length == len(fragment.body)
    body = fragment.body
    version = struct.unpack_from("!H", body, 0)[0]
    offset = 2 + 32
    offset += 1 + body[offset]  # session_id
    offset += 1 + body[offset]  # cookie (DTLS)
    suites_length = struct.unpack_from("!H", body, offset)[0]
    suites = list(struct.unpack_from(f"!{suites_length // 2}H", body, offset + 2))
    offset += 2 + suites_length
    offset += 1 + body[offset]  # compression methods
    end = offset + 2 + struct.unpack_from("!H", body, offset)[0]
    offset += 2
    extensions: dict[int, bytes] = {}
    while offset < end:
        ext_type, ext_length = struct.unpack_from("!HH", body, offset)
        extensions[ext_type] = body[offset + 4 : offset + 4 + ext_length]
        offset += 4 + ext_length
    return version, suites, extensions


def test_client_hello_offers_dtls12_ecdhe_aead_ems_and_srtp_profiles_in_order() -> None:
    endpoint = DtlsEndpoint(certificate(), "client", other_certificate().fingerprints)
    version, suites, extensions = client_hello(endpoint)
    assert version == DTLS_1_2
    assert suites[0] == 0xC02B  # TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (RFC 8827 §6.5)
    assert {0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8} <= set(suites)  # the other browser suites
    assert EXT_EXTENDED_MASTER_SECRET in extensions  # RFC 7627
    assert EXT_SESSION_TICKET not in extensions  # no resumption: no ticket
    assert EXT_SUPPORTED_VERSIONS not in extensions  # DTLS 1.2 only: no 1.3 offer
    assert EXT_RENEGOTIATION_INFO in extensions or 0x00FF in suites  # RFC 5746 signal
    srtp = extensions[EXT_USE_SRTP]
    length = struct.unpack_from("!H", srtp, 0)[0]
    offered = list(struct.unpack_from(f"!{length // 2}H", srtp, 2))
    assert offered == [PROFILES[name].profile_id for name in (
        "SRTP_AEAD_AES_128_GCM",
        "SRTP_AEAD_AES_256_GCM",
        "SRTP_AES128_CM_HMAC_SHA1_80",
        "SRTP_AES128_CM_HMAC_SHA1_32",
    )]  # fmt: skip
    assert srtp[2 + length :] == b"\x00"  # empty MKI


def test_no_srtp_profiles_means_no_use_srtp_extension() -> None:
    endpoint = DtlsEndpoint(certificate(), "client", srtp_profiles=[])
    _, _, extensions = client_hello(endpoint)
    assert EXT_USE_SRTP not in extensions
