"""Interop: our association and channel manager against aiortc's RTCSctpTransport.

aiortc runs over a stand-in DTLS transport that hands its datagrams to us in memory, so the
test exercises DCEP, the PPIDs and stream resets against code the team did not write. Our side
runs in simulated time; aiortc only needs its timers on loss, and this pipe loses nothing, so
the test never sleeps.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import pytest
from aiortc import RTCDataChannel, RTCDataChannelParameters, RTCSctpCapabilities
from aiortc.rtcsctptransport import RTCSctpTransport

from purertc.datachannel import (
    ChannelClosed,
    ChannelMessage,
    ChannelOpen,
    DataChannelManager,
    Event,
    IncomingChannel,
)
from purertc.sctp import Association

pytestmark = pytest.mark.interop


class InMemoryDtls:
    """The members of aiortc's RTCDtlsTransport that its RTCSctpTransport uses."""

    def __init__(self, role: str) -> None:
        self.state = "connected"
        self._role = role
        self.outbox: list[bytes] = []
        self.receiver: Any = None

    def _register_data_receiver(self, receiver: Any) -> None:
        self.receiver = receiver

    def _unregister_data_receiver(self, receiver: Any) -> None:
        self.receiver = None

    async def _send_data(self, data: bytes) -> None:
        self.outbox.append(data)


class Peers:
    def __init__(self) -> None:
        self.dtls = InMemoryDtls(role="server")  # aiortc is the DTLS server: we use even ids
        self.theirs = RTCSctpTransport(self.dtls)  # type: ignore[arg-type]
        self.association = Association(rng=random.Random(3))
        self.ours = DataChannelManager(self.association, is_dtls_client=True)
        self.now = 0.0
        self.events: list[Event] = []
        self.their_channels: list[RTCDataChannel] = []
        self.their_messages: list[tuple[str, str | bytes]] = []
        self.theirs.on("datachannel", self._their_channel)

    def _their_channel(self, channel: RTCDataChannel) -> None:
        self.their_channels.append(channel)
        channel.on("message", lambda m: self.their_messages.append((channel.label, m)))

    async def pump(self, until: Callable[[], bool], rounds: int = 500) -> None:
        """Shuttle datagrams both ways until ``until()``; our timers fire in simulated time."""
        for _ in range(rounds):
            moved = False
            while self.dtls.outbox:
                moved = True
                self.association.receive(self.dtls.outbox.pop(0), self.now)
            while (event := self.association.next_event()) is not None:
                self.ours.handle_sctp_event(event, self.now)
            while (ours := self.ours.next_event()) is not None:
                self.events.append(ours)
            for datagram in self.association.datagrams_to_send(self.now):
                moved = True
                await self.theirs._handle_data(datagram)
            await asyncio.sleep(0)  # let aiortc's tasks run
            if until():
                return
            timer = self.association.get_timer()
            if not moved and not self.dtls.outbox and timer is not None:
                self.now = max(self.now, timer)
                self.association.handle_timer(self.now)
        raise AssertionError("aiortc exchange did not settle")


async def connected() -> Peers:
    peers = Peers()
    await peers.theirs.start(RTCSctpCapabilities(maxMessageSize=65536), 5000)
    await peers.pump(lambda: peers.ours.established and peers.theirs.state == "connected")
    return peers


async def test_channels_both_ways_with_aiortc() -> None:
    peers = await connected()
    ours = peers.ours.create_channel("from-purertc", protocol="p1", now=peers.now)
    await peers.pump(lambda: len(peers.their_channels) == 1)
    theirs_view = peers.their_channels[0]
    assert (theirs_view.id, theirs_view.label, theirs_view.protocol) == (ours, "from-purertc", "p1")

    theirs = RTCDataChannel(
        peers.theirs, RTCDataChannelParameters(label="from-aiortc", ordered=False)
    )
    await peers.pump(lambda: any(isinstance(e, IncomingChannel) for e in peers.events))
    incoming = next(e for e in peers.events if isinstance(e, IncomingChannel))
    assert (incoming.id % 2, incoming.label, incoming.ordered) == (1, "from-aiortc", False)
    assert ChannelOpen(incoming.id) in peers.events
    await peers.pump(lambda: theirs.readyState == "open")  # our ACK reached aiortc

    for message in ("hello", "", "ünïcode"):
        peers.ours.send(ours, message, now=peers.now)
    for blob in (b"\x00\x01", b"", bytes(3000)):
        peers.ours.send(ours, blob, now=peers.now)
    await peers.pump(lambda: len(peers.their_messages) == 6)
    assert [m for _, m in peers.their_messages] == [
        "hello",
        "",
        "ünïcode",
        b"\x00\x01",
        b"",
        bytes(3000),
    ]

    for data in ("text", b"bin", "", b""):
        theirs.send(data)
    await peers.pump(lambda: len([e for e in peers.events if isinstance(e, ChannelMessage)]) == 4)
    assert [e for e in peers.events if isinstance(e, ChannelMessage)] == [
        ChannelMessage(incoming.id, "text"),
        ChannelMessage(incoming.id, b"bin"),
        ChannelMessage(incoming.id, ""),
        ChannelMessage(incoming.id, b""),
    ]


async def test_close_by_stream_reset_with_aiortc() -> None:
    peers = await connected()
    ours = peers.ours.create_channel("closed-by-us", now=peers.now)
    await peers.pump(lambda: len(peers.their_channels) == 1)
    theirs_view = peers.their_channels[0]
    await peers.pump(lambda: theirs_view.readyState == "open")
    peers.ours.close(ours)
    await peers.pump(
        lambda: ChannelClosed(ours) in peers.events and theirs_view.readyState == "closed"
    )

    theirs = RTCDataChannel(peers.theirs, RTCDataChannelParameters(label="closed-by-them"))
    await peers.pump(lambda: theirs.readyState == "open")
    incoming = next(e for e in peers.events if isinstance(e, IncomingChannel))
    theirs.close()
    await peers.pump(
        lambda: ChannelClosed(incoming.id) in peers.events and theirs.readyState == "closed"
    )


async def test_reliability_options_cross_over() -> None:
    peers = await connected()
    ours = peers.ours.create_channel(
        "rexmit", ordered=False, max_retransmits=2, priority=512, now=peers.now
    )
    await peers.pump(lambda: len(peers.their_channels) == 1)
    view = peers.their_channels[0]
    assert (view.id, view.ordered, view.maxRetransmits, view.maxPacketLifeTime) == (
        ours,
        False,
        2,
        None,
    )
    RTCDataChannel(peers.theirs, RTCDataChannelParameters(label="timed", maxPacketLifeTime=500))
    await peers.pump(lambda: any(isinstance(e, IncomingChannel) for e in peers.events))
    incoming = next(e for e in peers.events if isinstance(e, IncomingChannel))
    assert (incoming.ordered, incoming.max_retransmits, incoming.max_packet_life_time) == (
        True,
        None,
        500,
    )
