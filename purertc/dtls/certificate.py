"""The local DTLS certificate: self-signed, generated per peer connection (RFC 8827 §6.5).

WebRTC authenticates DTLS by the certificate's fingerprint in SDP, not by a CA, so the
certificate is self-signed with a random common name. ECDSA P-256 is the default (what browsers
generate: small, so the certificate flight fits one datagram); RSA is accepted as an option.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from purertc.dtls.errors import DtlsError
from purertc.dtls.fingerprint import Fingerprint, compute_fingerprint

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

DEFAULT_VALIDITY = datetime.timedelta(days=30)


class Certificate:
    """A certificate and its private key, with fingerprints in SDP form."""

    def __init__(self, certificate: x509.Certificate, private_key: PrivateKey) -> None:
        if certificate.public_key() != private_key.public_key():
            raise DtlsError("certificate: public key does not match the private key")
        self.x509 = certificate
        self.private_key = private_key
        self.der = certificate.public_bytes(serialization.Encoding.DER)

    @classmethod
    def generate(
        cls,
        *,
        key_type: str = "ecdsa",
        rsa_key_size: int = 2048,
        validity: datetime.timedelta = DEFAULT_VALIDITY,
        not_before: datetime.datetime | None = None,
        common_name: str | None = None,
        token_hex: Callable[[int], str] = secrets.token_hex,
    ) -> Certificate:
        """A fresh self-signed certificate.

        ``key_type`` is ``"ecdsa"`` (P-256) or ``"rsa"``. ``not_before`` defaults to one day
        before now so a peer whose clock runs slow still accepts it (browsers do the same).
        """
        key: PrivateKey
        if key_type == "ecdsa":
            key = ec.generate_private_key(ec.SECP256R1())
        elif key_type == "rsa":
            key = rsa.generate_private_key(public_exponent=65537, key_size=rsa_key_size)
        else:
            raise ValueError(f"key_type must be 'ecdsa' or 'rsa', not {key_type!r}")
        if not_before is None:
            now = datetime.datetime.now(datetime.UTC)
            not_before = now - datetime.timedelta(days=1)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name or token_hex(16))])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(int(token_hex(8), 16) | 1)
            .not_valid_before(not_before)
            .not_valid_after(not_before + validity)
            .sign(key, hashes.SHA256())
        )
        return cls(certificate, key)

    @property
    def fingerprints(self) -> list[Fingerprint]:
        """What to put in ``a=fingerprint`` lines: sha-256, as browsers emit."""
        return [("sha-256", self.fingerprint("sha-256"))]

    def fingerprint(self, algorithm: str = "sha-256") -> str:
        return compute_fingerprint(self.der, algorithm)

    @property
    def expires(self) -> datetime.datetime:
        return self.x509.not_valid_after_utc

    # PEM load/save -------------------------------------------------------------------------

    def certificate_pem(self) -> bytes:
        return self.x509.public_bytes(serialization.Encoding.PEM)

    def private_key_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @classmethod
    def from_pem(cls, certificate_pem: bytes, private_key_pem: bytes) -> Certificate:
        try:
            certificate = x509.load_pem_x509_certificate(certificate_pem)
            key = serialization.load_pem_private_key(private_key_pem, password=None)
        except ValueError as exc:
            raise DtlsError(f"certificate PEM: {exc}") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise DtlsError(f"certificate PEM: unsupported key type {type(key).__name__}")
        return cls(certificate, key)

    def save(self, certificate_path: str | Path, private_key_path: str | Path) -> None:
        Path(certificate_path).write_bytes(self.certificate_pem())
        key_path = Path(private_key_path)
        key_path.touch(mode=0o600)
        key_path.write_bytes(self.private_key_pem())

    @classmethod
    def load(cls, certificate_path: str | Path, private_key_path: str | Path) -> Certificate:
        return cls.from_pem(
            Path(certificate_path).read_bytes(), Path(private_key_path).read_bytes()
        )
