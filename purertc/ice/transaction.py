"""Retransmission of a STUN request over an unreliable transport (RFC 8489 §6.2.1).

The first retransmission waits ``rto``, each next one twice as long up to ``max_rto``; after
``limit`` transmissions the last wait ends the transaction. Over a stream (TCP, TLS) the
request goes once (``limit=1``) and the single wait is the whole timeout. Shared by the ICE
agent's checks and gathering requests and by the TURN client.
"""

from __future__ import annotations


class Transaction:
    """Timing of one request; subclasses carry what the response will be matched against."""

    __slots__ = (
        "tid",
        "request",
        "deadline",
        "interval",
        "max_rto",
        "sent",
        "limit",
        "last_sent_at",
    )

    def __init__(
        self, tid: bytes, request: bytes, *, rto: float, max_rto: float, limit: int
    ) -> None:
        self.tid = tid
        self.request = request
        self.deadline = 0.0
        self.interval = rto
        self.max_rto = max_rto
        self.sent = 0
        self.limit = limit
        self.last_sent_at = 0.0  # the latest transmission: round-trip times start from it

    def start(self, now: float) -> None:
        """The request goes out for the first time now."""
        self.sent = 1
        self.deadline = now + self.interval
        self.last_sent_at = now

    def expire(self, now: float) -> bool | None:
        """At or after the deadline: True to retransmit now, False when the transaction timed
        out; None when nothing is due yet."""
        if now < self.deadline:
            return None
        if self.sent >= self.limit:
            return False
        self.sent += 1
        self.interval = min(self.interval * 2, self.max_rto)
        self.deadline = now + self.interval
        self.last_sent_at = now
        return True
