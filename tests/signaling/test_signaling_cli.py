"""``purertc signal``: argument handling, and the real command serving and shutting down."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from purertc.cli.main import build_parser, main
from purertc.cli.signal import build_server
from purertc.signaling import LocalHub
from purertc.signaling.redis_hub import RedisHub
from tests.signaling.sigtools import Raw, require_redis_package

pytestmark = pytest.mark.timeout(30)

ROOT = Path(__file__).resolve().parents[2]


def test_arguments_configure_the_server(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["signal", "--rate", "5", "--burst", "7", "--peers-per-room", "2", "--max-rooms", "9",
         "--connections-per-ip", "3", "--idle-timeout", "30", "--max-frame-bytes", "1000",
         "--outgoing-queue", "8",
         "--origin", "https://a.example", "--origin", "https://b.example",
         "--room-secret", "s3", "--turn-secret", "t", "--turn-url", "turn:h:3478",
         "--turn-ttl", "60", "--static", str(tmp_path)]
    )  # fmt: skip
    server, context = build_server(args)
    assert context is None and isinstance(server.hub, LocalHub)
    limits = server.limits
    assert (limits.messages_per_second, limits.burst, limits.peers_per_room) == (5, 7, 2)
    assert (limits.rooms_per_server, limits.connections_per_ip) == (9, 3)
    assert (limits.idle_timeout, limits.max_frame_bytes, limits.outgoing_queue) == (30, 1000, 8)
    assert server.origins == {"https://a.example", "https://b.example"}
    assert server.room_secret == b"s3"
    assert server.turn is not None and list(server.turn.urls) == ["turn:h:3478"]
    assert server.turn.ttl == 60 and server.static_dir == tmp_path.resolve()
    redis_args = build_parser().parse_args(["signal", "--redis", "redis://127.0.0.1:1/0"])
    assert isinstance(build_server(redis_args)[0].hub, RedisHub)


@pytest.mark.parametrize(
    "argv",
    [["signal", "--cert", "c.pem"], ["signal", "--turn-secret", "x"], ["signal", "--cert",
     "/nonexistent/c.pem", "--key", "/nonexistent/k.pem"]],
)  # fmt: skip
def test_inconsistent_arguments_fail_with_a_message(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("purertc signal: ")


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "signal" in capsys.readouterr().out


async def test_command_serves_and_shuts_down_gracefully_on_sigterm() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "purertc", "signal", "--port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        async with asyncio.timeout(20):
            line = (await process.stdout.readline()).decode()
        assert line.startswith("purertc signal: listening on ws://127.0.0.1:"), line
        port = int(line.rsplit(":", 1)[1])
        peer = await Raw.open(port)
        assert (await peer.join("r"))["peers"] == []
        process.send_signal(signal.SIGTERM)
        assert (await peer.recv())["type"] == "shutdown"
        async with asyncio.timeout(10):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_unreachable_redis_fails_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    require_redis_package()
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["signal", "--port", "0", "--redis", f"redis://127.0.0.1:{port}/0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("purertc signal: ") and err.count("\n") == 1


def test_port_in_use_fails_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["signal", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("purertc signal: ") and "address already in use" in err.lower()
