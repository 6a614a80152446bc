"""restart_ice(): new ICE credentials through a new offer/answer while data keeps flowing."""

from __future__ import annotations

import asyncio

import pytest

from purertc import RTCPeerConnection
from tests.pc.pc_helpers import (
    connect,
    echo_exchange,
    echo_incoming,
    loopback_configuration,
    wait_open,
)

pytestmark = pytest.mark.timeout(30)


def ufrag(sdp: str) -> str:
    return next(line for line in sdp.splitlines() if line.startswith("a=ice-ufrag:"))


async def test_restart_ice_renegotiates_new_credentials_and_keeps_the_channel() -> None:
    a = RTCPeerConnection(loopback_configuration())
    b = RTCPeerConnection(loopback_configuration())
    echo_incoming(b)
    channel = a.create_data_channel("restart")
    await connect(a, b)
    await wait_open(channel)
    await echo_exchange(channel, ["before"])
    old_a = ufrag(a.local_description.sdp)  # type: ignore[union-attr]
    old_b = ufrag(b.local_description.sdp)  # type: ignore[union-attr]
    needed = asyncio.get_running_loop().create_future()
    a.on("negotiationneeded", lambda: needed.done() or needed.set_result(None))
    a.restart_ice()
    await asyncio.wait_for(needed, 1)
    await connect(a, b)
    offer_sdp = a.local_description.sdp  # type: ignore[union-attr]
    assert ufrag(offer_sdp) != old_a and ufrag(b.local_description.sdp) != old_b  # type: ignore[union-attr]
    assert offer_sdp.count("a=candidate:") == 1  # the new generation, not the old one again
    checked = asyncio.get_running_loop().create_future()

    def on_ice_state() -> None:
        if a.ice_connection_state in ("connected", "completed") and not checked.done():
            checked.set_result(a.ice_connection_state)

    a.on("iceconnectionstatechange", on_ice_state)
    on_ice_state()
    await echo_exchange(channel, ["after", b"\x01" * 3000])
    await asyncio.wait_for(checked, 5)  # the new generation's checks succeeded
    assert a.connection_state == "connected"
    await a.close()
    await b.close()
