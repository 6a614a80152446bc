"""Stream reconfiguration (RFC 6525): our outgoing SSN reset requests and the peer's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from purertc.sctp import chunks as ch
from purertc.sctp import parameters as pm
from purertc.sctp._sender import _Sender
from purertc.sctp.chunks import ReconfigChunk
from purertc.sctp.events import StreamsResetIncoming, StreamsResetOutgoingDone
from purertc.sctp.tsn import MASK32, unwrap32


@dataclass
class _ResetRequest:
    """Our outstanding Outgoing SSN Reset Request (RFC 6525 §5.1.2): one at a time."""

    sequence: int
    last_tsn: int
    streams: tuple[int, ...]


@dataclass
class _DeferredReset:
    """A peer's reset that waits for our cumulative TSN to reach its last TSN (§5.2.2)."""

    sequence: int
    last_tsn: int
    streams: tuple[int, ...]


class _StreamReset(_Sender):
    """RE-CONFIG requests and responses, one request of ours at a time."""

    def _maybe_request_reset(self, now: float) -> None:
        if self._reset_queue and ch.RE_CONFIG not in self._peer_extensions:
            streams = tuple(self._reset_queue)
            self._reset_queue.clear()  # RFC 6525 §3: a peer without RE-CONFIG cannot reset
            self._release_held_sends(streams)
            return
        if self._reset_request is None and self._reset_queue and self._tx_data:
            streams = tuple(self._reset_queue)
            self._reset_queue.clear()
            self._reset_request = _ResetRequest(
                self._reconfig_seq, (self._next_tsn - 1) & MASK32, streams
            )
            for stream_id in streams:
                self._out_ssn.pop(stream_id, None)
                self._out_unordered_mid.pop(stream_id, None)
            self._send_reset_request(now)

    def _send_reset_request(self, now: float) -> None:
        request = self._reset_request
        assert request is not None
        param = pm.OutgoingSsnResetRequest(
            request.sequence & MASK32,
            (self._peer_reconfig_seq - 1) & MASK32,
            request.last_tsn,
            request.streams,
        )
        self._control.append(ReconfigChunk([param]).serialize())
        self._reconfig_timer = now + self._rto

    def _on_reconfig(self, chunk: ReconfigChunk, now: float) -> None:
        for param in chunk.params:
            if isinstance(param, pm.OutgoingSsnResetRequest):
                self._on_peer_outgoing_reset(param)
            elif isinstance(param, pm.ReconfigResponse):
                self._on_reconfig_response(param)
            elif isinstance(
                param, (pm.IncomingSsnResetRequest, pm.SsnTsnResetRequest, pm.AddStreamsRequest)
            ):
                result = pm.RESULT_DENIED
                if isinstance(param, pm.AddStreamsRequest):
                    result = pm.RESULT_SUCCESS_PERFORMED  # every stream id is already usable
                sequence = self._accept_request_sequence(param.request_sequence)
                if sequence is not None:
                    self._answer(param.request_sequence, result)

    def _accept_request_sequence(self, wire: int) -> int | None:
        """§5.2.1-style sequence check: the next request, a retransmission, or an error."""
        expected = self._peer_reconfig_seq
        sequence = unwrap32(wire, expected)
        if sequence == expected:
            self._peer_reconfig_seq += 1
            return sequence
        if sequence == expected - 1:
            last, result = self._last_peer_result
            if last == sequence and result != pm.RESULT_IN_PROGRESS:
                self._answer(wire, result)
            elif last == sequence and self._deferred_reset is None:
                self._answer(wire, pm.RESULT_SUCCESS_PERFORMED)
            else:
                self._answer(wire, pm.RESULT_IN_PROGRESS)
            return None
        self._answer(wire, pm.RESULT_ERROR_BAD_SEQUENCE_NUMBER)
        return None

    def _answer(self, wire_sequence: int, result: int) -> None:
        self._last_peer_result = (unwrap32(wire_sequence, self._peer_reconfig_seq), result)
        param = pm.ReconfigResponse(wire_sequence & MASK32, result)
        self._control.append(ReconfigChunk([param]).serialize())

    def _on_peer_outgoing_reset(self, request: pm.OutgoingSsnResetRequest) -> None:
        sequence = self._accept_request_sequence(request.request_sequence)
        if sequence is None:
            return
        last_tsn = unwrap32(request.last_tsn, self._cum)
        deferred = _DeferredReset(sequence, last_tsn, tuple(request.streams))
        if last_tsn > self._cum:
            self._deferred_reset = deferred
            self._answer(request.request_sequence, pm.RESULT_IN_PROGRESS)
            return
        self._deferred_reset = deferred
        self._apply_deferred_reset()

    def _apply_deferred_reset(self) -> None:
        reset = self._deferred_reset
        assert reset is not None
        self._deferred_reset = None
        inbound = self._inbound
        streams = reset.streams or tuple(inbound.expected)
        for stream_id in streams:
            inbound.expected.pop(stream_id, None)
            for _ppid, data in inbound.held.pop(stream_id, {}).values():
                self._rwnd_used -= len(data or b"")
        self._answer(reset.sequence & MASK32, pm.RESULT_SUCCESS_PERFORMED)
        # answer with our own outgoing reset (Chrome waits for it), unless this closes ours
        answer = [s for s in streams if s not in self._resets_we_started]
        self._resets_we_started.difference_update(streams)
        for stream_id in answer:
            if stream_id not in self._reset_queue:
                self._reset_queue.append(stream_id)
            self._resetting.add(stream_id)
        self._events.append(StreamsResetIncoming(tuple(streams)))

    def _on_reconfig_response(self, response: pm.ReconfigResponse) -> None:
        request = self._reset_request
        if request is None or response.response_sequence != request.sequence & MASK32:
            return
        if response.result == pm.RESULT_IN_PROGRESS:
            return  # retried when the reconfig timer fires
        self._reset_request = None
        self._reconfig_timer = None
        self._reconfig_seq += 1
        if response.result in (pm.RESULT_SUCCESS_PERFORMED, pm.RESULT_SUCCESS_NOTHING_TO_DO):
            self._events.append(StreamsResetOutgoingDone(request.streams))
        self._release_held_sends(request.streams)

    def _release_held_sends(self, streams: Sequence[int]) -> None:
        """The reset of these streams is over: queue what was sent on them meanwhile."""
        for stream_id in streams:
            if stream_id in self._reset_queue:
                continue  # reset again meanwhile: keep holding
            self._resetting.discard(stream_id)
            for data, ppid, ordered, max_retransmits, expires in self._held_sends.pop(
                stream_id, ()
            ):
                self._enqueue(stream_id, data, ppid, ordered, max_retransmits, expires)
