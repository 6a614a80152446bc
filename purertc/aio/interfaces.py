"""Local interface addresses for host candidates, without a dependency.

Linux: interface names from ``socket.if_nameindex()``, the IPv4 address of each through the
``SIOCGIFADDR`` ioctl, IPv6 addresses from ``/proc/net/if_inet6``. Elsewhere (or if those
fail): the address the OS would route from, found by ``connect()`` on a UDP socket (no
packet is sent). Loopback addresses are left out unless asked for; IPv6 link-local ones
always are (they need a scope id no peer can use).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct
import sys

_SIOCGIFADDR = 0x8915


def _linux_ipv4() -> list[str]:
    import fcntl

    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                reply = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, request)
            except OSError:
                continue  # no IPv4 address on this interface
            found.append(socket.inet_ntoa(reply[20:24]))
    return found


def _linux_ipv6() -> list[str]:
    found: list[str] = []
    try:
        with open("/proc/net/if_inet6") as table:
            for line in table:
                fields = line.split()
                if len(fields) < 6 or len(fields[0]) != 32:
                    continue
                packed = bytes.fromhex(fields[0])
                found.append(str(ipaddress.IPv6Address(packed)))
    except OSError:
        pass
    return found


def _routed(family: socket.AddressFamily, target: str) -> list[str]:
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.connect((target, 9))
        return [str(probe.getsockname()[0])]
    return []


def host_addresses(
    *, include_loopback: bool = False, ipv4: bool = True, ipv6: bool = True
) -> list[str]:
    """IP addresses to gather host candidates on, IPv6 first (RFC 8421 ordering)."""
    v4: list[str] = []
    v6: list[str] = []
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            v4 = _linux_ipv4()
        v6 = _linux_ipv6()
    if not v4:
        v4 = _routed(socket.AF_INET, "192.0.2.1")
    if not v6:
        v6 = _routed(socket.AF_INET6, "2001:db8::1")
    result: list[str] = []
    for text in (v6 if ipv6 else []) + (v4 if ipv4 else []):
        address = ipaddress.ip_address(text)
        if address.is_link_local or address.is_unspecified:
            continue
        if address.is_loopback and not include_loopback:
            continue
        if text not in result:
            result.append(text)
    if include_loopback:
        for loopback in (["::1"] if ipv6 else []) + (["127.0.0.1"] if ipv4 else []):
            if loopback not in result and _bindable(loopback):
                result.append(loopback)
    return result


def _bindable(address: str) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True
