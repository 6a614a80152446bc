"""The association's state and the plumbing every part of it shares: configuration, the
state enum, packet assembly, closing."""

from __future__ import annotations

import enum
import random
import struct
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crc32c import crc32c

from purertc.sctp import parameters as pm
from purertc.sctp.chunks import AbortChunk, DataChunk, IDataChunk
from purertc.sctp.errors import SctpError
from purertc.sctp.events import AssociationClosed, Event
from purertc.sctp.packet import COMMON_HEADER_SIZE
from purertc.sctp.tsn import MASK16

if TYPE_CHECKING:
    from purertc.sctp._sender import _OutChunk
    from purertc.sctp._stream_reset import _DeferredReset, _ResetRequest

_PORTS = struct.Struct("!HH")
_U32 = struct.Struct("!I")
_CHECKSUM = struct.Struct("<I")
_ZERO4 = b"\x00\x00\x00\x00"


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


@dataclass
class _InboundStreams:
    """Receive-side ordering: next expected SSN and early messages, per stream."""

    expected: dict[int, int] = field(default_factory=dict)
    held: dict[int, dict[int, tuple[int, bytes | None]]] = field(default_factory=dict)


class _Core:
    """State of one association; the parts in _sender, _stream_reset, _receiver and
    _lifecycle add behaviour, and :class:`~purertc.sctp.association.Association` composes them."""

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

    def _abort_with(self, cause: pm.Parameter, reason: str) -> None:
        if self.state is AssociationState.CLOSED:
            return
        if self._peer_tag:
            self._special.append((self._peer_tag, AbortChunk([cause]).serialize()))
        self._close(f"abort: {reason}" if reason else "abort")

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
