"""The libsrtp backend: the same interface over ``pylibsrtp`` (cisco/libsrtp).

It is configured the way aiortc configures it: one session per direction with a wildcard SSRC
template (``SSRC_ANY_OUTBOUND`` / ``SSRC_ANY_INBOUND``), ``allow_repeat_tx`` on, and the replay
window set from the context. Headers are checked by the same code as the Python backend before
libsrtp sees them, so both raise the same messages for malformed packets; libsrtp's own errors
are mapped to :class:`SrtpError` with comparable wording.

Gaps against the Python backend (libsrtp/pylibsrtp limits, documented in spec-notes/rfc3711.md):
the SRTCP replay window is libsrtp's fixed 128 entries, libsrtp refuses unencrypted (E=0) SRTCP
on the AES-CM profiles, and pylibsrtp copies packets through a 1500-byte buffer, so a packet
plus its trailer must fit in it.
"""

from __future__ import annotations

from collections.abc import Callable

import pylibsrtp

from purertc.srtp.errors import SrtpError
from purertc.srtp.headers import parse_rtcp_ssrc, parse_rtp_header
from purertc.srtp.kdf import check_master_key
from purertc.srtp.profiles import SrtpProfile
from purertc.srtp.transform import SRTCP_INDEX_LENGTH

LIBSRTP_PROFILES: dict[str, int] = {
    "SRTP_AES128_CM_HMAC_SHA1_80": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "SRTP_AES128_CM_HMAC_SHA1_32": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
    "SRTP_AEAD_AES_128_GCM": pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
    "SRTP_AEAD_AES_256_GCM": pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_256_GCM,
}

_ERROR_WORDING = {
    "authentication failure": "authentication failed (libsrtp: authentication failure)",
    "replay check failed (bad index)": "replay check failed: index already received (libsrtp)",
    "replay check failed (index too old)": "replay check failed: index too old (libsrtp)",
}


def _call(operation: Callable[[bytes], bytes], packet: bytes, what: str) -> bytes:
    try:
        return operation(packet)
    except pylibsrtp.Error as exc:
        reason = str(exc)
        raise SrtpError(
            f"{what} {_ERROR_WORDING.get(reason, f'failed (libsrtp: {reason})')}"
        ) from None
    except ValueError as exc:  # pylibsrtp's fixed 1500-byte buffer
        raise SrtpError(f"{what} failed: {exc} for pylibsrtp's 1500-byte buffer") from None


class LibsrtpBackend:
    """SRTP/SRTCP protect and unprotect for one master key, done by libsrtp."""

    def __init__(
        self,
        profile: SrtpProfile,
        master_key: bytes,
        master_salt: bytes,
        replay_window: int,
        max_ssrcs: int,
    ) -> None:
        check_master_key(profile, master_key, master_salt)
        libsrtp_profile = LIBSRTP_PROFILES.get(profile.name)
        if libsrtp_profile is None:
            raise SrtpError(f"profile {profile.name} is not available in the libsrtp backend")
        self._rtp_tag_length = profile.rtp_tag_length
        self._srtcp_trailer_length = SRTCP_INDEX_LENGTH + profile.rtcp_tag_length
        self._max_ssrcs = max_ssrcs
        self._outbound = pylibsrtp.Session(
            self._policy(libsrtp_profile, master_key + master_salt, replay_window, inbound=False)
        )
        self._inbound = pylibsrtp.Session(
            self._policy(libsrtp_profile, master_key + master_salt, replay_window, inbound=True)
        )
        self._outbound_ssrcs: set[int] = set()
        self._inbound_ssrcs: set[int] = set()

    @staticmethod
    def _policy(profile: int, key: bytes, replay_window: int, *, inbound: bool) -> pylibsrtp.Policy:
        policy = pylibsrtp.Policy(
            key=key,
            ssrc_type=(
                pylibsrtp.Policy.SSRC_ANY_INBOUND if inbound else pylibsrtp.Policy.SSRC_ANY_OUTBOUND
            ),
            srtp_profile=profile,
        )
        policy.allow_repeat_tx = True
        policy.window_size = replay_window
        return policy

    def _admit(self, known: set[int], ssrc: int) -> None:
        if ssrc not in known and len(known) >= self._max_ssrcs:
            raise SrtpError(
                f"SSRC {ssrc:#010x} exceeds this context's limit of {self._max_ssrcs} SSRCs "
                "(remove_ssrc() streams that ended)"
            )

    def protect(self, rtp: bytes) -> bytes:
        ssrc = parse_rtp_header(rtp, 0)[2]
        self._admit(self._outbound_ssrcs, ssrc)
        srtp = _call(self._outbound.protect, rtp, "SRTP")
        self._outbound_ssrcs.add(ssrc)
        return srtp

    def unprotect(self, srtp: bytes) -> bytes:
        ssrc = parse_rtp_header(srtp, self._rtp_tag_length)[2]
        self._admit(self._inbound_ssrcs, ssrc)
        rtp = _call(self._inbound.unprotect, srtp, "SRTP")
        self._inbound_ssrcs.add(ssrc)
        return rtp

    def protect_rtcp(self, rtcp: bytes) -> bytes:
        ssrc = parse_rtcp_ssrc(rtcp, 0)
        self._admit(self._outbound_ssrcs, ssrc)
        srtcp = _call(self._outbound.protect_rtcp, rtcp, "SRTCP")
        self._outbound_ssrcs.add(ssrc)
        return srtcp

    def unprotect_rtcp(self, srtcp: bytes) -> bytes:
        ssrc = parse_rtcp_ssrc(srtcp, self._srtcp_trailer_length)
        self._admit(self._inbound_ssrcs, ssrc)
        rtcp = _call(self._inbound.unprotect_rtcp, srtcp, "SRTCP")
        self._inbound_ssrcs.add(ssrc)
        return rtcp

    def remove_ssrc(self, ssrc: int) -> None:
        if ssrc in self._outbound_ssrcs:
            self._outbound.remove_stream(ssrc)
            self._outbound_ssrcs.discard(ssrc)
        if ssrc in self._inbound_ssrcs:
            self._inbound.remove_stream(ssrc)
            self._inbound_ssrcs.discard(ssrc)
