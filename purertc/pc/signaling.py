"""The signaling state machine (W3C webrtc-pc §4.3.1, JSEP RFC 9429 §3.2) as one data table.

Every legal move is a row ``(state, side, description type) -> next state``; anything else is
an ``InvalidStateError``. ``side`` is ``"local"`` for set_local_description and ``"remote"`` for
set_remote_description. Rollback returns to ``stable`` from the two offer states only.
"""

from __future__ import annotations

from typing import Literal

from .errors import InvalidStateError

Side = Literal["local", "remote"]

STABLE = "stable"
HAVE_LOCAL_OFFER = "have-local-offer"
HAVE_REMOTE_OFFER = "have-remote-offer"
HAVE_LOCAL_PRANSWER = "have-local-pranswer"
HAVE_REMOTE_PRANSWER = "have-remote-pranswer"
CLOSED = "closed"

TRANSITIONS: dict[tuple[str, Side, str], str] = {
    (STABLE, "local", "offer"): HAVE_LOCAL_OFFER,
    (STABLE, "remote", "offer"): HAVE_REMOTE_OFFER,
    (HAVE_LOCAL_OFFER, "local", "offer"): HAVE_LOCAL_OFFER,
    (HAVE_LOCAL_OFFER, "remote", "answer"): STABLE,
    (HAVE_LOCAL_OFFER, "remote", "pranswer"): HAVE_REMOTE_PRANSWER,
    (HAVE_LOCAL_OFFER, "local", "rollback"): STABLE,
    (HAVE_LOCAL_OFFER, "remote", "rollback"): STABLE,
    (HAVE_REMOTE_OFFER, "remote", "offer"): HAVE_REMOTE_OFFER,
    (HAVE_REMOTE_OFFER, "local", "answer"): STABLE,
    (HAVE_REMOTE_OFFER, "local", "pranswer"): HAVE_LOCAL_PRANSWER,
    (HAVE_REMOTE_OFFER, "local", "rollback"): STABLE,
    (HAVE_REMOTE_OFFER, "remote", "rollback"): STABLE,
    (HAVE_LOCAL_PRANSWER, "local", "pranswer"): HAVE_LOCAL_PRANSWER,
    (HAVE_LOCAL_PRANSWER, "local", "answer"): STABLE,
    (HAVE_REMOTE_PRANSWER, "remote", "pranswer"): HAVE_REMOTE_PRANSWER,
    (HAVE_REMOTE_PRANSWER, "remote", "answer"): STABLE,
}

DESCRIPTION_TYPES = ("offer", "pranswer", "answer", "rollback")


def next_signaling_state(state: str, side: Side, description_type: str) -> str:
    """The state after applying a ``description_type`` description on ``side``, or raise."""
    if state == CLOSED:
        raise InvalidStateError("the peer connection is closed")
    if description_type not in DESCRIPTION_TYPES:
        raise InvalidStateError(f"description type {description_type!r} is not one of "
                                f"{', '.join(DESCRIPTION_TYPES)}")  # fmt: skip
    try:
        return TRANSITIONS[(state, side, description_type)]
    except KeyError:
        raise InvalidStateError(
            f"cannot set a {side} {description_type} in signaling state {state}"
        ) from None


def implicit_type(state: str) -> str:
    """What set_local_description() without a description creates (W3C §4.4.1.5)."""
    if state in (HAVE_REMOTE_OFFER, HAVE_LOCAL_PRANSWER):
        return "answer"
    return "offer"
