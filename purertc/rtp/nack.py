"""Loss recovery: the receiver's NACK generator and the sender's retransmission buffer.

Generic NACK (RFC 4585 §6.2.1) asks again for missing sequence numbers; we repeat a request
at most once per RTT (or ``min_interval``) and give up after ``max_retries`` or when the hole
falls more than ``max_packets`` behind. The sender answers from a bounded history, wrapped in
RTX (RFC 4588) when an RTX stream is negotiated, and at most once per RTT per packet.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from .implementation import RtpPacket
from .rtcp_feedback import GenericNack
from .rtx import wrap_rtx
from .sequence import SequenceUnwrapper


@dataclass(slots=True)
class _Missing:
    detected: float
    retries: int = 0
    last_sent: float | None = None


class NackGenerator:
    def __init__(
        self,
        *,
        max_retries: int = 10,
        max_packets: int = 1000,
        min_interval: float = 0.02,
        rtt: float = 0.1,
    ) -> None:
        self.max_retries = max_retries
        self.max_packets = max_packets
        self.min_interval = min_interval
        self.rtt = rtt  # update from RTCP (SenderStatistics.rtt / XR DLRR)
        self._unwrapper = SequenceUnwrapper()
        self._highest: int | None = None
        self._missing: OrderedDict[int, _Missing] = OrderedDict()
        self.given_up: list[int] = []  # sequence numbers abandoned since last read

    @property
    def missing(self) -> list[int]:
        return [ext & 0xFFFF for ext in self._missing]

    def receive(self, sequence_number: int, now: float) -> None:
        ext = self._unwrapper.unwrap(sequence_number)
        highest = self._highest
        if highest is None:
            self._highest = ext
            return
        if ext > highest:
            if ext - highest > self.max_packets:
                self.given_up.extend(e & 0xFFFF for e in self._missing)
                self._missing.clear()
            else:
                for missing in range(highest + 1, ext):
                    self._missing[missing] = _Missing(detected=now)
            self._highest = ext
            while self._missing and next(iter(self._missing)) < ext - self.max_packets:
                self.given_up.append(self._missing.popitem(last=False)[0] & 0xFFFF)
        else:
            self._missing.pop(ext, None)  # recovered (retransmission or reordering)

    def _interval(self) -> float:
        return max(self.rtt, self.min_interval)

    def get_timer(self) -> float | None:
        deadline: float | None = None
        for entry in self._missing.values():
            due = entry.detected if entry.last_sent is None else entry.last_sent + self._interval()
            if deadline is None or due < deadline:
                deadline = due
        return deadline

    def poll(self, now: float) -> list[int]:
        """Sequence numbers to NACK now (each counted as one more try)."""
        due = []
        interval = self._interval()
        for ext in list(self._missing):
            entry = self._missing[ext]
            if entry.last_sent is not None and now - entry.last_sent < interval:
                continue
            if entry.retries >= self.max_retries:
                del self._missing[ext]
                self.given_up.append(ext & 0xFFFF)
                continue
            entry.retries += 1
            entry.last_sent = now
            due.append(ext & 0xFFFF)
        return due

    def build_nack(self, sender_ssrc: int, media_ssrc: int, now: float) -> GenericNack | None:
        lost = self.poll(now)
        return GenericNack.from_lost(sender_ssrc, media_ssrc, lost) if lost else None


class RetransmissionBuffer:
    """The sender's recent packets by sequence number, for answering NACKs."""

    def __init__(
        self,
        capacity: int = 1024,
        *,
        rtx_payload_type: int | None = None,
        rtx_ssrc: int | None = None,
        rtx_sequence_number: int = 0,
    ) -> None:
        if (rtx_payload_type is None) != (rtx_ssrc is None):
            raise ValueError("RTX needs both a payload type and an SSRC")
        self.capacity = capacity
        self.rtx_payload_type = rtx_payload_type
        self.rtx_ssrc = rtx_ssrc
        self.rtx_sequence_number = rtx_sequence_number & 0xFFFF
        self._packets: OrderedDict[int, RtpPacket] = OrderedDict()
        self._resent_at: dict[int, float] = {}

    def sent(self, packet: RtpPacket) -> None:
        seq = packet.sequence_number
        self._packets.pop(seq, None)
        self._resent_at.pop(seq, None)
        self._packets[seq] = packet
        while len(self._packets) > self.capacity:
            old, _ = self._packets.popitem(last=False)
            self._resent_at.pop(old, None)

    def get(self, sequence_number: int) -> RtpPacket | None:
        return self._packets.get(sequence_number & 0xFFFF)

    def handle_nack(self, nack: GenericNack, now: float, rtt: float = 0.0) -> list[RtpPacket]:
        """Packets to send again (RTX-wrapped if configured), skipping ones resent < RTT ago."""
        out = []
        for seq in nack.lost:
            packet = self._packets.get(seq)
            if packet is None:
                continue
            last = self._resent_at.get(seq)
            if last is not None and now - last < rtt:
                continue
            self._resent_at[seq] = now
            if self.rtx_payload_type is not None and self.rtx_ssrc is not None:
                out.append(
                    wrap_rtx(packet, self.rtx_payload_type, self.rtx_ssrc, self.rtx_sequence_number)
                )
                self.rtx_sequence_number = (self.rtx_sequence_number + 1) & 0xFFFF
            else:
                out.append(packet)
        return out
