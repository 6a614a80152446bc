"""SRTP protection profiles: the IANA names and the sizes each one fixes.

The DTLS layer negotiates these by name and id (RFC 5764 §4.1.2, RFC 7714 §14.2) and the SRTP
contexts size their keys, salts and tags from them, so the table lives here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class SrtpProfile:
    """One protection profile.

    ``rtp_tag_length`` and ``rtcp_tag_length`` differ only for ``_32`` (RFC 5764 §4.1.2: SRTCP
    keeps the 80-bit tag). ``auth_key_length`` is 0 for AEAD profiles, which need no HMAC key.
    """

    name: str
    profile_id: int
    cipher: Literal["aes-cm", "aes-gcm"]
    key_length: int
    salt_length: int
    auth_key_length: int
    rtp_tag_length: int
    rtcp_tag_length: int
    openssl_name: str

    @property
    def tag_length(self) -> int:
        return self.rtp_tag_length


PROFILES: dict[str, SrtpProfile] = {
    profile.name: profile
    for profile in (
        SrtpProfile(
            "SRTP_AES128_CM_HMAC_SHA1_80", 0x0001, "aes-cm", 16, 14, 20, 10, 10,
            "SRTP_AES128_CM_SHA1_80",
        ),
        SrtpProfile(
            "SRTP_AES128_CM_HMAC_SHA1_32", 0x0002, "aes-cm", 16, 14, 20, 4, 10,
            "SRTP_AES128_CM_SHA1_32",
        ),
        SrtpProfile(
            "SRTP_AEAD_AES_128_GCM", 0x0007, "aes-gcm", 16, 12, 0, 16, 16,
            "SRTP_AEAD_AES_128_GCM",
        ),
        SrtpProfile(
            "SRTP_AEAD_AES_256_GCM", 0x0008, "aes-gcm", 32, 12, 0, 16, 16,
            "SRTP_AEAD_AES_256_GCM",
        ),
    )
}  # fmt: skip

PROFILES_BY_ID: dict[int, SrtpProfile] = {p.profile_id: p for p in PROFILES.values()}
