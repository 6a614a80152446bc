"""Context construction errors that do not depend on a profile or backend."""

from __future__ import annotations

import pytest

from purertc.srtp import DEFAULT_BACKEND, PROFILES, PROFILES_BY_ID, SrtpContext, SrtpError


def test_unknown_profile() -> None:
    with pytest.raises(SrtpError, match="unknown SRTP profile 'SRTP_NULL_HMAC_SHA1_80'"):
        SrtpContext("SRTP_NULL_HMAC_SHA1_80", b"\x00" * 16, b"\x00" * 14)


def test_unknown_backend() -> None:
    with pytest.raises(SrtpError, match="unknown SRTP backend 'openssl'"):
        SrtpContext("SRTP_AEAD_AES_128_GCM", b"\x00" * 16, b"\x00" * 12, backend="openssl")


def test_max_ssrcs_must_be_positive() -> None:
    with pytest.raises(SrtpError, match="max_ssrcs"):
        SrtpContext("SRTP_AEAD_AES_128_GCM", b"\x00" * 16, b"\x00" * 12, max_ssrcs=0)


def test_srtp_error_is_a_value_error() -> None:
    assert issubclass(SrtpError, ValueError)


def test_default_backend_and_profile_table() -> None:
    assert DEFAULT_BACKEND == "python"
    context = SrtpContext("SRTP_AEAD_AES_256_GCM", b"\x01" * 32, b"\x02" * 12)
    assert context.backend == "python"
    assert context.profile is PROFILES["SRTP_AEAD_AES_256_GCM"]
    assert {p.profile_id for p in PROFILES.values()} == set(PROFILES_BY_ID)
    assert PROFILES["SRTP_AES128_CM_HMAC_SHA1_32"].rtp_tag_length == 4
    assert PROFILES["SRTP_AES128_CM_HMAC_SHA1_32"].rtcp_tag_length == 10
