"""STUN messages: header, attribute walk, integrity and fingerprint (RFC 8489 §5, §14).

```
 0                   1                   2                   3
 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
|0 0|     STUN Message Type     |         Message Length        |
+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
|                         Magic Cookie                          |
+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
|                                                               |
|                     Transaction ID (96 bits)                  |
|                                                               |
+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
```

Parsing is lazy: :meth:`Message.parse` checks the header and the attribute framing (every
length, the padding fits, a trailing FINGERPRINT is right) and records where each attribute is,
in a layout shared by every message of the same shape; attribute *values* are decoded when asked
for (``attributes``, ``get`` or a value getter), and a malformed value raises
:class:`StunError` then. A parsed message keeps its bytes, so integrity is
checked over the bytes received and re-serialising reproduces them exactly (padding included).
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import Iterable
from hmac import compare_digest
from typing import NamedTuple, TypeVar
from zlib import crc32

from .attributes import (
    ATTRIBUTE_CLASSES,
    Attribute,
    ErrorCode,
    Fingerprint,
    IceControlled,
    IceControlling,
    MessageIntegrity,
    MessageIntegritySha256,
    Nonce,
    Priority,
    Realm,
    Software,
    UseCandidate,
    Username,
    XorMappedAddress,
    _TextAttribute,
    _UIntAttribute,
    decode_attribute,
)
from .constants import (
    FINGERPRINT_XOR,
    HEADER_LENGTH,
    MAGIC_COOKIE,
    AttributeType,
    MessageClass,
    Method,
    message_type,
    split_message_type,
)
from .errors import StunError
from .integrity import hmac_sha1, hmac_sha256

A = TypeVar("A", bound=Attribute)

_HEADER = struct.Struct("!HHI")
_TLV = struct.Struct("!HH")
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_PREFIX = struct.Struct("!HHI12s")  # type, length, cookie, transaction id
_MAX_BODY = 0xFFFF - 44  # beyond this, the seals to add might not fit the length field
_MI = AttributeType.MESSAGE_INTEGRITY.value
_MI256 = AttributeType.MESSAGE_INTEGRITY_SHA256.value
_FP = AttributeType.FINGERPRINT.value
_USE_CANDIDATE = AttributeType.USE_CANDIDATE.value
_MI_HEADER = b"\x00\x08\x00\x14"
_MI_LENGTH = _MI_HEADER[2:]
_FP_TLV = struct.Struct("!HHI")
_SEALS = (_MI, _MI256, _FP)
_SEAL_CLASSES = frozenset((MessageIntegrity, MessageIntegritySha256, Fingerprint))

# (method, class) for every message type of a known method: parse needs no arithmetic for them.
_TYPES: dict[int, tuple[int, MessageClass]] = {
    message_type(m, c): (m, c) for m in Method for c in MessageClass
}


_CLASSES = {int(c): c for c in MessageClass}
# (method, class) -> (wire type, class) for known methods: the constructor's fast path.
_WIRE_TYPES: dict[tuple[int, int], int] = {
    (m, c): message_type(m, c) for m in Method for c in MessageClass
}


def _check_type(method: int, message_class: int) -> int:
    if not 0 <= method <= 0xFFF:
        raise StunError(f"method: {method} does not fit 12 bits")
    klass = _CLASSES.get(message_class)
    if klass is None:
        raise StunError(f"message class: {message_class} is not one of 0..3")
    return message_type(method, klass)


class _Layout(NamedTuple):
    """Where the attributes of one message shape are: what the attribute walk finds."""

    headers: tuple[int, ...]  # type, length, type, length, ... as on the wire
    reader: struct.Struct  # unpacks exactly those header fields, at their offsets
    offsets: tuple[int, ...]
    types: tuple[int, ...]
    fingerprint: int  # offset of the trailing FINGERPRINT, or -1
    spans: dict[int, tuple[int, int]]  # type -> value slice of the attribute that counts
    integrity: int  # offset of the first MESSAGE-INTEGRITY, or -1
    integrity_sha256: int  # offset of the first MESSAGE-INTEGRITY-SHA256, or -1


_LAYOUT_CACHE_LIMIT = 512
_layouts: dict[int, _Layout] = {}
"""Last layout seen per message size. ICE checks and keepalives from one peer repeat the same
attribute shape, so parse confirms a remembered layout with one ``unpack_from`` and one tuple
comparison instead of walking attribute by attribute. A confirmed layout is exactly what the
walk would find: every header at every offset matches, and the lengths chain to the end."""


def _seal_cut(types: tuple[int, ...]) -> int:
    """Index of the first integrity/fingerprint attribute: later ones do not count (§14.5)."""
    cut = len(types)
    for seal in _SEALS:
        if seal in types:
            cut = min(cut, types.index(seal))
    return cut


def _counting_spans(
    types: tuple[int, ...], offsets: list[int], lengths: list[int]
) -> dict[int, tuple[int, int]]:
    """Type -> value slice of the attribute that counts: the first of its type, and after the
    seal cut only the seals themselves (RFC 8489 §14.5-14.7)."""
    cut = _seal_cut(types)
    spans: dict[int, tuple[int, int]] = {}
    for i, (kind, offset, length) in enumerate(zip(types, offsets, lengths, strict=True)):
        if kind not in spans and (i < cut or kind in _SEALS):
            spans[kind] = (offset + 4, offset + 4 + length)
    return spans


def _walk(data: bytes, size: int) -> _Layout:
    """Walk the attribute headers (RFC 8489 §14), check the framing, remember the layout."""
    headers: list[int] = []
    offsets: list[int] = []
    unpack = _TLV.unpack_from
    pos = HEADER_LENGTH
    # pos and size are multiples of 4, so a header always fits while pos < size.
    while pos < size:
        atype, alen = unpack(data, pos)
        offsets.append(pos)
        headers += (atype, alen)
        pos += (alen + 7) & -4  # header, value and padding
    if pos != size:
        atype, alen = headers[-2:]
        raise StunError(f"attribute 0x{atype:04x}: length {alen} overruns the message")
    types = tuple(headers[::2])
    fingerprint = -1
    if _FP in types:
        if types.index(_FP) != len(types) - 1:
            raise StunError("FINGERPRINT: not the last attribute")
        if headers[-1] != 4:
            raise StunError("FINGERPRINT: length is not 4")
        fingerprint = offsets[-1]
    fmt = ["!"]
    end = 0
    for offset in offsets:
        fmt.append(f"{offset - end}xHH")
        end = offset + 4
    layout = _Layout(
        tuple(headers),
        struct.Struct("".join(fmt)),
        tuple(offsets),
        types,
        fingerprint,
        _counting_spans(types, offsets, headers[1::2]),
        offsets[types.index(_MI)] if _MI in types else -1,
        offsets[types.index(_MI256)] if _MI256 in types else -1,
    )
    if len(_layouts) >= _LAYOUT_CACHE_LIMIT:
        _layouts.clear()
    _layouts[size] = layout
    return layout


class Message:
    """One STUN message. Immutable: build a new one to change it.

    ``attributes`` is in wire order and includes MESSAGE-INTEGRITY / FINGERPRINT when present.
    When serialising, such attributes in the list mark where the seal goes: with a key they are
    recomputed in place, without one MESSAGE-INTEGRITY(-SHA256) is copied as it is; FINGERPRINT
    is always recomputed.
    """

    __slots__ = (
        "_tid",
        "_attributes",
        "_raw",
        "_layout",
        "_types",
        "_cut",
        "_mtype",
    )
    _layout: _Layout  # where the attributes are; set by parse only

    def __init__(
        self,
        method: int,
        message_class: int,
        transaction_id: bytes,
        attributes: Iterable[Attribute] = (),
    ) -> None:
        mtype = _WIRE_TYPES.get((method, message_class))
        if mtype is None:
            mtype = _check_type(method, message_class)
        if len(transaction_id) != 12:
            raise StunError(f"transaction id: {len(transaction_id)} bytes, expected 12")
        self._mtype = mtype
        self._tid = transaction_id if type(transaction_id) is bytes else bytes(transaction_id)
        self._attributes: tuple[Attribute, ...] | None = tuple(attributes)
        self._raw: bytes | None = None
        self._types: tuple[int, ...] | None = None  # built lazily from the attributes
        self._cut = -1  # index of the first seal, found lazily (built messages only)

    # --- parsing --------------------------------------------------------------------------

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> Message:
        """Parse one whole STUN message (a datagram, or a frame from the stream framer)."""
        if type(data) is not bytes:
            data = bytes(data)
        size = len(data)
        if size < HEADER_LENGTH:
            raise StunError(f"header: {size} bytes, a STUN header needs 20")
        mtype, length, cookie = _HEADER.unpack_from(data)
        if mtype & 0xC000:
            raise StunError("message type: the two leading bits are not zero")
        if cookie != MAGIC_COOKIE:
            raise StunError(f"magic cookie: 0x{cookie:08x}, expected 0x2112a442")
        if length + HEADER_LENGTH != size:
            raise StunError(f"message length: header says {length}, body has {size - 20}")
        if length & 3:
            raise StunError(f"message length: {length} is not a multiple of 4")
        layout = _layouts.get(size)
        if layout is None or layout.reader.unpack_from(data) != layout.headers:
            layout = _walk(data, size)
        last = layout.fingerprint
        # FINGERPRINT is last, so the header's length already ends after it.
        if (
            last >= 0
            and _U32.unpack_from(data, last + 4)[0] != crc32(data[:last]) ^ FINGERPRINT_XOR
        ):
            raise StunError("FINGERPRINT: CRC mismatch, the datagram is not STUN")
        message = cls.__new__(cls)
        message._tid = data[8:20]
        message._attributes = None
        message._raw = data
        message._layout = layout
        message._types = layout.types
        message._mtype = mtype
        return message

    # --- header fields --------------------------------------------------------------------

    @property
    def method(self) -> int:
        """A :class:`Method` member, or a plain int for a method this layer does not know."""
        return self._split()[0]

    @property
    def message_class(self) -> MessageClass:
        return self._split()[1]

    def _split(self) -> tuple[int, MessageClass]:
        known = _TYPES.get(self._mtype)
        return known if known is not None else split_message_type(self._mtype)

    @property
    def transaction_id(self) -> bytes:
        return self._tid

    @property
    def raw(self) -> bytes | None:
        """The bytes this message was parsed from (``None`` for a built message)."""
        return self._raw

    # --- attributes -----------------------------------------------------------------------

    def _decode(self, index: int) -> Attribute:
        raw = self._raw
        assert raw is not None
        pos = self._layout.offsets[index]
        atype, alen = _TLV.unpack_from(raw, pos)
        return decode_attribute(atype, raw[pos + 4 : pos + 4 + alen], self._tid)

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        """Every attribute in wire order (decoded on first access for a parsed message)."""
        attrs = self._attributes
        if attrs is None:
            attrs = self._attributes = tuple(map(self._decode, range(len(self._layout.offsets))))
        return attrs

    def _type_list(self) -> tuple[int, ...]:
        types = self._types
        if types is None:
            assert self._attributes is not None
            types = self._types = tuple(a.attribute_type for a in self._attributes)
        return types

    def _position(self, attribute_type: int) -> int:
        """Index of the attribute of this type that counts, or -1 (RFC 8489 §14.5-14.7).

        The first occurrence counts; after MESSAGE-INTEGRITY(-SHA256) or FINGERPRINT only those
        seal attributes count, everything else is ignored as unauthenticated.
        """
        types = self._type_list()
        if attribute_type not in types:
            return -1
        index = types.index(attribute_type)
        if attribute_type in _SEALS:
            return index
        cut = self._cut
        if cut < 0:
            cut = self._cut = _seal_cut(types)
        return index if index < cut else -1

    def _value(self, attribute_type: int) -> bytes | None:
        """The wire value of the attribute that counts, for a parsed message."""
        assert self._raw is not None
        span = self._layout.spans.get(attribute_type)
        return None if span is None else self._raw[span[0] : span[1]]

    def get(self, cls: type[A]) -> A | None:
        """The attribute of class ``cls`` that counts, or ``None`` when absent."""
        if self._raw is not None:
            value = self._value(cls.TYPE)
            return None if value is None else cls.decode(value, self._tid)
        index = self._position(cls.TYPE)
        if index < 0:
            return None
        attrs = self._attributes
        assert attrs is not None
        found = attrs[index]
        if not isinstance(found, cls):
            # An UnknownAttribute built by hand with a known type code.
            found = cls.decode(found.encode(self._tid), self._tid)
        return found

    def has(self, attribute_type: int) -> bool:
        if self._raw is not None:
            return attribute_type in self._layout.spans
        return self._position(attribute_type) >= 0

    def unknown_comprehension_required(self) -> list[int]:
        """Comprehension-required types (< 0x8000) this layer does not know: for a 420 reply."""
        types = dict.fromkeys(self._type_list())
        return [t for t in types if t < 0x8000 and t not in ATTRIBUTE_CLASSES]

    # Value getters skip building the attribute object for a parsed message: the ICE agent
    # reads these four or five per incoming check.

    def _text(self, cls: type[_TextAttribute]) -> str | None:
        raw = self._raw
        if raw is not None:
            span = self._layout.spans.get(cls.TYPE)
            return None if span is None else cls.value_of(raw[span[0] : span[1]])
        found = self.get(cls)
        return None if found is None else found.value

    def _uint(self, cls: type[_UIntAttribute]) -> int | None:
        raw = self._raw
        if raw is not None:
            span = self._layout.spans.get(cls.TYPE)
            return None if span is None else cls.value_of(raw[span[0] : span[1]])
        found = self.get(cls)
        return None if found is None else found.value

    @property
    def username(self) -> str | None:
        return self._text(Username)

    @property
    def realm(self) -> str | None:
        return self._text(Realm)

    @property
    def nonce(self) -> str | None:
        return self._text(Nonce)

    @property
    def software(self) -> str | None:
        return self._text(Software)

    @property
    def priority(self) -> int | None:
        return self._uint(Priority)

    @property
    def ice_controlling(self) -> int | None:
        return self._uint(IceControlling)

    @property
    def ice_controlled(self) -> int | None:
        return self._uint(IceControlled)

    @property
    def use_candidate(self) -> bool:
        if self._raw is not None:
            span = self._layout.spans.get(_USE_CANDIDATE)
            if span is None:
                return False
            if span[0] != span[1]:
                UseCandidate.decode(self._raw[span[0] : span[1]], self._tid)  # raises, names it
            return True
        return self.get(UseCandidate) is not None

    @property
    def error_code(self) -> ErrorCode | None:
        return self.get(ErrorCode)

    @property
    def xor_mapped_address(self) -> tuple[str, int] | None:
        found = self.get(XorMappedAddress)
        return None if found is None else (found.address, found.port)

    # --- integrity ------------------------------------------------------------------------

    def verify_integrity(self, key: bytes) -> bool:
        """Check MESSAGE-INTEGRITY-SHA256 if present, else MESSAGE-INTEGRITY (RFC 8489 §9.1.3).

        ``False`` when the message carries neither or the HMAC differs; never raises for a
        mismatch. Computed over the received bytes with the length field adjusted to end at
        the integrity attribute, so a FINGERPRINT after it does not matter.
        """
        raw = self._raw
        if raw is None:
            return Message.parse(self.serialize()).verify_integrity(key)
        layout = self._layout
        if layout.integrity_sha256 >= 0:
            return self._verify_sha256(key, raw, layout.integrity_sha256)
        pos = layout.integrity
        if pos < 0:
            return False
        # The header with the length ending after MESSAGE-INTEGRITY, then what precedes it.
        mac = hmac_sha1(key, _TLV.pack(self._mtype, pos + 4) + raw[4:pos])
        return compare_digest(_MI_LENGTH + mac, raw[pos + 2 : pos + 24])

    def _verify_sha256(self, key: bytes, raw: bytes, pos: int) -> bool:
        alen = _U16.unpack_from(raw, pos + 2)[0]
        if alen not in MessageIntegritySha256.SIZES:
            return False
        covered = _TLV.pack(self._mtype, pos + alen - 16) + raw[4:pos]
        return compare_digest(hmac_sha256(key, covered)[:alen], raw[pos + 4 : pos + 4 + alen])

    # --- serialising ----------------------------------------------------------------------

    def serialize(
        self,
        integrity_key: bytes | None = None,
        *,
        fingerprint: bool = False,
        integrity_sha256: bool = False,
    ) -> bytes:
        """The wire bytes.

        With ``integrity_key``, integrity attributes already in the list are recomputed where
        they stand; if the list has none, MESSAGE-INTEGRITY (MESSAGE-INTEGRITY-SHA256 with
        ``integrity_sha256``) is added after the other attributes. Without a key they are copied
        as they are. ``fingerprint`` adds FINGERPRINT last (a FINGERPRINT in the list does the
        same; attributes listed after it are dropped).
        """
        tid = self._tid
        tlvs: list[bytes] | None = None
        if self._raw is None and self._attributes is not None:
            tlvs = []  # the common case, a built message without seals in its list
            for attribute in self._attributes:
                if type(attribute) in _SEAL_CLASSES:
                    tlvs = None
                    break
                tlvs.append(attribute.to_bytes(tid))
        if tlvs is not None:
            body = b"".join(tlvs)
        else:
            body, sealed, in_list = self._body_with_placed_seals(integrity_key)
            fingerprint = fingerprint or in_list
            if sealed:
                integrity_key = None
        if len(body) > _MAX_BODY:
            extra = (36 if integrity_key is not None else 0) + (8 if fingerprint else 0)
            if len(body) + extra > 0xFFFF:
                raise StunError(f"message length: {len(body) + extra} bytes exceed 65535")
        if integrity_key is not None:
            if integrity_sha256:
                body += self._seal(_MI256, 32, integrity_key, body)
            else:  # _seal(_MI, ...) inlined: this is every ICE check's path
                covered = _PREFIX.pack(self._mtype, len(body) + 24, MAGIC_COOKIE, tid) + body
                body += _MI_HEADER + hmac_sha1(integrity_key, covered)
        if fingerprint:
            prefix = _PREFIX.pack(self._mtype, len(body) + 8, MAGIC_COOKIE, tid)
            crc = crc32(body, crc32(prefix)) ^ FINGERPRINT_XOR
            return prefix + body + _FP_TLV.pack(_FP, 4, crc)
        return _PREFIX.pack(self._mtype, len(body), MAGIC_COOKIE, tid) + body

    def _body_with_placed_seals(self, key: bytes | None) -> tuple[bytes, bool, bool]:
        """Attributes up to a FINGERPRINT, integrity ones recomputed in place with ``key``.

        Returns ``(body, any integrity attribute sealed, a FINGERPRINT was listed)``; a parsed
        message contributes its received bytes (padding included).
        """
        raw = self._raw
        if raw is not None:
            bounds = [*self._layout.offsets, len(raw)]
            tlvs = [raw[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]
        else:
            assert self._attributes is not None
            tlvs = [a.to_bytes(self._tid) for a in self._attributes]
        body = b""
        sealed = False
        for kind, tlv in zip(self._type_list(), tlvs, strict=True):
            if kind == _FP:
                return body, sealed, True
            if key is not None and kind in (_MI, _MI256):
                body += self._seal(kind, len(tlv) - 4, key, body)
                sealed = True
            else:
                body += tlv
        return body, sealed, False

    def _seal(self, kind: int, alen: int, key: bytes, body: bytes) -> bytes:
        """An integrity TLV over the header (its length ending after the TLV) and ``body``."""
        if kind == _MI:
            alen = 20  # a received placeholder of another size is replaced by a proper one
        covered = _PREFIX.pack(self._mtype, len(body) + 4 + alen, MAGIC_COOKIE, self._tid) + body
        if kind == _MI:
            return _MI_HEADER + hmac_sha1(key, covered)
        if alen not in MessageIntegritySha256.SIZES:
            raise StunError(f"MESSAGE-INTEGRITY-SHA256: length {alen} not allowed")
        return _TLV.pack(_MI256, alen) + hmac_sha256(key, covered)[:alen]

    # --- value semantics ------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (
            self._mtype == other._mtype
            and self._tid == other._tid
            and self.attributes == other.attributes
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        method, klass = self._split()
        name = method.name if isinstance(method, Method) else hex(method)
        return f"Message({name}, {klass.name}, {self._tid.hex()}, {list(self.attributes)})"


def new_transaction_id() -> bytes:
    """96 random bits from :mod:`secrets` (RFC 8489 §5 wants them cryptographically random)."""
    return secrets.token_bytes(12)
