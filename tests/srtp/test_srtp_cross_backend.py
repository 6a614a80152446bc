"""The two backends check each other: same bytes out, and each unprotects the other's packets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.srtp import SrtpContext, SrtpError
from tests.srtp.srtp_packets import PROFILE_NAMES, master_for, rtcp_packet, rtp_packet

rtp_shapes = st.lists(
    st.tuples(
        st.integers(1, 3),  # sequence step
        st.lists(st.integers(0, 0xFFFFFFFF), max_size=15).map(tuple),  # CSRCs
        st.one_of(
            st.none(),
            st.integers(0, 4).flatmap(lambda n: st.binary(min_size=4 * n, max_size=4 * n)),
        ),
        st.binary(max_size=300),  # payload
        st.integers(0, 127),  # payload type
        st.booleans(),  # which of two SSRCs sends it
    ),
    min_size=1,
    max_size=12,
)


def _contexts(profile: str, seed: int) -> dict[str, tuple[SrtpContext, SrtpContext]]:
    key, salt = master_for(profile, seed)
    return {
        backend: (
            SrtpContext(profile, key, salt, backend=backend),
            SrtpContext(profile, key, salt, backend=backend),
        )
        for backend in ("python", "libsrtp")
    }


@pytest.mark.parametrize("profile", PROFILE_NAMES)
@given(
    seed=st.integers(0, 255),
    ssrcs=st.lists(st.integers(0, 0xFFFFFFFF), min_size=2, max_size=2, unique=True),
    first_seqs=st.lists(
        st.one_of(st.integers(65520, 65535), st.integers(0, 65535)), min_size=2, max_size=2
    ),
    shapes=rtp_shapes,
)
def test_rtp_both_ways_across_the_wrap(
    profile: str,
    seed: int,
    ssrcs: list[int],
    first_seqs: list[int],
    shapes: list[tuple[int, tuple[int, ...], bytes | None, bytes, int, bool]],
) -> None:
    contexts = _contexts(profile, seed)
    python_tx, python_rx = contexts["python"]
    libsrtp_tx, libsrtp_rx = contexts["libsrtp"]
    seqs = dict(zip(ssrcs, first_seqs, strict=True))
    for step, csrcs, extension, payload, payload_type, second in shapes:
        ssrc = ssrcs[second]
        seq = seqs[ssrc] = (seqs[ssrc] + step) & 0xFFFF
        packet = rtp_packet(
            seq,
            ssrc=ssrc,
            csrcs=csrcs,
            extension=extension,
            payload=payload,
            payload_type=payload_type,
        )
        from_python = python_tx.protect(packet)
        from_libsrtp = libsrtp_tx.protect(packet)
        assert from_python == from_libsrtp
        assert libsrtp_rx.unprotect(from_python) == packet
        assert python_rx.unprotect(from_libsrtp) == packet


@pytest.mark.parametrize("profile", PROFILE_NAMES)
@given(
    seed=st.integers(0, 255),
    ssrc=st.integers(0, 0xFFFFFFFF),
    bodies=st.lists(st.binary(max_size=300), min_size=1, max_size=6),
)
def test_rtcp_both_ways(profile: str, seed: int, ssrc: int, bodies: list[bytes]) -> None:
    contexts = _contexts(profile, seed)
    python_tx, python_rx = contexts["python"]
    libsrtp_tx, libsrtp_rx = contexts["libsrtp"]
    for body in bodies:
        packet = rtcp_packet(ssrc=ssrc, body=body)
        from_python = python_tx.protect_rtcp(packet)
        from_libsrtp = libsrtp_tx.protect_rtcp(packet)
        assert from_python == from_libsrtp
        assert libsrtp_rx.unprotect_rtcp(from_python) == packet
        assert python_rx.unprotect_rtcp(from_libsrtp) == packet


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_long_run_through_several_rollovers(profile: str) -> None:
    contexts = _contexts(profile, 3)
    python_tx, python_rx = contexts["python"]
    libsrtp_tx, libsrtp_rx = contexts["libsrtp"]
    seq = 65000
    for n in range(3 * 65536 // 700):
        seq = (seq + 700) & 0xFFFF
        packet = rtp_packet(seq, payload=n.to_bytes(4, "big"))
        assert libsrtp_rx.unprotect(python_tx.protect(packet)) == packet
        assert python_rx.unprotect(libsrtp_tx.protect(packet)) == packet


@pytest.mark.parametrize("profile", ["SRTP_AES128_CM_HMAC_SHA1_32", "SRTP_AEAD_AES_128_GCM"])
@given(
    first_seq=st.integers(0, 65535),
    steps=st.lists(
        st.one_of(st.integers(1, 3), st.integers(1, 2000), st.integers(1, 0x7FFF)),
        min_size=1,
        max_size=30,
    ),
    schedule=st.lists(st.tuples(st.integers(0, 1000), st.booleans()), max_size=60),
    window=st.sampled_from([64, 128]),
)
def test_receivers_agree_on_any_delivery_order(
    profile: str,
    first_seq: int,
    steps: list[int],
    schedule: list[tuple[int, bool]],
    window: int,
) -> None:
    """Reordered, duplicated, forged and stale packets: libsrtp and we accept the same ones."""
    key, salt = master_for(profile)
    sender = SrtpContext(profile, key, salt)
    seq, sent = first_seq, []
    for step in steps:
        seq = (seq + step) & 0xFFFF
        sent.append(sender.protect(rtp_packet(seq, payload=seq.to_bytes(2, "big"))))
    receivers = {
        backend: SrtpContext(profile, key, salt, backend=backend, replay_window=window)
        for backend in ("python", "libsrtp")
    }
    for pick, forge in schedule:
        packet = sent[pick % len(sent)]
        if forge:
            packet = packet[:-1] + bytes([packet[-1] ^ 0x40])
        outcomes = {}
        for backend, receiver in receivers.items():
            try:
                outcomes[backend] = receiver.unprotect(packet)
            except SrtpError:
                outcomes[backend] = None
        assert outcomes["python"] == outcomes["libsrtp"], (pick, forge)
        if forge:
            assert outcomes["python"] is None
