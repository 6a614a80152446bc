"""RTP/RTCP framing and VP8 packetization: purertc (pure and compiled) vs aiortc.

Same inputs in the same process: a captured Opus packet with two one-byte extensions (parse,
parse + read extensions, serialize; aiortc given the matching extension map), a plain PCMU
packet, the aiortc SR+SDES compound RTCP packet, and a 10 kB VP8 frame split into packets of
aiortc's 1300-byte budget. Our parse keeps the extension block raw until it is read; the
"parse + read extensions" row measures the decode too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Case, run  # noqa: E402
from aiortc import rtp as aiortc_rtp  # noqa: E402
from aiortc.codecs import vpx as aiortc_vpx  # noqa: E402
from aiortc.rtcrtpparameters import (  # noqa: E402
    RTCRtpHeaderExtensionParameters,
    RTCRtpParameters,
)

from purertc.rtp import parse_rtcp  # noqa: E402
from purertc.rtp.implementation import CompiledRtpPacket, PureRtpPacket  # noqa: E402

VECTORS = Path(os.environ.get("PURERTC_VECTORS", ROOT.parent / "shared" / "vectors"))
if not VECTORS.exists():  # a git worktree one level deeper than the main checkout
    VECTORS = ROOT.parent.parent / "shared" / "vectors"

RTP = (VECTORS / "rtp" / "mediasoup_packet3.raw").read_bytes()
PCMU = (VECTORS / "rtp" / "aiortc_pcmu_plain.bin").read_bytes()
COMPOUND = bytes.fromhex(
    "81c8000c6d2453eade46475b151a005c66a8dd3e0000010d000034f58ef891ed00000000000000f6"
    "0000007f000000000000000081ca000c6d2453ea01267b36336634353965612d343166652d343437"
    "342d396433332d3937303763396565373964317d00000000"
)
FRAME = bytes(range(256)) * 40  # 10240 bytes

# aiortc only decodes (and re-encodes) extensions named in its map: map both, as a receiver would.
AIORTC_MAP = aiortc_rtp.HeaderExtensionsMap()
AIORTC_MAP.configure(
    RTCRtpParameters(
        headerExtensions=[
            RTCRtpHeaderExtensionParameters(
                id=1, uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level"
            ),
            RTCRtpHeaderExtensionParameters(
                id=3, uri="http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
            ),
        ]
    )
)
aiortc_packet = aiortc_rtp.RtpPacket.parse(RTP, AIORTC_MAP)
assert len(aiortc_packet.serialize(AIORTC_MAP)) == len(RTP)


def cases() -> list[Case]:
    pure_packet = PureRtpPacket.parse(RTP)
    result = [
        Case(
            "RTP parse (Opus, 2 ext)",
            purertc=lambda: PureRtpPacket.parse(RTP),
            aiortc=lambda: aiortc_rtp.RtpPacket.parse(RTP, AIORTC_MAP),
        ),
        Case(
            "RTP parse (PCMU, no ext)",
            purertc=lambda: PureRtpPacket.parse(PCMU),
            aiortc=lambda: aiortc_rtp.RtpPacket.parse(PCMU),
        ),
        Case(
            "RTP parse + read extensions",
            purertc=lambda: PureRtpPacket.parse(RTP).extensions,
            aiortc=lambda: aiortc_rtp.RtpPacket.parse(RTP, AIORTC_MAP).extensions,
        ),
        Case(
            "RTP serialize",
            purertc=pure_packet.serialize,
            aiortc=lambda: aiortc_packet.serialize(AIORTC_MAP),
        ),
        Case(
            "RTCP compound SR+SDES parse",
            purertc=lambda: parse_rtcp(COMPOUND),
            aiortc=lambda: aiortc_rtp.RtcpPacket.parse(COMPOUND),
        ),
    ]
    if CompiledRtpPacket is not None:
        compiled = CompiledRtpPacket
        compiled_packet = compiled.parse(RTP)
        result[0].extra["compiled"] = lambda: compiled.parse(RTP)
        result[1].extra["compiled"] = lambda: compiled.parse(PCMU)
        result[2].extra["compiled"] = lambda: compiled.parse(RTP).extensions
        result[3].extra["compiled"] = compiled_packet.serialize
    try:
        from purertc.rtp.codecs.vp8 import Vp8Packetizer
    except ImportError:
        pass
    else:
        packetizer = Vp8Packetizer(mtu=1300)
        result.append(
            Case(
                "VP8 packetize 10 kB frame",
                purertc=lambda: packetizer.packetize(FRAME, keyframe=True),
                aiortc=lambda: aiortc_vpx.Vp8Encoder._packetize(FRAME, 1234),
            )
        )
    return result


if __name__ == "__main__":
    run("rtp", cases())
