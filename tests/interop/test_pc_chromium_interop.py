"""purertc's RTCPeerConnection against headless Chromium, data channels over loopback UDP.

The test starts a tiny HTTP server on 127.0.0.1 serving ``chromium_page.html`` and carrying
the signaling (the page long-polls ``/poll`` for its next message and POSTs to ``/send``),
starts ``chromium --headless`` on it, and runs both offer directions with the echo set: the
browser echoes every message, purertc checks each echo in order. Each side also sends one
message of the peer's max-message-size + 1 and must see it refused.

Chromium on loopback: ``--allow-loopback-in-peer-connection`` and a granted getUserMedia
(fake device, fake permission UI), without which host candidates are mDNS names.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from purertc import RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from purertc.datachannel import MessageTooLargeError
from tests.pc.pc_helpers import echo_exchange, loopback_configuration, message_set, wait_open
from tests.support import require_program

pytestmark = pytest.mark.timeout(60)
PAGE = (Path(__file__).parent / "chromium_page.html").read_bytes()


class Signaling:
    """The HTTP endpoint the page talks to."""

    def __init__(self) -> None:
        self.to_page: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.from_page: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.log: list[str] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request = head.decode("latin-1").split("\r\n")
            method, path, _ = request[0].split(" ", 2)
            length = 0
            for line in request[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            body = await reader.readexactly(length) if length else b""
            status, payload, kind = 200, b"", "text/plain"
            if path == "/":
                payload, kind = PAGE, "text/html"
            elif path == "/poll":
                try:
                    message = await asyncio.wait_for(self.to_page.get(), 5)
                    payload, kind = json.dumps(message).encode(), "application/json"
                except TimeoutError:
                    status = 204
            elif path == "/send" and method == "POST":
                message = json.loads(body)
                if "log" in message:
                    self.log.append(message["log"])
                else:
                    self.from_page.put_nowait(message)
            else:
                status = 404
            reason = {200: "OK", 204: "No Content", 404: "Not Found"}[status]
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def expect(self, key: str, timeout: float = 20) -> Any:
        """The next page message carrying ``key`` (state reports in between are skipped)."""
        while True:
            message = await asyncio.wait_for(self.from_page.get(), timeout)
            if key in message:
                return message[key]


@contextlib.asynccontextmanager
async def chromium_page() -> AsyncIterator[Signaling]:
    program = require_program("chromium")
    signaling = Signaling()
    server = await asyncio.start_server(signaling.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    # Chromium's helper processes (renderer, crashpad...) may outlive the main one and still be
    # writing the profile: the browser gets its own process group, killed whole at the end.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser = await asyncio.create_subprocess_exec(
            program,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--allow-loopback-in-peer-connection",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"http://127.0.0.1:{port}/",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            yield signaling
        finally:
            browser.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(browser.wait(), 10)
            if browser.returncode is None:
                browser.kill()
                await browser.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(browser.pid, signal.SIGKILL)  # helpers left in the group
            server.close()
            await server.wait_closed()


async def check_too_large(signaling: Signaling, channel: RTCDataChannel) -> None:
    refused = await signaling.expect("too_large")
    assert refused == "TypeError", f"Chromium sent a message over our limit: {refused}"
    with pytest.raises(MessageTooLargeError, match="262144"):
        channel.send(b"x" * 262145)  # Chromium announces a=max-message-size:262144


async def test_purertc_offers_chromium_answers() -> None:
    async with chromium_page() as signaling:
        pc = RTCPeerConnection(loopback_configuration())
        channel = pc.create_data_channel("echo")
        signaling.to_page.put_nowait({"start": "purertc-offers"})
        await pc.set_local_description()
        offer = pc.local_description
        assert offer is not None
        signaling.to_page.put_nowait({"description": {"type": "offer", "sdp": offer.sdp}})
        answer = await signaling.expect("description")
        await pc.set_remote_description(RTCSessionDescription(answer["sdp"], answer["type"]))
        await wait_open(channel, timeout=20)
        await echo_exchange(channel, message_set(seed=20), timeout=20)
        await check_too_large(signaling, channel)
        await pc.close()


async def test_chromium_offers_purertc_answers() -> None:
    async with chromium_page() as signaling:
        pc = RTCPeerConnection(loopback_configuration())
        incoming: asyncio.Future[RTCDataChannel] = asyncio.get_running_loop().create_future()
        pc.on("datachannel", incoming.set_result)
        signaling.to_page.put_nowait({"start": "browser-offers"})
        offer = await signaling.expect("description")
        await pc.set_remote_description(RTCSessionDescription(offer["sdp"], offer["type"]))
        await pc.set_local_description()
        answer = pc.local_description
        assert answer is not None
        signaling.to_page.put_nowait({"description": {"type": "answer", "sdp": answer.sdp}})
        channel = await asyncio.wait_for(incoming, 20)
        await wait_open(channel, timeout=20)
        await echo_exchange(channel, message_set(seed=21), timeout=20)
        await check_too_large(signaling, channel)
        await pc.close()
