"""HMAC-signed room tokens: an application server lets a user into one room until an expiry.

Token format: ``"<expiry unix seconds>.<base64url HMAC-SHA256(secret, room + '\\n' + expiry)>"``.
The room is not inside the token: the server checks it against the room being joined, so a
token for one room opens no other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_MAX_EXPIRY = 10**12  # 12 digits: the verifier parses no longer numbers


def _signature(secret: bytes, room: str, expiry: int) -> str:
    mac = hmac.new(secret, f"{room}\n{expiry}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def make_room_token(secret: bytes, room: str, expiry: int) -> str:
    """A token admitting its holder to ``room`` until Unix time ``expiry``."""
    if not 0 < expiry < _MAX_EXPIRY:
        raise ValueError(f"room token expiry {expiry} out of range")
    return f"{expiry}.{_signature(secret, room, expiry)}"


def verify_room_token(secret: bytes, room: str, token: str, now: float) -> bool:
    """True when ``token`` was signed with ``secret`` for ``room`` and has not expired."""
    expiry_text, sep, signature = token.partition(".")
    if not sep or not expiry_text.isdigit() or len(expiry_text) > len(str(_MAX_EXPIRY - 1)):
        return False
    expiry = int(expiry_text)
    if expiry <= now:
        return False
    return hmac.compare_digest(_signature(secret, room, expiry).encode(), signature.encode())
