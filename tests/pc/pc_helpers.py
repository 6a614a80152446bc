"""Shared pieces of the peer-connection tests: loopback configuration, the interop message set
and an echo exchange that checks every echo in order."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from purertc import PurertcSettings, RTCConfiguration, RTCPeerConnection

Message = str | bytes
_TEXT_ALPHABET = "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789 éèüß ñ Ωπ 日本語 🎉✓"


def loopback_configuration() -> RTCConfiguration:
    """Host candidates on 127.0.0.1 only (tests bind loopback only)."""
    return RTCConfiguration(purertc=PurertcSettings(addresses=["127.0.0.1"]))


def _text(rng: random.Random, low: int, high: int) -> str:
    target = rng.randint(low, high)
    chars: list[str] = []
    size = 0
    while True:
        char = rng.choice(_TEXT_ALPHABET)
        width = len(char.encode())
        if size + width > target:
            break
        chars.append(char)
        size += width
    while size < low:  # pad with ASCII to reach the floor exactly
        chars.append("a")
        size += 1
    return "".join(chars)


def message_set(seed: int = 10) -> list[Message]:
    """The issue's echo set: 20 texts of 15 B-1 KB (UTF-8, non-ASCII included), 20 binaries
    of 1-1500 B, an empty text, an empty binary, a 16 KiB text and a 65,536-byte binary."""
    rng = random.Random(seed)
    texts: list[Message] = [_text(rng, 15, 1024) for _ in range(20)]
    binaries: list[Message] = [rng.randbytes(rng.randint(1, 1500)) for _ in range(20)]
    big_text = ("16KiB-" * 3000)[:16384]
    return texts + binaries + ["", b"", big_text, rng.randbytes(65536)]


def check_message_set(messages: list[Message]) -> None:
    texts = [m for m in messages if isinstance(m, str) and m]
    assert any(not m.isascii() for m in texts)
    assert all(15 <= len(m.encode()) <= 1024 for m in texts[:20])
    assert len(messages[-2].encode()) == 16384  # type: ignore[union-attr]
    assert len(messages[-1]) == 65536


async def echo_exchange(channel: Any, messages: list[Message], timeout: float = 10.0) -> None:
    """Send every message on ``channel`` (open, with an echoing peer) and check that the
    echoes come back identical, of the same type, in order."""
    echoes: list[Message] = []
    done = asyncio.get_running_loop().create_future()

    def on_message(message: Message) -> None:
        echoes.append(message)
        if len(echoes) == len(messages) and not done.done():
            done.set_result(None)

    channel.on("message", on_message)
    for message in messages:
        channel.send(message)
    await asyncio.wait_for(done, timeout)
    assert len(echoes) == len(messages)
    for index, (sent, echoed) in enumerate(zip(messages, echoes, strict=True)):
        assert type(echoed) is type(sent), f"message {index}: type {type(echoed).__name__}"
        assert echoed == sent, f"message {index} differs"


def echo_incoming(pc: Any) -> None:
    """Echo every message of every channel the peer opens on ``pc``."""

    @pc.on("datachannel")
    def on_datachannel(channel: Any) -> None:
        @channel.on("message")
        def on_message(message: Message) -> None:
            channel.send(message)


async def wait_open(channel: Any, timeout: float = 5.0) -> None:
    if channel.ready_state == "open":
        return
    opened = asyncio.get_running_loop().create_future()
    channel.on("open", lambda: opened.done() or opened.set_result(None))
    await asyncio.wait_for(opened, timeout)


async def wait_connected(pc: Any, timeout: float = 5.0) -> None:
    """Wait for ``connection_state == "connected"`` (event-driven, no polling)."""
    if pc.connection_state == "connected":
        return
    reached = asyncio.get_running_loop().create_future()

    def on_change() -> None:
        if pc.connection_state == "connected" and not reached.done():
            reached.set_result(None)

    pc.on("connectionstatechange", on_change)
    await asyncio.wait_for(reached, timeout)


async def connect(offerer: RTCPeerConnection, answerer: Any) -> None:
    """Complete offer/answer (the answerer may be purertc or aiortc)."""
    await offerer.set_local_description()
    await answerer.set_remote_description(offerer.local_description)
    await answerer.set_local_description(await answerer.create_answer())
    await offerer.set_remote_description(answerer.local_description)
