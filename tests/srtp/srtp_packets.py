"""Packet builders and context helpers the SRTP tests share (SRTP cannot import purertc.rtp)."""

from __future__ import annotations

import struct

from purertc.srtp import PROFILES, SrtpContext
from purertc.srtp.python_backend import PythonBackend, StreamSnapshot

BACKEND_NAMES = ["python", "libsrtp"]
PROFILE_NAMES = list(PROFILES)


def rtp_packet(
    seq: int,
    *,
    ssrc: int = 0x11223344,
    payload: bytes = b"\xab" * 20,
    csrcs: tuple[int, ...] = (),
    extension: bytes | None = None,
    payload_type: int = 96,
    timestamp: int = 0x01020304,
) -> bytes:
    """An RTP packet (RFC 3550 §5.1) with optional CSRCs and a 0xBEDE extension block."""
    first = 0x80 | len(csrcs) | (0x10 if extension is not None else 0)
    header = struct.pack("!BBHII", first, payload_type, seq, timestamp, ssrc)
    header += b"".join(struct.pack("!I", csrc) for csrc in csrcs)
    if extension is not None:
        assert len(extension) % 4 == 0
        header += struct.pack("!HH", 0xBEDE, len(extension) // 4) + extension
    return header + payload


def rtcp_packet(*, ssrc: int = 0x11223344, body: bytes = b"\xcd" * 20) -> bytes:
    """A sender-report-shaped RTCP packet: the 8-byte header and sender SSRC, then ``body``."""
    return struct.pack("!BBHI", 0x80, 200, (8 + len(body)) // 4 - 1, ssrc) + body


def master_for(profile: str, seed: int = 1) -> tuple[bytes, bytes]:
    p = PROFILES[profile]
    key = bytes((seed + i) % 256 for i in range(p.key_length))
    salt = bytes((seed * 7 + i) % 256 for i in range(p.salt_length))
    return key, salt


def make_pair(profile: str, backend: str, **kwargs: int) -> tuple[SrtpContext, SrtpContext]:
    """A sender context and a receiver context sharing one master key."""
    key, salt = master_for(profile)
    return (
        SrtpContext(profile, key, salt, backend=backend, **kwargs),
        SrtpContext(profile, key, salt, backend=backend, **kwargs),
    )


def python_state(context: SrtpContext) -> dict[str, dict[int, StreamSnapshot]]:
    backend = context._backend
    assert isinstance(backend, PythonBackend)
    return backend.state()
