"""``purertc send`` / ``purertc recv``: a file over a data channel, met through a signaling room.

On the channel: the sender's first message is a JSON header ``{"name", "size", "sha256"}``,
then the file in 16 KiB binary messages (back-pressure on ``buffered_amount``); the receiver
answers ``{"ok": true}`` once the size and sha256 check out, or ``{"ok": false, "error": ...}``.
The receiver writes ``NAME.part`` in the output directory and renames it only when verified;
an interrupted or failed transfer removes it. Both sides exit non-zero with one clear line on
any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import signal
import sys
import time
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TextIO

from purertc.pc import PurertcSettings, RTCConfiguration, RTCDataChannel, RTCPeerConnection
from purertc.signaling.client import SignalingClient
from purertc.signaling.negotiation import PeerLink, is_polite

CHUNK = 16 * 1024
LOW_WATER = 256 * 1024
HIGH_WATER = 1024 * 1024


class TransferError(Exception):
    """A transfer that cannot complete; the message is what the user sees."""


class Interrupted(Exception):
    """SIGINT/SIGTERM arrived; the transfer was cancelled and cleaned up."""


async def _interruptible(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coroutine``; SIGINT/SIGTERM cancel it (its ``finally`` blocks clean up) and
    surface as :class:`Interrupted`, whatever the cleanup itself raised."""
    task = asyncio.ensure_future(coroutine)
    interrupted = False

    def on_signal() -> None:
        nonlocal interrupted
        interrupted = True
        task.cancel()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    try:
        return await task
    except BaseException:
        if interrupted:
            raise Interrupted from None
        raise
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    send = subparsers.add_parser("send", help="send a file to a peer in a signaling room")
    send.add_argument("file", type=Path)
    recv = subparsers.add_parser("recv", help="receive a file from a peer in a signaling room")
    recv.add_argument("--out", type=Path, default=Path("."), help="directory to write into")
    for parser in (send, recv):
        parser.add_argument("--signal", required=True, metavar="URL", help="ws://HOST:PORT")
        parser.add_argument("--room", required=True)
        parser.add_argument("--address", action="append", help="local address(es) for ICE")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument("--timeout", type=float, default=60.0, help="seconds to find a peer")


class Progress:
    """A one-line progress bar with rate and ETA on ``out`` (refreshed at most 10 times/s)."""

    def __init__(self, total: int, out: TextIO | None) -> None:
        self.total, self.out = total, out
        self.started = self.shown = time.perf_counter()

    def update(self, done: int, final: bool = False) -> None:
        now = time.perf_counter()
        if self.out is None or (not final and now - self.shown < 0.1):
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        eta = (self.total - done) / rate if rate > 0 else 0.0
        filled = 30 * done // self.total if self.total else 30
        self.out.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {100 * done // max(self.total, 1):3d}% "
            f"{rate / 1e6:6.1f} MB/s ETA {eta:5.1f} s"
        )
        if final:
            self.out.write("\n")
        self.out.flush()


async def _meet(client: SignalingClient, room: str, timeout: float) -> str:
    """Join ``room`` and return the first other peer's id (waiting for one to arrive)."""
    peers = await client.join(room)
    if peers:
        return peers[0]
    async with asyncio.timeout(timeout):
        async for frame in client:
            if frame["type"] == "peer-joined":
                return str(frame["id"])
    raise TransferError("signaling connection closed before a peer arrived")


async def _pump(client: SignalingClient, link: PeerLink, failed: asyncio.Future[str]) -> None:
    async for frame in client:
        if frame.get("from") == link.peer:
            await link.handle(frame)
        elif frame["type"] == "peer-left" and frame.get("id") == link.peer and not failed.done():
            failed.set_result("the peer left the room")
        elif frame["type"] == "error" and not failed.done():
            failed.set_result(f"signaling error: {frame.get('message')}")
    if not failed.done():
        failed.set_result("signaling connection closed")


async def _until(awaitable: Any, failed: asyncio.Future[str]) -> Any:
    """``awaitable``'s result, or :class:`TransferError` when ``failed`` resolves first."""
    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task, failed}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        return task.result()
    task.cancel()
    raise TransferError(failed.result())


async def _next(messages: AsyncIterator[str | bytes], failed: asyncio.Future[str]) -> str | bytes:
    """The channel's next message; :class:`TransferError` when it closes or the peer fails."""
    try:
        message: str | bytes = await _until(anext(messages), failed)
    except StopAsyncIteration:
        with contextlib.suppress(TimeoutError):  # the signaling side usually says why
            async with asyncio.timeout(1.0):
                raise TransferError(await asyncio.shield(failed)) from None
        raise TransferError("the data channel closed before the whole file arrived") from None
    return message


class _Session:
    """The signaling client, the peer connection and the link between them, for one run."""

    def __init__(self, url: str, addresses: list[str] | None) -> None:
        self.client = SignalingClient(url, reconnect=False)
        settings = PurertcSettings(addresses=addresses) if addresses else PurertcSettings()
        self.pc = RTCPeerConnection(RTCConfiguration(purertc=settings))
        self.failed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.pump: asyncio.Task[None] | None = None

    async def connect(self, room: str, timeout: float) -> PeerLink:
        try:
            await self.client.connect()
        except OSError as exc:
            raise TransferError(f"cannot reach the signaling server: {exc}") from None
        peer = await _meet(self.client, room, timeout)
        assert self.client.id is not None
        link = PeerLink(self.client, self.pc, peer, polite=is_polite(self.client.id, peer))
        self.pump = asyncio.get_running_loop().create_task(_pump(self.client, link, self.failed))
        return link

    async def close(self) -> None:
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.pump
        await self.pc.close()
        await self.client.close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


async def send_file(
    path: Path, url: str, room: str, *, addresses: list[str] | None = None,
    out: TextIO | None = None, timeout: float = 60.0,
) -> None:  # fmt: skip
    """Send ``path`` to the first peer met in ``room``; raise :class:`TransferError`."""
    if not path.is_file():
        raise TransferError(f"{path}: not a readable file")
    size = path.stat().st_size
    session = _Session(url, addresses)
    try:
        await session.connect(room, timeout)
        channel = session.pc.create_data_channel("file")
        opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        verdict: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        def on_open() -> None:
            if not opened.done():
                opened.set_result(None)

        channel.on("open", on_open)

        def on_message(message: str | bytes) -> None:
            if isinstance(message, str) and not verdict.done():
                with contextlib.suppress(ValueError):
                    verdict.set_result(json.loads(message))

        channel.on("message", on_message)
        await _until(asyncio.wait_for(opened, timeout), session.failed)
        header = {"name": path.name, "size": size, "sha256": file_sha256(path)}
        channel.send(json.dumps(header))
        channel.buffered_amount_low_threshold = LOW_WATER
        progress = Progress(size, out)
        sent = 0
        with path.open("rb") as handle:
            while piece := handle.read(CHUNK):
                channel.send(piece)
                sent += len(piece)
                if channel.buffered_amount > HIGH_WATER:
                    await _until(channel.drain(), session.failed)
                progress.update(sent)
        progress.update(sent, final=True)
        result = await _until(asyncio.wait_for(verdict, timeout + size / 1e6), session.failed)
        if not result.get("ok"):
            raise TransferError(f"the receiver refused the file: {result.get('error')}")
    finally:
        await session.close()


async def receive_file(
    url: str, room: str, out_dir: Path, *, addresses: list[str] | None = None,
    out: TextIO | None = None, timeout: float = 60.0,
) -> Path:  # fmt: skip
    """Receive one file from the first peer met in ``room`` into ``out_dir``; its path."""
    if not out_dir.is_dir():
        raise TransferError(f"{out_dir}: not a directory")
    session = _Session(url, addresses)
    part: Path | None = None
    try:
        await session.connect(room, timeout)
        incoming: asyncio.Future[RTCDataChannel] = asyncio.get_running_loop().create_future()

        def on_datachannel(channel: RTCDataChannel) -> None:
            if not incoming.done():
                incoming.set_result(channel)

        session.pc.on("datachannel", on_datachannel)
        channel: RTCDataChannel = await _until(asyncio.wait_for(incoming, timeout), session.failed)
        messages = channel.__aiter__()
        header = _header(await _next(messages, session.failed))
        name, size, expected = header
        part = out_dir / f"{name}.part"
        digest, received, progress = hashlib.sha256(), 0, Progress(size, out)
        with part.open("wb") as handle:
            while received < size:
                piece = await _next(messages, session.failed)
                if isinstance(piece, str):
                    raise TransferError("unexpected text message in the file data")
                handle.write(piece)
                digest.update(piece)
                received += len(piece)
                progress.update(received)
        progress.update(received, final=True)
        if received != size or digest.hexdigest() != expected:
            channel.send(json.dumps({"ok": False, "error": "sha256 mismatch"}))
            raise TransferError(f"{name}: sha256 mismatch or wrong size; file discarded")
        final = out_dir / name
        part.replace(final)
        part = None
        channel.send(json.dumps({"ok": True}))
        await asyncio.sleep(0.2)  # let the verdict reach the sender before closing
        return final
    finally:
        if part is not None:
            part.unlink(missing_ok=True)
        await session.close()


def _header(message: str | bytes) -> tuple[str, int, str]:
    try:
        header = json.loads(message)
        name, size, expected = header["name"], header["size"], header["sha256"]
    except (ValueError, TypeError, KeyError):
        raise TransferError("the sender's first message is not a file header") from None
    if not isinstance(name, str) or not isinstance(size, int) or not isinstance(expected, str):
        raise TransferError("malformed file header")
    safe = Path(name).name  # never a path: no directories, no ".."
    if not safe or safe in (".", "..") or size < 0:
        raise TransferError(f"refusing file name {name!r}")
    return safe, size, expected


def run(args: argparse.Namespace) -> int:
    out = None if args.quiet else sys.stderr
    try:
        if args.command == "send":
            coroutine: Any = send_file(
                args.file, args.signal, args.room, addresses=args.address, out=out,
                timeout=args.timeout,
            )  # fmt: skip
        else:
            coroutine = receive_file(
                args.signal, args.room, args.out, addresses=args.address, out=out,
                timeout=args.timeout,
            )  # fmt: skip
        result = asyncio.run(_interruptible(coroutine))
    except (Interrupted, KeyboardInterrupt):
        print(f"purertc {args.command}: interrupted", file=sys.stderr)
        return 130
    except TimeoutError:
        print(f"purertc {args.command}: timed out", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"purertc {args.command}: {exc}", file=sys.stderr)
        return 1
    if args.command == "recv":
        print(f"received {result} (sha256 verified)")
    else:
        print(f"sent {args.file} (sha256 verified by the receiver)")
    return 0
