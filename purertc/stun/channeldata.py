"""TURN ChannelData messages (RFC 8656 §12.4-12.5).

```
 0                   1                   2                   3
 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
|         Channel Number        |            Length             |
+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
|                                                               |
/                       Application Data                        /
/                                                               /
|                                                               |
|                               +-------------------------------+
|                               |
+-------------------------------+
```

Channel numbers 0x4000-0x4FFF are valid (§12); the length counts the data only. Over TCP/TLS
the message is padded to a multiple of four bytes; over UDP padding may be present and is
ignored.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .errors import StunError

CHANNEL_MIN = 0x4000
CHANNEL_MAX = 0x4FFF
_HEADER = struct.Struct("!HH")
_PADDING = (b"", b"\x00\x00\x00", b"\x00\x00", b"\x00")


def check_channel(number: int) -> None:
    if not CHANNEL_MIN <= number <= CHANNEL_MAX:
        raise StunError(f"channel number: 0x{number:04x} outside 0x4000-0x4FFF")


@dataclass(frozen=True, slots=True)
class ChannelData:
    """Application data relayed on a bound channel."""

    channel: int
    data: bytes

    @classmethod
    def parse(cls, frame: bytes | bytearray | memoryview, *, stream: bool = False) -> ChannelData:
        """One ChannelData message; ``stream`` requires the padding TCP/TLS must carry."""
        size = len(frame)
        if size < 4:
            raise StunError(f"ChannelData header: {size} bytes, needs 4")
        channel, length = _HEADER.unpack_from(frame)
        check_channel(channel)
        end = 4 + length
        if end > size:
            raise StunError(f"ChannelData length: {length} bytes announced, {size - 4} present")
        padded = end + (-length & 3)
        if (stream and size != padded) or (not stream and size > padded):
            raise StunError(f"ChannelData length: {size - end} bytes after the data, not padding")
        return cls(channel, bytes(frame[4:end]))

    def serialize(self, *, stream: bool = False) -> bytes:
        """The wire bytes, padded to four bytes when ``stream`` (TCP/TLS)."""
        check_channel(self.channel)
        length = len(self.data)
        if length > 0xFFFF:
            raise StunError(f"ChannelData length: {length} bytes do not fit 16 bits")
        tail = _PADDING[length & 3] if stream else b""
        return _HEADER.pack(self.channel, length) + self.data + tail
