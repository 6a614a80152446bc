"""ICE (RFC 8445, 8838, 7675) and the TURN client (RFC 8656), sans-IO."""

from __future__ import annotations

from . import events
from .agent import Agent, AgentStats, Transmit
from .candidate import Address, Candidate, candidate_priority, compute_foundation
from .checklist import CandidatePair, CheckList, PairState
from .errors import IceError
from .servers import IceServerUrl, parse_ice_server_url
from .turn import TurnClient

__all__ = [
    "Address",
    "Agent",
    "AgentStats",
    "Candidate",
    "CandidatePair",
    "CheckList",
    "IceError",
    "IceServerUrl",
    "PairState",
    "Transmit",
    "TurnClient",
    "candidate_priority",
    "compute_foundation",
    "events",
    "parse_ice_server_url",
]
