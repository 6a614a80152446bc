"""Two DTLS endpoints through the simulated network: handshake, keys, data, close."""

from __future__ import annotations

import pytest

from purertc.dtls import DtlsEndpoint, HandshakeComplete
from purertc.srtp import PROFILES
from tests.dtls.dtls_helpers import (
    certificate,
    completed,
    endpoint_pair,
    events_of,
    other_certificate,
)
from tests.netsim import Simulation


def handshake(
    client: DtlsEndpoint, server: DtlsEndpoint, client_is_a: bool = True, **kw: object
) -> Simulation:
    a, b = (client, server) if client_is_a else (server, client)
    sim = Simulation(a, b, **kw)  # type: ignore[arg-type]
    client.start_handshake()
    server.start_handshake()
    sim.run_until(lambda: completed(sim), timeout=5)
    return sim


@pytest.mark.parametrize("client_is_a", [True, False])
def test_handshake_both_roles_agree_on_srtp_keys(client_is_a: bool) -> None:
    client, server = endpoint_pair()
    sim = handshake(client, server, client_is_a)
    c = events_of(sim, "a" if client_is_a else "b", HandshakeComplete)[0]
    s = events_of(sim, "b" if client_is_a else "a", HandshakeComplete)[0]
    assert c.protocol == s.protocol == "DTLSv1.2"
    assert c.cipher == "ECDHE-ECDSA-AES128-GCM-SHA256"
    assert c.srtp_profile is s.srtp_profile is PROFILES["SRTP_AEAD_AES_128_GCM"]
    assert c.srtp_keys is not None and s.srtp_keys is not None
    assert c.srtp_keys.local_key == s.srtp_keys.remote_key
    assert c.srtp_keys.local_salt == s.srtp_keys.remote_salt
    assert c.srtp_keys.remote_key == s.srtp_keys.local_key
    assert len(c.srtp_keys.local_key) == 16 and len(c.srtp_keys.local_salt) == 12
    assert c.srtp_keys.local_key != c.srtp_keys.remote_key
    assert c.remote_certificate == other_certificate().der
    assert s.remote_certificate == certificate().der
