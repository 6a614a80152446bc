"""STUN and TURN server URLs (RFC 7064, RFC 7065), as ``RTCIceServer.urls`` carries them.

::

    stunURI = scheme ":" host [ ":" port ]                     scheme    = "stun" / "stuns"
    turnURI = scheme ":" host [ ":" port ] [ "?transport=" transport ]   scheme = "turn" / "turns"

Defaults: port 3478, or 5349 for the TLS schemes; ``turn:`` uses UDP unless
``?transport=tcp``; ``turns:`` is TCP under TLS. The host may be a name: resolving it is the
driver's job (the agent takes addresses).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import IceError

_DEFAULT_PORTS = {"stun": 3478, "turn": 3478, "stuns": 5349, "turns": 5349}


@dataclass(frozen=True, slots=True)
class IceServerUrl:
    scheme: str
    host: str
    port: int
    transport: str  # "udp", "tcp" or "tls": what the agent's add_turn_server expects

    @property
    def is_turn(self) -> bool:
        return self.scheme in ("turn", "turns")


def parse_ice_server_url(url: str) -> IceServerUrl:
    """Parse one ``stun:``/``stuns:``/``turn:``/``turns:`` URL; :class:`IceError` if malformed."""
    scheme, colon, rest = url.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in _DEFAULT_PORTS:
        raise IceError(f"ICE server URL scheme: {url!r} is not stun:, stuns:, turn: or turns:")
    rest, _, query = rest.partition("?")
    if rest.startswith("//"):
        raise IceError(f"ICE server URL: {url!r} must not have '//' (RFC 7064)")
    if rest.startswith("["):
        host, bracket, tail = rest[1:].partition("]")
        if not bracket:
            raise IceError(f"ICE server URL host: unclosed '[' in {url!r}")
        port_text = tail[1:] if tail.startswith(":") else ""
        if tail and not tail.startswith(":"):
            raise IceError(f"ICE server URL: unexpected {tail!r} after the host in {url!r}")
    else:
        host, _, port_text = rest.partition(":")
    if not host:
        raise IceError(f"ICE server URL host: empty in {url!r}")
    port = _DEFAULT_PORTS[scheme]
    if port_text:
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise IceError(f"ICE server URL port: {port_text!r} in {url!r}")
        port = int(port_text)
    transport = "tls" if scheme in ("stuns", "turns") else "udp"
    if query:
        key, _, value = query.partition("=")
        value = value.lower()
        if key != "transport" or value not in ("udp", "tcp") or not scheme.startswith("turn"):
            raise IceError(f"ICE server URL query: {query!r} in {url!r}")
        if scheme == "turns" and value == "udp":
            raise IceError(f"ICE server URL: turns: over udp (DTLS) is not supported: {url!r}")
        if scheme == "turn":
            transport = value
    return IceServerUrl(scheme, host, port, transport)
