"""Server limits, and the token bucket that enforces the per-connection message rate."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Every limit the server enforces; the defaults suit a public rendezvous server.

    ``max_violations``: rate-limit violations tolerated (each answered with an ``error``
    frame) before the connection is closed as abusive. ``outgoing_queue``: frames waiting for
    one slow reader before it is closed (so it cannot make the server buffer without bound).
    """

    max_frame_bytes: int = 64 * 1024
    messages_per_second: float = 50.0
    burst: int = 100
    max_violations: int = 20
    peers_per_room: int = 16
    rooms_per_server: int = 10_000
    connections_per_ip: int = 64
    idle_timeout: float = 120.0
    ping_interval: float = 20.0
    ping_timeout: float = 20.0
    outgoing_queue: int = 1024


class TokenBucket:
    """``rate`` tokens per second, holding at most ``burst``; time comes in as ``now``."""

    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = now

    def take(self, now: float) -> bool:
        """Spend one token; False when the bucket is empty (the message is refused)."""
        elapsed = now - self.stamp
        if elapsed > 0:
            self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
            self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
