"""AES-GCM for SRTP and SRTCP (RFC 7714 §8-§9).

::

    SRTP  = header | AES-GCM(payload) + 16-byte tag                AAD = header
    SRTCP = header | AES-GCM(payload) + 16-byte tag | E-bit+index  AAD = header | E-bit+index
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from purertc.srtp.headers import RTCP_HEADER_LENGTH
from purertc.srtp.kdf import SessionKeys
from purertc.srtp.transform import (
    SRTCP_E_BIT,
    SRTCP_INDEX_LENGTH,
    SRTCP_INDEX_MASK,
    U32,
    authentication_failed,
)

_GCM_TAG_LENGTH = 16


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
            raise authentication_failed("SRTP") from None

    def protect_rtcp(self, packet: bytes, ssrc: int, index: int) -> bytes:
        iv = (self._rtcp_salt ^ (ssrc << 48 | index)).to_bytes(12, "big")
        header = packet[:RTCP_HEADER_LENGTH]
        word = U32.pack(SRTCP_E_BIT | index)
        sealed = self._rtcp_aead.encrypt(iv, packet[RTCP_HEADER_LENGTH:], header + word)
        return header + sealed + word

    def srtcp_index_word(self, packet: bytes) -> int:
        word: int = U32.unpack_from(packet, len(packet) - SRTCP_INDEX_LENGTH)[0]
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
            raise authentication_failed("SRTCP") from None
