"""The client transaction in simulated time: the RFC 8489 §6.2.1 schedule, exactly."""

from __future__ import annotations

import pytest

from purertc.stun import (
    ClientTransaction,
    ErrorCode,
    Message,
    MessageClass,
    Method,
    StunError,
    TransactionFailed,
    TransactionSucceeded,
    TransactionTimedOut,
    UnknownAttribute,
    XorMappedAddress,
)

TID = bytes(range(12))
KEY = b"short-term-key"
REQUEST = Message(Method.BINDING, MessageClass.REQUEST, TID).serialize(KEY, fingerprint=True)


def _run_until_done(transaction: ClientTransaction, start: float = 100.0) -> list[float]:
    """Drive the transaction by its own timer; return the times at which it sent."""
    sent: list[float] = []
    transaction.start(start)
    now = start
    while True:
        sent += [now] * len(transaction.datagrams_to_send(now))
        deadline = transaction.get_timer()
        if deadline is None:
            return sent
        assert deadline >= now
        now = deadline
        transaction.handle_timer(now)


def _relative(times: list[float], start: float = 100.0) -> list[float]:
    return [round(t - start, 9) for t in times]


def test_udp_schedule_defaults() -> None:
    transaction = ClientTransaction(REQUEST)
    sent = _run_until_done(transaction)
    assert _relative(sent) == [0.0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]
    event = transaction.next_event()
    assert event == TransactionTimedOut(TID)
    assert transaction.next_event() is None
    assert transaction.done
    assert transaction.sends == 7


def test_udp_timeout_at_39_5_seconds() -> None:
    transaction = ClientTransaction(REQUEST)
    transaction.start(0.0)
    transaction.datagrams_to_send(0.0)
    for deadline in (0.5, 1.5, 3.5, 7.5, 15.5, 31.5):
        assert transaction.get_timer() == pytest.approx(deadline)
        transaction.handle_timer(deadline - 1e-6)  # early: nothing happens
        assert transaction.datagrams_to_send(deadline) == []
        transaction.handle_timer(deadline)
        assert transaction.datagrams_to_send(deadline) == [REQUEST]
    assert transaction.get_timer() == pytest.approx(39.5)
    transaction.handle_timer(39.4)
    assert transaction.next_event() is None
    transaction.handle_timer(39.5)
    assert transaction.next_event() == TransactionTimedOut(TID)
    assert transaction.get_timer() is None


def test_configurable_schedule() -> None:
    transaction = ClientTransaction(REQUEST, rto=0.1, rc=3, rm=4)
    sent = _run_until_done(transaction)
    assert _relative(sent) == [0.0, 0.1, 0.3]
    # Timed out Rm * RTO after the last send.
    assert isinstance(transaction.next_event(), TransactionTimedOut)


def test_reliable_sends_once_and_times_out_after_ti() -> None:
    transaction = ClientTransaction(REQUEST, reliable=True)
    transaction.start(5.0)
    assert transaction.datagrams_to_send(5.0) == [REQUEST]
    assert transaction.get_timer() == pytest.approx(44.5)
    transaction.handle_timer(44.5)
    assert transaction.datagrams_to_send(44.5) == []
    assert transaction.next_event() == TransactionTimedOut(TID)
    assert transaction.sends == 1


def _response(
    klass: MessageClass, *attrs: object, tid: bytes = TID, key: bytes | None = KEY
) -> bytes:
    message = Message(Method.BINDING, klass, tid, list(attrs))  # type: ignore[arg-type]
    return message.serialize(key, fingerprint=True)


def test_success_response_ends_the_transaction() -> None:
    transaction = ClientTransaction(REQUEST, response_key=KEY)
    transaction.start(0.0)
    transaction.datagrams_to_send(0.0)
    transaction.handle_timer(0.5)
    assert transaction.datagrams_to_send(0.5) == [REQUEST]
    response = _response(MessageClass.SUCCESS_RESPONSE, XorMappedAddress("192.0.2.1", 3478))
    transaction.receive(response, 0.7)
    event = transaction.next_event()
    assert isinstance(event, TransactionSucceeded)
    assert event.response.xor_mapped_address == ("192.0.2.1", 3478)
    assert transaction.get_timer() is None
    transaction.handle_timer(1.5)
    assert transaction.datagrams_to_send(1.5) == []
    assert transaction.next_event() is None


def test_error_response_is_reported() -> None:
    transaction = ClientTransaction(REQUEST)
    transaction.start(0.0)
    transaction.receive(_response(MessageClass.ERROR_RESPONSE, ErrorCode(401, "Unauthorized")), 0.1)
    event = transaction.next_event()
    assert isinstance(event, TransactionFailed)
    assert event.error_code == ErrorCode(401, "Unauthorized")


def test_unrelated_datagrams_are_dropped_and_counted() -> None:
    transaction = ClientTransaction(REQUEST, response_key=KEY)
    transaction.start(0.0)
    transaction.receive(b"\x17\xfe\xfd garbage", 0.1)  # not STUN
    transaction.receive(_response(MessageClass.SUCCESS_RESPONSE, tid=bytes(12)), 0.1)  # other id
    transaction.receive(REQUEST, 0.1)  # a request, not a response
    transaction.receive(_response(MessageClass.SUCCESS_RESPONSE, key=b"wrong"), 0.1)
    transaction.receive(_response(MessageClass.SUCCESS_RESPONSE, key=None), 0.1)  # no integrity
    assert transaction.dropped == 5
    assert transaction.next_event() is None
    assert not transaction.done
    transaction.receive(_response(MessageClass.SUCCESS_RESPONSE), 0.2)
    assert isinstance(transaction.next_event(), TransactionSucceeded)
    transaction.receive(_response(MessageClass.SUCCESS_RESPONSE), 0.3)  # duplicate
    assert transaction.dropped == 6
    assert transaction.next_event() is None


def test_late_timer_sends_once_and_keeps_the_plan() -> None:
    transaction = ClientTransaction(REQUEST)
    transaction.start(0.0)
    transaction.datagrams_to_send(0.0)
    transaction.handle_timer(4.0)  # 0.5, 1.5 and 3.5 all passed: one send, not three
    assert transaction.datagrams_to_send(4.0) == [REQUEST]
    assert transaction.get_timer() == pytest.approx(7.5)


def test_cancel() -> None:
    transaction = ClientTransaction(REQUEST)
    transaction.start(0.0)
    transaction.cancel()
    assert transaction.datagrams_to_send(0.0) == []
    assert transaction.get_timer() is None
    assert transaction.next_event() is None


def test_misuse() -> None:
    with pytest.raises(StunError, match="not a request"):
        ClientTransaction(_response(MessageClass.SUCCESS_RESPONSE))
    with pytest.raises(StunError, match="positive"):
        ClientTransaction(REQUEST, rto=0)
    with pytest.raises(StunError):
        ClientTransaction(b"not stun")
    transaction = ClientTransaction(REQUEST)
    assert transaction.get_timer() is None  # nothing before start
    transaction.handle_timer(1.0)
    assert transaction.datagrams_to_send(1.0) == []
    transaction.start(0.0)
    with pytest.raises(RuntimeError):
        transaction.start(0.0)


@pytest.mark.parametrize("code", [401, 438])
def test_unsigned_challenge_is_reported_with_a_key(code: int) -> None:
    transaction = ClientTransaction(REQUEST, response_key=KEY)
    transaction.start(0.0)
    transaction.receive(_response(MessageClass.ERROR_RESPONSE, ErrorCode(code), key=None), 0.1)
    event = transaction.next_event()
    assert isinstance(event, TransactionFailed)
    assert event.error_code == ErrorCode(code)


def test_unsigned_or_forged_errors_are_dropped_with_a_key() -> None:
    transaction = ClientTransaction(REQUEST, response_key=KEY)
    transaction.start(0.0)
    transaction.receive(_response(MessageClass.ERROR_RESPONSE, ErrorCode(400), key=None), 0.1)
    transaction.receive(_response(MessageClass.ERROR_RESPONSE, ErrorCode(401), key=b"forged"), 0.1)
    bad_code = UnknownAttribute(0x0009, b"\x00\x00\x09\x09")  # class 9: not an error code
    transaction.receive(_response(MessageClass.ERROR_RESPONSE, bad_code, key=None), 0.1)
    assert transaction.dropped == 3
    assert transaction.next_event() is None
