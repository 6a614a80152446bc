"""Certificate fingerprints as SDP carries them (RFC 8122 §5, RFC 8842 §5).

``a=fingerprint:sha-256 AB:CD:...`` binds the DTLS certificate to the signalling channel: after
(or during) the handshake the peer's certificate must hash to one of the fingerprints the remote
description listed. The hash names are the IANA "Hash Function Textual Names"; this module accepts
the SHA family browsers and RFC 8122 use and ignores the rest (md5/md2 are obsolete, §5).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from purertc.dtls.errors import DtlsError

# RFC 8122 §5 textual name -> hashlib name.
HASH_ALGORITHMS: dict[str, str] = {
    "sha-1": "sha1",
    "sha-224": "sha224",
    "sha-256": "sha256",
    "sha-384": "sha384",
    "sha-512": "sha512",
}
_STRENGTH = {name: rank for rank, name in enumerate(HASH_ALGORITHMS)}  # listed weakest first
_DIGEST_SIZES = {name: hashlib.new(lib).digest_size for name, lib in HASH_ALGORITHMS.items()}

_HEX_PAIRS = re.compile(r"[0-9A-F]{2}(?::[0-9A-F]{2})*")

Fingerprint = tuple[str, str]
"""``(algorithm, value)``: ``("sha-256", "AB:CD:...")``, upper-case hex pairs joined by colons."""


def compute_fingerprint(der: bytes, algorithm: str = "sha-256") -> str:
    """The fingerprint value of a DER certificate: ``"AB:CD:..."`` (RFC 8122 §5 syntax)."""
    name = algorithm.lower()
    if name not in HASH_ALGORITHMS:
        raise DtlsError(f"fingerprint algorithm {algorithm!r} is not supported")
    return hashlib.new(HASH_ALGORITHMS[name], der).digest().hex(":").upper()


def parse_fingerprint(text: str) -> Fingerprint:
    """Parse the value of an ``a=fingerprint`` line: ``"sha-256 AB:CD:..."``.

    Unknown algorithms are kept (lower-cased) so a caller can pass them through; the value is
    checked to be colon-separated hex pairs and, for known algorithms, the digest length.
    """
    parts = text.split()
    if len(parts) != 2:
        raise DtlsError(f"fingerprint: expected 'algorithm value', got {text!r}")
    algorithm, value = parts[0].lower(), parts[1].upper()
    if _HEX_PAIRS.fullmatch(value) is None:
        raise DtlsError(f"fingerprint value: expected colon-separated hex pairs, got {value!r}")
    raw = bytes.fromhex(value.replace(":", ""))
    expected = _DIGEST_SIZES.get(algorithm)
    if expected is not None and len(raw) != expected:
        raise DtlsError(
            f"fingerprint value: {algorithm} digest is {expected} bytes, got {len(raw)}"
        )
    return algorithm, value


def normalize_fingerprints(fingerprints: Iterable[Fingerprint | str]) -> list[Fingerprint]:
    """Accept ``(algorithm, value)`` pairs or ``"algorithm value"`` strings; return pairs."""
    result: list[Fingerprint] = []
    for item in fingerprints:
        if isinstance(item, str):
            result.append(parse_fingerprint(item))
        else:
            result.append(parse_fingerprint(f"{item[0]} {item[1]}"))
    return result


def fingerprint_mismatch(der: bytes, expected: Iterable[Fingerprint]) -> str | None:
    """Why ``der`` matches none of ``expected``, or ``None`` when it matches.

    RFC 8122 §5: fingerprints with hash functions we do not support are skipped. Of the rest,
    only those using the strongest hash function offered count, and any of them may match
    (several certificates may be announced). Checking only the strongest keeps a forged
    collision in a weak hash (sha-1 next to sha-256) from being enough.
    """
    supported = [(alg, value) for alg, value in expected if alg in HASH_ALGORITHMS]
    if not supported:
        offered = ", ".join(alg for alg, _ in expected) or "none"
        return f"no remote fingerprint with a supported hash function (offered: {offered})"
    algorithm = max((alg for alg, _ in supported), key=_STRENGTH.__getitem__)
    values = [value.upper() for alg, value in supported if alg == algorithm]
    actual = compute_fingerprint(der, algorithm)
    if actual in values:
        return None
    return (
        f"remote certificate fingerprint {algorithm} {actual} matches none of the "
        f"{len(values)} {algorithm} fingerprint(s) in the remote description"
    )
