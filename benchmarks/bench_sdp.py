"""SDP parse and serialize: purertc vs aiortc on the Chrome offers in the shared vectors.

purertc's parse is lossless (``serialize()`` gives back the exact text) and checks every
structural line and the attributes later layers trust (candidate, rtpmap, fmtp, extmap,
ssrc, fingerprint, setup, mid...); typed values are built on first access, so the
"parse + read" case adds reading codecs, header extensions, candidates, ICE/DTLS parameters
and SSRCs of every section — what aiortc's parse builds eagerly. Typed values come from
shared tables keyed by the line's text (browsers repeat their codec lines verbatim in every
offer); the "cold tables" case empties them first, so every value is parsed afresh.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aiortc import sdp as aiortc_sdp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import Case, run  # noqa: E402

from purertc.sdp import SessionDescription  # noqa: E402
from purertc.sdp.lines import clear_shared_tables  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VECTORS = Path(os.environ.get("PURERTC_VECTORS", ROOT.parent / "shared" / "vectors")) / "sdp"


def chrome_offers() -> dict[str, str]:
    """Chrome/Chromium offers that aiortc's parser accepts (it rejects some other vectors)."""
    offers = {}
    for path in sorted(VECTORS.glob("chrom*.sdp")):
        text = path.read_bytes().decode("utf-8")
        try:
            aiortc_sdp.SessionDescription.parse(text)
        except Exception:  # noqa: BLE001 - aiortc raises assorted errors on inputs it cannot read
            continue
        offers[path.stem] = text
    return offers


def read_typed(description: SessionDescription) -> list[object]:
    """What an answerer reads from every section of an offer."""
    return [
        (
            description.transport(media),
            media.codecs,
            media.extmaps,
            media.candidates,
            media.ssrcs,
            media.mid,
            media.direction,
        )
        for media in description.media
    ]


def main() -> None:
    offers = chrome_offers()
    texts = list(offers.values())
    ours = [SessionDescription.parse(text) for text in texts]
    theirs = [aiortc_sdp.SessionDescription.parse(text) for text in texts]
    for description, text in zip(ours, texts, strict=True):
        assert description.serialize() == text  # lossless: the point of the comparison

    def parse_all() -> None:
        for text in texts:
            SessionDescription.parse(text)

    def aiortc_parse_all() -> None:
        for text in texts:
            aiortc_sdp.SessionDescription.parse(text)

    def parse_and_read_all() -> None:
        for text in texts:
            read_typed(SessionDescription.parse(text))

    def parse_and_read_cold() -> None:
        clear_shared_tables()  # nothing parsed before: every typed value built afresh
        for text in texts:
            read_typed(SessionDescription.parse(text))

    def serialize_all() -> None:
        for description in ours:
            description.serialize()

    def aiortc_serialize_all() -> None:
        for description in theirs:
            str(description)

    edited = [SessionDescription.parse(text) for text in texts]
    for description in edited:
        for media in description.media:
            media.direction = "recvonly"  # builds every line object, re-renders one line each

    def serialize_edited_all() -> None:
        for description in edited:
            description.serialize()

    cases = [
        Case(f"parse {len(texts)} chrome offers", parse_all, aiortc_parse_all),
        Case("parse + read typed values", parse_and_read_all, aiortc_parse_all),
        Case("parse + read, cold tables", parse_and_read_cold, aiortc_parse_all),
        Case("serialize (untouched)", serialize_all, aiortc_serialize_all),
        Case("serialize (one edit per m-line)", serialize_edited_all, aiortc_serialize_all),
    ]
    for name, text in offers.items():

        def parse_one(text: str = text) -> None:
            SessionDescription.parse(text)

        def aiortc_parse_one(text: str = text) -> None:
            aiortc_sdp.SessionDescription.parse(text)

        cases.append(Case(f"parse {name[:27]}", parse_one, aiortc_parse_one))
    run("sdp", cases)


if __name__ == "__main__":
    main()
