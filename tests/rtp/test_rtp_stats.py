"""RFC 3550 appendix A statistics, SR/RR generation and RTT, and transport-wide CC."""

from __future__ import annotations

import pytest

from purertc.rtp import RtpPacket, TransportFeedback, parse_rtcp
from purertc.rtp.extensions import unpack_transport_sequence_number
from purertc.rtp.stats import (
    ReceiverStatistics,
    SenderStatistics,
    ntp_middle,
    ntp_timestamp,
    receiver_report,
)
from purertc.rtp.transport_cc import TransportFeedbackRecorder, TransportSequenceStamper


def test_extended_sequence_loss_and_fraction_across_wrap() -> None:
    stats = ReceiverStatistics(ssrc=5, clock_rate=90000, probation=0)
    received = [65530, 65531, 65533, 65535, 0, 1, 1, 4]  # 65532, 65534, 2, 3 lost; 1 twice
    for index, seq in enumerate(received):
        assert stats.receive(seq, 1000 * index, index * 0.02)
    block = stats.report_block(now=1.0)
    assert block.highest_sequence == (1 << 16) + 4
    assert stats.expected == 11
    assert block.cumulative_lost == 11 - 8
    assert block.fraction_lost == (3 << 8) // 11
    second = stats.report_block(now=2.0)
    assert second.fraction_lost == 0  # nothing new: no loss in the interval
    assert second.cumulative_lost == 3


def test_probation_and_restart() -> None:
    stats = ReceiverStatistics(ssrc=5, clock_rate=8000)
    assert not stats.receive(100, 0, 0.0)  # on probation
    assert stats.receive(101, 160, 0.02)
    assert stats.received == 1 and stats.base_seq == 101
    assert not stats.receive(40000, 0, 0.04)  # a big jump is suspect
    assert stats.receive(40001, 160, 0.06)  # ... and confirmed: resync
    assert stats.base_seq == 40001


def test_jitter_follows_the_a8_estimator() -> None:
    stats = ReceiverStatistics(ssrc=5, clock_rate=8000, probation=0)
    arrivals = [0.0, 0.020, 0.045, 0.060, 0.080]
    expected = 0.0
    previous = None
    for index, arrival in enumerate(arrivals):
        stats.receive(index, 160 * index, arrival)
        transit = arrival * 8000 - 160 * index
        if previous is not None:
            expected += (abs(transit - previous) - expected) / 16
        previous = transit
    assert stats.jitter == pytest.approx(expected)
    assert stats.report_block(1.0).jitter == int(expected)


def test_sr_rr_round_trip_time() -> None:
    sender = SenderStatistics(ssrc=1)
    for _ in range(10):
        sender.sent(100)
    ntp = ntp_timestamp(1_700_000_000.25)
    sr = sender.sender_report(ntp, 12345, now=50.0)
    (parsed_sr,) = parse_rtcp(sr.serialize())
    assert (sr.packet_count, sr.octet_count) == (10, 1000)
    receiver = ReceiverStatistics(ssrc=1, clock_rate=90000, probation=0)
    receiver.receive(1, 0, 50.0)
    receiver.receive_sender_report(parsed_sr.ntp_timestamp, now=50.1)  # type: ignore[attr-defined]
    rr = receiver_report(2, [receiver], now=50.35)
    (parsed_rr,) = parse_rtcp(rr.serialize())
    block = parsed_rr.reports[0]  # type: ignore[attr-defined]
    assert block.lsr == ntp_middle(ntp)
    assert block.dlsr == int(0.25 * 65536)
    rtt = sender.receive_report_block(block, now=50.45)
    assert rtt == pytest.approx(0.2, abs=1e-4)
    assert sender.receive_report_block(block._replace(lsr=0), now=50.5) is None


def test_transport_cc_stamp_record_feedback_and_results() -> None:
    stamper = TransportSequenceStamper(extension_id=5, start=65534)
    recorder = TransportFeedbackRecorder(sender_ssrc=9, media_ssrc=1)
    sent_at = {}
    for index in range(8):
        packet = RtpPacket(payload_type=96, sequence_number=index, ssrc=1, payload=b"x" * 100)
        seq = stamper.stamp(packet, now=10.0 + index * 0.01)
        sent_at[seq] = 10.0 + index * 0.01
        wire = RtpPacket.parse(packet.serialize())
        transport_seq = unpack_transport_sequence_number(wire.extensions[5])
        assert transport_seq == seq
        if index not in (3, 4):
            recorder.receive(transport_seq, now=20.0 + index * 0.0125)
    feedbacks = recorder.build_feedback()
    assert len(feedbacks) == 1
    (feedback,) = parse_rtcp(feedbacks[0].serialize())
    assert isinstance(feedback, TransportFeedback)
    assert feedback.base_sequence == 65534
    assert feedback.statuses == (1, 1, 1, 0, 0, 1, 1, 1)
    results = stamper.handle_feedback(feedback)
    assert [r.sequence_number for r in results] == [65534, 65535, 0, 1, 2, 3, 4, 5]
    for result in results:
        assert result.send_time == sent_at[result.sequence_number]
    arrivals = [r.arrival_time for r in results]
    assert arrivals[3] is None and arrivals[4] is None
    assert arrivals[1] is not None and arrivals[0] is not None
    assert arrivals[1] - arrivals[0] == pytest.approx(0.0125, abs=0.00025)
    assert recorder.build_feedback() == []
    recorder.receive(6, now=30.0)  # a later batch continues the count
    (later,) = recorder.build_feedback()
    assert later.fb_packet_count == 1 and later.base_sequence == 6


def test_transport_cc_feedback_splits_when_a_delta_does_not_fit() -> None:
    recorder = TransportFeedbackRecorder(sender_ssrc=9, media_ssrc=1)
    recorder.receive(1, now=1.0)
    recorder.receive(2, now=20.0)  # 19 s later: beyond a 16-bit delta of 250 µs
    feedbacks = recorder.build_feedback()
    assert [f.base_sequence for f in feedbacks] == [1, 2]
    times = []
    for feedback in feedbacks:
        (parsed,) = parse_rtcp(feedback.serialize())
        assert isinstance(parsed, TransportFeedback)
        times += [t for _, t in parsed.arrivals_us()]
    assert times == [1_000_000, 20_000_000]


def test_rtcp_interval_a7() -> None:
    import random

    from purertc.rtp.rtcp_interval import COMPENSATION, rtcp_interval, update_average_size

    rng = random.Random(3)
    # 2 members, we send: the 5 s minimum dominates; halved before the first report
    values = [rtcp_interval(2, 1, 1000.0, True, 100.0, False, rng) for _ in range(200)]
    assert min(values) >= 5.0 * 0.5 / COMPENSATION
    assert max(values) <= 5.0 * 1.5 / COMPENSATION
    first = [rtcp_interval(2, 1, 1000.0, True, 100.0, True, rng) for _ in range(200)]
    assert max(first) <= 2.5 * 1.5 / COMPENSATION
    # 1000 receivers on a small budget: the size term dominates, receivers get 75%
    large = rtcp_interval(1000, 10, 500.0, False, 100.0, False, random.Random(0))
    base = 100.0 * 990 / (500.0 * 0.75)
    assert base * 0.5 / COMPENSATION <= large <= base * 1.5 / COMPENSATION
    assert update_average_size(100.0, 260) == 110.0


def test_static_payload_types() -> None:
    from purertc.rtp.payload_types import STATIC_PAYLOAD_TYPES, is_dynamic, is_rtcp_conflict

    assert STATIC_PAYLOAD_TYPES[0].encoding == "PCMU"
    assert STATIC_PAYLOAD_TYPES[8].clock_rate == 8000
    assert STATIC_PAYLOAD_TYPES[9].clock_rate == 8000
    assert is_dynamic(96) and not is_dynamic(34)
    assert is_rtcp_conflict(72) and not is_rtcp_conflict(96)
