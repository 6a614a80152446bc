"""Pair priority, formation rules, pruning, the frozen algorithm and the pair cap."""

from __future__ import annotations

from purertc.ice import Candidate, candidate_priority
from purertc.ice.checklist import (
    CandidatePair,
    CheckList,
    PairState,
    can_pair,
    pair_priority,
    pairing_candidate,
)


def cand(ctype: str, address: str, port: int, foundation: str = "f", **kw: object) -> Candidate:
    base = kw.pop("base", (address, port))
    return Candidate(
        foundation=foundation,
        component=1,
        transport="udp",
        priority=candidate_priority(ctype),
        address=address,
        port=port,
        type=ctype,
        base=base,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_pair_priority_formula_and_symmetry() -> None:
    a = cand("host", "10.0.0.1", 1)
    b = cand("srflx", "1.2.3.4", 2)
    g, d = a.priority, b.priority
    assert pair_priority(a, b, True) == (min(g, d) << 32) + 2 * max(g, d) + 1
    # the two agents compute the same number for the same pair
    assert pair_priority(a, b, True) == pair_priority(b, a, False)
    assert pair_priority(a, b, False) == (min(g, d) << 32) + 2 * max(g, d)


def test_can_pair_requires_component_transport_and_family() -> None:
    v4 = cand("host", "10.0.0.1", 1)
    assert can_pair(v4, cand("host", "10.0.0.2", 1))
    assert not can_pair(v4, cand("host", "::1", 1))
    tcp = Candidate("f", 1, "tcp", 1, "10.0.0.2", 9, "host")
    assert not can_pair(v4, tcp)
    other_component = Candidate("f", 2, "udp", 1, "10.0.0.2", 9, "host")
    assert not can_pair(v4, other_component)


def test_srflx_local_candidates_are_pruned_to_their_base() -> None:
    srflx = cand("srflx", "1.2.3.4", 5, base=("10.0.0.1", 5))
    assert pairing_candidate(srflx) is None
    host = cand("host", "10.0.0.1", 5)
    assert pairing_candidate(host) is host


def test_redundant_pair_keeps_the_higher_priority_one() -> None:
    checklist = CheckList()
    remote_low = cand("srflx", "1.2.3.4", 9)
    remote_high = cand("host", "1.2.3.4", 9)
    local = cand("host", "10.0.0.1", 5)
    first = checklist.add(CandidatePair(local, remote_low, True))
    again = checklist.add(CandidatePair(local, remote_high, True))
    assert first is again
    assert len(checklist) == 1
    assert checklist.pairs[0].remote.type == "host"


def test_pairs_sorted_and_initial_unfreeze_per_foundation() -> None:
    checklist = CheckList()
    local = cand("host", "10.0.0.1", 5, foundation="L")
    for i, (ctype, f) in enumerate([("srflx", "R1"), ("host", "R1"), ("relay", "R2")]):
        checklist.add(CandidatePair(local, cand(ctype, f"1.2.3.{i}", 9, foundation=f), True))
    assert [p.remote.type for p in checklist.pairs] == ["host", "srflx", "relay"]
    checklist.unfreeze_initial()
    states = [p.state for p in checklist.pairs]
    assert states == [PairState.WAITING, PairState.FROZEN, PairState.WAITING]
    checklist.pairs[0].state = PairState.SUCCEEDED
    checklist.unfreeze_foundation(checklist.pairs[0].foundation)
    assert checklist.pairs[1].state is PairState.WAITING


def test_next_waiting_unfreezes_when_nothing_waits() -> None:
    checklist = CheckList()
    local = cand("host", "10.0.0.1", 5)
    checklist.add(CandidatePair(local, cand("host", "1.2.3.4", 9), True))
    pair = checklist.next_waiting()
    assert pair is not None and pair.state is PairState.WAITING
    pair.state = PairState.FAILED
    assert checklist.next_waiting() is None
    assert checklist.all_failed()
    assert not checklist.pending()


def test_pair_cap_evicts_lowest_stateless_pairs_only() -> None:
    checklist = CheckList(max_pairs=3)
    local = cand("host", "10.0.0.1", 5)
    relays = [cand("relay", f"1.2.3.{i}", 9) for i in range(3)]
    for remote in relays:
        assert checklist.add(CandidatePair(local, remote, True)) is not None
    for pair in checklist.pairs:
        pair.state = PairState.IN_PROGRESS
    # full of in-progress pairs: a better newcomer cannot evict them
    assert checklist.add(CandidatePair(local, cand("host", "1.2.3.50", 9), True)) is None
    checklist.pairs[-1].state = PairState.FAILED
    host_pair = checklist.add(CandidatePair(local, cand("host", "1.2.3.51", 9), True))
    assert host_pair is not None and len(checklist) == 3
    assert checklist.pairs[0] is host_pair
    # a worse newcomer never evicts a better pair
    checklist.pairs[0].state = PairState.FROZEN
    assert checklist.add(CandidatePair(local, cand("relay", "1.2.3.99", 9), True)) is None
    assert len(checklist) == 3


def test_role_change_recomputes_priorities() -> None:
    checklist = CheckList()
    local = cand("relay", "10.0.0.1", 5)
    pair = checklist.add(CandidatePair(local, cand("host", "1.2.3.4", 9), True))
    assert pair is not None
    before = pair.priority
    checklist.recompute_priorities(controlling=False)
    assert pair.priority != before
    assert pair.priority == pair_priority(local, pair.remote, False)
