"""Typed access to header extensions through the ids negotiated in SDP (``a=extmap``).

The packet knows ids, SDP knows URIs: ``HeaderExtensionMap({1: URI_MID, 3: URI_ABS_SEND_TIME})``
then ``extmap.get(packet, URI_MID) -> "0"`` and ``extmap.set(packet, URI_MID, "0")``. Values
are the typed helpers' Python values; URIs we have no helper for are handled as raw bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from . import extensions as ext
from .errors import RtpError


class _HasExtensions(Protocol):
    @property
    def extensions(self) -> Mapping[int, bytes]: ...

    def set_extension(self, ext_id: int, value: bytes) -> None: ...


Codec = tuple[Callable[[Any], bytes], Callable[[bytes], Any]]

CODECS: dict[str, Codec] = {
    ext.URI_MID: (ext.pack_sdes_text, ext.unpack_sdes_text),
    ext.URI_RTP_STREAM_ID: (ext.pack_sdes_text, ext.unpack_sdes_text),
    ext.URI_REPAIRED_RTP_STREAM_ID: (ext.pack_sdes_text, ext.unpack_sdes_text),
    ext.URI_AUDIO_LEVEL: (ext.pack_audio_level, ext.unpack_audio_level),
    ext.URI_TOFFSET: (ext.pack_transmission_offset, ext.unpack_transmission_offset),
    ext.URI_ABS_SEND_TIME: (ext.pack_abs_send_time, ext.unpack_abs_send_time),
    ext.URI_TRANSPORT_CC: (
        ext.pack_transport_sequence_number,
        ext.unpack_transport_sequence_number,
    ),
    ext.URI_VIDEO_ORIENTATION: (ext.pack_video_orientation, ext.unpack_video_orientation),
    ext.URI_PLAYOUT_DELAY: (ext.pack_playout_delay, ext.unpack_playout_delay),
    ext.URI_ABS_CAPTURE_TIME: (ext.pack_abs_capture_time, ext.unpack_abs_capture_time),
}


def _raw(value: bytes) -> bytes:
    return bytes(value)


class HeaderExtensionMap:
    def __init__(self, ids: Mapping[int, str]) -> None:
        for ext_id in ids:
            if not 1 <= ext_id <= 255:
                raise RtpError(f"extmap id {ext_id}: out of range 1..255")
        self.uris = dict(ids)
        self.ids = {uri: ext_id for ext_id, uri in ids.items()}

    def get(self, packet: _HasExtensions, uri: str) -> Any:
        """The decoded value of ``uri`` in ``packet``, or None if absent or not negotiated."""
        ext_id = self.ids.get(uri)
        if ext_id is None:
            return None
        value = packet.extensions.get(ext_id)
        if value is None:
            return None
        return CODECS.get(uri, (_raw, _raw))[1](value)

    def set(self, packet: _HasExtensions, uri: str, value: Any) -> None:
        ext_id = self.ids.get(uri)
        if ext_id is None:
            raise RtpError(f"header extension {uri!r} is not negotiated")
        packet.set_extension(ext_id, CODECS.get(uri, (_raw, _raw))[0](value))
