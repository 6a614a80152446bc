"""H.264 payload format, RFC 6184 (packetization modes 0 and 1).

NAL unit header (§1.3)::

    +---------------+
    |0|1|2|3|4|5|6|7|
    +-+-+-+-+-+-+-+-+
    |F|NRI|  Type   |
    +---------------+

Payload structures (§5.2): types 1-23 a single NAL unit; 24 STAP-A (``size(16) NAL`` items);
28 FU-A (FU indicator ``F|NRI|28``, FU header ``S|E|R|Type``, fragment). STAP-B, MTAP and FU-B
belong to the interleaved mode 2, which we do not support: they are rejected.
Frames go in and come out as Annex B byte streams (start-code separated NAL units).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import RtpError
from .base import DEFAULT_MTU, Depacketizer, Packetizer

STAP_A = 24
FU_A = 28
IDR = 5
SEI = 6
SPS = 7
PPS = 8
AUD = 9
START_CODE = b"\x00\x00\x00\x01"
_START = re.compile(b"\x00\x00\x01")


def split_annexb(stream: bytes) -> list[bytes]:
    """NAL units of an Annex B byte stream (3- or 4-byte start codes; trailing zeros dropped)."""
    units = []
    starts = [m.end() for m in _START.finditer(stream)]
    for index, start in enumerate(starts):
        end = starts[index + 1] - 3 if index + 1 < len(starts) else len(stream)
        unit = stream[start:end].rstrip(b"\x00") if index + 1 < len(starts) else stream[start:end]
        if unit:
            units.append(unit)
    return units


def nal_types(payload: bytes) -> list[int]:
    """Types of the NAL units a payload carries (the original type for a starting FU-A)."""
    if not payload:
        return []
    kind = payload[0] & 0x1F
    if kind == STAP_A:
        types = []
        pos = 1
        while pos + 2 < len(payload):
            size = payload[pos] << 8 | payload[pos + 1]
            types.append(payload[pos + 2] & 0x1F)
            pos += 2 + size
        return types
    if kind == FU_A:
        if len(payload) >= 2 and payload[1] & 0x80:
            return [payload[1] & 0x1F]
        return []
    return [kind]


class H264Packetizer(Packetizer):
    """Mode 1 (default): STAP-A for small NAL units, FU-A for large ones; mode 0: single NAL."""

    def __init__(self, mtu: int = DEFAULT_MTU, packetization_mode: int = 1) -> None:
        super().__init__(mtu)
        if packetization_mode not in (0, 1):
            raise RtpError(f"H.264 packetization-mode {packetization_mode}: only 0 and 1")
        self.mode = packetization_mode

    def packetize(self, frame: bytes, keyframe: bool = False) -> list[bytes]:
        units = split_annexb(frame)
        if not units:
            raise RtpError("H.264 access unit has no NAL units")
        payloads: list[bytes] = []
        pending: list[bytes] = []  # small NAL units waiting to be aggregated

        def flush() -> None:
            if len(pending) == 1:
                payloads.append(pending[0])
            elif pending:
                nri = max(unit[0] & 0x60 for unit in pending)
                forbidden = max(unit[0] & 0x80 for unit in pending)
                items = b"".join(len(u).to_bytes(2, "big") + u for u in pending)
                payloads.append(bytes((forbidden | nri | STAP_A,)) + items)
            pending.clear()

        for unit in units:
            if self.mode == 0:
                if len(unit) > self.mtu:
                    raise RtpError(
                        f"H.264 NAL unit of {len(unit)} bytes exceeds the budget (mode 0)"
                    )
                payloads.append(unit)
                continue
            if len(unit) > self.mtu:
                flush()
                payloads.extend(self._fragment(unit))
                continue
            aggregated = 1 + sum(2 + len(u) for u in pending) + 2 + len(unit)
            if pending and aggregated > self.mtu:
                flush()
            pending.append(unit)
        flush()
        return payloads

    def _fragment(self, unit: bytes) -> list[bytes]:
        indicator = bytes(((unit[0] & 0xE0) | FU_A,))
        kind = unit[0] & 0x1F
        data = unit[1:]
        budget = self.mtu - 2
        fragments = []
        for pos in range(0, len(data), budget):
            header = kind
            if pos == 0:
                header |= 0x80
            if pos + budget >= len(data):
                header |= 0x40
            fragments.append(indicator + bytes((header,)) + data[pos : pos + budget])
        return fragments


class H264Depacketizer(Depacketizer):
    def depacketize(self, payloads: Sequence[bytes]) -> bytes:
        if not payloads:
            raise RtpError("H.264 frame: no payloads")
        units: list[bytes] = []
        fragments: list[bytes] | None = None
        for payload in payloads:
            if not payload:
                raise RtpError("H.264 payload is empty")
            kind = payload[0] & 0x1F
            if fragments is not None and kind != FU_A:
                raise RtpError("H.264 FU-A: fragmented NAL unit not finished (missing E bit)")
            if 1 <= kind <= 23:
                units.append(bytes(payload))
            elif kind == STAP_A:
                units.extend(self._aggregate(payload))
            elif kind == FU_A:
                if len(payload) < 3:
                    raise RtpError("H.264 FU-A: header or data missing")
                header = payload[1]
                if header & 0x80 and header & 0x40:
                    raise RtpError("H.264 FU-A: S and E set in the same fragment")
                if header & 0x80:
                    if fragments is not None:
                        raise RtpError("H.264 FU-A: new start before the previous end")
                    nal_header = (payload[0] & 0xE0) | (header & 0x1F)
                    fragments = [bytes((nal_header,)), payload[2:]]
                else:
                    if fragments is None:
                        raise RtpError("H.264 FU-A: continuation without a start fragment")
                    if header & 0x1F != fragments[0][0] & 0x1F:
                        raise RtpError("H.264 FU-A: NAL type changes between fragments")
                    fragments.append(payload[2:])
                if header & 0x40:
                    assert fragments is not None
                    units.append(b"".join(fragments))
                    fragments = None
            elif kind in (25, 26, 27, 29):
                raise RtpError(f"H.264 NAL type {kind}: interleaved mode (2) is not supported")
            else:
                raise RtpError(f"H.264 NAL type {kind}: reserved")
        if fragments is not None:
            raise RtpError("H.264 FU-A: fragmented NAL unit not finished (missing E bit)")
        return b"".join(START_CODE + unit for unit in units)

    @staticmethod
    def _aggregate(payload: bytes) -> list[bytes]:
        units = []
        pos = 1
        length = len(payload)
        if length < 4:
            raise RtpError("H.264 STAP-A: no aggregation unit")
        while pos < length:
            if pos + 2 > length:
                raise RtpError("H.264 STAP-A: NAL unit size truncated")
            size = payload[pos] << 8 | payload[pos + 1]
            pos += 2
            if size == 0 or pos + size > length:
                raise RtpError(f"H.264 STAP-A: NAL unit size {size} invalid")
            units.append(bytes(payload[pos : pos + size]))
            pos += size
        return units

    def is_frame_start(self, payload: bytes) -> bool:
        """Only certain for access units that open with an AUD or an SPS."""
        types = nal_types(payload)
        return bool(types) and types[0] in (AUD, SPS)

    def is_keyframe(self, payload: bytes) -> bool:
        types = nal_types(payload)
        return IDR in types or SPS in types
