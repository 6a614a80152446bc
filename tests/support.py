"""Helpers every test layer shares: the shared vectors and the interop-requirement rule."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _find_vectors() -> Path:
    """``$PURERTC_VECTORS``, else the first ``shared/vectors`` beside the checkout or above it
    (a git worktree nested deeper than the main checkout still finds them)."""
    if "PURERTC_VECTORS" in os.environ:
        return Path(os.environ["PURERTC_VECTORS"])
    for parent in ROOT.parents:
        candidate = parent / "shared" / "vectors"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "vectors"


VECTORS = _find_vectors()


def vector_path(relative: str) -> Path:
    """Path of one shared vector, e.g. ``vector_path("sdp/chrome_video_aiortc.sdp")``."""
    path = VECTORS / relative
    if not path.exists():
        raise FileNotFoundError(f"shared vector missing: {path}")
    return path


@cache
def manifest() -> dict[str, dict[str, Any]]:
    """The vectors' ``manifest.json`` entries, keyed by file (``"sdp/x.sdp"``)."""
    data: dict[str, Any] = json.loads((VECTORS / "manifest.json").read_text())
    return {entry["file"]: entry for entry in data["entries"]}


def manifest_entries(category: str) -> list[dict[str, Any]]:
    """Manifest entries of one category (``"sdp"``, ``"stun"``, ...), in manifest order."""
    return [entry for entry in manifest().values() if entry["category"] == category]


def load_json_vector(relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(vector_path(relative).read_text())
    return data


def interop_required() -> bool:
    return os.environ.get("PURERTC_REQUIRE_INTEROP") == "1"


def missing_interop_dependency(message: str) -> NoReturn:
    """Something an interop test needs is not here.

    Locally the test skips with a loud reason; under ``PURERTC_REQUIRE_INTEROP=1`` (CI) it
    fails instead, so a skip never counts as a pass.
    """
    if interop_required():
        pytest.fail(message)
    pytest.skip(message)


def require_program(name: str) -> str:
    """Path of a system program an interop test needs (see :func:`missing_interop_dependency`)."""
    path = shutil.which(name)
    if path is None:
        missing_interop_dependency(
            f"interop program {name!r} not installed (run `make system-deps`)"
        )
    return path


def wait_for_listener(process: subprocess.Popen[bytes], port: int, name: str) -> None:
    """Block until a real server process we started accepts TCP on 127.0.0.1:``port``.

    A program starting up is real time, not protocol time, so this polls the wall clock (at
    most 10 s). If it never listens, the process is killed and the test fails naming it.
    """
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"{name} did not start listening on 127.0.0.1:{port}")
