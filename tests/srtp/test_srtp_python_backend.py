"""What only the Python backend lets a test reach: its per-SSRC state, set directly."""

from __future__ import annotations

import pytest

from purertc.srtp import SrtpError
from purertc.srtp.python_backend import PythonBackend
from tests.srtp.srtp_packets import PROFILE_NAMES, make_pair, python_state, rtcp_packet, rtp_packet

SSRC = 0x11223344


def _backend(context: object) -> PythonBackend:
    backend = context._backend  # type: ignore[attr-defined]
    assert isinstance(backend, PythonBackend)
    return backend


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_refuses_to_run_past_the_48_bit_index(profile: str) -> None:
    sender, receiver = make_pair(profile, "python")
    last = sender.protect(rtp_packet(0xFFFF))
    receiver.unprotect(last)
    _backend(sender)._outbound[SSRC].rtp.highest = (1 << 48) - 1
    _backend(receiver)._inbound[SSRC].rtp.highest = (1 << 48) - 1
    before = python_state(receiver), python_state(sender)
    with pytest.raises(SrtpError, match="index exhausted"):
        sender.protect(rtp_packet(0))
    with pytest.raises(SrtpError, match="index exhausted"):
        receiver.unprotect(last[:2] + b"\x00\x00" + last[4:])
    assert (python_state(receiver), python_state(sender)) == before


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_refuses_to_run_past_the_31_bit_srtcp_index(profile: str) -> None:
    sender, _ = make_pair(profile, "python")
    sender.protect_rtcp(rtcp_packet())
    _backend(sender)._outbound[SSRC].rtcp_index = 0x7FFFFFFF
    before = python_state(sender)
    with pytest.raises(SrtpError, match="SRTCP index exhausted"):
        sender.protect_rtcp(rtcp_packet())
    assert python_state(sender) == before


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_state_records_roc_and_srtcp_index(profile: str) -> None:
    sender, receiver = make_pair(profile, "python")
    for seq in (0xFFFE, 0xFFFF, 0, 1):
        receiver.unprotect(sender.protect(rtp_packet(seq)))
    receiver.unprotect_rtcp(sender.protect_rtcp(rtcp_packet()))
    (rtp_highest, rtp_seen), _, rtcp_index = python_state(sender)["outbound"][SSRC]
    assert (rtp_highest >> 16, rtp_highest & 0xFFFF) == (1, 1)  # ROC 1, SEQ 1
    assert rtp_seen == 0b1111
    assert rtcp_index == 1
    (rx_highest, rx_seen), (rtcp_highest, rtcp_seen), _ = python_state(receiver)["inbound"][SSRC]
    assert (rx_highest, rx_seen) == (rtp_highest, rtp_seen)
    assert (rtcp_highest, rtcp_seen) == (1, 1)
