"""Our DTLS endpoint against the system's ``openssl s_server`` / ``s_client`` (DTLS 1.2 over
loopback UDP): handshake both roles, SRTP profile and exported keys checked against what OpenSSL
prints for ``-keymatexport EXTRACTOR-dtls_srtp``, application data, close_notify.

These tests run in real time (a real process on a real socket), driven by the same five-verb
loop the asyncio driver uses; the longest wait is one 1-second retransmission timeout.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from purertc.dtls import (
    ApplicationData,
    Certificate,
    Closed,
    DtlsEndpoint,
    Event,
    HandshakeComplete,
)
from purertc.dtls.framing import CLIENT_HELLO, HANDSHAKE, parse_records
from tests.dtls.dtls_helpers import certificate, other_certificate
from tests.support import require_program

pytestmark = pytest.mark.interop

KEYING = re.compile(r"Keying material: ([0-9A-Fa-f]+)")


class UdpDriver:
    """Pumps one endpoint over a UDP socket on the real clock."""

    def __init__(self, endpoint: DtlsEndpoint, peer: tuple[str, int] | None = None) -> None:
        self.endpoint = endpoint
        self.peer = peer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.events: list[Event] = []
        self.sent: list[bytes] = []
        self.drop_incoming: Callable[[bytes], bool] = lambda _data: False

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def run(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            now = time.monotonic()
            if now > deadline:
                raise AssertionError(f"condition not met in {timeout} s; events: {self.events}")
            timer = self.endpoint.get_timer()
            if timer is not None and timer <= now:
                self.endpoint.handle_timer(now)
            self.flush(now)
            wait = 0.05 if timer is None else min(0.05, max(timer - now, 0.001))
            self.sock.settimeout(wait)
            try:
                data, address = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            self.peer = self.peer or address
            if not self.drop_incoming(data):
                self.endpoint.receive(data, time.monotonic())
            self.flush(time.monotonic())

    def flush(self, now: float) -> None:
        for datagram in self.endpoint.datagrams_to_send(now):
            if self.peer is not None:
                self.sent.append(datagram)
                self.sock.sendto(datagram, self.peer)
        while (event := self.endpoint.next_event()) is not None:
            self.events.append(event)

    def of(self, kind: type) -> list[Event]:
        return [e for e in self.events if isinstance(e, kind)]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def pem_files(tmp_path: Path) -> tuple[Certificate, str, str]:
    cert = other_certificate()
    cert.save(tmp_path / "cert.pem", tmp_path / "key.pem")
    return cert, str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")


def start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def output_lines(process: subprocess.Popen[bytes]) -> Iterator[str]:
    assert process.stdout is not None
    for raw in iter(process.stdout.readline, b""):
        yield raw.decode(errors="replace")


def wait_for_line(lines: Iterator[str], pattern: str, seen: list[str]) -> str:
    for line in lines:
        seen.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(f"openssl ended before printing {pattern!r}:\n{''.join(seen)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=5)
    if process.stdin is not None:
        process.stdin.close()
    if process.stdout is not None:
        process.stdout.close()


def expected_keying(done: HandshakeComplete, we_are_client: bool) -> str:
    keys = done.srtp_keys
    assert keys is not None
    if we_are_client:
        material = keys.local_key + keys.remote_key + keys.local_salt + keys.remote_salt
    else:
        material = keys.remote_key + keys.local_key + keys.remote_salt + keys.local_salt
    return material.hex().upper()


def test_client_against_openssl_s_server(pem_files: tuple[Certificate, str, str]) -> None:
    openssl = require_program("openssl")
    server_cert, cert_path, key_path = pem_files
    port = free_udp_port()
    process = start(
        [
            openssl, "s_server", "-dtls1_2", "-accept", f"127.0.0.1:{port}",
            "-cert", cert_path, "-key", key_path, "-verify", "1",
            "-use_srtp", "SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "88",
        ]
    )  # fmt: skip
    client = DtlsEndpoint(certificate(), "client", server_cert.fingerprints)
    driver = UdpDriver(client, ("127.0.0.1", port))
    seen: list[str] = []
    try:
        lines = output_lines(process)
        wait_for_line(lines, "ACCEPT", seen)

        # Lose what the server sends until our ClientHello has been re-sent: the timer runs on
        # the real clock, so OpenSSL's own timer agrees and re-sends with a fresh sequence number.
        def hellos() -> list[int]:
            return [
                parse_records(d)[0].sequence_number
                for d in driver.sent
                if d[0] == HANDSHAKE and d[13] == CLIENT_HELLO
            ]

        driver.drop_incoming = lambda _data: len(hellos()) < 2
        client.start_handshake()
        driver.run(lambda: bool(driver.of(HandshakeComplete)))
        first, second = hellos()[:2]
        assert second > first  # re-protected by OpenSSL, not replayed by us
        (done,) = driver.of(HandshakeComplete)
        assert isinstance(done, HandshakeComplete)
        assert done.srtp_profile is not None
        assert done.srtp_profile.name == "SRTP_AEAD_AES_256_GCM"
        assert done.protocol == "DTLSv1.2"
        material = KEYING.search(wait_for_line(lines, "Keying material: ", seen))
        assert material is not None, "".join(seen)
        assert material.group(1).upper() == expected_keying(done, we_are_client=True)

        client.send(b"hello from purertc\n")
        driver.flush(time.monotonic())
        wait_for_line(lines, "hello from purertc", seen)
        assert process.stdin is not None
        process.stdin.write(b"hello from openssl\n")
        process.stdin.flush()
        driver.run(lambda: bool(driver.of(ApplicationData)))
        assert driver.of(ApplicationData) == [ApplicationData(b"hello from openssl\n")]

        client.close()
        driver.flush(time.monotonic())
        wait_for_line(lines, "shutting down SSL|CONNECTION CLOSED|DONE", seen)
        assert driver.of(Closed) == [Closed("closed locally")]
    finally:
        stop(process)
        driver.sock.close()


def test_server_against_openssl_s_client(pem_files: tuple[Certificate, str, str]) -> None:
    openssl = require_program("openssl")
    client_cert, cert_path, key_path = pem_files
    server = DtlsEndpoint(certificate(), "server", client_cert.fingerprints)
    driver = UdpDriver(server)
    server.start_handshake()
    process = start(
        [
            openssl, "s_client", "-dtls1_2", "-connect", f"127.0.0.1:{driver.port}",
            "-cert", cert_path, "-key", key_path,
            "-use_srtp", "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "56",
        ]
    )  # fmt: skip
    seen: list[str] = []
    try:
        lines = output_lines(process)
        driver.run(lambda: bool(driver.of(HandshakeComplete)))
        (done,) = driver.of(HandshakeComplete)
        assert isinstance(done, HandshakeComplete)
        assert done.srtp_profile is not None
        assert done.srtp_profile.name == "SRTP_AEAD_AES_128_GCM"  # our preference as server
        material = KEYING.search(wait_for_line(lines, "Keying material: ", seen))
        assert material is not None, "".join(seen)
        assert material.group(1).upper() == expected_keying(done, we_are_client=False)

        assert process.stdin is not None
        process.stdin.write(b"ping from openssl\n")
        process.stdin.flush()
        driver.run(lambda: bool(driver.of(ApplicationData)))
        assert driver.of(ApplicationData) == [ApplicationData(b"ping from openssl\n")]
        server.send(b"pong from purertc\n")
        driver.flush(time.monotonic())
        wait_for_line(lines, "pong from purertc", seen)

        process.stdin.write(b"Q\n")  # s_client: "Q" ends the connection with close_notify
        process.stdin.flush()
        driver.run(lambda: bool(driver.of(Closed)))
        assert driver.of(Closed) == [Closed("peer sent close_notify")]
    finally:
        stop(process)
        driver.sock.close()
