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

import enum
import heapq
import random
import struct
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from crc32c import crc32c

from purertc.sctp import chunks as ch
from purertc.sctp import parameters as pm
from purertc.sctp.chunks import (
    DATA,
    FLAG_BEGIN,
    FLAG_END,
    FLAG_IMMEDIATE,
    FLAG_T,
    FLAG_UNORDERED,
    AbortChunk,
    Chunk,
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
    encode_data,
    encode_idata,
)
from purertc.sctp.cookie import CookieContents, make_cookie, open_cookie
from purertc.sctp.errors import SctpError
from purertc.sctp.events import (
    AssociationClosed,
    AssociationEstablished,
    BufferedAmountLow,
    DataReceived,
    Event,
    StreamsResetIncoming,
    StreamsResetOutgoingDone,
)
from purertc.sctp.packet import COMMON_HEADER_SIZE, encode_packet, iter_chunks, packet_checksum_ok
from purertc.sctp.tsn import MASK16, MASK32, seq_newer, unwrap32

_PORTS_TAG = struct.Struct("!HHI")
_DATA_HEADER = struct.Struct("!BBHIHHI")  # as in chunks.encode_data, for send()'s loop
_PORTS = struct.Struct("!HH")
_U32 = struct.Struct("!I")
_CHECKSUM = struct.Struct("<I")
_ZERO4 = b"\x00\x00\x00\x00"
_HEARTBEAT_INFO = struct.Struct("!dQ")  # our send time and a nonce, echoed by the peer
#: Chunk types we support beyond the base protocol, advertised in INIT / INIT ACK.
_EXTENSIONS = bytes([ch.FORWARD_TSN, ch.RE_CONFIG])
_INTERLEAVING = bytes([ch.I_DATA, ch.I_FORWARD_TSN])
_MAX_GAP_BLOCKS = 128
_MAX_DUPLICATES = 32
#: A TSN further than this above our cumulative ack point is outside any sane window: dropped.
_MAX_TSN_AHEAD = 1 << 18


class AssociationState(enum.Enum):
    CLOSED = "closed"
    COOKIE_WAIT = "cookie-wait"
    COOKIE_ECHOED = "cookie-echoed"
    ESTABLISHED = "established"
    SHUTDOWN_PENDING = "shutdown-pending"
    SHUTDOWN_SENT = "shutdown-sent"
    SHUTDOWN_RECEIVED = "shutdown-received"
    SHUTDOWN_ACK_SENT = "shutdown-ack-sent"


_S = AssociationState
_CAN_SEND = frozenset({_S.ESTABLISHED})
_TRANSMITS_DATA = frozenset({_S.ESTABLISHED, _S.SHUTDOWN_PENDING, _S.SHUTDOWN_RECEIVED})
_RECEIVES_DATA = frozenset({_S.ESTABLISHED, _S.SHUTDOWN_PENDING, _S.SHUTDOWN_SENT})


@dataclass
class AssociationConfig:
    """Protocol parameters (RFC 9260 §16 names in comments). Times are seconds."""

    rto_initial: float = 1.0  # RTO.Initial
    rto_min: float = 1.0  # RTO.Min
    rto_max: float = 60.0  # RTO.Max
    max_init_retransmits: int = 8  # Max.Init.Retransmits
    max_retransmits: int = 10  # Association.Max.Retrans
    valid_cookie_life: float = 60.0  # Valid.Cookie.Life
    sack_delay: float = 0.2  # delayed SACK timer (§6.2: at most 500 ms)
    heartbeat_interval: float | None = 30.0  # HB.interval (§8.3); None: never probe
    receive_window: int = 1 << 20  # our a_rwnd; must exceed max_message_size
    outbound_streams: int = 65535
    inbound_streams: int = 65535
    # RFC 8260 message interleaving (I-DATA, I-FORWARD-TSN), used when both ends offer it
    enable_i_data: bool = False


@dataclass
class AssociationStats:
    packets_received: int = 0
    packets_dropped: int = 0
    packets_sent: int = 0
    retransmissions: int = 0
    fast_retransmits: int = 0
    t3_expirations: int = 0
    duplicate_tsns: int = 0
    messages_abandoned: int = 0


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


@dataclass
class _InboundStreams:
    """Receive-side ordering: next expected SSN and early messages, per stream."""

    expected: dict[int, int] = field(default_factory=dict)
    held: dict[int, dict[int, tuple[int, bytes | None]]] = field(default_factory=dict)


class Association:
    """One SCTP association over any datagram transport (DTLS for WebRTC, RFC 8261)."""

    def __init__(
        self,
        *,
        local_port: int = 5000,
        remote_port: int = 5000,
        max_message_size: int = 262144,
        mtu: int = 1200,
        rng: random.Random | None = None,
        config: AssociationConfig | None = None,
    ) -> None:
        self.config = config or AssociationConfig()
        if not 256 <= mtu <= 65535:
            raise SctpError(f"mtu {mtu} is outside 256..65535")
        if self.config.receive_window <= max_message_size:
            raise SctpError(
                f"config: receive_window {self.config.receive_window} must exceed "
                f"max_message_size {max_message_size} (a message is reassembled in the window)"
            )
        self.local_port = local_port
        self.remote_port = remote_port
        self.max_message_size = max_message_size
        self.remote_max_message_size = 65536
        self.mtu = mtu
        self._rx_data = self._tx_data = False
        self.state = AssociationState.CLOSED
        self.stats = AssociationStats()
        self._rng = rng if rng is not None else random.SystemRandom()
        self._cookie_key = self._rng.randbytes(32)
        self._events: deque[Event] = deque()
        self._closed_reported = False
        # packet assembly
        self._mtu_body = mtu - COMMON_HEADER_SIZE
        self._max_fragment = (self._mtu_body - 16) & ~3
        self._use_i_data = False
        self._seq_mask = MASK16  # SSNs (DATA) are 16-bit, MIDs (I-DATA) 32-bit
        self._special: list[tuple[int, bytes]] = []  # (verification tag, chunk) sent alone
        self._control: list[bytes] = []  # chunks for the next packet to the peer
        self._pkt_chunks: list[bytes] = []
        self._pkt_size = 0
        self._pkt_out: list[bytes] = []
        # handshake
        self._local_tag = 0
        self._peer_tag = 0
        self._update_headers()
        self._local_initial_tsn = 0
        self._peer_extensions: frozenset[int] = frozenset()
        self._t1: float | None = None
        self._t1_chunk = b""  # INIT or COOKIE ECHO to retransmit
        self._t1_count = 0
        self._t2: float | None = None
        self._heartbeat_timer: float | None = None
        self._heartbeat_nonce: int | None = None
        self._last_data_sent = 0.0
        self._t2_count = 0
        # RTO (§6.3)
        self._rto = self.config.rto_initial
        self._srtt: float | None = None
        self._rttvar = 0.0
        self._rtt_tsn: int | None = None
        self._rtt_time = 0.0
        # sender
        self._next_tsn = 0
        self._acked_cum = 0  # highest TSN cumulatively acknowledged by the peer
        self._send_queue: deque[_OutChunk] = deque()
        self._outstanding: dict[int, _OutChunk] = {}  # TSNs acked_cum+1 .. contiguous
        self._rtx_heap: list[int] = []
        self._fast_rtx_pending = False
        self._flight = 0
        self._cwnd = min(4 * mtu, max(2 * mtu, 4380))
        self._ssthresh = 1 << 30
        self._partial_bytes_acked = 0
        self._fast_recovery_exit: int | None = None
        self._peer_rwnd = 0
        self._t3: float | None = None
        self._error_count = 0
        self._advanced_ack = 0  # RFC 3758 Advanced.Peer.Ack.Point
        # streams of gap-acked reliable ordered messages between the two ack points
        self._passed_acked: set[int] = set()
        self._forward_tsn_pending = False
        self._out_ssn: dict[int, int] = {}  # next SSN (DATA) or ordered MID (I-DATA)
        self._out_unordered_mid: dict[int, int] = {}
        self._buffered: dict[int, int] = {}
        self._low_threshold: dict[int, int] = {}
        # receiver
        self._cum = 0  # our cumulative TSN ack point (peer's TSNs)
        self._pending: dict[int, DataChunk | IDataChunk | None] = {}  # None: delivered early
        self._highest_received = 0
        self._duplicates: list[int] = []
        self._partial: list[DataChunk] = []
        self._partial_bytes = 0
        # I-DATA fragments interleave: one partial message per (stream, unordered, MID)
        self._i_partials: dict[tuple[int, bool, int], list[IDataChunk]] = {}
        self._i_partial_bytes: dict[tuple[int, bool, int], int] = {}
        self._inbound = _InboundStreams()
        self._rwnd_used = 0
        self._last_advertised = self.config.receive_window
        self._sack_now = False
        self._packets_unacked = 0
        self._sack_timer: float | None = None
        # stream reset (RFC 6525)
        self._reconfig_seq = 0  # our next request sequence number
        self._peer_reconfig_seq = 0  # the peer's next expected request sequence number
        self._reset_queue: list[int] = []
        self._resetting: set[int] = set()  # queued or requested: new sends wait for the reset
        self._held_sends: dict[int, list[tuple[bytes, int, bool, int | None, float | None]]] = {}
        self._resets_we_started: set[int] = set()
        self._reset_request: _ResetRequest | None = None
        self._reconfig_timer: float | None = None
        self._deferred_reset: _DeferredReset | None = None
        self._last_peer_result: tuple[int, int] = (-1, 0)  # (sequence, result) answered last

    @property
    def state(self) -> AssociationState:
        return self._state

    @state.setter
    def state(self, value: AssociationState) -> None:
        # membership in a frozenset of enums hashes in Python: decide once per state change
        self._state = value
        self._rx_data = value in _RECEIVES_DATA
        self._tx_data = value in _TRANSMITS_DATA

    def _update_headers(self) -> None:
        """Precompute the common headers and their partial CRCs for both directions."""
        ports = _PORTS.pack(self.local_port, self.remote_port)
        self._tx_head = ports + _U32.pack(self._peer_tag)
        self._tx_head_crc = crc32c(_ZERO4, crc32c(self._tx_head))
        self._rx_head = _PORTS.pack(self.remote_port, self.local_port) + _U32.pack(self._local_tag)
        self._rx_head_crc = crc32c(_ZERO4, crc32c(self._rx_head))

    # ------------------------------------------------------------------ commands

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

    def _abort_with(self, cause: pm.Parameter, reason: str) -> None:
        if self.state is AssociationState.CLOSED:
            return
        if self._peer_tag:
            self._special.append((self._peer_tag, AbortChunk([cause]).serialize()))
        self._close(f"abort: {reason}" if reason else "abort")

    # ------------------------------------------------------------------ the five verbs

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

    # ------------------------------------------------------------------ packet assembly

    def _pack(self, chunks: list[bytes]) -> bytes:
        """A packet to the peer: CRC32c continues from the precomputed header CRC."""
        crc = self._tx_head_crc
        for chunk in chunks:
            crc = crc32c(chunk, crc)
        return b"".join((self._tx_head, _CHECKSUM.pack(crc), *chunks))

    def _add(self, chunk: bytes) -> None:
        if self._pkt_size + len(chunk) > self._mtu_body and self._pkt_chunks:
            self._pkt_out.append(self._pack(self._pkt_chunks))
            self._pkt_chunks = []
            self._pkt_size = 0
        self._pkt_chunks.append(chunk)
        self._pkt_size += len(chunk)

    # ------------------------------------------------------------------ receiving

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

    def _answer_out_of_the_blue(self, chunks: list[Chunk], tag: int) -> None:
        """§8.4: a packet for no association. SHUTDOWN ACK gets SHUTDOWN COMPLETE, ABORT,
        SHUTDOWN COMPLETE and ERROR are discarded, anything else gets ABORT; both replies carry
        the packet's own tag with the T bit, so a peer that missed our close learns of it."""
        for chunk in chunks:
            if isinstance(chunk, (AbortChunk, ShutdownCompleteChunk, ErrorChunk)):
                return
        if any(isinstance(chunk, ShutdownAckChunk) for chunk in chunks):
            self._special.append((tag, ShutdownCompleteChunk(FLAG_T).serialize()))
        else:
            self._special.append((tag, AbortChunk([], FLAG_T).serialize()))

    def _reflected_tag_ok(self, first: Chunk, tag: int) -> bool:
        """ABORT and SHUTDOWN COMPLETE with the T bit carry the peer's tag (§8.5.1 rule B/C)."""
        if isinstance(first, (AbortChunk, ShutdownCompleteChunk)):
            if first.flags & FLAG_T:
                return bool(self._peer_tag) and tag == self._peer_tag
            return bool(self._local_tag) and tag == self._local_tag
        return False

    # ------------------------------------------------------------------ handshake

    def _new_tag(self) -> int:
        return self._rng.randrange(1, 1 << 32)

    def _our_parameters(self) -> list[pm.Parameter]:
        return [
            pm.Parameter(pm.PARAM_FORWARD_TSN_SUPPORTED, b""),
            pm.Parameter(
                pm.PARAM_SUPPORTED_EXTENSIONS,
                _EXTENSIONS + (_INTERLEAVING if self.config.enable_i_data else b""),
            ),
        ]

    def _on_init(self, init: InitChunk, now: float) -> None:
        """Answer INIT statelessly with INIT ACK and a signed cookie (§5.1, §5.2.1, §5.2.2)."""
        if init.initiate_tag == 0 or init.outbound_streams == 0 or init.inbound_streams == 0:
            raise SctpError("INIT: zero initiate tag or stream count")
        if self._closed_reported:
            # this object's association is over and it is not reused: refuse (§8.4 rule 3)
            cause = pm.Parameter(pm.CAUSE_USER_INITIATED_ABORT, b"association closed")
            self._special.append((init.initiate_tag, AbortChunk([cause]).serialize()))
            return
        if self.state is AssociationState.CLOSED and not self._local_tag:
            local_tag = self._new_tag()
            local_tsn = self._rng.getrandbits(32)
        elif self.state in (AssociationState.COOKIE_WAIT, AssociationState.COOKIE_ECHOED):
            local_tag, local_tsn = self._local_tag, self._local_initial_tsn  # §5.2.1
        elif self.state is AssociationState.SHUTDOWN_ACK_SENT:
            self._control.append(ShutdownAckChunk().serialize())  # §9.2
            return
        else:
            local_tag, local_tsn = self._local_tag, self._local_initial_tsn  # §5.2.2 (no restart)
        params = self._our_parameters()
        unrecognized: list[pm.Parameter] = []
        for param in init.params:
            if param.type in (pm.PARAM_SUPPORTED_EXTENSIONS, pm.PARAM_FORWARD_TSN_SUPPORTED):
                continue
            if param.type in (pm.PARAM_COOKIE_PRESERVATIVE, pm.PARAM_SUPPORTED_ADDRESS_TYPES):
                continue
            if param.type & 0x4000:  # §3.2.1: report it
                unrecognized.append(param)
            if not param.type & 0x8000:  # §3.2.1: stop processing parameters
                break
        contents = CookieContents(
            created=now,
            lifetime=self.config.valid_cookie_life,
            local_tag=local_tag,
            local_initial_tsn=local_tsn,
            peer_tag=init.initiate_tag,
            peer_initial_tsn=init.initial_tsn,
            peer_rwnd=init.a_rwnd,
            peer_outbound_streams=init.outbound_streams,
            peer_inbound_streams=init.inbound_streams,
            peer_extensions=pm.supported_extensions(init.params),
        )
        params.append(pm.Parameter(pm.PARAM_STATE_COOKIE, make_cookie(self._cookie_key, contents)))
        params.extend(pm.Parameter(pm.PARAM_UNRECOGNIZED, p.serialize()) for p in unrecognized)
        ack = InitAckChunk(
            local_tag,
            self.config.receive_window,
            self.config.outbound_streams,
            self.config.inbound_streams,
            local_tsn,
            params,
        )
        self._special.append((init.initiate_tag, ack.serialize()))

    def _on_init_ack(self, ack: InitChunk, now: float) -> None:
        if self.state is not AssociationState.COOKIE_WAIT:
            return  # §5.2.3: discard
        cookie = ack.state_cookie if isinstance(ack, InitAckChunk) else None
        if cookie is None or ack.initiate_tag == 0:
            raise SctpError("INIT ACK: no State Cookie or zero initiate tag")
        self._setup_peer(
            ack.initiate_tag, ack.initial_tsn, ack.a_rwnd, pm.supported_extensions(ack.params)
        )
        self.state = AssociationState.COOKIE_ECHOED
        self._t1_chunk = CookieEchoChunk(cookie).serialize()
        self._control.insert(0, self._t1_chunk)  # COOKIE ECHO must come first (§5.1)
        self._t1 = now + self._rto
        self._t1_count = 0

    def _setup_peer(
        self, tag: int, initial_tsn: int, rwnd: int, extensions: frozenset[int]
    ) -> None:
        self._peer_tag = tag
        self._update_headers()
        self._peer_extensions = extensions
        self._use_i_data = self.config.enable_i_data and ch.I_DATA in extensions
        self._seq_mask = MASK32 if self._use_i_data else MASK16
        self._max_fragment = (self._mtu_body - (20 if self._use_i_data else 16)) & ~3
        self._cum = self._highest_received = initial_tsn - 1
        self._peer_rwnd = rwnd
        self._ssthresh = rwnd
        self._next_tsn = self._local_initial_tsn
        self._acked_cum = self._advanced_ack = self._local_initial_tsn - 1
        self._reconfig_seq = self._local_initial_tsn  # RFC 6525 §5.1.1
        self._peer_reconfig_seq = initial_tsn

    def _on_cookie_echo(self, echo: CookieEchoChunk, tag: int, now: float) -> bool:
        """§5.1.5 and §5.2.4: True when the rest of the packet may be processed."""
        contents = open_cookie(self._cookie_key, echo.cookie)
        if contents is None or tag != contents.local_tag:
            raise SctpError("COOKIE ECHO: cookie not signed by us or tag mismatch")
        state = self.state
        # §5.2.4 case D (both tags match an association we already run): the peer missed our
        # COOKIE ACK and is still retransmitting; its cookie may outlive its lifespan by then,
        # and a Stale Cookie error would make it start over against our live association
        ours = (
            state not in (_S.CLOSED, _S.COOKIE_WAIT, _S.COOKIE_ECHOED)
            and contents.local_tag == self._local_tag
            and contents.peer_tag == self._peer_tag
        )
        if now > contents.expires and not ours:
            staleness = int((now - contents.expires) * 1e6) & MASK32
            cause = pm.Parameter(pm.CAUSE_STALE_COOKIE, staleness.to_bytes(4, "big"))
            self._special.append((contents.peer_tag, ErrorChunk([cause]).serialize()))
            return False
        if state in (_S.CLOSED, _S.COOKIE_WAIT, _S.COOKIE_ECHOED) and not self._closed_reported:
            if not self._local_tag or state is _S.CLOSED:
                self._local_tag = contents.local_tag
                self._update_headers()
                self._local_initial_tsn = contents.local_initial_tsn
            elif contents.local_tag != self._local_tag:
                raise SctpError("COOKIE ECHO: cookie for another association")
            self._setup_peer(
                contents.peer_tag, contents.peer_initial_tsn, contents.peer_rwnd,
                contents.peer_extensions,
            )  # fmt: skip
            self._t1 = None
            self._establish(now)
        elif contents.local_tag != self._local_tag or contents.peer_tag != self._peer_tag:
            raise SctpError("COOKIE ECHO: peer restart is not supported")  # §5.2.4 case A
        if self._peer_tag:
            self._control.append(CookieAckChunk().serialize())
        return True

    def _on_cookie_ack(self, now: float) -> None:
        if self.state is AssociationState.COOKIE_ECHOED:
            self._t1 = None
            self._establish(now)

    def _establish(self, now: float) -> None:
        self.state = AssociationState.ESTABLISHED
        self._rto = self.config.rto_initial
        self._last_data_sent = now
        if self.config.heartbeat_interval is not None:
            self._heartbeat_timer = now + self._rto + self.config.heartbeat_interval
        self._events.append(AssociationEstablished())

    def _on_heartbeat_timer(self, now: float) -> None:
        """§8.3: probe an idle path; unanswered probes count towards the association's
        error limit, so a vanished peer ends the association."""
        self._heartbeat_timer = None
        interval = self.config.heartbeat_interval
        if interval is None or self.state is AssociationState.CLOSED:
            return
        if self._heartbeat_nonce is not None:
            self._error_count += 1
            if self._error_count > self.config.max_retransmits:
                self._close("failure: peer does not answer heartbeats")
                return
            self._rto = min(self._rto * 2, self.config.rto_max)
        elif now - self._last_data_sent < interval:
            self._heartbeat_timer = self._last_data_sent + interval + self._rto
            return
        nonce = self._rng.getrandbits(64)
        self._heartbeat_nonce = nonce
        info = pm.Parameter(pm.PARAM_HEARTBEAT_INFO, _HEARTBEAT_INFO.pack(now, nonce))
        self._control.append(ch.HeartbeatChunk([info]).serialize())
        self._heartbeat_timer = now + self._rto + interval

    def _on_heartbeat_ack(self, chunk: HeartbeatAckChunk, now: float) -> None:
        for param in chunk.params:
            if param.type == pm.PARAM_HEARTBEAT_INFO and len(param.value) == _HEARTBEAT_INFO.size:
                sent, nonce = _HEARTBEAT_INFO.unpack(param.value)
                if nonce == self._heartbeat_nonce and sent <= now:
                    self._heartbeat_nonce = None
                    self._error_count = 0
                    self._update_rto(now - sent)

    def _on_t1(self, now: float) -> None:
        self._t1_count += 1
        if self._t1_count > self.config.max_init_retransmits:
            self._close("failure: handshake timed out")
            return
        self._rto = min(self._rto * 2, self.config.rto_max)
        if self.state is AssociationState.COOKIE_WAIT:
            self._special.append((0, self._t1_chunk))
        elif self.state is AssociationState.COOKIE_ECHOED:
            self._control.insert(0, self._t1_chunk)
        else:
            self._t1 = None
            return
        self._t1 = now + self._rto

    def _on_error(self, chunk: ErrorChunk, now: float) -> None:
        for cause in chunk.params:
            if cause.type == pm.CAUSE_STALE_COOKIE and self.state is _S.COOKIE_ECHOED:
                # §5.2.6: the cookie expired on the way; start over with a fresh INIT
                self.state = AssociationState.COOKIE_WAIT
                self._peer_tag = 0
                self._update_headers()
                self._control.clear()
                self._t1_chunk = self._init_chunk()
                self._special.append((0, self._t1_chunk))
                self._t1 = now + self._rto

    def _init_chunk(self) -> bytes:
        return InitChunk(
            self._local_tag,
            self.config.receive_window,
            self.config.outbound_streams,
            self.config.inbound_streams,
            self._local_initial_tsn,
            self._our_parameters(),
        ).serialize()

    # ------------------------------------------------------------------ receiving data

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

    # ------------------------------------------------------------------ sending data

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

    # ------------------------------------------------------------------ stream reset (RFC 6525)

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

    # ------------------------------------------------------------------ shutdown and abort

    def _on_shutdown(self, chunk: ShutdownChunk, now: float) -> None:
        state = self.state
        if state in (_S.ESTABLISHED, _S.SHUTDOWN_PENDING, _S.SHUTDOWN_RECEIVED):
            rwnd = self._peer_rwnd + self._flight
            self._on_sack(SackChunk(chunk.cumulative_tsn, rwnd), now)
            self.state = AssociationState.SHUTDOWN_RECEIVED
        elif state is _S.SHUTDOWN_SENT:  # §9.2: both sides closing at once
            self._control.append(ShutdownAckChunk().serialize())
            self.state = AssociationState.SHUTDOWN_ACK_SENT
            self._t2 = now + self._rto
            self._t2_count = 0
        elif state is _S.SHUTDOWN_ACK_SENT:
            self._control.append(ShutdownAckChunk().serialize())

    def _on_shutdown_ack(self) -> None:
        if self.state in (_S.SHUTDOWN_SENT, _S.SHUTDOWN_ACK_SENT):
            self._special.append((self._peer_tag, ShutdownCompleteChunk().serialize()))
            self._close("shutdown")

    def _check_shutdown_progress(self, now: float) -> None:
        if self._send_queue or self._outstanding:
            return
        if self.state is _S.SHUTDOWN_PENDING:
            self.state = AssociationState.SHUTDOWN_SENT
            self._add(ShutdownChunk(self._cum & MASK32).serialize())
            self._t2 = now + self._rto
            self._t2_count = 0
        elif self.state is _S.SHUTDOWN_RECEIVED:
            self.state = AssociationState.SHUTDOWN_ACK_SENT
            self._add(ShutdownAckChunk().serialize())
            self._t2 = now + self._rto
            self._t2_count = 0

    def _on_t2(self, now: float) -> None:
        self._t2_count += 1
        if self._t2_count > self.config.max_retransmits:
            self._close("failure: shutdown timed out")
            return
        self._rto = min(self._rto * 2, self.config.rto_max)
        if self.state is _S.SHUTDOWN_SENT:
            self._control.append(ShutdownChunk(self._cum & MASK32).serialize())
        elif self.state is _S.SHUTDOWN_ACK_SENT:
            self._control.append(ShutdownAckChunk().serialize())
        else:
            self._t2 = None
            return
        self._t2 = now + self._rto

    def _close(self, reason: str) -> None:
        self.state = AssociationState.CLOSED
        self._t1 = self._t2 = self._t3 = self._sack_timer = self._reconfig_timer = None
        self._heartbeat_timer = None
        self._send_queue.clear()
        self._control.clear()
        self._rtx_heap.clear()
        if not self._closed_reported:
            self._closed_reported = True
            self._events.append(AssociationClosed(reason))


def _describe_causes(causes: list[pm.Parameter]) -> str:
    """A readable summary of ABORT causes for :class:`AssociationClosed`."""
    parts = []
    for cause in causes:
        text = cause.value.decode("utf-8", "replace") if cause.value else ""
        parts.append(f"cause {cause.type}" + (f" ({text})" if text.isprintable() and text else ""))
    return ", ".join(parts) or "no cause"
