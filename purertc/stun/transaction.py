"""A sans-IO STUN client transaction: retransmissions and response matching (RFC 8489 §6.2).

Over UDP the request is sent at 0, RTO, 3 RTO, 7 RTO, ... (the interval doubles), Rc times in
all; after the last send the client waits Rm * RTO more and then gives up. With the defaults
(RTO 500 ms, Rc 7, Rm 16) sends happen at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and the
transaction times out at 39.5 s. Over TCP/TLS (reliable) the request is sent once and the
transaction times out after Ti = 39.5 s.

The five verbs of DESIGN.md: ``receive``, ``handle_timer``, ``get_timer``,
``datagrams_to_send``, ``next_event``; ``start`` and ``cancel`` are the commands.
"""

from __future__ import annotations

from collections import deque

from .constants import AttributeType, MessageClass
from .errors import StunError
from .events import TransactionEvent, TransactionFailed, TransactionSucceeded, TransactionTimedOut
from .message import Message

_MI = AttributeType.MESSAGE_INTEGRITY
_MI256 = AttributeType.MESSAGE_INTEGRITY_SHA256

DEFAULT_RTO = 0.5
DEFAULT_RC = 7
DEFAULT_RM = 16
DEFAULT_TI = 39.5


class ClientTransaction:
    """One request in flight, from first send to response, timeout or cancel."""

    def __init__(
        self,
        request: bytes,
        *,
        reliable: bool = False,
        rto: float = DEFAULT_RTO,
        rc: int = DEFAULT_RC,
        rm: int = DEFAULT_RM,
        ti: float = DEFAULT_TI,
        response_key: bytes | None = None,
    ) -> None:
        """``request`` is the serialised request; ``response_key`` makes responses without
        valid MESSAGE-INTEGRITY be ignored, as RFC 8489 §9.1.4 / §9.2.5 require (an unsigned
        401 or 438 challenge is still reported)."""
        parsed = Message.parse(request)
        if parsed.message_class != MessageClass.REQUEST:
            raise StunError("transaction: the message to send is not a request")
        if rto <= 0 or rc < 1 or rm < 1 or ti <= 0:
            raise StunError("transaction: rto, rc, rm and ti must be positive")
        self.transaction_id = parsed.transaction_id
        self._request = bytes(request)
        self._reliable = reliable
        self._rto = rto
        self._rc = 1 if reliable else rc
        self._rm = rm
        self._ti = ti
        self._response_key = response_key
        self._sends_due: list[float] = []  # deadlines of the sends still to make
        self._timeout: float | None = None
        self._outgoing: list[bytes] = []
        self._events: deque[TransactionEvent] = deque()
        self._done = False
        self.sends = 0
        """How many times the request has gone out."""
        self.dropped = 0
        """Datagrams handed to ``receive`` that were not a valid response to this request."""

    # --- commands -------------------------------------------------------------------------

    def start(self, now: float) -> None:
        """Schedule the first send for ``now`` and the whole retransmission plan after it."""
        if self._timeout is not None or self._done:
            raise RuntimeError("transaction already started")
        rto = self._rto
        self._sends_due = [now + rto * ((1 << i) - 1) for i in range(self._rc)]
        if self._reliable:
            self._timeout = now + self._ti
        else:
            self._timeout = self._sends_due[-1] + self._rm * rto
        self._flush_sends(now)

    def cancel(self) -> None:
        """Stop retransmitting and report nothing (e.g. the ICE agent gave up on the pair)."""
        self._finish()

    @property
    def done(self) -> bool:
        return self._done

    # --- the five verbs -------------------------------------------------------------------

    def receive(self, data: bytes, now: float) -> None:
        """A datagram from the server: the response ends the transaction, anything else is
        counted in ``dropped`` and ignored."""
        if self._done:
            self.dropped += 1
            return
        try:
            response = Message.parse(data)
        except StunError:
            self.dropped += 1
            return
        if (
            response.transaction_id != self.transaction_id
            or response.message_class
            not in (MessageClass.SUCCESS_RESPONSE, MessageClass.ERROR_RESPONSE)
            or not self._authentic(response)
        ):
            self.dropped += 1
            return
        if response.message_class == MessageClass.SUCCESS_RESPONSE:
            self._events.append(TransactionSucceeded(self.transaction_id, response))
        else:
            self._events.append(TransactionFailed(self.transaction_id, response))
        self._finish()

    def handle_timer(self, now: float) -> None:
        if self._done or self._timeout is None:
            return
        self._flush_sends(now)
        if not self._sends_due and now >= self._timeout:
            self._events.append(TransactionTimedOut(self.transaction_id))
            self._finish()

    def get_timer(self) -> float | None:
        if self._done or self._timeout is None:
            return None
        return self._sends_due[0] if self._sends_due else self._timeout

    def datagrams_to_send(self, now: float) -> list[bytes]:
        outgoing, self._outgoing = self._outgoing, []
        return outgoing

    def next_event(self) -> TransactionEvent | None:
        return self._events.popleft() if self._events else None

    # --- internals ------------------------------------------------------------------------

    def _authentic(self, response: Message) -> bool:
        """RFC 8489 §9.1.4 / §9.2.5: with a key, a response must carry a valid integrity
        attribute, except a 401 or 438 error without one: that is a new challenge (realm,
        nonce) for the layer above, not a forgery of this response."""
        key = self._response_key
        if key is None or response.verify_integrity(key):
            return True
        if response.has(_MI) or response.has(_MI256):
            return False
        try:
            error = response.error_code
        except StunError:
            return False  # a malformed ERROR-CODE: garbage, dropped like any other
        return error is not None and error.code in (401, 438)

    def _flush_sends(self, now: float) -> None:
        """Queue the request once if one or more sends are due (a late timer sends once)."""
        due = self._sends_due
        if due and due[0] <= now:
            while due and due[0] <= now:
                due.pop(0)
            self._outgoing.append(self._request)
            self.sends += 1

    def _finish(self) -> None:
        self._done = True
        self._sends_due = []
        self._outgoing = []
