"""Connection setup: purertc <-> purertc vs aiortc <-> aiortc over real loopback UDP.

Each call builds two peer connections, runs create_offer / set_local / set_remote / answer,
waits until both ends of the data channel are open, and closes both. The certificates are made
beforehand for purertc (a W3C ``certificates`` configuration; aiortc makes its own in the
constructor). The case "offer -> open" is the issue's figure: from ``create_offer`` until both
channels are open (target <= 5 ms; aiortc measured 23.5 ms), timed inside each call and
reported as the median of the calls; the harness row times the whole cycle.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import Case, run  # noqa: E402
from _pc_peers import aiortc_pair, close_pair, purertc_pair  # noqa: E402

SPANS: dict[str, list[float]] = {"purertc": [], "aiortc": []}


async def cycle(name: str) -> None:
    start = time.perf_counter()
    a, b, _channel, _remote = await (purertc_pair() if name == "purertc" else aiortc_pair())
    SPANS[name].append(time.perf_counter() - start)
    await close_pair(a, b)


def main() -> None:
    loop = asyncio.new_event_loop()
    cases = [
        Case(
            "construct, offer/answer, open, close",
            purertc=lambda: loop.run_until_complete(cycle("purertc")),
            aiortc=lambda: loop.run_until_complete(cycle("aiortc")),
            number=4,
        )
    ]
    try:
        run("peer connection setup over loopback UDP", cases)
    finally:
        loop.close()
    ours, theirs = statistics.median(SPANS["purertc"]), statistics.median(SPANS["aiortc"])
    print(
        f"# construct -> both channels open, median of {len(SPANS['purertc'])} / "
        f"{len(SPANS['aiortc'])}: purertc {ours * 1e3:.2f} ms, aiortc {theirs * 1e3:.2f} ms, "
        f"speedup {theirs / ours:.2f}x"
    )


if __name__ == "__main__":
    main()
