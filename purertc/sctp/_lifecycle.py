"""Association lifecycle (RFC 9260 §5, §8, §9): the four-way handshake and its cookie,
heartbeats, ERROR handling, graceful shutdown and out-of-the-blue packets."""

from __future__ import annotations

import struct

from purertc.sctp import chunks as ch
from purertc.sctp import parameters as pm
from purertc.sctp._core import _S, AssociationState
from purertc.sctp._receiver import _Receiver
from purertc.sctp.chunks import (
    FLAG_T,
    AbortChunk,
    Chunk,
    CookieAckChunk,
    CookieEchoChunk,
    ErrorChunk,
    HeartbeatAckChunk,
    InitAckChunk,
    InitChunk,
    SackChunk,
    ShutdownAckChunk,
    ShutdownChunk,
    ShutdownCompleteChunk,
)
from purertc.sctp.cookie import CookieContents, make_cookie, open_cookie
from purertc.sctp.errors import SctpError
from purertc.sctp.events import AssociationEstablished
from purertc.sctp.tsn import MASK16, MASK32

_HEARTBEAT_INFO = struct.Struct("!dQ")  # our send time and a nonce, echoed by the peer

#: Chunk types we support beyond the base protocol, advertised in INIT / INIT ACK.
_EXTENSIONS = bytes([ch.FORWARD_TSN, ch.RE_CONFIG])

_INTERLEAVING = bytes([ch.I_DATA, ch.I_FORWARD_TSN])


class _Lifecycle(_Receiver):
    """Handshake, heartbeats and shutdown."""

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
