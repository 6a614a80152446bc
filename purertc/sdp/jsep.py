"""JSEP (RFC 9429) matching helpers for building answers, as pure functions.

They take the typed values of a parsed offer (or plain lists of them) and return what the
answer should carry; nothing here keeps state or reads the network. The peer connection
layer composes them: negotiate codecs and header extensions per m= section, pick the answer
direction, reject what cannot be accepted (port 0), bundle what was accepted, and answer a
data-channel section in the form it was offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .attributes import (
    Connection,
    Extmap,
    Group,
    MediaLine,
    Rid,
    Sctpmap,
    Simulcast,
    SimulcastRid,
)
from .codecs import Codec
from .description import SessionDescription
from .errors import SdpError
from .lines import Line
from .media import MediaSection

# --- codecs (RFC 9429 §5.3.1, RFC 3264 §6.1) -------------------------------------------------


class H264Profile(NamedTuple):
    """What ``profile-level-id`` (RFC 6184 §8.1) says: the profile family and the level."""

    profile: str  # "constrained-baseline", "baseline", "main", "high", "constrained-high", ...
    level: int  # level_idc (10 = 1.0, 31 = 3.1...); level 1b is given as 9


# profile_idc, mask over profile-iop, value after masking -> profile (RFC 6184 Table 5 and the
# constraint-flag combinations browsers emit, checked in this order).
_H264_PROFILES = (
    (0x42, 0x4F, 0x40, "constrained-baseline"),  # 42 e0 / 42 c0 ...
    (0x4D, 0x8F, 0x80, "constrained-baseline"),  # 4d 80: Main with constraint_set0
    (0x58, 0xCF, 0xC0, "constrained-baseline"),  # Extended with constraint_set0 + set1
    (0x42, 0x4F, 0x00, "baseline"),
    (0x58, 0xCF, 0x80, "baseline"),
    (0x4D, 0xAF, 0x00, "main"),
    (0x64, 0xFF, 0x00, "high"),
    (0x64, 0xFF, 0x0C, "constrained-high"),
    (0x6E, 0xFF, 0x00, "high-10"),
    (0x7A, 0xFF, 0x00, "high-422"),
    (0xF4, 0xFF, 0x00, "high-444"),
)
DEFAULT_PROFILE_LEVEL_ID = "42000a"  # RFC 6184 §8.1: absent means Baseline, level 1.0


def parse_profile_level_id(value: str | None) -> H264Profile | None:
    """The profile and level of an H264 ``profile-level-id``; ``None`` if not understood."""
    text = value if value is not None else DEFAULT_PROFILE_LEVEL_ID
    if len(text) != 6:
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    profile_idc, iop, level = raw
    for idc, mask, masked, name in _H264_PROFILES:
        if profile_idc == idc and iop & mask == masked:
            # Level 1b: level_idc 11 with constraint_set3 in the baseline-like profiles.
            if level == 11 and iop & 0x10 and profile_idc in (0x42, 0x4D, 0x58):
                level = 9
            return H264Profile(name, level)
    return None


def _format_profile_level_id(value: str, level: int) -> str:
    """``value`` with its level replaced (level 9 means 1b: idc 11 + constraint_set3)."""
    raw = bytearray(bytes.fromhex(value))
    if level == 9:
        raw[1] |= 0x10
        raw[2] = 11
    else:
        if raw[2] == 11:
            raw[1] &= ~0x10 & 0xFF
        raw[2] = level
    return raw.hex()


def _channels(codec: Codec) -> int:
    return codec.channels if codec.channels is not None else 1


def _same_format(offered: Codec, local: Codec) -> bool:
    """RFC 9429 §5.3.1 / the payload formats' RFCs: could ``local`` receive ``offered``?"""
    if offered.name.lower() != local.name.lower() or offered.clock_rate != local.clock_rate:
        return False
    if _channels(offered) != _channels(local):
        return False
    name = offered.name.lower()
    if name == "h264":
        if (offered.get("packetization-mode") or "0") != (local.get("packetization-mode") or "0"):
            return False
        ours = parse_profile_level_id(local.get("profile-level-id"))
        theirs = parse_profile_level_id(offered.get("profile-level-id"))
        return ours is not None and theirs is not None and ours.profile == theirs.profile
    if name == "vp9":
        return (offered.get("profile-id") or "0") == (local.get("profile-id") or "0")
    if name == "av1":
        return (offered.get("profile") or "0") == (local.get("profile") or "0")
    return True


def _with_parameter(
    parameters: tuple[tuple[str, str | None], ...], key: str, value: str
) -> tuple[tuple[str, str | None], ...]:
    found = False
    result: list[tuple[str, str | None]] = []
    for name, old in parameters:
        if name.lower() == key:
            result.append((name, value))
            found = True
        else:
            result.append((name, old))
    if not found:
        result.append((key, value))
    return tuple(result)


def _answer_codec(offered: Codec, local: Codec) -> Codec:
    """The answer's codec: the offer's payload type and name, our parameters, common
    feedback; for H264 the common profile at the lower of the two levels; for RED the
    offer's parameters (they are payload types of the offer)."""
    parameters = local.parameters
    if offered.name.lower() == "red":
        parameters = offered.parameters  # RFC 2198: they name the offer's payload types
    elif offered.name.lower() == "h264":
        ours = parse_profile_level_id(local.get("profile-level-id"))
        theirs = parse_profile_level_id(offered.get("profile-level-id"))
        if ours is not None and theirs is not None:
            base = offered.get("profile-level-id") or DEFAULT_PROFILE_LEVEL_ID
            level = min(ours.level, theirs.level, key=lambda lv: 10.5 if lv == 9 else lv)
            parameters = _with_parameter(
                parameters, "profile-level-id", _format_profile_level_id(base, level)
            )
    feedback = tuple(fb for fb in offered.feedback if fb in local.feedback)
    return Codec(
        offered.payload_type, offered.name, offered.clock_rate, offered.channels,
        parameters, feedback,
    )  # fmt: skip


def negotiate_codecs(
    offered: Sequence[Codec], local: Sequence[Codec], *, local_order: bool = False
) -> list[Codec]:
    """The codecs of an answer to ``offered``, given the ones we support (``local``).

    Every offered codec we can receive is kept with the offer's payload type (RFC 3264 §6.1);
    RTX (RFC 4588) is kept only when the codec its ``apt`` names is kept, and then points at
    that payload type. Order: the offer's, or ours with ``local_order=True`` (codec
    preferences, RFC 9429 §5.3.1). ``local`` RTX entries are matched by name and clock rate
    only: one local ``rtx`` covers every kept codec.
    """
    kept: list[tuple[int, Codec]] = []  # (rank, answer codec)
    kept_pts: set[int] = set()
    rtx_offered: list[tuple[int, Codec]] = []
    for index, codec in enumerate(offered):
        if codec.is_rtx:
            rtx_offered.append((index, codec))
            continue
        for rank, ours in enumerate(local):
            if not ours.is_rtx and _same_format(codec, ours):
                kept.append((rank if local_order else index, _answer_codec(codec, ours)))
                kept_pts.add(codec.payload_type)
                break
    local_rtx = [ours for ours in local if ours.is_rtx]
    for index, codec in rtx_offered:
        apt = codec.apt
        if apt is None or apt not in kept_pts:
            continue
        our_rtx = next((r for r in local_rtx if r.clock_rate == codec.clock_rate), None)
        if our_rtx is None:
            continue
        rank = index
        if local_order:
            target = next(i for i, (_, c) in enumerate(kept) if c.payload_type == apt)
            rank = kept[target][0]
        rtx = Codec(
            codec.payload_type, codec.name, codec.clock_rate, None, (("apt", str(apt)),),
            tuple(fb for fb in codec.feedback if fb in our_rtx.feedback),
        )  # fmt: skip
        kept.append((rank, rtx))
    if local_order:
        # RTX right after the codec it repairs: sort by (rank, is_rtx), stable.
        kept.sort(key=lambda item: (item[0], item[1].is_rtx))
    else:
        kept.sort(key=lambda item: item[0])
    return [codec for _, codec in kept]


# --- header extensions (RFC 8285 §7, RFC 9429 §5.3.1) -----------------------------------------

_REVERSE = {"sendonly": "recvonly", "recvonly": "sendonly", "sendrecv": "sendrecv"}


def negotiate_extmaps(offered: Iterable[Extmap], local_uris: Iterable[str]) -> list[Extmap]:
    """The offered header extensions we also support, keeping the offerer's ids (and order);
    an offered direction is answered with its reverse."""
    supported = set(local_uris)
    answer = []
    for extmap in offered:
        if extmap.uri in supported:
            direction = _REVERSE.get(extmap.direction or "", extmap.direction)
            answer.append(Extmap(extmap.id, extmap.uri, direction))
    return answer


# --- directions (RFC 3264 §6.1, RFC 9429 §5.3.1) -----------------------------------------------


def direction_of(send: bool, recv: bool) -> str:
    return ("sendrecv", "sendonly", "recvonly", "inactive")[(not send) * 2 + (not recv)]


def reverse_direction(direction: str) -> str:
    """The direction the peer sees: sendonly <-> recvonly."""
    return _REVERSE.get(direction, direction)


def answer_direction(offered: str, *, send: bool, recv: bool) -> str:
    """The answer's direction for ``offered``, given whether we want to send and receive.

    We may send only if the offerer receives, and receive only if it sends: an offered
    ``sendonly`` is answered ``recvonly`` or ``inactive``, ``recvonly`` with ``sendonly`` or
    ``inactive``, ``inactive`` with ``inactive``.
    """
    if offered not in ("sendrecv", "sendonly", "recvonly", "inactive"):
        raise SdpError(f"bad direction {offered!r}", field="direction")
    peer_sends = offered in ("sendrecv", "sendonly")
    peer_receives = offered in ("sendrecv", "recvonly")
    return direction_of(send and peer_receives, recv and peer_sends)


# --- simulcast (RFC 8853 §5.3, RFC 8851 §6) ---------------------------------------------------

_REVERSE_RID = {"send": "recv", "recv": "send"}


def answer_rids(offered: Iterable[Rid], *, accept: Iterable[str] | None = None) -> list[Rid]:
    """The answer's ``a=rid`` lines: each accepted offered rid with its direction reversed
    (an offered ``send`` layer is one we receive). Restrictions are kept as offered."""
    wanted = None if accept is None else set(accept)
    return [
        Rid(rid.id, _REVERSE_RID[rid.direction], rid.restrictions)
        for rid in offered
        if wanted is None or rid.id in wanted
    ]


def answer_simulcast(offered: Simulcast, *, accept: Iterable[str] | None = None) -> Simulcast:
    """The answer's ``a=simulcast``: the offer's send streams become our receive streams and
    vice versa, keeping only the rids in ``accept`` (all by default) and their paused flags."""
    wanted = None if accept is None else set(accept)

    def keep(
        streams: tuple[tuple[SimulcastRid, ...], ...],
    ) -> tuple[tuple[SimulcastRid, ...], ...]:
        kept = []
        for alternatives in streams:
            chosen = tuple(r for r in alternatives if wanted is None or r.rid in wanted)
            if chosen:
                kept.append(chosen)
        return tuple(kept)

    return Simulcast(send=keep(offered.recv), recv=keep(offered.send))


# --- bundling and rejection (RFC 9143, RFC 9429 §5.3.1) ---------------------------------------


def answer_bundle_group(offer: SessionDescription, accepted_mids: Iterable[str]) -> Group | None:
    """The answer's ``a=group:BUNDLE`` for the first BUNDLE group of ``offer``.

    It lists the accepted mids of the offered group, in the offer's order, so rejected m=
    sections (port 0) fall out of it. The offerer-tagged section (the group's first mid,
    RFC 9143 §7.2.1) carries the transport: if it is not accepted there is no group to
    answer (``None``; RFC 9143 §7.3.1 then has the answerer reject the group's sections).
    """
    groups = offer.bundle_groups
    if not groups or not groups[0].mids:
        return None
    accepted = set(accepted_mids)
    offered = groups[0].mids
    if offered[0] not in accepted:
        return None
    return Group("BUNDLE", tuple(mid for mid in offered if mid in accepted))


def rejected_section(offered: MediaSection) -> MediaSection:
    """The answer's m= section rejecting ``offered``: port 0, the offered protocol and
    formats (at least one is required), and the mid (RFC 9429 §5.3.1, RFC 3264 §6)."""
    line = offered.media_line
    section = MediaSection([Line.field("m", MediaLine(line.kind, 0, line.protocol, line.formats))])
    if offered.mid is not None:
        section.mid = offered.mid
    return section


# --- media sections of an answer -----------------------------------------------------------


def answer_rtp_section(
    offered: MediaSection,
    codecs: Sequence[Codec],
    extension_uris: Iterable[str] = (),
    *,
    send: bool = True,
    recv: bool = True,
    direction: str | None = None,
) -> MediaSection:
    """An audio/video answer section: negotiated codecs and extensions, the answer direction,
    mid, rtcp-mux and rtcp-rsize when offered; rejected when no codec is in common.

    ``direction`` is the offer's effective direction (default: the section's own, else
    sendrecv). The section gets port 9 and ``c=IN IP4 0.0.0.0`` (trickle ICE); transport
    attributes (ICE, DTLS, candidates) and the port of bundled sections are the caller's.
    """
    answer_codecs = negotiate_codecs(offered.codecs, codecs)
    if offered.rejected or not answer_codecs:
        return rejected_section(offered)
    line = offered.media_line
    section = MediaSection.create(line.kind, 9, line.protocol)
    section.connection = Connection("IN", "IP4", "0.0.0.0")  # RFC 9429 §5.3.1: port 9 + 0.0.0.0
    if offered.mid is not None:
        section.mid = offered.mid
    for extmap in negotiate_extmaps(offered.extmaps, extension_uris):
        section.add_extmap(extmap)
    offered_direction = direction or offered.direction or "sendrecv"
    section.direction = answer_direction(offered_direction, send=send, recv=recv)
    section.rtcp_mux = offered.rtcp_mux
    section.rtcp_rsize = offered.rtcp_rsize
    for codec in answer_codecs:
        section.add_codec(codec)
    return section


DEFAULT_SCTP_PORT = 5000
DEFAULT_MAX_MESSAGE_SIZE = 262144


def data_channel_section(
    mid: str | None,
    *,
    port: int = 9,
    sctp_port: int = DEFAULT_SCTP_PORT,
    max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
    protocol: str = "UDP/DTLS/SCTP",
    legacy: bool = False,
) -> MediaSection:
    """A data-channel m= section.

    Current form (RFC 8841): ``m=application <port> UDP/DTLS/SCTP webrtc-datachannel`` with
    ``a=sctp-port`` and ``a=max-message-size``. ``legacy=True`` writes the
    draft-ietf-mmusic-sctp-sdp-05 form older peers (Firefox < 63, old Chrome) offer:
    ``m=application <port> DTLS/SCTP <sctp-port>`` with ``a=sctpmap``.
    """
    if legacy:
        section = MediaSection.create("application", port, "DTLS/SCTP", [sctp_port])
    else:
        section = MediaSection.create("application", port, protocol, ["webrtc-datachannel"])
    section.connection = Connection("IN", "IP4", "0.0.0.0")
    if mid is not None:
        section.mid = mid
    if legacy:
        section.sctpmap = Sctpmap(sctp_port, "webrtc-datachannel", 65535)
    else:
        section.sctp_port = sctp_port
    if max_message_size is not None:
        section.max_message_size = max_message_size
    return section


def answer_data_channel(
    offered: MediaSection,
    *,
    sctp_port: int = DEFAULT_SCTP_PORT,
    max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
) -> MediaSection:
    """Answer a data-channel offer in the form it came in (current or legacy sctpmap)."""
    if not offered.is_data_channel:
        raise SdpError(f"not a data-channel section: {offered.protocol!r}", field="m= proto")
    if offered.rejected:
        return rejected_section(offered)
    legacy = offered.protocol.upper() == "DTLS/SCTP"
    return data_channel_section(
        offered.mid,
        sctp_port=sctp_port,
        max_message_size=max_message_size,
        protocol=offered.protocol,
        legacy=legacy,
    )
