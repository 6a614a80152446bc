"""DTLS for WebRTC: certificates and SDP fingerprints, a sans-IO DTLS 1.2 endpoint over OpenSSL,
and SRTP keying (RFC 6347, RFC 5764, RFC 8842).

::

    certificate = Certificate.generate()          # a=fingerprint: certificate.fingerprints
    endpoint = DtlsEndpoint(certificate, role_from_setup("active"), remote_fingerprints)
    endpoint.start_handshake()
    # then the usual loop: receive(datagram, now) / handle_timer(now) when get_timer() is due,
    # send datagrams_to_send(now), and read next_event(): HandshakeComplete (SRTP profile and
    # keys), ApplicationData, Closed, Failed. endpoint.send(data) once connected.
"""

from purertc.dtls.certificate import Certificate
from purertc.dtls.endpoint import DEFAULT_MTU, DEFAULT_SRTP_PROFILES, DtlsEndpoint
from purertc.dtls.errors import DtlsError
from purertc.dtls.events import ApplicationData, Closed, Event, Failed, HandshakeComplete
from purertc.dtls.fingerprint import (
    HASH_ALGORITHMS,
    Fingerprint,
    compute_fingerprint,
    fingerprint_mismatch,
    parse_fingerprint,
)
from purertc.dtls.keying import SrtpKeys, split_keying_material
from purertc.dtls.roles import answer_setup, role_from_setup

__all__ = [
    "DEFAULT_MTU",
    "DEFAULT_SRTP_PROFILES",
    "HASH_ALGORITHMS",
    "ApplicationData",
    "Certificate",
    "Closed",
    "DtlsEndpoint",
    "DtlsError",
    "Event",
    "Failed",
    "Fingerprint",
    "HandshakeComplete",
    "SrtpKeys",
    "answer_setup",
    "compute_fingerprint",
    "fingerprint_mismatch",
    "parse_fingerprint",
    "role_from_setup",
    "split_keying_material",
]
