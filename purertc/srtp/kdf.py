"""Session key derivation (RFC 3711 §4.3, key derivation rate 0; RFC 7714 §11).

::

    key_id = label || r          (r = index DIV key_derivation_rate = 0 here: 48 zero bits)
    x      = key_id XOR master_salt          (both 112 bits, right aligned)
    output = AES-CM(master_key, IV = x * 2^16), keystream truncated to the wanted length

Labels 0..2 give the SRTP cipher key, auth key and salt; 3..5 the SRTCP ones (§4.3.2). The AEAD
profiles have a 96-bit master salt, right-padded with zero bits to 112 before the XOR, and take
96 bits of session salt (RFC 7714 §11).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from purertc.srtp.errors import SrtpError
from purertc.srtp.profiles import SrtpProfile

LABEL_RTP_ENCRYPTION = 0x00
LABEL_RTP_AUTHENTICATION = 0x01
LABEL_RTP_SALT = 0x02
LABEL_RTCP_ENCRYPTION = 0x03
LABEL_RTCP_AUTHENTICATION = 0x04
LABEL_RTCP_SALT = 0x05

_PRF_SALT_LENGTH = 14  # the PRF input x is 112 bits whatever the profile's salt length


@dataclass(frozen=True, slots=True)
class SessionKeys:
    """The keys one direction of one protocol (SRTP or SRTCP) uses."""

    encryption_key: bytes
    authentication_key: bytes  # b"" for AEAD profiles
    salt: bytes


def prf(master_key: bytes, master_salt: bytes, label: int, length: int) -> bytes:
    """The AES-CM PRF of RFC 3711 §4.3.3 for one label, key derivation rate 0."""
    padded_salt = master_salt.ljust(_PRF_SALT_LENGTH, b"\x00")
    x = int.from_bytes(padded_salt, "big") ^ (label << 48)
    iv = (x << 16).to_bytes(16, "big")
    encryptor = Cipher(algorithms.AES(master_key), modes.CTR(iv)).encryptor()
    return encryptor.update(bytes(length)) + encryptor.finalize()


def check_master_key(profile: SrtpProfile, master_key: bytes, master_salt: bytes) -> None:
    """Reject a master key or salt whose length does not match ``profile``."""
    if len(master_key) != profile.key_length:
        raise SrtpError(
            f"master key length {len(master_key)} does not match {profile.name} "
            f"(expected {profile.key_length})"
        )
    if len(master_salt) != profile.salt_length:
        raise SrtpError(
            f"master salt length {len(master_salt)} does not match {profile.name} "
            f"(expected {profile.salt_length})"
        )


def derive_session_keys(
    profile: SrtpProfile, master_key: bytes, master_salt: bytes
) -> tuple[SessionKeys, SessionKeys]:
    """The (SRTP, SRTCP) session keys of one master key and salt."""
    check_master_key(profile, master_key, master_salt)

    def derive(encryption: int, authentication: int, salt: int) -> SessionKeys:
        return SessionKeys(
            prf(master_key, master_salt, encryption, profile.key_length),
            prf(master_key, master_salt, authentication, profile.auth_key_length)
            if profile.auth_key_length
            else b"",
            prf(master_key, master_salt, salt, profile.salt_length),
        )

    return (
        derive(LABEL_RTP_ENCRYPTION, LABEL_RTP_AUTHENTICATION, LABEL_RTP_SALT),
        derive(LABEL_RTCP_ENCRYPTION, LABEL_RTCP_AUTHENTICATION, LABEL_RTCP_SALT),
    )
