"""Per-SSRC RTP statistics and the SR/RR built from them (RFC 3550 §6.4, appendix A).

Receive side: sequence validation and extended highest sequence number (A.1), cumulative and
fraction lost (A.3), interarrival jitter (A.8), LSR/DLSR from received SRs. Send side: packet
and octet counts for SRs, and the round-trip time from the LSR/DLSR echoed in report blocks
(§6.4.1). Time comes in as ``now`` (monotonic seconds); the wall-clock NTP timestamp an SR
carries is supplied by the caller, since a sans-IO core never reads a clock.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from .rtcp_reports import ReceiverReport, ReportBlock, SenderReport

RTP_SEQ_MOD = 1 << 16
MAX_DROPOUT = 3000
MAX_MISORDER = 100
MIN_SEQUENTIAL = 2
NTP_EPOCH_OFFSET = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01


def ntp_timestamp(unix_seconds: float) -> int:
    """64-bit NTP timestamp (32.32 fixed point since 1900) of a Unix time."""
    return int((unix_seconds + NTP_EPOCH_OFFSET) * (1 << 32)) & 0xFFFFFFFFFFFFFFFF


def ntp_middle(ntp: int) -> int:
    """The middle 32 bits of an NTP timestamp: the LSR field's unit (1/65536 s)."""
    return (ntp >> 16) & 0xFFFFFFFF


class ReceiverStatistics:
    """What a receiver knows about one source (RFC 3550 A.1, A.3, A.8)."""

    def __init__(self, ssrc: int, clock_rate: int, probation: int = MIN_SEQUENTIAL) -> None:
        self.ssrc = ssrc
        self.clock_rate = clock_rate
        self._probation_needed = probation
        self.started = False
        self.probation = 0
        self.base_seq = 0
        self.max_seq = 0
        self.bad_seq = RTP_SEQ_MOD + 1
        self.cycles = 0
        self.received = 0
        self.received_prior = 0
        self.expected_prior = 0
        self.jitter = 0.0  # in timestamp units, the A.8 estimator
        self._transit: float | None = None
        self.last_sr: int = 0  # middle 32 bits of the last SR's NTP timestamp
        self._last_sr_at: float | None = None

    # --- A.1 ---------------------------------------------------------------------------------

    def _init_seq(self, seq: int) -> None:
        self.base_seq = seq
        self.max_seq = seq
        self.bad_seq = RTP_SEQ_MOD + 1
        self.cycles = 0
        self.received = 0
        self.received_prior = 0
        self.expected_prior = 0

    def _update_seq(self, seq: int) -> bool:
        udelta = (seq - self.max_seq) & 0xFFFF
        if self.probation:
            if seq == (self.max_seq + 1) & 0xFFFF:
                self.probation -= 1
                self.max_seq = seq
                if self.probation == 0:
                    self._init_seq(seq)
                    self.received += 1
                    return True
            else:
                self.probation = self._probation_needed - 1
                self.max_seq = seq
            return False
        if udelta < MAX_DROPOUT:
            if seq < self.max_seq:
                self.cycles += RTP_SEQ_MOD
            self.max_seq = seq
        elif udelta <= RTP_SEQ_MOD - MAX_MISORDER:
            if seq == self.bad_seq:
                self._init_seq(seq)  # the source restarted: resync
            else:
                self.bad_seq = (seq + 1) & 0xFFFF
                return False
        self.received += 1
        return True

    def receive(self, sequence_number: int, timestamp: int, now: float) -> bool:
        """Account one packet; False if A.1 judged it invalid (probation or a big jump)."""
        if not self.started:
            self.started = True
            self._init_seq(sequence_number)
            if self._probation_needed:
                self.max_seq = (sequence_number - 1) & 0xFFFF
                self.probation = self._probation_needed
            else:
                self.received = 1
                self._jitter(timestamp, now)
                return True
        valid = self._update_seq(sequence_number)
        if valid:
            self._jitter(timestamp, now)
        return valid

    def _jitter(self, timestamp: int, now: float) -> None:
        # A.8: J += (|D| - J) / 16, with D the change in relative transit time.
        transit = now * self.clock_rate - timestamp
        if self._transit is not None:
            delta = abs(transit - self._transit)
            if delta < 1 << 31:  # ignore timestamp jumps (wrap or a new timeline)
                self.jitter += (delta - self.jitter) / 16
        self._transit = transit

    # --- A.3 ---------------------------------------------------------------------------------

    @property
    def extended_max(self) -> int:
        return self.cycles + self.max_seq

    @property
    def expected(self) -> int:
        return self.extended_max - self.base_seq + 1

    @property
    def cumulative_lost(self) -> int:
        lost = self.expected - self.received
        return max(-(1 << 23), min(lost, (1 << 23) - 1))

    def receive_sender_report(self, ntp: int, now: float) -> None:
        self.last_sr = ntp_middle(ntp)
        self._last_sr_at = now

    def report_block(self, now: float) -> ReportBlock:
        """The block for an RR/SR sent now; advances the fraction-lost interval."""
        expected = self.expected
        expected_interval = expected - self.expected_prior
        self.expected_prior = expected
        received_interval = self.received - self.received_prior
        self.received_prior = self.received
        lost_interval = expected_interval - received_interval
        fraction = 0
        if expected_interval > 0 and lost_interval > 0:
            fraction = min(255, (lost_interval << 8) // expected_interval)
        dlsr = 0
        if self._last_sr_at is not None:
            dlsr = min(0xFFFFFFFF, int((now - self._last_sr_at) * 65536))
        return ReportBlock(
            ssrc=self.ssrc,
            fraction_lost=fraction,
            cumulative_lost=self.cumulative_lost,
            highest_sequence=self.extended_max & 0xFFFFFFFF,
            jitter=int(self.jitter),
            lsr=self.last_sr,
            dlsr=dlsr,
        )


class SenderStatistics:
    """What a sender reports in SRs, and the RTT it learns from report blocks."""

    def __init__(self, ssrc: int, history: int = 32) -> None:
        self.ssrc = ssrc
        self.packet_count = 0
        self.octet_count = 0
        self._sent_reports: OrderedDict[int, float] = OrderedDict()
        self._history = history
        self.rtt: float | None = None

    def sent(self, payload_octets: int) -> None:
        self.packet_count = (self.packet_count + 1) & 0xFFFFFFFF
        self.octet_count = (self.octet_count + payload_octets) & 0xFFFFFFFF

    def sender_report(
        self, ntp: int, rtp_timestamp: int, now: float, reports: Iterable[ReportBlock] = ()
    ) -> SenderReport:
        """An SR for now; remembers when it went out so the echo gives the RTT."""
        self._sent_reports[ntp_middle(ntp)] = now
        while len(self._sent_reports) > self._history:
            self._sent_reports.popitem(last=False)
        return SenderReport(
            self.ssrc,
            ntp,
            rtp_timestamp & 0xFFFFFFFF,
            self.packet_count,
            self.octet_count,
            tuple(reports),
        )

    def receive_report_block(self, block: ReportBlock, now: float) -> float | None:
        """RTT in seconds from a block about our SSRC echoing one of our SRs (else None)."""
        if block.ssrc != self.ssrc or not block.lsr:
            return None
        sent_at = self._sent_reports.get(block.lsr)
        if sent_at is None:
            return None
        rtt = now - sent_at - block.dlsr / 65536
        self.rtt = max(rtt, 0.0)
        return self.rtt


def receiver_report(ssrc: int, sources: Iterable[ReceiverStatistics], now: float) -> ReceiverReport:
    """An RR with one block per source that has sent something (at most 31)."""
    blocks = tuple(s.report_block(now) for s in sources if s.started)[:31]
    return ReceiverReport(ssrc, blocks)
