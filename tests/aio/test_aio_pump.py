"""The generic pump with a plain-verb core: timers from get_timer, output after every input."""

from __future__ import annotations

import asyncio
import socket

import pytest

from purertc.aio import DatagramPump, UdpSocket, open_udp_socket

pytestmark = pytest.mark.timeout(10)


class Echo:
    """Echoes each datagram, and says b"tick" once its timer (0.01 s after start) fires."""

    def __init__(self) -> None:
        self.out: list[bytes] = []
        self.events: list[str] = []
        self.deadline: float | None = None
        self.ticks = 0

    def receive(self, data: bytes, now: float) -> None:
        self.out.append(data)
        self.events.append("got")
        if self.deadline is None and self.ticks == 0:
            self.deadline = now + 0.01

    def handle_timer(self, now: float) -> None:
        if self.deadline is not None and now >= self.deadline:
            self.deadline = None
            self.ticks += 1
            self.out.append(b"tick")
            self.events.append("tick")

    def get_timer(self) -> float | None:
        return self.deadline

    def datagrams_to_send(self, now: float) -> list[bytes]:
        out, self.out = self.out, []
        return out

    def next_event(self) -> str | None:
        return self.events.pop(0) if self.events else None


async def test_pump_feeds_sends_and_fires_the_timer() -> None:
    sent: list[bytes] = []
    events: list[str] = []
    core = Echo()
    pump = DatagramPump(core, sent.append, on_event=events.append)
    pump.receive(b"a")
    pump.receive(b"b")
    assert sent == [b"a", b"b"]
    await pump.wait_for(lambda: core.ticks == 1, timeout=2)
    assert sent == [b"a", b"b", b"tick"]
    assert events == ["got", "got", "tick"]
    pump.stop()


async def test_udp_socket_drains_every_datagram_then_services_once() -> None:
    loop = asyncio.get_running_loop()
    got: list[bytes] = []
    drains: list[int] = []
    sock = open_udp_socket("127.0.0.1")
    udp = UdpSocket(
        loop, sock, lambda data, src, dst: got.append(data), lambda: drains.append(len(got))
    )
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(50):
        sender.sendto(b"%d" % i, udp.address)
    while len(got) < 50:
        await asyncio.sleep(0.001)
    assert got == [b"%d" % i for i in range(50)]
    assert len(drains) < 50  # serviced per burst, not per datagram
    sender.close()
    udp.close()
