"""Entry point of the ``purertc`` command: one subcommand per feature, added as layers land."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from purertc import __version__
from purertc.cli import demo, signal, transfer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="purertc",
        description="purertc: a WebRTC protocol stack in Python.",
    )
    parser.add_argument("--version", action="version", version=f"purertc {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo.add_parser(subparsers)
    signal.add_parser(subparsers)
    transfer.add_parsers(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo":
        return demo.run(args)
    if args.command == "signal":
        return signal.run(args)
    if args.command in ("send", "recv"):
        return transfer.run(args)
    return 0
