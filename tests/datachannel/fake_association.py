"""A fake association with exactly the sctp contract's members, for the manager's unit tests.

It records what the manager asks of it; tests feed the manager the association's real events
(``purertc.sctp.events``) by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from purertc.sctp.events import (
    AssociationEstablished,
    DataReceived,
    Event,
    StreamsResetIncoming,
    StreamsResetOutgoingDone,
)


@dataclass(frozen=True)
class Sent:
    stream_id: int
    data: bytes
    ppid: int
    ordered: bool
    max_retransmits: int | None
    max_lifetime: float | None
    now: float


class FakeSctpError(ValueError):
    pass


@dataclass
class FakeAssociation:
    remote_max_message_size: int = 65536
    established: bool = True
    sent: list[Sent] = field(default_factory=list)
    resets: list[tuple[int, ...]] = field(default_factory=list)
    buffered: dict[int, int] = field(default_factory=dict)
    thresholds: dict[int, int] = field(default_factory=dict)

    def send(
        self,
        stream_id: int,
        data: bytes,
        ppid: int,
        *,
        ordered: bool = True,
        max_retransmits: int | None = None,
        max_lifetime: float | None = None,
        now: float,
    ) -> None:
        if not self.established:
            raise FakeSctpError("association not established")
        if len(data) > self.remote_max_message_size > 0:
            raise FakeSctpError("message too large")
        self.sent.append(Sent(stream_id, data, ppid, ordered, max_retransmits, max_lifetime, now))
        self.buffered[stream_id] = self.buffered.get(stream_id, 0) + len(data)

    def reset_streams(self, stream_ids: Sequence[int]) -> None:
        self.resets.append(tuple(stream_ids))

    def buffered_amount(self, stream_id: int) -> int:
        return self.buffered.get(stream_id, 0)

    def set_buffered_amount_low_threshold(self, stream_id: int, threshold: int) -> None:
        self.thresholds[stream_id] = threshold


@dataclass
class LoopbackAssociation(FakeAssociation):
    """One end of a perfect in-memory association: what it sends arrives at its peer as the
    events the sctp contract promises (user data, and both sides of a stream reset)."""

    inbox: list[Event] = field(default_factory=list)
    peer: LoopbackAssociation | None = None

    def send(
        self,
        stream_id: int,
        data: bytes,
        ppid: int,
        *,
        ordered: bool = True,
        max_retransmits: int | None = None,
        max_lifetime: float | None = None,
        now: float,
    ) -> None:
        super().send(
            stream_id,
            data,
            ppid,
            ordered=ordered,
            max_retransmits=max_retransmits,
            max_lifetime=max_lifetime,
            now=now,
        )
        assert self.peer is not None
        self.peer.inbox.append(DataReceived(stream_id, ppid, data, not ordered))

    def reset_streams(self, stream_ids: Sequence[int]) -> None:
        super().reset_streams(stream_ids)
        assert self.peer is not None
        ids = tuple(stream_ids)
        # The peer learns of our reset and answers with its own (sctp contract) ...
        self.peer.inbox.append(StreamsResetIncoming(ids))
        # ... so we see our request performed and then the peer's reset of its side.
        self.inbox.append(StreamsResetOutgoingDone(ids))
        self.inbox.append(StreamsResetIncoming(ids))


def loopback_pair() -> tuple[LoopbackAssociation, LoopbackAssociation]:
    a, b = LoopbackAssociation(), LoopbackAssociation()
    a.peer, b.peer = b, a
    a.inbox.append(AssociationEstablished())
    b.inbox.append(AssociationEstablished())
    return a, b
