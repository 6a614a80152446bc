"""Shared by the DTLS tests: cached certificates, endpoint pairs, and a tiny pcapng reader."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from typing import Any

from purertc.dtls import (
    ApplicationData,
    Certificate,
    Closed,
    DtlsEndpoint,
    Failed,
    HandshakeComplete,
)
from tests.netsim import Simulation


@cache
def certificate(key_type: str = "ecdsa", rsa_key_size: int = 2048) -> Certificate:
    """Key generation is slow (RSA-4096 ~1 s): one certificate per kind per test session."""
    return Certificate.generate(key_type=key_type, rsa_key_size=rsa_key_size)


@cache
def other_certificate() -> Certificate:
    return Certificate.generate()


def endpoint_pair(
    client_cert: Certificate | None = None,
    server_cert: Certificate | None = None,
    **kwargs: Any,
) -> tuple[DtlsEndpoint, DtlsEndpoint]:
    """A client and a server that know each other's fingerprints."""
    client_cert = client_cert or certificate()
    server_cert = server_cert or other_certificate()
    client_kwargs = dict(kwargs)
    server_kwargs = dict(kwargs)
    client_kwargs.pop("hello_verify", None)
    client = DtlsEndpoint(client_cert, "client", server_cert.fingerprints, **client_kwargs)
    server = DtlsEndpoint(server_cert, "server", client_cert.fingerprints, **server_kwargs)
    return client, server


def events_of(sim: Simulation, name: str, kind: type) -> list[Any]:
    return [event for event in sim.events[name] if isinstance(event, kind)]


def completed(sim: Simulation) -> bool:
    return all(events_of(sim, name, HandshakeComplete) for name in ("a", "b"))


def ended(sim: Simulation, name: str) -> bool:
    return bool(events_of(sim, name, Closed) or events_of(sim, name, Failed))


def received_data(sim: Simulation, name: str) -> list[bytes]:
    return [event.data for event in events_of(sim, name, ApplicationData)]


# pcapng (the parts captures use): Section Header, Interface Description, Enhanced Packet blocks.
SHB, IDB, EPB = 0x0A0D0D0A, 0x00000001, 0x00000006
LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL = 1, 113
_BYTE_ORDER_MAGIC = 0x1A2B3C4D


@dataclass(frozen=True)
class UdpDatagram:
    source: tuple[str, int]
    destination: tuple[str, int]
    payload: bytes


def pcapng_udp_datagrams(data: bytes) -> list[UdpDatagram]:
    """The UDP/IPv4 payloads of a pcapng capture, in capture order."""
    endian = "<"
    link_types: list[int] = []
    datagrams: list[UdpDatagram] = []
    offset = 0
    while offset + 12 <= len(data):
        block_type = struct.unpack_from(endian + "I", data, offset)[0]
        if block_type == SHB:
            magic = struct.unpack_from("<I", data, offset + 8)[0]
            endian = "<" if magic == _BYTE_ORDER_MAGIC else ">"
            link_types = []
        block_length = struct.unpack_from(endian + "I", data, offset + 4)[0]
        if block_length < 12 or offset + block_length > len(data):
            raise ValueError(f"pcapng block length {block_length} at offset {offset}")
        if block_type == IDB:
            link_types.append(struct.unpack_from(endian + "H", data, offset + 8)[0])
        elif block_type == EPB:
            interface, _, _, captured, _ = struct.unpack_from(endian + "IIIII", data, offset + 8)
            frame = data[offset + 28 : offset + 28 + captured]
            datagram = _udp_in_frame(frame, link_types[interface])
            if datagram is not None:
                datagrams.append(datagram)
        offset += block_length
    return datagrams


def _udp_in_frame(frame: bytes, link_type: int) -> UdpDatagram | None:
    if link_type == LINKTYPE_LINUX_SLL:  # 16-byte cooked header, protocol at 14
        ethertype, packet = struct.unpack_from("!H", frame, 14)[0], frame[16:]
    elif link_type == LINKTYPE_ETHERNET:
        ethertype, packet = struct.unpack_from("!H", frame, 12)[0], frame[14:]
    else:
        raise ValueError(f"unsupported pcapng link type {link_type}")
    if ethertype != 0x0800 or packet[9] != 17:  # IPv4 / UDP only
        return None
    header_length = (packet[0] & 0x0F) * 4
    source_ip, destination_ip = packet[12:16], packet[16:20]
    udp = packet[header_length:]
    source_port, destination_port, length = struct.unpack_from("!HHH", udp, 0)
    return UdpDatagram(
        (".".join(map(str, source_ip)), source_port),
        (".".join(map(str, destination_ip)), destination_port),
        udp[8:length],
    )
