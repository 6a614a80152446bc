"""``SrtpContext``: one direction's master key and salt, protecting or unprotecting packets.

Two backends do the work behind the same interface and pass the same test suite:

* ``"python"``: written here from RFC 3711 and RFC 7714 over the ``cryptography`` primitives
  (:mod:`purertc.srtp.python_backend`);
* ``"libsrtp"``: cisco/libsrtp through ``pylibsrtp`` (:mod:`purertc.srtp.libsrtp_backend`).

The default is ``"python"``, from ``benchmarks/bench_srtp.py`` (1200-byte payload, per packet,
same run; ratios, since absolute figures move with the machine's load):

* AEAD (AES-128/256-GCM), which purertc's DTLS layer offers first: the Python backend is on a
  par with the libsrtp backend or up to ~13 % faster, and within 1.2-1.3x of a raw
  ``pylibsrtp.Session`` (the target was 2x). ``AESGCM`` does the work in one OpenSSL call and
  pylibsrtp's per-call cffi allocation and copies cost about what our header walk and state
  update cost.
* AES-CM + HMAC-SHA1: the Python backend is 1.2-1.4x slower than the libsrtp backend (1.5-1.75x
  raw pylibsrtp): two OpenSSL calls (a re-seeded CTR context, SHA-1 inner/outer state copies)
  and the slicing around them, against libsrtp's single C pass.

Beyond speed the Python backend has no packet size limit (pylibsrtp copies through a 1500-byte
buffer), a configurable SRTCP replay window and inspectable state, so it stays the default for
every profile rather than switching backends by profile.

A context tracks at most ``max_ssrcs`` SSRCs per direction (default 1024). A packet from one
more SSRC raises :class:`SrtpError` instead of evicting one (eviction would silently reopen the
evicted stream to replays); call :meth:`SrtpContext.remove_ssrc` when a stream ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from purertc.srtp.errors import SrtpError
from purertc.srtp.profiles import PROFILES, SrtpProfile

BACKENDS = ("python", "libsrtp")
DEFAULT_BACKEND = "python"
DEFAULT_REPLAY_WINDOW = 64
DEFAULT_MAX_SSRCS = 1024
# libsrtp accepts replay windows of 64 to 0x7fff packets; both backends take the same range.
MIN_REPLAY_WINDOW = 64
MAX_REPLAY_WINDOW = 0x7FFF


class SrtpBackend(Protocol):
    def protect(self, rtp: bytes) -> bytes: ...
    def unprotect(self, srtp: bytes) -> bytes: ...
    def protect_rtcp(self, rtcp: bytes) -> bytes: ...
    def unprotect_rtcp(self, srtcp: bytes) -> bytes: ...
    def remove_ssrc(self, ssrc: int) -> None: ...


class SrtpContext:
    """Protect (sender) or unprotect (receiver) RTP and RTCP with one master key and salt.

    ``protect`` and ``unprotect`` keep separate per-SSRC state, so one context may serve both
    directions of a loopback; with DTLS-SRTP each direction has its own key and so its own
    context. Every method raises :class:`SrtpError` (a ``ValueError``) for a packet it cannot
    process — too short, authentication failure, replayed, too old — and then has changed no
    state.

    The methods are the backend's own bound methods, so a packet costs no extra call here:

    * ``protect(rtp) -> srtp``: RTP packet -> SRTP packet (RFC 3711 §3.3);
    * ``unprotect(srtp) -> rtp``: after the index, replay and tag checks (§3.3);
    * ``protect_rtcp(rtcp) -> srtcp``: (compound) RTCP -> SRTCP, encrypted, next index (§3.4);
    * ``unprotect_rtcp(srtcp) -> rtcp``: an E=0 packet is authenticated only (§3.4);
    * ``remove_ssrc(ssrc)``: forget one SSRC in both directions (a stream ended; frees its slot).
    """

    __slots__ = (
        "_backend",
        "backend",
        "profile",
        "protect",
        "protect_rtcp",
        "remove_ssrc",
        "replay_window",
        "unprotect",
        "unprotect_rtcp",
    )
    protect: Callable[[bytes], bytes]
    unprotect: Callable[[bytes], bytes]
    protect_rtcp: Callable[[bytes], bytes]
    unprotect_rtcp: Callable[[bytes], bytes]
    remove_ssrc: Callable[[int], None]

    def __init__(
        self,
        profile: str,
        master_key: bytes,
        master_salt: bytes,
        *,
        backend: str = DEFAULT_BACKEND,
        replay_window: int = DEFAULT_REPLAY_WINDOW,
        max_ssrcs: int = DEFAULT_MAX_SSRCS,
    ) -> None:
        found = PROFILES.get(profile)
        if found is None:
            raise SrtpError(f"unknown SRTP profile {profile!r} (known: {', '.join(PROFILES)})")
        if not MIN_REPLAY_WINDOW <= replay_window <= MAX_REPLAY_WINDOW:
            raise SrtpError(
                f"replay_window {replay_window} outside {MIN_REPLAY_WINDOW}..{MAX_REPLAY_WINDOW}"
            )
        if max_ssrcs < 1:
            raise SrtpError(f"max_ssrcs must be at least 1, not {max_ssrcs}")
        self.profile: SrtpProfile = found
        self.backend = backend
        self.replay_window = replay_window
        self._backend: SrtpBackend
        if backend == "python":
            from purertc.srtp.python_backend import PythonBackend

            self._backend = PythonBackend(found, master_key, master_salt, replay_window, max_ssrcs)
        elif backend == "libsrtp":
            from purertc.srtp.libsrtp_backend import LibsrtpBackend

            self._backend = LibsrtpBackend(found, master_key, master_salt, replay_window, max_ssrcs)
        else:
            raise SrtpError(f"unknown SRTP backend {backend!r} (known: {', '.join(BACKENDS)})")
        self.protect = self._backend.protect
        self.unprotect = self._backend.unprotect
        self.protect_rtcp = self._backend.protect_rtcp
        self.unprotect_rtcp = self._backend.unprotect_rtcp
        self.remove_ssrc = self._backend.remove_ssrc
