"""Data-channel throughput: purertc <-> purertc vs aiortc <-> aiortc over real loopback UDP.

Both pairs are connected once, in one process and one event loop; each timed call moves 4 MiB
in 16 KiB or 1 KiB messages from the offerer to the answerer with the same back-pressure
(keep the buffered amount under 1 MiB, resume at 256 KiB on ``bufferedamountlow``) and waits
until the last byte arrived. Target: >= 3x aiortc.

``--two-process``: the answerer runs in a child process (this script with ``--child``),
signaling over its stdin/stdout; the child acknowledges with one message once it has every byte,
so each side has a core of its own. Figures are printed per implementation (not interleaved).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import Case, run  # noqa: E402
from _pc_peers import HIGH_WATER, LOW_WATER, aiortc_pair, close_pair, purertc_pair  # noqa: E402

TOTAL = 4 * 1024 * 1024


class Transfer:
    """One connected pair and the receiver's byte counter."""

    def __init__(self, pair: tuple[Any, Any, Any, Any], purertc: bool) -> None:
        self.a, self.b, self.sender, self.receiver = pair
        self.purertc = purertc
        self.received = 0
        self.target = 0
        self.done: asyncio.Future[None] | None = None
        self.receiver.on("message", self.on_message)
        if purertc:
            self.sender.buffered_amount_low_threshold = LOW_WATER
        else:
            self.sender.bufferedAmountLowThreshold = LOW_WATER
            self.low: asyncio.Event = asyncio.Event()
            self.sender.on("bufferedamountlow", self.low.set)

    def on_message(self, message: bytes) -> None:
        self.received += len(message)
        if self.received >= self.target and self.done is not None and not self.done.done():
            self.done.set_result(None)

    async def move(self, size: int) -> None:
        loop = asyncio.get_running_loop()
        self.done = loop.create_future()
        self.target = self.received + TOTAL
        chunk = b"\x5a" * size
        send = self.sender.send
        if self.purertc:
            for _ in range(TOTAL // size):
                send(chunk)
                if self.sender.buffered_amount > HIGH_WATER:
                    await self.sender.drain()
        else:
            for _ in range(TOTAL // size):
                send(chunk)
                if self.sender.bufferedAmount > HIGH_WATER:
                    self.low.clear()
                    await self.low.wait()
        await self.done


async def child(implementation: str) -> None:
    """The answering side of --two-process: count bytes, acknowledge every TOTAL."""
    import aiortc
    from _pc_peers import purertc_configuration  # also puts aioice on loopback

    from purertc import RTCPeerConnection, RTCSessionDescription

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    offer = json.loads(await reader.readline())
    pc: Any
    if implementation == "purertc":
        pc = RTCPeerConnection(purertc_configuration(1))
        await pc.set_remote_description(RTCSessionDescription(offer["sdp"], "offer"))
        await pc.set_local_description()
        answer = pc.local_description
    else:
        pc = aiortc.RTCPeerConnection()
        await pc.setRemoteDescription(aiortc.RTCSessionDescription(offer["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        answer = pc.localDescription
    received = 0
    finished = loop.create_future()

    @pc.on("datachannel")
    def on_datachannel(channel: Any) -> None:
        def on_message(message: Any) -> None:
            nonlocal received
            if message == "quit":
                finished.set_result(None)
                return
            received += len(message)
            if received % TOTAL == 0:
                channel.send("ack")

        channel.on("message", on_message)

    sys.stdout.write(json.dumps({"sdp": answer.sdp}) + "\n")
    sys.stdout.flush()
    await finished
    await pc.close()


async def parent(implementation: str, size: int, rounds: int) -> list[float]:
    """Offer from here, the answerer in a child; MB/s of each round."""
    import aiortc
    from _pc_peers import purertc_configuration

    from purertc import RTCPeerConnection, RTCSessionDescription

    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child", implementation,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    loop = asyncio.get_running_loop()
    pc: Any
    if implementation == "purertc":
        pc = RTCPeerConnection(purertc_configuration(0))
        channel = pc.create_data_channel("bench")
        await pc.set_local_description()
        offer = pc.local_description
    else:
        pc = aiortc.RTCPeerConnection()
        channel = pc.createDataChannel("bench")
        await pc.setLocalDescription(await pc.createOffer())
        offer = pc.localDescription
    opened = loop.create_future()
    channel.on("open", lambda: opened.set_result(None))
    process.stdin.write((json.dumps({"sdp": offer.sdp}) + "\n").encode())
    await process.stdin.drain()
    answer = json.loads(await process.stdout.readline())
    if implementation == "purertc":
        await pc.set_remote_description(RTCSessionDescription(answer["sdp"], "answer"))
    else:
        await pc.setRemoteDescription(aiortc.RTCSessionDescription(answer["sdp"], "answer"))
    await opened
    acks: asyncio.Queue[None] = asyncio.Queue()
    channel.on("message", lambda message: acks.put_nowait(None))
    low = asyncio.Event()
    if implementation == "purertc":
        channel.buffered_amount_low_threshold = LOW_WATER
    else:
        channel.bufferedAmountLowThreshold = LOW_WATER
        channel.on("bufferedamountlow", low.set)
    rates = []
    chunk = b"\x5a" * size
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(TOTAL // size):
            channel.send(chunk)
            if implementation == "purertc":
                if channel.buffered_amount > HIGH_WATER:
                    await channel.drain()
            elif channel.bufferedAmount > HIGH_WATER:
                low.clear()
                await low.wait()
        await acks.get()
        rates.append(TOTAL / (time.perf_counter() - start) / 1e6)
    channel.send("quit")
    await asyncio.wait_for(process.wait(), 10)
    await pc.close()
    return rates


def two_process(quick: bool) -> None:
    rounds = 3 if quick else 7
    for size in (16 * 1024, 1024):
        medians = {}
        for implementation in ("purertc", "aiortc"):
            rates = asyncio.run(parent(implementation, size, rounds))
            medians[implementation] = statistics.median(rates)
        print(
            f"two processes, 4 MiB in {size // 1024} KiB messages: purertc "
            f"{medians['purertc']:.1f} MB/s, aiortc {medians['aiortc']:.1f} MB/s, "
            f"speedup {medians['purertc'] / medians['aiortc']:.2f}x"
        )


def main() -> None:
    if "--child" in sys.argv:
        asyncio.run(child(sys.argv[sys.argv.index("--child") + 1]))
        return
    if "--two-process" in sys.argv:
        two_process("--quick" in sys.argv)
        return
    loop = asyncio.new_event_loop()
    ours = Transfer(loop.run_until_complete(purertc_pair()), purertc=True)
    theirs = Transfer(loop.run_until_complete(aiortc_pair()), purertc=False)
    cases = [
        Case(
            f"4 MiB in {size // 1024} KiB messages",
            purertc=lambda size=size: loop.run_until_complete(ours.move(size)),
            aiortc=lambda size=size: loop.run_until_complete(theirs.move(size)),
            unit="MB",
            bytes_per_call=TOTAL,
            number=1,
        )
        for size in (16 * 1024, 1024)
    ]
    try:
        run("data channel throughput over loopback UDP", cases)
    finally:
        loop.run_until_complete(close_pair(ours.a, ours.b))
        loop.run_until_complete(close_pair(theirs.a, theirs.b))
        loop.close()


if __name__ == "__main__":
    main()
