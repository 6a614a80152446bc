"""Sending DATA (RFC 9260 §6.1-§6.3, §7): fragmentation, the retransmission queue, SACK
processing, congestion control, RTO and T3-rtx, and PR-SCTP abandonment (RFC 3758 §3.5)."""

from __future__ import annotations

import heapq
import struct

from purertc.sctp._core import _Core
from purertc.sctp.chunks import (
    DATA,
    FLAG_BEGIN,
    FLAG_END,
    FLAG_UNORDERED,
    ForwardTsnChunk,
    IForwardTsnChunk,
    SackChunk,
    encode_idata,
)
from purertc.sctp.events import BufferedAmountLow
from purertc.sctp.implementation import encode_data
from purertc.sctp.tsn import MASK32, unwrap32

_DATA_HEADER = struct.Struct("!BBHIHHI")  # as in chunks.encode_data, for send()'s loop


class _Message:
    """One user message on the send side; PR-SCTP abandons it as a whole."""

    __slots__ = ("stream_id", "ordered", "ssn", "max_retransmits", "expires", "chunks", "abandoned")

    def __init__(
        self, stream_id: int, ordered: bool, ssn: int, max_retransmits: int | None,
        expires: float | None,
    ) -> None:  # fmt: skip
        self.stream_id = stream_id
        self.ordered = ordered
        self.ssn = ssn
        self.max_retransmits = max_retransmits
        self.expires = expires
        self.chunks: list[_OutChunk] = []
        self.abandoned = False


class _OutChunk:
    """A DATA chunk we send: its wire bytes are built once and reused by retransmissions."""

    __slots__ = (
        "tsn", "stream_id", "size", "wire", "message", "sent_count", "acked", "abandoned",
        "retransmit", "in_flight", "misses",
    )  # fmt: skip

    def __init__(self, tsn: int, stream_id: int, size: int, wire: bytes, message: _Message) -> None:
        self.tsn = tsn
        self.stream_id = stream_id
        self.size = size
        self.wire = wire
        self.message = message
        self.sent_count = 0
        self.acked = False
        self.abandoned = False
        self.retransmit = False
        self.in_flight = False
        self.misses = 0


class _Sender(_Core):
    """The send side: queued and outstanding chunks keyed by TSN."""

    def _enqueue(
        self, stream_id: int, data: bytes, ppid: int, ordered: bool,
        max_retransmits: int | None, expires: float | None,
    ) -> None:  # fmt: skip
        """Number the message (SSN or MID), cut it into chunks with their TSNs, queue them."""
        size = len(data)
        if ordered:
            ssn = self._out_ssn.get(stream_id, 0)
            self._out_ssn[stream_id] = (ssn + 1) & self._seq_mask
            flags = 0
        elif self._use_i_data:
            ssn = self._out_unordered_mid.get(stream_id, 0)
            self._out_unordered_mid[stream_id] = (ssn + 1) & MASK32
            flags = FLAG_UNORDERED
        else:
            ssn = 0
            flags = FLAG_UNORDERED
        message = _Message(stream_id, ordered, ssn, max_retransmits, expires)
        if self._use_i_data:
            self._queue_idata(message, flags, ppid, data)
            return
        queue = self._send_queue
        fragment = self._max_fragment
        tsn = self._next_tsn
        if size <= fragment:
            wire = encode_data(
                flags | FLAG_BEGIN | FLAG_END, tsn & MASK32, stream_id, ssn, ppid, data
            )
            chunk = _OutChunk(tsn, stream_id, size, wire, message)
            message.chunks.append(chunk)
            queue.append(chunk)
            tsn += 1
        else:
            # first and middle fragments are full (a multiple of 4: no padding); the last one
            # goes through encode_data for its padding
            view = memoryview(data)
            pack = _DATA_HEADER.pack
            length = 16 + fragment
            fragments = message.chunks
            piece_flags = flags | FLAG_BEGIN
            last = size - fragment
            start = 0
            while start < last:
                wire = pack(DATA, piece_flags, length, tsn & MASK32, stream_id, ssn, ppid)
                wire += view[start : start + fragment]
                fragments.append(_OutChunk(tsn, stream_id, fragment, wire, message))
                piece_flags = flags
                start += fragment
                tsn += 1
            wire = encode_data(
                piece_flags | FLAG_END, tsn & MASK32, stream_id, ssn, ppid, view[start:]
            )
            fragments.append(_OutChunk(tsn, stream_id, size - start, wire, message))
            tsn += 1
            queue.extend(fragments)
        self._next_tsn = tsn

    def _queue_idata(self, message: _Message, flags: int, ppid: int, data: bytes) -> None:
        """Fragment into I-DATA chunks: the MID names the message, the FSN the fragment, and
        the PPID rides in the first fragment only (RFC 8260 §2.1)."""
        view = memoryview(data)
        size = len(data)
        fragment = self._max_fragment
        stream_id = message.stream_id
        tsn = self._next_tsn
        for fsn, start in enumerate(range(0, size, fragment)):
            piece = view[start : start + fragment]
            piece_flags = flags
            if start == 0:
                piece_flags |= FLAG_BEGIN
            if start + fragment >= size:
                piece_flags |= FLAG_END
            wire = encode_idata(
                piece_flags, tsn & MASK32, stream_id, message.ssn, ppid if fsn == 0 else fsn, piece
            )
            chunk = _OutChunk(tsn, stream_id, len(piece), wire, message)
            message.chunks.append(chunk)
            self._send_queue.append(chunk)
            tsn += 1
        self._next_tsn = tsn

    def _transmit_data(self, now: float) -> None:
        """Retransmissions first, then new chunks, within cwnd and the peer's window (§6.1)."""
        outstanding = self._outstanding
        cwnd = self._cwnd
        heap = self._rtx_heap
        if heap:
            burst_left = self._mtu_body if self._fast_rtx_pending else 0  # §7.2.4: one packet
            self._fast_rtx_pending = False
            while heap:
                chunk = outstanding.get(heap[0])
                if chunk is None or not chunk.retransmit:
                    heapq.heappop(heap)
                    continue
                if self._flight >= cwnd and burst_left < chunk.size:
                    break
                burst_left -= len(chunk.wire)
                heapq.heappop(heap)
                message = chunk.message
                if (message.max_retransmits is not None
                        and chunk.sent_count > message.max_retransmits) or (
                        message.expires is not None and now >= message.expires):  # fmt: skip
                    self._abandon(message)
                    continue
                chunk.retransmit = False
                self.stats.retransmissions += 1
                self._send_chunk(chunk, now)
        queue = self._send_queue
        packets = self._pkt_out
        pending = self._pkt_chunks
        filled = self._pkt_size
        limit = self._mtu_body
        while queue:
            chunk = queue[0]
            if chunk.abandoned:
                queue.popleft()
                outstanding[chunk.tsn] = chunk
                self._advance_peer_ack_point()
                continue
            if self._flight >= cwnd or (self._peer_rwnd < chunk.size and self._flight):
                break
            expires = chunk.message.expires
            if expires is not None and now >= expires:
                self._abandon(chunk.message)
                continue
            queue.popleft()
            outstanding[chunk.tsn] = chunk
            # _send_chunk inlined: this loop runs once per DATA chunk
            size = chunk.size
            chunk.sent_count = 1
            chunk.in_flight = True
            self._flight += size
            self._peer_rwnd -= size
            if self._rtt_tsn is None:
                self._rtt_tsn = chunk.tsn
                self._rtt_time = now
            wire = chunk.wire  # _add() inlined
            if filled + len(wire) > limit and pending:
                packets.append(self._pack(pending))
                pending = []
                filled = 0
            pending.append(wire)
            filled += len(wire)
        self._pkt_chunks = pending
        self._pkt_size = filled
        if self._flight and self._t3 is None:
            self._t3 = now + self._rto

    def _send_chunk(self, chunk: _OutChunk, now: float) -> None:
        size = chunk.size
        chunk.sent_count += 1
        chunk.in_flight = True
        self._flight += size
        self._peer_rwnd -= size
        if chunk.tsn == self._rtt_tsn:
            self._rtt_tsn = None  # Karn's rule: no RTT sample from a retransmitted chunk
        self._add(chunk.wire)

    def _abandon(self, message: _Message) -> None:
        """RFC 3758 §3.5: give up on every chunk of a message; FORWARD TSN tells the peer."""
        if message.abandoned:
            return
        message.abandoned = True
        self.stats.messages_abandoned += 1
        for chunk in message.chunks:
            if chunk.abandoned:
                continue
            if chunk.tsn == self._rtt_tsn:
                self._rtt_tsn = None  # never acked: a FORWARD-TSN passing it is no RTT sample
            if chunk.in_flight:
                chunk.in_flight = False
                self._flight -= chunk.size
            chunk.retransmit = False
            if not chunk.acked:
                self._release(chunk)
            chunk.abandoned = True
        # abandoned chunks at the head of the send queue take their TSN slot without a send
        queue = self._send_queue
        while queue and queue[0].abandoned:
            chunk = queue.popleft()
            self._outstanding[chunk.tsn] = chunk
        self._advance_peer_ack_point()

    def _advance_peer_ack_point(self) -> None:
        """RFC 3758 §3.5 C1, also moving over gap-acked chunks, so that one FORWARD-TSN
        clears every hole of abandoned chunks instead of one hole per round trip (a lost
        FORWARD-TSN or SACK then costs one T3, not one per hole).

        Passing a gap-acked chunk is safe because: gap acks are final here (no reneging); the
        point only lands on an abandoned chunk, and a message's TSNs are contiguous, so every
        message passed was wholly received or wholly abandoned; and the walk stops before an
        abandoned ordered message on a stream whose received *reliable* ordered message it
        passed, since some receivers (aiortc's, for one) discard rather than deliver held
        messages up to the skipped SSN. A received partially reliable message may meet that
        fate (its loss is allowed); this receiver delivers it.
        """
        if self._advanced_ack <= self._acked_cum:
            self._advanced_ack = self._acked_cum
            self._passed_acked.clear()
        point = self._advanced_ack
        passed = self._passed_acked
        outstanding = self._outstanding
        seen: set[int] = set()
        probe = point + 1
        while (chunk := outstanding.get(probe)) is not None:
            if chunk.abandoned:
                if chunk.message.ordered and (chunk.stream_id in seen or chunk.stream_id in passed):
                    break
                point = probe
                passed |= seen
                seen.clear()
            elif chunk.acked:
                message = chunk.message
                if message.ordered and message.max_retransmits is None and message.expires is None:
                    seen.add(chunk.stream_id)
            else:
                break
            probe += 1
        self._advanced_ack = point
        if point > self._acked_cum:
            self._forward_tsn_pending = True

    def _forward_tsn_chunk(self) -> bytes:
        """FORWARD-TSN (RFC 3758 §3.2) or, with interleaving, I-FORWARD-TSN (RFC 8260 §2.3):
        the new cumulative TSN and the last skipped SSN / MID per stream."""
        new_cum = self._advanced_ack
        last: dict[tuple[int, int], int] = {}
        outstanding = self._outstanding
        for tsn in range(self._acked_cum + 1, new_cum + 1):
            chunk = outstanding.get(tsn)
            if chunk is not None and chunk.abandoned:  # gap-acked chunks are delivered
                message = chunk.message
                last[(chunk.stream_id, 0 if message.ordered else 1)] = message.ssn
        if self._use_i_data:
            entries = tuple((sid, u, mid) for (sid, u), mid in sorted(last.items()))
            return IForwardTsnChunk(new_cum & MASK32, entries).serialize()
        ordered = tuple((sid, ssn) for (sid, u), ssn in sorted(last.items()) if not u)
        return ForwardTsnChunk(new_cum & MASK32, ordered).serialize()

    def _release(self, chunk: _OutChunk) -> None:
        """The chunk no longer counts in its stream's buffered amount."""
        stream_id = chunk.stream_id
        before = self._buffered[stream_id]
        after = before - chunk.size
        self._buffered[stream_id] = after
        threshold = self._low_threshold.get(stream_id, 0)
        if before > threshold >= after:
            self._events.append(BufferedAmountLow(stream_id))

    def _on_sack(self, sack: SackChunk, now: float) -> None:
        """§6.2.1 processing, §7.2 congestion control, §7.2.4 fast retransmit."""
        acked_cum = self._acked_cum
        cum = unwrap32(sack.cumulative_tsn, acked_cum)
        outstanding = self._outstanding
        highest_sent = acked_cum + len(outstanding)
        if cum < acked_cum or cum > highest_sent:
            return  # stale (reordered) SACK, or one acking TSNs never sent: drop
        flight_before = self._flight
        acked_bytes = 0
        rtt_tsn = self._rtt_tsn
        rtt_sample = False
        if cum > acked_cum:
            for tsn in range(acked_cum + 1, cum + 1):
                chunk = outstanding.pop(tsn)
                if chunk.in_flight:
                    chunk.in_flight = False  # _abandon() may still see it via its message
                    self._flight -= chunk.size
                if not chunk.acked and not chunk.abandoned:
                    acked_bytes += chunk.size
                    self._release(chunk)
                chunk.acked = True
                chunk.retransmit = False
            if rtt_tsn is not None and rtt_tsn <= cum:
                rtt_sample = True
            self._acked_cum = cum
            self._error_count = 0
        highest_newly_acked = 0
        for start, end in sack.gaps:
            if start == 0 or start > end:
                continue
            for tsn in range(cum + start, min(cum + end, highest_sent) + 1):
                chunk = outstanding[tsn]
                if chunk.acked:
                    continue
                chunk.acked = True
                chunk.retransmit = False
                if chunk.in_flight:
                    chunk.in_flight = False
                    self._flight -= chunk.size
                if not chunk.abandoned:
                    acked_bytes += chunk.size
                    self._release(chunk)
                highest_newly_acked = tsn
                if tsn == rtt_tsn:
                    rtt_sample = True
        if rtt_sample and self._rtt_tsn is not None:
            self._update_rto(now - self._rtt_time)
            self._rtt_tsn = None
        if highest_newly_acked:
            self._count_misses(cum, sack.gaps, highest_newly_acked)
        # congestion control (§7.2.1, §7.2.2)
        mtu = self.mtu
        if cum > acked_cum:
            if self._fast_recovery_exit is not None and cum >= self._fast_recovery_exit:
                self._fast_recovery_exit = None
            if self._fast_recovery_exit is None:
                if self._cwnd <= self._ssthresh:
                    if flight_before + mtu >= self._cwnd:
                        self._cwnd += min(acked_bytes, mtu)
                else:
                    self._partial_bytes_acked += acked_bytes
                    if (
                        self._partial_bytes_acked >= self._cwnd
                        and flight_before + mtu >= self._cwnd
                    ):
                        self._partial_bytes_acked -= self._cwnd
                        self._cwnd += mtu
        rwnd = sack.a_rwnd - self._flight
        self._peer_rwnd = rwnd if rwnd > 0 else 0
        if not outstanding:
            self._t3 = None
            self._partial_bytes_acked = 0
        elif cum > acked_cum:
            self._t3 = now + self._rto
        head = outstanding.get(self._acked_cum + 1)
        if self._advanced_ack > self._acked_cum or (head is not None and head.abandoned):
            self._advance_peer_ack_point()  # RFC 3758 C1-C3

    def _count_misses(self, cum: int, gaps: tuple[tuple[int, int], ...], highest: int) -> None:
        """HTNA miss indications (§7.2.4) for the TSNs the SACK reports missing, i.e. the holes
        between its gap blocks below the highest newly acked TSN; the third triggers fast
        retransmit. Walking only the holes keeps a SACK's cost independent of the window."""
        outstanding = self._outstanding
        covered = cum  # highest TSN known received so far while walking the blocks in order
        for start, end in sorted(gaps):
            if start == 0 or start > end:
                continue
            for tsn in range(covered + 1, min(cum + start, highest)):
                self._miss(outstanding[tsn])
            covered = max(covered, cum + end)
            if covered >= highest:
                break

    def _miss(self, chunk: _OutChunk) -> None:
        if chunk.acked or chunk.abandoned or chunk.retransmit:
            return
        chunk.misses += 1
        if chunk.misses >= 3:
            chunk.misses = -(1 << 30)  # fast retransmitted once only; then T3's job
            self._mark_retransmit(chunk)
            self._fast_rtx_pending = True
            self.stats.fast_retransmits += 1
            if self._fast_recovery_exit is None:
                self._ssthresh = max(self._cwnd // 2, 4 * self.mtu)
                self._cwnd = self._ssthresh
                self._partial_bytes_acked = 0
                self._fast_recovery_exit = self._acked_cum + len(self._outstanding)

    def _mark_retransmit(self, chunk: _OutChunk) -> None:
        if chunk.in_flight:
            chunk.in_flight = False
            self._flight -= chunk.size
        chunk.retransmit = True
        heapq.heappush(self._rtx_heap, chunk.tsn)

    def _update_rto(self, sample: float) -> None:
        """§6.3.1 with alpha 1/8, beta 1/4."""
        if self._srtt is None:
            self._srtt = sample
            self._rttvar = sample / 2
        else:
            self._rttvar = 0.75 * self._rttvar + 0.25 * abs(self._srtt - sample)
            self._srtt = 0.875 * self._srtt + 0.125 * sample
        config = self.config
        self._rto = min(max(self._srtt + 4 * self._rttvar, config.rto_min), config.rto_max)

    def _on_t3(self, now: float) -> None:
        """§6.3.3: back off, collapse cwnd, retransmit everything outstanding."""
        self._t3 = None
        outstanding = self._outstanding
        if not outstanding:
            return
        self.stats.t3_expirations += 1
        self._error_count += 1
        if self._error_count > self.config.max_retransmits:
            self._close("failure: too many retransmissions")
            return
        self._rto = min(self._rto * 2, self.config.rto_max)
        self._ssthresh = max(self._cwnd // 2, 4 * self.mtu)
        self._cwnd = self.mtu
        self._partial_bytes_acked = 0
        self._fast_recovery_exit = None
        self._rtt_tsn = None
        for chunk in outstanding.values():
            if not chunk.acked and not chunk.abandoned and not chunk.retransmit:
                self._mark_retransmit(chunk)
        self._advance_peer_ack_point()
        self._t3 = now + self._rto
