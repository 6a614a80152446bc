"""NACK generation, the retransmission buffer and RTX (RFC 4585 §6.2.1, RFC 4588)."""

from __future__ import annotations

from typing import Any

import pytest

from purertc.rtp import GenericNack, RtpError, RtpPacket, parse_rtcp
from purertc.rtp.nack import NackGenerator, RetransmissionBuffer
from purertc.rtp.rtx import unwrap_rtx, wrap_rtx
from tests.rtp.rtp_impls import IMPLEMENTATIONS


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_rtx_wrap_unwrap_round_trip(impl: Any) -> None:
    original = impl(
        payload_type=96,
        sequence_number=65535,
        timestamp=9,
        ssrc=1,
        marker=True,
        csrc=[7],
        payload=b"media",
        extensions={3: b"\x01\x02"},
    )
    rtx = wrap_rtx(original, 97, 2, 5)
    assert (rtx.payload_type, rtx.ssrc, rtx.sequence_number) == (97, 2, 5)
    assert rtx.payload == b"\xff\xffmedia"
    assert dict(rtx.extensions) == {3: b"\x01\x02"}
    wire = rtx.serialize()
    back = unwrap_rtx(type(rtx).parse(wire), 96, 1)
    assert back.serialize() == original.serialize()
    with pytest.raises(RtpError, match="OSN"):
        unwrap_rtx(impl(payload_type=97, ssrc=2, padding_size=200), 96, 1)


def test_nack_generator_gaps_retries_and_recovery() -> None:
    nacks = NackGenerator(max_retries=3, rtt=0.1)
    for seq in (65533, 65534, 2, 3):  # 65535, 0, 1 missing across the wrap
        nacks.receive(seq, 0.0)
    assert nacks.missing == [65535, 0, 1]
    assert nacks.get_timer() == 0.0
    assert nacks.poll(0.0) == [65535, 0, 1]
    assert nacks.poll(0.05) == []  # not again within one RTT
    nacks.receive(0, 0.06)  # recovered
    deadline = nacks.get_timer()
    assert deadline is not None and abs(deadline - 0.1) < 1e-9
    assert nacks.poll(0.1) == [65535, 1]
    assert nacks.poll(0.2) == [65535, 1]
    assert nacks.poll(0.31) == []  # three tries: given up
    assert nacks.given_up == [65535, 1]
    assert nacks.missing == []


def test_nack_generator_builds_rtcp_and_bounds_history() -> None:
    nacks = NackGenerator(max_packets=50)
    nacks.receive(100, 0.0)
    nacks.receive(110, 0.0)
    nack = nacks.build_nack(1, 2, 0.0)
    assert nack is not None
    (parsed,) = parse_rtcp(nack.serialize())
    assert isinstance(parsed, GenericNack)
    assert parsed.lost == list(range(101, 110))
    nacks.receive(1000, 0.0)  # a jump beyond the window forgets the old holes
    assert nacks.missing == []
    assert nacks.build_nack(1, 2, 1.0) is None


def test_retransmission_buffer_answers_nacks_once_per_rtt() -> None:
    buffer = RetransmissionBuffer(capacity=4, rtx_payload_type=97, rtx_ssrc=9)
    for seq in range(10):
        buffer.sent(RtpPacket(payload_type=96, sequence_number=seq, ssrc=1, payload=bytes([seq])))
    assert buffer.get(5) is None  # evicted
    resent = buffer.handle_nack(GenericNack.from_lost(2, 1, [5, 8, 9]), now=1.0, rtt=0.1)
    assert [(p.payload_type, p.ssrc, p.sequence_number) for p in resent] == [(97, 9, 0), (97, 9, 1)]
    assert [unwrap_rtx(p, 96, 1).sequence_number for p in resent] == [8, 9]
    assert buffer.handle_nack(GenericNack.from_lost(2, 1, [8]), now=1.05, rtt=0.1) == []
    assert len(buffer.handle_nack(GenericNack.from_lost(2, 1, [8]), now=1.2, rtt=0.1)) == 1
    plain = RetransmissionBuffer()
    packet = RtpPacket(sequence_number=3)
    plain.sent(packet)
    assert plain.handle_nack(GenericNack.from_lost(2, 1, [3]), now=0.0) == [packet]
    with pytest.raises(ValueError):
        RetransmissionBuffer(rtx_payload_type=97)
