"""``purertc demo``: two peer connections in one process move a generated file over a data
channel on loopback UDP, verify its SHA-256, and print the setup time and the throughput.

It is the README's "run it" command: the whole stack (ICE, DTLS, SCTP, DCEP) under the W3C API,
with ``await channel.drain()`` as the back-pressure a file transfer needs.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import time
from typing import TextIO

from purertc import PurertcSettings, RTCConfiguration, RTCDataChannel, RTCPeerConnection

MIB = 1024 * 1024
LOW_WATER = 256 * 1024
HIGH_WATER = 1024 * 1024


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("demo", help="move a file between two local peers")
    parser.add_argument("--size", type=float, default=64, help="file size in MiB (default 64)")
    parser.add_argument("--chunk", type=int, default=16384, help="message size in bytes")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def generated_chunks(size: int, chunk: int) -> list[bytes]:
    """Deterministic pseudo-random content (SHA-256 in counter mode), cut in messages."""
    block = b"".join(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(2048))  # 64 KiB
    data = (block * (size // len(block) + 1))[:size]
    return [data[i : i + chunk] for i in range(0, size, chunk)]


def _progress(out: TextIO, done: int, total: int, started: float) -> None:
    width = 30
    filled = width * done // total if total else width
    elapsed = max(time.perf_counter() - started, 1e-9)
    out.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done // max(total, 1):3d}% "
        f"{done / elapsed / 1e6:7.1f} MB/s"
    )
    out.flush()


async def transfer(
    size: int, chunk: int, out: TextIO, *, progress: bool = True
) -> dict[str, float]:
    """Connect two peers, move ``size`` bytes, verify them; return the figures."""
    configuration = RTCConfiguration(purertc=PurertcSettings(addresses=["127.0.0.1"]))
    sender = RTCPeerConnection(configuration)
    receiver = RTCPeerConnection(configuration)
    loop = asyncio.get_running_loop()
    chunks = generated_chunks(size, chunk)
    expected = hashlib.sha256(b"".join(chunks)).hexdigest()
    digest = hashlib.sha256()
    received = 0
    finished: asyncio.Future[None] = loop.create_future()
    incoming: asyncio.Future[RTCDataChannel] = loop.create_future()

    def on_message(message: str | bytes) -> None:
        nonlocal received
        assert isinstance(message, bytes)
        digest.update(message)
        received += len(message)
        if received >= size and not finished.done():
            finished.set_result(None)

    @receiver.on("datachannel")
    def on_datachannel(channel: RTCDataChannel) -> None:
        channel.on("message", on_message)
        incoming.set_result(channel)

    try:
        started = time.perf_counter()
        channel = sender.create_data_channel("file")
        opened: asyncio.Future[None] = loop.create_future()
        channel.on("open", lambda: opened.set_result(None))
        await sender.set_local_description()
        await receiver.set_remote_description(sender.local_description)  # type: ignore[arg-type]
        await receiver.set_local_description()
        await sender.set_remote_description(receiver.local_description)  # type: ignore[arg-type]
        await asyncio.wait_for(opened, 10)
        await asyncio.wait_for(incoming, 10)
        setup = time.perf_counter() - started
        channel.buffered_amount_low_threshold = LOW_WATER
        started = time.perf_counter()
        shown = 0.0
        for index, piece in enumerate(chunks):
            channel.send(piece)
            if channel.buffered_amount > HIGH_WATER:
                await channel.drain()
            if progress and index % 64 == 0 and time.perf_counter() - shown > 0.1:
                shown = time.perf_counter()
                _progress(out, received, size, started)
        await asyncio.wait_for(finished, 60 + size / MIB)
        elapsed = time.perf_counter() - started
        if progress:
            _progress(out, received, size, started)
            out.write("\n")
    finally:
        await sender.close()
        await receiver.close()
    if digest.hexdigest() != expected:
        raise RuntimeError("sha256 mismatch: the received file differs from the sent one")
    return {"setup": setup, "seconds": elapsed, "bytes": float(size)}


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    size = int(args.size * MIB)
    if size <= 0 or args.chunk <= 0:
        out.write("size and chunk must be positive\n")
        return 2
    figures = asyncio.run(transfer(size, args.chunk, out, progress=not args.quiet))
    out.write(
        f"sha256 verified: {size / MIB:.1f} MiB in {args.chunk}-byte messages, "
        f"{figures['bytes'] / figures['seconds'] / 1e6:.1f} MB/s, "
        f"setup {figures['setup'] * 1e3:.1f} ms\n"
    )
    return 0
