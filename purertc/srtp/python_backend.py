"""The from-scratch backend: RFC 3711 / RFC 7714 over the ``cryptography`` primitives.

Per-SSRC state lives in two tables, outbound (``protect*``) and inbound (``unprotect*``), so one
context can loop packets back to itself in tests. A stream is created on first sight of an SSRC
but stored only once its first packet went through: a packet that raises changes nothing,
including the set of known SSRCs (a forged packet cannot fill the table).
"""

from __future__ import annotations

from purertc.srtp.aes_cm import AesCmHmacTransform
from purertc.srtp.aes_gcm import AesGcmTransform
from purertc.srtp.errors import SrtpError
from purertc.srtp.headers import parse_rtcp_ssrc, parse_rtp_header
from purertc.srtp.kdf import derive_session_keys
from purertc.srtp.profiles import SrtpProfile
from purertc.srtp.replay import SRTP_INDEX_MAX, ReplayWindow, estimate_rtp_index
from purertc.srtp.transform import SRTCP_INDEX_MASK, Transform

StreamSnapshot = tuple[tuple[int, int], tuple[int, int], int]


def make_transform(profile: SrtpProfile, master_key: bytes, master_salt: bytes) -> Transform:
    """Derive the session keys (RFC 3711 §4.3) and build the profile's transform."""
    rtp_keys, rtcp_keys = derive_session_keys(profile, master_key, master_salt)
    if profile.cipher == "aes-gcm":
        return AesGcmTransform(rtp_keys, rtcp_keys)
    return AesCmHmacTransform(rtp_keys, rtcp_keys, profile.rtp_tag_length, profile.rtcp_tag_length)


def _index_exhausted(ssrc: int) -> SrtpError:
    # 2^48 packets under one key (RFC 3711 §9.2): the ROC would not fit its 32 bits.
    return SrtpError(f"SRTP packet index exhausted for SSRC {ssrc:#010x}: the key must change")


class _Stream:
    """One SSRC in one direction: the SRTP window (its ``highest`` is the ROC and SEQ, §3.3.1),
    the SRTCP window (inbound) and the last SRTCP index sent (outbound)."""

    __slots__ = ("rtcp", "rtcp_index", "rtp")

    def __init__(self, replay_window: int) -> None:
        self.rtp = ReplayWindow(replay_window)
        self.rtcp = ReplayWindow(replay_window)
        self.rtcp_index = 0

    def snapshot(self) -> StreamSnapshot:
        return self.rtp.snapshot(), self.rtcp.snapshot(), self.rtcp_index


class PythonBackend:
    """SRTP/SRTCP protect and unprotect for one master key; see the module docstring."""

    def __init__(
        self,
        profile: SrtpProfile,
        master_key: bytes,
        master_salt: bytes,
        replay_window: int,
        max_ssrcs: int,
    ) -> None:
        self._transform = make_transform(profile, master_key, master_salt)
        self._rtp_tag_length = self._transform.rtp_tag_length
        self._srtcp_trailer_length = self._transform.srtcp_trailer_length
        self._replay_window = replay_window
        self._max_ssrcs = max_ssrcs
        self._outbound: dict[int, _Stream] = {}
        self._inbound: dict[int, _Stream] = {}

    def _new_stream(self, table: dict[int, _Stream], ssrc: int) -> _Stream:
        if len(table) >= self._max_ssrcs:
            raise SrtpError(
                f"SSRC {ssrc:#010x} exceeds this context's limit of {self._max_ssrcs} SSRCs "
                "(remove_ssrc() streams that ended)"
            )
        return _Stream(self._replay_window)

    def protect(self, rtp: bytes) -> bytes:
        header_length, seq, ssrc = parse_rtp_header(rtp, 0)
        stream = self._outbound.get(ssrc) or self._new_stream(self._outbound, ssrc)
        window = stream.rtp
        index = estimate_rtp_index(window.highest, seq)
        if index > SRTP_INDEX_MAX:
            raise _index_exhausted(ssrc)
        # A repeat inside the window is a retransmission: allowed, the same keystream protects
        # the same bytes. Anything older than the window raises (libsrtp's allow_repeat_tx).
        new = window.is_new(index)
        srtp = self._transform.protect_rtp(rtp, header_length, ssrc, index)
        if new:
            window.add(index)
        self._outbound[ssrc] = stream
        return srtp

    def unprotect(self, srtp: bytes) -> bytes:
        header_length, seq, ssrc = parse_rtp_header(srtp, self._rtp_tag_length)
        stream = self._inbound.get(ssrc) or self._new_stream(self._inbound, ssrc)
        window = stream.rtp
        index = estimate_rtp_index(window.highest, seq)
        if index > SRTP_INDEX_MAX:
            raise _index_exhausted(ssrc)
        if not window.is_new(index):
            raise SrtpError(f"SRTP replay check failed: index {index} already received")
        rtp = self._transform.unprotect_rtp(srtp, header_length, ssrc, index)
        window.add(index)
        self._inbound[ssrc] = stream
        return rtp

    def protect_rtcp(self, rtcp: bytes) -> bytes:
        ssrc = parse_rtcp_ssrc(rtcp, 0)
        stream = self._outbound.get(ssrc) or self._new_stream(self._outbound, ssrc)
        # The first SRTCP index sent is 1, as libsrtp does, so both backends emit the same bytes.
        index = stream.rtcp_index + 1
        if index > SRTCP_INDEX_MASK:
            raise SrtpError(f"SRTCP index exhausted for SSRC {ssrc:#010x}: the key must change")
        srtcp = self._transform.protect_rtcp(rtcp, ssrc, index)
        stream.rtcp_index = index
        self._outbound[ssrc] = stream
        return srtcp

    def unprotect_rtcp(self, srtcp: bytes) -> bytes:
        ssrc = parse_rtcp_ssrc(srtcp, self._srtcp_trailer_length)
        index_word = self._transform.srtcp_index_word(srtcp)
        index = index_word & SRTCP_INDEX_MASK
        stream = self._inbound.get(ssrc) or self._new_stream(self._inbound, ssrc)
        if not stream.rtcp.is_new(index):
            raise SrtpError(f"SRTCP replay check failed: index {index} already received")
        rtcp = self._transform.unprotect_rtcp(srtcp, ssrc, index_word)
        stream.rtcp.add(index)
        self._inbound[ssrc] = stream
        return rtcp

    def remove_ssrc(self, ssrc: int) -> None:
        self._outbound.pop(ssrc, None)
        self._inbound.pop(ssrc, None)

    def state(self) -> dict[str, dict[int, StreamSnapshot]]:
        """Every stream's counters and windows, to prove a failed packet changed nothing."""
        return {
            "outbound": {ssrc: s.snapshot() for ssrc, s in self._outbound.items()},
            "inbound": {ssrc: s.snapshot() for ssrc, s in self._inbound.items()},
        }
