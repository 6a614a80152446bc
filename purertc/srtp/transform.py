"""The per-packet cryptography of each profile, once the packet index is known.

A transform holds the session keys of one master key, already turned into cipher objects, and
knows nothing of state: the backend estimates the index, checks the replay window, calls the
transform and only then records the packet. Two families (RFC 3711 §4, RFC 7714 §8-§9)::

    AES-CM + HMAC-SHA1   SRTP  = header | E(payload) | tag(header | E(payload) | ROC)
                         SRTCP = header | E(payload) | E-bit+index | tag(everything before it)
    AES-GCM (AEAD)       SRTP  = header | E(payload) + 16-byte tag        AAD = header
                         SRTCP = header | E(payload) + 16-byte tag | E-bit+index
                                                                  AAD = header | E-bit+index
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from purertc.srtp.errors import SrtpError
from purertc.srtp.headers import RTCP_HEADER_LENGTH
from purertc.srtp.kdf import SessionKeys, derive_session_keys
from purertc.srtp.profiles import SrtpProfile

SRTCP_E_BIT = 0x80000000
SRTCP_INDEX_MASK = 0x7FFFFFFF
SRTCP_INDEX_LENGTH = 4
_U32 = struct.Struct("!I")
_GCM_TAG_LENGTH = 16


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


def make_transform(profile: SrtpProfile, master_key: bytes, master_salt: bytes) -> Transform:
    """Derive the session keys (RFC 3711 §4.3) and build the profile's transform."""
    rtp_keys, rtcp_keys = derive_session_keys(profile, master_key, master_salt)
    if profile.cipher == "aes-gcm":
        return AesGcmTransform(rtp_keys, rtcp_keys)
    return AesCmHmacTransform(rtp_keys, rtcp_keys, profile.rtp_tag_length, profile.rtcp_tag_length)


def _authentication_failed(what: str) -> SrtpError:
    return SrtpError(f"{what} authentication failed (tag mismatch)")


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
        block = key.ljust(64, b"\x00")  # SRTP auth keys are 20 bytes, below the block size
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
        iv = ((self._rtp_salt ^ (ssrc << 48) ^ index) << 16).to_bytes(16, "big")  # aes_cm_iv
        body = packet[:header_length] + self._rtp_ctr.xor(iv, packet[header_length:])
        return body + self._rtp_hmac.tag(body, _U32.pack(index >> 16))

    def unprotect_rtp(self, packet: bytes, header_length: int, ssrc: int, index: int) -> bytes:
        end = len(packet) - self.rtp_tag_length
        tag = self._rtp_hmac.tag(packet[:end], _U32.pack(index >> 16))
        if not hmac.compare_digest(tag, packet[end:]):
            raise _authentication_failed("SRTP")
        iv = ((self._rtp_salt ^ (ssrc << 48) ^ index) << 16).to_bytes(16, "big")  # aes_cm_iv
        return packet[:header_length] + self._rtp_ctr.xor(iv, packet[header_length:end])

    def protect_rtcp(self, packet: bytes, ssrc: int, index: int) -> bytes:
        iv = aes_cm_iv(self._rtcp_salt, ssrc, index)
        body = packet[:RTCP_HEADER_LENGTH] + self._rtcp_ctr.xor(iv, packet[RTCP_HEADER_LENGTH:])
        word = _U32.pack(SRTCP_E_BIT | index)
        return body + word + self._rtcp_hmac.tag(body, word)

    def srtcp_index_word(self, packet: bytes) -> int:
        word: int = _U32.unpack_from(packet, len(packet) - self.srtcp_trailer_length)[0]
        return word

    def unprotect_rtcp(self, packet: bytes, ssrc: int, index_word: int) -> bytes:
        end = len(packet) - self.rtcp_tag_length
        if not hmac.compare_digest(self._rtcp_hmac.tag(packet[:end], b""), packet[end:]):
            raise _authentication_failed("SRTCP")
        end -= SRTCP_INDEX_LENGTH
        if not index_word & SRTCP_E_BIT:
            return packet[:end]
        iv = aes_cm_iv(self._rtcp_salt, ssrc, index_word & SRTCP_INDEX_MASK)
        return packet[:RTCP_HEADER_LENGTH] + self._rtcp_ctr.xor(iv, packet[RTCP_HEADER_LENGTH:end])


class AesGcmTransform:
    """AES-GCM with a 16-byte tag (RFC 7714 §8 SRTP, §9 SRTCP).

    The 96-bit IV is the session salt XOR ``0x0000 | SSRC | ROC | SEQ`` for SRTP and
    ``0x0000 | SSRC | 0x0000 | 0 | 31-bit index`` for SRTCP (§8.1, §9.1): in both cases
    ``SSRC * 2^48 | index``. An SRTCP packet with the E bit clear is authenticated only: the
    whole packet and the index word are the AAD (§9.2).
    """

    rtp_tag_length = _GCM_TAG_LENGTH
    srtcp_trailer_length = _GCM_TAG_LENGTH + SRTCP_INDEX_LENGTH

    def __init__(self, rtp_keys: SessionKeys, rtcp_keys: SessionKeys) -> None:
        self._rtp_aead = AESGCM(rtp_keys.encryption_key)
        self._rtp_salt = int.from_bytes(rtp_keys.salt, "big")
        self._rtcp_aead = AESGCM(rtcp_keys.encryption_key)
        self._rtcp_salt = int.from_bytes(rtcp_keys.salt, "big")

    def protect_rtp(self, packet: bytes, header_length: int, ssrc: int, index: int) -> bytes:
        iv = (self._rtp_salt ^ (ssrc << 48 | index)).to_bytes(12, "big")
        header = packet[:header_length]
        return header + self._rtp_aead.encrypt(iv, packet[header_length:], header)

    def unprotect_rtp(self, packet: bytes, header_length: int, ssrc: int, index: int) -> bytes:
        iv = (self._rtp_salt ^ (ssrc << 48 | index)).to_bytes(12, "big")
        header = packet[:header_length]
        try:
            return header + self._rtp_aead.decrypt(iv, packet[header_length:], header)
        except InvalidTag:
            raise _authentication_failed("SRTP") from None

    def protect_rtcp(self, packet: bytes, ssrc: int, index: int) -> bytes:
        iv = (self._rtcp_salt ^ (ssrc << 48 | index)).to_bytes(12, "big")
        header = packet[:RTCP_HEADER_LENGTH]
        word = _U32.pack(SRTCP_E_BIT | index)
        sealed = self._rtcp_aead.encrypt(iv, packet[RTCP_HEADER_LENGTH:], header + word)
        return header + sealed + word

    def srtcp_index_word(self, packet: bytes) -> int:
        word: int = _U32.unpack_from(packet, len(packet) - SRTCP_INDEX_LENGTH)[0]
        return word

    def unprotect_rtcp(self, packet: bytes, ssrc: int, index_word: int) -> bytes:
        iv = (self._rtcp_salt ^ (ssrc << 48 | (index_word & SRTCP_INDEX_MASK))).to_bytes(12, "big")
        word = packet[-SRTCP_INDEX_LENGTH:]
        try:
            if index_word & SRTCP_E_BIT:
                header = packet[:RTCP_HEADER_LENGTH]
                sealed = packet[RTCP_HEADER_LENGTH:-SRTCP_INDEX_LENGTH]
                return header + self._rtcp_aead.decrypt(iv, sealed, header + word)
            end = len(packet) - self.srtcp_trailer_length
            tag = packet[end:-SRTCP_INDEX_LENGTH]
            self._rtcp_aead.decrypt(iv, tag, packet[:end] + word)
            return packet[:end]
        except InvalidTag:
            raise _authentication_failed("SRTCP") from None
