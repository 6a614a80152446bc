"""STUN hot paths an ICE agent runs per connectivity check, purertc vs aioice.stun.

The message is an ICE Binding request as browsers send it: USERNAME, PRIORITY, ICE-CONTROLLING,
USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT. Cases: parse (incl. the FINGERPRINT check both
libraries do), parse + MESSAGE-INTEGRITY check, and build with integrity + fingerprint; plus
the whole receive path of an ICE agent (parse, check, read the four ICE attributes).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aioice import stun as aioice_stun  # noqa: E402

from benchmarks._harness import Case, run  # noqa: E402
from purertc.stun import (  # noqa: E402
    IceControlling,
    Message,
    MessageClass,
    Method,
    Priority,
    UseCandidate,
    Username,
)

KEY = b"VOkJxbRl1RmTxUk/WvJxBt"
TID = bytes.fromhex("b7e7a701bc34d686fa87dfae")
USERNAME = "evtj:h6vY"
PRIORITY = 0x6E0001FF
TIE_BREAKER = 0x932FF9B151263B36


def build_purertc() -> bytes:
    return Message(
        Method.BINDING,
        MessageClass.REQUEST,
        TID,
        [Username(USERNAME), Priority(PRIORITY), IceControlling(TIE_BREAKER), UseCandidate()],
    ).serialize(KEY, fingerprint=True)


def build_aioice() -> bytes:
    message = aioice_stun.Message(aioice_stun.Method.BINDING, aioice_stun.Class.REQUEST, TID)
    message.attributes["USERNAME"] = USERNAME
    message.attributes["PRIORITY"] = PRIORITY
    message.attributes["ICE-CONTROLLING"] = TIE_BREAKER
    message.attributes["USE-CANDIDATE"] = None
    message.add_message_integrity(KEY)
    return bytes(message)


WIRE = build_purertc()
assert build_aioice() == WIRE, "both libraries must produce the same bytes"


def parse_purertc() -> object:
    return Message.parse(WIRE)


def parse_aioice() -> object:
    return aioice_stun.parse_message(WIRE)


def check_purertc() -> bool:
    return Message.parse(WIRE).verify_integrity(KEY)


def check_aioice() -> bool:
    return aioice_stun.parse_message(WIRE).check_message_integrity(KEY)


def receive_purertc() -> tuple[object, ...]:
    message = Message.parse(WIRE)
    assert message.verify_integrity(KEY)
    return message.username, message.priority, message.ice_controlling, message.use_candidate


def receive_aioice() -> tuple[object, ...]:
    message = aioice_stun.parse_message(WIRE)
    assert message.check_message_integrity(KEY)
    attributes = message.attributes
    return (
        attributes["USERNAME"],
        attributes["PRIORITY"],
        attributes.get("ICE-CONTROLLING"),
        "USE-CANDIDATE" in attributes,
    )


assert check_purertc() and check_aioice()
assert receive_purertc() == receive_aioice()

CASES = [
    Case("stun parse (ICE binding request)", parse_purertc, parse_aioice),
    Case("stun parse + integrity check", check_purertc, check_aioice),
    Case("stun build + integrity + fingerprint", build_purertc, build_aioice),
    # What an ICE agent does per incoming check (no target; informative).
    Case("stun ICE receive (parse+check+4 getters)", receive_purertc, receive_aioice),
]

if __name__ == "__main__":
    run("stun", CASES)
