"""The SCTP packet: common header, CRC32c, and the walk over its chunks (RFC 9260 §3.1).

::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |     Source Port Number        |     Destination Port Number   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                      Verification Tag                         |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                           Checksum                            |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

The checksum is CRC32c over the whole packet with the checksum field zeroed, stored in the
byte order the CRC produces it (RFC 9260 Appendix A): little-endian as an integer. It is
computed once per packet, incrementally over the header and the body, with no copy.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from crc32c import crc32c

from purertc.sctp.chunks import CHUNK_PARSERS, Chunk, UnknownChunk
from purertc.sctp.errors import SctpError
from purertc.sctp.implementation import COMPILED

_PORTS_TAG = struct.Struct("!HHI")
_CHECKSUM = struct.Struct("<I")
_CHUNK_HEADER = struct.Struct("!BBH")
_ZERO4 = b"\x00\x00\x00\x00"
COMMON_HEADER_SIZE = 12


def packet_checksum_ok(data: bytes) -> bool:
    """True when the CRC32c in ``data`` matches its content (``data`` is >= 12 bytes)."""
    expected = crc32c(data[12:], crc32c(_ZERO4, crc32c(data[:8])))
    return bool(_CHECKSUM.unpack_from(data, 8)[0] == expected)


def encode_packet(
    source_port: int, destination_port: int, verification_tag: int, chunks: Sequence[bytes]
) -> bytes:
    """A packet from already-serialized (padded) chunks."""
    head = _PORTS_TAG.pack(source_port, destination_port, verification_tag)
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return b"".join((head, _CHECKSUM.pack(crc32c(head + _ZERO4 + body)), body))


def pure_iter_chunks(data: bytes) -> list[Chunk]:
    """Parse the chunks after the common header; raise :class:`SctpError` on any bad length."""
    end = len(data)
    offset = COMMON_HEADER_SIZE
    chunks: list[Chunk] = []
    append = chunks.append
    unpack = _CHUNK_HEADER.unpack_from
    parsers = CHUNK_PARSERS
    while offset < end:
        if end - offset < 4:
            raise SctpError(f"chunk header: {end - offset} trailing bytes after the last chunk")
        kind, flags, length = unpack(data, offset)
        if length < 4 or offset + length > end:
            raise SctpError(f"chunk type {kind}: length {length} runs past the end of the packet")
        body = data[offset + 4 : offset + length]
        parser = parsers.get(kind)
        append(UnknownChunk(kind, flags, body) if parser is None else parser(flags, body))
        offset += (length + 3) & ~3
    return chunks


# The walk in use: the compiled twin's when it is built (see purertc.sctp.implementation).
iter_chunks: Callable[[bytes], list[Chunk]] = (
    pure_iter_chunks if COMPILED is None or COMPILED.iter_chunks is None else COMPILED.iter_chunks
)
_compiled_parse = None if COMPILED is None else COMPILED.parse_packet


@dataclass(slots=True)
class Packet:
    source_port: int
    destination_port: int
    verification_tag: int
    chunks: list[Chunk] = field(default_factory=list)

    @classmethod
    def parse(
        cls,
        data: bytes,
        *,
        verify_checksum: bool = True,
        walk: Callable[[bytes], list[Chunk]] | None = None,
    ) -> Packet:
        """Parse a packet; :class:`SctpError` on a bad checksum, length or chunk field.

        ``walk`` picks a chunk walk (tests run both codecs); by default the one in use, and the
        whole parse is the compiled twin's when it is built."""
        if walk is None and _compiled_parse is not None:
            packet: Packet = _compiled_parse(cls, data, verify_checksum)
            return packet
        if type(data) is not bytes:
            data = bytes(data)  # a memoryview or bytearray becomes bytes once
        if len(data) < 16:
            raise SctpError(f"packet length {len(data)} is below 16 (header + one chunk)")
        if verify_checksum and _CHECKSUM.unpack_from(data, 8)[0] != crc32c(
            data[:8] + _ZERO4 + data[12:]
        ):
            raise SctpError("checksum: CRC32c does not match")
        source, destination, tag = _PORTS_TAG.unpack_from(data)
        return cls(source, destination, tag, (walk or iter_chunks)(data))

    def serialize(self) -> bytes:
        chunks = self.chunks
        if len(chunks) == 1:
            body = chunks[0].serialize()
        else:
            body = b"".join([chunk.serialize() for chunk in chunks])
        return encode_packet(self.source_port, self.destination_port, self.verification_tag, [body])
