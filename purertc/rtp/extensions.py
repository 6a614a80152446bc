"""RTP header extensions (RFC 8285) and typed helpers for the extensions WebRTC uses.

The RTP packet keeps its extension block raw (profile + bytes) and only decodes it on access:
most packets are forwarded or depacketized without anyone looking at their extensions.

One-byte form (profile 0xBEDE), RFC 8285 §4.2::

     0                   1                   2                   3
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |       0xBE    |    0xDE       |           length=3            |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |  ID   | L=0   |     data      |  ID   |  L=1  |   data...
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

Two-byte form (profile 0x100 + appbits), RFC 8285 §4.3: ``ID (8) | length (8) | data``.
A zero byte where an element would start is padding in both forms.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import RtpError

ONE_BYTE_PROFILE = 0xBEDE
TWO_BYTE_PROFILE = 0x1000  # RFC 8285 §4.3: 0x100 followed by 4 "appbits" (we send 0)

# Extension URIs (RFC 8285 `a=extmap` names) the typed helpers below understand.
URI_MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
URI_RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
URI_REPAIRED_RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
URI_AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
URI_TOFFSET = "urn:ietf:params:rtp-hdrext:toffset"
URI_ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
URI_TRANSPORT_CC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
URI_VIDEO_ORIENTATION = "urn:3gpp:video-orientation"
URI_PLAYOUT_DELAY = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"
URI_ABS_CAPTURE_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"


def is_two_byte_profile(profile: int) -> bool:
    return profile & 0xFFF0 == TWO_BYTE_PROFILE


def decode_extensions(profile: int, raw: bytes) -> dict[int, bytes]:
    """Elements of an RFC 8285 block, by id; a non-8285 profile (RFC 3550 §5.3.1) has none.

    When an id repeats the first occurrence wins (RFC 8285 §4.1 allows one element per id).
    """
    elements: dict[int, bytes] = {}
    length = len(raw)
    pos = 0
    if profile == ONE_BYTE_PROFILE:
        while pos < length:
            byte = raw[pos]
            if not byte:  # padding
                pos += 1
                continue
            ext_id = byte >> 4
            if ext_id == 15:  # RFC 8285 §4.2: reserved, stop processing the block
                break
            start = pos + 1
            pos = start + (byte & 0x0F) + 1
            if pos > length:
                raise RtpError(f"header extension id {ext_id}: length overruns the block")
            if ext_id not in elements:
                elements[ext_id] = raw[start:pos]
    elif is_two_byte_profile(profile):
        while pos < length:
            ext_id = raw[pos]
            if not ext_id:  # padding
                pos += 1
                continue
            if pos + 2 > length:
                raise RtpError(f"header extension id {ext_id}: length byte missing")
            start = pos + 2
            pos = start + raw[pos + 1]
            if pos > length:
                raise RtpError(f"header extension id {ext_id}: length overruns the block")
            if ext_id not in elements:
                elements[ext_id] = raw[start:pos]
    return elements


def encode_extensions(
    elements: Mapping[int, bytes], *, two_byte: bool = False
) -> tuple[int, bytes]:
    """``(profile, raw block)`` for ``elements``, padded with zeros to a 32-bit boundary.

    The one-byte form is used whenever every id is 1..14 and every value 1..16 bytes long, unless
    ``two_byte`` asks for the two-byte form (RFC 8285 §4.3 "mixed" use once negotiated).
    """
    if not two_byte:
        for ext_id, value in elements.items():
            if not 1 <= ext_id <= 14 or not 1 <= len(value) <= 16:
                two_byte = True
                break
    parts: list[bytes] = []
    if two_byte:
        profile = TWO_BYTE_PROFILE
        for ext_id, value in elements.items():
            if not 1 <= ext_id <= 255:
                raise RtpError(f"header extension id {ext_id}: out of range 1..255")
            if len(value) > 255:
                raise RtpError(f"header extension id {ext_id}: value longer than 255 bytes")
            parts.append(bytes((ext_id, len(value))))
            parts.append(bytes(value))
    else:
        profile = ONE_BYTE_PROFILE
        for ext_id, value in elements.items():
            parts.append(bytes(((ext_id << 4) | (len(value) - 1),)))
            parts.append(bytes(value))
    raw = b"".join(parts)
    return profile, raw + b"\x00" * (-len(raw) % 4)


# --- typed helpers --------------------------------------------------------------------------
# Each pair turns one extension's value into Python values and back. Decoders check lengths.


def _need(value: bytes, size: int, name: str) -> None:
    if len(value) != size:
        raise RtpError(f"{name} extension: expected {size} bytes, got {len(value)}")


def pack_sdes_text(text: str) -> bytes:
    """mid / rtp-stream-id / repaired-rtp-stream-id (RFC 8843, RFC 8852): the ASCII token."""
    return text.encode("ascii")


def unpack_sdes_text(value: bytes) -> str:
    try:
        return bytes(value).rstrip(b"\x00").decode("ascii")
    except UnicodeDecodeError as exc:
        raise RtpError("SDES text extension: not ASCII") from exc


@dataclass(frozen=True, slots=True)
class AudioLevel:
    """RFC 6464: voice activity flag and level in -dBov (0 loudest, 127 silence)."""

    voice: bool
    level: int


def pack_audio_level(level: AudioLevel) -> bytes:
    if not 0 <= level.level <= 127:
        raise RtpError(f"audio level {level.level}: out of range 0..127")
    return bytes(((0x80 if level.voice else 0) | level.level,))


def unpack_audio_level(value: bytes) -> AudioLevel:
    _need(value, 1, "audio level")
    return AudioLevel(voice=bool(value[0] & 0x80), level=value[0] & 0x7F)


def pack_abs_send_time(seconds: float) -> bytes:
    """abs-send-time: 24-bit 6.18 fixed-point seconds, wrapping every 64 s."""
    raw = int(seconds * (1 << 18)) & 0xFFFFFF
    return raw.to_bytes(3, "big")


def unpack_abs_send_time(value: bytes) -> int:
    """The raw 24-bit 6.18 fixed-point value (divide by 2**18 for seconds)."""
    _need(value, 3, "abs-send-time")
    return int.from_bytes(value, "big")


def pack_transmission_offset(offset: int) -> bytes:
    """toffset (RFC 5450): signed 24-bit offset in RTP timestamp units."""
    if not -(1 << 23) <= offset < 1 << 23:
        raise RtpError(f"transmission offset {offset}: out of 24-bit range")
    return (offset & 0xFFFFFF).to_bytes(3, "big")


def unpack_transmission_offset(value: bytes) -> int:
    _need(value, 3, "toffset")
    raw = int.from_bytes(value, "big")
    return raw - (1 << 24) if raw & 0x800000 else raw


def pack_transport_sequence_number(seq: int) -> bytes:
    return (seq & 0xFFFF).to_bytes(2, "big")


def unpack_transport_sequence_number(value: bytes) -> int:
    _need(value, 2, "transport-wide-cc")
    return int.from_bytes(value, "big")


@dataclass(frozen=True, slots=True)
class VideoOrientation:
    """3GPP TS 26.114 §7.4.5 CVO: camera (0 front, 1 back), horizontal flip, rotation."""

    camera: int = 0
    flip: bool = False
    rotation: int = 0  # degrees clockwise: 0, 90, 180 or 270


def pack_video_orientation(orientation: VideoOrientation) -> bytes:
    if orientation.rotation not in (0, 90, 180, 270):
        raise RtpError(f"video orientation rotation {orientation.rotation}: not 0/90/180/270")
    byte = (orientation.camera & 1) << 3 | (int(orientation.flip) << 2) | orientation.rotation // 90
    return bytes((byte,))


def unpack_video_orientation(value: bytes) -> VideoOrientation:
    _need(value, 1, "video orientation")
    byte = value[0]
    return VideoOrientation(camera=(byte >> 3) & 1, flip=bool(byte & 4), rotation=(byte & 3) * 90)


@dataclass(frozen=True, slots=True)
class PlayoutDelay:
    """Playout delay limits in units of 10 ms (12 bits each)."""

    minimum: int
    maximum: int


def pack_playout_delay(delay: PlayoutDelay) -> bytes:
    if not (0 <= delay.minimum < 4096 and 0 <= delay.maximum < 4096):
        raise RtpError("playout delay: values must fit 12 bits")
    return ((delay.minimum << 12) | delay.maximum).to_bytes(3, "big")


def unpack_playout_delay(value: bytes) -> PlayoutDelay:
    _need(value, 3, "playout delay")
    raw = int.from_bytes(value, "big")
    return PlayoutDelay(minimum=raw >> 12, maximum=raw & 0xFFF)


_ABS_CAPTURE = struct.Struct("!Q")
_ABS_CAPTURE_OFFSET = struct.Struct("!Qq")


@dataclass(frozen=True, slots=True)
class AbsCaptureTime:
    """abs-capture-time: 64-bit NTP capture time, optional signed Q32.32 clock offset."""

    ntp_timestamp: int
    estimated_clock_offset: int | None = None


def pack_abs_capture_time(value: AbsCaptureTime) -> bytes:
    try:
        if value.estimated_clock_offset is None:
            return _ABS_CAPTURE.pack(value.ntp_timestamp)
        return _ABS_CAPTURE_OFFSET.pack(value.ntp_timestamp, value.estimated_clock_offset)
    except struct.error as exc:
        raise RtpError("abs-capture-time: value out of range") from exc


def unpack_abs_capture_time(value: bytes) -> AbsCaptureTime:
    if len(value) == 8:
        return AbsCaptureTime(_ABS_CAPTURE.unpack(value)[0])
    if len(value) == 16:
        ntp, offset = _ABS_CAPTURE_OFFSET.unpack(value)
        return AbsCaptureTime(ntp, offset)
    raise RtpError(f"abs-capture-time extension: expected 8 or 16 bytes, got {len(value)}")
