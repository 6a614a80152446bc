"""``purertc signal``: run the WebSocket signaling server until SIGINT/SIGTERM.

Secrets may come from the environment (``PURERTC_ROOM_SECRET``, ``PURERTC_TURN_SECRET``) so
they do not show in the process list.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import ssl
import sys
from typing import Any

from purertc.signaling import Limits, LocalHub, SignalingServer, TurnConfig
from purertc.signaling.rooms import Hub

_DEFAULTS = Limits()


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "signal",
        help="run the WebSocket signaling server (rooms)",
        description="WebSocket signaling server: rooms, limits, room tokens, TURN credentials.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument("--cert", help="TLS certificate chain (PEM): serve wss://")
    parser.add_argument("--key", help="TLS private key (PEM), with --cert")
    parser.add_argument("--redis", metavar="URL", help="share rooms with other servers via Redis")
    parser.add_argument("--static", metavar="DIR", help="serve the files in DIR over HTTP")
    parser.add_argument(
        "--origin",
        action="append",
        metavar="ORIGIN",
        help="allowed browser Origin (repeatable; default: any)",
    )
    parser.add_argument(
        "--room-secret",
        default=os.environ.get("PURERTC_ROOM_SECRET"),
        help="require HMAC room tokens signed with this secret (env PURERTC_ROOM_SECRET)",
    )
    turn = parser.add_argument_group("TURN REST credentials (coturn --static-auth-secret)")
    turn.add_argument("--turn-secret", default=os.environ.get("PURERTC_TURN_SECRET"))
    turn.add_argument("--turn-url", action="append", metavar="URL", help="turn:HOST:PORT...")
    turn.add_argument("--turn-ttl", type=int, default=86400, help="credential lifetime, seconds")
    limits = parser.add_argument_group("limits")
    limits.add_argument("--max-frame-bytes", type=int, default=_DEFAULTS.max_frame_bytes)
    limits.add_argument("--rate", type=float, default=_DEFAULTS.messages_per_second)
    limits.add_argument("--burst", type=int, default=_DEFAULTS.burst)
    limits.add_argument("--peers-per-room", type=int, default=_DEFAULTS.peers_per_room)
    limits.add_argument("--max-rooms", type=int, default=_DEFAULTS.rooms_per_server)
    limits.add_argument("--connections-per-ip", type=int, default=_DEFAULTS.connections_per_ip)
    limits.add_argument("--idle-timeout", type=float, default=_DEFAULTS.idle_timeout)
    limits.add_argument("--ping-interval", type=float, default=_DEFAULTS.ping_interval)
    limits.add_argument("--outgoing-queue", type=int, default=_DEFAULTS.outgoing_queue)


def build_server(args: argparse.Namespace) -> tuple[SignalingServer, ssl.SSLContext | None]:
    """The server and TLS context the arguments describe; ``ValueError`` when inconsistent."""
    if bool(args.cert) != bool(args.key):
        raise ValueError("--cert and --key go together")
    if bool(args.turn_secret) != bool(args.turn_url):
        raise ValueError("--turn-secret and --turn-url go together")
    context: ssl.SSLContext | None = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    hub: Hub = LocalHub()
    if args.redis:
        from purertc.signaling.redis_hub import RedisHub

        hub = RedisHub(args.redis)
    limits = Limits(
        max_frame_bytes=args.max_frame_bytes,
        messages_per_second=args.rate,
        burst=args.burst,
        peers_per_room=args.peers_per_room,
        rooms_per_server=args.max_rooms,
        connections_per_ip=args.connections_per_ip,
        idle_timeout=args.idle_timeout,
        ping_interval=args.ping_interval,
        ping_timeout=args.ping_interval,
        outgoing_queue=args.outgoing_queue,
    )
    turn = None
    if args.turn_secret:
        turn = TurnConfig(args.turn_secret, list(args.turn_url), args.turn_ttl)
    server = SignalingServer(
        limits=limits,
        hub=hub,
        room_secret=args.room_secret.encode() if args.room_secret else None,
        turn=turn,
        origins=args.origin,
        static_dir=args.static,
    )
    return server, context


async def _serve(server: SignalingServer, args: argparse.Namespace, context: Any) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await server.start(args.host, args.port, ssl_context=context)
    scheme = "wss" if context is not None else "ws"
    print(f"purertc signal: listening on {scheme}://{args.host}:{server.port}", flush=True)
    try:
        await stop.wait()
    finally:
        print("purertc signal: shutting down", flush=True)
        await server.close()


def run(args: argparse.Namespace) -> int:
    try:
        server, context = build_server(args)
    except (ValueError, OSError, ssl.SSLError) as exc:
        print(f"purertc signal: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(server, args, context))
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        print("purertc signal: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # cannot bind, Redis unreachable, ...: one line, not a traceback
        print(f"purertc signal: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
