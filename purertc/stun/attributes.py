"""Typed STUN/TURN attributes: one small value class per attribute type.

Every attribute is TLV-encoded (RFC 8489 §14) and padded to a multiple of four bytes; the
padding bytes are not part of the length and their content is ignored on receipt:

```
 0                   1                   2                   3
 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
|         Type                  |            Length             |
+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
|                         Value (variable)                ....
+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
```

A class has ``TYPE``, ``encode(transaction_id) -> value bytes`` and the classmethod
``decode(value, transaction_id)``; :data:`ATTRIBUTE_CLASSES` maps type codes to classes.
Types we do not know decode to :class:`UnknownAttribute`, kept verbatim.
"""

from __future__ import annotations

import socket
import struct
from abc import ABC, abstractmethod
from base64 import b64decode, b64encode
from binascii import Error as Base64Error
from dataclasses import dataclass
from ipaddress import IPv6Address
from typing import ClassVar, Self

from .constants import MAGIC_COOKIE, MAGIC_COOKIE_BYTES, AttributeType
from .errors import StunError

_U8 = struct.Struct("!B")
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_U64 = struct.Struct("!Q")
_TLV_HEADER = struct.Struct("!HH")
_TLV_U32 = struct.Struct("!HHI")
_TLV_U64 = struct.Struct("!HHQ")
_ADDRESS_HEADER = struct.Struct("!xBH")
_CODE = struct.Struct("!xxBB")
_FAMILY_CODE = struct.Struct("!BxBB")
_ALGORITHM = struct.Struct("!HH")
_ICMP = struct.Struct("!xxBB4s")
_PADDING = (b"", b"\x00\x00\x00", b"\x00\x00", b"\x00")
_TLV_CACHE_LIMIT = 256
_init = object.__setattr__  # how a frozen dataclass sets its fields, minus a lookup

FAMILY_IPV4 = 0x01
FAMILY_IPV6 = 0x02


class Attribute(ABC):
    """Base of every attribute value class."""

    __slots__ = ()
    TYPE: ClassVar[int]
    NAME: ClassVar[str]

    @abstractmethod
    def encode(self, transaction_id: bytes) -> bytes:
        """The value bytes, without the TLV header and padding."""

    @classmethod
    @abstractmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        """The attribute from its value bytes; :class:`StunError` if they are malformed."""

    @property
    def attribute_type(self) -> int:
        return self.TYPE

    def to_bytes(self, transaction_id: bytes) -> bytes:
        """The whole TLV: header, value and zero padding."""
        value = self.encode(transaction_id)
        length = len(value)
        if length > 0xFFFF:
            raise StunError(f"{self.NAME}: value of {length} bytes does not fit a STUN attribute")
        return _TLV_HEADER.pack(self.attribute_type, length) + value + _PADDING[length & 3]


def _expect_length(name: str, value: bytes, expected: int) -> None:
    if len(value) != expected:
        raise StunError(f"{name}: length {len(value)}, expected {expected}")


# --- addresses ----------------------------------------------------------------------------
#  0                   1                   2                   3
#  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |0 0 0 0 0 0 0 0|    Family     |           Port                |
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |                 Address (32 bits or 128 bits)                 |
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# RFC 8489 §14.1 (MAPPED-ADDRESS) and §14.2 (XOR-MAPPED-ADDRESS: port XOR the cookie's top
# 16 bits, address XOR the cookie, for IPv6 XOR cookie || transaction id).


def _pack_address(name: str, address: str, port: int) -> tuple[int, bytes]:
    if not 0 <= port <= 0xFFFF:
        raise StunError(f"{name}: port {port} out of range")
    try:
        if ":" in address:
            return FAMILY_IPV6, socket.inet_pton(socket.AF_INET6, address)
        return FAMILY_IPV4, socket.inet_pton(socket.AF_INET, address)
    except OSError as exc:
        raise StunError(f"{name}: {address!r} is not an IP address") from exc


def _unpack_address(name: str, value: bytes) -> tuple[int, int, bytes]:
    if len(value) < 4:
        raise StunError(f"{name}: length {len(value)} is too short for an address")
    family, port = _ADDRESS_HEADER.unpack_from(value)
    if family == FAMILY_IPV4:
        _expect_length(name, value, 8)
    elif family == FAMILY_IPV6:
        _expect_length(name, value, 20)
    else:
        raise StunError(f"{name}: unknown address family 0x{family:02x}")
    return family, port, value[4:]


def _xor(data: bytes, mask: bytes) -> bytes:
    size = len(data)
    return (int.from_bytes(data) ^ int.from_bytes(mask[:size])).to_bytes(size)


def _text_address(family: int, packed: bytes) -> str:
    if family == FAMILY_IPV4:
        return socket.inet_ntop(socket.AF_INET, packed)
    return str(IPv6Address(packed))  # RFC 5952 text, also for IPv4-compatible forms


@dataclass(frozen=True, slots=True)
class _AddressAttribute(Attribute):
    """An IP address and port, sent as they are."""

    address: str
    port: int

    def encode(self, transaction_id: bytes) -> bytes:
        family, packed = _pack_address(self.NAME, self.address, self.port)
        return _ADDRESS_HEADER.pack(family, self.port) + packed

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        family, port, packed = _unpack_address(cls.NAME, value)
        return cls(_text_address(family, packed), port)


@dataclass(frozen=True, slots=True)
class _XorAddressAttribute(Attribute):
    """An IP address and port obfuscated with the magic cookie and transaction id."""

    address: str
    port: int

    def encode(self, transaction_id: bytes) -> bytes:
        family, packed = _pack_address(self.NAME, self.address, self.port)
        port = self.port ^ (MAGIC_COOKIE >> 16)
        return _ADDRESS_HEADER.pack(family, port) + _xor(
            packed, MAGIC_COOKIE_BYTES + transaction_id
        )

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        family, port, packed = _unpack_address(cls.NAME, value)
        plain = _xor(packed, MAGIC_COOKIE_BYTES + transaction_id)
        return cls(_text_address(family, plain), port ^ (MAGIC_COOKIE >> 16))


class MappedAddress(_AddressAttribute):
    TYPE = AttributeType.MAPPED_ADDRESS
    NAME = "MAPPED-ADDRESS"
    __slots__ = ()


class AlternateServer(_AddressAttribute):
    TYPE = AttributeType.ALTERNATE_SERVER
    NAME = "ALTERNATE-SERVER"
    __slots__ = ()


class ResponseOrigin(_AddressAttribute):
    """RFC 5780 §7.3."""

    TYPE = AttributeType.RESPONSE_ORIGIN
    NAME = "RESPONSE-ORIGIN"
    __slots__ = ()


class OtherAddress(_AddressAttribute):
    """RFC 5780 §7.4."""

    TYPE = AttributeType.OTHER_ADDRESS
    NAME = "OTHER-ADDRESS"
    __slots__ = ()


class XorMappedAddress(_XorAddressAttribute):
    TYPE = AttributeType.XOR_MAPPED_ADDRESS
    NAME = "XOR-MAPPED-ADDRESS"
    __slots__ = ()


class XorPeerAddress(_XorAddressAttribute):
    """RFC 8656 §18.3."""

    TYPE = AttributeType.XOR_PEER_ADDRESS
    NAME = "XOR-PEER-ADDRESS"
    __slots__ = ()


class XorRelayedAddress(_XorAddressAttribute):
    """RFC 8656 §18.5."""

    TYPE = AttributeType.XOR_RELAYED_ADDRESS
    NAME = "XOR-RELAYED-ADDRESS"
    __slots__ = ()


# --- UTF-8 text -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TextAttribute(Attribute):
    """UTF-8 text with a byte-length limit from the RFC."""

    MAX_BYTES: ClassVar[int] = 763
    _TLVS: ClassVar[dict[str, bytes]] = {}
    value: str

    def __init__(self, value: str) -> None:
        _init(self, "value", value)  # hot path: cheaper than the generated frozen __init__

    def encode(self, transaction_id: bytes) -> bytes:
        data = self.value.encode()
        if len(data) > self.MAX_BYTES:
            raise StunError(f"{self.NAME}: {len(data)} bytes, at most {self.MAX_BYTES} allowed")
        return data

    def to_bytes(self, transaction_id: bytes) -> bytes:
        # An ICE agent sends the same USERNAME (and SOFTWARE) in every check: remember the TLV.
        tlv = self._TLVS.get(self.value)
        if tlv is None:
            data = self.encode(transaction_id)
            size = len(data)
            tlv = _TLV_HEADER.pack(self.TYPE, size) + data + _PADDING[size & 3]
            if len(self._TLVS) >= _TLV_CACHE_LIMIT:
                self._TLVS.clear()
            self._TLVS[self.value] = tlv
        return tlv

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        return cls(cls.value_of(value))

    @classmethod
    def value_of(cls, value: bytes) -> str:
        """The text of a wire value, without building the attribute (the getters' path)."""
        if len(value) > cls.MAX_BYTES:
            raise StunError(f"{cls.NAME}: {len(value)} bytes, at most {cls.MAX_BYTES} allowed")
        try:
            return value.decode()
        except UnicodeDecodeError as exc:
            raise StunError(f"{cls.NAME}: not UTF-8 ({exc.reason})") from None


class Username(_TextAttribute):
    """RFC 8489 §14.3: fewer than 509 bytes."""

    TYPE = AttributeType.USERNAME
    NAME = "USERNAME"
    _TLVS: ClassVar[dict[str, bytes]] = {}  # one TLV cache per attribute type
    MAX_BYTES = 508
    __slots__ = ()


class Realm(_TextAttribute):
    """RFC 8489 §14.9: fewer than 128 characters (at most 763 bytes)."""

    TYPE = AttributeType.REALM
    NAME = "REALM"
    _TLVS: ClassVar[dict[str, bytes]] = {}  # one TLV cache per attribute type
    __slots__ = ()


class Software(_TextAttribute):
    """RFC 8489 §14.14."""

    TYPE = AttributeType.SOFTWARE
    NAME = "SOFTWARE"
    _TLVS: ClassVar[dict[str, bytes]] = {}  # one TLV cache per attribute type
    __slots__ = ()


class AlternateDomain(_TextAttribute):
    """RFC 8489 §14.16: the server's domain name for TLS, fewer than 255 bytes."""

    TYPE = AttributeType.ALTERNATE_DOMAIN
    NAME = "ALTERNATE-DOMAIN"
    _TLVS: ClassVar[dict[str, bytes]] = {}  # one TLV cache per attribute type
    MAX_BYTES = 254
    __slots__ = ()


NONCE_COOKIE = "obMatJos2"
"""RFC 8489 §9.2: a NONCE starting with this carries the server's security feature set."""
SECURITY_FEATURE_PASSWORD_ALGORITHMS = 1 << 23
"""Security feature bit 0 (the most significant of the 24): PASSWORD-ALGORITHMS offered."""
SECURITY_FEATURE_USERNAME_ANONYMITY = 1 << 22
"""Security feature bit 1: USERHASH accepted."""


class Nonce(_TextAttribute):
    """RFC 8489 §14.10, with the §9.2 "nonce cookie" security-feature prefix."""

    TYPE = AttributeType.NONCE
    NAME = "NONCE"
    _TLVS: ClassVar[dict[str, bytes]] = {}  # one TLV cache per attribute type
    __slots__ = ()

    @classmethod
    def with_security_features(cls, features: int, opaque: str) -> Nonce:
        """``"obMatJos2" + base64(24-bit feature set) + opaque``."""
        if not 0 <= features < 1 << 24:
            raise StunError(f"NONCE: security feature set {features} does not fit 24 bits")
        return cls(NONCE_COOKIE + b64encode(features.to_bytes(3)).decode() + opaque)

    @property
    def security_features(self) -> int | None:
        """The 24-bit feature set, or ``None`` when the nonce has no nonce cookie."""
        if not self.value.startswith(NONCE_COOKIE) or len(self.value) < 13:
            return None
        try:
            return int.from_bytes(b64decode(self.value[9:13], validate=True))
        except (Base64Error, ValueError):
            return None


# --- opaque bytes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BytesAttribute(Attribute):
    """An opaque value; ``SIZES`` lists the lengths the RFC allows (empty: any)."""

    SIZES: ClassVar[tuple[int, ...]] = ()
    value: bytes

    def encode(self, transaction_id: bytes) -> bytes:
        if self.SIZES and len(self.value) not in self.SIZES:
            raise StunError(f"{self.NAME}: length {len(self.value)} not in {self.SIZES}")
        return self.value

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        if cls.SIZES and len(value) not in cls.SIZES:
            raise StunError(f"{cls.NAME}: length {len(value)} not in {cls.SIZES}")
        return cls(bytes(value))


class MessageIntegrity(_BytesAttribute):
    """RFC 8489 §14.5: HMAC-SHA1 over the message up to this attribute."""

    TYPE = AttributeType.MESSAGE_INTEGRITY
    NAME = "MESSAGE-INTEGRITY"
    SIZES = (20,)
    __slots__ = ()


class MessageIntegritySha256(_BytesAttribute):
    """RFC 8489 §14.6: HMAC-SHA256, possibly truncated to 16..32 bytes (multiple of 4)."""

    TYPE = AttributeType.MESSAGE_INTEGRITY_SHA256
    NAME = "MESSAGE-INTEGRITY-SHA256"
    SIZES = (16, 20, 24, 28, 32)
    __slots__ = ()


class Userhash(_BytesAttribute):
    """RFC 8489 §14.4: SHA-256(username ":" realm)."""

    TYPE = AttributeType.USERHASH
    NAME = "USERHASH"
    SIZES = (32,)
    __slots__ = ()


class Data(_BytesAttribute):
    """RFC 8656 §18.4: application data relayed by Send/Data indications."""

    TYPE = AttributeType.DATA
    NAME = "DATA"
    __slots__ = ()


class ReservationToken(_BytesAttribute):
    """RFC 8656 §18.9."""

    TYPE = AttributeType.RESERVATION_TOKEN
    NAME = "RESERVATION-TOKEN"
    SIZES = (8,)
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class UnknownAttribute(Attribute):
    """An attribute type this layer does not interpret, kept verbatim."""

    type: int
    value: bytes
    NAME = "unknown attribute"

    @property
    def attribute_type(self) -> int:
        return self.type

    @property
    def comprehension_required(self) -> bool:
        return self.type < 0x8000

    def encode(self, transaction_id: bytes) -> bytes:
        return self.value

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        raise StunError("unknown attribute: decode through the message, which knows the type")


# --- integers -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _UIntAttribute(Attribute):
    """An unsigned integer of ``FORMAT``'s size."""

    FORMAT: ClassVar[struct.Struct] = _U32
    WIRE: ClassVar[struct.Struct] = _TLV_U32  # header and value in one pack (hot path)
    SIZE: ClassVar[int] = 4
    value: int

    def __init__(self, value: int) -> None:
        _init(self, "value", value)  # hot path: cheaper than the generated frozen __init__

    def encode(self, transaction_id: bytes) -> bytes:
        return self.to_bytes(transaction_id)[4:]

    def to_bytes(self, transaction_id: bytes) -> bytes:
        try:
            return self.WIRE.pack(self.TYPE, self.SIZE, self.value)
        except struct.error as exc:
            raise StunError(f"{self.NAME}: {self.value} out of range") from exc

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        return cls(cls.value_of(value))

    @classmethod
    def value_of(cls, value: bytes) -> int:
        """The integer of a wire value, without building the attribute (the getters' path)."""
        if len(value) != cls.SIZE:
            raise StunError(f"{cls.NAME}: length {len(value)}, expected {cls.SIZE}")
        result: int = cls.FORMAT.unpack(value)[0]
        return result


class Fingerprint(_UIntAttribute):
    """RFC 8489 §14.7: CRC-32 of the message up to here, XOR 0x5354554E."""

    TYPE = AttributeType.FINGERPRINT
    NAME = "FINGERPRINT"
    __slots__ = ()


class Priority(_UIntAttribute):
    """RFC 8445 §7.1.1."""

    TYPE = AttributeType.PRIORITY
    NAME = "PRIORITY"
    __slots__ = ()


class IceControlled(_UIntAttribute):
    """RFC 8445 §7.1.3: the 64-bit tie-breaker."""

    TYPE = AttributeType.ICE_CONTROLLED
    NAME = "ICE-CONTROLLED"
    FORMAT = _U64
    WIRE = _TLV_U64
    SIZE = 8
    __slots__ = ()


class IceControlling(_UIntAttribute):
    """RFC 8445 §7.1.3: the 64-bit tie-breaker."""

    TYPE = AttributeType.ICE_CONTROLLING
    NAME = "ICE-CONTROLLING"
    FORMAT = _U64
    WIRE = _TLV_U64
    SIZE = 8
    __slots__ = ()


class Lifetime(_UIntAttribute):
    """RFC 8656 §18.2: seconds."""

    TYPE = AttributeType.LIFETIME
    NAME = "LIFETIME"
    __slots__ = ()


class ConnectionId(_UIntAttribute):
    """RFC 6062 §6.2.1."""

    TYPE = AttributeType.CONNECTION_ID
    NAME = "CONNECTION-ID"
    __slots__ = ()


# --- flags ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FlagAttribute(Attribute):
    """An attribute whose presence is its whole meaning (zero-length value)."""

    def encode(self, transaction_id: bytes) -> bytes:
        return b""

    def to_bytes(self, transaction_id: bytes) -> bytes:
        return _FLAG_TLVS[self.TYPE]

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        _expect_length(cls.NAME, value, 0)
        return cls()


class UseCandidate(_FlagAttribute):
    """RFC 8445 §7.1.2."""

    TYPE = AttributeType.USE_CANDIDATE
    NAME = "USE-CANDIDATE"
    __slots__ = ()


class DontFragment(_FlagAttribute):
    """RFC 8656 §18.8."""

    TYPE = AttributeType.DONT_FRAGMENT
    NAME = "DONT-FRAGMENT"
    __slots__ = ()


_FLAG_TLVS: dict[int, bytes] = {
    cls.TYPE: _TLV_HEADER.pack(cls.TYPE, 0) for cls in (UseCandidate, DontFragment)
}


# --- structured values ----------------------------------------------------------------------


#  0                   1                   2                   3
#  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |           Reserved, should be 0         |Class|     Number    |
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |      Reason Phrase (variable)                                ..
# RFC 8489 §14.8: code = class * 100 + number, class 3..6, number 0..99.


def _pack_code(name: str, code: int) -> tuple[int, int]:
    if not 300 <= code <= 699:
        raise StunError(f"{name}: code {code} outside 300..699")
    return code // 100, code % 100


def _unpack_code(name: str, klass: int, number: int) -> int:
    klass &= 0x07
    if not 3 <= klass <= 6 or number > 99:
        raise StunError(f"{name}: class {klass} / number {number} is not an error code")
    return klass * 100 + number


def _decode_reason(name: str, data: bytes) -> str:
    if len(data) > 763:
        raise StunError(f"{name}: reason phrase of {len(data)} bytes, at most 763 allowed")
    try:
        return data.decode()
    except UnicodeDecodeError as exc:
        raise StunError(f"{name}: reason phrase not UTF-8 ({exc.reason})") from None


@dataclass(frozen=True, slots=True)
class ErrorCode(Attribute):
    """RFC 8489 §14.8."""

    TYPE = AttributeType.ERROR_CODE
    NAME = "ERROR-CODE"
    code: int
    reason: str = ""

    def encode(self, transaction_id: bytes) -> bytes:
        klass, number = _pack_code(self.NAME, self.code)
        return _CODE.pack(klass, number) + self.reason.encode()

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        if len(value) < 4:
            raise StunError(f"ERROR-CODE: length {len(value)} is shorter than 4")
        klass, number = _CODE.unpack_from(value)
        return cls(_unpack_code(cls.NAME, klass, number), _decode_reason(cls.NAME, value[4:]))


#  0                   1                   2                   3
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |  Family       |    Reserved             |Class|     Number    |
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |      Reason Phrase (variable)                                ..
# RFC 8656 §18.12.


@dataclass(frozen=True, slots=True)
class AddressErrorCode(Attribute):
    """RFC 8656 §18.12: why one address family of a dual allocation failed."""

    TYPE = AttributeType.ADDRESS_ERROR_CODE
    NAME = "ADDRESS-ERROR-CODE"
    family: int
    code: int
    reason: str = ""

    def encode(self, transaction_id: bytes) -> bytes:
        klass, number = _pack_code(self.NAME, self.code)
        if self.family not in (FAMILY_IPV4, FAMILY_IPV6):
            raise StunError(f"ADDRESS-ERROR-CODE: unknown family {self.family}")
        return _FAMILY_CODE.pack(self.family, klass, number) + self.reason.encode()

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        if len(value) < 4:
            raise StunError(f"ADDRESS-ERROR-CODE: length {len(value)} is shorter than 4")
        family, klass, number = _FAMILY_CODE.unpack_from(value)
        if family not in (FAMILY_IPV4, FAMILY_IPV6):
            raise StunError(f"ADDRESS-ERROR-CODE: unknown family 0x{family:02x}")
        code = _unpack_code(cls.NAME, klass, number)
        return cls(family, code, _decode_reason(cls.NAME, value[4:]))


@dataclass(frozen=True, slots=True)
class UnknownAttributes(Attribute):
    """RFC 8489 §14.13: the comprehension-required types a server did not understand."""

    TYPE = AttributeType.UNKNOWN_ATTRIBUTES
    NAME = "UNKNOWN-ATTRIBUTES"
    types: tuple[int, ...]

    def encode(self, transaction_id: bytes) -> bytes:
        try:
            return struct.pack(f"!{len(self.types)}H", *self.types)
        except struct.error as exc:
            raise StunError(f"UNKNOWN-ATTRIBUTES: {exc}") from exc

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        if len(value) & 1:
            raise StunError(f"UNKNOWN-ATTRIBUTES: odd length {len(value)}")
        return cls(struct.unpack(f"!{len(value) // 2}H", value))


@dataclass(frozen=True, slots=True)
class PasswordAlgorithm(Attribute):
    """RFC 8489 §14.12: the algorithm the client chose, and its parameters."""

    TYPE = AttributeType.PASSWORD_ALGORITHM
    NAME = "PASSWORD-ALGORITHM"
    algorithm: int
    parameters: bytes = b""

    def encode(self, transaction_id: bytes) -> bytes:
        return _encode_algorithm(self.NAME, self.algorithm, self.parameters)

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        algorithms = _decode_algorithms(cls.NAME, value)
        if len(algorithms) != 1:
            raise StunError(f"PASSWORD-ALGORITHM: {len(algorithms)} algorithms, expected 1")
        return cls(*algorithms[0])


#  0                   1                   2                   3
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |         Algorithm 1           | Algorithm 1 Parameters Length |
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |                    Algorithm 1 Parameters (variable)
# +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
# |   ... (parameters padded to 4 bytes; then Algorithm 2 ...)
# RFC 8489 §14.11.


def _encode_algorithm(name: str, algorithm: int, parameters: bytes) -> bytes:
    if not 0 <= algorithm <= 0xFFFF or len(parameters) > 0xFFFF:
        raise StunError(f"{name}: algorithm {algorithm} or its parameters out of range")
    size = len(parameters)
    return _ALGORITHM.pack(algorithm, size) + parameters + _PADDING[size & 3]


def _decode_algorithms(name: str, value: bytes) -> list[tuple[int, bytes]]:
    result: list[tuple[int, bytes]] = []
    pos = 0
    end = len(value)
    while pos < end:
        if pos + 4 > end:
            raise StunError(f"{name}: truncated algorithm entry at offset {pos}")
        algorithm, size = _ALGORITHM.unpack_from(value, pos)
        start = pos + 4
        pos = start + size + (-size & 3)
        if pos > end:
            raise StunError(f"{name}: parameters of algorithm {algorithm} overrun the attribute")
        result.append((algorithm, bytes(value[start : start + size])))
    return result


@dataclass(frozen=True, slots=True)
class PasswordAlgorithms(Attribute):
    """RFC 8489 §14.11: the algorithms a server offers, each ``(algorithm, parameters)``."""

    TYPE = AttributeType.PASSWORD_ALGORITHMS
    NAME = "PASSWORD-ALGORITHMS"
    algorithms: tuple[tuple[int, bytes], ...]

    def encode(self, transaction_id: bytes) -> bytes:
        return b"".join(_encode_algorithm(self.NAME, a, p) for a, p in self.algorithms)

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        return cls(tuple(_decode_algorithms(cls.NAME, value)))


@dataclass(frozen=True, slots=True)
class ChannelNumber(Attribute):
    """RFC 8656 §18.1: channel number then two RFFU bytes."""

    TYPE = AttributeType.CHANNEL_NUMBER
    NAME = "CHANNEL-NUMBER"
    number: int

    def encode(self, transaction_id: bytes) -> bytes:
        if not 0 <= self.number <= 0xFFFF:
            raise StunError(f"CHANNEL-NUMBER: {self.number} out of range")
        return _U16.pack(self.number) + b"\x00\x00"

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        _expect_length(cls.NAME, value, 4)
        return cls(_U16.unpack_from(value)[0])


@dataclass(frozen=True, slots=True)
class _FamilyAttribute(Attribute):
    """An address family byte then three RFFU bytes (RFC 8656 §18.6, §18.11)."""

    family: int

    def encode(self, transaction_id: bytes) -> bytes:
        if self.family not in (FAMILY_IPV4, FAMILY_IPV6):
            raise StunError(f"{self.NAME}: unknown family {self.family}")
        return _U8.pack(self.family) + b"\x00\x00\x00"

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        _expect_length(cls.NAME, value, 4)
        family = value[0]
        if family not in (FAMILY_IPV4, FAMILY_IPV6):
            raise StunError(f"{cls.NAME}: unknown family 0x{family:02x}")
        return cls(family)


class RequestedAddressFamily(_FamilyAttribute):
    TYPE = AttributeType.REQUESTED_ADDRESS_FAMILY
    NAME = "REQUESTED-ADDRESS-FAMILY"
    __slots__ = ()


class AdditionalAddressFamily(_FamilyAttribute):
    TYPE = AttributeType.ADDITIONAL_ADDRESS_FAMILY
    NAME = "ADDITIONAL-ADDRESS-FAMILY"
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class EvenPort(Attribute):
    """RFC 8656 §18.7: one byte, the R bit asks to reserve the next port too."""

    TYPE = AttributeType.EVEN_PORT
    NAME = "EVEN-PORT"
    reserve: bool = False

    def encode(self, transaction_id: bytes) -> bytes:
        return b"\x80" if self.reserve else b"\x00"

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        _expect_length(cls.NAME, value, 1)
        return cls(bool(value[0] & 0x80))


@dataclass(frozen=True, slots=True)
class RequestedTransport(Attribute):
    """RFC 8656 §18.10: IP protocol number (17 = UDP, 6 = TCP per RFC 6062)."""

    TYPE = AttributeType.REQUESTED_TRANSPORT
    NAME = "REQUESTED-TRANSPORT"
    protocol: int

    def encode(self, transaction_id: bytes) -> bytes:
        if not 0 <= self.protocol <= 0xFF:
            raise StunError(f"REQUESTED-TRANSPORT: protocol {self.protocol} out of range")
        return _U8.pack(self.protocol) + b"\x00\x00\x00"

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        _expect_length(cls.NAME, value, 4)
        return cls(value[0])


@dataclass(frozen=True, slots=True)
class Icmp(Attribute):
    """RFC 8656 §18.13: an ICMP error the server relays in a Data indication."""

    TYPE = AttributeType.ICMP
    NAME = "ICMP"
    icmp_type: int
    icmp_code: int
    error_data: bytes = b"\x00\x00\x00\x00"

    def encode(self, transaction_id: bytes) -> bytes:
        if len(self.error_data) != 4 or not (
            0 <= self.icmp_type <= 0xFF and 0 <= self.icmp_code <= 0xFF
        ):
            raise StunError("ICMP: type/code out of range or error data not 4 bytes")
        return _ICMP.pack(self.icmp_type, self.icmp_code, self.error_data)

    @classmethod
    def decode(cls, value: bytes, transaction_id: bytes) -> Self:
        _expect_length(cls.NAME, value, 8)
        icmp_type, icmp_code, error_data = _ICMP.unpack(value)
        return cls(icmp_type, icmp_code, error_data)


ATTRIBUTE_CLASSES: dict[int, type[Attribute]] = {
    cls.TYPE: cls
    for cls in (
        MappedAddress,
        XorMappedAddress,
        XorPeerAddress,
        XorRelayedAddress,
        AlternateServer,
        ResponseOrigin,
        OtherAddress,
        Username,
        Userhash,
        MessageIntegrity,
        MessageIntegritySha256,
        Fingerprint,
        ErrorCode,
        Realm,
        Nonce,
        PasswordAlgorithms,
        PasswordAlgorithm,
        UnknownAttributes,
        Software,
        AlternateDomain,
        Priority,
        UseCandidate,
        IceControlled,
        IceControlling,
        ChannelNumber,
        Lifetime,
        Data,
        RequestedAddressFamily,
        AdditionalAddressFamily,
        AddressErrorCode,
        EvenPort,
        RequestedTransport,
        DontFragment,
        ReservationToken,
        Icmp,
        ConnectionId,
    )
}
"""Type code -> value class for every attribute this layer interprets."""


def decode_attribute(attribute_type: int, value: bytes, transaction_id: bytes) -> Attribute:
    """Decode one attribute value; unknown types become :class:`UnknownAttribute`."""
    cls = ATTRIBUTE_CLASSES.get(attribute_type)
    if cls is None:
        return UnknownAttribute(attribute_type, bytes(value))
    return cls.decode(value, transaction_id)
