"""Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
§3.1), RTPFB FMT=15.

::

    |V=2|P|  FMT=15 |    PT=205     |           length              |
    |                     SSRC of packet sender                     |
    |                      SSRC of media source                     |
    |      base sequence number     |      packet status count      |
    |                 reference time                | fb pkt. count |
    |          packet chunk         |         packet chunk          |
    .                                                               .
    |         packet chunk          |  recv delta   |  recv delta   |
    .                                                               .

Packet chunks (16 bits): run length ``0 | S(2) | run(13)``; status vector
``1 | 0 | 14 one-bit symbols`` or ``1 | 1 | 7 two-bit symbols``. Symbols: 0 not received,
1 received with a one-octet delta (0..63.75 ms), 2 received with a signed two-octet delta,
3 reserved. Deltas count 250 µs; the reference time counts 64 ms (signed 24 bits).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import NamedTuple, Self

from .errors import RtpError
from .rtcp_header import RTPFB, check_length, pack_rtcp

_FIXED = struct.Struct("!IIHHI")
_U16 = struct.Struct("!H")
_S16 = struct.Struct("!h")

NOT_RECEIVED = 0
SMALL_DELTA = 1
LARGE_DELTA = 2

DELTA_UNIT_US = 250
REFERENCE_UNIT_US = 64_000


def decode_chunk(word: int) -> list[int]:
    """The status symbols one packet chunk carries."""
    if not word & 0x8000:
        return [(word >> 13) & 3] * (word & 0x1FFF)
    if word & 0x4000:
        return [(word >> shift) & 3 for shift in range(12, -1, -2)]
    return [(word >> shift) & 1 for shift in range(13, -1, -1)]


def encode_chunks(statuses: Sequence[int]) -> list[int]:
    """Greedy chunking: runs of 7+ equal symbols (or the tail) as run length, else vectors."""
    chunks: list[int] = []
    count = len(statuses)
    pos = 0
    while pos < count:
        symbol = statuses[pos]
        run = 1
        while pos + run < count and statuses[pos + run] == symbol and run < 0x1FFF:
            run += 1
        if run >= 7 or pos + run == count:
            chunks.append(symbol << 13 | run)
            pos += run
            continue
        window = statuses[pos : pos + 14]
        if max(window) <= 1:
            word = 0x8000
            for index, value in enumerate(window):
                word |= value << (13 - index)
            chunks.append(word)
            pos += 14
        else:
            word = 0xC000
            for index, value in enumerate(statuses[pos : pos + 7]):
                word |= value << (12 - 2 * index)
            chunks.append(word)
            pos += 7
    return chunks


def encode_arrivals(arrivals_us: Sequence[int | None]) -> tuple[int, list[int], list[int]]:
    """``(reference time in 64 ms units, statuses, deltas)`` for arrival times in µs.

    Stops before the first packet whose delta would not fit 16 bits, so the caller can tell
    how many packets one feedback covers (``len(statuses)``).
    """
    first = next((t for t in arrivals_us if t is not None), None)
    if first is None:
        raise RtpError("TWCC feedback needs at least one received packet")
    reference = first // REFERENCE_UNIT_US
    previous = reference * REFERENCE_UNIT_US // DELTA_UNIT_US  # in 250 µs ticks
    statuses: list[int] = []
    deltas: list[int] = []
    for arrival in arrivals_us:
        if arrival is None:
            statuses.append(NOT_RECEIVED)
            continue
        ticks = round(arrival / DELTA_UNIT_US)
        delta = ticks - previous
        if 0 <= delta <= 255:
            statuses.append(SMALL_DELTA)
        elif -(1 << 15) <= delta < 1 << 15:
            statuses.append(LARGE_DELTA)
        else:
            break
        previous = ticks
        deltas.append(delta)
    return reference, statuses, deltas


class TransportFeedback(NamedTuple):
    """TWCC feedback: one status per sequence number from ``base_sequence`` on, and one receive
    delta (250 µs units) per received packet, in order.

    ``chunks`` keeps the packet chunk words as received so that re-serializing gives the same
    bytes; leave it ``None`` to have :func:`encode_chunks` choose. ``trailing`` keeps bytes after
    the last delta that were not declared as RTCP padding.
    """

    sender_ssrc: int
    media_ssrc: int
    base_sequence: int
    reference_time: int
    fb_packet_count: int
    statuses: tuple[int, ...] = ()
    deltas: tuple[int, ...] = ()
    chunks: tuple[int, ...] | None = None
    trailing: bytes = b""
    padding: bytes = b""

    @property
    def packet_type(self) -> int:
        return RTPFB

    @property
    def fmt(self) -> int:
        return 15

    @property
    def packet_status_count(self) -> int:
        return len(self.statuses)

    @classmethod
    def parse_body(cls, count: int, body: bytes, padding: bytes) -> Self:
        check_length(body, 16, "RTCP TWCC feedback")
        sender, media, base, status_count, ref = _FIXED.unpack_from(body)
        reference_time = ref >> 8
        if reference_time & 0x800000:
            reference_time -= 1 << 24
        pos = 16
        length = len(body)
        statuses: list[int] = []
        chunks = []
        while len(statuses) < status_count:
            if pos + 2 > length:
                raise RtpError(f"RTCP TWCC: packet chunks end before {status_count} statuses")
            word = _U16.unpack_from(body, pos)[0]
            pos += 2
            chunks.append(word)
            statuses.extend(decode_chunk(word))
        del statuses[status_count:]
        deltas = []
        for offset, status in enumerate(statuses):
            if status == SMALL_DELTA:
                if pos >= length:
                    raise RtpError(f"RTCP TWCC: receive delta {offset} truncated")
                deltas.append(body[pos])
                pos += 1
            elif status == LARGE_DELTA:
                if pos + 2 > length:
                    raise RtpError(f"RTCP TWCC: receive delta {offset} truncated")
                deltas.append(_S16.unpack_from(body, pos)[0])
                pos += 2
            elif status != NOT_RECEIVED:
                raise RtpError(f"RTCP TWCC: reserved status symbol 3 at offset {offset}")
        return cls(
            sender,
            media,
            base,
            reference_time,
            ref & 0xFF,
            tuple(statuses),
            tuple(deltas),
            tuple(chunks),
            body[pos:],
            padding,
        )

    def serialize(self) -> bytes:
        statuses = self.statuses
        if not -(1 << 23) <= self.reference_time < 1 << 23:
            raise RtpError(f"TWCC reference time {self.reference_time}: not signed 24-bit")
        try:
            fixed = _FIXED.pack(
                self.sender_ssrc,
                self.media_ssrc,
                self.base_sequence,
                len(statuses),
                (self.reference_time & 0xFFFFFF) << 8 | self.fb_packet_count,
            )
        except struct.error as exc:
            raise RtpError(f"TWCC field out of range: {exc}") from exc
        chunks = self.chunks if self.chunks is not None else encode_chunks(statuses)
        parts = [fixed, struct.pack(f"!{len(chunks)}H", *chunks)]
        deltas = iter(self.deltas)
        try:
            for status in statuses:
                if status == SMALL_DELTA:
                    parts.append(bytes((next(deltas),)))
                elif status == LARGE_DELTA:
                    parts.append(_S16.pack(next(deltas)))
                elif status != NOT_RECEIVED:
                    raise RtpError(f"TWCC status {status}: not 0, 1 or 2")
        except (StopIteration, ValueError, struct.error) as exc:
            if isinstance(exc, RtpError):
                raise
            raise RtpError(f"TWCC deltas do not fit the statuses: {exc!r}") from exc
        if next(deltas, None) is not None:
            raise RtpError("TWCC: more deltas than received statuses")
        parts.append(self.trailing)
        body = b"".join(parts)
        padding = self.padding
        if not padding and len(body) % 4:
            # Pad the FCI to a word with RFC 3550 padding, as libwebrtc does.
            size = -len(body) % 4
            padding = b"\x00" * (size - 1) + bytes((size,))
        return pack_rtcp(RTPFB, 15, body, padding)

    # --- building and reading back ----------------------------------------------------------

    @classmethod
    def from_arrivals(
        cls,
        sender_ssrc: int,
        media_ssrc: int,
        base_sequence: int,
        fb_packet_count: int,
        arrivals_us: Sequence[int | None],
    ) -> TransportFeedback:
        """Feedback for consecutive sequence numbers from ``base_sequence``.

        ``arrivals_us`` holds each packet's arrival time in microseconds, ``None`` if lost.
        Deltas are rounded to 250 µs ticks of the absolute time, so the reconstructed arrival
        times never drift.
        """
        reference, statuses, deltas = encode_arrivals(arrivals_us)
        if len(statuses) < len(arrivals_us):
            raise RtpError(
                f"TWCC receive delta at offset {len(statuses)} does not fit 16 bits: "
                "split the feedback there"
            )
        return cls(
            sender_ssrc,
            media_ssrc,
            base_sequence & 0xFFFF,
            # the field is a signed 24-bit count of 64 ms that wraps (about every 12 days)
            ((reference + (1 << 23)) & 0xFFFFFF) - (1 << 23),
            fb_packet_count & 0xFF,
            tuple(statuses),
            tuple(deltas),
        )

    def arrivals_us(self) -> list[tuple[int, int | None]]:
        """``(sequence number, arrival time in µs or None)`` for every reported packet."""
        result: list[tuple[int, int | None]] = []
        time_us = self.reference_time * REFERENCE_UNIT_US
        deltas = iter(self.deltas)
        for offset, status in enumerate(self.statuses):
            seq = (self.base_sequence + offset) & 0xFFFF
            if status == NOT_RECEIVED:
                result.append((seq, None))
            else:
                time_us += next(deltas) * DELTA_UNIT_US
                result.append((seq, time_us))
        return result
