"""The SCTP chunk codecs every codec test runs against (pure always, compiled if built).

Under ``PURERTC_REQUIRE_SPEEDUPS=1`` (CI, after building the twin) a missing compiled twin is a
failure, so a silently skipped half of the suite never counts as a pass.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from purertc.sctp.implementation import COMPILED, PURE, ChunkCodec
from purertc.sctp.packet import Packet, pure_iter_chunks

IMPLEMENTATIONS: list[Any] = [pytest.param(PURE, id="pure")]
if COMPILED is not None:
    IMPLEMENTATIONS.append(pytest.param(COMPILED, id="compiled"))


def walk_of(codec: ChunkCodec) -> Any:
    return codec.iter_chunks or pure_iter_chunks


def parse_with(codec: ChunkCodec, data: bytes, *, verify_checksum: bool = True) -> Packet:
    """Packet.parse as ``codec`` does it (the compiled twin parses the whole packet)."""
    if codec.parse_packet is not None:
        packet: Packet = codec.parse_packet(Packet, data, verify_checksum)
        return packet
    return Packet.parse(data, verify_checksum=verify_checksum, walk=walk_of(codec))


def speedups_required() -> bool:
    return os.environ.get("PURERTC_REQUIRE_SPEEDUPS") == "1"
