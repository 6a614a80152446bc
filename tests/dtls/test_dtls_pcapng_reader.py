"""The test helpers' pcapng reader: both link types captures use, both byte orders."""

from __future__ import annotations

import struct

import pytest

from tests.dtls.dtls_helpers import (
    EPB,
    IDB,
    LINKTYPE_ETHERNET,
    LINKTYPE_LINUX_SLL,
    SHB,
    UdpDatagram,
    pcapng_udp_datagrams,
)


def block(endian: str, block_type: int, body: bytes) -> bytes:
    body += bytes(-len(body) % 4)
    length = 12 + len(body)
    return struct.pack(endian + "II", block_type, length) + body + struct.pack(endian + "I", length)


def ipv4_udp(payload: bytes) -> bytes:
    udp = struct.pack("!HHHH", 5000, 6000, 8 + len(payload), 0) + payload
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([10, 0, 0, 1]),
        bytes([10, 0, 0, 2]),
    )  # fmt: skip
    return ip + udp


def capture(endian: str, link_type: int, frames: list[bytes]) -> bytes:
    shb = block(endian, SHB, struct.pack(endian + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(endian, IDB, struct.pack(endian + "HHI", link_type, 0, 65535))
    packets = b"".join(
        block(endian, EPB, struct.pack(endian + "IIIII", 0, 0, 0, len(f), len(f)) + f)
        for f in frames
    )
    return shb + idb + packets


@pytest.mark.parametrize("endian", ["<", ">"])
@pytest.mark.parametrize("link_type", [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL])
def test_reads_udp_payloads(endian: str, link_type: int) -> None:
    payloads = [b"\x16\xfe\xfd hello", b"", b"x" * 301]
    # The ethertype sits at offset 12 (Ethernet) or 14 (Linux cooked capture).
    padding = bytes(12 if link_type == LINKTYPE_ETHERNET else 14)
    frames = [padding + b"\x08\x00" + ipv4_udp(p) for p in payloads]
    frames.append(padding + b"\x08\x06" + bytes(28))  # ARP: not UDP, skipped
    assert pcapng_udp_datagrams(capture(endian, link_type, frames)) == [
        UdpDatagram(("10.0.0.1", 5000), ("10.0.0.2", 6000), p) for p in payloads
    ]


def test_rejects_broken_blocks_and_unknown_link_types() -> None:
    data = capture("<", LINKTYPE_ETHERNET, [bytes(14)])
    with pytest.raises(ValueError, match="block length"):
        pcapng_udp_datagrams(data[:-3])
    with pytest.raises(ValueError, match="link type"):
        pcapng_udp_datagrams(capture("<", 228, [bytes(20)]))
