"""Perfect negotiation (the W3C webrtc-pc §10.7 example): two peers, one polite and one
impolite, both create a channel at once, so both make an offer (glare); the polite one rolls
back (implicitly, by setting the remote offer), answers, and both converge with every channel
open."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from purertc import RTCDataChannel, RTCPeerConnection
from tests.pc.pc_helpers import echo_exchange, echo_incoming, loopback_configuration, wait_open

pytestmark = pytest.mark.timeout(30)


class Peer:
    """The W3C example's code, one instance per side; ``inbox`` is the signaling channel."""

    def __init__(self, name: str, polite: bool) -> None:
        self.name = name
        self.polite = polite
        self.pc = RTCPeerConnection(loopback_configuration())
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.other: Peer | None = None
        self.making_offer = False
        self.ignore_offer = False
        self.collisions = 0
        self.pc.on("negotiationneeded", self.on_negotiation_needed)
        self.pc.on("icecandidate", lambda candidate: self.signal({"candidate": candidate}))

    def signal(self, message: dict[str, Any]) -> None:
        assert self.other is not None
        self.other.inbox.put_nowait(message)

    async def on_negotiation_needed(self) -> None:
        try:
            self.making_offer = True
            await self.pc.set_local_description()
            self.signal({"description": self.pc.local_description})
        finally:
            self.making_offer = False

    async def run(self) -> None:
        while True:
            message = await self.inbox.get()
            description = message.get("description")
            if description is not None:
                collision = description.type == "offer" and (
                    self.making_offer or self.pc.signaling_state != "stable"
                )
                self.ignore_offer = not self.polite and collision
                self.collisions += collision
                if self.ignore_offer:
                    continue
                await self.pc.set_remote_description(description)
                if description.type == "offer":
                    await self.pc.set_local_description()
                    self.signal({"description": self.pc.local_description})
            elif "candidate" in message:
                try:
                    await self.pc.add_ice_candidate(message["candidate"])
                except Exception:
                    if not self.ignore_offer:
                        raise


async def test_glare_converges_by_rollback() -> None:
    polite, impolite = Peer("polite", True), Peer("impolite", False)
    polite.other, impolite.other = impolite, polite
    echo_incoming(polite.pc)
    echo_incoming(impolite.pc)
    runners = [asyncio.ensure_future(peer.run()) for peer in (polite, impolite)]
    states: list[str] = []
    polite.pc.on("signalingstatechange", lambda: states.append(polite.pc.signaling_state))
    # Both sides want a channel in the same turn of the loop: both negotiationneeded handlers
    # run and both offers cross.
    from_polite: RTCDataChannel = polite.pc.create_data_channel("from-polite")
    from_impolite: RTCDataChannel = impolite.pc.create_data_channel("from-impolite")
    await wait_open(from_polite, timeout=10)
    await wait_open(from_impolite, timeout=10)
    assert polite.collisions == 1 and impolite.collisions == 1  # the offers crossed
    assert states[:3] == ["have-local-offer", "stable", "have-remote-offer"]  # rolled back
    assert polite.pc.signaling_state == impolite.pc.signaling_state == "stable"
    await echo_exchange(from_polite, ["polite says hi"])
    await echo_exchange(from_impolite, [b"impolite says hi"])
    assert from_polite.id is not None and from_impolite.id is not None
    assert from_polite.id % 2 == 0 and from_impolite.id % 2 == 1  # polite answered: DTLS client
    for runner in runners:
        runner.cancel()
    await asyncio.gather(*runners, return_exceptions=True)
    await polite.pc.close()
    await impolite.pc.close()
