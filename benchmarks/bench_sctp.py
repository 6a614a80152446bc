"""SCTP: chunk and packet codecs vs aiortc.rtcsctptransport, and association-to-association
throughput in memory (no sockets, no DTLS: datagrams are handed from one association to the
other, in simulated time)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiortc import rtcsctptransport as aio  # noqa: E402

from benchmarks._harness import Case, run  # noqa: E402
from purertc.sctp import DataReceived, Packet, SackChunk  # noqa: E402
from purertc.sctp.association import Association  # noqa: E402
from purertc.sctp.chunks import DATA, SACK, parse_chunk  # noqa: E402

VECTORS = Path(__file__).resolve().parent.parent.parent / "shared" / "vectors" / "sctp"


def _vector(name: str) -> bytes:
    for root in (VECTORS, Path("/work/shared/vectors/sctp")):
        if (root / name).exists():
            return (root / name).read_bytes()
    raise FileNotFoundError(name)


DATA_PACKET = _vector("aiortc_sctp_data.bin")
SACK_PACKET = _vector("aiortc_sctp_sack.bin")
DATA_BODY = DATA_PACKET[16:]
SACK_BODY = SACK_PACKET[16:]
OUR_DATA = Packet.parse(DATA_PACKET)
OUR_DATA_CHUNK = OUR_DATA.chunks[0]
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


def throughput_case(size: int, total: int) -> Case:
    pair = Pair()
    message = bytes(size)
    count = total // size
    return Case(
        f"association {size // 1024} KiB messages",
        purertc=lambda: pair.transfer(message, count),
        unit="MB",
        bytes_per_call=count * size,
    )


def main() -> None:
    cases = [
        Case(
            "DATA chunk parse",
            purertc=lambda: parse_chunk(DATA, 3, DATA_BODY),
            aiortc=lambda: aio.DataChunk(3, DATA_BODY),
        ),
        Case(
            "DATA chunk serialize",
            purertc=OUR_DATA_CHUNK.serialize,
            aiortc=lambda: bytes(THEIR_DATA_CHUNK),
        ),
        Case(
            "SACK chunk parse",
            purertc=lambda: parse_chunk(SACK, 0, SACK_BODY),
            aiortc=lambda: aio.SackChunk(0, SACK_BODY),
        ),
        Case(
            "SACK chunk serialize",
            purertc=OUR_SACK_CHUNK.serialize,
            aiortc=lambda: bytes(THEIR_SACK_CHUNK),
        ),
        Case(
            "DATA packet parse (CRC32c)",
            purertc=lambda: Packet.parse(DATA_PACKET),
            aiortc=lambda: aio.parse_packet(DATA_PACKET),
        ),
        Case(
            "DATA packet serialize (CRC32c)",
            purertc=OUR_DATA.serialize,
            aiortc=lambda: aio.serialize_packet(5000, 5000, 0x0FC0F8A1, THEIR_DATA_CHUNK),
        ),
        throughput_case(16 * 1024, 4 * 1024 * 1024),
        throughput_case(1024, 1024 * 1024),
    ]
    run("sctp", cases)


if __name__ == "__main__":
    main()
