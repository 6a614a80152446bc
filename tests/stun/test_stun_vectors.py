"""The shared STUN vectors: RFC 5769 samples, captured browser/server messages, coturn exchange."""

from __future__ import annotations

from typing import Any

import pytest

from purertc.stun import (
    Attribute,
    ErrorCode,
    Fingerprint,
    IceControlled,
    Lifetime,
    MappedAddress,
    Message,
    MessageClass,
    MessageIntegrity,
    Method,
    Nonce,
    OtherAddress,
    Priority,
    Realm,
    RequestedTransport,
    ResponseOrigin,
    Software,
    UnknownAttribute,
    UnknownAttributes,
    Username,
    XorMappedAddress,
    XorRelayedAddress,
    long_term_key,
)
from tests.support import load_json_vector, manifest, manifest_entries, vector_path

CLASS_NAMES = {
    "request": MessageClass.REQUEST,
    "indication": MessageClass.INDICATION,
    "success_response": MessageClass.SUCCESS_RESPONSE,
    "error_response": MessageClass.ERROR_RESPONSE,
}

RFC5769 = [
    "stun/rfc5769_2.1_sample_request.json",
    "stun/rfc5769_2.2_sample_ipv4_response.json",
    "stun/rfc5769_2.4_long_term_auth_request.json",
]


def _key(vector: dict[str, Any]) -> bytes:
    credentials = vector["credentials"]
    if "short_term_password" in credentials:
        return str(credentials["short_term_password"]).encode()
    # RFC 5769 printed the password before SASLprep; OpaqueString (RFC 8489) does not map
    # U+00AA / U+2168 nor drop U+00AD, so the key is derived from the prepared form.
    key = long_term_key(
        credentials["username"], credentials["realm"], credentials["password_after_saslprep"]
    )
    assert key.hex() == credentials["long_term_key_md5_hex"]
    return key


def _value_of(attribute: Attribute) -> object:
    """The attribute's value in the manifest's `expected` notation."""
    if isinstance(attribute, MappedAddress | XorMappedAddress | XorRelayedAddress):
        family = "IPv6" if ":" in attribute.address else "IPv4"
        return {"family": family, "address": attribute.address, "port": attribute.port}
    if isinstance(attribute, ResponseOrigin | OtherAddress):
        family = "IPv6" if ":" in attribute.address else "IPv4"
        return {"family": family, "address": attribute.address, "port": attribute.port}
    if isinstance(attribute, IceControlled):
        return str(attribute.value)
    if isinstance(attribute, Fingerprint):
        return f"0x{attribute.value:08x}"
    if isinstance(attribute, MessageIntegrity):
        return attribute.value.hex()
    if isinstance(attribute, ErrorCode):
        return {"code": attribute.code, "reason": attribute.reason}
    if isinstance(attribute, RequestedTransport):
        return {"protocol": attribute.protocol}
    if isinstance(attribute, UnknownAttribute):
        return attribute.value.decode()
    if isinstance(attribute, UnknownAttributes):
        return "".join(f"{t:04x}" for t in attribute.types)
    return attribute.value  # type: ignore[attr-defined]


def _check_expected(message: Message, expected: dict[str, Any]) -> None:
    assert message.method == Method[expected["method"].upper()]
    assert message.message_class == CLASS_NAMES[expected["class"]]
    assert message.transaction_id.hex() == expected["transaction_id"]
    attributes = message.attributes
    assert len(attributes) == len(expected["attributes"])
    for attribute, wanted in zip(attributes, expected["attributes"], strict=True):
        assert attribute.attribute_type == int(wanted["type"], 16)
        value = wanted.get("value", wanted.get("value_hex"))
        assert _value_of(attribute) == value, wanted["name"]


@pytest.mark.parametrize("name", RFC5769)
def test_rfc5769_sample_verifies_and_reserializes_byte_exact(name: str) -> None:
    vector = load_json_vector(name)
    data = bytes.fromhex(vector["hex"])
    key = _key(vector)
    message = Message.parse(data)
    _check_expected(message, vector["expected"])
    assert message.verify_integrity(key) is True
    assert message.verify_integrity(key + b"x") is False
    # Re-serialised with the key: every HMAC and CRC recomputed, padding bytes kept.
    assert message.serialize(key) == data
    assert message.serialize() == data


@pytest.mark.parametrize("name", RFC5769)
def test_rfc5769_sample_rebuilt_from_typed_attributes(name: str) -> None:
    """Rebuilt from its typed attributes, a sample gets zero padding: the values survive, the
    seals are recomputed at the same places and verify with the same key."""
    vector = load_json_vector(name)
    key = _key(vector)
    parsed = Message.parse(bytes.fromhex(vector["hex"]))
    rebuilt = Message(parsed.method, parsed.message_class, parsed.transaction_id, parsed.attributes)
    again = Message.parse(rebuilt.serialize(key))
    assert again.verify_integrity(key)
    assert [type(a) for a in again.attributes] == [type(a) for a in parsed.attributes]
    seals = (MessageIntegrity, Fingerprint)
    kept = [a for a in parsed.attributes if not isinstance(a, seals)]
    assert [a for a in again.attributes if not isinstance(a, seals)] == kept
    if "0x20 bytes" not in vector["description"] and "0x20 byte" not in vector["description"]:
        assert again == parsed  # zero padding in the sample: the MACs are identical too


def test_rfc5769_sample_request_typed_getters() -> None:
    message = Message.parse(bytes.fromhex(load_json_vector(RFC5769[0])["hex"]))
    assert message.username == "evtj:h6vY"
    assert message.software == "STUN test client"
    assert message.priority == 0x6E0001FF
    assert message.ice_controlled == 0x932FF9B151263B36
    assert message.ice_controlling is None
    assert message.use_candidate is False
    assert message.get(Username) == Username("evtj:h6vY")
    assert message.get(Priority) == Priority(0x6E0001FF)


def test_rfc5769_long_term_getters() -> None:
    message = Message.parse(bytes.fromhex(load_json_vector(RFC5769[2])["hex"]))
    assert message.username == "マトリックス"
    assert message.realm == "example.org"
    assert message.nonce == "f//499k954d6OL34oL9FSTvy64sA"
    assert message.get(Nonce) is not None
    assert message.get(Realm) == Realm("example.org")


BINARY = [
    entry["file"] for entry in manifest_entries("stun") if entry["file"].endswith((".bin", ".stun"))
]


@pytest.mark.parametrize("name", BINARY)
def test_captured_message_parses_and_round_trips(name: str) -> None:
    data = vector_path(name).read_bytes()
    message = Message.parse(data)
    _check_expected(message, manifest()[name]["expected"])
    assert message.serialize() == data
    # Rebuilt from typed values (padding normalised to zeros) it parses to the same message.
    rebuilt = Message(
        message.method, message.message_class, message.transaction_id, message.attributes
    )
    assert Message.parse(rebuilt.serialize()) == message


def test_freeswitch_request_fingerprint_and_getters() -> None:
    message = Message.parse(
        vector_path("stun/aioice_freeswitch_ice_controlled_request.bin").read_bytes()
    )
    assert message.username == "AYeZ:sw7YvCSbcVex3bhi"
    assert message.priority == 1685987071
    assert message.ice_controlled == 5491930053772927353
    assert message.software == "FreeSWITCH (-37-987c9b9 64bit)"
    assert message.get(Fingerprint) == Fingerprint(3230414530)
    # The key is not published: any key fails, without raising.
    assert message.verify_integrity(b"not the key") is False


def test_citrix_response_rfc5780_addresses() -> None:
    message = Message.parse(vector_path("stun/aioice_citrix_binding_response.bin").read_bytes())
    assert message.xor_mapped_address == ("80.200.136.90", 53054)
    assert message.get(MappedAddress) == MappedAddress("80.200.136.90", 53054)
    assert message.get(ResponseOrigin) == ResponseOrigin("52.17.36.97", 3478)
    assert message.get(OtherAddress) == OtherAddress("52.17.36.97", 3479)


def test_unknown_attributes_vector_ignores_padding_content() -> None:
    data = vector_path("stun/libwebrtc_corpus_unknown_attributes.stun").read_bytes()
    message = Message.parse(data)
    assert message.get(UnknownAttributes) == UnknownAttributes((0x0001, 0x1000, 0xAB0C))
    assert message.serialize() == data  # the 0xBEEF padding is kept verbatim


def test_origin_attribute_is_kept_as_unknown_optional() -> None:
    data = vector_path("stun/pion_chrome_binding_request_origin.stun").read_bytes()
    message = Message.parse(data)
    assert message.attributes == (UnknownAttribute(0x802F, b"http://localhost:3000/"),)
    assert message.unknown_comprehension_required() == []


def _coturn_messages() -> list[bytes]:
    lines = vector_path("stun/pion_turn_chrome_coturn_allocate.hex").read_text().split()
    return [bytes.fromhex(line) for line in lines]


def test_coturn_allocate_exchange() -> None:
    messages = _coturn_messages()
    expected = manifest()["stun/pion_turn_chrome_coturn_allocate.hex"]["expected"]["messages"]
    assert len(messages) == len(expected) == 4
    for data, wanted in zip(messages, expected, strict=True):
        message = Message.parse(data)
        _check_expected(message, wanted)
        assert message.serialize() == data
    request, challenge, authenticated, success = (Message.parse(m) for m in messages)
    assert request.method == Method.ALLOCATE
    assert request.get(RequestedTransport) == RequestedTransport(17)
    assert challenge.error_code == ErrorCode(401, "Unauthorized")
    assert challenge.realm == "a1.cydev.ru"
    assert challenge.nonce == "5a0209b5cb806106"
    assert authenticated.username == "ernado"
    assert authenticated.transaction_id != request.transaction_id
    assert success.get(XorRelayedAddress) == XorRelayedAddress("10.8.22.83", 55936)
    assert success.xor_mapped_address == ("213.141.156.236", 36000)
    assert success.get(Lifetime) == Lifetime(600)
    assert success.get(Software) == Software("Coturn-4.5.0.3 'dan Eider'")
