"""The few RTP and RTCP header fields SRTP needs, read with every length checked.

SRTP sits below the RTP layer and imports nothing from it, so it reads these itself::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |V=2|P|X|  CC   |M|     PT      |       sequence number         |   RTP (RFC 3550 §5.1)
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                           timestamp                           |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                             SSRC                              |
    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    |                  CSRC list (CC x 32 bits)                     |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |   extension profile           |   extension length (words)    |   if X (RFC 3550 §5.3.1)
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                      extension (length x 32 bits)             |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

The SRTP header (everything up to the payload) is authenticated but not encrypted (RFC 3711
§3.1). An RTCP packet's first 8 bytes (header and sender SSRC) likewise stay clear (§3.4).
"""

from __future__ import annotations

import struct

from purertc.srtp.errors import SrtpError

RTP_FIXED_HEADER_LENGTH = 12
RTCP_HEADER_LENGTH = 8

_RTP_FIRST_SEQ_SSRC = struct.Struct("!BxH4xI")
_RTCP_SSRC = struct.Struct("!4xI")


def parse_rtp_header(packet: bytes, trailer_length: int) -> tuple[int, int, int]:
    """``(header length, sequence number, SSRC)`` of an (S)RTP packet.

    ``trailer_length`` bytes at the end (the SRTP tag) are not part of the header or payload.
    """
    end = len(packet) - trailer_length
    if end < RTP_FIXED_HEADER_LENGTH:
        raise SrtpError(
            f"packet too short: {len(packet)} bytes, an RTP header and {trailer_length}-byte "
            "trailer need at least "
            f"{RTP_FIXED_HEADER_LENGTH + trailer_length}"
        )
    first, seq, ssrc = _RTP_FIRST_SEQ_SSRC.unpack_from(packet)
    header_length = RTP_FIXED_HEADER_LENGTH + ((first & 0x0F) << 2)
    if first & 0x10:
        if header_length + 4 > end:
            raise SrtpError(
                f"packet too short: RTP header extension header at offset {header_length} "
                f"exceeds the {end}-byte packet"
            )
        header_length += 4 + ((packet[header_length + 2] << 8 | packet[header_length + 3]) << 2)
    if header_length > end:
        raise SrtpError(
            f"packet too short: RTP header (CSRC count / extension length) is {header_length} "
            f"bytes but the packet has {end} before its trailer"
        )
    return header_length, seq, ssrc


def parse_rtcp_ssrc(packet: bytes, trailer_length: int) -> int:
    """The sender SSRC of an (S)RTCP packet that ends in ``trailer_length`` SRTCP bytes."""
    if len(packet) - trailer_length < RTCP_HEADER_LENGTH:
        raise SrtpError(
            f"packet too short: {len(packet)} bytes, an RTCP header and {trailer_length}-byte "
            f"SRTCP trailer need at least {RTCP_HEADER_LENGTH + trailer_length}"
        )
    ssrc: int = _RTCP_SSRC.unpack_from(packet)[0]
    return ssrc
