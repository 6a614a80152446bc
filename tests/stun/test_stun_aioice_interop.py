"""Messages cross between purertc and aioice.stun (the aiortc stack's STUN) both ways."""

from __future__ import annotations

import pytest
from aioice import stun as aioice_stun
from hypothesis import given
from hypothesis import strategies as st

from purertc.stun import (
    ErrorCode,
    IceControlled,
    Message,
    MessageClass,
    Method,
    Priority,
    Software,
    UseCandidate,
    Username,
    XorMappedAddress,
)
from tests.stun.stun_strategies import addresses, ports

pytestmark = pytest.mark.interop
KEY = b"interop-key"


@given(
    st.binary(min_size=12, max_size=12),
    st.text(alphabet="abcdefXYZ0123456789:", min_size=1, max_size=40),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**64 - 1),
)
def test_purertc_request_checks_in_aioice(
    tid: bytes, username: str, priority: int, tie: int
) -> None:
    attrs = [Username(username), Priority(priority), IceControlled(tie), UseCandidate()]
    wire = Message(Method.BINDING, MessageClass.REQUEST, tid, attrs).serialize(
        KEY, fingerprint=True
    )
    theirs = aioice_stun.parse_message(wire)
    assert theirs.check_message_integrity(KEY)
    assert theirs.transaction_id == tid
    assert theirs.attributes["USERNAME"] == username
    assert theirs.attributes["PRIORITY"] == priority
    assert theirs.attributes["ICE-CONTROLLED"] == tie
    assert "USE-CANDIDATE" in theirs.attributes


@given(st.binary(min_size=12, max_size=12), addresses, ports)
def test_aioice_response_verifies_in_purertc(tid: bytes, address: str, port: int) -> None:
    theirs = aioice_stun.Message(aioice_stun.Method.BINDING, aioice_stun.Class.RESPONSE, tid)
    theirs.attributes["XOR-MAPPED-ADDRESS"] = (address, port)
    theirs.attributes["SOFTWARE"] = "aioice"
    theirs.add_message_integrity(KEY)
    message = Message.parse(bytes(theirs))
    assert message.verify_integrity(KEY)
    assert message.message_class == MessageClass.SUCCESS_RESPONSE
    assert message.get(XorMappedAddress) == XorMappedAddress(address, port)
    assert message.get(Software) == Software("aioice")


def test_error_response_both_ways() -> None:
    tid = bytes(range(12))
    wire = Message(
        Method.BINDING, MessageClass.ERROR_RESPONSE, tid, [ErrorCode(487, "Role Conflict")]
    ).serialize(KEY, fingerprint=True)
    theirs = aioice_stun.parse_message(wire)
    assert theirs.attributes["ERROR-CODE"] == (487, "Role Conflict")
    assert theirs.check_message_integrity(KEY)
    back = Message.parse(bytes(theirs))
    assert back.error_code == ErrorCode(487, "Role Conflict")
