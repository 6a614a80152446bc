"""Candidates: priority formula, foundations, the RFC 8839 attribute text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.ice import Candidate, IceError, candidate_priority, compute_foundation
from purertc.ice.candidate import prflx_priority


def test_priority_formula_matches_rfc8445_5_1_2_1() -> None:
    # host, local pref 65535, component 1: 126<<24 | 65535<<8 | 255
    assert candidate_priority("host") == 2130706431
    assert candidate_priority("srflx", 1, 65535) == 1694498815
    assert candidate_priority("relay", 2, 65535) == 16777214
    assert candidate_priority("prflx", 1, 0) == (110 << 24) + 255


def test_priority_rejects_out_of_range_inputs() -> None:
    with pytest.raises(IceError, match="component"):
        candidate_priority("host", 0)
    with pytest.raises(IceError, match="local preference"):
        candidate_priority("host", 1, 70000)


def test_prflx_priority_keeps_local_preference_and_component() -> None:
    host = candidate_priority("host", 1, 1234)
    assert prflx_priority(host) == candidate_priority("prflx", 1, 1234)


def test_foundation_depends_on_type_base_server_and_transport() -> None:
    a = compute_foundation("host", "10.0.0.1", "", "udp")
    assert a == compute_foundation("host", "10.0.0.1", "", "udp")
    assert a != compute_foundation("host", "10.0.0.2", "", "udp")
    assert a != compute_foundation("srflx", "10.0.0.1", "", "udp")
    assert compute_foundation("srflx", "10.0.0.1", "stun1", "udp") != compute_foundation(
        "srflx", "10.0.0.1", "stun2", "udp"
    )
    assert a != compute_foundation("host", "10.0.0.1", "", "tcp")


def test_parse_chrome_candidate_line() -> None:
    line = (
        "candidate:842163049 1 udp 1677729535 203.0.113.7 56143 typ srflx "
        "raddr 192.168.1.20 rport 56143 generation 0 network-cost 999"
    )
    c = Candidate.from_sdp(line)
    assert (c.foundation, c.component, c.transport, c.priority) == (
        "842163049",
        1,
        "udp",
        1677729535,
    )
    assert (c.address, c.port, c.type) == ("203.0.113.7", 56143, "srflx")
    assert (c.related_address, c.related_port) == ("192.168.1.20", 56143)
    assert c.extensions == (("generation", "0"), ("network-cost", "999"))
    assert "candidate:" + c.to_sdp() == line


def test_parse_tcp_candidate_and_ipv6_canonical_form() -> None:
    c = Candidate.from_sdp(
        "a=candidate:1 1 TCP 2105524479 2001:DB8:0:0::1 9 typ host tcptype active"
    )
    assert c.transport == "tcp"
    assert c.address == "2001:db8::1"
    assert c.tcptype == "active"


def test_mdns_candidate_is_kept_unresolved() -> None:
    c = Candidate.from_sdp(
        "1 1 udp 2122260223 3f1c2e44-1f2a-4c1b-9d59-0d0f1ee0a7a1.local 5000 typ host"
    )
    assert c.is_mdns


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("1 1 udp 1 1.2.3.4 5 typ", "fields"),
        ("1 1 udp 1 1.2.3.4 5 type host", "'typ'"),
        ("1 0 udp 1 1.2.3.4 5 typ host", "component"),
        ("1 1 udp x 1.2.3.4 5 typ host", "priority"),
        ("1 \u00b2 udp 1 1.2.3.4 5 typ host", "component"),
        ("1 1 udp 1 1.2.3.4 70000 typ host", "port"),
        ("1 1 udp 1 1.2.3.4 5 typ host raddr", "no value"),
        ("1 1 udp 1 1.2.3.4 5 typ host rport -1", "rport"),
        ("f@o 1 udp 1 1.2.3.4 5 typ host", "foundation"),
    ],
)
def test_malformed_candidates_raise_ice_error_naming_the_field(line: str, field: str) -> None:
    with pytest.raises(IceError, match=field):
        Candidate.from_sdp(line)


_ICE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
_TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)


@st.composite
def candidates(draw: st.DrawFn) -> Candidate:
    ctype = draw(st.sampled_from(["host", "srflx", "prflx", "relay"]))
    related = draw(st.booleans())
    transport = draw(st.sampled_from(["udp", "tcp"]))
    return Candidate(
        foundation=draw(st.text(alphabet=_ICE_CHARS, min_size=1, max_size=32)),
        component=draw(st.integers(1, 256)),
        transport=transport,
        priority=draw(st.integers(1, 0xFFFFFFFF)),
        address=str(draw(st.ip_addresses())),
        port=draw(st.integers(0, 65535)),
        type=ctype,
        related_address=str(draw(st.ip_addresses())) if related else None,
        related_port=draw(st.integers(0, 65535)) if related else None,
        tcptype=draw(st.sampled_from(["active", "passive", "so"])) if transport == "tcp" else None,
        extensions=tuple(
            draw(
                st.lists(
                    st.tuples(
                        _TOKEN.filter(lambda s: s not in ("raddr", "rport", "tcptype")), _TOKEN
                    ),
                    max_size=3,
                )
            )
        ),
    )


@given(candidates())
def test_candidate_text_round_trip(candidate: Candidate) -> None:
    assert Candidate.from_sdp(candidate.to_sdp()) == candidate
