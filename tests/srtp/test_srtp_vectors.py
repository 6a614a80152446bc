"""The shared SRTP vectors produce the exact bytes (RFC 3711 B.2/B.3, RFC 7714 §16-17, libsrtp)."""

from __future__ import annotations

from typing import Any

import pytest

from purertc.srtp import PROFILES, SrtpContext
from purertc.srtp.aes_cm import AesCtr, HmacSha1, aes_cm_iv
from purertc.srtp.aes_gcm import AesGcmTransform
from purertc.srtp.kdf import SessionKeys, derive_session_keys
from tests.srtp.srtp_packets import BACKEND_NAMES
from tests.support import load_json_vector, manifest, manifest_entries

B2 = "srtp/rfc3711_B.2_aes_cm_keystream.json"
KATS = {
    "srtp/libsrtp_aes_cm_128_hmac_sha1_80_kat.json": ("SRTP_AES128_CM_HMAC_SHA1_80", "master_salt"),
    "srtp/libsrtp_aead_aes_128_gcm_kat.json": ("SRTP_AEAD_AES_128_GCM", "master_salt_96bit"),
}


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_every_srtp_vector_is_covered() -> None:
    files = {entry["file"] for entry in manifest_entries("srtp")}
    assert files == set(KATS) | {
        "srtp/rfc3711_B.2_aes_cm_keystream.json",
        "srtp/rfc3711_B.3_key_derivation.json",
        "srtp/rfc7714_aead_aes_128_gcm.json",
    }


def test_rfc3711_b2_aes_cm_keystream() -> None:
    vector = load_json_vector("srtp/rfc3711_B.2_aes_cm_keystream.json")
    blocks = vector["keystream_blocks"]
    assert len(blocks) == manifest()[B2]["expected"]["keystream_blocks"]
    expected = b"".join(h(blocks[name]) for name in sorted(blocks))
    iv = aes_cm_iv(
        int.from_bytes(h(vector["session_salt"]), "big"),
        int(vector["ssrc"], 16),
        int(vector["rollover_counter"], 16) << 16 | int(vector["sequence_number"], 16),
    )
    assert iv == h(vector["iv_for_block_0"])
    assert AesCtr(h(vector["session_key"])).xor(iv, bytes(len(expected))) == expected


def test_aes_ctr_reseeding_forgets_a_partial_block() -> None:
    ctr = AesCtr(bytes(16))
    first = ctr.xor(b"\x01" * 16, bytes(37))  # leaves a partial block behind
    again = ctr.xor(b"\x02" * 16, bytes(40))
    assert again == AesCtr(bytes(16)).xor(b"\x02" * 16, bytes(40))
    assert ctr.xor(b"\x01" * 16, bytes(37)) == first


def test_hmac_sha1_matches_the_standard_library() -> None:
    import hashlib
    import hmac

    key = bytes(range(20))
    expected = hmac.new(key, b"data" + b"suffix", hashlib.sha1).digest()
    assert HmacSha1(key, 20).tag(b"data", b"suffix") == expected
    assert HmacSha1(key, 4).tag(b"data", b"suffix") == expected[:4]
    long_key = bytes(range(100))
    expected = hmac.new(long_key, b"data", hashlib.sha1).digest()
    assert HmacSha1(long_key, 20).tag(b"da", b"ta") == expected


def test_rfc3711_b3_key_derivation() -> None:
    vector = load_json_vector("srtp/rfc3711_B.3_key_derivation.json")
    rtp, rtcp = derive_session_keys(
        PROFILES["SRTP_AES128_CM_HMAC_SHA1_80"], h(vector["master_key"]), h(vector["master_salt"])
    )
    rfc = vector["rfc_values"]
    assert rtp.encryption_key == h(rfc["label_0x00_cipher_key"])
    assert rtp.salt == h(rfc["label_0x02_cipher_salt"])
    assert rtp.authentication_key == h(rfc["label_0x01_auth_key_first_20_bytes"])
    more = vector["derived_not_in_rfc"]
    assert rtcp.encryption_key == h(more["label_0x03_srtcp_cipher_key"])
    assert rtcp.authentication_key == h(more["label_0x04_srtcp_auth_key"])
    assert rtcp.salt == h(more["label_0x05_srtcp_salt"])


@pytest.mark.parametrize("file", sorted(KATS))
def test_libsrtp_kat_session_keys(file: str) -> None:
    vector = load_json_vector(file)
    profile, salt_field = KATS[file]
    rtp, rtcp = derive_session_keys(
        PROFILES[profile], h(vector["master_key"]), h(vector[salt_field])
    )
    derived = vector["derived_session_keys"]
    assert rtp.encryption_key == h(derived["srtp_encryption_key"])
    assert rtcp.encryption_key == h(derived["srtcp_encryption_key"])
    if "srtp_salt_96bit" in derived:
        assert rtp.salt == h(derived["srtp_salt_96bit"])
        assert rtcp.salt == h(derived["srtcp_salt_96bit"])
        assert rtp.authentication_key == rtcp.authentication_key == b""
    else:
        assert rtp.salt == h(derived["srtp_salting_key"])
        assert rtcp.salt == h(derived["srtcp_salting_key"])
        assert rtp.authentication_key == h(derived["srtp_authentication_key"])
        assert rtcp.authentication_key == h(derived["srtcp_authentication_key"])


@pytest.mark.parametrize("backend", BACKEND_NAMES)
@pytest.mark.parametrize("file", sorted(KATS))
def test_libsrtp_kat_full_packets(file: str, backend: str) -> None:
    vector: dict[str, Any] = load_json_vector(file)
    profile, salt_field = KATS[file]
    key, salt = h(vector["master_key"]), h(vector[salt_field])
    expected = manifest_entries("srtp")
    lengths = next(e["expected"] for e in expected if e["file"] == file)
    sender = SrtpContext(profile, key, salt, backend=backend)
    receiver = SrtpContext(profile, key, salt, backend=backend)

    rtp = vector["rtp"]
    assert int(rtp["sequence_number"]) == int.from_bytes(h(rtp["plaintext"])[2:4], "big")
    protected = sender.protect(h(rtp["plaintext"]))
    assert protected == h(rtp["protected"])
    assert len(protected) == lengths["rtp_protected_len"]
    assert receiver.unprotect(protected) == h(rtp["plaintext"])

    rtcp = vector["rtcp"]
    protected = sender.protect_rtcp(h(rtcp["plaintext"]))  # first SRTCP index sent is 1
    assert rtcp["srtcp_index"] == 1
    assert protected == h(rtcp["protected"])
    assert len(protected) == lengths["rtcp_protected_len"]
    assert receiver.unprotect_rtcp(protected) == h(rtcp["plaintext"])


def _rfc7714_transform() -> tuple[AesGcmTransform, dict[str, Any]]:
    vector = load_json_vector("srtp/rfc7714_aead_aes_128_gcm.json")
    keys = SessionKeys(h(vector["session_encryption_key"]), b"", h(vector["session_salt"]))
    return AesGcmTransform(keys, keys), vector


def test_rfc7714_srtp_encrypt_and_auth() -> None:
    transform, vector = _rfc7714_transform()
    rtp = vector["rtp"]
    plaintext, protected = h(rtp["plaintext"]), h(rtp["protected_encrypt_and_auth"])
    ssrc, index = int(rtp["ssrc"], 16), rtp["rollover_counter"] << 16 | rtp["sequence_number"]
    assert transform.protect_rtp(plaintext, 12, ssrc, index) == protected
    assert transform.unprotect_rtp(protected, 12, ssrc, index) == plaintext


def test_rfc7714_srtp_auth_only() -> None:
    # RFC 7714 §16.2: with no encryption the whole packet is AAD, which is what the transform
    # does when the "header" spans the whole packet.
    transform, vector = _rfc7714_transform()
    rtp = vector["rtp"]
    plaintext = h(rtp["plaintext"])
    protected = h(rtp["protected_auth_only_no_encryption"])
    ssrc, index = int(rtp["ssrc"], 16), rtp["rollover_counter"] << 16 | rtp["sequence_number"]
    assert transform.protect_rtp(plaintext, len(plaintext), ssrc, index) == protected
    assert transform.unprotect_rtp(protected, len(plaintext), ssrc, index) == plaintext


def test_rfc7714_srtcp_encrypt_and_auth() -> None:
    transform, vector = _rfc7714_transform()
    rtcp = vector["rtcp"]
    plaintext, protected = h(rtcp["plaintext"]), h(rtcp["protected_encrypt_and_auth"])
    ssrc = int(rtcp["ssrc"], 16)
    assert transform.protect_rtcp(plaintext, ssrc, rtcp["srtcp_index"]) == protected
    word = transform.srtcp_index_word(protected)
    assert word == 0x80000000 | rtcp["srtcp_index"]
    assert transform.unprotect_rtcp(protected, ssrc, word) == plaintext


def test_rfc7714_srtcp_auth_only_e_bit_clear() -> None:
    transform, vector = _rfc7714_transform()
    rtcp = vector["rtcp"]
    protected = h(rtcp["protected_auth_only_no_encryption"])
    word = transform.srtcp_index_word(protected)
    assert word == rtcp["srtcp_index"]  # E bit clear
    unprotected = transform.unprotect_rtcp(protected, int(rtcp["ssrc"], 16), word)
    assert unprotected == h(rtcp["plaintext"])


def test_aes_ctr_without_reset_nonce_gives_the_same_keystream() -> None:
    # cryptography < 43 has no CipherContext.reset_nonce: AesCtr builds a cipher per packet.
    reseeded, rebuilt = AesCtr(b"k" * 16), AesCtr(b"k" * 16)
    rebuilt._context = None
    for iv in (b"\x01" * 16, b"\x02" * 16):
        assert rebuilt.xor(iv, b"payload" * 5) == reseeded.xor(iv, b"payload" * 5)
