"""VP8 payload format, RFC 7741 §4.

Payload descriptor (§4.2)::

          0 1 2 3 4 5 6 7
         +-+-+-+-+-+-+-+-+
         |X|R|N|S|R| PID | (REQUIRED)
         +-+-+-+-+-+-+-+-+
    X:   |I|L|T|K| RSV   | (OPTIONAL)
         +-+-+-+-+-+-+-+-+
    I:   |M| PictureID   | (OPTIONAL, 7 or 15 bits)
         +-+-+-+-+-+-+-+-+
    L:   |   TL0PICIDX   | (OPTIONAL)
         +-+-+-+-+-+-+-+-+
    T/K: |TID|Y| KEYIDX  | (OPTIONAL)
         +-+-+-+-+-+-+-+-+

The VP8 payload header (§4.3) starts the first partition: bit 0 of its first octet (P) is 0 for
a key frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import RtpError
from .base import DEFAULT_MTU, Depacketizer, Packetizer, split_evenly
from .picture_id import read_picture_id, write_picture_id


@dataclass(frozen=True, slots=True)
class Vp8Descriptor:
    start: bool = False  # S: first packet of a partition
    partition_id: int = 0
    non_reference: bool = False  # N
    picture_id: int | None = None
    long_picture_id: bool = True  # M: 15-bit PictureID
    tl0_pic_idx: int | None = None
    tid: int | None = None
    layer_sync: bool = False  # Y
    key_idx: int | None = None

    @classmethod
    def parse(cls, payload: bytes) -> tuple[Vp8Descriptor, int]:
        """The descriptor and the offset of the VP8 data after it."""
        length = len(payload)
        if length < 1:
            raise RtpError("VP8 payload descriptor missing")
        first = payload[0]
        pos = 1
        picture_id = tl0 = tid = key_idx = None
        long_id = True
        layer_sync = False
        if first & 0x80:
            if length < 2:
                raise RtpError("VP8 descriptor: extension octet missing")
            ext = payload[1]
            pos = 2
            if ext & 0x80:
                picture_id, long_id, pos = read_picture_id(payload, pos, "VP8")
            if ext & 0x40:
                if pos >= length:
                    raise RtpError("VP8 descriptor: TL0PICIDX missing")
                tl0 = payload[pos]
                pos += 1
            if ext & 0x30:
                if pos >= length:
                    raise RtpError("VP8 descriptor: TID/KEYIDX octet missing")
                byte = payload[pos]
                pos += 1
                if ext & 0x20:
                    tid = byte >> 6
                    layer_sync = bool(byte & 0x20)
                if ext & 0x10:
                    key_idx = byte & 0x1F
        descriptor = cls(
            start=bool(first & 0x10),
            partition_id=first & 0x07,
            non_reference=bool(first & 0x20),
            picture_id=picture_id,
            long_picture_id=long_id,
            tl0_pic_idx=tl0,
            tid=tid,
            layer_sync=layer_sync,
            key_idx=key_idx,
        )
        return descriptor, pos

    def serialize(self) -> bytes:
        first = (0x20 if self.non_reference else 0) | (0x10 if self.start else 0)
        if not 0 <= self.partition_id <= 7:
            raise RtpError(f"VP8 partition id {self.partition_id}: out of range 0..7")
        first |= self.partition_id
        ext = 0
        tail = bytearray()
        if self.picture_id is not None:
            ext |= 0x80
            write_picture_id(tail, self.picture_id, self.long_picture_id, "VP8")
        if self.tl0_pic_idx is not None:
            ext |= 0x40
            tail.append(self.tl0_pic_idx & 0xFF)
        if self.tid is not None or self.key_idx is not None:
            byte = 0
            if self.tid is not None:
                ext |= 0x20
                byte |= (self.tid & 3) << 6 | (0x20 if self.layer_sync else 0)
            if self.key_idx is not None:
                ext |= 0x10
                byte |= self.key_idx & 0x1F
            tail.append(byte)
        if not ext:
            return bytes((first,))
        return bytes((first | 0x80, ext)) + bytes(tail)


class Vp8Packetizer(Packetizer):
    """Splits a VP8 frame after a descriptor carrying a 15-bit PictureID (one per frame)."""

    def __init__(self, mtu: int = DEFAULT_MTU, picture_id: int = 0) -> None:
        super().__init__(mtu)
        self.picture_id = picture_id & 0x7FFF

    def packetize(self, frame: bytes, keyframe: bool = False) -> list[bytes]:
        if not frame:
            raise RtpError("VP8 frame is empty")
        picture_id = self.picture_id
        self.picture_id = (picture_id + 1) & 0x7FFF
        # X=1 with I=1 and a 15-bit PictureID: the descriptor Vp8Descriptor would serialize,
        # written directly since this runs once per video packet.
        pid = bytes((0x80, 0x80 | picture_id >> 8, picture_id & 0xFF))
        first = b"\x90" + pid
        rest = b"\x80" + pid
        view = memoryview(frame)
        payloads = []
        pos = 0
        join = b"".join
        for size in split_evenly(len(frame), self.mtu - 4):
            payloads.append(join((rest if pos else first, view[pos : pos + size])))
            pos += size
        return payloads


class Vp8Depacketizer(Depacketizer):
    def depacketize(self, payloads: Sequence[bytes]) -> bytes:
        if not payloads:
            raise RtpError("VP8 frame: no payloads")
        parts = []
        picture_id: int | None = None
        for index, payload in enumerate(payloads):
            descriptor, offset = Vp8Descriptor.parse(payload)
            if index == 0:
                if not (descriptor.start and descriptor.partition_id == 0):
                    raise RtpError("VP8 frame: first payload does not start partition 0")
                picture_id = descriptor.picture_id
            elif descriptor.picture_id != picture_id:
                raise RtpError("VP8 frame: PictureID changes within the frame")
            elif descriptor.start and descriptor.partition_id == 0:
                raise RtpError("VP8 frame: a second frame start inside the frame")
            if offset >= len(payload):
                raise RtpError("VP8 payload: no data after the descriptor")
            parts.append(payload[offset:])
        return b"".join(parts)

    def is_frame_start(self, payload: bytes) -> bool:
        descriptor, _ = Vp8Descriptor.parse(payload)
        return descriptor.start and descriptor.partition_id == 0

    def is_keyframe(self, payload: bytes) -> bool:
        descriptor, offset = Vp8Descriptor.parse(payload)
        return (
            descriptor.start
            and descriptor.partition_id == 0
            and offset < len(payload)
            and not payload[offset] & 0x01
        )
