"""Configuration and value objects of the W3C API: RTCConfiguration, RTCIceServer,
RTCSessionDescription, RTCIceCandidate, and the one object of non-W3C knobs.

Everything purertc adds beyond the W3C dictionaries lives in :class:`PurertcSettings`, reached
as ``RTCConfiguration(..., purertc=PurertcSettings(...))``, so the W3C names stay unpolluted.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Literal

from purertc.dtls import Certificate

from .aliases import add_aliases
from .errors import InvalidAccessError
from .signaling import DESCRIPTION_TYPES


@dataclass
class RTCIceServer:
    """A STUN or TURN server: ``urls`` like ``stun:host:3478`` or ``turn:host?transport=tcp``."""

    urls: str | list[str]
    username: str | None = None
    credential: str | None = None

    @property
    def url_list(self) -> list[str]:
        return [self.urls] if isinstance(self.urls, str) else list(self.urls)


@dataclass
class PurertcSettings:
    """purertc's own knobs (not W3C).

    ``include_loopback`` gathers host candidates on loopback interfaces too (tests, one-machine
    demos). ``addresses`` replaces interface discovery with an explicit list of local addresses
    to bind (tests use ``["127.0.0.1"]``). ``port_range`` bounds the UDP ports bound.
    ``max_message_size`` is what we announce in ``a=max-message-size``. ``ssl_context``
    verifies ``turns:`` servers (default: the system's trust store).
    """

    include_loopback: bool = False
    addresses: list[str] | None = None
    port_range: tuple[int, int] | None = None
    max_message_size: int = 262144
    ssl_context: ssl.SSLContext | None = None


ICE_TRANSPORT_POLICIES = ("all", "relay")
BUNDLE_POLICIES = ("balanced", "max-compat", "max-bundle")


@dataclass
class RTCConfiguration:
    """W3C ``RTCConfiguration``. No STUN server is used unless one is configured.

    ``bundle_policy``: every value is accepted and checked, but a data-channel-only session
    has exactly one m= section, so "balanced", "max-compat" and "max-bundle" produce the
    same SDP (one transport, ``a=group:BUNDLE`` over that one mid). ``ice_candidate_pool_size``
    > 0 makes the connection gather at construction and hold the candidates until
    set_local_description (W3C §4.4.1.6, JSEP §3.5.4); one pool serves the one transport.
    """

    ice_servers: list[RTCIceServer] = field(default_factory=list)
    ice_transport_policy: Literal["all", "relay"] = "all"
    bundle_policy: Literal["balanced", "max-compat", "max-bundle"] = "max-bundle"
    ice_candidate_pool_size: int = 0
    certificates: list[Certificate] = field(default_factory=list)
    purertc: PurertcSettings = field(default_factory=PurertcSettings)

    def validate(self) -> None:
        """Reject values the W3C enums and ranges do not allow (W3C raises TypeError for a
        bad enum string; a pool size outside 0-255 is a TypeError too, as WebIDL octet)."""
        if self.ice_transport_policy not in ICE_TRANSPORT_POLICIES:
            raise TypeError(
                f"ice_transport_policy {self.ice_transport_policy!r} is not one of "
                + ", ".join(ICE_TRANSPORT_POLICIES)
            )
        if self.bundle_policy not in BUNDLE_POLICIES:
            raise TypeError(
                f"bundle_policy {self.bundle_policy!r} is not one of " + ", ".join(BUNDLE_POLICIES)
            )
        pool = self.ice_candidate_pool_size
        if isinstance(pool, bool) or not isinstance(pool, int) or not 0 <= pool <= 255:
            raise TypeError(f"ice_candidate_pool_size {pool!r} is not an integer in 0-255")


add_aliases(
    RTCConfiguration,
    {
        "iceServers": "ice_servers",
        "iceTransportPolicy": "ice_transport_policy",
        "bundlePolicy": "bundle_policy",
        "iceCandidatePoolSize": "ice_candidate_pool_size",
    },
)


@dataclass(frozen=True)
class RTCSessionDescription:
    """W3C ``RTCSessionDescription``: ``type`` is offer, pranswer, answer or rollback."""

    sdp: str
    type: str

    def __post_init__(self) -> None:
        if self.type not in DESCRIPTION_TYPES:
            raise InvalidAccessError(
                f"description type {self.type!r} is not one of {', '.join(DESCRIPTION_TYPES)}"
            )


@dataclass(frozen=True)
class RTCIceCandidate:
    """W3C ``RTCIceCandidate`` in its init form: ``candidate`` is the ``candidate:...`` string
    (empty means end-of-candidates), with the m= section it belongs to."""

    candidate: str
    sdp_mid: str | None = None
    sdp_m_line_index: int | None = None
    username_fragment: str | None = None

    def to_json(self) -> dict[str, object]:
        """The W3C ``toJSON()`` dictionary, with the JavaScript member names."""
        return {
            "candidate": self.candidate,
            "sdpMid": self.sdp_mid,
            "sdpMLineIndex": self.sdp_m_line_index,
            "usernameFragment": self.username_fragment,
        }


add_aliases(
    RTCIceCandidate,
    {
        "sdpMid": "sdp_mid",
        "sdpMLineIndex": "sdp_m_line_index",
        "usernameFragment": "username_fragment",
        "toJSON": "to_json",
    },
)
