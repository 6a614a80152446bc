"""mDNS query/answer messages for .local candidate names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.ice import IceError
from purertc.ice.mdns import TYPE_A, TYPE_AAAA, build_query, build_response, parse_answers

NAME = "1f2e3d4c-0000-4000-8000-0123456789ab.local"


def test_query_asks_a_and_aaaa_with_unicast_response() -> None:
    query = build_query(NAME, 7)
    assert query[:12] == bytes.fromhex("0007 0000 0002 0000 0000 0000")
    encoded = b"\x24" + NAME.split(".")[0].encode() + b"\x05local\x00"
    assert query[12:] == encoded + b"\x00\x01\x80\x01" + encoded + b"\x00\x1c\x80\x01"
    assert (TYPE_A, TYPE_AAAA) == (1, 28)
    assert parse_answers(query) == []  # a query carries no answers


def test_answers_with_compression_pointers() -> None:
    # header, answer 1 with the full name, answer 2 pointing at it (offset 12)
    name = b"\x04host\x05local\x00"
    answer1 = name + bytes.fromhex("0001 8001 00000078 0004") + bytes([192, 168, 1, 20])
    answer2 = b"\xc0\x0c" + bytes.fromhex("001c 8001 00000078 0010") + bytes(15) + b"\x01"
    other = b"\xc0\x0c" + bytes.fromhex("0010 0001 00000078 0002") + b"\x01x"  # TXT: skipped
    message = bytes.fromhex("0000 8400 0000 0003 0000 0000") + answer1 + answer2 + other
    assert parse_answers(message) == [
        ("host.local", "192.168.1.20", 120),
        ("host.local", "::1", 120),
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"\x00" * 11, "header"),
        (bytes.fromhex("0000 8400 0000 0001 0000 0000") + b"\x05ab", "label"),
        (bytes.fromhex("0000 8400 0000 0001 0000 0000") + b"\xc0\x0c", "loop"),
        (
            bytes.fromhex("0000 8400 0000 0001 0000 0000")
            + b"\x00"
            + bytes.fromhex("0001 0001 0000 0001 0010"),
            "RDLENGTH",
        ),
        (bytes.fromhex("0000 8400 0000 0001 0000 0000") + b"\x80", "label type"),
    ],
)
def test_malformed_answers_raise_ice_error(data: bytes, field: str) -> None:
    with pytest.raises(IceError, match=field):
        parse_answers(data)


def test_names_that_cannot_be_encoded() -> None:
    with pytest.raises(IceError, match="label"):
        build_query("a" * 64 + ".local")
    with pytest.raises(IceError, match="255"):
        build_query(".".join(["abcdefgh"] * 40))


_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20)


@given(
    st.lists(
        st.tuples(
            st.lists(_LABEL, min_size=1, max_size=4).map(".".join),
            st.ip_addresses().map(str),
            st.integers(0, 2**32 - 1),
        ),
        max_size=5,
    ),
    st.integers(0, 0xFFFF),
)
def test_response_round_trip(answers: list[tuple[str, str, int]], query_id: int) -> None:
    assert parse_answers(build_response(answers, query_id)) == answers
