"""The State Cookie of INIT ACK (RFC 9260 §5.1.3): everything the listener needs to build the
association, signed so that no state is kept until the peer proves its address with COOKIE ECHO.

Layout (ours; the cookie is opaque to the peer)::

    created (float64) | lifetime (float64) | local tag | local initial TSN | peer tag |
    peer initial TSN | peer a_rwnd | peer outbound streams (16) | peer inbound streams (16) |
    n (8) | n chunk types the peer supports | HMAC-SHA256 over all of it (32)
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

_FIXED = struct.Struct("!ddIIIIIHHB")
_MAC_SIZE = 32


@dataclass(frozen=True, slots=True)
class CookieContents:
    created: float
    lifetime: float
    local_tag: int
    local_initial_tsn: int
    peer_tag: int
    peer_initial_tsn: int
    peer_rwnd: int
    peer_outbound_streams: int
    peer_inbound_streams: int
    peer_extensions: frozenset[int]

    @property
    def expires(self) -> float:
        return self.created + self.lifetime


def make_cookie(key: bytes, contents: CookieContents) -> bytes:
    extensions = bytes(sorted(contents.peer_extensions))[:255]
    body = (
        _FIXED.pack(
            contents.created,
            contents.lifetime,
            contents.local_tag,
            contents.local_initial_tsn,
            contents.peer_tag,
            contents.peer_initial_tsn,
            contents.peer_rwnd,
            contents.peer_outbound_streams,
            contents.peer_inbound_streams,
            len(extensions),
        )
        + extensions
    )
    return body + hmac.new(key, body, hashlib.sha256).digest()


def open_cookie(key: bytes, cookie: bytes) -> CookieContents | None:
    """The contents of a cookie we signed, or None when it is malformed or forged."""
    if len(cookie) < _FIXED.size + _MAC_SIZE:
        return None
    body, mac = cookie[:-_MAC_SIZE], cookie[-_MAC_SIZE:]
    if not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest()):
        return None
    created, lifetime, tag, tsn, peer_tag, peer_tsn, rwnd, outbound, inbound, count = (
        _FIXED.unpack_from(body)
    )
    if len(body) != _FIXED.size + count:
        return None
    extensions = frozenset(body[_FIXED.size :])
    return CookieContents(
        created, lifetime, tag, tsn, peer_tag, peer_tsn, rwnd, outbound, inbound, extensions
    )
