"""Fuzz: random and mutated bytes into the SCTP parser (only SctpError may escape) and into a
live association (nothing may escape, and delivered data stays intact)."""

from __future__ import annotations

import contextlib
import json
import random
import struct
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.sctp import AssociationClosed, Packet, SctpError
from purertc.sctp.association import Association, AssociationState
from purertc.sctp.implementation import ChunkCodec
from purertc.sctp.packet import encode_packet
from tests.netsim import Simulation
from tests.sctp.sctp_harness import delivered_count, make_pair, received
from tests.sctp.sctp_impls import IMPLEMENTATIONS, parse_with
from tests.sctp.test_sctp_roundtrip import chunks as chunk_strategy
from tests.support import manifest_entries, vector_path


def _corpus() -> list[bytes]:
    found = []
    for entry in manifest_entries("sctp"):
        path = vector_path(entry["file"])
        if path.suffix == ".bin":
            found.append(path.read_bytes())
        elif "hex" in (data := json.loads(path.read_text())):
            found.append(bytes.fromhex(data["hex"]))
    return found


CORPUS = _corpus()


def _parse(codec: ChunkCodec, data: bytes) -> None:
    with contextlib.suppress(SctpError):
        parse_with(codec, data, verify_checksum=False)


def _with_crc(data: bytes) -> bytes:
    """Re-seal a mutated packet with a correct checksum so the chunk walk is exercised."""
    if len(data) < 12:
        return data
    return encode_packet(*struct.unpack_from("!HHI", data), [data[12:]])


def _mutations(data: bytes, rng: random.Random) -> list[bytes]:
    out = [data[:cut] for cut in range(len(data))]  # every truncation
    for _ in range(40):  # bit flips
        flipped = bytearray(data)
        position = rng.randrange(len(flipped))
        flipped[position] ^= 1 << rng.randrange(8)
        out.append(bytes(flipped))
    for offset in range(12, len(data) - 3, 2):  # length fields (and anything else 16-bit)
        for value in (0, 1, 3, 4, 5, 0xFFFF, len(data) - offset + 1):
            corrupted = bytearray(data)
            struct.pack_into("!H", corrupted, offset, value & 0xFFFF)
            out.append(bytes(corrupted))
    return out


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_mutated_vectors_raise_only_sctp_error(codec: ChunkCodec) -> None:
    rng = random.Random(1)
    count = 0
    for data in CORPUS:
        for mutated in _mutations(data, rng):
            _parse(codec, mutated)
            with contextlib.suppress(SctpError):
                parse_with(codec, _with_crc(mutated))
            count += 1
    assert count > 1000


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_sctp_error(codec: ChunkCodec, data: bytes) -> None:
    _parse(codec, data)
    with contextlib.suppress(SctpError):
        parse_with(codec, _with_crc(data))


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
@given(st.binary(min_size=4, max_size=120))
def test_random_chunk_bodies(codec: ChunkCodec, body: bytes) -> None:
    for kind in range(0, 256, 1):
        raw = bytes([kind]) + body[1:2] + struct.pack("!H", len(body)) + body[4:]
        with contextlib.suppress(SctpError):
            parse_with(codec, encode_packet(5000, 5000, 1, [raw]))


def _run_with_mutations(reseal: bool) -> tuple[list[bytes], Association, Association, Simulation]:
    """A 300-message transfer during which every 50th send replays the last 20 datagrams,
    mutated, into both ends (with the original checksum, or re-sealed with a valid one)."""
    rng = random.Random(7)
    a, b, sim = make_pair(seed=5)
    captured: list[tuple[str, bytes]] = []
    original_transmit = sim._transmit

    def capture(source: str, data: bytes) -> None:
        captured.append((source, data))
        original_transmit(source, data)

    sim._transmit = capture  # type: ignore[method-assign]
    messages = [bytes([i % 256]) * (i * 37 % 3000 + 1) for i in range(300)]
    for i, message in enumerate(messages):
        if a.state is not AssociationState.ESTABLISHED:
            break
        a.send(i % 3, message, 53, ordered=i % 3 != 2, now=sim.now)
        if i % 50 == 0:
            sim.flush()
            for source, data in list(captured[-20:]):
                target = b if source == "a" else a
                for mutated in _mutations(data, rng)[:: max(1, len(data) // 8)]:
                    target.receive(_with_crc(mutated) if reseal else mutated, sim.now)
                    # the same bytes under a wrong verification tag: always dropped
                    wrong_tag = bytearray(_with_crc(mutated))
                    if len(wrong_tag) >= 12:
                        wrong_tag[4] ^= 0x80
                        target.receive(_with_crc(bytes(wrong_tag)), sim.now)
            sim.run(until=sim.now + 0.05)
    sim.flush()
    return messages, a, b, sim


def test_live_association_survives_mutated_traffic() -> None:
    """Corrupted datagrams (checksum no longer matching, or wrong tag) change nothing: the
    transfer completes with exactly the right messages."""
    messages, a, b, sim = _run_with_mutations(reseal=False)
    sim.run_until(lambda: delivered_count(sim, "b") >= len(messages), 600)
    assert a.stats.packets_dropped > 100 and b.stats.packets_dropped > 100
    for stream in range(3):
        expected = [m for i, m in enumerate(messages) if i % 3 == stream]
        got = [e.data for e in received(sim, "b", stream)]
        if stream == 2:
            got.sort()
            expected.sort()
        assert got == expected


def test_live_association_survives_resealed_mutations() -> None:
    """Mutations re-sealed with a valid CRC look like the peer's own packets (only DTLS keeps
    them out in WebRTC): the association may give up, but nothing may escape receive()."""
    _messages, a, b, sim = _run_with_mutations(reseal=True)
    sim.run(until=sim.now + 120)
    assert a.stats.packets_dropped > 100 and b.stats.packets_dropped > 100
    for name, assoc in (("a", a), ("b", b)):
        closed = [e for e in sim.events[name] if isinstance(e, AssociationClosed)]
        # either still working, or ended through the documented event
        assert (assoc.state is not AssociationState.CLOSED) or len(closed) == 1


@given(st.lists(chunk_strategy, min_size=1, max_size=4), st.booleans())
def test_live_association_takes_any_well_formed_chunks(items: list[Any], to_a: bool) -> None:
    """Well-formed chunks with arbitrary field values, under the right tag and checksum:
    receive() never raises, whatever the association makes of them."""
    a, b, sim = make_pair(seed=31)
    a.send(1, bytes(5000), 53, now=sim.now)  # something in flight, to be acked or not
    sim.flush()
    target = a if to_a else b
    packet = Packet(5000, 5000, target._local_tag, items)
    target.receive(packet.serialize(), sim.now)
    target.datagrams_to_send(sim.now)
    while target.next_event() is not None:
        pass
    target.handle_timer(sim.now + 1000)
    target.datagrams_to_send(sim.now + 1000)
