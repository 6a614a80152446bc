"""Packet and chunk codecs against the shared vectors (byte-exact round trips)."""

from __future__ import annotations

import struct
from typing import Any

import crc32c
import pytest

from purertc.sctp import (
    AbortChunk,
    CookieEchoChunk,
    DataChunk,
    ForwardTsnChunk,
    InitAckChunk,
    InitChunk,
    OutgoingSsnResetRequest,
    Packet,
    ReconfigChunk,
    SackChunk,
    SctpError,
    ShutdownAckChunk,
    ShutdownChunk,
    UnknownChunk,
)
from purertc.sctp.implementation import ChunkCodec
from purertc.sctp.parameters import AddStreamsRequest, supported_extensions
from tests.sctp.sctp_impls import IMPLEMENTATIONS, parse_with
from tests.support import load_json_vector, manifest_entries, vector_path


def _vector_bytes(entry: dict[str, Any]) -> bytes:
    if entry["file"].endswith(".bin"):
        return vector_path(entry["file"]).read_bytes()
    return bytes.fromhex(load_json_vector(entry["file"])["hex"])


PACKET_VECTORS = [e for e in manifest_entries("sctp") if "dcep" not in e["file"].split("_")[1]]
VALID = [e for e in PACKET_VECTORS if e["expected"].get("valid", True)]
INVALID = [e for e in PACKET_VECTORS if not e["expected"].get("valid", True)]


def test_vector_sets_are_not_empty() -> None:
    assert len(VALID) >= 15
    assert len(INVALID) >= 1


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
@pytest.mark.parametrize("entry", VALID, ids=lambda e: e["file"])
def test_vector_parses_and_round_trips(codec: ChunkCodec, entry: dict[str, Any]) -> None:
    data = _vector_bytes(entry)
    packet = parse_with(codec, data)
    expected = entry["expected"]
    if "verification_tag" in expected:
        assert packet.source_port == expected["source_port"]
        assert packet.destination_port == expected["destination_port"]
        assert packet.verification_tag == int(expected["verification_tag"], 16)
    names = [c["name"] if isinstance(c, dict) else c for c in expected["chunks"]]
    kinds = {
        "DATA": DataChunk,
        "INIT": InitChunk,
        "INIT_ACK": InitAckChunk,
        "SACK": SackChunk,
        "ABORT": AbortChunk,
        "SHUTDOWN": ShutdownChunk,
        "SHUTDOWN_ACK": ShutdownAckChunk,
        "COOKIE_ECHO": CookieEchoChunk,
        "FORWARD_TSN": ForwardTsnChunk,
        "RE_CONFIG": ReconfigChunk,
    }
    assert [type(c) for c in packet.chunks] == [kinds[name] for name in names]
    assert packet.serialize() == data


def test_checksum_is_crc32c_little_endian() -> None:
    data = vector_path("sctp/aiortc_sctp_data.bin").read_bytes()
    crc = crc32c.crc32c(data[:8] + b"\x00" * 4 + data[12:])
    assert data[8:12] == struct.pack("<I", crc)


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
@pytest.mark.parametrize("entry", INVALID, ids=lambda e: e["file"])
def test_invalid_vector_raises(codec: ChunkCodec, entry: dict[str, Any]) -> None:
    with pytest.raises(SctpError):
        parse_with(codec, _vector_bytes(entry))


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_bad_checksum_raises_and_can_be_skipped(codec: ChunkCodec) -> None:
    data = bytearray(vector_path("sctp/aiortc_sctp_data.bin").read_bytes())
    data[-1] ^= 0x01
    with pytest.raises(SctpError, match="checksum"):
        parse_with(codec, bytes(data))
    packet = parse_with(codec, bytes(data), verify_checksum=False)
    assert isinstance(packet.chunks[0], DataChunk)


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_data_fields(codec: ChunkCodec) -> None:
    packet = parse_with(codec, vector_path("sctp/aiortc_sctp_data.bin").read_bytes())
    chunk = packet.chunks[0]
    assert isinstance(chunk, DataChunk)
    assert (chunk.tsn, chunk.stream_id, chunk.stream_seq, chunk.ppid) == (2584679421, 1, 1, 51)
    assert chunk.user_data == b"ping"
    assert chunk.beginning and chunk.ending and not chunk.unordered


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_sack_fields(codec: ChunkCodec) -> None:
    chunk = parse_with(codec, vector_path("sctp/aiortc_sctp_sack.bin").read_bytes()).chunks[0]
    assert chunk == SackChunk(2222939037, 128160, ((2, 2), (4, 4)), (2222939041,))


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_init_parameters_and_extensions(codec: ChunkCodec) -> None:
    chunk = parse_with(codec, vector_path("sctp/aiortc_sctp_init.bin").read_bytes()).chunks[0]
    assert isinstance(chunk, InitChunk)
    assert (chunk.initiate_tag, chunk.a_rwnd, chunk.outbound_streams) == (609359619, 131072, 256)
    assert [p.type for p in chunk.params] == [0xC000, 0x8008, 0x8002, 0x8004, 0x8003]
    assert supported_extensions(chunk.params) >= {192, 130}


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_init_ack_state_cookie(codec: ChunkCodec) -> None:
    data = bytes.fromhex(load_json_vector("sctp/pion_init_ack_small_cookie.json")["hex"])
    chunk = parse_with(codec, data).chunks[0]
    assert isinstance(chunk, InitAckChunk)
    assert chunk.state_cookie is not None and len(chunk.state_cookie) == 4


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_abort_cause_text(codec: ChunkCodec) -> None:
    chunk = parse_with(codec, vector_path("sctp/aiortc_sctp_abort.bin").read_bytes()).chunks[0]
    assert isinstance(chunk, AbortChunk)
    assert chunk.causes[0].type == 13
    assert chunk.causes[0].value == b"Expected B-bit for TSN=4ce1f17f, SID=0001, SSN=0000"


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_reconfig_parameters(codec: ChunkCodec) -> None:
    chunk = parse_with(
        codec, vector_path("sctp/aiortc_sctp_reconfig_reset_out.bin").read_bytes()
    ).chunks[0]
    assert isinstance(chunk, ReconfigChunk)
    assert chunk.params == [OutgoingSsnResetRequest(2346191451, 3834375283, 2346191454, (1,))]
    chunk = parse_with(
        codec, vector_path("sctp/aiortc_sctp_reconfig_add_out.bin").read_bytes()
    ).chunks[0]
    assert isinstance(chunk, ReconfigChunk)
    assert chunk.params == [AddStreamsRequest(False, 3389191728, 16)]


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_forward_tsn_fields(codec: ChunkCodec) -> None:
    chunk = parse_with(codec, vector_path("sctp/aiortc_sctp_forward_tsn.bin").read_bytes()).chunks[
        0
    ]
    assert chunk == ForwardTsnChunk(1234, ((12, 34),))


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_unknown_chunk_is_kept_verbatim(codec: ChunkCodec) -> None:
    packet = Packet(5000, 5000, 7, [UnknownChunk(0xC5, 3, b"abcde")])
    data = packet.serialize()
    assert parse_with(codec, data) == packet
    assert data[12:16] == bytes([0xC5, 3, 0, 9])


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    ("chunk_hex", "field"),
    [
        ("03000010" + "00" * 12, "SACK"),  # claims one gap block that is absent -> size mismatch
        ("0700000c" + "00" * 8, "SHUTDOWN"),
        ("c0000006" + "0000", "FORWARD-TSN"),
        ("0100000c" + "00" * 8, "InitChunk"),
        ("82000008" + "000d0004", "Outgoing SSN Reset"),
        ("0b000008" + "00" * 4, "CookieAckChunk"),
    ],
)
def test_malformed_chunks_name_the_field(codec: ChunkCodec, chunk_hex: str, field: str) -> None:
    body = bytes.fromhex(chunk_hex)
    if field == "SACK":
        body = bytes.fromhex("03000010") + struct.pack("!IIHH", 1, 2, 1, 0)
    packet = b"\x13\x88\x13\x88" + b"\x00" * 4 + b"\x00" * 4 + body
    with pytest.raises(SctpError, match=field):
        parse_with(codec, packet, verify_checksum=False)


@pytest.mark.parametrize("codec", IMPLEMENTATIONS)
def test_memoryview_input(codec: ChunkCodec) -> None:
    data = vector_path("sctp/aiortc_sctp_data.bin").read_bytes()
    assert parse_with(codec, memoryview(data)).serialize() == data  # type: ignore[arg-type]


def test_public_entry_points() -> None:
    import purertc.sctp as sctp

    for name in ("Packet", "SctpError", "Association", "AssociationState", "Event"):
        assert hasattr(sctp, name), name
    assert issubclass(sctp.SctpError, ValueError)
    assert {s.name for s in sctp.AssociationState} >= {
        "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED", "SHUTDOWN_PENDING",
        "SHUTDOWN_SENT", "SHUTDOWN_RECEIVED", "SHUTDOWN_ACK_SENT",
    }  # fmt: skip
