"""mDNS messages for resolving the ``<uuid>.local`` names of remote host candidates.

Browsers hide host addresses behind mDNS names (draft-ietf-mmusic-mdns-ice-candidates); to
reach them directly an agent asks the link with a one-shot mDNS query (RFC 6762 §5.1) for the
A and AAAA records. This module builds the query and reads answers (RFC 1035 §4 message
format, with name compression); the asyncio resolver in :mod:`purertc.aio.resolver` sends it.

::

    Header:   ID(16) | QR OPCODE AA TC RD RA Z RCODE (16) | QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT
    Question: QNAME (labels) | QTYPE(16) | QCLASS(16; top bit = unicast response wanted)
    Record:   NAME | TYPE(16) | CLASS(16; top bit = cache flush) | TTL(32) | RDLENGTH(16) | RDATA
"""

from __future__ import annotations

import ipaddress
import struct

from .errors import IceError

TYPE_A = 1
TYPE_AAAA = 28
CLASS_IN = 1
_UNICAST_RESPONSE = 0x8000
_CACHE_FLUSH = 0x8000
_HEADER = struct.Struct("!HHHHHH")
_QUESTION = struct.Struct("!HH")
_RECORD = struct.Struct("!HHIH")
_RESPONSE_FLAGS = 0x8400  # QR + AA
_MAX_JUMPS = 16


def _encode_name(name: str) -> bytes:
    out = bytearray()
    for label in name.rstrip(".").split("."):
        raw = label.encode()
        if not 0 < len(raw) < 64:
            raise IceError(f"mDNS name: label {label!r} must be 1-63 bytes")
        out.append(len(raw))
        out += raw
    out.append(0)
    if len(out) > 255:
        raise IceError(f"mDNS name: {name!r} is longer than 255 bytes")
    return bytes(out)


def build_query(name: str, query_id: int = 0) -> bytes:
    """A one-shot query for the A and AAAA records of ``name``, asking for a unicast reply."""
    encoded = _encode_name(name)
    klass = CLASS_IN | _UNICAST_RESPONSE
    return (
        _HEADER.pack(query_id, 0, 2, 0, 0, 0)
        + encoded
        + _QUESTION.pack(TYPE_A, klass)
        + encoded
        + _QUESTION.pack(TYPE_AAAA, klass)
    )


def build_response(answers: list[tuple[str, str, int]], query_id: int = 0) -> bytes:
    """An authoritative answer carrying ``(name, address, ttl)`` A/AAAA records."""
    body = bytearray()
    for name, address, ttl in answers:
        packed = ipaddress.ip_address(address).packed
        rtype = TYPE_A if len(packed) == 4 else TYPE_AAAA
        body += _encode_name(name) + _RECORD.pack(rtype, CLASS_IN | _CACHE_FLUSH, ttl, len(packed))
        body += packed
    return _HEADER.pack(query_id, _RESPONSE_FLAGS, 0, len(answers), 0, 0) + bytes(body)


def _read_name(data: bytes, pos: int) -> tuple[str, int]:
    """The name at ``pos`` (following compression pointers) and the offset after it."""
    labels: list[str] = []
    end = -1
    jumps = 0
    total = 0
    while True:
        if pos >= len(data):
            raise IceError("mDNS name: runs past the end of the message")
        length = data[pos]
        if length & 0xC0 == 0xC0:
            if pos + 1 >= len(data):
                raise IceError("mDNS name: truncated compression pointer")
            jumps += 1
            if jumps > _MAX_JUMPS:
                raise IceError("mDNS name: compression pointer loop")
            if end < 0:
                end = pos + 2
            pos = ((length & 0x3F) << 8) | data[pos + 1]
            continue
        if length & 0xC0:
            raise IceError(f"mDNS name: label type 0x{length & 0xC0:02x} is not supported")
        pos += 1
        if length == 0:
            break
        if pos + length > len(data):
            raise IceError("mDNS name: label runs past the end of the message")
        total += length + 1
        if total > 255:
            raise IceError("mDNS name: longer than 255 bytes")
        labels.append(data[pos : pos + length].decode("utf-8", "replace"))
        pos += length
    return ".".join(labels), (end if end >= 0 else pos)


def parse_answers(data: bytes) -> list[tuple[str, str, int]]:
    """``(name, address, ttl)`` of every A/AAAA record in a response (answer and additional
    sections); other records are skipped. Queries give an empty list."""
    if len(data) < _HEADER.size:
        raise IceError(f"mDNS header: {len(data)} bytes, needs 12")
    _id, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(data)
    if not flags & 0x8000:
        return []
    pos = _HEADER.size
    for _ in range(qdcount):
        _name, pos = _read_name(data, pos)
        pos += _QUESTION.size
    if pos > len(data):
        raise IceError("mDNS question: runs past the end of the message")
    found: list[tuple[str, str, int]] = []
    for _ in range(ancount + nscount + arcount):
        name, pos = _read_name(data, pos)
        if pos + _RECORD.size > len(data):
            raise IceError("mDNS record: header runs past the end of the message")
        rtype, klass, ttl, rdlength = _RECORD.unpack_from(data, pos)
        pos += _RECORD.size
        if pos + rdlength > len(data):
            raise IceError(f"mDNS record: RDLENGTH {rdlength} runs past the end of the message")
        rdata = data[pos : pos + rdlength]
        pos += rdlength
        if klass & 0x7FFF != CLASS_IN:
            continue
        if (rtype, rdlength) in ((TYPE_A, 4), (TYPE_AAAA, 16)):
            found.append((name, str(ipaddress.ip_address(rdata)), ttl))
    return found
