"""Two agents in simulated time through NATs, STUN and TURN servers (tests/netsim.py)."""

from __future__ import annotations

import pytest

from purertc.ice import Agent, Candidate
from purertc.ice.events import CandidateGathered, RoleChanged, ServerError
from tests.ice.ice_world import world
from tests.netsim import Addressed, Nat


def test_host_candidates_connect_and_carry_data_both_ways() -> None:
    w = world(b_socket=("10.0.0.2", 6000))
    w.connect(timeout=1.0)
    assert w.a.selected_pair is not None and w.b.selected_pair is not None
    assert w.a.selected_pair.remote.transport_address == w.b_socket
    assert w.a.send(b"\x80hello") and w.b.send(b"\x80world")
    w.net.run(w.net.now + 0.1)
    assert w.data("b") == [b"\x80hello"]
    assert w.data("a") == [b"\x80world"]
    assert w.states("a")[:2] == ["checking", "connected"]
    # every candidate was signalled and the peers said end-of-candidates: completed
    w.net.run(w.net.now + 1.0)
    assert w.a.state == "completed" and w.b.state == "completed"


def test_first_check_goes_out_at_once_and_later_ones_are_paced_by_ta() -> None:
    a = Agent(controlling=True, ta=0.05)
    a.add_local_socket(("10.0.0.1", 1))
    a.add_local_socket(("10.0.0.1", 2))
    a.set_remote_credentials("ufrag", "password-password-pass")
    a.gather()
    a.add_remote_candidate(Candidate.from_sdp("1 1 udp 2130706431 10.0.0.9 9 typ host"))
    first = a.datagrams_to_send(100.0)
    assert len(first) == 1
    assert a.datagrams_to_send(100.01) == []
    assert a.get_timer() == pytest.approx(100.05)
    a.handle_timer(100.05)
    assert len(a.datagrams_to_send(100.05)) == 1


@pytest.mark.parametrize("kind", ["full-cone", "address-restricted", "port-restricted"])
def test_both_behind_cone_nats_connect_through_srflx(kind: str) -> None:
    w = world(a_nat=Nat(kind, "203.0.113.1"), b_nat=Nat(kind, "203.0.113.2"), stun=True)
    w.connect(timeout=10.0)
    pair = w.a.selected_pair
    assert pair is not None
    assert pair.remote.address == "203.0.113.2"
    gathered = [e.candidate.type for e in w.net.events["a"] if isinstance(e, CandidateGathered)]
    assert gathered == ["host", "srflx"]
    assert w.a.send(b"\x80x")
    w.net.run(w.net.now + 0.1)
    assert w.data("b") == [b"\x80x"]


def test_symmetric_nat_against_full_cone_connects_via_peer_reflexive() -> None:
    w = world(
        a_nat=Nat("symmetric", "203.0.113.1"), b_nat=Nat("full-cone", "203.0.113.2"), stun=True
    )
    w.connect(timeout=10.0)
    b_pair = w.b.selected_pair
    assert b_pair is not None
    # the symmetric NAT's mapping towards b differs from the STUN-learned one: prflx on b
    assert b_pair.remote.type == "prflx"
    assert b_pair.remote.address == "203.0.113.1"


def test_two_symmetric_nats_need_the_relay() -> None:
    w = world(
        a_nat=Nat("symmetric", "203.0.113.1"),
        b_nat=Nat("symmetric", "203.0.113.2"),
        stun=True,
        turn=True,
    )
    w.connect(timeout=15.0)
    assert w.a.selected_pair is not None and w.b.selected_pair is not None
    assert "relay" in (w.a.selected_pair.local.type, w.a.selected_pair.remote.type)
    assert w.a.send(b"\x80via relay")
    w.net.run(w.net.now + 0.5)
    assert w.data("b") == [b"\x80via relay"]


def test_relay_only_policy_offers_only_relay_candidates_and_hides_addresses() -> None:
    w = world(
        a_nat=Nat("port-restricted", "203.0.113.1"),
        b_socket=("10.0.0.2", 6000),
        stun=True,
        turn=True,
        a_kwargs={"transport_policy": "relay"},
    )
    w.connect(timeout=15.0)
    gathered = [e.candidate for e in w.net.events["a"] if isinstance(e, CandidateGathered)]
    assert [c.type for c in gathered] == ["relay"]
    assert (gathered[0].related_address, gathered[0].related_port) == ("0.0.0.0", 0)
    pair = w.a.selected_pair
    assert pair is not None and pair.local.type == "relay"


def test_turn_with_sha256_password_algorithm() -> None:
    w = world(
        a_nat=Nat("symmetric", "203.0.113.1"),
        b_nat=Nat("symmetric", "203.0.113.2"),
        turn=True,
        turn_sha256=True,
    )
    w.connect(timeout=15.0)
    assert w.turn is not None and len(w.turn.allocations) == 2


def test_role_conflict_both_controlling_resolves_by_tie_breaker() -> None:
    w = world(
        b_socket=("10.0.0.2", 6000),
        a_kwargs={"tie_breaker": 5},
        b_kwargs={"controlling": True, "tie_breaker": 9},
    )
    w.connect(timeout=2.0)
    assert w.b.controlling and not w.a.controlling
    assert any(isinstance(e, RoleChanged) for e in w.net.events["a"])
    assert w.a.selected_pair is not None
    assert w.a.selected_pair.remote.transport_address == w.b_socket


def test_role_conflict_both_controlled_resolves_by_tie_breaker() -> None:
    w = world(
        b_socket=("10.0.0.2", 6000),
        a_kwargs={"controlling": False, "tie_breaker": 9},
        b_kwargs={"tie_breaker": 5},
    )
    w.connect(timeout=2.0)
    assert w.a.controlling and not w.b.controlling


def test_local_lite_agent_with_a_full_peer() -> None:
    w = world(b_socket=("10.0.0.2", 6000), b_kwargs={"lite": True})
    w.connect(timeout=2.0)
    assert w.b.stats.checks_sent == 0
    assert w.b.selected_pair is not None
    assert w.b.send(b"\x80from lite")
    w.net.run(w.net.now + 0.1)
    assert w.data("a") == [b"\x80from lite"]
    # the lite side keeps the binding alive with indications every 15 s (RFC 8445 §11) and
    # stays connected on the full side's consent checks
    indications = [0]

    def count_indications(datagram: Addressed) -> bool:
        if datagram.source == w.b_socket and datagram.data[:2] == b"\x00\x11":
            indications[0] += 1
        return False  # observe only

    w.net.drop = count_indications
    w.net.run(w.net.now + 60.0)
    assert indications[0] == 4
    assert w.b.state in ("connected", "completed") and w.a.state == "completed"


def test_full_agent_controls_when_the_peer_is_lite() -> None:
    w = world(
        b_socket=("10.0.0.2", 6000),
        a_kwargs={"controlling": False},
        b_kwargs={"lite": True},
    )
    assert w.a.controlling
    w.connect(timeout=2.0)


def test_trickle_late_candidates_still_connect() -> None:
    w = world(b_socket=("10.0.0.2", 6000), signalling=False)
    w.net.run(w.net.now + 3.0)
    assert w.a.state == "new" and w.b.state == "new"
    w.release()
    w.connect(timeout=1.0)


def test_one_side_trickles_the_other_learns_prflx_from_checks() -> None:
    w = world(b_socket=("10.0.0.2", 6000), signalling=False)
    # only a's candidates reach b: b checks a, a learns b as peer reflexive and answers
    w.net.flush()
    assert w.held["a"]
    for candidate in w.held["a"]:
        w.b.add_remote_candidate(candidate)
    w.connect(timeout=2.0)
    pair = w.a.selected_pair
    assert pair is not None and pair.remote.type == "prflx"


def test_consent_loss_disconnects_recovers_then_fails_at_30s() -> None:
    w = world(b_socket=("10.0.0.2", 6000))
    w.connect(timeout=1.0)
    cut = [True]
    w.net.drop = lambda datagram: cut[0]
    w.net.run_until(lambda: w.a.state == "disconnected", timeout=12.0)
    cut[0] = False
    w.net.run_until(lambda: w.a.state in ("connected", "completed"), timeout=10.0)
    cut[0] = True
    lost_at = w.net.now
    w.net.run_until(lambda: w.a.state == "failed", timeout=40.0)
    assert w.net.now - lost_at <= 31.0
    assert not w.a.send(b"\x80no consent")
    assert w.states("a")[-3:] == [
        "completed",
        "disconnected",
        "failed",
    ] or "disconnected" in w.states("a")


def test_consent_checks_are_randomized_around_five_seconds() -> None:
    w = world(b_socket=("10.0.0.2", 6000))
    w.connect(timeout=1.0)
    before = w.a.stats.checks_sent
    w.net.run(w.net.now + 60.0)
    sent = w.a.stats.checks_sent - before
    assert 9 <= sent <= 16  # one every 4-6 s
    assert w.a.state == "completed"


def test_restart_selects_a_new_pair_while_data_keeps_flowing() -> None:
    w = world(b_socket=("10.0.0.2", 6000))
    w.connect(timeout=1.0)
    old_ufrag = w.a.local_ufrag
    w.a.restart()
    assert w.a.local_ufrag != old_ufrag
    # data still flows on the old pair before the peer even learns of the restart
    assert w.a.send(b"\x80during restart")
    w.net.run(w.net.now + 0.1)
    assert w.data("b") == [b"\x80during restart"]
    w.b.set_remote_credentials(w.a.local_ufrag, w.a.local_password)  # peer renews its own too
    w.a.set_remote_credentials(w.b.local_ufrag, w.b.local_password)
    w.net.run(w.net.now + 0.1)  # both re-report their candidates through signalling
    w.net.run_until(lambda: len(w.selections("a")) == 2 and len(w.selections("b")) == 2, 5.0)
    w.connect(timeout=1.0)
    assert w.a.send(b"\x80after restart")
    w.net.run(w.net.now + 0.1)
    assert w.data("b")[-1] == b"\x80after restart"


def test_restart_recovers_from_failed() -> None:
    w = world(b_socket=("10.0.0.2", 6000))
    w.connect(timeout=1.0)
    w.net.drop = lambda datagram: True
    w.net.run_until(lambda: w.a.state == "failed", timeout=40.0)
    w.net.drop = None
    w.a.restart()
    w.b.set_remote_credentials(w.a.local_ufrag, w.a.local_password)
    w.a.set_remote_credentials(w.b.local_ufrag, w.b.local_password)
    w.net.run_until(lambda: w.a.state in ("connected", "completed"), timeout=5.0)


def test_unreachable_peer_fails_after_end_of_candidates() -> None:
    w = world(
        a_nat=Nat("port-restricted", "203.0.113.1"),
        b_nat=Nat("symmetric", "203.0.113.2"),
        stun=True,
    )
    w.net.run_until(lambda: w.a.state == "failed" and w.b.state == "failed", timeout=30.0)


def test_close_stops_everything() -> None:
    w = world(b_socket=("10.0.0.2", 6000))
    w.connect(timeout=1.0)
    w.a.close()
    assert w.a.state == "closed"
    assert w.a.get_timer() is None
    assert not w.a.send(b"\x80")


@pytest.mark.parametrize("seed", range(12))
def test_timers_always_move_time_forward(seed: int) -> None:
    """No deadline is returned that handling it does not clear (no busy loop), with loss,
    a cut and a recovery, across seeds (float rounding once made a 30 s deadline spin)."""
    w = world(b_socket=("10.0.0.2", 6000), seed=seed)
    w.net.loss = 0.2
    w.connect(timeout=20.0)
    cut = [False]
    w.net.drop = lambda datagram: cut[0]
    stalled = [0, -1.0]

    def watchdog() -> bool:
        if w.net.now == stalled[1]:
            stalled[0] += 1
            assert stalled[0] < 200, f"time stuck at {w.net.now}"
        else:
            stalled[:] = [0, w.net.now]
        return False

    for flip in (True, False, True):
        cut[0] = flip
        w.net.run(w.net.now + 20.0, stop=watchdog)
    w.net.run(w.net.now + 20.0, stop=watchdog)
    assert w.a.state == "failed" and w.b.state == "failed"


def test_dual_stack_pairs_by_family_and_prefers_ipv6() -> None:
    w = world(a_socket=("2001:db8::1", 5000), b_socket=("2001:db8::2", 6000), signalling=False)
    w.a.add_local_socket(("10.0.0.1", 5001))
    w.b.add_local_socket(("10.0.0.2", 6001))
    w.net.nodes["a"].addresses.add(("10.0.0.1", 5001))
    w.net.nodes["b"].addresses.add(("10.0.0.2", 6001))
    w.release()
    w.connect(timeout=2.0)
    assert len(w.a.check_list) == 2  # v6-v6 and v4-v4, never across families
    pair = w.a.selected_pair
    assert pair is not None and pair.remote.address == "2001:db8::2"


def test_several_turn_servers_give_several_relay_candidates() -> None:
    from purertc.ice.events import CandidateGathered as Gathered
    from tests.netsim import TurnServer

    w = world(
        a_nat=Nat("symmetric", "203.0.113.1"), b_socket=("10.0.0.2", 6000), turn=True, gather=False
    )
    second = ("198.51.100.3", 3478)
    w.net.add_node("turn2", TurnServer(w.net, "turn2", second, {"bob": "pw"}), [second])
    w.a.add_turn_server(second, "bob", "pw")
    w.a.gather()
    w.b.gather()
    w.connect(timeout=5.0)
    w.net.run(w.net.now + 1.0)
    relays = {
        e.candidate.address
        for e in w.net.events["a"]
        if isinstance(e, Gathered) and e.candidate.type == "relay"
    }
    assert relays == {"198.51.100.2", "198.51.100.3"}
    assert w.a.gathering_state == "complete"


def test_one_server_for_stun_and_turn_gives_srflx_and_relay() -> None:
    from tests.ice.ice_world import TURN

    w = world(
        a_nat=Nat("port-restricted", "203.0.113.1"),
        b_socket=("10.0.0.2", 6000),
        turn=True,
        gather=False,
    )
    w.a.add_stun_server(TURN)
    w.a.gather()
    w.b.gather()
    w.net.run_until(lambda: w.a.gathering_state == "complete", timeout=5.0)
    types = [e.candidate.type for e in w.net.events["a"] if isinstance(e, CandidateGathered)]
    assert sorted(types) == ["host", "relay", "srflx"]
    assert not any(isinstance(e, ServerError) for e in w.net.events["a"])


def test_candidate_pool_gathered_before_the_peer_is_known() -> None:
    w = world(
        a_nat=Nat("full-cone", "203.0.113.1"),
        b_socket=("10.0.0.2", 6000),
        stun=True,
        signalling=False,
    )
    w.net.run(w.net.now + 2.0)  # gathering done ahead of any offer/answer
    assert w.a.gathering_state == "complete" and w.a.state == "new"
    w.release()
    w.connect(timeout=2.0)


def test_checks_arriving_before_the_answer_are_answered_and_kept() -> None:
    """The offerer's checks can beat the answer's credentials to the answerer's agent."""
    w = world(b_socket=("10.0.0.2", 6000), a_knows_b=False)
    w.net.run(w.net.now + 0.5)
    assert w.a.stats.checks_sent == 0 and w.a.stats.checks_received > 0
    assert w.a.check_list.pairs  # b's checks created a pair (prflx or signalled)
    w.a.set_remote_credentials(w.b.local_ufrag, w.b.local_password)
    w.connect(timeout=2.0)


def test_restart_under_relay_policy_reports_only_hidden_relay_candidates() -> None:
    w = world(
        a_nat=Nat("port-restricted", "203.0.113.1"),
        b_socket=("10.0.0.2", 6000),
        stun=True,
        turn=True,
        a_kwargs={"transport_policy": "relay"},
    )
    w.connect(timeout=15.0)
    before = len(w.net.events["a"])
    w.a.restart()
    w.net.flush()
    again = [e.candidate for e in w.net.events["a"][before:] if isinstance(e, CandidateGathered)]
    assert [(c.type, c.related_address) for c in again] == [("relay", "0.0.0.0")]


def test_signalled_candidate_replaces_the_prflx_learned_first() -> None:
    w = world(b_socket=("10.0.0.2", 6000), signalling=False)
    w.net.flush()
    for candidate in w.held["a"]:
        w.b.add_remote_candidate(candidate)
    w.connect(timeout=2.0)
    (learned,) = w.a.remote_candidates
    assert learned.type == "prflx"
    w.release()  # b's host candidate arrives late, at the same address
    (remote,) = w.a.remote_candidates
    assert remote.type == "host"
    pair = w.a.selected_pair
    assert pair is not None and pair.remote.type == "host" and pair.nominated


def test_timer_after_close_is_only_the_turn_deallocation() -> None:
    w = world(a_nat=Nat("symmetric", "203.0.113.1"), b_socket=("10.0.0.2", 6000), turn=True)
    w.connect(timeout=5.0)
    w.a.close()
    timer = w.a.get_timer()
    assert timer is not None and timer < w.net.now + 1.0  # the Refresh(0) retransmission
    w.net.run(w.net.now + 60.0)
    assert w.a.get_timer() is None
    assert w.turn is not None and len(w.turn.allocations) == 1  # only b's remains


def test_relayed_session_survives_half_an_hour_of_expiring_turn_state() -> None:
    """Allocations, permissions and channels expire on the simulated server unless the
    client refreshes them: after 30 minutes the relayed pair still carries data."""
    from purertc.stun import Method

    w = world(
        a_nat=Nat("symmetric", "203.0.113.1"),
        b_nat=Nat("symmetric", "203.0.113.2"),
        turn=True,
    )
    w.connect(timeout=15.0)
    w.net.run(w.net.now + 1800.0)
    assert w.a.state == "completed" and w.b.state == "completed"
    assert w.a.send(b"\x80still here")
    w.net.run(w.net.now + 0.5)
    assert w.data("b")[-1] == b"\x80still here"
    assert w.turn is not None
    done = [method for method, code in w.turn.requests if code == 0]
    assert done.count(Method.REFRESH) >= 2 * 3  # each client, every 540 s
    assert done.count(Method.CHANNEL_BIND) >= 2 * 4  # bound, then refreshed every 540 s
