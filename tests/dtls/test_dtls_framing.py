"""DTLS record and handshake-fragment framing (RFC 6347 §4.1, §4.2.2), and SRTP key split."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.dtls import DtlsError, split_keying_material
from purertc.dtls.framing import (
    CONTENT_TYPES,
    HANDSHAKE,
    HandshakeFragment,
    Record,
    pack_records,
    parse_handshake_fragments,
    parse_records,
)
from purertc.srtp import PROFILES

records = st.builds(
    Record,
    st.sampled_from(sorted(CONTENT_TYPES)),
    st.sampled_from([0xFEFF, 0xFEFD, 0xFEFC]),
    st.integers(0, 0xFFFF),
    st.integers(0, 2**48 - 1),
    st.binary(max_size=300),
)


@st.composite
def fragments(draw: st.DrawFn) -> HandshakeFragment:
    body = draw(st.binary(max_size=200))
    offset = draw(st.integers(0, 2**20))
    length = draw(st.integers(offset + len(body), 2**24 - 1))
    seq = draw(st.integers(0, 0xFFFF))
    return HandshakeFragment(draw(st.integers(0, 255)), length, seq, offset, len(body), body)


@given(st.lists(records, max_size=6))
def test_records_round_trip(items: list[Record]) -> None:
    assert parse_records(b"".join(r.serialize() for r in items)) == items


@given(st.lists(fragments(), max_size=5))
def test_handshake_fragments_round_trip(items: list[HandshakeFragment]) -> None:
    assert parse_handshake_fragments(b"".join(f.serialize() for f in items)) == items


@given(st.lists(records, min_size=1, max_size=12), st.integers(100, 1500))
def test_pack_records_keeps_order_and_fits_the_mtu(items: list[Record], mtu: int) -> None:
    stream = b"".join(r.serialize() for r in items)
    datagrams = pack_records(stream, mtu)
    assert b"".join(datagrams) == stream
    for datagram in datagrams:
        parsed = parse_records(datagram)
        assert len(datagram) <= mtu or len(parsed) == 1


def test_record_errors_name_the_field() -> None:
    good = Record(HANDSHAKE, 0xFEFD, 0, 7, b"abc").serialize()
    with pytest.raises(DtlsError, match="record header"):
        parse_records(good[:5])
    with pytest.raises(DtlsError, match="record length"):
        parse_records(good[:-1])
    with pytest.raises(DtlsError, match="content type"):
        parse_records(b"\x30" + good[1:])
    with pytest.raises(DtlsError, match="record version"):
        parse_records(good[:1] + b"\x03\x03" + good[3:])
    with pytest.raises(DtlsError, match="exceeds"):
        parse_records(good[:11] + b"\xff\xff" + bytes(0xFFFF))
    with pytest.raises(DtlsError, match="handshake header"):
        parse_handshake_fragments(b"\x01\x00")
    with pytest.raises(DtlsError, match="exceeds length"):
        parse_handshake_fragments(HandshakeFragment(1, 2, 0, 0, 3, b"abc").serialize())
    with pytest.raises(DtlsError, match="runs past"):
        parse_handshake_fragments(HandshakeFragment(1, 9, 0, 0, 9, b"abc").serialize())


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_srtp_keying_material_split_by_role(name: str) -> None:
    """RFC 5764 §4.2: client key | server key | client salt | server salt."""
    profile = PROFILES[name]
    k, s = profile.key_length, profile.salt_length
    material = bytes(range(2 * (k + s)))
    client = split_keying_material(material, profile, is_client=True)
    server = split_keying_material(material, profile, is_client=False)
    assert client.local_key == material[:k] == server.remote_key
    assert client.remote_key == material[k : 2 * k] == server.local_key
    assert client.local_salt == material[2 * k : 2 * k + s] == server.remote_salt
    assert client.remote_salt == material[2 * k + s :] == server.local_salt
    with pytest.raises(ValueError, match="keying material"):
        split_keying_material(material[:-1], profile, is_client=True)
