"""Index estimation (RFC 3711 §3.3.1) and the replay window (§3.3.2) against simple models."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purertc.srtp import SrtpError
from purertc.srtp.replay import ReplayWindow, estimate_rtp_index

INDEX_MAX = (1 << 48) - 1


@given(
    highest=st.integers(min_value=(1 << 15) + 1, max_value=INDEX_MAX - (1 << 15)),
    offset=st.integers(min_value=-(1 << 15) + 1, max_value=(1 << 15) - 1),
)
def test_estimate_recovers_any_index_within_half_the_sequence_space(
    highest: int, offset: int
) -> None:
    true_index = highest + offset
    assert estimate_rtp_index(highest, true_index & 0xFFFF) == true_index


@given(highest=st.integers(0, 1 << 15), seq=st.integers(0, 0xFFFF))
def test_estimate_takes_roc_zero_early(highest: int, seq: int) -> None:
    # Before the highest index passes 2^15 no ROC-1 guess can be right (libsrtp rule).
    assert estimate_rtp_index(highest, seq) == seq


@pytest.mark.parametrize(
    ("highest", "seq", "index"),
    [
        (0xFFFF, 0, 0x10000),  # wrap forward
        (0x10002, 0xFFFE, 0xFFFE),  # late packet from before the wrap
        (0x1_8000, 0x0000, 0x1_0000),  # exactly 2^15 behind stays in this ROC
        (0x1_8001, 0x0000, 0x2_0000),  # more than 2^15 behind: next ROC
        (0x2_0000, 0x8000, 0x2_8000),  # exactly 2^15 ahead stays in this ROC
        (0x2_0000, 0x8001, 0x1_8001),  # more than 2^15 ahead: previous ROC
    ],
)
def test_estimate_boundaries(highest: int, seq: int, index: int) -> None:
    assert estimate_rtp_index(highest, seq) == index


@given(
    size=st.sampled_from([64, 96, 128]),
    indexes=st.lists(st.integers(0, 400), max_size=200),
)
def test_window_matches_a_set_model(size: int, indexes: list[int]) -> None:
    window = ReplayWindow(size)
    seen: set[int] = set()
    highest = 0
    for index in indexes:
        if highest - index >= size:
            with pytest.raises(SrtpError, match="too old"):
                window.is_new(index)
            continue
        expected_new = index not in seen
        assert window.is_new(index) is expected_new
        if expected_new:
            window.add(index)
            seen.add(index)
            highest = max(highest, index)
        assert window.highest == highest


def test_window_jump_larger_than_its_size_keeps_only_the_new_index() -> None:
    window = ReplayWindow(64)
    for index in range(10):
        window.add(index)
    window.add(10**12)
    assert window.snapshot() == (10**12, 1)
    assert window.is_new(10**12 - 1)
