"""The HMACs behind MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.5-14.6).

HMAC is computed from cached inner/outer hash states per key (RFC 2104): an ICE agent uses the
same short-term key for every check of a session, and building the two padded-key states is most
of the cost of a one-shot HMAC. The cache is bounded and holds no more than the key itself does.
"""

from __future__ import annotations

import hashlib
from typing import Any

_BLOCK_SIZE = 64  # SHA-1 and SHA-256 both have 64-byte blocks
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))
_CACHE_LIMIT = 256

_HashFactory = Any  # hashlib constructors are untyped callables returning hash objects
_sha1_states: dict[bytes, tuple[Any, Any]] = {}
_sha256_states: dict[bytes, tuple[Any, Any]] = {}


def _key_states(key: bytes, algorithm: str) -> tuple[Any, Any]:
    """The hash states after absorbing ``key XOR ipad`` and ``key XOR opad``, cached."""
    cache = _sha1_states if algorithm == "sha1" else _sha256_states
    cached = cache.get(key)
    if cached is not None:
        return cached
    factory: _HashFactory = hashlib.sha1 if algorithm == "sha1" else hashlib.sha256
    short_key = factory(key).digest() if len(key) > _BLOCK_SIZE else key
    padded = short_key.ljust(_BLOCK_SIZE, b"\x00")
    states = (factory(padded.translate(_IPAD)), factory(padded.translate(_OPAD)))
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = states
    return states


def hmac_sha1(key: bytes, data: bytes) -> bytes:
    """HMAC-SHA1(key, data), 20 bytes."""
    return _hmac(_sha1_states.get(key) or _key_states(key, "sha1"), data)


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    """HMAC-SHA256(key, data), 32 bytes."""
    return _hmac(_key_states(key, "sha256"), data)


def _hmac(states: tuple[Any, Any], data: bytes) -> bytes:
    """H(key XOR opad || H(key XOR ipad || data)) from the cached states, left untouched."""
    inner = states[0].copy()
    inner.update(data)
    outer = states[1].copy()
    outer.update(inner.digest())
    digest: bytes = outer.digest()
    return digest
