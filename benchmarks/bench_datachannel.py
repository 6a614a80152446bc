"""Data-channel throughput: purertc <-> purertc vs aiortc <-> aiortc over real loopback UDP.

Both pairs are connected once, in one process and one event loop; each timed call moves 4 MiB
in 16 KiB or 1 KiB messages from the offerer to the answerer with the same back-pressure
(keep the buffered amount under 1 MiB, resume at 256 KiB on ``bufferedamountlow``) and waits
until the last byte arrived. Target: >= 3x aiortc.
"""

from __future__ import annotations

import asyncio
import sys
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


def main() -> None:
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
