"""ICE on loopback, purertc vs aioice; the UDP driver vs a plain asyncio DatagramProtocol.

Cases:
- ``ice connect (loopback)``: two agents on 127.0.0.1 from creation to a nominated pair on
  both sides (gather host candidates, exchange them, check, nominate), then close. aioice does
  the same with two ``aioice.Connection`` objects (its checks are paced by a fixed 20 ms tick).
- ``sans-IO connect (simulated)``: the same exchange with two purertc agents pumped in one
  process, no sockets: the agent's own cost per connection (no aioice equivalent).
- ``agent data receive/send``: one 1200-byte media datagram through a connected agent (the
  per-packet cost ICE adds under DTLS/SRTP; aioice has no sans-IO equivalent).
- ``udp receive 20k datagrams``: 20 000 datagrams of 100 bytes sent over loopback in bursts and
  received by purertc's draining :class:`~purertc.aio.UdpSocket` vs asyncio's datagram
  transport (one read per readiness callback). Both sides use the same sender.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aioice  # noqa: E402
import aioice.ice  # noqa: E402

from benchmarks._harness import Case, run  # noqa: E402
from purertc.aio import IceDriver, UdpSocket, open_udp_socket  # noqa: E402
from purertc.ice import Agent, Candidate  # noqa: E402
from purertc.ice.events import CandidateGathered  # noqa: E402

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]  # type: ignore[assignment]
LOOP = asyncio.new_event_loop()
DATAGRAMS = 20_000
PAYLOAD = b"\x80" * 100


async def purertc_connect() -> None:
    agents = [Agent(controlling=True), Agent(controlling=False)]
    gathered: list[list[Candidate]] = [[], []]
    drivers = []
    for index, agent in enumerate(agents):

        def collect(event: object, bucket: list[Candidate] = gathered[index]) -> None:
            if isinstance(event, CandidateGathered):
                bucket.append(event.candidate)

        driver = IceDriver(agent, on_event=collect)
        driver.open_sockets(["127.0.0.1"])
        driver.gather()
        drivers.append(driver)
    a, b = agents
    a.set_remote_credentials(b.local_ufrag, b.local_password)
    b.set_remote_credentials(a.local_ufrag, a.local_password)
    for index, driver in enumerate(drivers):
        for candidate in gathered[1 - index]:
            await driver.add_remote_candidate(Candidate.from_sdp(candidate.to_sdp()))
        await driver.add_remote_candidate(None)
    for agent, driver in zip(agents, drivers, strict=True):
        await driver.wait_for(lambda agent=agent: agent.selected_pair is not None, timeout=5)
    for driver in drivers:
        await driver.close()


async def aioice_connect() -> None:
    a = aioice.Connection(ice_controlling=True, use_ipv6=False)
    b = aioice.Connection(ice_controlling=False, use_ipv6=False)
    await asyncio.gather(a.gather_candidates(), b.gather_candidates())
    for src, dst in ((a, b), (b, a)):
        dst.remote_username = src.local_username
        dst.remote_password = src.local_password
        for candidate in src.local_candidates:
            await dst.add_remote_candidate(candidate)
        await dst.add_remote_candidate(None)
    await asyncio.gather(a.connect(), b.connect())
    await asyncio.gather(a.close(), b.close())


def sansio_connect() -> None:
    a, b = Agent(controlling=True), Agent(controlling=False)
    a_addr, b_addr = ("10.0.0.1", 1), ("10.0.0.2", 2)
    a.add_local_socket(a_addr)
    b.add_local_socket(b_addr)
    a.set_remote_credentials(b.local_ufrag, b.local_password)
    b.set_remote_credentials(a.local_ufrag, a.local_password)
    a.gather()
    b.gather()
    a.add_remote_candidate(
        Candidate.from_sdp(f"1 1 udp 2130706431 {b_addr[0]} {b_addr[1]} typ host")
    )
    b.add_remote_candidate(
        Candidate.from_sdp(f"1 1 udp 2130706431 {a_addr[0]} {a_addr[1]} typ host")
    )
    now = 0.0
    peers = {a_addr: b, b_addr: a}
    while a.selected_pair is None or b.selected_pair is None:
        moved = False
        for agent in (a, b):
            for transmit in agent.datagrams_to_send(now):
                moved = True
                peers[transmit.source].receive(
                    transmit.data, transmit.source, transmit.destination, now
                )
            while agent.next_event() is not None:
                pass
        if not moved:
            now = min(t for t in (a.get_timer(), b.get_timer()) if t is not None)
            a.handle_timer(now)
            b.handle_timer(now)


def _connected_pair() -> tuple[Agent, Agent]:
    a, b = Agent(controlling=True), Agent(controlling=False)
    a_addr, b_addr = ("10.0.0.1", 1), ("10.0.0.2", 2)
    a.add_local_socket(a_addr)
    b.add_local_socket(b_addr)
    a.set_remote_credentials(b.local_ufrag, b.local_password)
    b.set_remote_credentials(a.local_ufrag, a.local_password)
    a.gather()
    b.gather()
    a.add_remote_candidate(Candidate.from_sdp("1 1 udp 2130706431 10.0.0.2 2 typ host"))
    b.add_remote_candidate(Candidate.from_sdp("1 1 udp 2130706431 10.0.0.1 1 typ host"))
    agents = {a_addr: a, b_addr: b}
    while a.selected_pair is None or b.selected_pair is None:
        for agent in (a, b):
            for transmit in agent.datagrams_to_send(0.0):
                agents[transmit.destination].receive(
                    transmit.data, transmit.source, transmit.destination, 0.0
                )
            while agent.next_event() is not None:
                pass
    return a, b


SENDER, RECEIVER = _connected_pair()
MEDIA = b"\x80" + bytes(1199)


def data_receive() -> None:
    """One media datagram through the agent: receive, and the DataReceived event out."""
    RECEIVER.receive(MEDIA, ("10.0.0.1", 1), ("10.0.0.2", 2), 1.0)
    RECEIVER.next_event()


def data_send() -> None:
    """One media datagram out on the selected pair."""
    SENDER.send(MEDIA)
    SENDER.datagrams_to_send(1.0)


async def _blast(target: tuple[str, int], received: Any) -> None:
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.setblocking(False)
    sent = 0
    try:
        while received() < DATAGRAMS:
            if sent < DATAGRAMS and sent - received() < 512:
                for _ in range(128):
                    sender.sendto(PAYLOAD, target)
                sent += 128
            await asyncio.sleep(0)
    finally:
        sender.close()


async def purertc_udp() -> None:
    count = [0]

    def on_datagram(data: bytes, source: tuple[str, int], destination: tuple[str, int]) -> None:
        count[0] += 1

    udp = UdpSocket(
        asyncio.get_running_loop(), open_udp_socket("127.0.0.1"), on_datagram, lambda: None
    )
    await _blast(udp.address, lambda: count[0])
    udp.close()


class _Counter(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.count = 0

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.count += 1


async def asyncio_udp() -> None:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(_Counter, local_addr=("127.0.0.1", 0))
    sock = transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    await _blast(sock.getsockname(), lambda: protocol.count)
    transport.close()


DRAIN = 1500  # fits the 1 MiB receive buffer


async def _drain_rate(kind: str) -> float:
    """Datagrams/s of the receive side alone: fill the socket buffer, then time the drain."""
    loop = asyncio.get_running_loop()
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    count = [0]
    closer: Any
    if kind == "purertc":

        def on_datagram(data: bytes, source: tuple[str, int], destination: tuple[str, int]) -> None:
            count[0] += 1

        udp = UdpSocket(loop, open_udp_socket("127.0.0.1"), on_datagram, lambda: None, budget=4096)
        target, closer, received = udp.address, udp.close, lambda: count[0]
    else:
        transport, protocol = await loop.create_datagram_endpoint(
            _Counter, local_addr=("127.0.0.1", 0)
        )
        transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        target, closer = transport.get_extra_info("sockname"), transport.close
        received = lambda: protocol.count  # noqa: E731
    best = 0.0
    for _ in range(7):
        start_count = received()
        for _ in range(DRAIN):
            sender.sendto(PAYLOAD, target)
        start = time.perf_counter()
        while received() - start_count < DRAIN:
            await asyncio.sleep(0)
        best = max(best, DRAIN / (time.perf_counter() - start))
    sender.close()
    closer()
    return best


def main() -> None:
    cases = [
        Case(
            "ice connect (loopback)",
            purertc=lambda: LOOP.run_until_complete(purertc_connect()),
            aiortc=lambda: LOOP.run_until_complete(aioice_connect()),
            number=5,
        ),
        Case("sans-IO connect (simulated)", purertc=sansio_connect),
        Case("agent data receive (1200 B)", purertc=data_receive),
        Case("agent data send (1200 B)", purertc=data_send),
        Case(
            f"udp receive {DATAGRAMS // 1000}k datagrams",
            purertc=lambda: LOOP.run_until_complete(purertc_udp()),
            aiortc=lambda: LOOP.run_until_complete(asyncio_udp()),
            number=1,
        ),
    ]
    result = run("ICE and the UDP driver", cases)
    for row in result["cases"]:
        if row["case"].startswith("udp"):
            for impl in ("purertc", "aiortc"):
                rate = DATAGRAMS / row[impl]["median"]
                label = "asyncio DatagramProtocol" if impl == "aiortc" else "purertc UdpSocket"
                print(f"# {label}: {rate:,.0f} datagrams/s (sender included)")
    for kind, label in (("purertc", "purertc UdpSocket"), ("asyncio", "asyncio DatagramProtocol")):
        rate = LOOP.run_until_complete(_drain_rate(kind))
        print(f"# {label}: {rate:,.0f} datagrams/s receive-only (best of 7 drains of {DRAIN})")


if __name__ == "__main__":
    main()
