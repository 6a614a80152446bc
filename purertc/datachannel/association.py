"""The association as the channel manager sees it: the five calls of the sctp contract.

The manager drives a ``purertc.sctp.Association`` only through these members, so anything that
has them (a fake in unit tests, another SCTP stack a user brings) can carry data channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class AssociationLike(Protocol):
    @property
    def remote_max_message_size(self) -> int:
        """The peer's a=max-message-size (RFC 8841 §6); 0 means it announced no limit."""
        ...

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
    ) -> None: ...

    def reset_streams(self, stream_ids: Sequence[int]) -> None: ...

    def buffered_amount(self, stream_id: int) -> int: ...

    def set_buffered_amount_low_threshold(self, stream_id: int, threshold: int) -> None: ...
