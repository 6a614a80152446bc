"""AES counter mode with HMAC-SHA1 tags: the RFC 3711 default transforms (§4.1.1, §4.2).

::

    SRTP  = header | AES-CM(payload) | tag                 tag = HMAC(header | E(payload) | ROC)
    SRTCP = header | AES-CM(payload) | E-bit+index | tag   tag = HMAC(everything before it)
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from purertc.srtp.headers import RTCP_HEADER_LENGTH
from purertc.srtp.kdf import SessionKeys
from purertc.srtp.transform import (
    SRTCP_E_BIT,
    SRTCP_INDEX_LENGTH,
    SRTCP_INDEX_MASK,
    U32,
    authentication_failed,
)


def aes_cm_iv(salt: int, ssrc: int, index: int) -> bytes:
    """The AES-CM counter block of block 0: ``(k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)``."""
    return ((salt ^ (ssrc << 48) ^ index) << 16).to_bytes(16, "big")


class AesCtr:
    """AES-CTR keystream XOR under one key, a fresh IV per packet (RFC 3711 §4.1.1).

    One cipher context is kept and re-seeded with ``reset_nonce`` (cryptography >= 43), which
    costs a third of building a new ``Cipher`` per packet; older versions build one per packet.
    """

    __slots__ = ("_aes", "_context")

    def __init__(self, key: bytes) -> None:
        self._aes = algorithms.AES(key)
        context = Cipher(self._aes, modes.CTR(bytes(16))).encryptor()
        self._context = context if hasattr(context, "reset_nonce") else None

    def xor(self, iv: bytes, data: bytes) -> bytes:
        context = self._context
        if context is None:
            return Cipher(self._aes, modes.CTR(iv)).encryptor().update(data)
        context.reset_nonce(iv)
        return context.update(data)


class HmacSha1:
    """HMAC-SHA1 (RFC 2104) with the keyed inner and outer states computed once per session."""

    __slots__ = ("_inner", "_outer", "_tag_length")

    def __init__(self, key: bytes, tag_length: int) -> None:
        if len(key) > 64:  # RFC 2104 §2; SRTP's 20-byte keys never are
            key = hashlib.sha1(key).digest()
        block = key.ljust(64, b"\x00")
        self._inner = hashlib.sha1(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha1(bytes(b ^ 0x5C for b in block))
        self._tag_length = tag_length

    def tag(self, data: bytes, suffix: bytes) -> bytes:
        """The tag of ``data || suffix``, truncated to the profile's length (§4.2.1)."""
        inner = self._inner.copy()
        inner.update(data)
        inner.update(suffix)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[: self._tag_length]


class AesCmHmacTransform:
    """AES in counter mode with HMAC-SHA1 tags (RFC 3711 §4.1.1, §4.2).

    The counter block (:func:`aes_cm_iv`) carries the session salt, SSRC and 48-bit index
    (31-bit SRTCP index) shifted clear of the 16-bit block counter. The SRTP tag covers the
    packet and the ROC; the SRTCP tag covers the packet and the E-bit+index word.
    """

    def __init__(
        self,
        rtp_keys: SessionKeys,
        rtcp_keys: SessionKeys,
        rtp_tag_length: int,
        rtcp_tag_length: int,
    ) -> None:
        self.rtp_tag_length = rtp_tag_length
        self.rtcp_tag_length = rtcp_tag_length
        self.srtcp_trailer_length = SRTCP_INDEX_LENGTH + rtcp_tag_length
        self._rtp_ctr = AesCtr(rtp_keys.encryption_key)
        self._rtp_salt = int.from_bytes(rtp_keys.salt, "big")
        self._rtp_hmac = HmacSha1(rtp_keys.authentication_key, rtp_tag_length)
        self._rtcp_ctr = AesCtr(rtcp_keys.encryption_key)
        self._rtcp_salt = int.from_bytes(rtcp_keys.salt, "big")
        self._rtcp_hmac = HmacSha1(rtcp_keys.authentication_key, rtcp_tag_length)

    def protect_rtp(self, packet: bytes, header_length: int, ssrc: int, index: int) -> bytes:
        iv = aes_cm_iv(self._rtp_salt, ssrc, index)
        body = packet[:header_length] + self._rtp_ctr.xor(iv, packet[header_length:])
        return body + self._rtp_hmac.tag(body, U32.pack(index >> 16))

    def unprotect_rtp(self, packet: bytes, header_length: int, ssrc: int, index: int) -> bytes:
        end = len(packet) - self.rtp_tag_length
        tag = self._rtp_hmac.tag(packet[:end], U32.pack(index >> 16))
        if not hmac.compare_digest(tag, packet[end:]):
            raise authentication_failed("SRTP")
        iv = aes_cm_iv(self._rtp_salt, ssrc, index)
        return packet[:header_length] + self._rtp_ctr.xor(iv, packet[header_length:end])

    def protect_rtcp(self, packet: bytes, ssrc: int, index: int) -> bytes:
        iv = aes_cm_iv(self._rtcp_salt, ssrc, index)
        body = packet[:RTCP_HEADER_LENGTH] + self._rtcp_ctr.xor(iv, packet[RTCP_HEADER_LENGTH:])
        word = U32.pack(SRTCP_E_BIT | index)
        return body + word + self._rtcp_hmac.tag(body, word)

    def srtcp_index_word(self, packet: bytes) -> int:
        word: int = U32.unpack_from(packet, len(packet) - self.srtcp_trailer_length)[0]
        return word

    def unprotect_rtcp(self, packet: bytes, ssrc: int, index_word: int) -> bytes:
        end = len(packet) - self.rtcp_tag_length
        if not hmac.compare_digest(self._rtcp_hmac.tag(packet[:end], b""), packet[end:]):
            raise authentication_failed("SRTCP")
        end -= SRTCP_INDEX_LENGTH
        if not index_word & SRTCP_E_BIT:
            return packet[:end]
        iv = aes_cm_iv(self._rtcp_salt, ssrc, index_word & SRTCP_INDEX_MASK)
        return packet[:RTCP_HEADER_LENGTH] + self._rtcp_ctr.xor(iv, packet[RTCP_HEADER_LENGTH:end])
