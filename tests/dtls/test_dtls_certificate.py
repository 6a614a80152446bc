"""Certificates and SDP fingerprints (RFC 8122 §5, RFC 8842 §5)."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given
from hypothesis import strategies as st

from purertc.dtls import (
    HASH_ALGORITHMS,
    Certificate,
    DtlsError,
    compute_fingerprint,
    fingerprint_mismatch,
    parse_fingerprint,
)
from purertc.dtls.fingerprint import normalize_fingerprints
from tests.dtls.dtls_helpers import certificate, other_certificate


def test_generate_ecdsa_p256_self_signed_with_random_name() -> None:
    first, second = Certificate.generate(), Certificate.generate()
    assert isinstance(first.private_key, ec.EllipticCurvePrivateKey)
    assert first.private_key.curve.name == "secp256r1"
    assert first.x509.issuer == first.x509.subject
    assert first.x509.subject != second.x509.subject  # random common name
    assert first.fingerprints != second.fingerprints


def test_validity_defaults_to_30_days_and_is_configurable() -> None:
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = Certificate.generate(not_before=start)
    assert cert.x509.not_valid_before_utc == start
    assert cert.expires == start + datetime.timedelta(days=30)
    week = Certificate.generate(not_before=start, validity=datetime.timedelta(days=7))
    assert week.expires == start + datetime.timedelta(days=7)


def test_rsa_option_and_bad_key_type() -> None:
    cert = certificate("rsa")
    assert isinstance(cert.private_key, rsa.RSAPrivateKey)
    assert cert.private_key.key_size == 2048
    with pytest.raises(ValueError, match="key_type"):
        Certificate.generate(key_type="dsa")


def test_common_name_and_deterministic_name_source() -> None:
    cert = Certificate.generate(common_name="purertc-test")
    assert cert.x509.subject.rfc4514_string() == "CN=purertc-test"
    named = Certificate.generate(token_hex=lambda n: "ab" * n)
    assert named.x509.subject.rfc4514_string() == "CN=" + "ab" * 16


def test_pem_round_trip_through_files(tmp_path: Path) -> None:
    cert = certificate()
    cert.save(tmp_path / "cert.pem", tmp_path / "key.pem")
    assert (tmp_path / "key.pem").stat().st_mode & 0o077 == 0
    loaded = Certificate.load(tmp_path / "cert.pem", tmp_path / "key.pem")
    assert loaded.der == cert.der
    assert loaded.fingerprints == cert.fingerprints


def test_pem_errors_are_dtls_errors() -> None:
    with pytest.raises(DtlsError, match="certificate PEM"):
        Certificate.from_pem(b"not pem", certificate().private_key_pem())
    with pytest.raises(DtlsError, match="does not match the private key"):
        Certificate.from_pem(certificate().certificate_pem(), other_certificate().private_key_pem())


@pytest.mark.parametrize("algorithm", sorted(HASH_ALGORITHMS))
def test_fingerprint_matches_hashlib_in_sdp_form(algorithm: str) -> None:
    cert = certificate()
    digest = hashlib.new(HASH_ALGORITHMS[algorithm], cert.der).digest()
    value = cert.fingerprint(algorithm)
    assert value == ":".join(f"{b:02X}" for b in digest)
    assert fingerprint_mismatch(cert.der, [(algorithm, value)]) is None
    assert fingerprint_mismatch(cert.der, [(algorithm, value.lower())]) is None


def test_sdp_fingerprints_are_sha256() -> None:
    ((algorithm, value),) = certificate().fingerprints
    assert algorithm == "sha-256"
    assert len(value) == 32 * 3 - 1


def test_mismatch_reasons() -> None:
    cert, other = certificate(), other_certificate()
    reason = fingerprint_mismatch(cert.der, other.fingerprints)
    assert reason is not None and "matches none" in reason and cert.fingerprint() in reason
    # Unsupported hash functions are skipped; the strongest offered decides (RFC 8122 §5),
    # and any fingerprint with it may match (several certificates announced).
    mixed = [
        ("md5", "AB:CD"),
        ("sha-1", other.fingerprint("sha-1")),
        ("sha-512", cert.fingerprint("sha-512")),
    ]
    assert fingerprint_mismatch(cert.der, mixed) is None
    several = [("sha-256", other.fingerprint()), ("sha-256", cert.fingerprint())]
    assert fingerprint_mismatch(cert.der, several) is None
    downgrade = [("sha-1", cert.fingerprint("sha-1")), ("sha-256", other.fingerprint())]
    refused = fingerprint_mismatch(cert.der, downgrade)
    assert refused is not None and "sha-256" in refused  # a weak-hash match is not enough
    only_unknown = fingerprint_mismatch(cert.der, [("md5", "AB:CD")])
    assert only_unknown is not None and "supported hash function" in only_unknown
    assert fingerprint_mismatch(cert.der, []) is not None


def test_parse_fingerprint_line_values() -> None:
    value = certificate().fingerprint()
    assert parse_fingerprint(f"SHA-256 {value.lower()}") == ("sha-256", value)
    assert parse_fingerprint("x-future AB:CD") == ("x-future", "AB:CD")
    assert (
        normalize_fingerprints([f"sha-256 {value}", ("sha-256", value)]) == [("sha-256", value)] * 2
    )
    for bad in [
        "sha-256",
        "sha-256 AB:CD extra",
        "sha-256 ABC:DE",
        "sha-256 ZZ:00",
        "sha-256 AB:CD",
    ]:
        with pytest.raises(DtlsError, match="fingerprint"):
            parse_fingerprint(bad)
    with pytest.raises(DtlsError, match="not supported"):
        compute_fingerprint(b"", "md5")


@given(st.sampled_from(sorted(HASH_ALGORITHMS)), st.binary(max_size=64))
def test_fingerprint_round_trip(algorithm: str, der: bytes) -> None:
    value = compute_fingerprint(der, algorithm)
    assert parse_fingerprint(f"{algorithm} {value}") == (algorithm, value)
