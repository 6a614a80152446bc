"""One agent fed crafted STUN: authentication, caps, aggressive nomination, gathering."""

from __future__ import annotations

import random

from purertc.ice import Agent, Candidate, Transmit
from purertc.ice.events import GatheringComplete, SelectedPairChanged, ServerError
from purertc.stun import (
    IceControlling,
    Message,
    MessageClass,
    Method,
    Priority,
    UseCandidate,
    Username,
    XorMappedAddress,
)

LOCAL = ("10.0.0.1", 5000)
REMOTE_UFRAG, REMOTE_PWD = "peer", "peer-password-peer-password"


def controlled_agent(**kwargs: object) -> Agent:
    agent = Agent(controlling=False, rng=random.Random(7), **kwargs)  # type: ignore[arg-type]
    agent.add_local_socket(LOCAL)
    agent.set_remote_credentials(REMOTE_UFRAG, REMOTE_PWD)
    agent.gather()
    while agent.next_event() is not None:
        pass
    return agent


def check(
    agent: Agent,
    *,
    use_candidate: bool = False,
    password: str | None = None,
    ufrag: str | None = None,
    tid: bytes = b"t" * 12,
) -> bytes:
    attributes: list[object] = [
        Username(f"{ufrag or agent.local_ufrag}:{REMOTE_UFRAG}"),
        Priority(1845501695),
        IceControlling(1),
    ]
    if use_candidate:
        attributes.append(UseCandidate())
    message = Message(Method.BINDING, MessageClass.REQUEST, tid, attributes)  # type: ignore[arg-type]
    return message.serialize((password or agent.local_password).encode(), fingerprint=True)


def answer(request: Transmit) -> bytes:
    parsed = Message.parse(request.data)
    response = Message(
        Method.BINDING,
        MessageClass.SUCCESS_RESPONSE,
        parsed.transaction_id,
        [XorMappedAddress(*request.source)],
    )
    return response.serialize(REMOTE_PWD.encode(), fingerprint=True)


def test_unauthenticated_and_malformed_checks_are_dropped_and_counted() -> None:
    agent = controlled_agent()
    peer = ("10.0.0.9", 9)
    agent.receive(check(agent, password="wrong-password-wrong-pass"), peer, LOCAL, 0.0)
    agent.receive(check(agent, ufrag="someone-else"), peer, LOCAL, 0.0)
    agent.receive(b"\x00\x01\x00\x08garbage", peer, LOCAL, 0.0)
    assert agent.datagrams_to_send(0.0) == []
    assert agent.stats.unauthenticated == 2
    assert agent.stats.malformed == 1
    assert agent.remote_candidates == []
    # data from an address with no pair is not passed up
    agent.receive(b"\x80rtp", peer, LOCAL, 0.0)
    assert agent.next_event() is None
    assert agent.stats.unknown_destination == 1


def test_check_flood_from_many_sources_is_bounded() -> None:
    agent = controlled_agent(max_remote_candidates=20, max_pairs=10)
    for i in range(200):
        source = (f"10.1.{i // 250}.{i % 250}", 1000 + i)
        agent.receive(check(agent, tid=i.to_bytes(12, "big")), source, LOCAL, i * 0.001)
    assert len(agent.remote_candidates) == 20
    assert len(agent.check_list) <= 10
    assert agent.stats.remote_candidates_refused == 180
    # every authentic check is still answered (RFC 8445 §7.3)
    responses = [
        t
        for t in agent.datagrams_to_send(1.0)
        if Message.parse(t.data).message_class is MessageClass.SUCCESS_RESPONSE
    ]
    assert len(responses) == 200


def test_aggressive_nomination_is_accepted() -> None:
    agent = controlled_agent()
    peer = ("10.0.0.9", 9)
    agent.receive(check(agent, use_candidate=True), peer, LOCAL, 0.0)
    out = agent.datagrams_to_send(0.0)
    kinds = [Message.parse(t.data).message_class for t in out]
    assert kinds == [MessageClass.SUCCESS_RESPONSE, MessageClass.REQUEST]  # response + triggered
    triggered = out[1]
    assert triggered.destination == peer and triggered.source == LOCAL
    agent.receive(answer(triggered), peer, LOCAL, 0.01)
    events = []
    while (event := agent.next_event()) is not None:
        events.append(event)
    assert SelectedPairChanged in [type(e) for e in events]
    assert agent.state == "connected"


def test_response_from_another_address_fails_the_pair() -> None:
    agent = controlled_agent()
    agent.add_remote_candidate(Candidate.from_sdp("1 1 udp 2130706431 10.0.0.9 9 typ host"))
    (request,) = agent.datagrams_to_send(0.0)
    agent.receive(answer(request), ("10.0.0.99", 9), LOCAL, 0.01)
    (pair,) = agent.check_list.pairs
    assert pair.state.value == "failed"


def test_forged_response_is_ignored_and_the_transaction_keeps_waiting() -> None:
    agent = controlled_agent()
    agent.add_remote_candidate(Candidate.from_sdp("1 1 udp 2130706431 10.0.0.9 9 typ host"))
    (request,) = agent.datagrams_to_send(0.0)
    tid = Message.parse(request.data).transaction_id
    forged = Message(Method.BINDING, MessageClass.SUCCESS_RESPONSE, tid, [XorMappedAddress(*LOCAL)])
    agent.receive(forged.serialize(b"not the password"), request.destination, LOCAL, 0.01)
    assert agent.stats.unauthenticated == 1
    agent.receive(answer(request), request.destination, LOCAL, 0.02)
    assert agent.check_list.pairs[0].state.value == "succeeded"


def test_unanswered_stun_server_is_reported_and_gathering_completes() -> None:
    agent = Agent(controlling=True, rng=random.Random(1), stun_rto=0.1, stun_transmissions=3)
    agent.add_local_socket(LOCAL)
    agent.add_stun_server(("198.51.100.1", 3478))
    agent.gather()
    now = 0.0
    sent = 0
    while (timer := agent.get_timer()) is not None and now < 10:
        sent += len(agent.datagrams_to_send(now))
        now = max(now, timer)
        agent.handle_timer(now)
    events = []
    while (event := agent.next_event()) is not None:
        events.append(type(event))
    assert sent == 3
    assert ServerError in events and events[-1] is GatheringComplete
    assert agent.gathering_state == "complete"


def test_mdns_and_foreign_candidates_are_refused() -> None:
    agent = controlled_agent()
    assert not agent.add_remote_candidate(Candidate.from_sdp("1 1 udp 1 abc.local 9 typ host"))
    assert not agent.add_remote_candidate(Candidate.from_sdp("1 2 udp 1 10.0.0.9 9 typ host"))
    assert not agent.add_remote_candidate(
        Candidate.from_sdp("1 1 tcp 1 10.0.0.9 9 typ host tcptype passive")
    )
    assert agent.add_remote_candidate(Candidate.from_sdp("1 1 udp 1 10.0.0.9 9 typ host"))
    assert not agent.add_remote_candidate(Candidate.from_sdp("2 1 udp 5 10.0.0.9 9 typ host"))


def test_unknown_comprehension_required_attribute_gets_420() -> None:
    from purertc.stun import UnknownAttribute

    agent = controlled_agent()
    peer = ("10.0.0.9", 9)
    attributes: list[object] = [
        Username(f"{agent.local_ufrag}:{REMOTE_UFRAG}"),
        Priority(1845501695),
        IceControlling(1),
        UnknownAttribute(0x7F01, b"\x00\x00\x00\x01"),
    ]
    request = Message(Method.BINDING, MessageClass.REQUEST, b"u" * 12, attributes)  # type: ignore[arg-type]
    agent.receive(
        request.serialize(agent.local_password.encode(), fingerprint=True), peer, LOCAL, 0.0
    )
    (reply,) = agent.datagrams_to_send(0.0)
    response = Message.parse(reply.data)
    assert response.message_class is MessageClass.ERROR_RESPONSE
    assert response.error_code is not None and response.error_code.code == 420
    assert response.verify_integrity(agent.local_password.encode())
    assert agent.remote_candidates == []


def test_end_of_candidates_completes_without_waiting_for_a_timer() -> None:
    agent = controlled_agent()
    agent.add_remote_candidate(Candidate.from_sdp("1 1 udp 2130706431 10.0.0.9 9 typ host"))
    (request,) = agent.datagrams_to_send(0.0)
    agent.receive(answer(request), request.destination, LOCAL, 0.01)
    agent.receive(check(agent, use_candidate=True), request.destination, LOCAL, 0.02)
    agent.datagrams_to_send(0.02)
    assert agent.state == "connected"
    agent.add_remote_candidate(None)
    agent.datagrams_to_send(0.03)  # the next drain after the command, no timer involved
    assert agent.state == "completed"
