"""Every typed value of a description, as plain data: the fuzz and property tests compare
and exercise the typed accessors through it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from purertc.sdp import MediaSection, SessionDescription

D = SessionDescription
M = MediaSection

SESSION_ACCESSORS: dict[str, Callable[[D], Any]] = {
    "origin": lambda d: d.origin,
    "session_name": lambda d: d.session_name,
    "timing": lambda d: d.timing,
    "connection": lambda d: d.connection,
    "bandwidths": lambda d: d.bandwidths,
    "groups": lambda d: d.groups,
    "bundle_groups": lambda d: d.bundle_groups,
    "msid_semantics": lambda d: d.msid_semantics,
    "ice_ufrag": lambda d: d.ice_ufrag,
    "ice_pwd": lambda d: d.ice_pwd,
    "ice_options": lambda d: d.ice_options,
    "ice_lite": lambda d: d.ice_lite,
    "fingerprints": lambda d: d.fingerprints,
    "digests": lambda d: [fp.digest for fp in d.fingerprints],
    "setup": lambda d: d.setup,
    "direction": lambda d: d.direction,
    "extmaps": lambda d: d.extmaps,
    "extmap_allow_mixed": lambda d: d.extmap_allow_mixed,
}

MEDIA_ACCESSORS: dict[str, Callable[[D, M], Any]] = {
    "kind": lambda d, m: m.kind,
    "port": lambda d, m: m.port,
    "protocol": lambda d, m: m.protocol,
    "formats": lambda d, m: m.formats,
    "media_line": lambda d, m: m.media_line,
    "rejected": lambda d, m: m.rejected,
    "data_channel": lambda d, m: m.is_data_channel,
    "mid": lambda d, m: m.mid,
    "direction": lambda d, m: m.direction,
    "effective_direction": lambda d, m: d.effective_direction(m),
    "connection": lambda d, m: m.connection,
    "effective_connection": lambda d, m: d.effective_connection(m),
    "bandwidths": lambda d, m: m.bandwidths,
    "transport": lambda d, m: d.transport(m),
    "ice_ufrag": lambda d, m: m.ice_ufrag,
    "ice_pwd": lambda d, m: m.ice_pwd,
    "ice_options": lambda d, m: m.ice_options,
    "ice_lite": lambda d, m: m.ice_lite,
    "fingerprints": lambda d, m: m.fingerprints,
    "setup": lambda d, m: m.setup,
    "bundle_only": lambda d, m: m.bundle_only,
    "msids": lambda d, m: m.msids,
    "rtcp_mux": lambda d, m: m.rtcp_mux,
    "rtcp_rsize": lambda d, m: m.rtcp_rsize,
    "rtcp": lambda d, m: m.rtcp,
    "rtpmaps": lambda d, m: m.rtpmaps,
    "fmtps": lambda d, m: m.fmtps,
    "fmtp_pairs": lambda d, m: [fmtp.pairs for fmtp in m.fmtps],
    "rtcp_feedback": lambda d, m: m.rtcp_feedback,
    "codecs": lambda d, m: m.codecs,
    "apts": lambda d, m: [codec.apt for codec in m.codecs],
    "extmaps": lambda d, m: m.extmaps,
    "extmap_allow_mixed": lambda d, m: m.extmap_allow_mixed,
    "ssrcs": lambda d, m: m.ssrcs,
    "ssrc_groups": lambda d, m: m.ssrc_groups,
    "rids": lambda d, m: m.rids,
    "rid_payload_types": lambda d, m: [rid.payload_types for rid in m.rids],
    "simulcast": lambda d, m: m.simulcast,
    "candidates": lambda d, m: m.candidates,
    "candidate_kinds": lambda d, m: [c.address_kind for c in m.candidates],
    "end_of_candidates": lambda d, m: m.end_of_candidates,
    "sctp_port": lambda d, m: m.sctp_port,
    "max_message_size": lambda d, m: m.max_message_size,
    "sctpmap": lambda d, m: m.sctpmap,
}


def snapshot(description: SessionDescription) -> dict[str, Any]:
    """Read every typed accessor of ``description`` (raises only what they raise)."""
    result = {name: read(description) for name, read in SESSION_ACCESSORS.items()}
    result["media"] = [
        {name: read(description, media) for name, read in MEDIA_ACCESSORS.items()}
        for media in description.media
    ]
    return result
