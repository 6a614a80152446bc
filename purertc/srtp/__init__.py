"""SRTP and SRTCP (RFC 3711, RFC 7714): protection profiles and contexts.

``SrtpContext(profile, master_key, master_salt, backend=..., replay_window=64)`` protects and
unprotects packets; ``backend="python"`` (the default; see :mod:`purertc.srtp.context` for the
measured reasons) is the from-scratch implementation, ``backend="libsrtp"`` the same interface
over pylibsrtp.
"""

from purertc.srtp.context import BACKENDS, DEFAULT_BACKEND, SrtpContext
from purertc.srtp.errors import SrtpError
from purertc.srtp.profiles import PROFILES, PROFILES_BY_ID, SrtpProfile

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "PROFILES",
    "PROFILES_BY_ID",
    "SrtpContext",
    "SrtpError",
    "SrtpProfile",
]
