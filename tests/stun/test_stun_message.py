"""Message header, framing errors, integrity and fingerprint semantics."""

from __future__ import annotations

import hashlib
import hmac
import struct
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.stun import (
    Data,
    Fingerprint,
    IceControlling,
    Message,
    MessageClass,
    MessageIntegrity,
    MessageIntegritySha256,
    Method,
    Priority,
    Realm,
    Software,
    StunError,
    UnknownAttribute,
    UseCandidate,
    Username,
    new_transaction_id,
)
from purertc.stun.constants import message_type, split_message_type
from tests.stun.stun_strategies import messages

TID = bytes.fromhex("000102030405060708090a0b")
KEY = b"ice-password-1234567890"


def _binding_request(*extra: object) -> Message:
    attrs = [
        Username("a:b"),
        Priority(0x6E7F1EFF),
        IceControlling(0x1122334455667788),
        UseCandidate(),
    ]
    return Message(Method.BINDING, MessageClass.REQUEST, TID, [*attrs, *extra])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("method", "klass", "value"),
    [
        (Method.BINDING, MessageClass.REQUEST, 0x0001),
        (Method.BINDING, MessageClass.INDICATION, 0x0011),
        (Method.BINDING, MessageClass.SUCCESS_RESPONSE, 0x0101),
        (Method.BINDING, MessageClass.ERROR_RESPONSE, 0x0111),
        (Method.ALLOCATE, MessageClass.ERROR_RESPONSE, 0x0113),
        (Method.SEND, MessageClass.INDICATION, 0x0016),
        (Method.DATA, MessageClass.INDICATION, 0x0017),
        (Method.CONNECTION_ATTEMPT, MessageClass.INDICATION, 0x001C),
        (0xFFF, MessageClass.ERROR_RESPONSE, 0x3FFF),
    ],
)
def test_message_type_bits(method: int, klass: MessageClass, value: int) -> None:
    assert message_type(method, klass) == value
    assert split_message_type(value) == (method, klass)


@given(messages())
def test_message_round_trip(message: Message) -> None:
    wire = message.serialize()
    parsed = Message.parse(wire)
    assert parsed == message
    assert parsed.serialize() == wire
    assert Message.parse(bytearray(wire)) == message
    assert Message.parse(memoryview(wire)) == message


@given(messages(), st.binary(min_size=1, max_size=64), st.booleans(), st.booleans())
def test_sealed_round_trip(message: Message, key: bytes, sha256: bool, fingerprint: bool) -> None:
    wire = message.serialize(key, integrity_sha256=sha256, fingerprint=fingerprint)
    parsed = Message.parse(wire)
    assert parsed.verify_integrity(key)
    assert not parsed.verify_integrity(key + b"!")
    assert parsed.attributes[: len(message.attributes)] == message.attributes
    seal = MessageIntegritySha256 if sha256 else MessageIntegrity
    assert parsed.get(seal) is not None
    assert (parsed.get(Fingerprint) is not None) == fingerprint
    # Re-sealing the parsed message reproduces the bytes; so does copying the seals.
    assert parsed.serialize(key) == wire
    assert parsed.serialize() == wire


def test_unknown_method_is_kept() -> None:
    message = Message(0x123, MessageClass.INDICATION, TID)
    parsed = Message.parse(message.serialize())
    assert parsed.method == 0x123
    assert not isinstance(parsed.method, Method)
    assert "0x123" in repr(parsed)


def test_integrity_matches_independent_hmac_and_crc() -> None:
    wire = _binding_request().serialize(KEY, fingerprint=True)
    mi_at = len(wire) - 32
    prefix = bytearray(wire[:mi_at])
    struct.pack_into("!H", prefix, 2, mi_at + 24 - 20)
    assert wire[mi_at : mi_at + 4] == b"\x00\x08\x00\x14"
    assert wire[mi_at + 4 : mi_at + 24] == hmac.new(KEY, bytes(prefix), hashlib.sha1).digest()
    crc = zlib.crc32(wire[:-8]) ^ 0x5354554E
    assert wire[-8:] == b"\x80\x28\x00\x04" + crc.to_bytes(4)


def test_integrity_sha256_matches_independent_hmac() -> None:
    wire = _binding_request().serialize(KEY, integrity_sha256=True)
    at = len(wire) - 36
    prefix = bytearray(wire[:at])
    struct.pack_into("!H", prefix, 2, at + 36 - 20)
    assert wire[at : at + 4] == b"\x00\x1c\x00\x20"
    assert wire[at + 4 :] == hmac.new(KEY, bytes(prefix), hashlib.sha256).digest()


def test_truncated_sha256_placeholder_keeps_its_length() -> None:
    message = _binding_request(MessageIntegritySha256(bytes(16)))
    parsed = Message.parse(message.serialize(KEY, integrity_sha256=True))
    seal = parsed.get(MessageIntegritySha256)
    assert seal is not None and len(seal.value) == 16
    assert parsed.verify_integrity(KEY)


def test_verify_prefers_sha256_over_sha1() -> None:
    other = b"another key"
    wire = bytearray(_binding_request().serialize(other))  # MESSAGE-INTEGRITY with `other`
    struct.pack_into("!H", wire, 2, len(wire) - 20 + 36)
    sha256 = hmac.new(KEY, bytes(wire), hashlib.sha256).digest()
    wire += b"\x00\x1c\x00\x20" + sha256
    parsed = Message.parse(bytes(wire))
    assert parsed.verify_integrity(KEY)  # the SHA-256 seal decides
    assert not parsed.verify_integrity(other)


def test_message_without_integrity_fails_verification() -> None:
    assert Message.parse(_binding_request().serialize()).verify_integrity(KEY) is False
    assert _binding_request().verify_integrity(KEY) is False


def test_built_message_with_copied_seal_verifies() -> None:
    parsed = Message.parse(_binding_request().serialize(KEY, fingerprint=True))
    copy = Message(parsed.method, parsed.message_class, parsed.transaction_id, parsed.attributes)
    assert copy.verify_integrity(KEY)
    assert copy.serialize() == parsed.raw


def test_attributes_after_integrity_are_ignored_except_seals() -> None:
    sneaky = _binding_request(MessageIntegrity(bytes(20)), Software("after"), Realm("r"))
    wire = sneaky.serialize(KEY, fingerprint=True)
    parsed = Message.parse(wire)
    assert parsed.verify_integrity(KEY)
    assert parsed.software is None  # after MESSAGE-INTEGRITY: unauthenticated, ignored
    assert parsed.realm is None
    assert parsed.get(Fingerprint) is not None
    assert [type(a) for a in parsed.attributes][-3:] == [Software, Realm, Fingerprint]


def test_first_occurrence_counts() -> None:
    message = Message(
        Method.BINDING, MessageClass.REQUEST, TID, [Username("first"), Username("second")]
    )
    assert Message.parse(message.serialize()).username == "first"
    assert message.username == "first"


def test_getters_on_built_and_parsed_messages() -> None:
    message = _binding_request()
    for candidate in (message, Message.parse(message.serialize(KEY, fingerprint=True))):
        assert candidate.username == "a:b"
        assert candidate.priority == 0x6E7F1EFF
        assert candidate.ice_controlling == 0x1122334455667788
        assert candidate.ice_controlled is None
        assert candidate.use_candidate is True
        assert candidate.error_code is None
        assert candidate.xor_mapped_address is None
        assert candidate.has(0x0025)
        assert not candidate.has(0x0014)


def test_hand_built_unknown_attribute_with_known_type_decodes_on_get() -> None:
    message = Message(Method.BINDING, MessageClass.REQUEST, TID, [UnknownAttribute(0x0006, b"bob")])
    assert message.username == "bob"


def test_fingerprint_placeholder_in_list_is_recomputed() -> None:
    wire = _binding_request(Fingerprint(0)).serialize()
    assert wire == _binding_request().serialize(fingerprint=True)


def test_attributes_after_fingerprint_placeholder_refused() -> None:
    wire = _binding_request(Fingerprint(0), Software("x")).serialize()
    assert Message.parse(wire).software is None  # the list is cut at FINGERPRINT
    assert wire == _binding_request().serialize(fingerprint=True)


def test_wrong_fingerprint_means_not_stun() -> None:
    wire = bytearray(_binding_request().serialize(KEY, fingerprint=True))
    wire[-1] ^= 0xFF
    with pytest.raises(StunError, match="FINGERPRINT"):
        Message.parse(bytes(wire))


def test_integrity_mismatch_is_false_not_an_error() -> None:
    wire = bytearray(_binding_request().serialize(KEY))
    wire[-5] ^= 0x01
    assert Message.parse(bytes(wire)).verify_integrity(KEY) is False


def test_sha1_seal_with_wrong_length_fails_verification() -> None:
    body = UnknownAttribute(0x0008, bytes(16))  # a MESSAGE-INTEGRITY of the wrong size
    message = Message(Method.BINDING, MessageClass.REQUEST, TID, [body])
    assert Message.parse(message.serialize()).verify_integrity(KEY) is False


def _header(mtype: int, length: int, cookie: int = 0x2112A442) -> bytes:
    return struct.pack("!HHI", mtype, length, cookie) + TID


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"", "header"),
        (_header(1, 0)[:19], "header"),
        (_header(0xC001, 0), "message type"),
        (_header(1, 0, cookie=0x2112A443), "magic cookie"),
        (_header(1, 4), "message length"),
        (_header(1, 0) + b"\x00\x06\x00\x00", "message length"),
        (_header(1, 2) + b"\x00\x06", "message length"),
        (_header(1, 8) + b"\x00\x06\x00\x08abcd", "attribute 0x0006: length 8 overruns"),
        (_header(1, 8) + b"\x00\x06\x00\x05abcd", "attribute 0x0006: length 5 overruns"),
        (_header(1, 8) + b"\x80\x28\x00\x03\x00\x00\x00\x00", "FINGERPRINT: length"),
        (_header(1, 12) + b"\x80\x28\x00\x04\x00\x00\x00\x00\x00\x25\x00\x00", "not the last"),
    ],
)
def test_bad_framing_raises_naming_the_field(data: bytes, field: str) -> None:
    with pytest.raises(StunError, match=field):
        Message.parse(data)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((Method.BINDING, MessageClass.REQUEST, b"short"), "transaction id"),
        ((0x1000, MessageClass.REQUEST, TID), "method"),
        ((Method.BINDING, 4, TID), "message class"),
    ],
)
def test_bad_construction_raises(args: tuple[int, int, bytes], field: str) -> None:
    with pytest.raises(StunError, match=field):
        Message(*args)


def test_oversized_message_refused() -> None:
    message = Message(
        Method.SEND, MessageClass.INDICATION, TID, [Data(bytes(40000)), Data(bytes(40000))]
    )
    with pytest.raises(StunError, match="message length"):
        message.serialize()
    with pytest.raises(StunError, match="DATA"):
        Data(bytes(70000)).to_bytes(TID)


def test_unknown_comprehension_required_reported_once() -> None:
    attrs = [
        UnknownAttribute(0x7777, b""),
        UnknownAttribute(0x7777, b"x"),
        UnknownAttribute(0xC001, b""),
    ]
    message = Message.parse(Message(Method.BINDING, MessageClass.REQUEST, TID, attrs).serialize())
    assert message.unknown_comprehension_required() == [0x7777]


def test_equality_and_hash() -> None:
    assert _binding_request() == _binding_request()
    assert _binding_request() != Message(Method.BINDING, MessageClass.REQUEST, TID)
    assert _binding_request().__eq__(42) is NotImplemented
    with pytest.raises(TypeError):
        hash(_binding_request())


def test_new_transaction_ids_are_random() -> None:
    assert len(new_transaction_id()) == 12
    assert new_transaction_id() != new_transaction_id()


def test_layout_cache_same_size_different_shape() -> None:
    """Two messages of one size but different attribute splits: the remembered layout of the
    first must not be applied to the second."""
    first = Message(Method.BINDING, MessageClass.REQUEST, TID, [Username("abcd"), Realm("efgh")])
    second = Message(Method.BINDING, MessageClass.REQUEST, TID, [Username("abcdefgh"), Data(b"")])
    a, b = first.serialize(), second.serialize()
    assert len(a) == len(b)
    for _ in range(2):
        assert Message.parse(a) == first
        assert Message.parse(b) == second


def test_layout_cache_does_not_hide_framing_errors() -> None:
    wire = bytearray(_binding_request().serialize(KEY, fingerprint=True))
    Message.parse(bytes(wire))  # its layout is now remembered
    struct.pack_into("!H", wire, 22, 200)  # USERNAME length overruns, same total size
    with pytest.raises(StunError, match="attribute 0x0006"):
        Message.parse(bytes(wire))
    struct.pack_into("!H", wire, 22, 4)  # same padded size: same framing, so the CRC decides
    with pytest.raises(StunError, match="FINGERPRINT"):
        Message.parse(bytes(wire))


def test_malformed_hot_getter_values_raise() -> None:
    attrs = [
        UnknownAttribute(0x0025, b"\x01"),  # USE-CANDIDATE must be empty
        UnknownAttribute(0x0024, b"\x00\x01"),  # PRIORITY must be 4 bytes
        UnknownAttribute(0x0006, b"\xff"),  # USERNAME must be UTF-8
    ]
    message = Message.parse(Message(Method.BINDING, MessageClass.REQUEST, TID, attrs).serialize())
    with pytest.raises(StunError, match="USE-CANDIDATE"):
        _ = message.use_candidate
    with pytest.raises(StunError, match="PRIORITY"):
        _ = message.priority
    with pytest.raises(StunError, match="USERNAME"):
        _ = message.username
    assert message.ice_controlling is None
    assert message.has(0x0025)


@given(messages(), st.booleans(), st.data())
def test_getters_agree_between_built_and_parsed(
    plain: Message, sealed: bool, data: st.DataObject
) -> None:
    """The built path (positions in the attribute list) and the parsed path (the layout's
    value slices) apply the same "first occurrence, nothing after the seals" rule."""
    attrs = list(plain.attributes)
    if sealed:  # a seal somewhere in the list: what follows it must not count
        attrs.insert(data.draw(st.integers(0, len(attrs))), MessageIntegrity(bytes(20)))
    message = Message(plain.method, plain.message_class, plain.transaction_id, attrs)
    parsed = Message.parse(message.serialize(KEY if sealed else None, fingerprint=sealed))
    for attribute in message.attributes:
        cls = type(attribute)
        if cls is UnknownAttribute:
            continue
        if cls is MessageIntegrity:  # recomputed by serialize: only presence compares
            assert parsed.has(0x0008) and message.has(0x0008)
            continue
        assert parsed.get(cls) == message.get(cls)
    for name in (
        "username",
        "realm",
        "nonce",
        "software",
        "priority",
        "ice_controlling",
        "ice_controlled",
        "use_candidate",
        "error_code",
        "xor_mapped_address",
    ):
        assert getattr(parsed, name) == getattr(message, name), name


def test_resealing_a_wrong_sized_integrity_placeholder() -> None:
    odd = Message(Method.BINDING, MessageClass.REQUEST, TID, [UnknownAttribute(0x0008, bytes(16))])
    parsed = Message.parse(odd.serialize())
    assert not parsed.verify_integrity(KEY)
    resealed = Message.parse(parsed.serialize(KEY))
    assert resealed.verify_integrity(KEY)
    seal = resealed.get(MessageIntegrity)
    assert seal is not None and len(seal.value) == 20
