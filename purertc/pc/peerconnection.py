"""``RTCPeerConnection`` for data channels (W3C webrtc-pc, JSEP RFC 9429), over the layers.

The connection composes the sans-IO cores into one :class:`~purertc.pc.stack.ConnectionStack`
pumped by one :class:`~purertc.pc.driver.StackDriver` (sockets, one timer). This module holds
what JSEP and the W3C API add on top: descriptions and the signaling state machine
(:mod:`purertc.pc.signaling`), when gathering starts (the first set_local_description), when
the DTLS role is known (the answer is applied) and so when channels get their stream ids, the
state aggregation for ``connectionState`` and the events.

Example::

    pc = RTCPeerConnection()
    channel = pc.create_data_channel("chat")

    @channel.on("open")
    def on_open() -> None:
        channel.send("hello")

    await pc.set_local_description()          # offer, with every host candidate
    send_to_peer(pc.local_description)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from typing import Any

from purertc.aio import StaticResolver
from purertc.datachannel import (
    BufferedAmountLow,
    ChannelClosed,
    ChannelError,
    ChannelMessage,
    ChannelOpen,
    DataChannelManager,
    IncomingChannel,
)
from purertc.dtls import Certificate
from purertc.dtls import events as dtls_events
from purertc.ice import Agent, IceError
from purertc.ice import Candidate as IceCandidate
from purertc.ice import events as ice_events
from purertc.ice.servers import parse_ice_server_url
from purertc.sdp import Candidate as SdpCandidate
from purertc.sdp import SdpError, SessionDescription

from .aliases import add_aliases
from .configuration import RTCConfiguration, RTCIceCandidate, RTCSessionDescription
from .datachannel import RTCDataChannel
from .driver import StackDriver
from .emitter import EventEmitter
from .errors import InvalidAccessError, InvalidStateError, OperationError
from .negotiation import (
    LocalTransport,
    RemoteTransport,
    build_answer,
    build_offer,
    first_data_section,
    from_sdp_candidate,
    parse_description,
    remote_transport,
    to_sdp_candidate,
)
from .signaling import CLOSED, STABLE, implicit_type, next_signaling_state
from .stack import ConnectionStack, StackEvent
from .stats import RTCStatsReport, build_report

_Description = tuple[str, SessionDescription]  # (type, parsed)
logger = logging.getLogger("purertc.pc")


class RTCPeerConnection(EventEmitter):
    """A W3C ``RTCPeerConnection`` (data channels). See the module docstring."""

    def __init__(self, configuration: RTCConfiguration | None = None) -> None:
        super().__init__()
        self._configuration = configuration or RTCConfiguration()
        self._configuration.validate()
        for server in self._configuration.ice_servers:
            for url in server.url_list:
                parsed_url = parse_ice_server_url(url)  # W3C: a bad URL fails here
                if parsed_url.is_turn and (server.username is None or server.credential is None):
                    raise InvalidAccessError(f"TURN server {url!r} needs username and credential")
        certificates = self._configuration.certificates
        self._certificate = certificates[0] if certificates else Certificate.generate()
        self._signaling_state = STABLE
        self._ice_gathering_state = "new"
        self._ice_connection_state = "new"
        self._connection_state = "new"
        self._pending_local: _Description | None = None
        self._current_local: _Description | None = None
        self._pending_remote: _Description | None = None
        self._current_remote: _Description | None = None
        self._remote_transport: RemoteTransport | None = None
        self._session_id = random.SystemRandom().getrandbits(62)
        self._session_version = 0
        self._agent: Agent | None = None
        self._stack: ConnectionStack | None = None
        self._driver: StackDriver | None = None
        self._gathering_started = False  # set_local_description asked for candidates
        self._announcing = False  # candidates become icecandidate events (after that SLD)
        self._pool_task: asyncio.Task[None] | None = None  # the pre-SLD gathering
        self._role_fixed = False  # the ICE role, once an offer or remote offer decided it
        self._created: tuple[str, SessionDescription] | None = None  # last offer/answer made
        self._local_candidates: list[IceCandidate] = []  # as gathered
        self._candidates_ufrag: str | None = None  # the ICE generation they belong to
        self._gathering_complete = False
        self._data_mid: str | None = None  # the negotiated (or offered) data section's mid
        self._wants_data = False
        self._channels: dict[int, RTCDataChannel] = {}
        self._unattached: list[RTCDataChannel] = []
        self._queued_candidates: list[RTCIceCandidate | None] = []
        self._negotiation_needed = False
        self._negotiation_scheduled = False
        self._restart_pending = False
        self._closed = False
        self._channels_opened = 0
        self._channels_closed = 0
        self._start_pool()

    # ------------------------------------------------------------------ attributes

    @property
    def configuration(self) -> RTCConfiguration:
        return self._configuration

    def get_configuration(self) -> RTCConfiguration:
        return self._configuration

    @property
    def signaling_state(self) -> str:
        return self._signaling_state

    @property
    def ice_gathering_state(self) -> str:
        return self._ice_gathering_state

    @property
    def ice_connection_state(self) -> str:
        return self._ice_connection_state

    @property
    def connection_state(self) -> str:
        return self._connection_state

    @property
    def local_description(self) -> RTCSessionDescription | None:
        return _as_rtc(self._pending_local or self._current_local)

    @property
    def remote_description(self) -> RTCSessionDescription | None:
        return _as_rtc(self._pending_remote or self._current_remote)

    @property
    def pending_local_description(self) -> RTCSessionDescription | None:
        return _as_rtc(self._pending_local)

    @property
    def current_local_description(self) -> RTCSessionDescription | None:
        return _as_rtc(self._current_local)

    @property
    def pending_remote_description(self) -> RTCSessionDescription | None:
        return _as_rtc(self._pending_remote)

    @property
    def current_remote_description(self) -> RTCSessionDescription | None:
        return _as_rtc(self._current_remote)

    @property
    def certificate(self) -> Certificate:
        return self._certificate

    # ChannelHost (what channels use) ------------------------------------------------------

    @property
    def manager(self) -> DataChannelManager | None:
        return self._stack.manager if self._stack is not None else None

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def schedule_service(self) -> None:
        if self._driver is not None:
            self._driver.schedule_service()

    # ------------------------------------------------------------------ offer / answer

    async def create_offer(self) -> RTCSessionDescription:
        self._check_open()
        self._start_pool()
        if self._signaling_state not in (STABLE, "have-local-offer"):
            raise InvalidStateError(f"cannot create an offer in state {self._signaling_state}")
        self._ensure_transport(controlling=True)
        if self._restart_pending:
            self._restart_ice_now()
        mid = self._data_mid if self._data_mid is not None else ("0" if self._wants_data else None)
        self._session_version += 1
        description = build_offer(self._session_id, self._session_version, mid, self._local())
        return self._remember_created(description, "offer")

    async def create_answer(self) -> RTCSessionDescription:
        self._check_open()
        if self._signaling_state not in ("have-remote-offer", "have-local-pranswer"):
            raise InvalidStateError(f"cannot create an answer in state {self._signaling_state}")
        assert self._pending_remote is not None
        self._session_version += 1
        description = build_answer(
            self._session_id, self._session_version, self._pending_remote[1], self._local()
        )
        return self._remember_created(description, "answer")

    def _remember_created(
        self, description: SessionDescription, kind: str
    ) -> RTCSessionDescription:
        """Keep the object behind the text: set_local_description of that unchanged text
        then skips re-parsing what we just serialised."""
        sdp = description.serialize()
        self._created = (sdp, description)
        return RTCSessionDescription(sdp, kind)

    async def set_local_description(self, description: RTCSessionDescription | None = None) -> None:
        """Apply our description; without one, create the offer or answer the state calls
        for (W3C implicit description). Gathering starts with the first call (or at
        construction with a candidate pool: then the pooled candidates come out here)."""
        self._check_open()
        if description is None:
            if implicit_type(self._signaling_state) == "offer":
                description = await self.create_offer()
            else:
                description = await self.create_answer()
        if description.type == "rollback":
            self._rollback("local")
            return
        state = next_signaling_state(self._signaling_state, "local", description.type)
        created, self._created = self._created, None
        if created is not None and created[0] == description.sdp:
            parsed = created[1]  # our own, unmodified: no need to parse it back
        else:
            parsed = parse_description(description.sdp)
        data = first_data_section(parsed)
        if description.type == "offer":
            self._ensure_transport(controlling=True)
            self._pending_local = (description.type, parsed)
            if data is not None:
                self._data_mid = data.mid
        else:
            self._apply_local_answer(description.type, parsed)
        self._set_signaling_state(state)
        await self._start_gathering()
        if description.type == "answer" and data is not None:
            self._start_stack(dtls_client=(self._setup_of(parsed) == "active"))

    async def set_remote_description(self, description: RTCSessionDescription) -> None:
        """Apply the peer's description: its ICE credentials and candidates; an answer fixes
        the DTLS role and starts DTLS and SCTP. A remote offer while we have a local offer
        rolls ours back first (W3C implicit rollback, what perfect negotiation relies on)."""
        self._check_open()
        self._start_pool()
        if description.type == "rollback":
            self._rollback("remote")
            return
        if description.type == "offer" and self._signaling_state == "have-local-offer":
            self._rollback("local")  # W3C implicit rollback: the polite side of a glare
        state = next_signaling_state(self._signaling_state, "remote", description.type)
        parsed = parse_description(description.sdp)
        transport = remote_transport(parsed)
        if description.type == "offer":
            self._ensure_transport(controlling=False)
            self._pending_remote = (description.type, parsed)
            if transport is not None:
                self._data_mid = transport.mid
                self._wants_data = True
        elif description.type == "answer":
            self._current_remote = (description.type, parsed)
            self._current_local = self._pending_local
            self._pending_local = self._pending_remote = None
        else:
            self._pending_remote = (description.type, parsed)
        driver, agent = self._driver, self._agent
        assert driver is not None and agent is not None
        if transport is not None:
            self._remote_transport = transport
            agent.set_remote_credentials(transport.ufrag, transport.pwd, lite=transport.lite)
            for candidate in transport.candidates:
                await driver.add_remote_candidate(candidate)
            if transport.end_of_candidates:
                await driver.add_remote_candidate(None)
        self._set_signaling_state(state)
        queued, self._queued_candidates = self._queued_candidates, []
        for queued_candidate in queued:
            await self.add_ice_candidate(queued_candidate)
        if description.type == "answer" and transport is not None:
            # Our offer said actpass: the answerer's "active" makes us the DTLS server.
            self._start_stack(dtls_client=(transport.setup == "passive"))

    async def add_ice_candidate(self, candidate: RTCIceCandidate | None = None) -> None:
        """A trickled remote candidate; ``None`` or an empty ``candidate`` means the peer has
        no more. Before a remote description exists, candidates are queued."""
        self._check_open()
        if self._pending_remote is None and self._current_remote is None:
            self._queued_candidates.append(candidate)
            return
        driver = self._driver
        assert driver is not None
        if candidate is None or not candidate.candidate:
            await driver.add_remote_candidate(None)
            return
        try:
            parsed = SdpCandidate.parse(candidate.candidate)
        except SdpError as error:
            raise OperationError(f"cannot parse the candidate: {error}") from error
        ice_candidate = from_sdp_candidate(parsed)
        if ice_candidate is not None:  # a TCP candidate is ignored (we gather UDP only)
            await driver.add_remote_candidate(ice_candidate)

    # ------------------------------------------------------------------ data channels

    def create_data_channel(
        self,
        label: str,
        *,
        ordered: bool = True,
        max_retransmits: int | None = None,
        max_packet_life_time: int | None = None,
        protocol: str = "",
        negotiated: bool = False,
        id: int | None = None,
    ) -> RTCDataChannel:
        self._check_open()
        if max_retransmits is not None and max_packet_life_time is not None:
            raise TypeError("max_retransmits and max_packet_life_time are mutually exclusive")
        if negotiated and id is None:
            raise TypeError("a negotiated channel needs an id")
        channel = RTCDataChannel(
            self,
            label,
            ordered=ordered,
            max_retransmits=max_retransmits,
            max_packet_life_time=max_packet_life_time,
            protocol=protocol,
            negotiated=negotiated,
            id=id,
        )
        manager = self.manager
        if manager is None:
            self._unattached.append(channel)
        else:
            self._attach(channel, manager)
            self.schedule_service()
        if not self._wants_data:
            self._wants_data = True
            self._update_negotiation_needed()
        return channel

    # ------------------------------------------------------------------ statistics

    async def get_stats(self) -> RTCStatsReport:
        """The W3C stats report: peer-connection, transport, candidate pairs, candidates,
        certificates and data channels (see :mod:`purertc.pc.stats`)."""
        channels = list(self._channels.values()) + self._unattached
        return build_report(
            agent=self._agent,
            stack=self._stack,
            certificate=self._certificate,
            channels=channels,
            opened=self._channels_opened,
            closed=self._channels_closed,
            ice_state=self._ice_connection_state,
            clock=self.now(),
        )

    # ------------------------------------------------------------------ lifecycle

    def restart_ice(self) -> None:
        """Ask for an ICE restart: the next offer carries new credentials (W3C)."""
        self._check_open()
        self._restart_pending = True
        self._update_negotiation_needed()

    async def close(self) -> None:
        """Close everything: channels, DTLS (close_notify), the agent, every socket, the
        timer and the coroutine handlers still running. No event fires (W3C)."""
        if self._closed:
            return
        self._closed = True
        self._signaling_state = CLOSED
        if self._pool_task is not None and not self._pool_task.done():
            self._pool_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pool_task
        channels = list(self._channels.values()) + self._unattached
        for channel in channels:
            channel._set_closed()
        self._channels.clear()
        self._unattached.clear()
        if self._driver is not None:
            await self._driver.close()
        self._ice_connection_state = "closed"
        self._connection_state = "closed"
        self._cancel_handler_tasks()
        for channel in channels:
            channel._cancel_handler_tasks()

    async def __aenter__(self) -> RTCPeerConnection:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidStateError("the peer connection is closed")

    def _ensure_transport(self, *, controlling: bool, fix_role: bool = True) -> None:
        """Create the agent, sockets' driver and stack once. A pooled agent exists before the
        role is known: the first offer (ours or the peer's) fixes it, as it would have."""
        if self._agent is not None:
            if fix_role and not self._role_fixed:
                self._agent.controlling = controlling  # no pair exists yet: nothing to redo
                self._role_fixed = True
            return
        self._role_fixed = fix_role
        policy = self._configuration.ice_transport_policy
        self._agent = Agent(controlling=controlling, transport_policy=policy)
        self._stack = ConnectionStack(self._agent)
        self._driver = StackDriver(
            self._stack,
            on_event=self._on_stack_event,
            resolver=StaticResolver({}),
            ssl_context=self._configuration.purertc.ssl_context,
        )

    def _local(self) -> LocalTransport:
        agent = self._agent
        assert agent is not None
        return LocalTransport(
            ufrag=agent.local_ufrag,
            pwd=agent.local_password,
            fingerprints=self._certificate.fingerprints,
            candidates=list(self._local_candidates),
            end_of_candidates=self._gathering_complete,
            max_message_size=self._configuration.purertc.max_message_size,
        )

    @staticmethod
    def _setup_of(description: SessionDescription) -> str | None:
        section = first_data_section(description)
        return None if section is None else description.transport(section).setup

    def _apply_local_answer(self, kind: str, parsed: SessionDescription) -> None:
        if kind == "answer":
            self._current_local = (kind, parsed)
            self._current_remote = self._pending_remote
            self._pending_local = self._pending_remote = None
        else:
            self._pending_local = (kind, parsed)

    def _rollback(self, side: str) -> None:
        state = next_signaling_state(self._signaling_state, "local", "rollback")
        if side == "local" or self._signaling_state == "have-local-offer":
            self._pending_local = None
        if side == "remote" or self._signaling_state == "have-remote-offer":
            self._pending_remote = None
        if self._current_remote is None and self._current_local is None:
            self._data_mid = None
        self._set_signaling_state(state)

    def _set_signaling_state(self, state: str) -> None:
        if state != self._signaling_state:
            self._signaling_state = state
            self.emit("signalingstatechange")
        if state == STABLE:
            self._update_negotiation_needed()

    def _start_pool(self) -> None:
        """JSEP §3.5.4 / W3C: with ``ice_candidate_pool_size`` > 0, gather now (a task on the
        running loop; without one, at the first coroutine call) and hold the candidates."""
        if (
            self._configuration.ice_candidate_pool_size == 0
            or self._agent is not None
            or self._closed
        ):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # constructed outside a loop: the pool starts at the first coroutine call
        self._ensure_transport(controlling=True, fix_role=False)
        self._pool_task = loop.create_task(self._gather())

    async def _start_gathering(self) -> None:
        """The first set_local_description: candidates are announced from here on; pooled
        ones (already gathered, or still arriving) come out now, in gathering order."""
        if self._gathering_started:
            return
        self._gathering_started = True
        pool = self._pool_task
        if pool is not None:
            await pool  # usually done already; servers may still be resolving
        else:
            await self._prepare_gathering()
        self._announcing = True
        self._ice_gathering_state = "gathering"
        self.emit("icegatheringstatechange")
        if pool is None:
            assert self._driver is not None
            self._driver.gather()
            return
        for candidate in list(self._local_candidates):
            self._announce_candidate(candidate)
        if self._gathering_complete:
            self._announce_gathering_complete()

    async def _gather(self) -> None:
        await self._prepare_gathering()
        assert self._driver is not None
        self._driver.gather()

    async def _prepare_gathering(self) -> None:
        """Bind the host sockets and add the configured STUN/TURN servers."""
        driver, agent = self._driver, self._agent
        assert driver is not None and agent is not None
        settings = self._configuration.purertc
        driver.open_sockets(
            settings.addresses,
            include_loopback=settings.include_loopback,
            port_range=settings.port_range,
        )
        for server in self._configuration.ice_servers:
            for url in server.url_list:
                try:
                    await driver.add_ice_server(url, server.username, server.credential)
                except (OSError, IceError) as error:  # unresolvable: no candidate from it
                    logger.warning("ICE server %s not used: %s", url, error)

    def _restart_ice_now(self) -> None:
        self._restart_pending = False
        if self._driver is not None and (self._gathering_started or self._pool_task is not None):
            self._driver.restart()  # new credentials; candidates come again for them

    def _start_stack(self, *, dtls_client: bool) -> None:
        stack, transport = self._stack, self._remote_transport
        if stack is None or transport is None or stack.manager is not None:
            return
        now = self.now()
        manager = stack.start(
            certificate=self._certificate,
            dtls_client=dtls_client,
            remote_fingerprints=transport.fingerprints,
            remote_sctp_port=transport.sctp_port,
            remote_max_message_size=transport.max_message_size,
            max_message_size=self._configuration.purertc.max_message_size,
            now=now,
        )
        unattached, self._unattached = self._unattached, []
        for channel in unattached:
            self._attach(channel, manager)
        self._update_connection_state()
        assert self._driver is not None
        self._driver.service()

    def _attach(self, channel: RTCDataChannel, manager: DataChannelManager) -> None:
        channel._attach(manager, self.now())
        assert channel.id is not None
        self._channels[channel.id] = channel

    def _update_negotiation_needed(self) -> None:
        needed = self._restart_pending or (self._wants_data and self._data_mid is None)
        if not needed or self._closed:
            self._negotiation_needed = False
            return
        if self._negotiation_needed or self._negotiation_scheduled:
            return
        self._negotiation_scheduled = True
        asyncio.get_running_loop().call_soon(self._fire_negotiation_needed)

    def _fire_negotiation_needed(self) -> None:
        self._negotiation_scheduled = False
        if self._closed or self._signaling_state != STABLE:
            return  # re-checked when the state returns to stable
        if self._restart_pending or (self._wants_data and self._data_mid is None):
            self._negotiation_needed = True
            self.emit("negotiationneeded")

    # ------------------------------------------------------------------ stack events

    def _on_stack_event(self, event: StackEvent) -> None:
        """Route one event of the stack to its handler (a table keyed by the event type)."""
        handler = _EVENT_HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _on_message(self, event: ChannelMessage) -> None:
        channel = self._channels.get(event.id)
        if channel is not None:
            channel._on_message(event.data)

    def _on_buffered_amount_low(self, event: BufferedAmountLow) -> None:
        channel = self._channels.get(event.id)
        if channel is not None:
            channel._on_buffered_amount_low()

    def _on_incoming_channel(self, event: IncomingChannel) -> None:
        channel = RTCDataChannel(
            self,
            event.label,
            ordered=event.ordered,
            max_retransmits=event.max_retransmits,
            max_packet_life_time=event.max_packet_life_time,
            protocol=event.protocol,
            id=event.id,
        )
        self._channels[event.id] = channel
        self.emit("datachannel", channel)

    def _on_channel_open(self, event: ChannelOpen) -> None:
        channel = self._channels.get(event.id)
        if channel is not None:
            self._channels_opened += 1
            channel._on_open()

    def _on_channel_closed(self, event: ChannelClosed) -> None:
        channel = self._channels.pop(event.id, None)
        if channel is not None:
            self._channels_closed += 1
            channel._on_closed()

    def _on_channel_error(self, event: ChannelError) -> None:
        channel = self._channels.get(event.id)
        if channel is not None:
            channel._on_error(event.reason)

    def _on_candidate_gathered(self, event: ice_events.CandidateGathered) -> None:
        self._on_candidate(event.candidate)

    def _on_gathering_complete(self, event: ice_events.GatheringComplete) -> None:
        self._gathering_complete = True
        if self._announcing:
            self._announce_gathering_complete()

    def _announce_gathering_complete(self) -> None:
        for description in (self._pending_local, self._current_local):
            section = None if description is None else first_data_section(description[1])
            if section is not None:
                section.end_of_candidates = True
        self._ice_gathering_state = "complete"
        self.emit("icegatheringstatechange")
        self.emit("icecandidate", None)

    def _on_ice_state(self, event: ice_events.ConnectionStateChanged) -> None:
        self._ice_connection_state = event.state
        self.emit("iceconnectionstatechange")
        self._update_connection_state()

    def _on_dtls_state(self, event: object) -> None:
        self._update_connection_state()

    def _on_candidate(self, candidate: IceCandidate) -> None:
        agent = self._agent
        ufrag = agent.local_ufrag if agent is not None else None
        if ufrag != self._candidates_ufrag:  # an ICE restart: a new generation of candidates
            self._candidates_ufrag = ufrag
            self._local_candidates = []
            self._gathering_complete = False
        self._local_candidates.append(candidate)
        if self._announcing:  # else pooled: announced at set_local_description
            self._announce_candidate(candidate)

    def _announce_candidate(self, candidate: IceCandidate) -> None:
        """Add the candidate to the local descriptions (once) and fire ``icecandidate``."""
        ufrag = self._candidates_ufrag
        mid, index = self._data_mid, 0
        sdp_candidate = to_sdp_candidate(candidate)
        for description in (self._pending_local, self._current_local):
            if description is None:
                continue
            section = first_data_section(description[1])
            if section is not None:
                if sdp_candidate not in section.candidates:  # a pooled one may be in already
                    section.add_candidate(sdp_candidate)
                mid, index = section.mid, description[1].media.index(section)
        self.emit(
            "icecandidate",
            RTCIceCandidate(
                "candidate:" + candidate.to_sdp(),
                sdp_mid=mid,
                sdp_m_line_index=index,
                username_fragment=ufrag,
            ),
        )

    def _update_connection_state(self) -> None:
        if self._closed:
            return
        ice = self._ice_connection_state
        dtls = self._stack.dtls_state if self._stack is not None else "new"
        if ice == "failed" or dtls == "failed":
            state = "failed"
        elif ice == "disconnected":
            state = "disconnected"
        elif ice in ("connected", "completed") and dtls == "connected":
            state = "connected"
        elif dtls == "closed":
            state = "closed"
        elif ice == "new" and dtls == "new":
            state = "new"
        else:
            state = "connecting"
        if state != self._connection_state:
            self._connection_state = state
            self.emit("connectionstatechange")


_EVENT_HANDLERS: dict[type, Callable[[RTCPeerConnection, Any], None]] = {
    ChannelMessage: RTCPeerConnection._on_message,
    BufferedAmountLow: RTCPeerConnection._on_buffered_amount_low,
    IncomingChannel: RTCPeerConnection._on_incoming_channel,
    ChannelOpen: RTCPeerConnection._on_channel_open,
    ChannelClosed: RTCPeerConnection._on_channel_closed,
    ChannelError: RTCPeerConnection._on_channel_error,
    ice_events.CandidateGathered: RTCPeerConnection._on_candidate_gathered,
    ice_events.GatheringComplete: RTCPeerConnection._on_gathering_complete,
    ice_events.ConnectionStateChanged: RTCPeerConnection._on_ice_state,
    dtls_events.HandshakeComplete: RTCPeerConnection._on_dtls_state,
    dtls_events.Failed: RTCPeerConnection._on_dtls_state,
    dtls_events.Closed: RTCPeerConnection._on_dtls_state,
}


def _as_rtc(description: _Description | None) -> RTCSessionDescription | None:
    if description is None:
        return None
    return RTCSessionDescription(description[1].serialize(), description[0])


add_aliases(
    RTCPeerConnection,
    {
        "createOffer": "create_offer",
        "createAnswer": "create_answer",
        "setLocalDescription": "set_local_description",
        "setRemoteDescription": "set_remote_description",
        "addIceCandidate": "add_ice_candidate",
        "createDataChannel": "create_data_channel",
        "restartIce": "restart_ice",
        "getConfiguration": "get_configuration",
        "getStats": "get_stats",
        "signalingState": "signaling_state",
        "iceGatheringState": "ice_gathering_state",
        "iceConnectionState": "ice_connection_state",
        "connectionState": "connection_state",
        "localDescription": "local_description",
        "remoteDescription": "remote_description",
        "pendingLocalDescription": "pending_local_description",
        "currentLocalDescription": "current_local_description",
        "pendingRemoteDescription": "pending_remote_description",
        "currentRemoteDescription": "current_remote_description",
    },
)
