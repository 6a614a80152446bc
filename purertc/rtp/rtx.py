"""RTP retransmission payload format, RFC 4588 §4.

::

     0                   1                   2                   3
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                         RTP Header                            |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |            OSN                |                               |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
    |                  Original RTP Packet Payload                  |

The RTX packet travels on its own SSRC, payload type and sequence space (session
multiplexing, §5); timestamp, marker, CSRCs and header extensions are the original's.
"""

from __future__ import annotations

from .errors import RtpError
from .implementation import RtpPacket


def wrap_rtx(packet: RtpPacket, payload_type: int, ssrc: int, sequence_number: int) -> RtpPacket:
    rtx = RtpPacket(
        payload_type=payload_type,
        sequence_number=sequence_number & 0xFFFF,
        timestamp=packet.timestamp,
        ssrc=ssrc,
        marker=packet.marker,
        csrc=packet.csrc,
        payload=packet.sequence_number.to_bytes(2, "big") + bytes(packet.payload),
    )
    rtx.set_extension_block(packet.extension_profile, packet.extension_data)
    return rtx


def unwrap_rtx(rtx: RtpPacket, payload_type: int, ssrc: int) -> RtpPacket:
    """The original packet; raises :class:`RtpError` for padding-only (probe) RTX packets."""
    if len(rtx.payload) < 2:
        raise RtpError("RTX payload: original sequence number (OSN) missing")
    original = RtpPacket(
        payload_type=payload_type,
        sequence_number=int.from_bytes(rtx.payload[:2], "big"),
        timestamp=rtx.timestamp,
        ssrc=ssrc,
        marker=rtx.marker,
        csrc=rtx.csrc,
        payload=rtx.payload[2:],
    )
    original.set_extension_block(rtx.extension_profile, rtx.extension_data)
    return original
