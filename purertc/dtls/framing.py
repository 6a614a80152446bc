"""DTLS record and handshake-fragment headers (RFC 6347 §4.1 and §4.2.2).

OpenSSL does the cryptography; this module only frames. The endpoint uses it to check that a
datagram is made of whole DTLS records before OpenSSL sees it (RFC 6347 §4.1.2.7: invalid
records are silently discarded), to notice a peer retransmitting its last flight, and to pack
OpenSSL's output records into datagrams that fit the MTU. Tests use it to read flights.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from purertc.dtls.errors import DtlsError

# RFC 6347 §4.1 / RFC 5246 §6.2.1 content types.
CHANGE_CIPHER_SPEC = 20
ALERT = 21
HANDSHAKE = 22
APPLICATION_DATA = 23
HEARTBEAT = 24  # RFC 6520
TLS12_CID = 25  # RFC 9146
CONTENT_TYPES = frozenset(
    {CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE, APPLICATION_DATA, HEARTBEAT, TLS12_CID}
)

# RFC 5246 §7.2 alert descriptions, for readable Failed reasons.
ALERT_NAMES: dict[int, str] = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    22: "record_overflow",
    40: "handshake_failure",
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    47: "illegal_parameter",
    48: "unknown_ca",
    49: "access_denied",
    50: "decode_error",
    51: "decrypt_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    100: "no_renegotiation",
    110: "unsupported_extension",
}

DTLS_1_0 = 0xFEFF
DTLS_1_2 = 0xFEFD

# RFC 6347 §4.1: application data per record is at most 2^14 bytes.
MAX_FRAGMENT_LENGTH = 2**14
# RFC 6347 §4.1: a record's length "MUST NOT exceed 2^14" plus expansion (2048 for ciphertext).
MAX_RECORD_LENGTH = 2**14 + 2048

#   struct {
#        ContentType type;                      1 byte
#        ProtocolVersion version;               2 bytes (0xfeff DTLS 1.0, 0xfefd DTLS 1.2)
#        uint16 epoch;                          2 bytes
#        uint48 sequence_number;                6 bytes
#        uint16 length;                         2 bytes
#        opaque fragment[DTLSPlaintext.length];
#      } DTLSPlaintext;
_RECORD_HEADER = struct.Struct("!BHHHIH")
RECORD_HEADER_LENGTH = _RECORD_HEADER.size  # 13
_RECORD_LENGTH = struct.Struct("!H")  # the length field alone, at offset 11


@dataclass(frozen=True, slots=True)
class Record:
    """One DTLS record: header fields and the (possibly encrypted) fragment."""

    content_type: int
    version: int
    epoch: int
    sequence_number: int
    fragment: bytes

    def serialize(self) -> bytes:
        return (
            _RECORD_HEADER.pack(
                self.content_type,
                self.version,
                self.epoch,
                self.sequence_number >> 32,
                self.sequence_number & 0xFFFFFFFF,
                len(self.fragment),
            )
            + self.fragment
        )


class RecordHeader(NamedTuple):
    """A record's header fields and where its fragment lies in the datagram."""

    content_type: int
    version: int
    epoch: int
    sequence_number: int
    start: int  # offset of the fragment
    end: int  # offset just past the record


def iter_record_headers(data: bytes | memoryview) -> Iterator[RecordHeader]:
    """Walk the records of a datagram without copying them.

    Raises :class:`DtlsError` at the first record that is not well formed (unknown content type,
    a version that is not DTLS, a length past the datagram); the records before it were valid.
    """
    total = len(data)
    offset = 0
    while offset < total:
        if total - offset < RECORD_HEADER_LENGTH:
            raise DtlsError(
                f"record header: {total - offset} bytes at offset {offset}, need "
                f"{RECORD_HEADER_LENGTH}"
            )
        content_type, version, epoch, seq_high, seq_low, length = _RECORD_HEADER.unpack_from(
            data, offset
        )
        if content_type not in CONTENT_TYPES:
            raise DtlsError(f"record content type: {content_type} at offset {offset} is unknown")
        if version >> 8 != 0xFE:
            raise DtlsError(f"record version: 0x{version:04x} at offset {offset} is not DTLS")
        if length > MAX_RECORD_LENGTH:
            raise DtlsError(f"record length: {length} exceeds {MAX_RECORD_LENGTH}")
        start = offset + RECORD_HEADER_LENGTH
        end = start + length
        if end > total:
            raise DtlsError(
                f"record length: {length} at offset {offset} runs past the datagram ({total} bytes)"
            )
        yield RecordHeader(content_type, version, epoch, seq_high << 32 | seq_low, start, end)
        offset = end


def parse_records(data: bytes | memoryview) -> list[Record]:
    """Every record of a datagram; :class:`DtlsError` if any part of it is malformed."""
    view = memoryview(data)
    return [
        Record(h.content_type, h.version, h.epoch, h.sequence_number, bytes(view[h.start : h.end]))
        for h in iter_record_headers(view)
    ]


def pack_records(data: bytes, mtu: int) -> list[bytes]:
    """Split a run of whole records (OpenSSL's output) into datagrams of at most ``mtu`` bytes.

    Records stay whole and in order (a DTLS record never spans datagrams, RFC 6347 §4.1.1); a
    single record larger than ``mtu`` goes alone in its datagram.
    """
    if len(data) <= mtu or (
        len(data) >= RECORD_HEADER_LENGTH
        and _RECORD_LENGTH.unpack_from(data, 11)[0] + RECORD_HEADER_LENGTH == len(data)
    ):
        return [data] if data else []  # the common cases: it all fits, or it is one record
    datagrams: list[bytes] = []
    view = memoryview(data)
    start = 0
    last_end = 0
    for header in iter_record_headers(view):
        end = header.end
        if end - start > mtu and last_end > start:
            datagrams.append(bytes(view[start:last_end]))
            start = last_end
        last_end = end
    if last_end > start:
        datagrams.append(bytes(view[start:last_end]))
    return datagrams


#   struct {
#     HandshakeType msg_type;     1 byte
#     uint24 length;              3 bytes
#     uint16 message_seq;         2 bytes
#     uint24 fragment_offset;     3 bytes
#     uint24 fragment_length;     3 bytes
#     ...
#   } Handshake;                  (RFC 6347 §4.2.2)
_HANDSHAKE_HEADER = struct.Struct("!BBHHBHBH")
HANDSHAKE_HEADER_LENGTH = 12

CLIENT_HELLO = 1
SERVER_HELLO = 2
HELLO_VERIFY_REQUEST = 3
CERTIFICATE = 11
FINISHED = 20


@dataclass(frozen=True, slots=True)
class HandshakeFragment:
    """The header of a plaintext handshake fragment (epoch 0 records)."""

    msg_type: int
    length: int
    message_seq: int
    fragment_offset: int
    fragment_length: int
    body: bytes

    def serialize(self) -> bytes:
        return (
            _HANDSHAKE_HEADER.pack(
                self.msg_type,
                self.length >> 16,
                self.length & 0xFFFF,
                self.message_seq,
                self.fragment_offset >> 16,
                self.fragment_offset & 0xFFFF,
                self.fragment_length >> 16,
                self.fragment_length & 0xFFFF,
            )
            + self.body
        )


def parse_handshake_fragments(fragment: bytes | memoryview) -> list[HandshakeFragment]:
    """The handshake fragments in one plaintext handshake record."""
    view = memoryview(fragment)
    result: list[HandshakeFragment] = []
    offset = 0
    while offset < len(view):
        if len(view) - offset < HANDSHAKE_HEADER_LENGTH:
            raise DtlsError(f"handshake header: {len(view) - offset} bytes, need 12")
        msg_type, len_hi, len_lo, seq, off_hi, off_lo, frag_hi, frag_lo = (
            _HANDSHAKE_HEADER.unpack_from(view, offset)
        )
        length = len_hi << 16 | len_lo
        fragment_offset = off_hi << 16 | off_lo
        fragment_length = frag_hi << 16 | frag_lo
        if fragment_offset + fragment_length > length:
            raise DtlsError(
                f"handshake fragment_offset+fragment_length: {fragment_offset}+{fragment_length} "
                f"exceeds length {length}"
            )
        start = offset + HANDSHAKE_HEADER_LENGTH
        end = start + fragment_length
        if end > len(view):
            raise DtlsError(f"handshake fragment_length: {fragment_length} runs past the record")
        result.append(
            HandshakeFragment(
                msg_type, length, seq, fragment_offset, fragment_length, bytes(view[start:end])
            )
        )
        offset = end
    return result
