"""SRTP protect / unprotect per packet (1200-byte payload), every profile.

Three implementations in one run: ``purertc`` is ``SrtpContext(backend="python")``,
``libsrtp-be`` is ``SrtpContext(backend="libsrtp")`` (the same interface over pylibsrtp), and
``aiortc`` is a raw ``pylibsrtp.Session`` configured the way aiortc's RTCDtlsTransport does it
(wildcard SSRC policy, allow_repeat_tx, 1024-packet window).

Every protect call gets the next sequence number and every unprotect call a distinct packet (a
repeat would be a replay), all built before timing and shared by the three columns, so
``number`` is fixed to keep the pre-built lists finite.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable, Iterator

import pylibsrtp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _harness import Case, parse_args, run  # noqa: E402

from purertc.srtp import PROFILES, SrtpContext  # noqa: E402
from purertc.srtp.libsrtp_backend import LIBSRTP_PROFILES  # noqa: E402

PAYLOAD = bytes(range(256)) * 4 + bytes(176)  # 1200 bytes
NUMBER = 2000
_HEADER = struct.Struct("!BBHII")
SSRC = 0x1234ABCD


def rtp(seq: int) -> bytes:
    return _HEADER.pack(0x80, 96, seq & 0xFFFF, seq * 960 & 0xFFFFFFFF, SSRC) + PAYLOAD


def aiortc_session(profile: str, key: bytes, *, inbound: bool) -> pylibsrtp.Session:
    """A pylibsrtp session set up as aiortc's RTCDtlsTransport._setup_srtp does."""
    policy = pylibsrtp.Policy(
        key=key,
        ssrc_type=(
            pylibsrtp.Policy.SSRC_ANY_INBOUND if inbound else pylibsrtp.Policy.SSRC_ANY_OUTBOUND
        ),
        srtp_profile=LIBSRTP_PROFILES[profile],
    )
    policy.allow_repeat_tx = True
    policy.window_size = 1024
    return pylibsrtp.Session(policy)


def feed(operation: Callable[[bytes], bytes], packets: list[bytes]) -> Callable[[], object]:
    """A callable that passes the next packet of ``packets`` to ``operation`` on each call."""
    packets_left: Iterator[bytes] = iter(packets)
    return lambda: operation(next(packets_left))


def cases() -> list[Case]:
    args = parse_args()
    calls = 3 + NUMBER * (3 if args.quick else args.repeats)  # warm-up + timed batches
    plain = [rtp(seq) for seq in range(1, calls + 1)]
    out = []
    for name, profile in PROFILES.items():
        key = bytes(range(1, profile.key_length + 1))
        salt = bytes(range(101, 101 + profile.salt_length))
        short = name.removeprefix("SRTP_")

        def context(backend: str) -> SrtpContext:
            return SrtpContext(name, key, salt, backend=backend)  # noqa: B023

        out.append(
            Case(
                f"protect {short}",
                purertc=feed(context("python").protect, plain),
                aiortc=feed(aiortc_session(name, key + salt, inbound=False).protect, plain),
                extra={"libsrtp-be": feed(context("libsrtp").protect, plain)},
                number=NUMBER,
            )
        )
        sender = context("python")
        packets = [sender.protect(packet) for packet in plain]
        out.append(
            Case(
                f"unprotect {short}",
                purertc=feed(context("python").unprotect, packets),
                aiortc=feed(aiortc_session(name, key + salt, inbound=True).unprotect, packets),
                extra={"libsrtp-be": feed(context("libsrtp").unprotect, packets)},
                number=NUMBER,
            )
        )
    return out


if __name__ == "__main__":
    run("srtp (1200-byte payload)", cases())
