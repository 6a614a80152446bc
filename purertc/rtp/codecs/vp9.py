"""VP9 payload format, RFC 9628 §4.2 (flexible and non-flexible modes).

::

            0 1 2 3 4 5 6 7
           +-+-+-+-+-+-+-+-+
           |I|P|L|F|B|E|V|Z| (REQUIRED)
           +-+-+-+-+-+-+-+-+
      I:   |M| PICTURE ID  | (7 or 15 bits)
           +-+-+-+-+-+-+-+-+
      L:   | TID |U| SID |D|
           +-+-+-+-+-+-+-+-+
           |   TL0PICIDX   | (non-flexible mode with L)
           +-+-+-+-+-+-+-+-+
     P,F:  | P_DIFF      |N| (flexible mode, up to 3)
           +-+-+-+-+-+-+-+-+
      V:   | SS            | scalability structure (§4.2.1)

Key frame: B set and P clear in the base spatial layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import RtpError
from .base import DEFAULT_MTU, Depacketizer, Packetizer, split_evenly
from .picture_id import read_picture_id, write_picture_id


@dataclass(frozen=True, slots=True)
class Vp9ScalabilityStructure:
    """SS (§4.2.1): spatial layer count, optional resolutions, optional picture group."""

    spatial_layers: int = 1
    resolutions: tuple[tuple[int, int], ...] | None = None
    picture_group: tuple[tuple[int, bool, tuple[int, ...]], ...] | None = None

    @classmethod
    def parse(cls, data: bytes, pos: int) -> tuple[Vp9ScalabilityStructure, int]:
        def need(count: int, what: str) -> None:
            if pos + count > len(data):
                raise RtpError(f"VP9 scalability structure: {what} truncated")

        need(1, "header")
        header = data[pos]
        pos += 1
        layers = (header >> 5) + 1
        resolutions = None
        group = None
        if header & 0x10:
            need(4 * layers, "resolutions")
            resolutions = tuple(
                (
                    data[pos + 4 * i] << 8 | data[pos + 4 * i + 1],
                    data[pos + 4 * i + 2] << 8 | data[pos + 4 * i + 3],
                )
                for i in range(layers)
            )
            pos += 4 * layers
        if header & 0x08:
            need(1, "N_G")
            count = data[pos]
            pos += 1
            entries = []
            for _ in range(count):
                need(1, "picture group entry")
                byte = data[pos]
                refs = (byte >> 2) & 3
                need(1 + refs, "picture group P_DIFFs")
                entries.append(
                    (byte >> 5, bool(byte & 0x10), tuple(data[pos + 1 : pos + 1 + refs]))
                )
                pos += 1 + refs
            group = tuple(entries)
        return cls(layers, resolutions, group), pos

    def serialize(self) -> bytes:
        if not 1 <= self.spatial_layers <= 8:
            raise RtpError(f"VP9 SS: {self.spatial_layers} spatial layers, must be 1..8")
        header = (self.spatial_layers - 1) << 5
        out = bytearray()
        if self.resolutions is not None:
            if len(self.resolutions) != self.spatial_layers:
                raise RtpError("VP9 SS: one resolution per spatial layer")
            header |= 0x10
            for width, height in self.resolutions:
                out += width.to_bytes(2, "big") + height.to_bytes(2, "big")
        if self.picture_group is not None:
            header |= 0x08
            out.append(len(self.picture_group))
            for tid, switching, refs in self.picture_group:
                if len(refs) > 3:
                    raise RtpError("VP9 SS: at most 3 references per picture")
                out.append((tid & 7) << 5 | (0x10 if switching else 0) | len(refs) << 2)
                out += bytes(refs)
        return bytes((header,)) + bytes(out)


@dataclass(frozen=True, slots=True)
class Vp9Descriptor:
    start: bool = False  # B
    end: bool = False  # E
    inter_predicted: bool = False  # P
    flexible: bool = False  # F
    not_upper_reference: bool = False  # Z
    picture_id: int | None = None
    long_picture_id: bool = True
    tid: int | None = None  # the L octet, when present: TID, U, SID, D
    switching_up: bool = False
    sid: int = 0
    inter_layer_dependency: bool = False
    tl0_pic_idx: int | None = None
    p_diffs: tuple[int, ...] = ()
    scalability: Vp9ScalabilityStructure | None = None

    @classmethod
    def parse(cls, payload: bytes) -> tuple[Vp9Descriptor, int]:
        length = len(payload)
        if not length:
            raise RtpError("VP9 payload descriptor missing")
        flags = payload[0]
        pos = 1
        picture_id = None
        long_id = True
        tid = tl0 = None
        switching = dependency = False
        sid = 0
        diffs: list[int] = []
        ss = None
        flexible = bool(flags & 0x10)
        if flags & 0x80:
            picture_id, long_id, pos = read_picture_id(payload, pos, "VP9")
        if flags & 0x20:
            if pos >= length:
                raise RtpError("VP9 descriptor: layer indices missing")
            byte = payload[pos]
            tid, switching, sid, dependency = (
                byte >> 5,
                bool(byte & 0x10),
                (byte >> 1) & 7,
                bool(byte & 1),
            )
            pos += 1
            if not flexible:
                if pos >= length:
                    raise RtpError("VP9 descriptor: TL0PICIDX missing")
                tl0 = payload[pos]
                pos += 1
        if flexible and flags & 0x40:
            while True:
                if pos >= length:
                    raise RtpError("VP9 descriptor: P_DIFF missing")
                if len(diffs) == 3:
                    raise RtpError("VP9 descriptor: more than 3 P_DIFFs")
                byte = payload[pos]
                pos += 1
                diffs.append(byte >> 1)
                if not byte & 1:
                    break
        if flags & 0x02:
            ss, pos = Vp9ScalabilityStructure.parse(payload, pos)
        descriptor = cls(
            start=bool(flags & 0x08),
            end=bool(flags & 0x04),
            inter_predicted=bool(flags & 0x40),
            flexible=flexible,
            not_upper_reference=bool(flags & 0x01),
            picture_id=picture_id,
            long_picture_id=long_id,
            tid=tid,
            switching_up=switching,
            sid=sid,
            inter_layer_dependency=dependency,
            tl0_pic_idx=tl0,
            p_diffs=tuple(diffs),
            scalability=ss,
        )
        return descriptor, pos

    def serialize(self) -> bytes:
        flags = (
            (0x40 if self.inter_predicted else 0)
            | (0x10 if self.flexible else 0)
            | (0x08 if self.start else 0)
            | (0x04 if self.end else 0)
            | (0x01 if self.not_upper_reference else 0)
        )
        out = bytearray()
        if self.picture_id is not None:
            flags |= 0x80
            write_picture_id(out, self.picture_id, self.long_picture_id, "VP9")
        if self.tid is not None:
            flags |= 0x20
            out.append(
                (self.tid & 7) << 5
                | (0x10 if self.switching_up else 0)
                | (self.sid & 7) << 1
                | int(self.inter_layer_dependency)
            )
            if not self.flexible:
                out.append((self.tl0_pic_idx or 0) & 0xFF)
        if self.flexible and self.inter_predicted:
            if not 1 <= len(self.p_diffs) <= 3:
                raise RtpError("VP9 flexible mode: inter-predicted pictures need 1..3 P_DIFFs")
            for index, diff in enumerate(self.p_diffs):
                if not 0 <= diff < 128:
                    raise RtpError(f"VP9 P_DIFF {diff}: not 7-bit")
                out.append(diff << 1 | (1 if index < len(self.p_diffs) - 1 else 0))
        if self.scalability is not None:
            flags |= 0x02
            out += self.scalability.serialize()
        return bytes((flags,)) + bytes(out)


class Vp9Packetizer(Packetizer):
    """Single-layer VP9: 15-bit PictureID, SS on key frames, flexible mode on request."""

    def __init__(self, mtu: int = DEFAULT_MTU, picture_id: int = 0, flexible: bool = False):
        super().__init__(mtu)
        self.picture_id = picture_id & 0x7FFF
        self.flexible = flexible

    def packetize(self, frame: bytes, keyframe: bool = False) -> list[bytes]:
        if not frame:
            raise RtpError("VP9 frame is empty")
        picture_id = self.picture_id
        self.picture_id = (picture_id + 1) & 0x7FFF
        common = {
            "picture_id": picture_id,
            "inter_predicted": not keyframe,
            "flexible": self.flexible,
            "p_diffs": (1,) if self.flexible and not keyframe else (),
        }
        head = Vp9Descriptor(
            start=True,
            scalability=Vp9ScalabilityStructure() if keyframe else None,
            **common,  # type: ignore[arg-type]
        ).serialize()
        budget = self.mtu - len(head) - 1  # room for E without recomputing sizes
        sizes = split_evenly(len(frame), budget)
        payloads = []
        pos = 0
        for index, size in enumerate(sizes):
            descriptor = Vp9Descriptor(
                start=index == 0,
                end=index == len(sizes) - 1,
                scalability=Vp9ScalabilityStructure() if keyframe and index == 0 else None,
                **common,  # type: ignore[arg-type]
            )
            payloads.append(descriptor.serialize() + frame[pos : pos + size])
            pos += size
        return payloads


class Vp9Depacketizer(Depacketizer):
    def depacketize(self, payloads: Sequence[bytes]) -> bytes:
        if not payloads:
            raise RtpError("VP9 frame: no payloads")
        parts = []
        picture_id: int | None = None
        last = len(payloads) - 1
        for index, payload in enumerate(payloads):
            descriptor, offset = Vp9Descriptor.parse(payload)
            if index == 0:
                picture_id = descriptor.picture_id
                if not descriptor.start:
                    raise RtpError("VP9 frame: first payload lacks the B (start) bit")
            else:
                if descriptor.start:
                    raise RtpError("VP9 frame: B (start) bit inside the frame")
                if descriptor.picture_id != picture_id:
                    raise RtpError("VP9 frame: PictureID changes within the frame")
            if descriptor.end != (index == last):
                raise RtpError("VP9 frame: E (end) bit not on the last payload only")
            if offset >= len(payload):
                raise RtpError("VP9 payload: no data after the descriptor")
            parts.append(payload[offset:])
        return b"".join(parts)

    def is_frame_start(self, payload: bytes) -> bool:
        return bool(payload) and bool(payload[0] & 0x08)

    def is_keyframe(self, payload: bytes) -> bool:
        descriptor, _ = Vp9Descriptor.parse(payload)
        return descriptor.start and not descriptor.inter_predicted and descriptor.sid == 0
