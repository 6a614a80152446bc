"""Signaling server: relayed messages per second and relay latency with 200 clients.

There is no aiortc equivalent (aiortc ships no signaling server), so this prints purertc's
figures only, in the harness's shape: a table, then one JSON line (``--json FILE`` writes it too).

Cases, each with 200 WebSocket clients in 100 rooms of two on loopback, clients and server in
this one process (so the figures bound the whole loop, client work included):

- ``blast``: every client sends its room-mate ``messages`` offers back to back; throughput is
  relayed messages over the time until the last one arrived.
- ``ping-pong``: every pair bounces one message ``rounds`` times; each hop's one-way latency
  (send to receive, same clock) gives p50/p99 at a steady 200-client load (100 messages in
  flight on one event loop), then one pair alone (the others connected but idle) gives the
  unloaded latency.

With ``redis-server`` on PATH and the ``redis`` package installed, the same cases run again
across two servers sharing a Redis (each pair split between them).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from purertc.signaling import Limits, SignalingServer
from purertc.signaling.rooms import Hub

CLIENTS = 200
LIMITS = Limits(
    messages_per_second=1e9, burst=1_000_000, connections_per_ip=10_000, idle_timeout=600
)


async def _clients(ports: list[int]) -> list[tuple[ClientConnection, str]]:
    """200 joined clients; pair ``i`` is clients ``2i`` and ``2i+1`` in room ``i``, the two of
    a pair on different servers when there are two."""
    clients: list[tuple[ClientConnection, str]] = []
    for i in range(CLIENTS):
        ws = await connect(f"ws://127.0.0.1:{ports[i % len(ports)]}", compression=None)
        await ws.send(json.dumps({"type": "join", "room": f"room-{i // 2}"}))
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "joined":
                break
        clients.append((ws, frame["id"]))
    for i in range(0, CLIENTS, 2):  # the first of each pair hears the second join
        assert json.loads(await clients[i][0].recv())["type"] == "peer-joined"
    return clients


async def _blast(clients: list[tuple[ClientConnection, str]], messages: int) -> float:
    async def sender(ws: ClientConnection, target: str) -> None:
        frame = json.dumps({"type": "offer", "target": target, "sdp": "v=0 " + "x" * 200})
        for _ in range(messages):
            await ws.send(frame)

    async def receiver(ws: ClientConnection) -> None:
        for _ in range(messages):
            await ws.recv()

    start = time.perf_counter()
    tasks = []
    for i, (ws, _) in enumerate(clients):
        mate = clients[i ^ 1][1]
        tasks.append(sender(ws, mate))
        tasks.append(receiver(ws))
    await asyncio.gather(*tasks)
    return CLIENTS * messages / (time.perf_counter() - start)


async def _ping_pong(
    clients: list[tuple[ClientConnection, str]], rounds: int, pairs: int = CLIENTS // 2
) -> list[float]:
    latencies: list[float] = []

    async def pair(a: tuple[ClientConnection, str], b: tuple[ClientConnection, str]) -> None:
        sides = [a, b]
        for hop in range(2 * rounds):
            src, dst = sides[hop % 2], sides[(hop + 1) % 2]
            stamp = time.perf_counter()
            await src[0].send(json.dumps({"type": "answer", "target": dst[1], "sdp": "v=0"}))
            await dst[0].recv()
            latencies.append(time.perf_counter() - stamp)

    start = time.perf_counter()
    await asyncio.gather(*(pair(clients[i], clients[i + 1]) for i in range(0, 2 * pairs, 2)))
    latencies.append(-(time.perf_counter() - start))  # total time rides at the end
    return latencies


@asynccontextmanager
async def _servers(hubs: list[Hub]) -> AsyncIterator[list[int]]:
    servers = [SignalingServer(limits=LIMITS, hub=hub) for hub in hubs]
    for server in servers:
        await server.start()
    try:
        yield [server.port for server in servers]
    finally:
        for server in servers:
            await server.close()


async def _run_case(label: str, hubs: list[Hub], messages: int, rounds: int) -> dict[str, Any]:
    async with _servers(hubs) as ports:
        clients = await _clients(ports)
        rate = await _blast(clients, messages)
        samples = await _ping_pong(clients, rounds)
        total = -samples.pop()
        alone = await _ping_pong(clients, rounds * 5, pairs=1)  # the other 198 connected, idle
        alone.pop()
        for ws, _ in clients:
            await ws.close()
    samples.sort()
    alone.sort()
    return {
        "case": label,
        "unit": "msg",
        "clients": CLIENTS,
        "purertc_rate": rate,
        "ping_pong_rate": len(samples) / total,
        "p50_ms": statistics.median(samples) * 1e3,
        "p99_ms": samples[int(len(samples) * 0.99) - 1] * 1e3,
        "one_pair_p50_ms": statistics.median(alone) * 1e3,
        "one_pair_p99_ms": alone[int(len(alone) * 0.99) - 1] * 1e3,
    }


def _start_redis(directory: str) -> tuple[subprocess.Popen[bytes], str] | None:
    binary = shutil.which("redis-server")
    if binary is None or importlib.util.find_spec("redis") is None:
        return None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", directory, "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    process.kill()
    return None


async def _main(messages: int, rounds: int) -> list[dict[str, Any]]:
    from purertc.signaling import LocalHub

    rows = [await _run_case("relay in-memory, 200 clients", [LocalHub()], messages, rounds)]
    with tempfile.TemporaryDirectory() as directory:
        redis = _start_redis(directory)
        if redis is None:
            print("# redis-server or the redis package missing: Redis case skipped")
            return rows
        process, url = redis
        try:
            from purertc.signaling.redis_hub import RedisHub

            hubs: list[Hub] = [RedisHub(url), RedisHub(url)]
            rows.append(
                await _run_case("relay Redis 2 servers, 200 clients", hubs, messages, rounds)
            )
        finally:
            process.terminate()
            process.wait(5)
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    parser.add_argument("--quick", action="store_true", help="fewer messages (smoke run)")
    args = parser.parse_args(argv)
    messages, rounds = (50, 20) if args.quick else (200, 50)
    rows = asyncio.run(_main(messages, rounds))
    header = (
        f"{'case':<36} {'blast msg/s':>12} {'ping-pong msg/s':>16} {'p50':>9} {'p99':>9}"
        f" {'1-pair p50':>11} {'1-pair p99':>11}"
    )
    print(f"# signaling — {platform.python_implementation()} {platform.python_version()}")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['case']:<36} {row['purertc_rate']:>12.0f} {row['ping_pong_rate']:>16.0f} "
            f"{row['p50_ms']:>6.2f} ms {row['p99_ms']:>6.2f} ms"
            f" {row['one_pair_p50_ms']:>8.3f} ms {row['one_pair_p99_ms']:>8.3f} ms"
        )
    result = {
        "benchmark": "signaling",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cases": rows,
    }
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=2)
    print(json.dumps(result, separators=(",", ":")))
    sys.stdout.flush()
    return result


if __name__ == "__main__":
    main()
