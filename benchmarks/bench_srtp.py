"""SRTP protect / unprotect per packet (1200-byte payload), every profile.

Three implementations in one run: ``purertc`` is ``SrtpContext(backend="python")``,
``libsrtp-be`` is ``SrtpContext(backend="libsrtp")`` (the same interface over pylibsrtp), and
``aiortc`` is a raw ``pylibsrtp.Session`` configured the way aiortc's RTCDtlsTransport does it
(wildcard SSRC policy, allow_repeat_tx, 1024-packet window).

Every call protects a new sequence number (the header is packed per call, in all three columns
alike) and every unprotect gets a distinct packet (pre-protected: a repeat would be a replay),
so ``number`` is fixed to keep the pre-built list finite.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable, Iterator
from itertools import count

import pylibsrtp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _harness import Case, run  # noqa: E402

from purertc.srtp import PROFILES, SrtpContext  # noqa: E402
from purertc.srtp.libsrtp_backend import LIBSRTP_PROFILES  # noqa: E402

PAYLOAD = bytes(range(256)) * 4 + bytes(176)  # 1200 bytes
NUMBER = 2000
CALLS = 3 + NUMBER * 8  # warm-up plus at most 7 repeats, with margin
_HEADER = struct.Struct("!BBHII")
SSRC = 0x1234ABCD


def rtp(seq: int) -> bytes:
    return _HEADER.pack(0x80, 96, seq & 0xFFFF, seq * 960 & 0xFFFFFFFF, SSRC) + PAYLOAD


def aiortc_session(profile: str, key: bytes, *, inbound: bool) -> pylibsrtp.Session:
    policy = pylibsrtp.Policy(
        key=key,
        ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND
        if inbound
        else pylibsrtp.Policy.SSRC_ANY_OUTBOUND,
        srtp_profile=LIBSRTP_PROFILES[profile],
    )
    policy.allow_repeat_tx = True
    policy.window_size = 1024
    return pylibsrtp.Session(policy)


def protect_case(protect: Callable[[bytes], bytes]) -> Callable[[], object]:
    seqs = count(1)
    return lambda: protect(rtp(next(seqs)))


def unprotect_case(
    unprotect: Callable[[bytes], bytes], packets: list[bytes]
) -> Callable[[], object]:
    feed: Iterator[bytes] = iter(packets)
    return lambda: unprotect(next(feed))


def cases() -> list[Case]:
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
                purertc=protect_case(context("python").protect),
                aiortc=protect_case(aiortc_session(name, key + salt, inbound=False).protect),
                extra={"libsrtp-be": protect_case(context("libsrtp").protect)},
                number=NUMBER,
            )
        )
        sender = context("python")
        packets = [sender.protect(rtp(seq)) for seq in range(1, CALLS + 1)]
        out.append(
            Case(
                f"unprotect {short}",
                purertc=unprotect_case(context("python").unprotect, packets),
                aiortc=unprotect_case(
                    aiortc_session(name, key + salt, inbound=True).unprotect, packets
                ),
                extra={"libsrtp-be": unprotect_case(context("libsrtp").unprotect, packets)},
                number=NUMBER,
            )
        )
    return out


if __name__ == "__main__":
    run("srtp (1200-byte payload)", cases())
