"""Property: over any lossy, reordering, duplicating link, a handshake either completes with
matching keys on both sides, or ends in ``Failed`` after the retransmission budget; nothing
raises, nothing hangs, data flows once both sides are connected, and then the link goes quiet
(no timer left running, no flights answering each other)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from purertc.dtls import Failed, HandshakeComplete
from tests.dtls.dtls_helpers import completed, ended, endpoint_pair, events_of, received_data
from tests.netsim import Link, Simulation

links = st.builds(
    Link,
    delay=st.floats(0.001, 0.3),
    jitter=st.floats(0.0, 0.1),
    loss=st.floats(0.0, 0.6),
    duplicate=st.floats(0.0, 0.3),
    reorder=st.floats(0.0, 0.5),
    reorder_delay=st.floats(0.0, 0.5),
)


@settings(max_examples=60)
@given(links, links, st.integers(0, 2**32 - 1), st.booleans())
def test_handshake_over_any_link(ab: Link, ba: Link, seed: int, client_is_a: bool) -> None:
    client, server = endpoint_pair(max_retransmissions=6)
    a, b = (client, server) if client_is_a else (server, client)
    sim = Simulation(a, b, link_ab=ab, link_ba=ba, seed=seed)
    client.start_handshake()
    sim.run_until(lambda: completed(sim) or ended(sim, "a") or ended(sim, "b"), timeout=600)
    if not completed(sim):
        failures = events_of(sim, "a", Failed) + events_of(sim, "b", Failed)
        assert failures and all("timed out" in f.reason for f in failures)
        return
    first, second = (events_of(sim, name, HandshakeComplete)[0] for name in ("a", "b"))
    assert first.srtp_keys is not None and second.srtp_keys is not None
    assert first.srtp_keys.local_key == second.srtp_keys.remote_key
    assert first.srtp_keys.remote_salt == second.srtp_keys.local_salt
    # Both connected: application data gets through once the link lets a copy pass.
    for attempt in range(200):
        client.send(b"ping %d" % attempt)
        sim.run(sim.now + 1.0)
        if received_data(sim, "b" if client_is_a else "a"):
            break
    else:
        raise AssertionError("no application data got through in 200 tries")
    # Then quiet: no timer left, and no flight answering another forever.
    sim.run(sim.now + 5)
    sent = sim.stats["a->b"].sent + sim.stats["b->a"].sent
    sim.run(sim.now + 300)
    assert sim.stats["a->b"].sent + sim.stats["b->a"].sent == sent
    assert client.get_timer() is None and server.get_timer() is None
