"""Our side of JSEP (RFC 9429) for data channels: build offers and answers, read the peer's.

One BUNDLE group carrying one ``m=application <port> UDP/DTLS/SCTP webrtc-datachannel`` section
(RFC 8841) with ``a=sctp-port:5000`` and ``a=max-message-size``; ICE credentials, ``a=ice-options:
trickle``, the sha-256 fingerprint and ``a=setup`` (``actpass`` in offers, RFC 8842 §5.2; the
answer picks with :func:`purertc.dtls.answer_setup`, ``active`` for ``actpass``). Candidates
gathered so far are written in, and ``a=end-of-candidates`` once gathering is complete, so a peer
that does not trickle (aiortc) finds them all in the description. Media sections we do not
handle (audio, video) are answered rejected, port 0 (RFC 9429 §5.3.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from purertc.dtls import Fingerprint as DtlsFingerprint
from purertc.dtls import answer_setup
from purertc.ice import Candidate as IceCandidate
from purertc.sdp import (
    Candidate,
    Fingerprint,
    Group,
    MediaSection,
    SdpError,
    SessionDescription,
    answer_bundle_group,
    answer_data_channel,
    data_channel_section,
    rejected_section,
)

from .errors import InvalidAccessError

SCTP_PORT = 5000
DEFAULT_REMOTE_MAX_MESSAGE_SIZE = 65536  # RFC 8841 §6.1: no attribute means 64 KiB


@dataclass(frozen=True)
class LocalTransport:
    """What our description says about our transport."""

    ufrag: str
    pwd: str
    fingerprints: Sequence[DtlsFingerprint]
    candidates: Sequence[IceCandidate]
    end_of_candidates: bool
    max_message_size: int


@dataclass(frozen=True)
class RemoteTransport:
    """What the peer's description says about the data-channel transport."""

    mid: str | None
    index: int  # of the m= section
    ufrag: str
    pwd: str
    lite: bool
    fingerprints: tuple[DtlsFingerprint, ...]
    setup: str
    candidates: tuple[IceCandidate, ...]
    end_of_candidates: bool
    sctp_port: int
    max_message_size: int


def _add_transport(section: MediaSection, local: LocalTransport, setup: str) -> None:
    for candidate in local.candidates:
        section.add_candidate(to_sdp_candidate(candidate))
    if local.end_of_candidates:
        section.end_of_candidates = True
    section.ice_ufrag = local.ufrag
    section.ice_pwd = local.pwd
    section.ice_options = ["trickle"]
    section.fingerprints = [Fingerprint(a, v) for a, v in local.fingerprints]
    section.setup = setup


def _session(session_id: int, version: int) -> SessionDescription:
    description = SessionDescription.create(session_id, version, address="0.0.0.0")
    description.set_attribute("msid-semantic", " WMS")
    return description


def build_offer(
    session_id: int, version: int, mid: str | None, local: LocalTransport
) -> SessionDescription:
    """An offer: the data section if ``mid`` is given, else no m= section at all."""
    description = _session(session_id, version)
    if mid is None:
        return description
    description.add_group(Group("BUNDLE", (mid,)))
    section = data_channel_section(mid, max_message_size=local.max_message_size)
    _add_transport(section, local, "actpass")
    description.media.append(section)
    return description


def build_answer(
    session_id: int, version: int, offer: SessionDescription, local: LocalTransport
) -> SessionDescription:
    """The answer to ``offer``: its first data section accepted, every other section rejected."""
    description = _session(session_id, version)
    data = first_data_section(offer)
    accepted: list[str] = []
    for section in offer.media:
        if section is data:
            answer = answer_data_channel(section, max_message_size=local.max_message_size)
            setup = answer_setup(offer.transport(section).setup or "actpass")
            _add_transport(answer, local, setup)
            if section.mid is not None:
                accepted.append(section.mid)
        else:
            answer = rejected_section(section)
        description.media.append(answer)
    group = answer_bundle_group(offer, accepted)
    if group is not None:
        description.add_group(group)
    return description


def first_data_section(description: SessionDescription) -> MediaSection | None:
    for section in description.media:
        if section.is_data_channel and not section.rejected:
            return section
    return None


def parse_description(sdp: str) -> SessionDescription:
    try:
        return SessionDescription.parse(sdp)
    except SdpError as error:
        raise InvalidAccessError(f"cannot parse the description: {error}") from error


def remote_transport(description: SessionDescription) -> RemoteTransport | None:
    """The peer's data-channel transport, or ``None`` when it has no usable data section."""
    section = first_data_section(description)
    if section is None:
        return None
    transport = description.transport(section)
    if transport.ice_ufrag is None or transport.ice_pwd is None:
        raise InvalidAccessError("the data section has no a=ice-ufrag / a=ice-pwd")
    if not transport.fingerprints:
        raise InvalidAccessError("the data section has no a=fingerprint")
    candidates = []
    for candidate in section.candidates:
        ice = from_sdp_candidate(candidate)
        if ice is not None:
            candidates.append(ice)
    max_message_size = section.max_message_size
    return RemoteTransport(
        mid=section.mid,
        index=description.media.index(section),
        ufrag=transport.ice_ufrag,
        pwd=transport.ice_pwd,
        lite=transport.ice_lite,
        fingerprints=tuple((f.algorithm.lower(), f.value.upper()) for f in transport.fingerprints),
        setup=transport.setup or "actpass",
        candidates=tuple(candidates),
        end_of_candidates=section.end_of_candidates,
        sctp_port=section.sctp_port or SCTP_PORT,
        max_message_size=(
            DEFAULT_REMOTE_MAX_MESSAGE_SIZE if max_message_size is None else max_message_size
        ),
    )


def to_sdp_candidate(candidate: IceCandidate) -> Candidate:
    return Candidate.from_value(candidate.to_sdp())


def from_sdp_candidate(candidate: Candidate) -> IceCandidate | None:
    """The ICE agent's form of an SDP candidate; ``None`` for one it cannot use (tcp...)."""
    if candidate.transport.lower() != "udp":
        return None
    try:
        return IceCandidate.from_sdp(candidate.to_sdp())
    except ValueError:
        return None
