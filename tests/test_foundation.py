"""The skeleton's promises: the command line, the typed marker and the direction of imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import purertc
from purertc.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "purertc"

BOTTOM = {"sdp", "stun", "sctp", "srtp", "rtp"}
MIDDLE = {"ice", "dtls", "datachannel"}
# DESIGN.md §2: imports point downward only. Each layer lists the purertc layers it may import.
ALLOWED: dict[str, set[str]] = {
    **{layer: set() for layer in BOTTOM},
    **{layer: set(BOTTOM) for layer in MIDDLE},
    "aio": BOTTOM | MIDDLE,
    "pc": BOTTOM | MIDDLE | {"aio"},
    "signaling": BOTTOM | MIDDLE | {"aio", "pc", "<root>"},
    "cli": BOTTOM | MIDDLE | {"aio", "pc", "signaling", "<root>"},
    "mesh": BOTTOM | MIDDLE | {"aio", "pc", "signaling", "<root>"},
    "sfu": BOTTOM | MIDDLE | {"aio", "pc", "signaling", "<root>"},
}
SHARED = {"_speedups", "_util"}  # tiny helpers any layer may use


def test_version_flag(capsys: object) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "purertc", "--version"], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == f"purertc {purertc.__version__}"


def test_no_subcommand_prints_help() -> None:
    assert main([]) == 2


def test_package_is_typed() -> None:
    assert (PACKAGE / "py.typed").exists()


def _imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    layers: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] != "purertc":
                continue
            layers.add(parts[1] if len(parts) > 1 else "<root>")
    return layers


def test_imports_point_downward() -> None:
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).parts
        if len(relative) < 2:
            continue  # the package face and __main__ may import any layer
        layer = relative[0]
        if layer in SHARED:
            allowed: set[str] = set()
        else:
            assert layer in ALLOWED, f"new layer {layer!r}: add it to ALLOWED and DESIGN.md"
            allowed = ALLOWED[layer]
        for imported in _imported_layers(path) - {layer} - SHARED:
            if imported not in allowed:
                violations.append(f"{path.relative_to(ROOT)} imports purertc.{imported}")
    assert not violations, "\n".join(violations)


def test_every_spec_note_is_indexed() -> None:
    index = (ROOT / "spec-notes" / "README.md").read_text()
    notes = sorted(p.name for p in (ROOT / "spec-notes").glob("*.md") if p.name != "README.md")
    missing = [name for name in notes if f"]({name})" not in index]
    assert not missing, f"add these to spec-notes/README.md: {missing}"
