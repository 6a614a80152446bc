"""The RTP/RTCP header fields SRTP reads: built packets parse back, short ones raise SrtpError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.srtp import SrtpError
from purertc.srtp.headers import parse_rtcp_ssrc, parse_rtp_header
from tests.srtp.srtp_packets import rtcp_packet, rtp_packet


@given(
    seq=st.integers(0, 0xFFFF),
    ssrc=st.integers(0, 0xFFFFFFFF),
    csrcs=st.lists(st.integers(0, 0xFFFFFFFF), max_size=15).map(tuple),
    extension_words=st.one_of(st.none(), st.integers(0, 255)),
    payload=st.binary(max_size=64),
    trailer=st.sampled_from([0, 4, 10, 16]),
)
def test_rtp_header_round_trip(
    seq: int,
    ssrc: int,
    csrcs: tuple[int, ...],
    extension_words: int | None,
    payload: bytes,
    trailer: int,
) -> None:
    extension = None if extension_words is None else bytes(4 * extension_words)
    packet = rtp_packet(seq, ssrc=ssrc, csrcs=csrcs, extension=extension, payload=payload)
    expected_length = 12 + 4 * len(csrcs) + (0 if extension is None else 4 + len(extension))
    assert parse_rtp_header(packet + bytes(trailer), trailer) == (expected_length, seq, ssrc)
    if payload:
        return
    # With no payload, every byte is header: dropping one must say "too short".
    with pytest.raises(SrtpError, match="too short"):
        parse_rtp_header(packet[:-1] + bytes(trailer), trailer)


@given(ssrc=st.integers(0, 0xFFFFFFFF), body=st.binary(max_size=32))
def test_rtcp_ssrc_round_trip(ssrc: int, body: bytes) -> None:
    assert parse_rtcp_ssrc(rtcp_packet(ssrc=ssrc, body=body), 0) == ssrc
    assert parse_rtcp_ssrc(rtcp_packet(ssrc=ssrc, body=body) + bytes(14), 14) == ssrc


def test_rtcp_too_short_names_the_trailer() -> None:
    with pytest.raises(SrtpError, match="14-byte SRTCP trailer need at least 22"):
        parse_rtcp_ssrc(bytes(21), 14)
