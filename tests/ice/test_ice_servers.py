"""ICE server URLs (RFC 7064 / 7065)."""

from __future__ import annotations

import pytest

from purertc.ice import IceError, IceServerUrl, parse_ice_server_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("stun:stun.l.google.com:19302", IceServerUrl("stun", "stun.l.google.com", 19302, "udp")),
        ("stun:198.51.100.1", IceServerUrl("stun", "198.51.100.1", 3478, "udp")),
        ("turn:turn.example.org", IceServerUrl("turn", "turn.example.org", 3478, "udp")),
        (
            "turn:turn.example.org:80?transport=tcp",
            IceServerUrl("turn", "turn.example.org", 80, "tcp"),
        ),
        ("turns:turn.example.org", IceServerUrl("turns", "turn.example.org", 5349, "tls")),
        (
            "turns:turn.example.org:443?transport=tcp",
            IceServerUrl("turns", "turn.example.org", 443, "tls"),
        ),
        ("TURN:[2001:db8::1]:3479", IceServerUrl("turn", "2001:db8::1", 3479, "udp")),
        ("stuns:[2001:db8::1]", IceServerUrl("stuns", "2001:db8::1", 5349, "tls")),
    ],
)
def test_parse(url: str, expected: IceServerUrl) -> None:
    assert parse_ice_server_url(url) == expected


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("http://x", "scheme"),
        ("stun://host", "'//'"),
        ("turn:host:0", "port"),
        ("turn:host:99999", "port"),
        ("turn:host:x", "port"),
        ("turn:[::1", "unclosed"),
        ("turn:host?transport=sctp", "query"),
        ("stun:host?transport=tcp", "query"),
        ("turns:host?transport=udp", "DTLS"),
        ("turn:", "host"),
    ],
)
def test_malformed(url: str, field: str) -> None:
    with pytest.raises(IceError, match=field):
        parse_ice_server_url(url)
