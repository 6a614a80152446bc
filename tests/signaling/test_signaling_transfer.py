"""``purertc send`` / ``recv``: a 20 MiB file through a signaling room, byte-identical."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sys
from pathlib import Path

import pytest

from purertc.cli import transfer
from purertc.cli.main import main
from purertc.cli.transfer import TransferError, receive_file, send_file
from purertc.signaling import SignalingServer

pytestmark = pytest.mark.timeout(60)


async def test_twenty_mib_file_end_to_end(tmp_path: Path) -> None:
    source = tmp_path / "payload.bin"
    source.write_bytes(os.urandom(20 * 1024 * 1024))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    async with SignalingServer() as server:
        await server.start()
        url = f"ws://127.0.0.1:{server.port}"
        received, _ = await asyncio.gather(
            receive_file(url, "files", out_dir, addresses=["127.0.0.1"]),
            send_file(source, url, "files", addresses=["127.0.0.1"]),
        )
    assert received == out_dir / "payload.bin"
    assert (
        hashlib.sha256(received.read_bytes()).digest()
        == hashlib.sha256(source.read_bytes()).digest()
    )
    assert list(out_dir.iterdir()) == [received]  # no .part left behind


async def test_sender_leaving_midway_fails_the_receiver_and_cleans_up(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(8 * 1024 * 1024))
    async with SignalingServer() as server:
        await server.start()
        url = f"ws://127.0.0.1:{server.port}"
        receiver = asyncio.create_task(receive_file(url, "r", out_dir, addresses=["127.0.0.1"]))
        sender = asyncio.create_task(send_file(source, url, "r", addresses=["127.0.0.1"]))
        for _ in range(2000):  # until data flows (the .part file exists and grows)
            parts = list(out_dir.glob("*.part"))
            if parts and parts[0].stat().st_size > 0:
                break
            await asyncio.sleep(0.005)
        sender.cancel()  # Ctrl-C on the sending side
        with pytest.raises(asyncio.CancelledError):
            await sender
        with pytest.raises(TransferError, match="left"):
            await asyncio.wait_for(receiver, 20)
    assert list(out_dir.iterdir()) == []


async def test_sha256_mismatch_fails_both_sides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "small.bin"
    source.write_bytes(os.urandom(100_000))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.setattr(transfer, "file_sha256", lambda path: "0" * 64)  # a lying sender
    async with SignalingServer() as server:
        await server.start()
        url = f"ws://127.0.0.1:{server.port}"
        results = await asyncio.gather(
            receive_file(url, "m", out_dir, addresses=["127.0.0.1"]),
            send_file(source, url, "m", addresses=["127.0.0.1"]),
            return_exceptions=True,
        )
    assert isinstance(results[0], TransferError) and "mismatch" in str(results[0])
    assert isinstance(results[1], TransferError) and "refused" in str(results[1])
    assert list(out_dir.iterdir()) == []


def test_missing_file_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["send", str(tmp_path / "nope"), "--signal", "ws://127.0.0.1:9", "--room", "r"])
    assert code == 1
    assert "not a readable file" in capsys.readouterr().err


def test_unreachable_signaling_server_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["recv", "--signal", "ws://127.0.0.1:9", "--room", "r", "--out", str(tmp_path)])
    assert code == 1
    assert "cannot reach the signaling server" in capsys.readouterr().err


async def test_ctrl_c_exits_130_with_a_message(tmp_path: Path) -> None:
    async with SignalingServer() as server:
        await server.start()
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "purertc", "recv", "--signal",
            f"ws://127.0.0.1:{server.port}", "--room", "wait", "--out", str(tmp_path),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        try:
            for _ in range(2000):  # until the receiver sits in the room waiting for a peer
                if "wait" in server.hub.rooms:  # type: ignore[attr-defined]
                    break
                await asyncio.sleep(0.01)
            process.send_signal(signal.SIGINT)
            async with asyncio.timeout(20):
                _, err = await process.communicate()
            assert process.returncode == 130
            assert err.decode().strip() == "purertc recv: interrupted"
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
