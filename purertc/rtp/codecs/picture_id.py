"""The PictureID field VP8 (RFC 7741 §4.2) and VP9 (RFC 9628 §4.2) descriptors share.

::

    +-+-+-+-+-+-+-+-+
    |M| PictureID   |   M=0: 7-bit PictureID
    +-+-+-+-+-+-+-+-+
    |   (low byte)  |   M=1: 15-bit PictureID over two octets
    +-+-+-+-+-+-+-+-+
"""

from __future__ import annotations

from ..errors import RtpError


def read_picture_id(payload: bytes, pos: int, codec: str) -> tuple[int, bool, int]:
    """PictureID at ``pos``: (value, whether 15-bit, position after it)."""
    length = len(payload)
    if pos >= length:
        raise RtpError(f"{codec} descriptor: PictureID missing")
    if payload[pos] & 0x80:
        if pos + 2 > length:
            raise RtpError(f"{codec} descriptor: 15-bit PictureID truncated")
        return (payload[pos] & 0x7F) << 8 | payload[pos + 1], True, pos + 2
    return payload[pos], False, pos + 1


def write_picture_id(out: bytearray, picture_id: int, long: bool, codec: str) -> None:
    """Append PictureID in its 15-bit (``long``) or 7-bit form."""
    if long:
        if not 0 <= picture_id < 1 << 15:
            raise RtpError(f"{codec} PictureID {picture_id}: not 15-bit")
        out += bytes((0x80 | picture_id >> 8, picture_id & 0xFF))
    else:
        if not 0 <= picture_id < 1 << 7:
            raise RtpError(f"{codec} PictureID {picture_id}: not 7-bit")
        out.append(picture_id)
