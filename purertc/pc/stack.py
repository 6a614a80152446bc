"""The transport stack of one peer connection as a single sans-IO core.

ICE agent -> the selected pair carries DTLS records (RFC 7983 demultiplexing: the agent keeps
STUN, :func:`purertc.stun.classify` picks DTLS out of the rest) -> DTLS application data carries
SCTP packets (RFC 8261) -> the association -> the data-channel manager. Upward, :meth:`process`
drains every core's events in order and feeds the layer above; downward, :meth:`flush` moves
SCTP packets into DTLS records and DTLS datagrams onto the selected pair. ``get_timer`` is the
earliest deadline of the cores, so the driver keeps one timer for the whole connection.

What the peer connection needs to hear comes out of :meth:`next_event`: the agent's events
(candidates, states, selected pair), the DTLS endpoint's (handshake done, closed, failed) and
the channel manager's (channels opening, messages, closes), in the order they happened.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from purertc.datachannel import DataChannelManager
from purertc.datachannel import Event as ChannelEvent
from purertc.dtls import Certificate, DtlsEndpoint, DtlsError
from purertc.dtls import events as dtls_events
from purertc.dtls.fingerprint import Fingerprint
from purertc.ice import Agent
from purertc.ice import events as ice_events
from purertc.sctp import Association, AssociationConfig
from purertc.sctp import events as sctp_events
from purertc.stun import classify

StackEvent = ice_events.Event | dtls_events.Event | ChannelEvent | sctp_events.AssociationClosed
"""What :meth:`ConnectionStack.next_event` gives (``DataReceived`` never: it is consumed)."""

#: DTLS datagrams that arrive before we know our DTLS role are kept (the peer retransmits
#: anyway, but keeping the first flight saves a whole second of handshake).
EARLY_DTLS_LIMIT = 16
#: An SCTP packet plus DTLS record overhead must fit a 1280-byte IPv6 path (RFC 8261 §5).
SCTP_MTU = 1200


class ConnectionStack:
    """Agent, DTLS endpoint, SCTP association and channel manager, composed."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.dtls: DtlsEndpoint | None = None
        self.association: Association | None = None
        self.manager: DataChannelManager | None = None
        self.dtls_state = "new"  # W3C RTCDtlsTransportState
        self._early: list[bytes] = []
        self._events: deque[StackEvent] = deque()
        self.dropped_datagrams = 0  # not DTLS, or DTLS that could not go out
        self.handshake: dtls_events.HandshakeComplete | None = None
        # what crossed the selected pair above ICE (W3C RTCTransportStats)
        self.packets_sent = self.bytes_sent = 0
        self.packets_received = self.bytes_received = 0

    # ------------------------------------------------------------------ commands

    def start(
        self,
        *,
        certificate: Certificate,
        dtls_client: bool,
        remote_fingerprints: Sequence[Fingerprint],
        remote_sctp_port: int,
        remote_max_message_size: int,
        max_message_size: int,
        now: float,
    ) -> DataChannelManager:
        """Create DTLS, SCTP and the channel manager once the DTLS role is known."""
        self.dtls = DtlsEndpoint(
            certificate, "client" if dtls_client else "server", remote_fingerprints
        )
        config = AssociationConfig(receive_window=max(1 << 20, 4 * max_message_size))
        self.association = Association(
            remote_port=remote_sctp_port,
            max_message_size=max_message_size,
            mtu=SCTP_MTU,
            config=config,
        )
        self.association.remote_max_message_size = remote_max_message_size
        self.manager = DataChannelManager(
            self.association, is_dtls_client=dtls_client, max_message_size=max_message_size
        )
        self.dtls_state = "connecting"
        if dtls_client:
            if self.agent.selected_pair is not None:
                self.dtls.start_handshake()
        else:
            self.dtls.start_handshake()
        early, self._early = self._early, []
        for datagram in early:
            self.dtls.receive(datagram, now)
        self.process(now)
        return self.manager

    def close(self, now: float) -> None:
        """Abort the association, send DTLS close_notify; the agent is the driver's to close."""
        if self.association is not None and self.dtls is not None and self.dtls.is_connected:
            self.association.abort("peer connection closed")
            self.flush(now)
        if self.dtls is not None:
            self.dtls.close()
            self.flush(now)
        self.dtls_state = "closed"

    # ------------------------------------------------------------------ the core's verbs

    def handle_timer(self, now: float) -> None:
        for core in (self.agent, self.dtls, self.association):
            if core is None:
                continue
            deadline = core.get_timer()
            if deadline is not None and deadline <= now:
                core.handle_timer(now)
        self.process(now)

    def get_timer(self) -> float | None:
        deadlines = [
            deadline
            for core in (self.agent, self.dtls, self.association)
            if core is not None and (deadline := core.get_timer()) is not None
        ]
        return min(deadlines) if deadlines else None

    def next_event(self) -> StackEvent | None:
        return self._events.popleft() if self._events else None

    def process(self, now: float) -> None:
        """Carry everything the cores produced one layer up, until nothing moves."""
        agent, events = self.agent, self._events
        progress = True
        while progress:
            progress = False
            while (event := agent.next_event()) is not None:
                progress = True
                if isinstance(event, ice_events.DataReceived):
                    self._on_datagram(event.data, now)
                    continue
                if isinstance(event, ice_events.SelectedPairChanged):
                    dtls = self.dtls
                    if dtls is not None and dtls.role == "client":
                        dtls.start_handshake()  # does nothing once started
                events.append(event)
            dtls = self.dtls
            if dtls is None:
                continue
            association = self.association
            assert association is not None and self.manager is not None
            while (record := dtls.next_event()) is not None:
                progress = True
                if isinstance(record, dtls_events.ApplicationData):
                    association.receive(record.data, now)
                    continue
                if isinstance(record, dtls_events.HandshakeComplete):
                    self.dtls_state = "connected"
                    self.handshake = record
                    if dtls.role == "client":
                        association.connect(now)
                elif isinstance(record, dtls_events.Failed):
                    self.dtls_state = "failed"
                elif isinstance(record, dtls_events.Closed):
                    self.dtls_state = "closed"
                events.append(record)
            manager = self.manager
            while (chunk_event := association.next_event()) is not None:
                progress = True
                manager.handle_sctp_event(chunk_event, now)
                if isinstance(chunk_event, sctp_events.AssociationClosed):
                    events.append(chunk_event)
            while (channel_event := manager.next_event()) is not None:
                events.append(channel_event)

    def flush(self, now: float) -> None:
        """SCTP packets into DTLS records, DTLS datagrams onto the selected pair."""
        dtls = self.dtls
        if dtls is None:
            return
        association = self.association
        if association is not None and dtls.is_connected:
            send = dtls.send
            for packet in association.datagrams_to_send(now):
                try:
                    send(packet)
                except DtlsError:
                    self.dropped_datagrams += 1
        agent_send = self.agent.send
        for datagram in dtls.datagrams_to_send(now):
            if agent_send(datagram):
                self.packets_sent += 1
                self.bytes_sent += len(datagram)
            else:
                self.dropped_datagrams += 1

    # ------------------------------------------------------------------ internals

    def _on_datagram(self, data: bytes, now: float) -> None:
        if classify(data) != "dtls":
            self.dropped_datagrams += 1  # RTP/RTCP: no media in this stack yet
            return
        self.packets_received += 1
        self.bytes_received += len(data)
        if self.dtls is not None:
            self.dtls.receive(data, now)
        elif len(self._early) < EARLY_DTLS_LIMIT:
            self._early.append(data)
        else:
            self.dropped_datagrams += 1
