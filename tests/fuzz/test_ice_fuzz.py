"""Random and mutated text into the candidate parser: only IceError may escape."""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from purertc.ice import Agent, Candidate, IceError, parse_ice_server_url
from purertc.ice.mdns import build_response, parse_answers

REAL = [
    "candidate:842163049 1 udp 1677729535 203.0.113.7 56143 typ srflx raddr 192.168.1.20 "
    "rport 56143 generation 0 network-cost 999",
    "candidate:1 1 TCP 2105524479 2001:db8::1 9 typ host tcptype active",
    "candidate:3 1 udp 41885439 198.51.100.2 3478 typ relay raddr 0.0.0.0 rport 0",
]


def _parse(text: str) -> None:
    with contextlib.suppress(IceError):
        Candidate.from_sdp(text)


@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    _parse(text)


@given(st.sampled_from(REAL), st.integers(0, 200), st.integers(0, 200), st.text(max_size=8))
def test_mutated_real_candidates(line: str, cut: int, at: int, insert: str) -> None:
    _parse(line[:cut])
    _parse(line[:at] + insert + line[at + len(insert) :])
    words = line.split()
    if words:
        words[at % len(words)] = insert
        _parse(" ".join(words))


@given(st.binary(max_size=120), st.booleans())
def test_agent_and_turn_client_swallow_any_datagram(data: bytes, to_server: bool) -> None:
    agent = Agent(controlling=True)
    agent.add_local_socket(("10.0.0.1", 1))
    client = agent.add_turn_server(("198.51.100.2", 3478), "u", "p")
    agent.set_remote_credentials("u", "pppppppppppppppppppppp")
    agent.gather()
    source = ("198.51.100.2", 3478) if to_server else ("10.0.0.2", 2)
    agent.receive(data, source, ("10.0.0.1", 1), 0.0)
    agent.datagrams_to_send(0.0)
    client.receive(data, 0.0)


@given(st.sampled_from(["stun:", "stuns:", "turn:", "turns:", ""]), st.text(max_size=40))
def test_server_urls(scheme: str, rest: str) -> None:
    with contextlib.suppress(IceError):
        parse_ice_server_url(scheme + rest)


@given(st.binary(max_size=120))
def test_mdns_answers(data: bytes) -> None:
    with contextlib.suppress(IceError):
        parse_answers(data)


@given(st.integers(0, 200), st.integers(0, 255), st.integers(0, 200))
def test_mdns_mutated_real_answer(cut: int, value: int, at: int) -> None:
    real = build_response([("host.local", "192.168.1.20", 120), ("host.local", "::1", 120)])
    mutated = bytearray(real)
    mutated[at % len(real)] = value
    for data in (real[:cut], bytes(mutated)):
        with contextlib.suppress(IceError):
            parse_answers(data)
