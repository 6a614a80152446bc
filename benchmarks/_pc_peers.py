"""Connected peer pairs for the peer-connection benchmarks: purertc <-> purertc and
aiortc <-> aiortc, both over real loopback UDP in one process and one event loop.

aioice leaves 127.0.0.1 out of its host addresses; it is patched to gather on loopback only,
as purertc is configured to, so both stacks run the same path.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aioice.ice
import aiortc

from purertc import PurertcSettings, RTCConfiguration, RTCPeerConnection
from purertc.dtls import Certificate

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]  # type: ignore[assignment]

_CERTIFICATES = [Certificate.generate(), Certificate.generate()]
LOW_WATER = 256 * 1024
HIGH_WATER = 1024 * 1024


def purertc_configuration(index: int) -> RTCConfiguration:
    return RTCConfiguration(
        certificates=[_CERTIFICATES[index]],
        purertc=PurertcSettings(addresses=["127.0.0.1"]),
    )


async def purertc_pair() -> tuple[Any, Any, Any, Any]:
    """(offerer, answerer, offerer's channel, answerer's channel), open."""
    a = RTCPeerConnection(purertc_configuration(0))
    b = RTCPeerConnection(purertc_configuration(1))
    loop = asyncio.get_running_loop()
    opened = loop.create_future()
    incoming = loop.create_future()
    b.on("datachannel", incoming.set_result)
    channel = a.create_data_channel("bench")
    channel.on("open", lambda: opened.set_result(None))
    await a.set_local_description()
    await b.set_remote_description(a.local_description)
    await b.set_local_description()
    await a.set_remote_description(b.local_description)
    await opened
    remote = await incoming
    if remote.ready_state != "open":
        remote_open = loop.create_future()
        remote.on("open", lambda: remote_open.set_result(None))
        await remote_open
    return a, b, channel, remote


async def aiortc_pair() -> tuple[Any, Any, Any, Any]:
    a = aiortc.RTCPeerConnection()
    b = aiortc.RTCPeerConnection()
    loop = asyncio.get_running_loop()
    opened = loop.create_future()
    incoming = loop.create_future()
    b.on("datachannel", incoming.set_result)
    channel = a.createDataChannel("bench")
    channel.on("open", lambda: opened.set_result(None))
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)
    await opened
    remote = await incoming
    return a, b, channel, remote


async def close_pair(a: Any, b: Any) -> None:
    await a.close()
    await b.close()
