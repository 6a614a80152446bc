"""SRTP and SRTCP (RFC 3711, RFC 7714): protection profiles and contexts."""

from purertc.srtp.profiles import PROFILES, PROFILES_BY_ID, SrtpProfile

__all__ = ["PROFILES", "PROFILES_BY_ID", "SrtpProfile"]
