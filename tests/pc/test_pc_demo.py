"""``purertc demo``: a small file end to end through the command's code."""

from __future__ import annotations

import io

import pytest

from purertc.cli.demo import generated_chunks, transfer
from purertc.cli.main import build_parser, main

pytestmark = pytest.mark.timeout(60)


def test_generated_chunks_cover_the_size() -> None:
    chunks = generated_chunks(100_000, 16384)
    assert sum(map(len, chunks)) == 100_000 and len(chunks) == 7
    assert len(set(chunks[:4])) == 4  # not one repeated block per message


async def test_transfer_verifies_and_reports() -> None:
    out = io.StringIO()
    figures = await transfer(2 * 1024 * 1024 + 5, 16384, out)
    assert figures["bytes"] == 2 * 1024 * 1024 + 5 and figures["setup"] > 0
    assert "100%" in out.getvalue()


def test_demo_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["demo", "--size", "0.5"]).size == 0.5
    assert main(["demo", "--size", "0.5", "--quiet"]) == 0
    assert "sha256 verified: 0.5 MiB" in capsys.readouterr().out
    assert main(["demo", "--size", "0"]) == 2
