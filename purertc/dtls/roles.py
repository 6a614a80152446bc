"""Which side is the DTLS client, from ``a=setup`` (RFC 8842 §5.2-5.3, RFC 4145 §4).

``active`` opens the connection (DTLS client), ``passive`` waits for it (DTLS server).
``actpass`` may only appear in an offer; the answerer picks, and RFC 8842 §5.3 says an
answerer to ``actpass`` SHOULD pick ``active`` (it lets the answerer start the handshake as
soon as ICE works, without waiting for the answer to reach the offerer).
"""

from __future__ import annotations

CLIENT = "client"
SERVER = "server"


def role_from_setup(local_setup: str) -> str:
    """The DTLS role of the side whose negotiated ``a=setup`` value is ``local_setup``."""
    value = local_setup.lower()
    if value == "active":
        return CLIENT
    if value == "passive":
        return SERVER
    raise ValueError(f"a=setup:{local_setup} does not fix a DTLS role (need active or passive)")


def answer_setup(offer_setup: str) -> str:
    """The ``a=setup`` value an answerer uses for an offer's value (RFC 8842 §5.3)."""
    value = offer_setup.lower()
    if value in ("actpass", "passive"):
        return "active"
    if value == "active":
        return "passive"
    raise ValueError(f"a=setup:{offer_setup} is not valid in an offer")
