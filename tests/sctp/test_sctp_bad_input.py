"""A live association fed bad packets: dropped or answered per RFC 9260, never raised, and the
data it delivers is never corrupted."""

from __future__ import annotations

import struct

from purertc.sctp import (
    AssociationClosed,
    DataChunk,
    ErrorChunk,
    ForwardTsnChunk,
    Packet,
    SackChunk,
    UnknownChunk,
)
from purertc.sctp.association import Association, AssociationState
from tests.netsim import Simulation
from tests.sctp.sctp_harness import delivered_count, make_pair, received


def _inject(sim: Simulation, target: Association, packet: Packet, *, fix_crc: bool = True) -> None:
    data = packet.serialize() if fix_crc else packet.serialize()[:-1] + b"\x00"
    target.receive(data, sim.now)
    sim.flush()


def _transfer_still_works(a: Association, sim: Simulation, count: int = 200) -> None:
    before = delivered_count(sim, "b")
    messages = [b"after-%d" % i for i in range(count)]
    for message in messages:
        a.send(9, message, 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") == before + count, 60)
    assert [e.data for e in received(sim, "b", 9)][-count:] == messages


def test_bad_checksum_wrong_tag_wrong_port_are_dropped() -> None:
    a, b, sim = make_pair()
    tag = b._local_tag
    cum = b._cum + 1
    evil = DataChunk(3, cum & 0xFFFFFFFF, 9, 0, 51, b"EVIL")
    _inject(sim, b, Packet(5000, 5000, tag, [evil]), fix_crc=False)  # bad CRC
    _inject(sim, b, Packet(5000, 5000, tag ^ 1, [evil]))  # wrong verification tag
    _inject(sim, b, Packet(5001, 5000, tag, [evil]))  # wrong port
    assert b.stats.packets_dropped == 3
    assert received(sim, "b") == []
    _transfer_still_works(a, sim)


def test_garbage_and_truncated_packets() -> None:
    a, b, sim = make_pair()
    good = Packet(5000, 5000, b._local_tag, [SackChunk(0, 0)]).serialize()
    for blob in [b"", b"\x00", good[:13], good + b"\x01", bytes(64), b"\xff" * 100]:
        b.receive(blob, sim.now)
    # a valid CRC around a chunk whose length runs past the end
    raw = bytearray(Packet(5000, 5000, b._local_tag, [UnknownChunk(0xC0, 0, b"1234")]).serialize())
    struct.pack_into("!H", raw, 14, 200)
    b.receive(bytes(raw), sim.now)
    assert b.state is AssociationState.ESTABLISHED
    _transfer_still_works(a, sim)


def test_out_of_window_tsn_and_bogus_sack() -> None:
    a, b, sim = make_pair()
    far = (b._cum + (1 << 20)) & 0xFFFFFFFF
    _inject(sim, b, Packet(5000, 5000, b._local_tag, [DataChunk(3, far, 9, 0, 51, b"far")]))
    # a SACK acknowledging TSNs a never sent, and one with absurd gap blocks
    bogus = SackChunk((a._acked_cum + 5000) & 0xFFFFFFFF, 1 << 20)
    _inject(sim, a, Packet(5000, 5000, a._local_tag, [bogus]))
    gaps = SackChunk(a._acked_cum & 0xFFFFFFFF, 1 << 20, ((5, 2), (0, 0), (100, 60000)))
    _inject(sim, a, Packet(5000, 5000, a._local_tag, [gaps]))
    # a FORWARD-TSN far beyond anything sent
    fwd = ForwardTsnChunk((b._cum + (1 << 24)) & 0xFFFFFFFF, ((9, 100),))
    _inject(sim, b, Packet(5000, 5000, b._local_tag, [fwd]))
    assert received(sim, "b") == []
    _transfer_still_works(a, sim)


def test_duplicate_data_is_reported_not_redelivered() -> None:
    a, b, sim = make_pair()
    a.send(1, b"once", 51, now=sim.now)
    sim.flush()
    sim.run_until(lambda: delivered_count(sim, "b") == 1, 10)
    replay = DataChunk(3, b._cum & 0xFFFFFFFF, 1, 0, 51, b"once")
    b.receive(Packet(5000, 5000, b._local_tag, [replay]).serialize(), sim.now)
    [sack_packet] = b.datagrams_to_send(sim.now)
    sack = Packet.parse(sack_packet).chunks[0]
    assert isinstance(sack, SackChunk) and sack.duplicates == (b._cum & 0xFFFFFFFF,)
    sim.run(until=sim.now + 5)
    assert delivered_count(sim, "b") == 1


def test_unknown_chunks_follow_their_high_bits() -> None:
    a, b, sim = make_pair()
    tag = b._local_tag
    tsn = (b._cum + 1) & 0xFFFFFFFF
    data = DataChunk(3, tsn, 2, 0, 51, b"behind")
    # 0b00: stop processing, discard silently -> the DATA behind it is not processed
    b.receive(Packet(5000, 5000, tag, [UnknownChunk(0x3F, 0, b""), data]).serialize(), sim.now)
    assert [type(c) for p in b.datagrams_to_send(sim.now) for c in Packet.parse(p).chunks] == []
    # 0b01: stop and report in an ERROR (Unrecognized Chunk Type)
    b.receive(Packet(5000, 5000, tag, [UnknownChunk(0x7F, 0, b""), data]).serialize(), sim.now)
    chunks = [c for p in b.datagrams_to_send(sim.now) for c in Packet.parse(p).chunks]
    assert [type(c) for c in chunks] == [ErrorChunk]
    # 0b11: skip, report, and go on with the DATA
    b.receive(Packet(5000, 5000, tag, [UnknownChunk(0xFF, 0, b"x"), data]).serialize(), sim.now)
    chunks = [c for p in b.datagrams_to_send(sim.now) for c in Packet.parse(p).chunks]
    assert ErrorChunk in [type(c) for c in chunks]
    sim.flush()
    assert [e.data for e in received(sim, "b")] == [b"behind"]


def test_init_with_nonzero_tag_or_bundled_is_dropped() -> None:
    a, b, sim = make_pair(connect=False)
    a.connect(sim.now)
    [init_packet] = a.datagrams_to_send(sim.now)
    packet = Packet.parse(init_packet)
    packet.verification_tag = 1
    b.receive(packet.serialize(), sim.now)
    assert b.datagrams_to_send(sim.now) == []
    packet.verification_tag = 0
    packet.chunks.append(SackChunk(0, 0))
    b.receive(packet.serialize(), sim.now)
    assert b.datagrams_to_send(sim.now) == []
    assert b.stats.packets_dropped == 2


def test_forged_cookie_is_rejected() -> None:
    from purertc.sctp import CookieEchoChunk

    a, b, sim = make_pair(connect=False)
    b.receive(Packet(5000, 5000, 1234, [CookieEchoChunk(b"x" * 80)]).serialize(), 0.0)
    assert b.state is AssociationState.CLOSED and b.datagrams_to_send(0.0) == []


def test_data_without_user_data_is_answered_with_abort() -> None:
    """RFC 9260 §6.2: an empty DATA chunk is a protocol error answered with ABORT (No User
    Data); both ends report the association closed."""
    a, b, sim = make_pair()
    empty = DataChunk(3, (b._cum + 1) & 0xFFFFFFFF, 1, 0, 51, b"")
    _inject(sim, b, Packet(5000, 5000, b._local_tag, [empty]))
    sim.run_until(lambda: a.state is AssociationState.CLOSED, 10)
    assert b.state is AssociationState.CLOSED
    [closed] = [e for e in sim.events["a"] if isinstance(e, AssociationClosed)]
    assert closed.reason.startswith("abort by peer") and "cause 9" in closed.reason


def test_memoryview_datagrams_are_accepted() -> None:
    a, b, sim = make_pair()
    a.send(1, b"view", 51, now=sim.now)
    for datagram in a.datagrams_to_send(sim.now):
        b.receive(memoryview(datagram), sim.now)  # type: ignore[arg-type]
    sim.flush()
    [event] = received(sim, "b")
    assert type(event.data) is bytes and event.data == b"view"
