"""SRTP keying material from the DTLS handshake (RFC 5764 §4.2).

The exporter (RFC 5705) with label ``EXTRACTOR-dtls_srtp`` yields, in this order::

    client_write_SRTP_master_key[key_length]
    server_write_SRTP_master_key[key_length]
    client_write_SRTP_master_salt[salt_length]
    server_write_SRTP_master_salt[salt_length]

The DTLS client protects what it sends with the client keys, the server with the server keys,
so "local" and "remote" depend on the role.
"""

from __future__ import annotations

from dataclasses import dataclass

from purertc.srtp import SrtpProfile

EXPORTER_LABEL = b"EXTRACTOR-dtls_srtp"


@dataclass(frozen=True, slots=True)
class SrtpKeys:
    """Master keys and salts for one SRTP session: ``local`` protects, ``remote`` unprotects."""

    profile: SrtpProfile
    local_key: bytes
    local_salt: bytes
    remote_key: bytes
    remote_salt: bytes


def keying_material_length(profile: SrtpProfile) -> int:
    return 2 * (profile.key_length + profile.salt_length)


def split_keying_material(material: bytes, profile: SrtpProfile, is_client: bool) -> SrtpKeys:
    """Cut the exporter output into this side's and the peer's key and salt."""
    if len(material) != keying_material_length(profile):
        raise ValueError(
            f"keying material: {len(material)} bytes, {profile.name} needs "
            f"{keying_material_length(profile)}"
        )
    k, s = profile.key_length, profile.salt_length
    client_key, server_key = material[:k], material[k : 2 * k]
    client_salt, server_salt = material[2 * k : 2 * k + s], material[2 * k + s :]
    if is_client:
        return SrtpKeys(profile, client_key, client_salt, server_key, server_salt)
    return SrtpKeys(profile, server_key, server_salt, client_key, client_salt)
