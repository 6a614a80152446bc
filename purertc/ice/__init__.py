"""ICE (RFC 8445, 8838, 7675) and the TURN client (RFC 8656), sans-IO.

The agent never touches a socket or a clock. Its run loop, whoever drives it (the asyncio
driver in :mod:`purertc.aio`, the simulated network in the tests, your own loop)::

    agent = Agent(controlling=True)
    agent.add_local_socket(("192.0.2.10", 50000))        # each socket you opened
    agent.add_stun_server(("198.51.100.1", 3478))        # and servers, any number
    agent.set_remote_credentials(ufrag, pwd)             # from the peer's description
    agent.gather()
    # after every input or command:
    for t in agent.datagrams_to_send(now):               # Transmit(data, source, destination)
        sockets[t.source].sendto(t.data, t.destination)
    while (event := agent.next_event()) is not None:     # CandidateGathered -> signal it, ...
        ...
    deadline = agent.get_timer()                         # call handle_timer(now) then
    # when a datagram arrives on socket `local` from `peer`:
    agent.receive(data, peer, local, now)

Remote candidates arrive with ``add_remote_candidate(c)`` at any time, ``None`` meaning
end-of-candidates; application data goes out with ``send(data)`` on the selected pair and
comes back as ``events.DataReceived``.
"""

from __future__ import annotations

from . import events
from .agent import Agent, AgentStats, Transmit
from .candidate import Address, Candidate, candidate_priority, compute_foundation
from .checklist import CandidatePair, CheckList, PairState, PairStats
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
    "PairStats",
    "Transmit",
    "TurnClient",
    "candidate_priority",
    "compute_foundation",
    "events",
    "parse_ice_server_url",
]
