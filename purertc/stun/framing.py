"""Cut a TCP/TLS byte stream into STUN messages and ChannelData frames.

RFC 8656 §12.5 / RFC 6062 §4.1: over a stream, STUN messages and ChannelData messages follow each
other with nothing in between. The first two bits tell them apart (00 STUN, 01 ChannelData);
a STUN message is 20 + length bytes, a ChannelData message 4 + length rounded up to 4. Reads may
end anywhere, so the framer buffers partial frames and returns every complete one.
"""

from __future__ import annotations

import struct

from .errors import StunError

_LENGTH = struct.Struct("!H")


class StreamFramer:
    """Incremental framer: ``feed(bytes) -> [frame, ...]``, each frame a whole message."""

    __slots__ = ("_buffer", "_error")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._error: str | None = None

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete frame held back."""
        return len(self._buffer)

    def feed(self, data: bytes | bytearray | memoryview) -> list[bytes]:
        """Add bytes read from the stream; return the frames they complete, in order.

        Raises :class:`StunError` when the stream holds something that is neither STUN nor
        ChannelData: framing is lost for good, and every later call raises too.
        """
        if self._error is not None:
            raise StunError(self._error)
        buffer = self._buffer
        buffer += data
        frames: list[bytes] = []
        pos = 0
        available = len(buffer)
        while available - pos >= 4:
            first = buffer[pos]
            length = _LENGTH.unpack_from(buffer, pos + 2)[0]
            if first < 0x40:
                size = 20 + length
            elif first < 0x80:
                size = 4 + length + (-length & 3)
            else:
                self._error = (
                    f"stream framing: first byte 0x{first:02x} is neither STUN nor ChannelData"
                )
                del buffer[:pos]
                raise StunError(self._error)
            if available - pos < size:
                break
            frames.append(bytes(buffer[pos : pos + size]))
            pos += size
        if pos:
            del buffer[:pos]
        return frames
