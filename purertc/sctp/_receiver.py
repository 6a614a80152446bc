"""Receiving DATA (RFC 9260 §6.2, §6.6, §6.9; RFC 8260 I-DATA; RFC 3758 §3.6 FORWARD-TSN):
reassembly in TSN order, ordered delivery, and the SACKs we send."""

from __future__ import annotations

from purertc.sctp import parameters as pm
from purertc.sctp._stream_reset import _StreamReset
from purertc.sctp.chunks import (
    FLAG_BEGIN,
    FLAG_END,
    FLAG_IMMEDIATE,
    FLAG_UNORDERED,
    DataChunk,
    ForwardTsnChunk,
    IDataChunk,
    IForwardTsnChunk,
    SackChunk,
)
from purertc.sctp.events import DataReceived
from purertc.sctp.tsn import MASK16, MASK32, seq_newer, unwrap32

_MAX_GAP_BLOCKS = 128
_MAX_DUPLICATES = 32
#: A TSN further than this above our cumulative ack point is outside any sane window: dropped.
_MAX_TSN_AHEAD = 1 << 18


class _Receiver(_StreamReset):
    """The receive side: cumulative TSN, gaps, reassembly and per-stream order."""

    def _on_data(self, chunk: DataChunk | IDataChunk) -> None:
        cum = self._cum
        delta = (chunk.tsn - cum) & MASK32  # unwrap32() inlined: runs once per DATA chunk
        tsn = cum + (delta - 0x100000000 if delta & 0x80000000 else delta)
        pending = self._pending
        if tsn <= cum or tsn in pending:
            self.stats.duplicate_tsns += 1
            if len(self._duplicates) < _MAX_DUPLICATES:
                self._duplicates.append(chunk.tsn)
            self._sack_now = True
            return
        size = len(chunk.user_data)
        if tsn - cum > _MAX_TSN_AHEAD:
            return  # outside any window we advertised
        if size == 0:  # §6.2: a DATA chunk without user data is answered with ABORT
            tsn_bytes = (chunk.tsn & MASK32).to_bytes(4, "big")
            self._abort_with(pm.Parameter(pm.CAUSE_NO_USER_DATA, tsn_bytes), "no user data")
            return
        if self._rwnd_used >= self.config.receive_window and tsn > self._highest_received:
            return  # §6.2: out of buffer space, drop chunks above the highest TSN received
        if tsn > self._highest_received:
            self._highest_received = tsn
        self._rwnd_used += size
        if chunk.flags & FLAG_IMMEDIATE:
            self._sack_now = True
        if tsn == cum + 1:
            self._cum = tsn
            if self._deferred_reset is not None and self._deferred_reset.last_tsn == tsn:
                self._consume(chunk)
                self._apply_deferred_reset()
            else:
                self._consume(chunk)
            if pending:
                self._advance_cum()
                self._sack_now = True  # a gap just closed
            return
        self._sack_now = True  # a gap: SACK at once (§6.7)
        flags = chunk.flags
        if flags & 0x07 == FLAG_UNORDERED | FLAG_BEGIN | FLAG_END:
            pending[tsn] = None  # a whole unordered message: deliver now
            self._events.append(DataReceived(chunk.stream_id, chunk.ppid, chunk.user_data, True))
        else:
            pending[tsn] = chunk

    def _advance_cum(self) -> None:
        pending = self._pending
        cum = self._cum
        while cum + 1 in pending:
            cum += 1
            chunk = pending.pop(cum)
            self._cum = cum
            if chunk is not None:
                self._consume(chunk)
            if self._deferred_reset is not None and self._deferred_reset.last_tsn == cum:
                self._apply_deferred_reset()

    def _consume(self, chunk: DataChunk | IDataChunk) -> None:
        """Reassemble in TSN order (§6.9) and deliver (§6.6)."""
        if isinstance(chunk, IDataChunk):
            self._consume_idata(chunk)
            return
        flags = chunk.flags
        data = chunk.user_data
        partial = self._partial
        if flags & FLAG_BEGIN:
            if partial:
                self._drop_partial()  # a new message began before the last one ended
            if not flags & FLAG_END:
                partial.append(chunk)
                self._partial_bytes = len(data)
                return
            first = chunk
        else:
            if not partial:
                self._rwnd_used -= len(data)  # orphan fragment of an abandoned message
                return
            partial.append(chunk)
            self._partial_bytes += len(data)
            if self._partial_bytes > self.max_message_size:
                # above the limit we advertised: drop it, keeping the stream's order moving
                first = partial[0]
                self._drop_partial()
                if not flags & FLAG_UNORDERED:
                    self._deliver_ordered(first.stream_id, first.stream_seq, first.ppid, None)
                return
            if not flags & FLAG_END:
                return
            first = partial[0]
            data = b"".join([piece.user_data for piece in partial])
            partial.clear()
            self._partial_bytes = 0
        if flags & FLAG_UNORDERED:
            self._events.append(DataReceived(first.stream_id, first.ppid, data, True))
            return
        self._deliver_ordered(first.stream_id, first.stream_seq, first.ppid, data)

    def _consume_idata(self, chunk: IDataChunk) -> None:
        """RFC 8260 §2.1: fragments of several messages may interleave; each (stream, U, MID)
        reassembles on its own, FSNs in TSN order."""
        flags = chunk.flags
        data = chunk.user_data
        unordered = bool(flags & FLAG_UNORDERED)
        key = (chunk.stream_id, unordered, chunk.message_id)
        partials = self._i_partials
        if flags & FLAG_BEGIN:
            if key in partials:
                self._drop_i_partial(key)
            if not flags & FLAG_END:
                partials[key] = [chunk]
                self._i_partial_bytes[key] = len(data)
                return
            first = chunk
        else:
            parts = partials.get(key)
            if parts is None or chunk.ppid_or_fsn != len(parts):
                self._rwnd_used -= len(data)  # orphan or out-of-sequence fragment
                return
            parts.append(chunk)
            total = self._i_partial_bytes[key] = self._i_partial_bytes[key] + len(data)
            if total > self.max_message_size:
                first = parts[0]
                self._drop_i_partial(key)
                if not unordered:
                    self._deliver_ordered(first.stream_id, first.message_id, 0, None)
                return
            if not flags & FLAG_END:
                return
            first = parts[0]
            data = b"".join([piece.user_data for piece in parts])
            del partials[key], self._i_partial_bytes[key]
        if unordered:
            self._events.append(DataReceived(first.stream_id, first.ppid_or_fsn, data, True))
            return
        self._deliver_ordered(first.stream_id, first.message_id, first.ppid_or_fsn, data)

    def _drop_i_partial(self, key: tuple[int, bool, int]) -> None:
        del self._i_partials[key]
        self._rwnd_used -= self._i_partial_bytes.pop(key)

    def _drop_partial(self) -> None:
        self._rwnd_used -= self._partial_bytes
        self._partial.clear()
        self._partial_bytes = 0

    def _deliver_ordered(self, stream_id: int, ssn: int, ppid: int, data: bytes | None) -> None:
        """Deliver in SSN order; ``data`` None marks a dropped message whose SSN is passed."""
        inbound = self._inbound
        expected = inbound.expected.get(stream_id, 0)
        if ssn == expected:
            if data is not None:
                self._events.append(DataReceived(stream_id, ppid, data, False))
            inbound.expected[stream_id] = (expected + 1) & self._seq_mask
            self._deliver_ordered_held(stream_id)
        elif seq_newer(ssn, expected, self._seq_mask):
            inbound.held.setdefault(stream_id, {})[ssn] = (ppid, data)
        elif data is not None:
            self._rwnd_used -= len(data)  # a stale SSN: protocol violation, drop

    def _on_forward_tsn(self, chunk: ForwardTsnChunk | IForwardTsnChunk) -> None:
        """RFC 3758 §3.6 / RFC 8260 §2.3: skip abandoned TSNs and the messages they carried."""
        new_cum = unwrap32(chunk.new_cumulative_tsn, self._cum)
        self._sack_now = True
        if new_cum <= self._cum or new_cum - self._cum > _MAX_TSN_AHEAD:
            return
        # Chunks received above the old cumulative TSN are still data the sender did not
        # abandon (it may skip over them, having seen them gap-acked): consume them in TSN
        # order. A missing TSN is an abandoned chunk, and no message spans it.
        pending = self._pending
        previous = self._cum
        for tsn in sorted(tsn for tsn in pending if tsn <= new_cum):
            received = pending.pop(tsn)
            if tsn != previous + 1 and self._partial:
                self._drop_partial()
            previous = tsn
            deferred = self._deferred_reset
            if deferred is not None and deferred.last_tsn < tsn:
                self._apply_deferred_reset()
            if received is not None:
                self._consume(received)
        if self._partial and unwrap32(self._partial[-1].tsn, new_cum) <= new_cum:
            self._drop_partial()
        for key, parts in list(self._i_partials.items()):
            if unwrap32(parts[-1].tsn, new_cum) <= new_cum:
                self._drop_i_partial(key)
        self._cum = new_cum
        if new_cum > self._highest_received:
            self._highest_received = new_cum
        if isinstance(chunk, ForwardTsnChunk):
            skips = [(stream_id, ssn) for stream_id, ssn in chunk.streams]
        else:  # unordered entries need no SSN bookkeeping: their partials went above
            skips = [(stream_id, mid) for stream_id, flags, mid in chunk.streams if not flags & 1]
        inbound = self._inbound
        mask = self._seq_mask
        for stream_id, ssn in skips:
            expected = inbound.expected.get(stream_id, 0)
            if seq_newer(expected, ssn, mask):
                continue
            held = inbound.held.get(stream_id, {})
            # deliver held messages up to the skipped SSN, then resume after it
            for early in sorted(s for s in held if not seq_newer(s, ssn, mask)):
                ppid, data = held.pop(early)
                if data is not None:
                    self._events.append(DataReceived(stream_id, ppid, data, False))
            inbound.expected[stream_id] = (ssn + 1) & mask
            self._deliver_ordered_held(stream_id)
        if self._deferred_reset is not None and self._deferred_reset.last_tsn <= new_cum:
            self._apply_deferred_reset()
        self._advance_cum()

    def _deliver_ordered_held(self, stream_id: int) -> None:
        inbound = self._inbound
        held = inbound.held.get(stream_id)
        expected = inbound.expected.get(stream_id, 0)
        while held and expected in held:
            ppid, data = held.pop(expected)
            if data is not None:
                self._events.append(DataReceived(stream_id, ppid, data, False))
            expected = (expected + 1) & self._seq_mask
        inbound.expected[stream_id] = expected

    def _sack_chunk(self) -> bytes:
        """SACK for everything received (§3.3.4, §6.2); clears the delayed-SACK state."""
        cum = self._cum
        gaps: tuple[tuple[int, int], ...] = ()
        if self._pending:
            blocks: list[tuple[int, int]] = []
            keys = sorted(self._pending)
            start = prev = keys[0]
            for tsn in keys[1:]:
                if tsn != prev + 1:
                    blocks.append((start - cum, prev - cum))
                    if len(blocks) >= _MAX_GAP_BLOCKS:
                        break
                    start = tsn
                prev = tsn
            else:
                blocks.append((start - cum, prev - cum))
            gaps = tuple(block for block in blocks if block[1] <= MASK16)
        rwnd = self.config.receive_window - self._rwnd_used
        if rwnd < 0:
            rwnd = 0
        self._last_advertised = rwnd
        duplicates = tuple(self._duplicates)
        self._duplicates.clear()
        self._sack_now = False
        self._packets_unacked = 0
        self._sack_timer = None
        return SackChunk(cum & MASK32, rwnd, gaps, duplicates).serialize()
