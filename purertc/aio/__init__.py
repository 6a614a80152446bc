"""asyncio at the edge: sockets, timers, and the driver that pumps any sans-IO core."""

from __future__ import annotations

from .ice import IceDriver
from .interfaces import host_addresses
from .pump import DatagramPump, Pump
from .resolver import MdnsResolver, NoResolver, Resolver, StaticResolver
from .udp import UdpSocket, open_udp_socket

__all__ = [
    "DatagramPump",
    "IceDriver",
    "MdnsResolver",
    "NoResolver",
    "Pump",
    "Resolver",
    "StaticResolver",
    "UdpSocket",
    "host_addresses",
    "open_udp_socket",
]
