"""ICE candidate attribute (RFC 8839 §5.1; TCP candidates RFC 6544 §4.5).

::

    candidate-attribute = "candidate" ":" foundation SP component-id SP transport SP
                          priority SP connection-address SP port SP cand-type
                          [SP rel-addr] [SP rel-port] *(SP cand-extension)
    cand-type           = "typ" SP candidate-types       ; host / srflx / prflx / relay / token
    rel-addr            = "raddr" SP connection-address
    rel-port            = "rport" SP port
    cand-extension      = extension-att-name SP extension-att-value
    tcp-type-ext        = "tcptype" SP ("active" / "passive" / "so")   ; RFC 6544

Everything after ``typ`` is read as name/value pairs, so ``raddr``/``rport``/``tcptype`` are
recognised wherever they sit and every other pair (``generation``, ``ufrag``, ``network-id``,
``network-cost``...) is kept, in order, in ``extensions``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple

from ._grammar import PORT, UINT32, uint_pattern
from .errors import SdpError

# A value: visible characters only (no space, no control character, no NUL).
_VALUE = r"[^\x00-\x20\x7f]+"
_CANDIDATE = re.compile(
    rf"([^\x00-\x20\x7f:]{{1,32}}) ({uint_pattern(256)}) ({_VALUE}) ({UINT32}) "
    rf"({_VALUE}) ({PORT}) typ ({_VALUE})((?: {_VALUE} {_VALUE})*)"
)
_PORT = re.compile(PORT)
TCP_TYPES = frozenset({"active", "passive", "so"})
_RESERVED = frozenset({"raddr", "rport", "tcptype"})


class Candidate(NamedTuple):
    """One ICE candidate as carried in ``a=candidate`` (and in trickled candidate strings)."""

    foundation: str
    component: int
    transport: str  # "udp" / "tcp" / extension, case kept as received
    priority: int
    address: str  # IPv4, IPv6, an mDNS ".local" name or another FQDN
    port: int
    type: str  # "host" / "srflx" / "prflx" / "relay" / extension token
    related_address: str | None = None
    related_port: int | None = None
    tcptype: str | None = None
    extensions: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> Candidate:
        """Parse ``a=candidate:...``, ``candidate:...`` or the bare value."""
        if text.startswith("a="):
            text = text[2:]
        if text.startswith("candidate:"):
            text = text[10:]
        return cls(*_decompose(text))

    @classmethod
    def from_value(cls, value: str) -> Candidate:
        """Parse the value of an ``a=candidate`` line (no prefix accepted)."""
        return cls(*_decompose(value))

    @staticmethod
    def check(value: str) -> bool:
        """Validate like ``from_value`` without building the value (the parser's check).

        The pattern alone settles it unless a pair with rules of its own is present.
        """
        match = _CANDIDATE.fullmatch(value)
        if match is None:
            raise SdpError(f"malformed candidate {value[:80]!r}", field="candidate")
        tail = match[8]
        if tail and ("raddr" in tail or "rport" in tail or "tcptype" in tail):
            _decompose(value)
        return True

    def to_sdp(self) -> str:
        """The attribute value without the ``candidate:`` prefix."""
        parts = [
            f"{self.foundation} {self.component} {self.transport} {self.priority} "
            f"{self.address} {self.port} typ {self.type}"
        ]
        if self.related_address is not None:
            parts.append(f"raddr {self.related_address}")
        if self.related_port is not None:
            parts.append(f"rport {self.related_port}")
        if self.tcptype is not None:
            parts.append(f"tcptype {self.tcptype}")
        parts.extend(f"{name} {value}" for name, value in self.extensions)
        return " ".join(parts)

    def __str__(self) -> str:
        """The W3C ``RTCIceCandidate.candidate`` form: ``candidate:<value>``."""
        return "candidate:" + self.to_sdp()

    def extension(self, name: str) -> str | None:
        """The value of extension pair ``name`` (e.g. ``"generation"``), or ``None``."""
        for key, value in self.extensions:
            if key == name:
                return value
        return None

    @property
    def is_mdns(self) -> bool:
        """An obfuscated host address (draft-ietf-mmusic-mdns-ice-candidates): ``<uuid>.local``."""
        return self.address.lower().endswith(".local")

    @property
    def address_kind(self) -> str:
        """``"ipv4"``, ``"ipv6"``, ``"mdns"`` or ``"fqdn"`` (any other name, valid or not)."""
        if self.is_mdns:
            return "mdns"
        try:
            parsed = ipaddress.ip_address(self.address)
        except ValueError:
            return "fqdn"
        return "ipv4" if parsed.version == 4 else "ipv6"


_Fields = tuple[
    str,
    int,
    str,
    int,
    str,
    int,
    str,
    str | None,
    int | None,
    str | None,
    tuple[tuple[str, str], ...],
]


def _decompose(text: str) -> _Fields:
    """The fields of a candidate value, in ``Candidate`` order; SdpError if malformed."""
    match = _CANDIDATE.fullmatch(text)
    if match is None:
        raise SdpError(f"malformed candidate {text[:80]!r}", field="candidate")
    foundation, component, transport, priority, address, port, typ, tail = match.groups()
    related_address: str | None = None
    related_port: int | None = None
    tcptype: str | None = None
    extensions: list[tuple[str, str]] = []
    if tail:
        words = tail[1:].split(" ")
        for index in range(0, len(words), 2):
            name, value = words[index], words[index + 1]
            if name not in _RESERVED:
                extensions.append((name, value))
            elif name == "raddr":
                if related_address is not None:
                    raise SdpError("duplicate raddr", field="candidate raddr")
                related_address = value
            elif name == "rport":
                if related_port is not None:
                    raise SdpError("duplicate rport", field="candidate rport")
                if _PORT.fullmatch(value) is None:
                    raise SdpError(f"bad rport {value!r}", field="candidate rport")
                related_port = int(value)
            else:
                if tcptype is not None:
                    raise SdpError("duplicate tcptype", field="candidate tcptype")
                if value not in TCP_TYPES:
                    raise SdpError(f"bad tcptype {value!r}", field="candidate tcptype")
                tcptype = value
    return (
        foundation,
        int(component),
        transport,
        int(priority),
        address,
        int(port),
        typ,
        related_address,
        related_port,
        tcptype,
        tuple(extensions),
    )
