"""SCTP: chunk and packet codecs vs aiortc.rtcsctptransport (the pure codec as ``purertc``, the
compiled twin beside it when built), and association-to-association
throughput in memory (no sockets, no DTLS). purertc's two associations are pumped directly into
each other in simulated time; aiortc's two RTCSctpTransports are joined by a fake DTLS
transport on an asyncio loop, so its figure includes the time its timers keep it waiting."""

from __future__ import annotations

import asyncio
import os
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiortc import rtcsctptransport as aio  # noqa: E402

from benchmarks._harness import Case, run  # noqa: E402
from purertc.sctp import DataReceived, Packet, SackChunk  # noqa: E402
from purertc.sctp.association import Association  # noqa: E402
from purertc.sctp.chunks import DATA, SACK, DataChunk  # noqa: E402
from purertc.sctp.implementation import COMPILED, PURE  # noqa: E402
from purertc.sctp.packet import pure_iter_chunks  # noqa: E402

VECTORS = Path(
    os.environ.get("PURERTC_VECTORS", Path(__file__).resolve().parents[2] / "shared" / "vectors")
)


def _vector(name: str) -> bytes:
    return (VECTORS / "sctp" / name).read_bytes()


DATA_PACKET = _vector("aiortc_sctp_data.bin")
SACK_PACKET = _vector("aiortc_sctp_sack.bin")
DATA_BODY = DATA_PACKET[16:]
SACK_BODY = SACK_PACKET[16:]
OUR_DATA = Packet.parse(DATA_PACKET)
OUR_DATA_CHUNK = OUR_DATA.chunks[0]
assert isinstance(OUR_DATA_CHUNK, DataChunk)
THEIR_DATA_CHUNK = aio.DataChunk(3, DATA_BODY)
OUR_SACK_CHUNK = Packet.parse(SACK_PACKET).chunks[0]
assert isinstance(OUR_SACK_CHUNK, SackChunk)
THEIR_SACK_CHUNK = aio.SackChunk(0, SACK_BODY)


class Pair:
    """Two established associations pumped directly into each other."""

    def __init__(self) -> None:
        self.a = Association(rng=random.Random(1))
        self.b = Association(rng=random.Random(2))
        self.a.remote_max_message_size = self.b.remote_max_message_size = 262144
        self.now = 0.0
        self.a.connect(self.now)
        while self.b.state.value != "established" or self.a.state.value != "established":
            self.pump()

    def pump(self) -> int:
        """One round trip: a's datagrams into b, b's into a; returns messages delivered."""
        a, b, now = self.a, self.b, self.now
        moved = 0
        for datagram in a.datagrams_to_send(now):
            b.receive(datagram, now)
            moved += 1
        delivered = 0
        while (event := b.next_event()) is not None:
            if type(event) is DataReceived:
                delivered += 1
        for datagram in b.datagrams_to_send(now):
            a.receive(datagram, now)
            moved += 1
        while a.next_event() is not None:
            pass
        self.now += 0.001
        if not moved:
            timer = min(t for t in (a.get_timer(), b.get_timer(), self.now) if t is not None)
            self.now = max(self.now, timer)
            a.handle_timer(self.now)
            b.handle_timer(self.now)
        return delivered

    def transfer(self, message: bytes, count: int) -> None:
        for _ in range(count):
            self.a.send(1, message, 53, now=self.now)
        delivered = 0
        while delivered < count:
            delivered += self.pump()


class _FakeDtls:
    """Just enough of aiortc's RTCDtlsTransport for RTCSctpTransport: datagrams go straight to
    the peer transport on the next loop iteration (no sockets, no DTLS)."""

    def __init__(self, role: str) -> None:
        self._role = role
        self.state = "connected"
        self.transport = self
        self.receiver: Any = None
        self.peer: _FakeDtls | None = None

    def _register_data_receiver(self, receiver: Any) -> None:
        self.receiver = receiver

    def _unregister_data_receiver(self, receiver: Any) -> None:
        self.receiver = None

    async def _send_data(self, data: bytes) -> None:
        peer = self.peer
        assert peer is not None
        asyncio.get_running_loop().call_soon(
            lambda: asyncio.ensure_future(peer.receiver._handle_data(data))
        )


class AiortcPair:
    """Two aiortc RTCSctpTransports joined in memory, driven by one persistent event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        client, server = _FakeDtls("client"), _FakeDtls("server")
        client.peer, server.peer = server, client
        self.a = aio.RTCSctpTransport(client)  # type: ignore[arg-type]
        self.b = aio.RTCSctpTransport(server)  # type: ignore[arg-type]
        self.received = 0

        async def count(stream_id: int, ppid: int, data: bytes) -> None:
            self.received += 1

        self.b._receive = count  # type: ignore[method-assign]
        self.a._receive = count  # type: ignore[method-assign]
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        caps = aio.RTCSctpCapabilities(maxMessageSize=262144)
        await asyncio.gather(self.a.start(caps, 5000), self.b.start(caps, 5000))
        established = aio.RTCSctpTransport.State.ESTABLISHED
        while established not in (self.a._association_state, self.b._association_state) or (
            self.a._association_state != self.b._association_state
        ):
            await asyncio.sleep(0.001)

    async def _transfer(self, message: bytes, count: int) -> None:
        self.received = 0
        for _ in range(count):
            await self.a._send(1, 53, message)
        while self.received < count:
            await asyncio.sleep(0)

    def transfer(self, message: bytes, count: int) -> None:
        self.loop.run_until_complete(self._transfer(message, count))


def throughput_case(size: int, total: int) -> Case:
    ours = Pair()
    theirs = AiortcPair()
    message = bytes(size)
    count = total // size
    return Case(
        f"association {size // 1024} KiB messages",
        purertc=lambda: ours.transfer(message, count),
        aiortc=lambda: theirs.transfer(message, count),
        unit="MB",
        bytes_per_call=count * size,
        number=1,
    )


def main() -> None:
    cases = [
        Case(
            "DATA chunk parse",
            purertc=lambda: PURE.parse_chunk(DATA, 3, DATA_BODY),
            aiortc=lambda: aio.DataChunk(3, DATA_BODY),
        ),
        Case(
            "DATA chunk serialize",
            purertc=OUR_DATA_CHUNK.serialize,
            aiortc=lambda: bytes(THEIR_DATA_CHUNK),
        ),
        Case(
            "SACK chunk parse",
            purertc=lambda: PURE.parse_chunk(SACK, 0, SACK_BODY),
            aiortc=lambda: aio.SackChunk(0, SACK_BODY),
        ),
        Case(
            "SACK chunk serialize",
            purertc=OUR_SACK_CHUNK.serialize,
            aiortc=lambda: bytes(THEIR_SACK_CHUNK),
        ),
        Case(
            "DATA packet parse (CRC32c)",
            purertc=lambda: Packet.parse(DATA_PACKET, walk=pure_iter_chunks),
            aiortc=lambda: aio.parse_packet(DATA_PACKET),
        ),
        Case(
            "DATA packet serialize (CRC32c)",
            purertc=OUR_DATA.serialize,
            aiortc=lambda: aio.serialize_packet(5000, 5000, 0x0FC0F8A1, THEIR_DATA_CHUNK),
        ),
        throughput_case(16 * 1024, 2 * 1024 * 1024),
        throughput_case(1024, 512 * 1024),
    ]
    if COMPILED is not None and COMPILED.parse_packet is not None:
        twin, parse_packet = COMPILED, COMPILED.parse_packet
        cases[0].extra["compiled"] = lambda: twin.parse_chunk(DATA, 3, DATA_BODY)
        cases[1].extra["compiled"] = lambda: twin.serialize_data(OUR_DATA_CHUNK)
        cases[2].extra["compiled"] = lambda: twin.parse_chunk(SACK, 0, SACK_BODY)
        cases[4].extra["compiled"] = lambda: parse_packet(Packet, DATA_PACKET, True)
    run("sctp", cases)


if __name__ == "__main__":
    main()
