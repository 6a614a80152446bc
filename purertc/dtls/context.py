"""The OpenSSL side of the endpoint: one configured SSL_CTX, and the callbacks it makes.

What every DTLS connection of ours agrees to: DTLS 1.2 only (browsers offering DTLS 1.3 fall
back to it), a client certificate required and checked by fingerprint rather than by CA
(RFC 8842 §5), no session resumption, tickets or renegotiation, the use_srtp profile list
(RFC 5764 §4.1), and OpenSSL told not to query the memory BIO for an MTU (the endpoint sets
one). The callbacks only forward to the endpoint that owns the connection.
"""

from __future__ import annotations

import hmac
import weakref
from collections.abc import Callable
from typing import Protocol

from OpenSSL import SSL, crypto

from purertc.dtls.certificate import Certificate
from purertc.dtls.errors import DtlsError

DTLS_1_2_VERSION = 0xFEFD  # OpenSSL's DTLS1_2_VERSION, absent from pyOpenSSL's constants

# What browsers offer and accept, ECDHE with AEAD first (RFC 8827 §6.5 requires
# TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).
DEFAULT_CIPHERS = b":".join(
    [
        b"ECDHE-ECDSA-AES128-GCM-SHA256",
        b"ECDHE-RSA-AES128-GCM-SHA256",
        b"ECDHE-ECDSA-AES256-GCM-SHA384",
        b"ECDHE-RSA-AES256-GCM-SHA384",
        b"ECDHE-ECDSA-CHACHA20-POLY1305",
        b"ECDHE-RSA-CHACHA20-POLY1305",
        b"ECDHE-ECDSA-AES128-SHA",
        b"ECDHE-RSA-AES128-SHA",
        b"ECDHE-ECDSA-AES256-SHA",
        b"ECDHE-RSA-AES256-SHA",
    ]
)


class ContextOwner(Protocol):
    """What the callbacks need from the endpoint stored in a connection's app data."""

    def _verify(self, x509: crypto.X509, depth: int) -> bool: ...
    def _on_alert(self, received: bool, value: int) -> None: ...


# One SSL_CTX per certificate and configuration, shared by every endpoint using them (a server
# answering many peers with one certificate, a peer connection re-handshaking): building one
# costs a fraction of a millisecond with OpenSSL 3+ (provider and cipher-table loading, key
# conversion), an SSL object on it microseconds. Callbacks reach their endpoint through the
# connection's app data. Session caching is off, so no handshake can skip the certificate check.
# The cache dies with the certificate.
_ContextKey = tuple[tuple[str, ...], bytes, bool]
_CONTEXTS: weakref.WeakKeyDictionary[Certificate, dict[_ContextKey, SSL.Context]] = (
    weakref.WeakKeyDictionary()
)


def shared_context(
    certificate: Certificate,
    srtp_profiles: tuple[str, ...],
    ciphers: bytes,
    hello_verify: bool,
    token_bytes: Callable[[int], bytes],
) -> SSL.Context:
    """The SSL_CTX for this certificate and configuration, built on first use."""
    contexts = _CONTEXTS.setdefault(certificate, {})
    key = (srtp_profiles, ciphers, hello_verify)
    context = contexts.get(key)
    if context is not None:
        return context
    context = SSL.Context(SSL.DTLS_METHOD)
    context.use_certificate(certificate.x509)
    context.use_privatekey(certificate.private_key)
    context.set_min_proto_version(DTLS_1_2_VERSION)
    context.set_max_proto_version(DTLS_1_2_VERSION)
    context.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, _verify_callback)
    context.set_cipher_list(ciphers)
    context.set_session_cache_mode(SSL.SESS_CACHE_OFF)
    context.set_options(
        SSL.OP_NO_QUERY_MTU
        | SSL.OP_NO_TICKET
        | (SSL.OP_NO_RENEGOTIATION or 0)
        | SSL.OP_CIPHER_SERVER_PREFERENCE
    )
    if srtp_profiles:
        context.set_tlsext_use_srtp(":".join(srtp_profiles).encode())
    context.set_info_callback(_info_callback)
    if hello_verify:
        # RFC 6347 §4.2.1. The cookie needs no client address: each endpoint serves one
        # ICE-validated path, so a secret MAC proves the client saw our HelloVerifyRequest.
        cookie = hmac.digest(token_bytes(32), b"purertc dtls cookie", "sha256")
        if SSL.OP_COOKIE_EXCHANGE is None:
            raise DtlsError("hello_verify: this OpenSSL build has no cookie exchange")
        context.set_options(SSL.OP_COOKIE_EXCHANGE)
        context.set_cookie_generate_callback(lambda _conn: cookie)
        context.set_cookie_verify_callback(
            lambda _conn, offered: hmac.compare_digest(offered, cookie)
        )
    contexts[key] = context
    return context


def _verify_callback(
    connection: SSL.Connection, x509: crypto.X509, _errno: int, depth: int, _ok: int
) -> bool:
    endpoint: ContextOwner = connection.get_app_data()
    return endpoint._verify(x509, depth)


def _info_callback(connection: SSL.Connection, where: int, value: int) -> None:
    if where & _ALERT:  # called on every state change; only alerts matter
        endpoint: ContextOwner = connection.get_app_data()
        endpoint._on_alert(bool(where & _READ), value)


_ALERT = SSL.SSL_CB_ALERT
_READ = SSL.SSL_CB_READ
