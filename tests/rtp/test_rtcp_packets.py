"""RTCP packets (RFC 3550, 3611, 4585, 5104, 5506, transport-cc) against the shared vectors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.rtp import (
    ApplicationDefined,
    Bye,
    ExtendedReport,
    FullIntraRequest,
    GenericNack,
    PictureLossIndication,
    PsFeedback,
    ReceiverEstimatedMaxBitrate,
    ReceiverReport,
    ReportBlock,
    RtcpPacket,
    RtpError,
    RtpFeedback,
    SdesChunk,
    SdesItem,
    SenderReport,
    SourceDescription,
    TransportFeedback,
    UnknownRtcpPacket,
    XrBlock,
    parse_rtcp,
    serialize_rtcp,
)
from purertc.rtp.twcc import decode_chunk, encode_chunks
from tests.support import load_json_vector, manifest, manifest_entries, vector_path

NAMES = {
    SenderReport: "SR",
    ReceiverReport: "RR",
    SourceDescription: "SDES",
    Bye: "BYE",
    ApplicationDefined: "APP",
    PictureLossIndication: "PSFB",
    GenericNack: "RTPFB",
    RtpFeedback: "RTPFB",
}


def _datagrams() -> list[tuple[str, bytes, dict[str, Any]]]:
    found = []
    for entry in manifest_entries("rtcp"):
        name = entry["file"]
        if name.endswith(".json"):
            data = load_json_vector(name)
            if "hex" in data:
                found.append((name, bytes.fromhex(data["hex"]), data["expected"]))
        else:
            found.append((name, vector_path(name).read_bytes(), entry["expected"]))
    return found


DATAGRAMS = _datagrams()
VALID = [v for v in DATAGRAMS if v[2].get("valid", True)]
INVALID = [v for v in DATAGRAMS if not v[2].get("valid", True)]


def _check_report(block: ReportBlock, expected: dict[str, int]) -> None:
    assert block.ssrc == expected["ssrc"]
    assert block.fraction_lost == expected["fraction_lost"]
    assert block.cumulative_lost == expected["cumulative_lost"]
    assert block.highest_sequence == expected["extended_highest_sequence"]
    assert (block.jitter, block.lsr, block.dlsr) == (
        expected["jitter"],
        expected["lsr"],
        expected["dlsr"],
    )


def _check_packet(packet: RtcpPacket, expected: dict[str, Any]) -> None:
    assert NAMES.get(type(packet)) == expected["name"]
    assert packet.packet_type == expected["packet_type"]
    wire = packet.serialize()
    assert len(wire) == expected["bytes"]
    assert wire[0] & 0x1F == expected["count_or_fmt"]
    assert bool(wire[0] & 0x20) == expected["padding"]
    if "padding_bytes" in expected:
        assert len(packet.padding) == expected["padding_bytes"]  # type: ignore[attr-defined]
    if isinstance(packet, SenderReport | ReceiverReport):
        assert packet.ssrc == expected["ssrc"]
        assert len(packet.reports) == len(expected["reports"])
        for block, want in zip(packet.reports, expected["reports"], strict=True):
            _check_report(block, want)
    if isinstance(packet, SenderReport):
        assert packet.ntp_timestamp == expected["ntp_timestamp"]
        assert packet.rtp_timestamp == expected["rtp_timestamp"]
        assert (packet.packet_count, packet.octet_count) == (
            expected["packet_count"],
            expected["octet_count"],
        )
    if isinstance(packet, SourceDescription):
        assert [c.ssrc for c in packet.chunks] == [c["ssrc"] for c in expected["chunks"]]
        assert [c.cname for c in packet.chunks] == [
            c["items"][0]["text"] for c in expected["chunks"]
        ]
    if isinstance(packet, Bye):
        assert list(packet.sources) == expected["sources"]
    if isinstance(packet, PictureLossIndication | GenericNack | RtpFeedback):
        assert packet.sender_ssrc == expected["sender_ssrc"]
        assert packet.media_ssrc == expected["media_ssrc"]
    if isinstance(packet, GenericNack):
        assert [(pid, f"0x{blp:04x}") for pid, blp in packet.items] == [
            (i["pid"], i["blp"]) for i in expected["nack_items"]
        ]
        assert packet.lost == expected["lost_sequence_numbers"]
        rebuilt = GenericNack.from_lost(packet.sender_ssrc, packet.media_ssrc, packet.lost)
        assert rebuilt.serialize() == wire
    if isinstance(packet, RtpFeedback):
        assert packet.fci.hex() == expected["fci_hex"]
    if isinstance(packet, ApplicationDefined):
        assert packet.ssrc == expected["ssrc"]
        assert packet.name.decode() == expected["name_ascii"]
        assert packet.data.hex() == expected["data_hex"]


@pytest.mark.parametrize(("name", "data", "expected"), VALID, ids=[v[0] for v in VALID])
def test_vectors(name: str, data: bytes, expected: dict[str, Any]) -> None:
    packets = parse_rtcp(data)
    if isinstance(expected["packets"][0], str):
        assert [NAMES[type(p)] for p in packets] == expected["packets"]
    else:
        assert len(packets) == len(expected["packets"])
        for packet, want in zip(packets, expected["packets"], strict=True):
            _check_packet(packet, want)
        assert len(data) == expected["total_bytes"]
    assert serialize_rtcp(packets) == data
    assert parse_rtcp(memoryview(data)) == packets


@pytest.mark.parametrize(("name", "data", "expected"), INVALID, ids=[v[0] for v in INVALID])
def test_invalid_vectors(name: str, data: bytes, expected: dict[str, Any]) -> None:
    with pytest.raises(RtpError, match="RR"):
        parse_rtcp(data)


def test_manifest_has_an_invalid_rtcp_vector() -> None:
    assert manifest()["rtcp/aiortc_invalid_rr_length.bin"]["expected"] == {"valid": False}
    assert INVALID


def _twcc_vectors() -> list[tuple[str, dict[str, Any]]]:
    data = load_json_vector("rtcp/mediasoup_chrome_twcc_feedback.json")
    named = [(f"chrome-{i}", v) for i, v in enumerate(data["vectors"])]
    return named + [(v["name"], v) for v in data["extra"]]


TWCC = _twcc_vectors()


@pytest.mark.parametrize(("name", "vector"), TWCC, ids=[n for n, _ in TWCC])
def test_twcc_vectors(name: str, vector: dict[str, Any]) -> None:
    data = bytes.fromhex(vector["hex"])
    (packet,) = parse_rtcp(data)
    assert isinstance(packet, TransportFeedback)
    want = vector["expected"]
    assert packet.base_sequence == want["base_sequence"]
    assert packet.packet_status_count == want["packet_status_count"]
    assert packet.reference_time == want["reference_time_signed_24bit"]
    assert packet.fb_packet_count == want["fb_packet_count"]
    assert list(packet.statuses) == want["statuses"]
    received = [(d["seq"], d["delta_250us"]) for d in want["recv_deltas"]]
    assert [
        (seq, delta)
        for (seq, arrival), delta in zip(
            [a for a in packet.arrivals_us() if a[1] is not None], packet.deltas, strict=True
        )
        if arrival is not None
    ] == received
    assert packet.chunks is not None
    for word, chunk in zip(packet.chunks, want["chunks"], strict=True):
        symbols = decode_chunk(word)
        if chunk["type"] == "run_length":
            assert word & 0x8000 == 0
            assert symbols == [chunk["symbol"]] * chunk["run_length"]
        else:
            assert symbols == chunk["symbols"]
    if want.get("padding_consistent"):
        assert len(packet.padding) == want["trailing_bytes_after_deltas"]
    assert packet.serialize() == data
    if "libwebrtc_reference" in vector:
        ref = vector["libwebrtc_reference"]
        base_ms = packet.reference_time * 64
        arrivals = [t for _, t in packet.arrivals_us() if t is not None]
        deltas_ms = [
            (b - a) // 1000 for a, b in zip([base_ms * 1000, *arrivals], arrivals, strict=False)
        ]
        assert deltas_ms == ref["deltas_ms_truncated"]


def test_twcc_from_arrivals_round_trip_and_chunk_kinds() -> None:
    arrivals: list[int | None] = [1_000_000, None, 1_000_250, 1_100_000, None, None, None]
    arrivals += [1_100_000 + i * 1000 for i in range(20)] + [900_000]
    packet = TransportFeedback.from_arrivals(1, 2, 65530, 7, arrivals)
    (parsed,) = parse_rtcp(packet.serialize())
    assert isinstance(parsed, TransportFeedback)
    assert parsed.arrivals_us() == packet.arrivals_us()
    assert [t for _, t in parsed.arrivals_us()] == arrivals
    assert parsed.arrivals_us()[6][0] == (65530 + 6) & 0xFFFF
    kinds = {
        ("run" if w & 0x8000 == 0 else "2bit" if w & 0x4000 else "1bit")
        for w in parsed.chunks or ()
    }
    assert "run" in kinds and "2bit" in kinds
    with pytest.raises(RtpError):
        TransportFeedback.from_arrivals(1, 2, 0, 0, [None])
    with pytest.raises(RtpError):
        TransportFeedback.from_arrivals(1, 2, 0, 0, [0, 10_000_000])


@given(st.lists(st.integers(0, 2), max_size=200))
def test_twcc_chunk_encoding_round_trip(statuses: list[int]) -> None:
    decoded: list[int] = []
    for word in encode_chunks(statuses):
        decoded.extend(decode_chunk(word))
    assert decoded[: len(statuses)] == statuses
    assert not any(decoded[len(statuses) :])


u32 = st.integers(0, 0xFFFFFFFF)
u16 = st.integers(0, 0xFFFF)
u8 = st.integers(0, 0xFF)
paddings = st.sampled_from([b"", b"\x04\x04\x04\x04", b"\x00\x00\x00\x04", b"\x00" * 7 + b"\x08"])
report_blocks = st.builds(
    ReportBlock, u32, u8, st.integers(-(1 << 23), (1 << 23) - 1), u32, u32, u32, u32
)
words = st.binary(max_size=12).map(lambda b: b + b"\x00" * (-len(b) % 4))
sdes_items = st.builds(SdesItem, st.integers(1, 255), st.binary(max_size=40))
sdes_chunks = st.builds(SdesChunk, u32, st.lists(sdes_items, max_size=4).map(tuple))


@st.composite
def twcc_packets(draw: st.DrawFn) -> TransportFeedback:
    statuses = draw(st.lists(st.integers(0, 2), max_size=60))
    deltas = [
        draw(st.integers(0, 255) if s == 1 else st.integers(-(1 << 15), (1 << 15) - 1))
        for s in statuses
        if s
    ]
    return TransportFeedback(
        draw(u32),
        draw(u32),
        draw(u16),
        draw(st.integers(-(1 << 23), (1 << 23) - 1)),
        draw(u8),
        tuple(statuses),
        tuple(deltas),
        None,
        b"",
        b"",
    )


rtcp_packets = st.one_of(
    st.builds(
        SenderReport,
        u32,
        st.integers(0, (1 << 64) - 1),
        u32,
        u32,
        u32,
        st.lists(report_blocks, max_size=31).map(tuple),
        words,
        paddings,
    ),
    st.builds(
        ReceiverReport, u32, st.lists(report_blocks, max_size=31).map(tuple), words, paddings
    ),
    st.builds(SourceDescription, st.lists(sdes_chunks, max_size=5).map(tuple), paddings),
    st.builds(
        Bye, st.lists(u32, max_size=31).map(tuple), st.none() | st.binary(max_size=255), paddings
    ),
    st.builds(
        ApplicationDefined,
        st.integers(0, 31),
        u32,
        st.binary(min_size=4, max_size=4),
        words,
        paddings,
    ),
    st.builds(PictureLossIndication, u32, u32, paddings),
    st.builds(
        GenericNack, u32, u32, st.lists(st.tuples(u16, u16), max_size=20).map(tuple), paddings
    ),
    st.builds(
        FullIntraRequest, u32, st.lists(st.tuples(u32, u8), max_size=5).map(tuple), u32, paddings
    ),
    st.builds(
        ReceiverEstimatedMaxBitrate,
        u32,
        st.integers(0, 63),
        st.integers(0, (1 << 18) - 1),
        st.lists(u32, max_size=10).map(tuple),
        u32,
        paddings,
    ),
    st.builds(RtpFeedback, st.sampled_from([2, 3, 4, 5, 31]), u32, u32, words, paddings),
    st.builds(PsFeedback, st.sampled_from([2, 3, 5, 31]), u32, u32, words, paddings),
    st.builds(
        ExtendedReport,
        u32,
        st.lists(
            st.one_of(
                st.builds(XrBlock.rrtr, st.integers(0, (1 << 64) - 1)),
                st.builds(XrBlock.dlrr, st.lists(st.tuples(u32, u32, u32), max_size=3)),
                st.builds(XrBlock, st.integers(6, 255), u8, words),
            ),
            max_size=4,
        ).map(tuple),
        st.integers(0, 31),
        paddings,
    ),
    st.builds(
        UnknownRtcpPacket,
        st.sampled_from([192, 195, 208, 210]),
        st.integers(0, 31),
        words,
        paddings,
    ),
)


def _semantic(packet: RtcpPacket) -> RtcpPacket:
    if isinstance(packet, TransportFeedback):
        return TransportFeedback(
            packet.sender_ssrc,
            packet.media_ssrc,
            packet.base_sequence,
            packet.reference_time,
            packet.fb_packet_count,
            packet.statuses,
            packet.deltas,
        )
    return packet


@given(st.lists(st.one_of(rtcp_packets, twcc_packets()), min_size=1, max_size=4))
def test_round_trip_every_packet_type(packets: list[RtcpPacket]) -> None:
    wire = serialize_rtcp(packets)
    parsed = parse_rtcp(wire)
    assert [_semantic(p) for p in parsed] == [_semantic(p) for p in packets]
    assert serialize_rtcp(parsed) == wire


def test_remb_create_and_xr_accessors() -> None:
    remb = ReceiverEstimatedMaxBitrate.create(1, 2_500_000, [5, 6])
    (parsed,) = parse_rtcp(remb.serialize())
    assert isinstance(parsed, ReceiverEstimatedMaxBitrate)
    assert parsed.ssrcs == (5, 6)
    assert abs(parsed.bitrate - 2_500_000) < 2_500_000 >> 17
    xr = ExtendedReport(9, (XrBlock.rrtr(123), XrBlock.dlrr([(1, 2, 3)])))
    (back,) = parse_rtcp(xr.serialize())
    assert isinstance(back, ExtendedReport)
    assert back.blocks[0].ntp_timestamp == 123
    assert back.blocks[1].dlrr_items == [(1, 2, 3)]
    with pytest.raises(RtpError):
        _ = back.blocks[1].ntp_timestamp


BAD = [
    (b"", "empty"),
    (bytes.fromhex("81c8"), "header truncated"),
    (bytes.fromhex("41c80000"), "version"),
    (bytes.fromhex("81c80005"), "overruns"),
    (bytes.fromhex("a0cb000100000000"), "padding count 0"),
    (bytes.fromhex("a0cb000100000009"), "padding count 9"),
    (bytes.fromhex("81ca000100000001"), "SDES not terminated"),
    (bytes.fromhex("81ca000200000001010a6162"), "SDES item overrun"),
    (bytes.fromhex("81cb000200000001056162"), "BYE reason"),
    (bytes.fromhex("80cc000100000001"), "APP short"),
    (bytes.fromhex("8fcd00030000000100000002"), "TWCC short"),
    (bytes.fromhex("8fcd0005000000010000000200000004000000" + "00"), "TWCC chunks missing"),
    (bytes.fromhex("8fcd000500000001000000020000000100000000" + "6001" + "0000"), "TWCC reserved"),
    (bytes.fromhex("8fce00030000000100000000" + "52454d42" + "02000001"), "REMB count"),
    (bytes.fromhex("84ce0003000000010000000000000002"), "FIR entry"),
    (bytes.fromhex("80cf0002000000010402000a"), "XR overrun"),
]


@pytest.mark.parametrize(("data", "why"), BAD, ids=[w for _, w in BAD])
def test_malformed_raise(data: bytes, why: str) -> None:
    with pytest.raises(RtpError):
        parse_rtcp(data)


def test_serializer_rejects_out_of_range() -> None:
    with pytest.raises(RtpError):
        ReportBlock(1, cumulative_lost=1 << 23).serialize()
    with pytest.raises(RtpError):
        ReceiverReport(1, tuple(ReportBlock(i) for i in range(32))).serialize()
    with pytest.raises(RtpError):
        ApplicationDefined(0, 1, b"TOOLONG").serialize()
    with pytest.raises(RtpError):
        TransportFeedback(1, 2, 0, 0, 0, (1, 1), (3,)).serialize()


def test_twcc_reference_time_wraps_to_signed_24_bits() -> None:
    arrival = ((1 << 23) + 5) * 64_000 + 1000  # beyond the positive range of the field
    packet = TransportFeedback.from_arrivals(1, 2, 0, 0, [arrival, arrival + 500])
    assert packet.reference_time == -(1 << 23) + 5
    (parsed,) = parse_rtcp(packet.serialize())
    assert isinstance(parsed, TransportFeedback)
    times = [t for _, t in parsed.arrivals_us()]
    assert times[0] is not None and times[1] is not None
    assert times[1] - times[0] == 500
    assert times[0] % 64_000 == 1000
