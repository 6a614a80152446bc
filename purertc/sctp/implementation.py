"""Which SCTP chunk codec is in use: the compiled twin when it imports, else the pure one.

The twin (``purertc._speedups._sctp``) covers the hot framing only: DATA and SACK chunks and the
packet's chunk walk; it builds the pure chunk classes, so both codecs return equal objects.
``PURERTC_PURE=1`` forces the pure-Python reference; the same tests run against each codec.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crc32c import crc32c

from purertc.sctp import chunks as pure
from purertc.sctp.chunks import Chunk, DataChunk
from purertc.sctp.errors import SctpError


@dataclass(frozen=True, slots=True)
class ChunkCodec:
    """The hot chunk functions of one implementation (signatures as in the pure modules)."""

    name: str
    parse_chunk: Callable[[int, int, bytes], Chunk]
    iter_chunks: Callable[[bytes], list[Chunk]] | None  # None: the pure walk in packet.py
    encode_data: Callable[[int, int, int, int, int, bytes | memoryview], bytes]
    serialize_data: Callable[[DataChunk], bytes]
    # (Packet class, data, verify_checksum) -> Packet; None: Packet.parse's own pure body
    parse_packet: Callable[[type[Any], bytes, bool], Any] | None


PURE = ChunkCodec("pure", pure.parse_chunk, None, pure.encode_data, DataChunk.serialize, None)


def _load_compiled() -> ChunkCodec | None:
    if os.environ.get("PURERTC_PURE") == "1":
        return None
    try:
        module = importlib.import_module("purertc._speedups._sctp")
    except ImportError:
        return None
    # The twin raises our error, builds our chunk classes and defers cold types to our parsers.
    module.bind(SctpError, DataChunk, pure.SackChunk, pure.UnknownChunk, pure.CHUNK_PARSERS, crc32c)
    return ChunkCodec(
        "compiled",
        module.parse_chunk,
        module.iter_chunks,
        module.encode_data,
        module.serialize_data,
        module.parse_packet,
    )


COMPILED = _load_compiled()
CODEC = COMPILED or PURE
IMPLEMENTATION = CODEC.name
encode_data = CODEC.encode_data

__all__ = ["CODEC", "COMPILED", "IMPLEMENTATION", "PURE", "ChunkCodec", "encode_data"]
