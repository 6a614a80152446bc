"""DTMF and other telephony events, RFC 4733 §2.3.

::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |     event     |E|R| volume    |          duration             |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

One event lasts several packets with the same RTP timestamp (its start) and a growing
``duration``; the first has the marker bit, the last three repeat the end bit (§2.5.1.4).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import RtpError

_EVENT = struct.Struct("!BBH")

DTMF_EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11, "A": 12, "B": 13}
DTMF_EVENTS.update({"C": 14, "D": 15})


@dataclass(frozen=True, slots=True)
class TelephoneEvent:
    event: int
    end: bool = False
    volume: int = 10  # -dBm0, 0..63
    duration: int = 0  # in RTP timestamp units

    @classmethod
    def parse(cls, payload: bytes) -> TelephoneEvent:
        """The first event of a payload (RFC 4733 §2.5.1.5 allows only one per packet)."""
        if len(payload) < 4:
            raise RtpError(f"telephone-event payload: {len(payload)} bytes, need 4")
        if len(payload) % 4:
            raise RtpError("telephone-event payload: length not a multiple of 4")
        event, flags, duration = _EVENT.unpack_from(payload)
        return cls(event, bool(flags & 0x80), flags & 0x3F, duration)

    def serialize(self) -> bytes:
        if not (0 <= self.event <= 255 and 0 <= self.volume <= 63 and 0 <= self.duration <= 0xFFFF):
            raise RtpError("telephone-event field out of range")
        return _EVENT.pack(self.event, (0x80 if self.end else 0) | self.volume, self.duration)


def dtmf_payloads(
    digit: str, duration: int = 800, step: int = 160, volume: int = 10
) -> list[TelephoneEvent]:
    """The events to send for one key press: updates every ``step`` units, then 3 end packets.

    The caller sends them all with the same RTP timestamp and the marker on the first.
    """
    if digit.upper() not in DTMF_EVENTS:
        raise RtpError(f"DTMF digit {digit!r}: not one of 0-9 * # A-D")
    if not 0 < step <= duration <= 0xFFFF:
        raise RtpError("DTMF duration/step out of range")
    code = DTMF_EVENTS[digit.upper()]
    events = [
        TelephoneEvent(code, False, volume, elapsed) for elapsed in range(step, duration, step)
    ]
    events += [TelephoneEvent(code, True, volume, duration)] * 3
    return events
