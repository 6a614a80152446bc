"""Our DTLS endpoint against aiortc's ``RTCDtlsTransport`` (pip-installed, a peer we did not
write), in memory on one asyncio loop: both roles, SRTP keys proven by protecting with one side
and unprotecting with the other, application data both ways, close_notify both ways."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import pytest
from aiortc.rtcdtlstransport import (
    RTCCertificate,
    RTCDtlsFingerprint,
    RTCDtlsParameters,
    RTCDtlsTransport,
)
from pylibsrtp import Policy, Session

from purertc.dtls import (
    ApplicationData,
    Certificate,
    Closed,
    DtlsEndpoint,
    Event,
    HandshakeComplete,
    SrtpKeys,
)
from tests.dtls.dtls_helpers import certificate, other_certificate

pytestmark = pytest.mark.interop


class Bridge:
    """Stands in for aiortc's RTCIceTransport; the other end of the wire is our endpoint."""

    def __init__(self, endpoint: DtlsEndpoint) -> None:
        self.role = "controlled"
        self.endpoint = endpoint
        self.inbox: asyncio.Queue[bytes] = asyncio.Queue()
        self.events: list[Event] = []
        self.loop = asyncio.get_running_loop()

    async def _send(self, data: bytes) -> None:  # aiortc -> us
        self.endpoint.receive(data, self.loop.time())
        self.pump()

    async def _recv(self) -> bytes:  # us -> aiortc
        return await self.inbox.get()

    def pump(self) -> None:
        for datagram in self.endpoint.datagrams_to_send(self.loop.time()):
            self.inbox.put_nowait(datagram)
        while (event := self.endpoint.next_event()) is not None:
            self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


class Collector:
    def __init__(self) -> None:
        self.received: asyncio.Queue[bytes] = asyncio.Queue()

    async def _handle_data(self, data: bytes) -> None:
        self.received.put_nowait(data)


def aiortc_certificate(cert: Certificate) -> RTCCertificate:
    return RTCCertificate(key=cert.private_key, cert=cert.x509)  # type: ignore[arg-type]


def rtp_packet(seq: int) -> bytes:
    return struct.pack("!BBHII", 0x80, 96, seq, seq * 960, 0x1234ABCD) + bytes(range(100))


def srtp_session(keys: SrtpKeys, local: bool) -> Session:
    key = keys.local_key + keys.local_salt if local else keys.remote_key + keys.remote_salt
    policy = Policy(
        key=key,
        ssrc_type=Policy.SSRC_ANY_OUTBOUND if local else Policy.SSRC_ANY_INBOUND,
        srtp_profile=keys.profile.profile_id,  # libsrtp numbers profiles by their IANA id
    )
    return Session(policy)


@pytest.mark.parametrize("our_role", ["client", "server"])
async def test_handshake_keys_data_and_close_with_aiortc(our_role: str) -> None:
    ours, theirs = certificate(), other_certificate()
    endpoint = DtlsEndpoint(ours, our_role, [f"sha-256 {theirs.fingerprint()}"])
    bridge = Bridge(endpoint)
    transport = RTCDtlsTransport(bridge, [aiortc_certificate(theirs)])  # type: ignore[arg-type]
    transport._set_role("server" if our_role == "client" else "client")
    collector = Collector()
    transport._register_data_receiver(collector)

    endpoint.start_handshake()
    bridge.pump()
    fingerprint = transport.getLocalParameters().fingerprints[0]
    assert (fingerprint.algorithm, fingerprint.value) == ("sha-256", theirs.fingerprint())
    remote = RTCDtlsParameters(
        fingerprints=[RTCDtlsFingerprint(algorithm="sha-256", value=ours.fingerprint())]
    )
    await asyncio.wait_for(transport.start(remote), timeout=10)
    assert transport.state == "connected"
    (done,) = bridge.of(HandshakeComplete)
    assert done.protocol == "DTLSv1.2"
    assert done.srtp_keys is not None
    # aiortc prefers AEAD_AES_256_GCM as server; as client it offers that first and we pick ours.
    expected = "SRTP_AEAD_AES_256_GCM" if our_role == "client" else "SRTP_AEAD_AES_128_GCM"
    assert done.srtp_keys.profile.name == expected

    # SRTP keys: aiortc protects, our remote keys unprotect; our local keys protect, aiortc
    # unprotects.
    packet = rtp_packet(1)
    assert (
        srtp_session(done.srtp_keys, local=False).unprotect(transport._tx_srtp.protect(packet))
        == packet
    )
    assert (
        transport._rx_srtp.unprotect(srtp_session(done.srtp_keys, local=True).protect(packet))
        == packet
    )

    await transport._send_data(b"from aiortc")
    assert bridge.of(ApplicationData) == [ApplicationData(b"from aiortc")]
    endpoint.send(b"from purertc")
    bridge.pump()
    assert await asyncio.wait_for(collector.received.get(), timeout=5) == b"from purertc"

    if our_role == "client":
        await transport.stop()  # aiortc sends close_notify
        assert bridge.of(Closed) == [Closed("peer sent close_notify")]
    else:
        endpoint.close()
        bridge.pump()
        for _ in range(100):
            if transport.state == "closed":
                break
            await asyncio.sleep(0)
        assert transport.state == "closed"
        await transport.stop()
