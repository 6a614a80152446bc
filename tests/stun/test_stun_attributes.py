"""Every attribute type: hypothesis round trips, exact encodings, and malformed values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from purertc import stun
from purertc.stun import Attribute, Message, MessageClass, Method, StunError
from tests.stun.stun_strategies import SEALS, STRATEGIES, transaction_ids, unknown_attributes

TID = bytes(range(12))


def test_every_known_attribute_has_a_strategy() -> None:
    assert set(STRATEGIES) == set(stun.ATTRIBUTE_CLASSES.values())


# 36 types: a quarter of the profile's examples each keeps the suite fast and still scales
# up under HYPOTHESIS_PROFILE=soak.
PER_TYPE = settings(max_examples=max(20, settings.default.max_examples // 4))


@pytest.mark.parametrize("cls", list(STRATEGIES), ids=lambda c: c.NAME)
def test_attribute_round_trip(cls: type[Attribute]) -> None:
    @PER_TYPE
    @given(STRATEGIES[cls], transaction_ids)
    def check(attribute: Attribute, tid: bytes) -> None:
        value = attribute.encode(tid)
        assert stun.decode_attribute(attribute.attribute_type, value, tid) == attribute
        wire = attribute.to_bytes(tid)
        assert len(wire) % 4 == 0
        assert wire[4 : 4 + len(value)] == value
        if isinstance(attribute, SEALS):
            return  # recomputed by serialize(): covered in test_stun_message
        # And inside a message, through the lazy parser.
        message = Message(Method.BINDING, MessageClass.INDICATION, tid, [attribute])
        parsed = Message.parse(message.serialize())
        assert parsed.attributes == (attribute,)
        assert parsed == message

    check()


@given(unknown_attributes, transaction_ids)
def test_unknown_attribute_round_trip(attribute: stun.UnknownAttribute, tid: bytes) -> None:
    message = Message(Method.BINDING, MessageClass.REQUEST, tid, [attribute])
    parsed = Message.parse(message.serialize())
    assert parsed.attributes == (attribute,)
    expected = [attribute.type] if attribute.type < 0x8000 else []
    assert parsed.unknown_comprehension_required() == expected


def test_xor_mapped_address_rfc5769_ipv6_value() -> None:
    # RFC 5769 §2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
    tid = bytes.fromhex("b7e7a701bc34d686fa87dfae")
    attribute = stun.XorMappedAddress("2001:db8:1234:5678:11:2233:4455:6677", 32853)
    assert attribute.encode(tid).hex() == "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9"


def test_xor_mapped_address_rfc5769_ipv4_value() -> None:
    tid = bytes.fromhex("b7e7a701bc34d686fa87dfae")
    assert stun.XorMappedAddress("192.0.2.1", 32853).encode(tid).hex() == "0001a147e112a643"


@pytest.mark.parametrize(
    ("attribute", "wire"),
    [
        (stun.ErrorCode(438, "Stale Nonce"), "000004265374616c65204e6f6e6365"),
        (stun.ChannelNumber(0x4001), "40010000"),
        (stun.RequestedTransport(17), "11000000"),
        (stun.EvenPort(True), "80"),
        (stun.RequestedAddressFamily(2), "02000000"),
        (stun.AddressErrorCode(2, 440, "x"), "0200042878"),
        (stun.UnknownAttributes((1, 0x1000)), "00011000"),
        (
            stun.PasswordAlgorithms(((1, b""), (2, b"ab"))),
            "0001000000020002616200 00".replace(" ", ""),
        ),
        (stun.Icmp(3, 1, b"\x00\x00\x05\xdc"), "00000301000005dc"),
        (stun.UseCandidate(), ""),
    ],
)
def test_exact_encodings(attribute: Attribute, wire: str) -> None:
    assert attribute.encode(TID).hex() == wire


@pytest.mark.parametrize(
    ("attribute_type", "value", "field"),
    [
        (0x0020, b"\x00\x01\x00", "XOR-MAPPED-ADDRESS"),
        (0x0020, b"\x00\x03\x00\x00\x00\x00\x00\x00", "XOR-MAPPED-ADDRESS: unknown address family"),
        (0x0001, b"\x00\x01\x00\x00\x00\x00\x00", "MAPPED-ADDRESS: length 7"),
        (0x0001, b"\x00\x02" + bytes(18) + b"\x00", "MAPPED-ADDRESS: length 21"),
        (0x0006, b"\xff\xfe", "USERNAME: not UTF-8"),
        (0x0006, b"a" * 509, "USERNAME: 509 bytes"),
        (0x0014, b"a" * 764, "REALM: 764 bytes"),
        (0x0008, bytes(19), "MESSAGE-INTEGRITY: length 19"),
        (0x001C, bytes(12), "MESSAGE-INTEGRITY-SHA256: length 12"),
        (0x8028, bytes(3), "FINGERPRINT: length 3"),
        (0x0009, b"\x00\x00\x04", "ERROR-CODE: length 3"),
        (0x0009, b"\x00\x00\x02\x00", "ERROR-CODE: class 2"),
        (0x0009, b"\x00\x00\x04\x64", "ERROR-CODE: class 4 / number 100"),
        (0x000A, b"\x00\x01\x00", "UNKNOWN-ATTRIBUTES: odd length"),
        (0x8002, b"\x00\x01\x00\x08\x00", "PASSWORD-ALGORITHMS: parameters"),
        (0x8002, b"\x00\x01", "PASSWORD-ALGORITHMS: truncated"),
        (0x001D, b"", "PASSWORD-ALGORITHM: 0 algorithms"),
        (0x0024, b"\x00\x00\x00", "PRIORITY: length 3"),
        (0x8029, bytes(4), "ICE-CONTROLLED: length 4"),
        (0x0025, b"\x00", "USE-CANDIDATE: length 1"),
        (0x000C, bytes(2), "CHANNEL-NUMBER: length 2"),
        (0x0017, b"\x03\x00\x00\x00", "REQUESTED-ADDRESS-FAMILY: unknown family"),
        (0x8001, b"\x09\x00\x04\x00", "ADDRESS-ERROR-CODE: unknown family"),
        (0x0018, b"", "EVEN-PORT: length 0"),
        (0x0019, b"\x11", "REQUESTED-TRANSPORT: length 1"),
        (0x0022, bytes(7), "RESERVATION-TOKEN: length 7"),
        (0x8004, bytes(4), "ICMP: length 4"),
        (0x001E, bytes(31), "USERHASH: length 31"),
    ],
)
def test_malformed_values_raise_naming_the_attribute(
    attribute_type: int, value: bytes, field: str
) -> None:
    with pytest.raises(StunError, match=field.replace("(", r"\(")):
        stun.decode_attribute(attribute_type, value, TID)
    # Through a parsed message, the error surfaces when the value is decoded.
    size = len(value)
    body = attribute_type.to_bytes(2) + size.to_bytes(2) + value + bytes(-size & 3)
    header = b"\x00\x01" + len(body).to_bytes(2) + b"\x21\x12\xa4\x42" + TID
    with pytest.raises(StunError, match=field.split(":")[0]):
        _ = Message.parse(header + body).attributes


@pytest.mark.parametrize(
    "attribute",
    [
        stun.MappedAddress("not an ip", 1),
        stun.XorPeerAddress("10.0.0.1", 70000),
        stun.Username("u" * 509),
        stun.ErrorCode(200),
        stun.Priority(2**32),
        stun.IceControlling(-1),
        stun.ChannelNumber(0x10000),
        stun.RequestedAddressFamily(3),
        stun.AddressErrorCode(5, 440),
        stun.RequestedTransport(256),
        stun.MessageIntegrity(b"short"),
        stun.UnknownAttributes((0x10000,)),
        stun.PasswordAlgorithm(0x10000),
        stun.Icmp(1, 2, b"xx"),
    ],
)
def test_unencodable_values_raise(attribute: Attribute) -> None:
    with pytest.raises(StunError, match=attribute.NAME.split()[0]):
        attribute.to_bytes(TID)


@given(st.integers(0, 2**24 - 1), st.text(alphabet="abcdef0123456789", max_size=20))
def test_nonce_security_features_round_trip(features: int, opaque: str) -> None:
    nonce = stun.Nonce.with_security_features(features, opaque)
    assert nonce.value.startswith("obMatJos2")
    assert nonce.security_features == features
    assert stun.Nonce(opaque).security_features is None or opaque.startswith("obMatJos2")


def test_nonce_security_features_bits() -> None:
    nonce = stun.Nonce.with_security_features(
        stun.SECURITY_FEATURE_PASSWORD_ALGORITHMS | stun.SECURITY_FEATURE_USERNAME_ANONYMITY, "x"
    )
    assert nonce.value == "obMatJos2wAAAx"
    assert stun.Nonce("obMatJos2!!!!rest").security_features is None
    with pytest.raises(StunError, match="NONCE"):
        stun.Nonce.with_security_features(1 << 24, "")


def test_text_tlv_cache_is_per_type_and_bounded() -> None:
    assert stun.Username("same").to_bytes(TID)[:2] == b"\x00\x06"
    assert stun.Realm("same").to_bytes(TID)[:2] == b"\x00\x14"
    assert stun.Software("same").to_bytes(TID)[:2] == b"\x80\x22"
    for n in range(300):
        assert stun.Username(f"user{n}").to_bytes(TID)[4:].startswith(f"user{n}".encode())
    assert len(stun.Username._TLVS) <= 256
    with pytest.raises(StunError, match="USERNAME"):
        stun.Username("u" * 509).to_bytes(TID)
    assert "u" * 509 not in stun.Username._TLVS
