"""Random and mutated bytes into every SRTP entry point: only SrtpError may escape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.srtp import PROFILES, SrtpContext, SrtpError
from tests.srtp.srtp_packets import master_for, python_state, rtcp_packet, rtp_packet

BACKENDS = ["python", "libsrtp"]
PROFILE_NAMES = list(PROFILES)


def _context(profile: str, backend: str) -> SrtpContext:
    key, salt = master_for(profile)
    return SrtpContext(profile, key, salt, backend=backend)


def _only_srtp_error(
    operation: Callable[[bytes], bytes], data: bytes, context: SrtpContext | None = None
) -> None:
    """Only SrtpError escapes; and then the Python backend's state is as it was."""
    before = python_state(context) if context is not None and context.backend == "python" else None
    try:
        result = operation(data)
    except SrtpError:
        if before is not None:
            assert context is not None and python_state(context) == before
        return
    assert isinstance(result, bytes)


def _mutate(packet: bytes, kind: int, position: int, value: int) -> bytes:
    """Truncate, flip a bit, overwrite a byte, or corrupt the CC / X / extension-length fields."""
    position %= max(len(packet), 1)
    data = bytearray(packet)
    if kind == 0:
        return bytes(data[:position])
    if kind == 1 and data:
        data[position] ^= 1 << (value % 8)
    elif kind == 2 and data:
        data[position] = value
    elif kind == 3 and data:
        data[0] = (data[0] & 0xE0) | (value & 0x1F)  # X bit and CSRC count
    elif kind == 4 and len(data) > 12:
        data[12 + position % (len(data) - 12)] = value  # inside CSRCs / extension header
    return bytes(data)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("profile", PROFILE_NAMES)
@given(data=st.binary(max_size=1600))
def test_random_bytes(profile: str, backend: str, data: bytes) -> None:
    context = _context(profile, backend)
    for operation in (
        context.unprotect,
        context.unprotect_rtcp,
        context.protect,
        context.protect_rtcp,
    ):
        _only_srtp_error(operation, data, context)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("profile", PROFILE_NAMES)
@given(
    kind=st.integers(0, 4),
    position=st.integers(0, 1 << 16),
    value=st.integers(0, 255),
    csrcs=st.integers(0, 3),
    extension_words=st.one_of(st.none(), st.integers(0, 3)),
)
def test_mutated_real_packets(
    profile: str,
    backend: str,
    kind: int,
    position: int,
    value: int,
    csrcs: int,
    extension_words: int | None,
) -> None:
    sender = _context(profile, backend)
    receiver = _context(profile, backend)
    extension = None if extension_words is None else b"\x11" * (4 * extension_words)
    packet = rtp_packet(40000, csrcs=tuple(range(csrcs)), extension=extension, payload=b"p" * 33)
    rtcp = rtcp_packet(body=b"r" * 24)
    # Mutated plaintext goes to a separate context so that it cannot move the real sender.
    _only_srtp_error(_context(profile, backend).protect, _mutate(packet, kind, position, value))
    _only_srtp_error(_context(profile, backend).protect_rtcp, _mutate(rtcp, kind, position, value))
    receiver.unprotect(sender.protect(rtp_packet(39999)))
    receiver.unprotect_rtcp(sender.protect_rtcp(rtcp))
    mutated = _mutate(sender.protect(packet), kind, position, value)
    _only_srtp_error(receiver.unprotect, mutated, receiver)
    mutated = _mutate(sender.protect_rtcp(rtcp), kind, position, value)
    _only_srtp_error(receiver.unprotect_rtcp, mutated, receiver)


@pytest.mark.parametrize("backend", BACKENDS)
def test_mutated_vectors(backend: str) -> None:
    from tests.support import load_json_vector

    for file, salt_field, profile in [
        (
            "srtp/libsrtp_aes_cm_128_hmac_sha1_80_kat.json",
            "master_salt",
            "SRTP_AES128_CM_HMAC_SHA1_80",
        ),
        ("srtp/libsrtp_aead_aes_128_gcm_kat.json", "master_salt_96bit", "SRTP_AEAD_AES_128_GCM"),
    ]:
        vector = load_json_vector(file)
        key, salt = bytes.fromhex(vector["master_key"]), bytes.fromhex(vector[salt_field])
        for field, method in (("rtp", "unprotect"), ("rtcp", "unprotect_rtcp")):
            protected = bytes.fromhex(vector[field]["protected"])
            for kind in range(5):
                for position in range(len(protected)):
                    context = SrtpContext(profile, key, salt, backend=backend)
                    mutated = _mutate(protected, kind, position, 0xA5)
                    if mutated == protected:
                        continue
                    with pytest.raises(SrtpError):
                        getattr(context, method)(mutated)
