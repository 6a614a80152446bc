"""``RTCIceServer`` URLs (RFC 7064 ``stun:``/``stuns:``, RFC 7065 ``turn:``/``turns:``) to the
servers the ICE agent is given."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import parse_qs

from .configuration import RTCIceServer
from .errors import InvalidAccessError

_DEFAULT_PORTS = {"stun": 3478, "stuns": 5349, "turn": 3478, "turns": 5349}


@dataclass(frozen=True)
class IceServerUrl:
    scheme: str  # stun, stuns, turn, turns
    host: str
    port: int
    transport: str  # udp, tcp or tls


def parse_ice_url(url: str) -> IceServerUrl:
    """``turn:example.org:3478?transport=tcp`` -> its parts; a malformed URL raises
    :class:`InvalidAccessError` (the W3C SyntaxError case)."""
    scheme, sep, rest = url.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in _DEFAULT_PORTS:
        raise InvalidAccessError(f"ICE server URL {url!r}: scheme is not stun/stuns/turn/turns")
    rest, _, query = rest.partition("?")
    if rest.startswith("["):  # IPv6 literal
        host, _, tail = rest[1:].partition("]")
        port_text = tail[1:] if tail.startswith(":") else ""
    else:
        host, _, port_text = rest.partition(":")
    if not host:
        raise InvalidAccessError(f"ICE server URL {url!r}: no host")
    try:
        port = int(port_text) if port_text else _DEFAULT_PORTS[scheme]
    except ValueError:
        raise InvalidAccessError(f"ICE server URL {url!r}: bad port {port_text!r}") from None
    if not 0 < port < 65536:
        raise InvalidAccessError(f"ICE server URL {url!r}: port {port} out of range")
    transport = parse_qs(query).get("transport", ["udp"])[0].lower()
    if scheme.endswith("s"):
        transport = "tls"
    elif transport not in ("udp", "tcp"):
        raise InvalidAccessError(f"ICE server URL {url!r}: transport {transport!r}")
    return IceServerUrl(scheme.rstrip("s") if scheme != "stuns" else "stun", host, port, transport)


async def resolve_servers(
    servers: list[RTCIceServer],
) -> list[tuple[IceServerUrl, tuple[str, int], RTCIceServer]]:
    """Every URL with its resolved address (names looked up once, IPv4 first)."""
    loop = asyncio.get_running_loop()
    resolved = []
    for server in servers:
        for url in server.url_list:
            parsed = parse_ice_url(url)
            try:
                infos = await loop.getaddrinfo(parsed.host, parsed.port, type=socket.SOCK_DGRAM)
            except OSError:
                continue  # an unresolvable server gives no candidate, like a silent one
            infos.sort(key=lambda info: info[0] != socket.AF_INET)
            address = infos[0][4]
            resolved.append((parsed, (str(address[0]), int(address[1])), server))
    return resolved
