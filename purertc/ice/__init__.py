"""ICE (RFC 8445, 8838, 7675) and the TURN client (RFC 8656), sans-IO."""

from __future__ import annotations

from .candidate import Address, Candidate, candidate_priority, compute_foundation
from .checklist import CandidatePair, CheckList, PairState
from .errors import IceError

__all__ = [
    "Address",
    "Candidate",
    "CandidatePair",
    "CheckList",
    "IceError",
    "PairState",
    "candidate_priority",
    "compute_foundation",
]
