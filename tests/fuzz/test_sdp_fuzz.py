"""Fuzz: mutated real SDP and random text into the parser and every typed accessor.

Only ``SdpError`` may escape. A mutant the parser accepts must still serialize back to
exactly its text, and reading every typed value must either work or raise ``SdpError``.
"""

from __future__ import annotations

import contextlib

from hypothesis import example, given
from hypothesis import strategies as st

from purertc.sdp import Candidate, SdpError, SessionDescription
from tests.sdp.sdp_snapshot import MEDIA_ACCESSORS, SESSION_ACCESSORS
from tests.support import manifest_entries, vector_path

TEXTS = [
    vector_path(entry["file"]).read_bytes().decode("utf-8")
    for entry in manifest_entries("sdp")
    if entry["file"].endswith(".sdp")
]
FIELD_JUNK = st.text(
    st.sampled_from(list("0123456789 :/=*-~;,.abcxyzABC\t\r\n\x00\x7f\x85\u2028é")),
    max_size=12,
)


def _exercise(text: str) -> None:
    try:
        description = SessionDescription.parse(text)
    except SdpError as error:
        assert error.line is not None and error.field is not None
        return
    assert description.serialize() == text
    # Each accessor on its own, so one that raises does not hide the others.
    for read in SESSION_ACCESSORS.values():
        with contextlib.suppress(SdpError):
            read(description)
    for media in description.media:
        for read_media in MEDIA_ACCESSORS.values():
            with contextlib.suppress(SdpError):
                read_media(description, media)
    description.serialize(canonical=True)


def _split(text: str) -> list[str]:
    return text.splitlines(keepends=True)


@st.composite
def mutants(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    lines = _split(text)
    operation = draw(
        st.sampled_from(["drop", "duplicate", "swap", "truncate", "insert", "field", "chars"])
    )
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        if operation == "drop":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "truncate":
            joined = "".join(lines)
            lines = [joined[: draw(st.integers(0, len(joined)))]]
        elif operation == "insert":
            raw = draw(st.binary(max_size=40))
            lines.insert(index, raw.decode("latin-1"))
        elif operation == "field":
            words = lines[index].split(" ")
            word = draw(st.integers(0, len(words) - 1))
            words[word] = draw(FIELD_JUNK)
            lines[index] = " ".join(words)
        else:
            line = lines[index]
            position = draw(st.integers(0, max(0, len(line) - 1)))
            lines[index] = line[:position] + draw(FIELD_JUNK) + line[position + 1 :]
    return "".join(lines)


@given(mutants())
@example("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=audio 9 RTP/AVP 96\na=rtcp-fb:96")
@example("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=video 9 RTP/AVP 96\na=rid:1 send pt=x")
@example("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=video 9 RTP/AVP 96\na=simulcast:send ;")
@example("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=video 9 RTP/AVP 96\na=fmtp:96 apt=9999")
@example("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=video 9 RTP/AVP \u0661\u0662")
def test_mutated_vectors(text: str) -> None:
    _exercise(text)


@given(st.binary(max_size=600))
def test_random_bytes_as_latin1(data: bytes) -> None:
    _exercise(data.decode("latin-1"))


@given(st.binary(max_size=200))
def test_random_bytes_after_valid_header(data: bytes) -> None:
    _exercise("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n" + data.decode("latin-1"))


@given(st.text(max_size=120))
def test_candidate_parse_only_raises_sdp_error(text: str) -> None:
    try:
        candidate = Candidate.parse(text)
    except SdpError:
        return
    assert Candidate.parse(str(candidate)) == candidate
    candidate.address_kind  # noqa: B018 - the accessor itself is under test
