"""Long-term keys with OpaqueString, USERHASH, and TURN REST time-limited credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.stun import (
    StunError,
    long_term_key,
    opaque_string,
    rest_credentials,
    rest_password,
    userhash,
    verify_rest_credentials,
)
from tests.support import load_json_vector


def test_rfc5769_long_term_key() -> None:
    credentials = load_json_vector("stun/rfc5769_2.4_long_term_auth_request.json")["credentials"]
    key = long_term_key(
        credentials["username"], credentials["realm"], credentials["password_after_saslprep"]
    )
    assert key.hex() == credentials["long_term_key_md5_hex"]


def test_rfc5769_printed_password_is_refused_by_opaque_string() -> None:
    """RFC 5769 printed the password before SASLprep: it holds U+00AD SOFT HYPHEN, which the
    PRECIS FreeformClass disallows (RFC 8489 moved from SASLprep to OpaqueString)."""
    credentials = load_json_vector("stun/rfc5769_2.4_long_term_auth_request.json")["credentials"]
    with pytest.raises(StunError, match="password: code point U\\+00AD"):
        long_term_key(
            credentials["username"], credentials["realm"], credentials["password_as_printed_in_rfc"]
        )


def test_sha256_long_term_key() -> None:
    expected = hashlib.sha256(b"user:realm:pass").digest()
    assert long_term_key("user", "realm", "pass", "SHA-256") == expected
    assert long_term_key("user", "realm", "pass") == hashlib.md5(b"user:realm:pass").digest()
    with pytest.raises(StunError, match="PASSWORD-ALGORITHM"):
        long_term_key("user", "realm", "pass", "SHA-1")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "prepared"),
    [
        ("correct horse", "correct horse"),
        ("a\u00a0b\u3000c", "a b c"),  # non-ASCII spaces map to U+0020
        ("e\u0301", "\u00e9"),  # NFC
        ("\uff21", "\uff21"),  # no width mapping in OpaqueString
        ("Ⅸ", "Ⅸ"),  # no compatibility mapping (NFC, not NFKC)
        ("Ab", "Ab"),  # no case mapping
    ],
)
def test_opaque_string_preparation(raw: str, prepared: str) -> None:
    assert opaque_string(raw) == prepared


@pytest.mark.parametrize(
    "raw", ["", "tab\there", "zero\u200bwidth", "\ufeffbom", "\U000e0001tag", "\ud800"]
)
def test_opaque_string_refuses(raw: str) -> None:
    with pytest.raises(StunError):
        opaque_string(raw, "password")


@given(st.text(min_size=1))
def test_opaque_string_is_idempotent_or_refuses(value: str) -> None:
    try:
        once = opaque_string(value)
    except StunError:
        return
    assert opaque_string(once) == once


def test_userhash() -> None:
    assert userhash("user", "realm") == hashlib.sha256(b"user:realm").digest()


def test_rest_credentials_match_coturn_formula() -> None:
    username, password = rest_credentials("north", "alice", ttl=86400, now=1_700_000_000.7)
    assert username == "1700086400:alice"
    digest = hmac.new(b"north", username.encode(), hashlib.sha1).digest()
    assert password == base64.b64encode(digest).decode()
    assert rest_password("north", username) == password


def test_rest_credentials_verify() -> None:
    username, password = rest_credentials("north", "alice", ttl=600, now=1000.0)
    assert verify_rest_credentials("north", username, password, now=1000.0)
    assert verify_rest_credentials("north", username, password, now=1599.9)
    assert not verify_rest_credentials("north", username, password, now=1600.0)  # expired
    assert not verify_rest_credentials("south", username, password, now=1000.0)  # wrong secret
    assert not verify_rest_credentials("north", "1600:mallory", password, now=1000.0)
    assert not verify_rest_credentials("north", "alice", password, now=1000.0)  # no expiry
    assert not verify_rest_credentials("north", "soon:alice", password, now=1000.0)
    with pytest.raises(StunError, match="ttl"):
        rest_credentials("north", "alice", ttl=0, now=1000.0)


def test_rest_credentials_feed_the_long_term_key() -> None:
    username, password = rest_credentials("north", "alice", ttl=600, now=1000.0)
    key = long_term_key(username, "example.org", password)
    assert key == hashlib.md5(f"{username}:example.org:{password}".encode()).digest()
