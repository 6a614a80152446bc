"""Every typed value of a description, as plain data: the fuzz and property tests compare
and exercise the typed accessors through it."""

from __future__ import annotations

from typing import Any

from purertc.sdp import MediaSection, SessionDescription


def media_snapshot(description: SessionDescription, media: MediaSection) -> dict[str, Any]:
    return {
        "kind": media.kind,
        "port": media.port,
        "protocol": media.protocol,
        "formats": media.formats,
        "media_line": media.media_line,
        "rejected": media.rejected,
        "data_channel": media.is_data_channel,
        "mid": media.mid,
        "direction": media.direction,
        "effective_direction": description.effective_direction(media),
        "connection": media.connection,
        "effective_connection": description.effective_connection(media),
        "bandwidths": media.bandwidths,
        "transport": description.transport(media),
        "ice_ufrag": media.ice_ufrag,
        "ice_pwd": media.ice_pwd,
        "ice_options": media.ice_options,
        "ice_lite": media.ice_lite,
        "fingerprints": media.fingerprints,
        "setup": media.setup,
        "bundle_only": media.bundle_only,
        "msids": media.msids,
        "rtcp_mux": media.rtcp_mux,
        "rtcp_rsize": media.rtcp_rsize,
        "rtcp": media.rtcp,
        "rtpmaps": media.rtpmaps,
        "fmtps": media.fmtps,
        "fmtp_pairs": [fmtp.pairs for fmtp in media.fmtps],
        "rtcp_feedback": media.rtcp_feedback,
        "codecs": media.codecs,
        "apts": [codec.apt for codec in media.codecs],
        "extmaps": media.extmaps,
        "extmap_allow_mixed": media.extmap_allow_mixed,
        "ssrcs": media.ssrcs,
        "ssrc_groups": media.ssrc_groups,
        "rids": media.rids,
        "rid_payload_types": [rid.payload_types for rid in media.rids],
        "simulcast": media.simulcast,
        "candidates": media.candidates,
        "candidate_kinds": [c.address_kind for c in media.candidates],
        "end_of_candidates": media.end_of_candidates,
        "sctp_port": media.sctp_port,
        "max_message_size": media.max_message_size,
        "sctpmap": media.sctpmap,
    }


def snapshot(description: SessionDescription) -> dict[str, Any]:
    """Read every typed accessor of ``description`` (raises only what they raise)."""
    return {
        "origin": description.origin,
        "session_name": description.session_name,
        "timing": description.timing,
        "connection": description.connection,
        "bandwidths": description.bandwidths,
        "groups": description.groups,
        "bundle_groups": description.bundle_groups,
        "msid_semantics": description.msid_semantics,
        "ice_ufrag": description.ice_ufrag,
        "ice_pwd": description.ice_pwd,
        "ice_options": description.ice_options,
        "ice_lite": description.ice_lite,
        "fingerprints": description.fingerprints,
        "digests": [fp.digest for fp in description.fingerprints],
        "setup": description.setup,
        "direction": description.direction,
        "extmaps": description.extmaps,
        "extmap_allow_mixed": description.extmap_allow_mixed,
        "media": [media_snapshot(description, media) for media in description.media],
    }
