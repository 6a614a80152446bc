"""Random and mutated bytes into every STUN-layer parser: only StunError may escape."""

from __future__ import annotations

import json
import struct

from hypothesis import given
from hypothesis import strategies as st

from purertc.stun import ChannelData, Message, StreamFramer, StunError, classify
from tests.support import manifest_entries, vector_path

KEY = b"fuzz-key"


def _vectors() -> list[bytes]:
    found: list[bytes] = []
    for entry in manifest_entries("stun"):
        path = vector_path(entry["file"])
        if path.suffix in (".bin", ".stun"):
            found.append(path.read_bytes())
        elif path.suffix == ".hex":
            found.extend(bytes.fromhex(line) for line in path.read_text().split())
        elif path.suffix == ".json":
            found.append(bytes.fromhex(json.loads(path.read_text())["hex"]))
    return found


VECTORS = _vectors()


def _exercise_message(data: bytes) -> None:
    """Parse and touch everything a caller could touch; only StunError may come out."""
    try:
        message = Message.parse(data)
    except StunError:
        return
    assert message.serialize() == data  # whatever parses re-serialises exactly
    message.verify_integrity(KEY)
    message.unknown_comprehension_required()
    try:
        attributes = message.attributes
    except StunError:
        return
    _ = (message.username, message.priority, message.error_code, message.xor_mapped_address)
    rebuilt = Message(message.method, message.message_class, message.transaction_id, attributes)
    # Every value we decoded can be encoded again, and the result verifies.
    assert Message.parse(rebuilt.serialize(KEY, fingerprint=True)).verify_integrity(KEY)


@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    _exercise_message(data)


@given(st.binary(max_size=120))
def test_random_body_behind_a_valid_header(body: bytes) -> None:
    body = body[: len(body) - len(body) % 4]
    header = struct.pack("!HHI", 0x0001, len(body), 0x2112A442) + bytes(12)
    _exercise_message(header + body)


@given(st.sampled_from(VECTORS), st.data())
def test_truncated_vectors(vector: bytes, data: st.DataObject) -> None:
    _exercise_message(vector[: data.draw(st.integers(0, len(vector) - 1))])


@given(st.sampled_from(VECTORS), st.data())
def test_bit_flipped_vectors(vector: bytes, data: st.DataObject) -> None:
    mutated = bytearray(vector)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] ^= 1 << data.draw(st.integers(0, 7))
    _exercise_message(bytes(mutated))


@given(st.sampled_from(VECTORS), st.data())
def test_length_field_corruption(vector: bytes, data: st.DataObject) -> None:
    """Overwrite the message length or one attribute length with an arbitrary value."""
    mutated = bytearray(vector)
    offsets = [2]
    pos = 20
    while pos + 4 <= len(vector):
        offsets.append(pos + 2)
        (length,) = struct.unpack_from("!H", vector, pos + 2)
        pos += 4 + length + (-length & 3)
    where = data.draw(st.sampled_from(offsets))
    struct.pack_into("!H", mutated, where, data.draw(st.integers(0, 0xFFFF)))
    _exercise_message(bytes(mutated))


@given(st.sampled_from(VECTORS), st.binary(min_size=1, max_size=12))
def test_appended_garbage(vector: bytes, tail: bytes) -> None:
    _exercise_message(vector + tail)


@given(st.binary(max_size=80), st.booleans())
def test_channeldata_random_bytes(data: bytes, stream: bool) -> None:
    try:
        message = ChannelData.parse(data, stream=stream)
    except StunError:
        return
    assert ChannelData.parse(message.serialize(stream=stream), stream=stream) == message


@given(st.lists(st.binary(max_size=40), max_size=8))
def test_framer_random_chunks(chunks: list[bytes]) -> None:
    framer = StreamFramer()
    for chunk in chunks:
        try:
            frames = framer.feed(chunk)
        except StunError:
            return
        for frame in frames:
            assert classify(frame) in ("stun", "channeldata", "dtls", "zrtp", "unknown")


@given(st.binary(max_size=4))
def test_classify_any_bytes(data: bytes) -> None:
    assert classify(data) in ("stun", "dtls", "rtp", "rtcp", "channeldata", "zrtp", "unknown")
