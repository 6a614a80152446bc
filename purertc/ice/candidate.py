"""ICE candidates, their priorities and foundations (RFC 8445 §5.1, RFC 8839 §5.1).

The agent keeps its own candidate type so it does not depend on the SDP layer's timing; the
peer connection bridges the two through :meth:`Candidate.to_sdp` / :meth:`Candidate.from_sdp`,
which speak the value of the ``a=candidate:`` attribute::

    candidate-attribute = foundation SP component-id SP transport SP priority SP
                          connection-address SP port SP "typ" SP cand-type
                          [SP "raddr" SP address SP "rport" SP port]
                          [SP "tcptype" SP tcp-type] *(SP extension-att-name SP value)
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from .errors import IceError

Address = tuple[str, int]
"""A transport address: IP literal (canonical text) and port."""

CANDIDATE_TYPES = ("host", "srflx", "prflx", "relay")

# RFC 8445 §5.1.2.2 recommended type preferences.
TYPE_PREFERENCE = {"host": 126, "prflx": 110, "srflx": 100, "relay": 0}

# RFC 6544 §4.2: direction preference for TCP candidates (used only when parsing/ranking).
TCP_TYPES = ("active", "passive", "so")

_FOUNDATION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")


def candidate_priority(
    candidate_type: str, component: int = 1, local_preference: int = 65535
) -> int:
    """``2^24 * type pref + 2^8 * local pref + (256 - component)`` (RFC 8445 §5.1.2.1)."""
    if not 1 <= component <= 256:
        raise IceError(f"component: {component} is outside 1..256")
    if not 0 <= local_preference <= 65535:
        raise IceError(f"local preference: {local_preference} is outside 0..65535")
    return (TYPE_PREFERENCE[candidate_type] << 24) | (local_preference << 8) | (256 - component)


def prflx_priority(priority: int) -> int:
    """The PRIORITY a check carries: same local pref and component, prflx type pref (§7.1.1)."""
    return (TYPE_PREFERENCE["prflx"] << 24) | (priority & 0xFFFFFF)


def compute_foundation(candidate_type: str, base_address: str, server: str, transport: str) -> str:
    """Same type, base IP, server and transport give the same foundation (RFC 8445 §5.1.1.3).

    A short digest keeps it stable across restarts and free of the base address itself.
    """
    material = f"{candidate_type}|{base_address}|{server}|{transport}".encode()
    return hashlib.blake2s(material, digest_size=6).hexdigest()


def canonical_ip(text: str) -> str:
    """The canonical text of an IP literal; other text (an mDNS name) is returned unchanged."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def is_ipv6(address: str) -> bool:
    return ":" in address


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ICE candidate. ``base`` is the local socket address it sends from (local only)."""

    foundation: str
    component: int
    transport: str
    priority: int
    address: str
    port: int
    type: str
    related_address: str | None = None
    related_port: int | None = None
    tcptype: str | None = None
    extensions: tuple[tuple[str, str], ...] = ()
    base: Address | None = None

    @property
    def transport_address(self) -> Address:
        return (self.address, self.port)

    @property
    def is_mdns(self) -> bool:
        return self.address.endswith(".local")

    def to_sdp(self) -> str:
        """The ``a=candidate:`` value (without ``a=candidate:``)."""
        parts = [
            self.foundation,
            str(self.component),
            self.transport,
            str(self.priority),
            self.address,
            str(self.port),
            "typ",
            self.type,
        ]
        if self.related_address is not None and self.related_port is not None:
            parts += ["raddr", self.related_address, "rport", str(self.related_port)]
        if self.tcptype is not None:
            parts += ["tcptype", self.tcptype]
        for name, value in self.extensions:
            parts += [name, value]
        return " ".join(parts)

    @classmethod
    def from_sdp(cls, value: str) -> Candidate:
        """Parse an ``a=candidate:`` value; ``candidate:`` and ``a=candidate:`` prefixes are ok."""
        text = value.strip()
        for prefix in ("a=candidate:", "candidate:"):
            if text.startswith(prefix):
                text = text[len(prefix) :]
                break
        fields = text.split()
        if len(fields) < 8:
            raise IceError(f"candidate: {len(fields)} fields, at least 8 are needed")
        foundation, component, transport, priority, address, port, typ, ctype = fields[:8]
        if not foundation or len(foundation) > 32 or not set(foundation) <= _FOUNDATION_CHARS:
            raise IceError(f"candidate foundation: {foundation!r} is not 1-32 ice-chars")
        if typ != "typ":
            raise IceError(f"candidate: expected 'typ' as the 7th field, got {typ!r}")
        related_address: str | None = None
        related_port: int | None = None
        tcptype: str | None = None
        extensions: list[tuple[str, str]] = []
        rest = fields[8:]
        if len(rest) % 2:
            raise IceError(f"candidate: extension {rest[-1]!r} has no value")
        for i in range(0, len(rest), 2):
            name, item = rest[i], rest[i + 1]
            if name == "raddr":
                related_address = canonical_ip(item)
            elif name == "rport":
                related_port = _number("candidate rport", item, 0, 65535)
            elif name == "tcptype":
                tcptype = item
            else:
                extensions.append((name, item))
        return cls(
            foundation=foundation,
            component=_number("candidate component", component, 1, 256),
            transport=transport.lower(),
            priority=_number("candidate priority", priority, 1, 0xFFFFFFFF),
            address=canonical_ip(address),
            port=_number("candidate port", port, 0, 65535),
            type=ctype,
            related_address=related_address,
            related_port=related_port,
            tcptype=tcptype,
            extensions=tuple(extensions),
        )


def _number(name: str, text: str, low: int, high: int) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 10:  # "²".isdigit() is True
        raise IceError(f"{name}: {text!r} is not a decimal number")
    value = int(text)
    if not low <= value <= high:
        raise IceError(f"{name}: {value} is outside {low}..{high}")
    return value
