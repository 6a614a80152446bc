"""AV1 payload format (AOMedia "RTP Payload Format For AV1", §4).

Aggregation header::

    +-+-+-+-+-+-+-+-+
    |Z|Y| W |N|-|-|-|
    +-+-+-+-+-+-+-+-+

Z: the first OBU element continues an OBU from the previous packet; Y: the last element
continues in the next packet; W: number of OBU elements (0: every element has a LEB128
length prefix; else the last has none); N: first packet of a coded video sequence.
OBUs travel without their ``obu_size`` field; temporal delimiters are dropped. Frames go in and
come out as temporal units in the low-overhead bitstream format (OBUs with size fields).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import RtpError
from .base import Depacketizer, Packetizer

OBU_SEQUENCE_HEADER = 1
OBU_TEMPORAL_DELIMITER = 2
TEMPORAL_DELIMITER = bytes((OBU_TEMPORAL_DELIMITER << 3 | 0x02, 0))


def read_leb128(data: bytes, pos: int) -> tuple[int, int]:
    """``(value, next position)`` of an unsigned LEB128 (at most 8 bytes)."""
    value = 0
    for index in range(8):
        if pos + index >= len(data):
            raise RtpError("AV1 LEB128 value truncated")
        byte = data[pos + index]
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value, pos + index + 1
    raise RtpError("AV1 LEB128 value longer than 8 bytes")


def write_leb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def split_obus(temporal_unit: bytes) -> list[bytes]:
    """OBUs of a low-overhead temporal unit, each rewritten without its size field."""
    obus = []
    pos = 0
    length = len(temporal_unit)
    while pos < length:
        header = temporal_unit[pos]
        if header & 0x80:
            raise RtpError("AV1 OBU header: forbidden bit set")
        head_size = 2 if header & 0x04 else 1
        if pos + head_size > length:
            raise RtpError("AV1 OBU extension header truncated")
        head = bytes((header & ~0x02,)) + temporal_unit[pos + 1 : pos + head_size]
        pos += head_size
        if header & 0x02:
            size, pos = read_leb128(temporal_unit, pos)
            if pos + size > length:
                raise RtpError(f"AV1 OBU size {size} overruns the temporal unit")
        else:
            size = length - pos
        if (header >> 3) & 0x0F != OBU_TEMPORAL_DELIMITER:
            obus.append(head + temporal_unit[pos : pos + size])
        pos += size
    return obus


class Av1Packetizer(Packetizer):
    def packetize(self, frame: bytes, keyframe: bool = False) -> list[bytes]:
        obus = split_obus(frame)
        if not obus:
            raise RtpError("AV1 temporal unit has no OBUs to send")
        new_sequence = keyframe or any((o[0] >> 3) & 0x0F == OBU_SEQUENCE_HEADER for o in obus)
        budget = self.mtu - 1
        packets: list[tuple[bool, bool, bytearray]] = []  # (Z, Y, elements)
        current = bytearray()
        continues = False  # Z of the packet being filled
        for obu in obus:
            pos = 0
            while pos < len(obu):
                room = budget - len(current)
                remaining = len(obu) - pos
                prefix = write_leb128(remaining)
                if len(prefix) + remaining <= room:
                    current += prefix + obu[pos:]
                    pos = len(obu)
                    continue
                chunk = room - len(write_leb128(room))
                if chunk >= 1:  # fragment: this packet ends mid-OBU (Y), the next starts so (Z)
                    current += write_leb128(chunk) + obu[pos : pos + chunk]
                    pos += chunk
                    packets.append((continues, True, current))
                    continues = True
                else:
                    packets.append((continues, False, current))
                    continues = False
                current = bytearray()
        if current:
            packets.append((continues, False, current))
        payloads = []
        for index, (z_bit, y_bit, elements) in enumerate(packets):
            header = (0x80 if z_bit else 0) | (0x40 if y_bit else 0)
            if index == 0 and new_sequence:
                header |= 0x08
            payloads.append(bytes((header,)) + bytes(elements))
        return payloads


class Av1Depacketizer(Depacketizer):
    def depacketize(self, payloads: Sequence[bytes]) -> bytes:
        if not payloads:
            raise RtpError("AV1 frame: no payloads")
        obus: list[bytes] = []
        partial: bytearray | None = None
        for index, payload in enumerate(payloads):
            if not payload:
                raise RtpError("AV1 payload: aggregation header missing")
            header = payload[0]
            z_bit = bool(header & 0x80)
            if z_bit != (partial is not None):
                raise RtpError(
                    "AV1 aggregation header: Z bit does not match the previous packet's Y bit"
                )
            count = (header >> 4) & 0x03
            elements = self._elements(payload, count)
            if not elements:
                raise RtpError("AV1 payload: no OBU elements")
            for position, element in enumerate(elements):
                if position == 0 and partial is not None:
                    partial += element
                    element = bytes(partial)
                    partial = None
                if position == len(elements) - 1 and header & 0x40:
                    partial = bytearray(element)
                    continue
                obus.append(element)
            if index == len(payloads) - 1 and partial is not None:
                raise RtpError("AV1 frame: last packet's Y bit says the OBU continues")
        out = bytearray(TEMPORAL_DELIMITER)
        for obu in obus:
            if not obu:
                raise RtpError("AV1 OBU element is empty")
            if obu[0] & 0x80:
                raise RtpError("AV1 OBU header: forbidden bit set")
            head_size = 2 if obu[0] & 0x04 else 1
            if len(obu) < head_size:
                raise RtpError("AV1 OBU extension header truncated")
            out.append(obu[0] | 0x02)
            out += obu[1:head_size] + write_leb128(len(obu) - head_size) + obu[head_size:]
        return bytes(out)

    @staticmethod
    def _elements(payload: bytes, count: int) -> list[bytes]:
        elements: list[bytes] = []
        pos = 1
        length = len(payload)
        while pos < length:
            if count and len(elements) == count - 1:
                elements.append(payload[pos:])
                break
            size, pos = read_leb128(payload, pos)
            if pos + size > length:
                raise RtpError(f"AV1 OBU element size {size} overruns the packet")
            elements.append(payload[pos : pos + size])
            pos += size
        if count and len(elements) != count:
            raise RtpError(f"AV1 aggregation header: W={count} but {len(elements)} elements")
        return elements

    def is_frame_start(self, payload: bytes) -> bool:
        return bool(payload) and not payload[0] & 0x80

    def is_keyframe(self, payload: bytes) -> bool:
        return bool(payload) and bool(payload[0] & 0x08)
