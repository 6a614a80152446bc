"""What the ICE agent tells the layer above (frozen dataclasses, drained with next_event)."""

from __future__ import annotations

from dataclasses import dataclass

from .candidate import Address, Candidate


@dataclass(frozen=True, slots=True)
class CandidateGathered:
    """A local candidate is known: signal it to the peer now (trickle, RFC 8838 §4)."""

    candidate: Candidate


@dataclass(frozen=True, slots=True)
class GatheringComplete:
    """Every local candidate of this generation was reported: signal end-of-candidates."""


@dataclass(frozen=True, slots=True)
class ConnectionStateChanged:
    """The W3C ``iceConnectionState``: new, checking, connected, completed, disconnected,
    failed, closed."""

    state: str


@dataclass(frozen=True, slots=True)
class SelectedPairChanged:
    """Data now flows on this pair (nominated, highest priority among the nominated)."""

    local: Candidate
    remote: Candidate


@dataclass(frozen=True, slots=True)
class RoleChanged:
    """A role conflict (RFC 8445 §7.3.1.1) flipped our role."""

    controlling: bool


@dataclass(frozen=True, slots=True)
class DataReceived:
    """A non-STUN datagram from a remote address the agent has a pair with."""

    data: bytes
    source: Address
    destination: Address


@dataclass(frozen=True, slots=True)
class ServerError:
    """A STUN or TURN server refused us; ``code`` 0 means it never answered."""

    server: Address
    code: int
    reason: str


Event = (
    CandidateGathered
    | GatheringComplete
    | ConnectionStateChanged
    | SelectedPairChanged
    | RoleChanged
    | DataReceived
    | ServerError
)


# --- TURN client events (consumed by the agent, or by a user running TurnClient alone) ---


@dataclass(frozen=True, slots=True)
class TurnAllocated:
    """The allocation exists: ``relayed`` is the relayed transport address (RFC 8656 §7.3)."""

    relayed: Address
    mapped: Address | None
    lifetime: int


@dataclass(frozen=True, slots=True)
class TurnData:
    """Data a peer sent to our relayed address (Data indication or ChannelData)."""

    peer: Address
    data: bytes


@dataclass(frozen=True, slots=True)
class TurnFailed:
    """The server refused a request. ``during_allocation`` means no relayed candidate will
    come; code 401 after credentials were sent means the credentials are wrong."""

    code: int
    reason: str
    during_allocation: bool


TurnEvent = TurnAllocated | TurnData | TurnFailed
