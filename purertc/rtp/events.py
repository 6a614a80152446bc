"""Events the RTP receive machinery reports (frozen dataclasses, DESIGN.md §1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Frame:
    """One depacketized media frame."""

    timestamp: int
    data: bytes
    keyframe: bool
    first_sequence: int
    last_sequence: int


@dataclass(frozen=True, slots=True)
class FrameReady:
    frame: Frame


@dataclass(frozen=True, slots=True)
class KeyframeNeeded:
    """The jitter buffer dropped undecodable data; the sender should send a key frame (PLI)."""

    reason: str


JitterEvent = FrameReady | KeyframeNeeded
