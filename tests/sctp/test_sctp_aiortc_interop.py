"""Interop with aiortc's SCTP (code the team did not write): our Association on one side, an
aiortc RTCSctpTransport on the other, joined in memory through a fake DTLS transport on an
asyncio loop. aiortc keeps real timers, so these tests take real (short) time."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from aiortc import rtcsctptransport as aio

from purertc.sctp import DataReceived, Event, StreamsResetIncoming, StreamsResetOutgoingDone
from purertc.sctp.association import Association, AssociationState

pytestmark = pytest.mark.interop


class Bridge:
    """Drives our association on the loop and plays aiortc's DTLS transport."""

    def __init__(self, role: str, *, connect: bool) -> None:
        self._role = role  # what aiortc reads from its "DTLS transport"
        self.state = "connected"
        self.transport = self
        self.receiver: Any = None
        self.loop = asyncio.get_running_loop()
        self.ours = Association(rng=random.Random(3))
        self.ours.remote_max_message_size = 65536
        self.events: list[Event] = []
        self.timer: asyncio.TimerHandle | None = None
        self.connect = connect
        self.sent = 0
        self.drop_every = 0  # lose every n-th datagram we send (0: none)

    # aiortc's side of the fake DTLS transport
    def _register_data_receiver(self, receiver: Any) -> None:
        self.receiver = receiver

    def _unregister_data_receiver(self, receiver: Any) -> None:
        self.receiver = None

    async def _send_data(self, data: bytes) -> None:
        self.ours.receive(data, self.loop.time())
        self.flush()

    # our side
    def flush(self) -> None:
        now = self.loop.time()
        for datagram in self.ours.datagrams_to_send(now):
            self.sent += 1
            if self.drop_every and self.sent % self.drop_every == 0:
                continue
            self.loop.call_soon(self._deliver, datagram)
        while (event := self.ours.next_event()) is not None:
            self.events.append(event)
        if self.timer is not None:
            self.timer.cancel()
        deadline = self.ours.get_timer()
        if deadline is not None:
            self.timer = self.loop.call_at(deadline, self._fire)

    def _deliver(self, datagram: bytes) -> None:
        asyncio.ensure_future(self.receiver._handle_data(datagram))

    def _fire(self) -> None:
        self.timer = None
        self.ours.handle_timer(self.loop.time())
        self.flush()

    async def wait_for(self, condition: Any, timeout: float = 5.0) -> None:
        deadline = self.loop.time() + timeout
        while not condition():
            assert self.loop.time() < deadline, "interop condition not met in time"
            await asyncio.sleep(0.005)


async def _pair(*, we_connect: bool) -> tuple[Bridge, aio.RTCSctpTransport, list[bytes]]:
    bridge = Bridge("server", connect=we_connect)
    theirs = aio.RTCSctpTransport(bridge)  # type: ignore[arg-type]
    received: list[bytes] = []

    async def collect(stream_id: int, ppid: int, data: bytes) -> None:
        received.append(data)

    theirs._receive = collect  # type: ignore[method-assign]
    caps = aio.RTCSctpCapabilities(maxMessageSize=65536)
    if we_connect:
        bridge.ours.connect(bridge.loop.time())
    await theirs.start(caps, 5000)  # aiortc sends INIT too: an INIT collision when we connect
    bridge.flush()
    await bridge.wait_for(lambda: bridge.ours.state is AssociationState.ESTABLISHED)
    await bridge.wait_for(lambda: theirs._association_state == theirs.State.ESTABLISHED)
    return bridge, theirs, received


@pytest.mark.parametrize("we_connect", [False, True], ids=["aiortc-inits", "both-init"])
async def test_handshake_and_messages_both_ways(we_connect: bool) -> None:
    bridge, theirs, received = await _pair(we_connect=we_connect)
    ours = bridge.ours
    messages = [bytes([i % 256]) * (1 + i * 997 % 60000) for i in range(60)]
    for message in messages:
        ours.send(1, message, 53, now=bridge.loop.time())
    bridge.flush()
    await bridge.wait_for(lambda: len(received) == len(messages))
    assert received == messages
    for message in messages[:20]:
        await theirs._send(2, 53, message)
    await bridge.wait_for(
        lambda: len([e for e in bridge.events if isinstance(e, DataReceived)]) == 20
    )
    assert [e.data for e in bridge.events if isinstance(e, DataReceived)] == messages[:20]
    await bridge.wait_for(lambda: ours.buffered_amount(1) == 0)
    await theirs.stop()


async def test_stream_reset_with_aiortc() -> None:
    """aiortc closes a channel by resetting its stream; we answer with our own reset, and
    our reset is performed by aiortc."""
    bridge, theirs, _received = await _pair(we_connect=False)
    theirs._reconfig_queue.append(1)
    await theirs._transmit_reconfig()
    await bridge.wait_for(lambda: any(isinstance(e, StreamsResetIncoming) for e in bridge.events))
    await bridge.wait_for(
        lambda: any(isinstance(e, StreamsResetOutgoingDone) for e in bridge.events)
    )
    await theirs.stop()


async def test_partial_reliability_with_aiortc() -> None:
    """Messages we abandon are skipped by aiortc through our FORWARD-TSN; reliable data sent
    afterwards on another stream still arrives complete and in order."""
    bridge, theirs, received = await _pair(we_connect=False)
    ours = bridge.ours
    bridge.drop_every = 4
    lossy = [b"lossy-%03d" % i + bytes(1000) for i in range(40)]
    for i, message in enumerate(lossy):
        ours.send(3, message, 53, max_retransmits=0, now=bridge.loop.time())
        if i % 4 == 3:
            bridge.flush()  # one packet per message
    bridge.flush()
    await bridge.wait_for(lambda: not ours._outstanding, timeout=10)
    bridge.drop_every = 0
    reliable = [b"reliable-%d" % i for i in range(10)]
    for message in reliable:
        ours.send(1, message, 51, now=bridge.loop.time())
    bridge.flush()
    await bridge.wait_for(lambda: received[-len(reliable) :] == reliable, timeout=10)
    got_lossy = [m for m in received if m.startswith(b"lossy")]
    assert got_lossy == [m for m in lossy if m in set(got_lossy)] and len(got_lossy) < len(lossy)
    assert ours.stats.messages_abandoned > 0
    await theirs.stop()
