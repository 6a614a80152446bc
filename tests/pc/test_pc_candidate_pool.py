"""``ice_candidate_pool_size`` (W3C §4.4.1.6, JSEP §3.5.4): gathering at construction, the
candidates held until set_local_description, and validation of the configuration enums."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from purertc import RTCConfiguration, RTCIceCandidate, RTCPeerConnection
from purertc.dtls import Certificate
from tests.pc.pc_helpers import (
    connect,
    echo_exchange,
    echo_incoming,
    loopback_configuration,
    wait_open,
)

pytestmark = pytest.mark.timeout(30)


def pooled() -> RTCPeerConnection:
    configuration = dataclasses.replace(loopback_configuration(), ice_candidate_pool_size=1)
    return RTCPeerConnection(configuration)


async def test_pool_gathers_before_and_announces_after_set_local_description() -> None:
    pc = pooled()
    events: list[RTCIceCandidate | None] = []
    states: list[str] = []
    pc.on("icecandidate", events.append)
    pc.on("icegatheringstatechange", lambda: states.append(pc.ice_gathering_state))
    pc.create_data_channel("pool")
    assert pc._pool_task is not None
    await pc._pool_task
    assert pc._driver is not None and pc._driver.sockets  # bound at construction
    offer = await pc.create_offer()  # the pooled candidates are ready before SLD
    assert offer.sdp.count("a=candidate:") == 1 and "a=end-of-candidates" in offer.sdp
    assert events == [] and states == [] and pc.ice_gathering_state == "new"
    await pc.set_local_description(offer)
    assert states == ["gathering", "complete"]
    assert len(events) == 2 and events[-1] is None
    first = events[0]
    assert first is not None and "127.0.0.1" in first.candidate and first.sdp_mid == "0"
    local = pc.local_description
    assert local is not None
    assert local.sdp.count("a=candidate:") == 1 and "a=end-of-candidates" in local.sdp
    await pc.close()


async def test_pool_before_create_offer_completes_the_description_at_sld() -> None:
    """An offer created before the pool finished gets the candidates at SLD, once each."""
    pc = pooled()
    pc.create_data_channel("pool")
    offer = await pc.create_offer()  # the pool task has not run yet
    assert "a=candidate:" not in offer.sdp
    await pc.set_local_description(offer)
    local = pc.local_description
    assert local is not None
    assert local.sdp.count("a=candidate:") == 1 and "a=end-of-candidates" in local.sdp
    await pc.close()


@pytest.mark.parametrize("who", ["offerer", "answerer", "both"])
async def test_pooled_connections_connect(who: str) -> None:
    a = pooled() if who in ("offerer", "both") else RTCPeerConnection(loopback_configuration())
    b = pooled() if who in ("answerer", "both") else RTCPeerConnection(loopback_configuration())
    echo_incoming(b)
    channel = a.create_data_channel("pooled")
    await asyncio.sleep(0)  # the pools run
    await connect(a, b)
    assert a._agent is not None and a._agent.controlling
    assert b._agent is not None and not b._agent.controlling  # the remote offer fixed it
    await wait_open(channel)
    await echo_exchange(channel, ["pooled", b"\x00"])
    await a.close()
    await b.close()


async def test_without_pool_nothing_is_bound_before_set_local_description() -> None:
    pc = RTCPeerConnection(loopback_configuration())
    await asyncio.sleep(0)
    assert pc._pool_task is None and pc._driver is None
    await pc.close()


@pytest.mark.parametrize("run_pool", [True, False])
async def test_close_releases_a_pool_that_never_negotiated(run_pool: bool) -> None:
    pc = pooled()
    if run_pool:
        assert pc._pool_task is not None
        await pc._pool_task
        assert pc._driver is not None
        sockets = [udp.sock for udp in pc._driver.sockets.values()]
        assert sockets
    else:
        sockets = []  # closed before the pool task ran: it never binds
    await pc.close()
    await asyncio.sleep(0)
    assert all(sock.fileno() == -1 for sock in sockets)
    assert pc._driver is not None and not pc._driver.sockets and pc._driver._timer is None
    assert pc._pool_task is not None and pc._pool_task.done()
    current = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not current] == []


def test_pool_constructed_outside_a_loop_starts_at_the_first_coroutine() -> None:
    pc = pooled()
    assert pc._pool_task is None

    async def negotiate() -> str:
        pc.create_data_channel("late")
        await pc.set_local_description()
        local = pc.local_description
        assert local is not None
        await pc.close()
        return local.sdp

    sdp = asyncio.run(negotiate())
    assert pc._pool_task is not None
    assert sdp.count("a=candidate:") == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("bundle_policy", "max-bundles"),
        ("bundle_policy", "MAX-BUNDLE"),
        ("ice_transport_policy", "none"),
        ("ice_candidate_pool_size", -1),
        ("ice_candidate_pool_size", 256),
        ("ice_candidate_pool_size", "1"),
        ("ice_candidate_pool_size", True),
    ],
)
def test_bad_configuration_values_are_refused(field: str, value: object) -> None:
    configuration = RTCConfiguration()
    setattr(configuration, field, value)
    with pytest.raises(TypeError, match=field):
        RTCPeerConnection(configuration)


async def test_every_bundle_policy_gives_the_same_single_section_offer() -> None:
    """One data m= section: balanced, max-compat and max-bundle coincide (same SDP but for
    the session id/version and the ICE credentials)."""
    certificate = Certificate.generate()
    offers = []
    for policy in ("balanced", "max-compat", "max-bundle"):
        configuration = loopback_configuration()
        configuration.bundlePolicy = policy  # type: ignore[attr-defined]
        configuration.certificates = [certificate]
        pc = RTCPeerConnection(configuration)
        assert pc.configuration.bundle_policy == policy
        pc.create_data_channel("b")
        offer = await pc.create_offer()
        assert offer.sdp.count("m=") == 1 and "a=group:BUNDLE 0" in offer.sdp
        offers.append(
            [
                line
                for line in offer.sdp.splitlines()
                if not line.startswith(("o=", "a=ice-ufrag:", "a=ice-pwd:"))
            ]
        )
        await pc.close()
    assert offers[0] == offers[1] == offers[2]
