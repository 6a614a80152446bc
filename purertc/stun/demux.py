"""RFC 7983 §7: which protocol a datagram on the shared ICE 5-tuple belongs to.

```
                 +----------------+
                 |        [0..3] -+--> STUN
                 |                |
                 |      [16..19] -+--> ZRTP
     packet -->  |                |
                 |      [20..63] -+--> DTLS
                 |                |
                 |      [64..79] -+--> TURN Channel
                 |                |
                 |    [128..191] -+--> RTP/RTCP
                 +----------------+
```

RTP and RTCP are told apart by the second byte (RFC 5761 §4: RTCP packet types 192-223).
Anything else (including an empty datagram) is "unknown" and should be dropped.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["stun", "dtls", "rtp", "rtcp", "channeldata", "zrtp", "unknown"]

_BY_FIRST_BYTE: tuple[Kind, ...] = tuple(
    "stun"
    if b <= 3
    else "zrtp"
    if 16 <= b <= 19
    else "dtls"
    if 20 <= b <= 63
    else "channeldata"
    if 64 <= b <= 79
    else "rtp"
    if 128 <= b <= 191
    else "unknown"
    for b in range(256)
)


def classify(datagram: bytes | bytearray | memoryview) -> Kind:
    """The protocol of ``datagram`` by its first byte (and the second for RTP vs RTCP)."""
    if not datagram:
        return "unknown"
    kind = _BY_FIRST_BYTE[datagram[0]]
    if kind == "rtp" and len(datagram) > 1 and 192 <= datagram[1] <= 223:
        return "rtcp"
    return kind
