"""Long-term credentials (RFC 8489 §9.2) and TURN REST time-limited credentials.

OpaqueString (RFC 8265 §4.2) is done here with :mod:`unicodedata`: map non-ASCII spaces (Zs) to
U+0020, apply NFC, then refuse what the FreeformClass disallows (controls, unassigned code
points, surrogates, default-ignorable format characters) and the empty string. The width-mapping,
case-mapping and directionality rules of OpaqueString are all "none".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from typing import Literal

from .errors import StunError

Algorithm = Literal["MD5", "SHA-256"]

# FreeformClass "disallowed" approximated by general category: Cc (controls), Cs (surrogates),
# Cn (unassigned); plus the default-ignorable Cf code points RFC 8264 §9.13 lists as disallowed.
_DISALLOWED_CATEGORIES = frozenset(("Cc", "Cs", "Cn"))
_DEFAULT_IGNORABLE = frozenset(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFEFF, 0xFFA0]
    + list(range(0x180B, 0x1810))
    + list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2070))
    + list(range(0xFE00, 0xFE10))
    + list(range(0xFFF0, 0xFFF9))
    + list(range(0x1BCA0, 0x1BCA4))
    + list(range(0x1D173, 0x1D17B))
    + list(range(0xE0000, 0xE1000))
)


def opaque_string(value: str, field: str = "string") -> str:
    """Prepare and enforce ``value`` with the PRECIS OpaqueString profile (RFC 8265 §4.2)."""
    if value.isascii() and value.isprintable() and value:
        return value  # printable ASCII is unchanged by every rule
    mapped = "".join(" " if ch != " " and unicodedata.category(ch) == "Zs" else ch for ch in value)
    normalized = unicodedata.normalize("NFC", mapped)
    if not normalized:
        raise StunError(f"{field}: empty after OpaqueString preparation")
    for ch in normalized:
        point = ord(ch)
        if unicodedata.category(ch) in _DISALLOWED_CATEGORIES or point in _DEFAULT_IGNORABLE:
            raise StunError(f"{field}: code point U+{point:04X} is not allowed (OpaqueString)")
    return normalized


def long_term_key(username: str, realm: str, password: str, algorithm: Algorithm = "MD5") -> bytes:
    """``H(username ":" realm ":" password)`` after OpaqueString (RFC 8489 §9.2.2).

    MD5 gives the 16-byte key of RFC 5389 and PASSWORD-ALGORITHM MD5; SHA-256 the 32-byte one.
    """
    material = ":".join(
        (
            opaque_string(username, "username"),
            opaque_string(realm, "realm"),
            opaque_string(password, "password"),
        )
    ).encode()
    if algorithm == "MD5":
        return hashlib.md5(material).digest()
    if algorithm == "SHA-256":
        return hashlib.sha256(material).digest()
    raise StunError(f"PASSWORD-ALGORITHM: unsupported algorithm {algorithm!r}")


def userhash(username: str, realm: str) -> bytes:
    """The USERHASH value: SHA-256(OpaqueString(username) ":" OpaqueString(realm)) (§14.4)."""
    material = f"{opaque_string(username, 'username')}:{opaque_string(realm, 'realm')}"
    return hashlib.sha256(material.encode()).digest()


# --- TURN REST API credentials (draft-uberti-behave-turn-rest, coturn --use-auth-secret) ---


def rest_password(secret: str, username: str) -> str:
    """``base64(HMAC-SHA1(secret, username))``: the password a server derives for a username."""
    digest = hmac.digest(secret.encode(), username.encode(), "sha1")
    return base64.b64encode(digest).decode()


def rest_credentials(secret: str, user: str, ttl: int, now: float) -> tuple[str, str]:
    """Time-limited ``(username, password)``: username ``"<expiry unix time>:<user>"``.

    ``now`` is the Unix time in seconds, supplied by the caller.
    """
    if ttl <= 0:
        raise StunError(f"REST credentials: ttl {ttl} must be positive")
    username = f"{int(now) + ttl}:{user}"
    return username, rest_password(secret, username)


def verify_rest_credentials(secret: str, username: str, password: str, now: float) -> bool:
    """True when ``password`` was issued for ``username`` with ``secret`` and has not expired."""
    expiry_text, sep, _ = username.partition(":")
    if not sep or not expiry_text.isdigit():
        return False
    if int(expiry_text) <= now:
        return False
    return hmac.compare_digest(rest_password(secret, username).encode(), password.encode())
