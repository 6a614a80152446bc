"""Random and mutated frames into the signaling parser: only SignalingError may escape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.signaling import SignalingError, make_room_token, verify_room_token
from purertc.signaling.protocol import (
    Join,
    Relay,
    parse_client_message,
    relayed_frame,
)

VALID = [
    '{"type": "join", "room": "r", "token": "1.abc"}',
    '{"type": "offer", "target": "abc", "sdp": "v=0\\r\\n"}',
    '{"type": "answer", "target": "abc", "sdp": "v=0"}',
    '{"type": "ice-candidate", "target": "abc", "candidate": {"candidate": "x"}}',
    '{"type": "leave"}',
    '{"type": "turn-credentials"}',
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _parse(frame: str | bytes) -> None:
    try:
        parse_client_message(frame)
    except SignalingError as exc:
        assert exc.code and exc.message


@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    _parse(data)
    _parse(data.decode("utf-8", "replace"))


@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    _parse(text)


@given(
    st.dictionaries(
        st.sampled_from(["type", "room", "target", "sdp", "candidate", "token", "x"]),
        json_values | st.sampled_from(["join", "offer", "answer", "ice-candidate", "leave"]),
    )
)
def test_random_objects_with_protocol_keys(frame: dict[str, Any]) -> None:
    _parse(json.dumps(frame))


@given(st.sampled_from(VALID), st.integers(0, 400), st.integers(0, 255), st.data())
def test_mutated_valid_frames(frame: str, position: int, value: int, data: st.DataObject) -> None:
    raw = bytearray(frame.encode())
    cut = data.draw(st.integers(0, len(raw)))
    _parse(bytes(raw[:cut]).decode("utf-8", "replace"))  # truncation
    raw[position % len(raw)] = value  # byte substitution
    _parse(raw.decode("utf-8", "replace"))


@given(
    st.sampled_from(["offer", "answer", "ice-candidate"]),
    st.text(min_size=1, max_size=40),
    json_values,
    st.text(min_size=1, max_size=40),
)
def test_relay_round_trip(kind: str, target: str, payload: Any, sender: str) -> None:
    """What the target receives is the sender's frame with ``from`` in place of ``target``."""
    field = "sdp" if kind != "ice-candidate" else "candidate"
    frame = {"type": kind, "target": target, field: payload}
    message = parse_client_message(json.dumps(frame))
    assert message == Relay(kind, target, frame)
    assert json.loads(relayed_frame(message, sender)) == {
        "type": kind,
        field: payload,
        "from": sender,
    }


@given(st.text(min_size=1, max_size=128), st.one_of(st.none(), st.text(max_size=40)))
def test_join_round_trip(room: str, token: str | None) -> None:
    frame: dict[str, Any] = {"type": "join", "room": room}
    if token is not None:
        frame["token"] = token
    assert parse_client_message(json.dumps(frame)) == Join(room, token)


@given(
    st.binary(min_size=1, max_size=32), st.text(min_size=1, max_size=40), st.integers(1, 10**12 - 2)
)
def test_room_token_round_trip_and_tamper(secret: bytes, room: str, expiry: int) -> None:
    token = make_room_token(secret, room, expiry)
    assert verify_room_token(secret, room, token, expiry - 1)
    assert not verify_room_token(secret, room, token, expiry)
    assert not verify_room_token(secret, room + "x", token, expiry - 1)
    assert not verify_room_token(secret + b"x", room, token, expiry - 1)
    assert not verify_room_token(secret, room, token[:-1], expiry - 1)
    assert not verify_room_token(secret, room, f"{expiry + 1}{token[len(str(expiry)) :]}", 0)


@given(st.text(max_size=80))
def test_room_token_garbage_never_raises(token: str) -> None:
    assert not verify_room_token(b"k", "room", token, 0) or token == make_room_token(
        b"k", "room", int(token.partition(".")[0])
    )


def test_room_token_expiry_out_of_range() -> None:
    for expiry in (0, -5, 10**12):
        with pytest.raises(ValueError, match="expiry"):
            make_room_token(b"k", "room", expiry)
