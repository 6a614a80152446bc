"""Perfect negotiation over the signaling client: one RTCPeerConnection per remote peer.

The W3C "perfect negotiation" pattern: both sides offer whenever ``negotiationneeded`` fires;
on a collision (an offer arrives while we are making or holding one) the *impolite* side ignores
it and the *polite* side rolls back (``set_remote_description`` rolls back implicitly) and
answers. Candidates trickle as ``ice-candidate`` frames (``null`` at the end). Which side is
polite is decided by comparing ids, so both agree without a message.
"""

from __future__ import annotations

import logging
from typing import Any

from purertc.pc import RTCIceCandidate, RTCPeerConnection, RTCSessionDescription

from .client import SignalingClient

logger = logging.getLogger(__name__)


class PeerLink:
    """Wires ``pc`` to ``peer`` through ``client``; feed it the peer's frames with
    :meth:`handle`."""

    def __init__(
        self, client: SignalingClient, pc: RTCPeerConnection, peer: str, *, polite: bool
    ) -> None:
        self.client = client
        self.pc = pc
        self.peer = peer
        self.polite = polite
        self.making_offer = False
        self.ignore_offer = False
        pc.on("negotiationneeded", self._on_negotiation_needed)
        pc.on("icecandidate", self._on_ice_candidate)

    async def _on_negotiation_needed(self) -> None:
        self.making_offer = True
        try:
            await self.pc.set_local_description()
            description = self.pc.local_description
            assert description is not None
            await self.client.send(description.type, self.peer, sdp=description.sdp)
        finally:
            self.making_offer = False

    async def _on_ice_candidate(self, candidate: RTCIceCandidate | None) -> None:
        payload = None if candidate is None else candidate.to_json()
        await self.client.send("ice-candidate", self.peer, candidate=payload)

    async def handle(self, frame: dict[str, Any]) -> None:
        """Apply one relayed frame from the peer (offer, answer or ice-candidate)."""
        kind = frame.get("type")
        if kind in ("offer", "answer"):
            description = RTCSessionDescription(str(frame["sdp"]), str(kind))
            collision = kind == "offer" and (
                self.making_offer or self.pc.signaling_state != "stable"
            )
            self.ignore_offer = not self.polite and collision
            if self.ignore_offer:
                return
            await self.pc.set_remote_description(description)
            if kind == "offer":
                await self.pc.set_local_description()
                answer = self.pc.local_description
                assert answer is not None
                await self.client.send(answer.type, self.peer, sdp=answer.sdp)
        elif kind == "ice-candidate":
            value = frame.get("candidate")
            try:
                await self.pc.add_ice_candidate(_candidate(value))
            except Exception:
                if not self.ignore_offer:  # candidates of an offer we ignored may fail
                    raise


def _candidate(value: object) -> RTCIceCandidate | None:
    if not isinstance(value, dict) or not value.get("candidate"):
        return None
    index = value.get("sdpMLineIndex")
    mid = value.get("sdpMid")
    ufrag = value.get("usernameFragment")
    return RTCIceCandidate(
        str(value["candidate"]),
        sdp_mid=mid if isinstance(mid, str) else None,
        sdp_m_line_index=index if isinstance(index, int) else None,
        username_fragment=ufrag if isinstance(ufrag, str) else None,
    )


def is_polite(own_id: str, peer_id: str) -> bool:
    """Both sides agree without a message: the smaller id is polite."""
    return own_id < peer_id
