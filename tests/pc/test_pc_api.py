"""The API machinery without the network: signaling table, rollback, events, aliases,
configuration and description objects."""

from __future__ import annotations

import asyncio
import logging

import pytest

from purertc import (
    InvalidAccessError,
    InvalidStateError,
    PurertcSettings,
    RTCConfiguration,
    RTCDataChannel,
    RTCIceCandidate,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from purertc.pc.emitter import EventEmitter
from purertc.pc.signaling import TRANSITIONS, implicit_type, next_signaling_state
from tests.pc.pc_helpers import loopback_configuration

STATES = ["stable", "have-local-offer", "have-remote-offer", "have-local-pranswer",
          "have-remote-pranswer"]  # fmt: skip
TYPES = ["offer", "pranswer", "answer", "rollback"]


@pytest.mark.parametrize("state", STATES)
def test_signaling_table_allows_exactly_its_rows(state: str) -> None:
    for side in ("local", "remote"):
        for kind in TYPES:
            key = (state, side, kind)
            if key in TRANSITIONS:
                assert next_signaling_state(state, side, kind) == TRANSITIONS[key]
            else:
                with pytest.raises(InvalidStateError, match=f"{side} {kind}"):
                    next_signaling_state(state, side, kind)  # type: ignore[arg-type]


def test_signaling_rules() -> None:
    assert next_signaling_state("stable", "local", "offer") == "have-local-offer"
    assert next_signaling_state("have-local-offer", "remote", "answer") == "stable"
    assert next_signaling_state("have-remote-offer", "local", "rollback") == "stable"
    with pytest.raises(InvalidStateError):
        next_signaling_state("stable", "local", "rollback")
    with pytest.raises(InvalidStateError, match="closed"):
        next_signaling_state("closed", "local", "offer")
    assert implicit_type("stable") == "offer"
    assert implicit_type("have-remote-offer") == "answer"


def test_description_and_candidate_objects() -> None:
    with pytest.raises(InvalidAccessError):
        RTCSessionDescription("v=0", "bogus")
    candidate = RTCIceCandidate("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", 0, "uf")
    assert (
        candidate.to_json()
        == candidate.toJSON()
        == {  # type: ignore[attr-defined]
            "candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host",
            "sdpMid": "0",
            "sdpMLineIndex": 0,
            "usernameFragment": "uf",
        }
    )
    assert candidate.sdpMid == "0"  # type: ignore[attr-defined]


def test_configuration_aliases_read_and_write_the_fields() -> None:
    config = RTCConfiguration(ice_servers=[RTCIceServer("stun:example.org")])
    assert config.iceServers is config.ice_servers  # type: ignore[attr-defined]
    config.iceTransportPolicy = "relay"  # type: ignore[attr-defined]
    assert config.ice_transport_policy == "relay"
    assert config.purertc == PurertcSettings()


def test_every_alias_is_the_snake_case_object() -> None:
    for cls in (RTCPeerConnection, RTCDataChannel):
        table = cls.CAMEL_CASE_ALIASES  # type: ignore[attr-defined]
        assert table
        for camel, snake in table.items():
            assert cls.__dict__[camel] is cls.__dict__[snake], camel


def test_ice_server_urls_are_checked_at_construction() -> None:
    for bad in ("http://x", "stun:", "stun:host:99999", "turn:h?transport=sctp"):
        with pytest.raises(ValueError):
            RTCPeerConnection(RTCConfiguration(ice_servers=[RTCIceServer(bad)]))
    with pytest.raises(InvalidAccessError, match="username"):
        RTCPeerConnection(RTCConfiguration(ice_servers=[RTCIceServer("turn:example.org")]))
    RTCPeerConnection(RTCConfiguration(ice_servers=[RTCIceServer(["stun:example.org:19302"])]))


async def test_emitter_sync_async_decorator_and_failures(caplog: pytest.LogCaptureFixture) -> None:
    emitter = EventEmitter()
    seen: list[object] = []

    @emitter.on("x")
    def first(value: object) -> None:
        seen.append(("sync", value))

    async def second(value: object) -> None:
        seen.append(("async", value))

    def broken(value: object) -> None:
        raise RuntimeError("handler bug")

    emitter.on("x", broken)
    emitter.on("x", second)
    emitter.once("x", lambda value: seen.append(("once", value)))
    with caplog.at_level(logging.ERROR, logger="purertc.pc"):
        emitter.emit("x", 1)
        emitter.emit("x", 2)
        await asyncio.sleep(0)
    assert seen == [("sync", 1), ("once", 1), ("sync", 2), ("async", 1), ("async", 2)]
    assert "handler bug" in caplog.text
    emitter.remove_listener("x", first)
    assert emitter.listeners("x") == [broken, second]


async def test_offer_answer_rollback_and_descriptions() -> None:
    a = RTCPeerConnection(loopback_configuration())
    b = RTCPeerConnection(loopback_configuration())
    assert await a.createOffer() is not None  # type: ignore[attr-defined]
    a.create_data_channel("x")
    offer = await a.create_offer()
    assert "a=setup:actpass" in offer.sdp and "webrtc-datachannel" in offer.sdp
    assert "a=ice-options:trickle" in offer.sdp and "a=max-message-size:262144" in offer.sdp
    with pytest.raises(InvalidStateError):
        await a.create_answer()
    await a.set_local_description(offer)
    assert a.signaling_state == "have-local-offer"
    assert a.pending_local_description is not None and a.current_local_description is None
    local = a.local_description
    assert local is not None and "a=candidate:" in local.sdp and "a=end-of-candidates" in local.sdp
    with pytest.raises(InvalidStateError):
        await a.set_local_description(RTCSessionDescription(offer.sdp, "answer"))
    await a.set_local_description(RTCSessionDescription("", "rollback"))
    assert a.signaling_state == "stable" and a.local_description is None
    await a.set_local_description()  # implicit offer again
    await b.set_remote_description(a.local_description)  # type: ignore[arg-type]
    assert b.signaling_state == "have-remote-offer"
    await b.setLocalDescription()  # type: ignore[attr-defined]
    answer = b.local_description
    assert answer is not None and answer.type == "answer" and "a=setup:active" in answer.sdp
    assert b.current_remote_description is not None and b.pending_remote_description is None
    with pytest.raises(InvalidAccessError):
        await a.set_remote_description(RTCSessionDescription("garbage", "answer"))
    await a.close()
    await b.close()
    with pytest.raises(InvalidStateError):
        a.create_data_channel("late")


async def test_negotiationneeded_fires_once_for_the_first_channel() -> None:
    pc = RTCPeerConnection(loopback_configuration())
    fired: list[str] = []
    pc.on("negotiationneeded", lambda: fired.append(pc.signaling_state))
    pc.create_data_channel("a")
    pc.create_data_channel("b")
    await asyncio.sleep(0)
    assert fired == ["stable"]
    await pc.close()


def test_package_face_is_lazy_and_complete() -> None:
    """``import purertc.sdp`` alone must not load the peer connection (nor OpenSSL); every name
    of ``purertc.__all__`` resolves to the pc object."""
    import subprocess
    import sys

    import purertc
    import purertc.pc

    probe = "import sys, purertc.sdp; print('purertc.pc' in sys.modules, 'OpenSSL' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert output.stdout.split() == ["False", "False"]
    for name in purertc.__all__:
        if name != "__version__":
            assert getattr(purertc, name) is getattr(purertc.pc, name)
    with pytest.raises(AttributeError):
        purertc.NoSuchThing  # noqa: B018
