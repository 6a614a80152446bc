"""The RTP data packet, RFC 3550 §5.1 (pure-Python reference implementation).

::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |V=2|P|X|  CC   |M|     PT      |       sequence number         |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                           timestamp                           |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |           synchronization source (SSRC) identifier            |
    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    |            contributing source (CSRC) identifiers             |
    |                             ....                              |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |   profile (0xBEDE...)         |  length in 32-bit words       |  if X (§5.3.1)
    |                     extension data                            |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |   payload ...                 |  padding ... | pad count      |  padding if P

Speed matters here (every media packet goes through it): one ``struct.unpack_from`` for the
fixed header, ``__slots__``, and the extension block kept raw until someone asks for it. The
packet keeps the exact extension block and padding it was parsed from, so re-serializing a
parsed packet gives back the same bytes. ``purertc._speedups`` holds a compiled twin of this
class; ``purertc.rtp.RtpPacket`` is whichever of the two is in use.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from .errors import RtpError
from .extensions import decode_extensions, encode_extensions, is_two_byte_profile

_HEADER = struct.Struct("!BBHII")
_EXTENSION_HEADER = struct.Struct("!HH")
_HEADER_WITH_EXTENSION = struct.Struct("!BBHIIHH")
_CSRC = [struct.Struct(f"!{count}I") for count in range(16)]
_EMPTY: Mapping[int, bytes] = MappingProxyType({})


class RtpPacket:
    """One RTP packet. Parsed packets are values; the send path may set fields before sending.

    ``payload`` is a ``bytes`` copy of the payload; ``padding_size`` the number of padding octets
    including the count octet (0: P bit clear). ``extensions`` maps RFC 8285 ids to values and is
    decoded from the raw block (``extension_profile``/``extension_data``) on first access.
    """

    __slots__ = (
        "marker",
        "payload_type",
        "sequence_number",
        "timestamp",
        "ssrc",
        "csrc",
        "extension_profile",
        "extension_data",
        "payload",
        "padding_data",
        "_extensions",
    )

    version: ClassVar[int] = 2

    marker: bool
    payload_type: int
    sequence_number: int
    timestamp: int
    ssrc: int
    csrc: tuple[int, ...]
    extension_profile: int | None
    extension_data: bytes
    payload: bytes
    padding_data: bytes
    _extensions: Mapping[int, bytes] | None

    def __init__(
        self,
        *,
        payload_type: int = 0,
        sequence_number: int = 0,
        timestamp: int = 0,
        ssrc: int = 0,
        marker: bool = False,
        csrc: Iterable[int] = (),
        payload: bytes = b"",
        extensions: Mapping[int, bytes] | None = None,
        padding_size: int = 0,
    ) -> None:
        self.marker = marker
        self.payload_type = payload_type
        self.sequence_number = sequence_number
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrc = tuple(csrc)
        self.payload = bytes(payload)
        self.extension_profile = None
        self.extension_data = b""
        self._extensions = _EMPTY
        if extensions:
            self.extensions = extensions
        self.padding_size = padding_size

    # --- parsing ---------------------------------------------------------------------------

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> RtpPacket:
        """Parse one RTP packet; raise :class:`RtpError` naming the field if it is malformed."""
        if type(data) is not bytes:
            data = bytes(data)
        length = len(data)
        if length < 12:
            raise RtpError(f"RTP header truncated: {length} bytes, need 12")
        first, second, sequence_number, timestamp, ssrc = _HEADER.unpack_from(data)
        if first & 0xC0 != 0x80:
            raise RtpError(f"RTP version {first >> 6}: only version 2 exists")
        pos = 12
        count = first & 0x0F
        if count:
            pos += 4 * count
            if pos > length:
                raise RtpError(f"RTP CSRC list truncated: CC={count} needs {pos} bytes")
            csrc = _CSRC[count].unpack_from(data, 12)
        else:
            csrc = ()
        packet = cls.__new__(cls)
        if first & 0x10:
            if pos + 4 > length:
                raise RtpError("RTP header extension truncated: missing profile/length")
            profile, words = _EXTENSION_HEADER.unpack_from(data, pos)
            start = pos + 4
            pos = start + 4 * words
            if pos > length:
                raise RtpError(f"RTP header extension length {words} words overruns the packet")
            packet.extension_profile = profile
            packet.extension_data = data[start:pos]
            packet._extensions = None
        else:
            packet.extension_profile = None
            packet.extension_data = b""
            packet._extensions = _EMPTY
        if first & 0x20:
            pad = data[-1]
            if pad == 0 or pad > length - pos:
                raise RtpError(f"RTP padding count {pad} invalid for {length - pos} bytes")
            packet.payload = data[pos : length - pad]
            packet.padding_data = data[length - pad :]
        else:
            packet.payload = data[pos:]
            packet.padding_data = b""
        packet.marker = second > 127
        packet.payload_type = second & 0x7F
        packet.sequence_number = sequence_number
        packet.timestamp = timestamp
        packet.ssrc = ssrc
        packet.csrc = csrc
        return packet

    # --- serializing -----------------------------------------------------------------------

    def serialize(self) -> bytes:
        """The wire form; a parsed, unmodified packet gives back exactly the parsed bytes."""
        payload_type = self.payload_type
        if payload_type & -128:
            raise RtpError(f"RTP payload type {payload_type}: out of range 0..127")
        second = payload_type | 0x80 if self.marker else payload_type
        csrc = self.csrc
        padding = self.padding_data
        profile = self.extension_profile
        try:
            if not csrc and not padding:
                # The common WebRTC shapes: one pack call for the whole header.
                if profile is None:
                    return (
                        _HEADER.pack(0x80, second, self.sequence_number, self.timestamp, self.ssrc)
                        + self.payload
                    )
                raw = self.extension_data
                if len(raw) & 3:
                    raise RtpError("RTP header extension data: length not a multiple of 4")
                return (
                    _HEADER_WITH_EXTENSION.pack(
                        0x90,
                        second,
                        self.sequence_number,
                        self.timestamp,
                        self.ssrc,
                        profile,
                        len(raw) >> 2,
                    )
                    + raw
                    + self.payload
                )
            if len(csrc) > 15:
                raise RtpError(f"RTP CSRC count {len(csrc)}: at most 15")
            first = 0x80 | len(csrc)
            if padding:
                first |= 0x20
            parts = [b"", _CSRC[len(csrc)].pack(*csrc)]
            if profile is not None:
                first |= 0x10
                raw = self.extension_data
                if len(raw) & 3:
                    raise RtpError("RTP header extension data: length not a multiple of 4")
                parts.append(_EXTENSION_HEADER.pack(profile, len(raw) >> 2))
                parts.append(raw)
            parts[0] = _HEADER.pack(first, second, self.sequence_number, self.timestamp, self.ssrc)
        except struct.error as exc:
            raise RtpError(f"RTP header field out of range: {exc}") from exc
        parts.append(self.payload)
        parts.append(padding)
        return b"".join(parts)

    # --- header extensions -----------------------------------------------------------------

    @property
    def extensions(self) -> Mapping[int, bytes]:
        """RFC 8285 elements by id (read-only view; assign a mapping to replace them)."""
        elements = self._extensions
        if elements is None:
            assert self.extension_profile is not None
            elements = MappingProxyType(
                decode_extensions(self.extension_profile, self.extension_data)
            )
            self._extensions = elements
        return elements

    @extensions.setter
    def extensions(self, elements: Mapping[int, bytes]) -> None:
        if not elements:
            self.extension_profile = None
            self.extension_data = b""
            self._extensions = _EMPTY
            return
        two_byte = self.extension_profile is not None and is_two_byte_profile(
            self.extension_profile
        )
        self.extension_profile, self.extension_data = encode_extensions(elements, two_byte=two_byte)
        self._extensions = MappingProxyType(dict(elements))

    def set_extension_block(self, profile: int | None, data: bytes) -> None:
        """Replace the raw extension block (e.g. copied from another packet) as is."""
        self.extension_profile = profile
        self.extension_data = bytes(data) if profile is not None else b""
        self._extensions = None if profile is not None else _EMPTY

    def set_extension(self, ext_id: int, value: bytes) -> None:
        """Add or replace one element, re-encoding the block."""
        elements = dict(self.extensions)
        elements[ext_id] = bytes(value)
        self.extensions = elements

    def remove_extension(self, ext_id: int) -> None:
        elements = dict(self.extensions)
        elements.pop(ext_id, None)
        self.extensions = elements

    # --- padding ---------------------------------------------------------------------------

    @property
    def padding(self) -> bool:
        """The P bit."""
        return bool(self.padding_data)

    @property
    def padding_size(self) -> int:
        return len(self.padding_data)

    @padding_size.setter
    def padding_size(self, size: int) -> None:
        if not 0 <= size <= 255:
            raise RtpError(f"RTP padding size {size}: out of range 0..255")
        self.padding_data = b"\x00" * (size - 1) + bytes((size,)) if size else b""

    # --- value behaviour -------------------------------------------------------------------

    def _key(self) -> tuple[Any, ...]:
        return (
            self.marker,
            self.payload_type,
            self.sequence_number,
            self.timestamp,
            self.ssrc,
            self.csrc,
            self.extension_profile,
            self.extension_data,
            bytes(self.payload),
            self.padding_data,
        )

    def __eq__(self, other: object) -> bool:
        if not hasattr(other, "serialize") or not hasattr(other, "extension_data"):
            return NotImplemented
        return self._key() == RtpPacket._key(other)  # type: ignore[arg-type]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"RtpPacket(pt={self.payload_type}, seq={self.sequence_number}, "
            f"ts={self.timestamp}, ssrc={self.ssrc:#010x}, marker={self.marker}, "
            f"csrc={list(self.csrc)}, extensions={dict(self.extensions)}, "
            f"payload={len(self.payload)} bytes, padding={self.padding_size})"
        )

    def copy(self) -> RtpPacket:
        clone = RtpPacket.parse(self.serialize())
        return clone
