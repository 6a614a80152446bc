"""Events a STUN client transaction reports (see :mod:`purertc.stun.transaction`)."""

from __future__ import annotations

from dataclasses import dataclass

from .attributes import ErrorCode
from .message import Message


@dataclass(frozen=True, slots=True)
class TransactionSucceeded:
    """A success response with our transaction id arrived (and passed integrity, if asked)."""

    transaction_id: bytes
    response: Message


@dataclass(frozen=True, slots=True)
class TransactionFailed:
    """An error response arrived; ``error_code`` is its ERROR-CODE (``None`` if it had none)."""

    transaction_id: bytes
    response: Message

    @property
    def error_code(self) -> ErrorCode | None:
        return self.response.error_code


@dataclass(frozen=True, slots=True)
class TransactionTimedOut:
    """No response before the final timeout (RFC 8489 §6.2.1: Rc sends then Rm * RTO)."""

    transaction_id: bytes


TransactionEvent = TransactionSucceeded | TransactionFailed | TransactionTimedOut
