"""Transport-wide congestion control bookkeeping (draft-holmer-rmcat-transport-wide-cc-01).

Sender: :class:`TransportSequenceStamper` writes the transport-wide sequence number extension
into each outgoing packet and remembers send time and size; feedback then turns into
:class:`PacketResult` rows (send time, arrival time on the receiver's clock, size) for a
bandwidth estimator. Receiver: :class:`TransportFeedbackRecorder` records arrivals and builds
the RTPFB FMT=15 feedback packets.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from .extensions import pack_transport_sequence_number
from .implementation import RtpPacket
from .sequence import SequenceUnwrapper
from .twcc import TransportFeedback, encode_arrivals

MAX_STATUSES_PER_FEEDBACK = 0xFFFF


@dataclass(frozen=True, slots=True)
class PacketResult:
    sequence_number: int
    send_time: float
    size: int
    arrival_time: float | None  # receiver clock, seconds; None: reported lost


class TransportSequenceStamper:
    def __init__(self, extension_id: int, *, start: int = 0, history: int = 4096) -> None:
        self.extension_id = extension_id
        self.next_sequence = start & 0xFFFF
        self._history: OrderedDict[int, tuple[float, int]] = OrderedDict()
        self._capacity = history

    def stamp(self, packet: RtpPacket, now: float) -> int:
        """Give ``packet`` the next transport-wide sequence number; returns it."""
        seq = self.next_sequence
        self.next_sequence = (seq + 1) & 0xFFFF
        packet.set_extension(self.extension_id, pack_transport_sequence_number(seq))
        self._history.pop(seq, None)
        self._history[seq] = (now, len(packet.serialize()))
        while len(self._history) > self._capacity:
            self._history.popitem(last=False)
        return seq

    def handle_feedback(self, feedback: TransportFeedback) -> list[PacketResult]:
        """Rows for the packets the feedback covers that we still remember."""
        results = []
        for seq, arrival_us in feedback.arrivals_us():
            sent = self._history.get(seq)
            if sent is None:
                continue
            arrival = None if arrival_us is None else arrival_us / 1e6
            results.append(PacketResult(seq, sent[0], sent[1], arrival))
        return results


class TransportFeedbackRecorder:
    def __init__(self, sender_ssrc: int, media_ssrc: int) -> None:
        self.sender_ssrc = sender_ssrc
        self.media_ssrc = media_ssrc
        self._unwrapper = SequenceUnwrapper()
        self._arrivals: dict[int, int] = {}  # extended seq -> arrival in µs
        self._next_to_report: int | None = None
        self.fb_packet_count = 0

    def receive(self, transport_sequence_number: int, now: float) -> None:
        ext = self._unwrapper.unwrap(transport_sequence_number)
        if self._next_to_report is not None and ext < self._next_to_report:
            return  # already reported (as lost): too late to matter
        self._arrivals.setdefault(ext, int(now * 1e6))
        if self._next_to_report is None:
            self._next_to_report = ext

    def build_feedback(self) -> list[TransportFeedback]:
        """Feedback for everything received since the last call (empty if nothing new)."""
        if not self._arrivals or self._next_to_report is None:
            return []
        start = self._next_to_report
        end = max(self._arrivals)
        packets = []
        while start <= end:
            stop = min(end, start + MAX_STATUSES_PER_FEEDBACK - 1)
            arrivals = [self._arrivals.get(ext) for ext in range(start, stop + 1)]
            # a run of deltas must fit 16 bits: cut the report where one does not
            kept = len(encode_arrivals(arrivals)[1])
            packets.append(
                TransportFeedback.from_arrivals(
                    self.sender_ssrc,
                    self.media_ssrc,
                    start & 0xFFFF,
                    self.fb_packet_count,
                    arrivals[:kept],
                )
            )
            self.fb_packet_count = (self.fb_packet_count + 1) & 0xFF
            start += kept
            while start <= end and start not in self._arrivals:
                start += 1  # never start a report with a lost packet
        self._arrivals.clear()
        self._next_to_report = end + 1
        return packets
