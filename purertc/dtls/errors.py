"""The DTLS layer's error type."""

from __future__ import annotations


class DtlsError(ValueError):
    """Malformed DTLS input (a record header, a fingerprint line) or a refused handshake.

    Parsers raise it with a message naming the field; the endpoint never lets it escape
    ``receive`` but turns it into a dropped datagram or a ``Failed`` event.
    """
