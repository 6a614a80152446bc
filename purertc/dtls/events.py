"""Events a DTLS endpoint reports to the layer above (DESIGN.md §1)."""

from __future__ import annotations

from dataclasses import dataclass

from purertc.dtls.keying import SrtpKeys
from purertc.srtp import SrtpProfile


@dataclass(frozen=True, slots=True)
class HandshakeComplete:
    """The handshake finished and the peer's certificate matched a remote fingerprint.

    ``srtp_profile`` and ``srtp_keys`` are ``None`` when the peer did not negotiate use_srtp
    (a data-channel-only peer may omit it).
    """

    srtp_profile: SrtpProfile | None
    srtp_keys: SrtpKeys | None
    cipher: str
    protocol: str
    remote_certificate: bytes  # DER


@dataclass(frozen=True, slots=True)
class ApplicationData:
    """One decrypted application-data record (one SCTP packet, for WebRTC)."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Closed:
    """The connection ended cleanly: close_notify sent or received (RFC 5246 §7.2.1)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The connection ended on an error: handshake failure, fingerprint mismatch, fatal alert
    from the peer, or handshake timeout. ``alert`` is the TLS alert description involved (sent
    or received), when there was one."""

    reason: str
    alert: int | None = None


Event = HandshakeComplete | ApplicationData | Closed | Failed
