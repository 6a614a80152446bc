"""DTLS: a full handshake in memory, and sealing + opening 1200-byte application records.

Three columns, same process, same certificates (ECDSA P-256), same cipher suite:

- ``purertc``: two :class:`purertc.dtls.DtlsEndpoint` cores, datagrams handed across directly.
  The endpoints share an SSL_CTX per certificate, so the first case measures repeated
  handshakes with one certificate (a server answering many peers) and the second a
  certificate's first handshake (its context built, as aiortc and the raw column always do).
- ``pyopenssl``: raw pyOpenSSL memory-BIO connections doing the same work with no framing,
  events or fingerprint check: the floor any OpenSSL-based endpoint stands on.
- ``aiortc``: two ``RTCDtlsTransport`` objects over an in-memory ICE stand-in (two asyncio
  queues), driven by aiortc's own coroutines (``start``, ``_send_data``, its receive task).
  Its handshake also creates two libsrtp sessions, which ours leaves to the SRTP layer.

Records are measured in batches of 100 (``unit="MB"``: 100 x 1200 bytes per call) so aiortc's
event-loop round trip is paid once per batch, not once per record.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from OpenSSL import SSL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Case, run  # noqa: E402

from purertc.dtls import (  # noqa: E402
    ApplicationData,
    Certificate,
    DtlsEndpoint,
    HandshakeComplete,
)
from purertc.dtls.context import _CONTEXTS, DTLS_1_2_VERSION  # noqa: E402

RECORD = bytes(range(256)) * 4 + bytes(176)  # 1200 bytes
BATCH = 100
CIPHER = b"ECDHE-ECDSA-AES128-GCM-SHA256"

CLIENT_CERT = Certificate.generate()
SERVER_CERT = Certificate.generate()


# purertc ------------------------------------------------------------------------------------


def pump(a: DtlsEndpoint, b: DtlsEndpoint, now: float = 0.0) -> None:
    moved = True
    while moved:
        moved = False
        for source, target in ((a, b), (b, a)):
            for datagram in source.datagrams_to_send(now):
                target.receive(datagram, now)
                moved = True


def purertc_pair() -> tuple[DtlsEndpoint, DtlsEndpoint]:
    client = DtlsEndpoint(CLIENT_CERT, "client", SERVER_CERT.fingerprints)
    server = DtlsEndpoint(SERVER_CERT, "server", CLIENT_CERT.fingerprints)
    client.start_handshake()
    pump(client, server)
    assert isinstance(client.next_event(), HandshakeComplete)
    assert isinstance(server.next_event(), HandshakeComplete)
    return client, server


def purertc_handshake() -> None:
    purertc_pair()


def purertc_handshake_new_contexts() -> None:
    """As a peer connection's first handshake with a fresh certificate: no cached SSL_CTX."""
    _CONTEXTS.clear()
    purertc_pair()


SENDER, RECEIVER = purertc_pair()


def purertc_records() -> None:
    for _ in range(BATCH):
        SENDER.send(RECORD)
        for datagram in SENDER.datagrams_to_send(0.0):
            RECEIVER.receive(datagram, 0.0)
        event = RECEIVER.next_event()
        assert isinstance(event, ApplicationData)


# raw pyOpenSSL ------------------------------------------------------------------------------


def raw_context(cert: Certificate) -> SSL.Context:
    context = SSL.Context(SSL.DTLS_METHOD)
    context.set_max_proto_version(DTLS_1_2_VERSION)
    context.use_certificate(cert.x509)
    context.use_privatekey(cert.private_key)
    context.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, lambda *_: True)
    context.set_cipher_list(CIPHER)
    context.set_options(SSL.OP_NO_TICKET | SSL.OP_NO_QUERY_MTU)
    context.set_tlsext_use_srtp(b"SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80")
    return context


def drain(connection: SSL.Connection) -> bytes:
    try:
        return connection.bio_read(65536)
    except SSL.WantReadError:
        return b""


def raw_pair() -> tuple[SSL.Connection, SSL.Connection]:
    client = SSL.Connection(raw_context(CLIENT_CERT))
    server = SSL.Connection(raw_context(SERVER_CERT))
    client.set_connect_state()
    server.set_accept_state()
    for connection in (client, server):
        connection.set_ciphertext_mtu(1200)
    done = [False, False]
    while not all(done):
        for i, (source, target) in enumerate(((client, server), (server, client))):
            try:
                source.do_handshake()
                done[i] = True
            except SSL.WantReadError:
                pass
            data = drain(source)
            if data:
                target.bio_write(data)
    for connection in (client, server):
        connection.export_keying_material(b"EXTRACTOR-dtls_srtp", 56)
    return client, server


def raw_handshake() -> None:
    raw_pair()


RAW_SENDER, RAW_RECEIVER = raw_pair()


def raw_records() -> None:
    for _ in range(BATCH):
        RAW_SENDER.send(RECORD)
        RAW_RECEIVER.bio_write(RAW_SENDER.bio_read(65536))
        RAW_RECEIVER.recv(65536)


# aiortc -------------------------------------------------------------------------------------


def aiortc_cases() -> tuple[Any, Any, Any] | None:
    """aiortc's handshake and record callables, and a cleanup; None without aiortc."""
    try:
        from aiortc.rtcdtlstransport import RTCCertificate, RTCDtlsParameters, RTCDtlsTransport
    except ImportError:
        return None

    loop = asyncio.new_event_loop()

    class MemoryIce:
        """What RTCDtlsTransport uses of an RTCIceTransport: role, _send, _recv."""

        def __init__(self, role: str) -> None:
            self.role = role
            self.inbox: asyncio.Queue[bytes] = asyncio.Queue()
            self.peer: MemoryIce | None = None

        async def _send(self, data: bytes) -> None:
            assert self.peer is not None
            self.peer.inbox.put_nowait(data)

        async def _recv(self) -> bytes:
            return await self.inbox.get()

    def certificate(cert: Certificate) -> Any:
        return RTCCertificate(key=cert.private_key, cert=cert.x509)

    certs = certificate(CLIENT_CERT), certificate(SERVER_CERT)

    async def pair() -> tuple[Any, Any]:
        ice_a, ice_b = MemoryIce("controlling"), MemoryIce("controlled")
        ice_a.peer, ice_b.peer = ice_b, ice_a
        a, b = RTCDtlsTransport(ice_a, [certs[0]]), RTCDtlsTransport(ice_b, [certs[1]])  # type: ignore[arg-type]
        a._set_role("client")
        b._set_role("server")
        await asyncio.gather(
            a.start(RTCDtlsParameters(fingerprints=b.getLocalParameters().fingerprints)),
            b.start(RTCDtlsParameters(fingerprints=a.getLocalParameters().fingerprints)),
        )
        assert a.state == b.state == "connected"
        return a, b

    async def close(a: Any, b: Any) -> None:
        await a.stop()
        await b.stop()
        await asyncio.sleep(0)  # let the cancelled receive tasks finish

    async def handshake_once() -> None:
        await close(*await pair())

    class Receiver:
        def __init__(self) -> None:
            self.count = 0
            self.done: asyncio.Future[None] | None = None

        async def _handle_data(self, data: bytes) -> None:
            self.count += 1
            if self.count == BATCH and self.done is not None:
                self.done.set_result(None)

    sender, receiver_transport = loop.run_until_complete(pair())
    receiver = Receiver()
    receiver_transport._register_data_receiver(receiver)

    async def records_once() -> None:
        receiver.count = 0
        receiver.done = loop.create_future()
        for _ in range(BATCH):
            await sender._send_data(RECORD)
        await receiver.done

    def cleanup() -> None:
        loop.run_until_complete(close(sender, receiver_transport))
        loop.close()

    return (
        lambda: loop.run_until_complete(handshake_once()),
        lambda: loop.run_until_complete(records_once()),
        cleanup,
    )


def main() -> None:
    theirs = aiortc_cases()
    aiortc_handshake, aiortc_records, cleanup = theirs if theirs is not None else (None,) * 3
    run(
        "dtls",
        [
            Case(
                "handshake (ECDSA P-256, in memory)",
                purertc=purertc_handshake,
                aiortc=aiortc_handshake,
                extra={"pyopenssl": raw_handshake},
            ),
            Case(
                "handshake, SSL_CTX built each time",
                purertc=purertc_handshake_new_contexts,
                aiortc=aiortc_handshake,
                extra={"pyopenssl": raw_handshake},
            ),
            Case(
                f"seal+open {BATCH} x 1200 B records",
                purertc=purertc_records,
                aiortc=aiortc_records,
                unit="MB",
                bytes_per_call=BATCH * len(RECORD),
                extra={"pyopenssl": raw_records},
            ),
        ],
    )
    if cleanup is not None:
        cleanup()


if __name__ == "__main__":
    main()
