"""The sans-IO SCTP association (RFC 9260) with PR-SCTP (RFC 3758) and stream reset (RFC 6525).

Five verbs (DESIGN.md §1) and plain commands; bytes leave only through
:meth:`Association.datagrams_to_send`. The design choices that make it fast and loss-proof:

* Internally a TSN is an unbounded integer (:mod:`purertc.sctp.tsn`); wire values are lifted
  once on arrival. Sent-but-unacknowledged chunks live in a dict keyed by TSN whose keys are
  contiguous, so a SACK touches only the TSNs it names: no scan of the retransmission queue.
* A user message is cut into DATA chunks, each serialized once at :meth:`send`; a
  retransmission reuses the same bytes. Packets bundle control chunks, one SACK and as many DATA
  chunks as fit the MTU, and the CRC is computed once per packet.
* The receiver reassembles in TSN order (RFC 9260 §6.9: a message's fragments carry consecutive
  TSNs), so one partial message is enough; a SACK is sent every second packet, after 200 ms,
  at once on a gap or duplicate, and only when the user asks for datagrams, so a batch of
  received packets costs one SACK.
* Delivered messages wait in the event queue and count against our receive window until the
  user takes them with :meth:`next_event`: that is the back-pressure a slow reader exerts.

The driver loop (any transport; ``now`` is the caller's monotonic clock)::

    assoc = Association(rng=random.SystemRandom())   # one side also calls assoc.connect(now)
    on datagram from the transport:  assoc.receive(datagram, now)
    on the deadline from get_timer:  assoc.handle_timer(now)
    after either, and after any command (send, reset_streams, shutdown...):
        for datagram in assoc.datagrams_to_send(now): transport.send(datagram)
        while (event := assoc.next_event()) is not None: handle(event)
        re-arm one timer at assoc.get_timer()
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from crc32c import crc32c

from purertc.sctp import chunks as ch
from purertc.sctp import parameters as pm
from purertc.sctp._core import (
    _CHECKSUM,
    AssociationConfig,
    AssociationState,
    AssociationStats,
    _describe_causes,
)
from purertc.sctp._lifecycle import _Lifecycle
from purertc.sctp.chunks import (
    AbortChunk,
    CookieAckChunk,
    CookieEchoChunk,
    DataChunk,
    ErrorChunk,
    ForwardTsnChunk,
    HeartbeatAckChunk,
    IDataChunk,
    IForwardTsnChunk,
    InitAckChunk,
    InitChunk,
    ReconfigChunk,
    SackChunk,
    ShutdownAckChunk,
    ShutdownChunk,
    ShutdownCompleteChunk,
    UnknownChunk,
)
from purertc.sctp.errors import SctpError
from purertc.sctp.events import DataReceived, Event
from purertc.sctp.packet import encode_packet, iter_chunks, packet_checksum_ok

_PORTS_TAG = struct.Struct("!HHI")

_CAN_SEND = frozenset({AssociationState.ESTABLISHED})

__all__ = ["Association", "AssociationConfig", "AssociationState", "AssociationStats"]


class Association(_Lifecycle):
    """One SCTP association over any datagram transport (DTLS for WebRTC, RFC 8261).

    The public commands and the five verbs live here; the protocol is composed from one part
    per concept, each a module: ``_core`` (state, packet assembly), ``_sender`` (retransmission
    queue, SACK processing, congestion control, PR-SCTP), ``_stream_reset`` (RFC 6525),
    ``_receiver`` (reassembly, ordering, SACKs) and ``_lifecycle`` (handshake, heartbeats,
    shutdown). Each part extends the one before it, so a part may call the ones below it.
    """

    def connect(self, now: float) -> None:
        """Start the four-way handshake (RFC 9260 §5.1): send INIT, arm T1-init."""
        if self.state is not AssociationState.CLOSED or self._local_tag:
            raise SctpError(f"connect: association is {self.state.value}")
        self._local_tag = self._new_tag()
        self._update_headers()
        self._local_initial_tsn = self._rng.getrandbits(32)
        self.state = AssociationState.COOKIE_WAIT
        self._t1_chunk = self._init_chunk()
        self._special.append((0, self._t1_chunk))
        self._t1 = now + self._rto
        self._t1_count = 0

    def send(
        self,
        stream_id: int,
        data: bytes,
        ppid: int,
        *,
        ordered: bool = True,
        max_retransmits: int | None = None,
        max_lifetime: float | None = None,
        now: float,
    ) -> None:
        """Queue one message (RFC 9260 §6.1, §6.9 fragmentation; RFC 3758 partial reliability)."""
        if self.state not in _CAN_SEND:
            raise SctpError(f"send: association is {self.state.value}, not established")
        size = len(data)
        if size > self.remote_max_message_size > 0:  # RFC 8841 §6: 0 announces no limit
            raise SctpError(
                f"send: message of {size} bytes exceeds the peer's maximum message size "
                f"{self.remote_max_message_size}"
            )
        if size == 0:
            raise SctpError("send: SCTP cannot carry an empty message (RFC 9260 §3.3.1)")
        if not 0 <= stream_id <= 0xFFFF:
            raise SctpError(f"send: stream id {stream_id} out of range")
        if ch.FORWARD_TSN not in self._peer_extensions:
            max_retransmits = max_lifetime = None  # RFC 3758 §3.3: peer lacks PR-SCTP
        expires = None if max_lifetime is None else now + max_lifetime
        self._buffered[stream_id] = self._buffered.get(stream_id, 0) + size
        if stream_id in self._resetting:
            # new data must follow the reset, with SSN 0: hold it until the reset completes
            held = self._held_sends.setdefault(stream_id, [])
            held.append((data, ppid, ordered, max_retransmits, expires))
            return
        self._enqueue(stream_id, data, ppid, ordered, max_retransmits, expires)

    def reset_streams(self, stream_ids: Sequence[int]) -> None:
        """Reset our outgoing side of these streams (RFC 6525 §5.1.2); the peer answers by
        resetting its side, reported as :class:`StreamsResetIncoming`."""
        for stream_id in stream_ids:
            if stream_id not in self._reset_queue:
                self._reset_queue.append(stream_id)
            self._resets_we_started.add(stream_id)
            self._resetting.add(stream_id)

    def buffered_amount(self, stream_id: int) -> int:
        return self._buffered.get(stream_id, 0)

    def set_buffered_amount_low_threshold(self, stream_id: int, threshold: int) -> None:
        self._low_threshold[stream_id] = threshold

    def shutdown(self) -> None:
        """Graceful close (RFC 9260 §9.2): deliver what is queued, then SHUTDOWN."""
        if self.state is AssociationState.ESTABLISHED:
            self.state = AssociationState.SHUTDOWN_PENDING
        elif self.state in (AssociationState.COOKIE_WAIT, AssociationState.COOKIE_ECHOED):
            self.abort("shutdown before the handshake completed")

    def abort(self, reason: str = "") -> None:
        """Send ABORT with a User-Initiated Abort cause (RFC 9260 §9.1) and close at once."""
        cause = pm.Parameter(pm.CAUSE_USER_INITIATED_ABORT, reason.encode()[:1000])
        self._abort_with(cause, reason)

    def next_event(self) -> Event | None:
        if not self._events:
            return None
        event = self._events.popleft()
        if type(event) is DataReceived:
            self._rwnd_used -= len(event.data)
            half = self.config.receive_window >> 1
            if self._last_advertised < half <= self.config.receive_window - self._rwnd_used:
                self._sack_now = True  # window update (§6.2)
        return event

    def get_timer(self) -> float | None:
        timer: float | None = None
        for candidate in (
            self._t3, self._sack_timer, self._t1, self._t2, self._reconfig_timer,
            self._heartbeat_timer,
        ):  # fmt: skip
            if candidate is not None and (timer is None or candidate < timer):
                timer = candidate
        return timer

    def handle_timer(self, now: float) -> None:
        if self._sack_timer is not None and now >= self._sack_timer:
            self._sack_timer = None
            self._sack_now = True
        if self._t1 is not None and now >= self._t1:
            self._on_t1(now)
        if self._t3 is not None and now >= self._t3:
            self._on_t3(now)
        if self._t2 is not None and now >= self._t2:
            self._on_t2(now)
        if self._heartbeat_timer is not None and now >= self._heartbeat_timer:
            self._on_heartbeat_timer(now)
        if self._reconfig_timer is not None and now >= self._reconfig_timer:
            self._reconfig_timer = None
            if self._reset_request is not None:
                self._rto = min(self._rto * 2, self.config.rto_max)
                self._send_reset_request(now)

    def receive(self, data: bytes, now: float) -> None:
        """One datagram from the peer. Bad packets are dropped (and counted), never raised."""
        self.stats.packets_received += 1
        if type(data) is not bytes:
            data = bytes(data)  # a memoryview or bytearray from the transport: copy once
        try:
            self._receive(data, now)
        except SctpError:
            self.stats.packets_dropped += 1

    def datagrams_to_send(self, now: float) -> list[bytes]:
        out = self._pkt_out = []
        for tag, chunk in self._special:
            out.append(encode_packet(self.local_port, self.remote_port, tag, [chunk]))
        self._special.clear()
        if self._peer_tag and self.state is not AssociationState.CLOSED:
            self._pkt_chunks = []
            self._pkt_size = 0
            for chunk in self._control:
                self._add(chunk)
            self._control.clear()
            self._maybe_request_reset(now)
            if self._forward_tsn_pending:
                self._forward_tsn_pending = False
                self._add(self._forward_tsn_chunk())
            if self._sack_now or self._packets_unacked >= 2:
                self._add(self._sack_chunk())
            if self._tx_data and (self._send_queue or self._rtx_heap):
                self._last_data_sent = now
                self._transmit_data(now)
            self._check_shutdown_progress(now)
            if self._pkt_chunks:
                out.append(self._pack(self._pkt_chunks))
        elif self._control:
            self._control.clear()
        self.stats.packets_sent += len(out)
        return out

    def _receive(self, data: bytes, now: float) -> None:
        if data[:8] == self._rx_head:
            # the usual packet: our ports and tag, so the header's CRC is already known
            if len(data) < 16 or _CHECKSUM.unpack_from(data, 8)[0] != crc32c(
                data[12:], self._rx_head_crc
            ):
                raise SctpError("packet: too short or bad checksum")
            tag = self._local_tag
        else:
            if len(data) < 16 or not packet_checksum_ok(data):
                raise SctpError("packet: too short or bad checksum")
            source, destination, tag = _PORTS_TAG.unpack_from(data)
            if source != self.remote_port or destination != self.local_port:
                raise SctpError(f"ports {source}->{destination} are not this association's")
        chunks = iter_chunks(data)
        first = chunks[0]
        if isinstance(first, InitChunk) and first.type == ch.INIT:  # §8.5.1 rule A: alone, tag 0
            if len(chunks) != 1 or tag != 0:
                raise SctpError("INIT: bundled with other chunks or non-zero tag")
            self._on_init(first, now)
            return
        if isinstance(first, CookieEchoChunk):
            if not self._on_cookie_echo(first, tag, now):
                return
            chunks = chunks[1:]
        elif self.state is AssociationState.CLOSED:
            self._answer_out_of_the_blue(chunks, tag)
            return
        elif (tag != self._local_tag or not self._local_tag) and not self._reflected_tag_ok(
            first, tag
        ):
            raise SctpError(f"verification tag {tag:#010x} is not ours")
        had_data = False
        for chunk in chunks:
            if isinstance(chunk, DataChunk):
                if self._rx_data and not self._use_i_data:
                    had_data = True
                    self._on_data(chunk)
            elif isinstance(chunk, SackChunk):
                if self._tx_data:
                    self._on_sack(chunk, now)
            elif isinstance(chunk, IDataChunk):
                if self._rx_data and self._use_i_data:
                    had_data = True
                    self._on_data(chunk)
            elif isinstance(chunk, (ForwardTsnChunk, IForwardTsnChunk)):
                if self._rx_data and self._use_i_data == isinstance(chunk, IForwardTsnChunk):
                    had_data = True
                    self._on_forward_tsn(chunk)
            elif isinstance(chunk, ReconfigChunk):
                if self._rx_data or self._tx_data:
                    self._on_reconfig(chunk, now)
            elif isinstance(chunk, InitAckChunk):
                self._on_init_ack(chunk, now)
            elif isinstance(chunk, CookieAckChunk):
                self._on_cookie_ack(now)
            elif isinstance(chunk, ch.HeartbeatChunk):
                if self._peer_tag:
                    self._control.append(HeartbeatAckChunk(chunk.params).serialize())
            elif isinstance(chunk, AbortChunk):
                self._close("abort by peer: " + _describe_causes(chunk.params))
                return
            elif isinstance(chunk, ShutdownChunk):
                self._on_shutdown(chunk, now)
            elif isinstance(chunk, ShutdownAckChunk):
                self._on_shutdown_ack()
            elif isinstance(chunk, ShutdownCompleteChunk):
                if self.state is AssociationState.SHUTDOWN_ACK_SENT:
                    self._close("shutdown")
                return
            elif isinstance(chunk, HeartbeatAckChunk):
                self._on_heartbeat_ack(chunk, now)
            elif isinstance(chunk, ErrorChunk):
                self._on_error(chunk, now)
            elif isinstance(chunk, UnknownChunk):
                # §3.2: the two high bits of the type say whether to skip and whether to report
                if chunk.type & 0x40 and self._peer_tag:
                    cause = pm.Parameter(pm.CAUSE_UNRECOGNIZED_CHUNK, chunk.serialize())
                    self._control.append(ErrorChunk([cause]).serialize())
                if not chunk.type & 0x80:
                    break
            # other known chunks (HEARTBEAT ACK, COOKIE ECHO out of place, I-DATA) are ignored
        if had_data:
            self._error_count = 0  # the peer is alive (deviation: §8.1 counts only acks)
            self._packets_unacked += 1
            if self._sack_timer is None and not self._sack_now:
                self._sack_timer = now + self.config.sack_delay
