"""The one timing helper every benchmark shares.

A benchmark names its cases, gives each a purertc callable and (where one exists) the aiortc
callable doing the same work, and calls :func:`run`. Each callable is timed the same way in the
same process: warm-up, then ``repeats`` rounds in which each implementation runs one timed
batch of ``number`` calls (interleaved, so load from elsewhere hits all alike); the per-call median,
min and max are reported, and the ratio ``speedup = aiortc_median / purertc_median`` (so > 1
means purertc is faster). The table goes to stdout and its last line is one JSON object with
every figure, so CI logs and ``--json FILE`` carry the same data.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Timing:
    """Seconds per call over the timed batches."""

    median: float
    min: float
    max: float
    number: int
    repeats: int

    @property
    def ops_per_second(self) -> float:
        return 1.0 / self.median if self.median > 0 else float("inf")


@dataclass
class Case:
    """One workload: purertc's callable, and aiortc's doing the same work (or ``None``)."""

    name: str
    purertc: Callable[[], object]
    aiortc: Callable[[], object] | None = None
    unit: str = "op"  # "op" reports ops/s; "MB" reports MB/s with `bytes_per_call`
    bytes_per_call: int = 0
    number: int | None = None
    extra: dict[str, Callable[[], object]] = field(default_factory=dict)


def _calibrate(fn: Callable[[], object], number: int | None) -> int:
    """Warm ``fn`` up and pick a batch size lasting about 20 ms (unless one is given)."""
    for _ in range(3):
        fn()
    if number is not None:
        return number
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start >= 0.02 or number >= 1 << 24:
            return number
        number *= 2


def _batch(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def measure_interleaved(
    fns: dict[str, Callable[[], object]], *, number: int | None, repeats: int
) -> dict[str, Timing]:
    """Per-call timings of several implementations of one workload.

    Their batches alternate (rotating which goes first each round), so a burst of load from
    elsewhere on a shared machine hits every implementation alike and the ratio stays steady.
    """
    numbers = {label: _calibrate(fn, number) for label, fn in fns.items()}
    samples: dict[str, list[float]] = {label: [] for label in fns}
    labels = list(fns)
    for round_ in range(repeats):
        shift = round_ % len(labels)
        for label in labels[shift:] + labels[:shift]:
            samples[label].append(_batch(fns[label], numbers[label]))
    return {
        label: Timing(statistics.median(s), min(s), max(s), numbers[label], repeats)
        for label, s in samples.items()
    }


def measure(fn: Callable[[], object], *, number: int | None, repeats: int) -> Timing:
    """Per-call timing of one callable (see :func:`measure_interleaved`)."""
    return measure_interleaved({"fn": fn}, number=number, repeats=repeats)["fn"]


def _rate(timing: Timing, case: Case) -> tuple[float, str]:
    if case.unit == "MB":
        return case.bytes_per_call / timing.median / 1e6, "MB/s"
    return timing.ops_per_second, "ops/s"


def _fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    parser.add_argument("--repeats", type=int, default=7, help="timed batches per case")
    parser.add_argument("--quick", action="store_true", help="3 repeats (smoke run)")
    return parser.parse_args(argv)


def run(benchmark: str, cases: Sequence[Case], argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Time every case, print the table and the JSON line; return the JSON object."""
    args = parse_args(argv)
    repeats = 3 if args.quick else args.repeats
    rows: list[dict[str, Any]] = []
    header = f"{'case':<34} {'impl':<10} {'median':>11} {'rate':>16} {'speedup':>8}"
    print(f"# {benchmark} — {platform.python_implementation()} {platform.python_version()}")
    print(header)
    print("-" * len(header))
    for case in cases:
        fns: dict[str, Callable[[], object]] = {"purertc": case.purertc, **case.extra}
        if case.aiortc is not None:
            fns["aiortc"] = case.aiortc
        timings = measure_interleaved(fns, number=case.number, repeats=repeats)
        row: dict[str, Any] = {"case": case.name, "unit": case.unit}
        row.update({label: asdict(timing) for label, timing in timings.items()})
        if case.aiortc is not None:
            row["speedup"] = timings["aiortc"].median / timings["purertc"].median
        impls = list(timings.items())
        for label, timing in impls:
            rate, rate_unit = _rate(timing, case)
            speedup = ""
            if label != "aiortc" and case.aiortc is not None:
                speedup = f"{row['aiortc']['median'] / timing.median:.2f}x"
            print(
                f"{case.name:<34} {label:<10} {_fmt_time(timing.median):>11} "
                f"{rate:>11.1f} {rate_unit:<4} {speedup:>8}"
            )
            row[f"{label}_rate"] = rate
        rows.append(row)
    result = {
        "benchmark": benchmark,
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
