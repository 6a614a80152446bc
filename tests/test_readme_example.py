"""The README's usage example runs as printed (on loopback only, as every network test here)."""

from __future__ import annotations

import functools
import re
import runpy
from pathlib import Path

import pytest

import purertc
from purertc import PurertcSettings, RTCConfiguration, RTCPeerConnection

README = Path(__file__).resolve().parent.parent / "README.md"


def test_usage_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    match = re.search(r"```python\n(import asyncio\n.*?)```", README.read_text(), re.S)
    assert match, "README lost its usage example"
    script = tmp_path / "example.py"
    script.write_text(match.group(1))
    loopback = RTCConfiguration(purertc=PurertcSettings(addresses=["127.0.0.1"]))
    monkeypatch.setattr(
        purertc,
        "RTCPeerConnection",
        functools.partial(RTCPeerConnection, configuration=loopback),
    )
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out == "hello\n"
