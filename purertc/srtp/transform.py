"""The per-packet cryptography of each profile, once the packet index is known.

A transform holds the session keys of one master key, already turned into cipher objects, and
knows nothing of state: the backend estimates the index, checks the replay window, calls the
transform and only then records the packet. Two families (RFC 3711 §4, RFC 7714 §8-§9)::

    AES-CM + HMAC-SHA1   SRTP  = header | E(payload) | tag(header | E(payload) | ROC)
                         SRTCP = header | E(payload) | E-bit+index | tag(everything before it)
    AES-GCM (AEAD)       SRTP  = header | E(payload) + 16-byte tag        AAD = header
                         SRTCP = header | E(payload) + 16-byte tag | E-bit+index
                                                                  AAD = header | E-bit+index

The two families live in :mod:`purertc.srtp.aes_cm` and :mod:`purertc.srtp.aes_gcm`; this module
holds what they share: the interface, the SRTCP trailer constants and the authentication error.
"""

from __future__ import annotations

import struct
from typing import Protocol

from purertc.srtp.errors import SrtpError

SRTCP_E_BIT = 0x80000000
SRTCP_INDEX_MASK = 0x7FFFFFFF
SRTCP_INDEX_LENGTH = 4
U32 = struct.Struct("!I")


class Transform(Protocol):
    rtp_tag_length: int
    srtcp_trailer_length: int  # E-bit+index word and tag

    def protect_rtp(self, packet: bytes, header_length: int, ssrc: int, index: int) -> bytes: ...

    def unprotect_rtp(self, packet: bytes, header_length: int, ssrc: int, index: int) -> bytes:
        """Verify and decrypt; raise :class:`SrtpError` if the tag does not match."""
        ...

    def protect_rtcp(self, packet: bytes, ssrc: int, index: int) -> bytes: ...

    def srtcp_index_word(self, packet: bytes) -> int:
        """The E-bit and SRTCP index of a packet at least ``srtcp_trailer_length + 8`` long."""
        ...

    def unprotect_rtcp(self, packet: bytes, ssrc: int, index_word: int) -> bytes: ...


def authentication_failed(what: str) -> SrtpError:
    return SrtpError(f"{what} authentication failed (tag mismatch)")
