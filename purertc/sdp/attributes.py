"""Typed values of the SDP lines and attributes WebRTC uses.

Each class is an immutable value with ``parse(text)`` (raising :class:`SdpError` naming the
field) and ``__str__`` giving back the canonical text of the line's value — the part after
``a=<name>:`` for attributes, after ``<type>=`` for other lines. Each is decomposed by one
compiled pattern; :data:`CHECKS` exposes those patterns (and a few plain functions where a
pattern is either not enough or slower) so ``SessionDescription.parse`` can validate known
attributes without building the typed objects up front. The values are NamedTuples: cheap
to build, immutable, comparable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn, TypeVar

from ._grammar import DIRECTION, PAYLOAD_TYPE, PORT, TOKEN, UINT16, UINT32, UINT64
from .candidate import Candidate
from .errors import SdpError

DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
SETUP_ROLES = ("active", "passive", "actpass", "holdconn")


T = TypeVar("T")


def memoized(parse: Callable[[str], T], size: int = 2048) -> Callable[[str], T]:
    """``parse`` with its results shared between identical texts.

    The capability lines of browser offers (rtpmap, fmtp, rtcp-fb, extmap) repeat verbatim
    from one session to the next, and their typed values are immutable, so one parse can serve
    every document. Bounded: the table starts over when full. Errors are not remembered.
    """
    table: dict[str, T] = {}

    def cached(text: str) -> T:
        value = table.get(text)
        if value is None:
            value = parse(text)
            if len(table) >= size:
                table.clear()
            table[text] = value
        return value

    return cached


def _fail(text: str, field: str) -> NoReturn:
    raise SdpError(f"malformed {field} value {text[:80]!r}", field=field)


def _match(pattern: re.Pattern[str], text: str, field: str) -> re.Match[str]:
    return pattern.fullmatch(text) or _fail(text, field)


# --- RFC 8866 lines -----------------------------------------------------------------------

# o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>   (§5.2)
_ORIGIN = re.compile(r"(\S+) ([0-9]{1,32}) ([0-9]{1,32}) (\S+) (\S+) (\S+)")


class Origin(NamedTuple):
    username: str
    session_id: int
    session_version: int
    nettype: str = "IN"
    addrtype: str = "IP4"
    address: str = "127.0.0.1"

    @classmethod
    def parse(cls, text: str) -> Origin:
        user, sid, version, nettype, addrtype, address = _match(_ORIGIN, text, "o=").groups()
        return cls(user, int(sid), int(version), nettype, addrtype, address)

    def __str__(self) -> str:
        return (
            f"{self.username} {self.session_id} {self.session_version} "
            f"{self.nettype} {self.addrtype} {self.address}"
        )


# c=<nettype> <addrtype> <connection-address>   (§5.7; the address may carry /ttl[/count])
_CONNECTION = re.compile(r"(\S+) (\S+) (\S+)")


class Connection(NamedTuple):
    nettype: str = "IN"
    addrtype: str = "IP4"
    address: str = "0.0.0.0"

    @classmethod
    def parse(cls, text: str) -> Connection:
        return cls(*_match(_CONNECTION, text, "c=").groups())

    def __str__(self) -> str:
        return f"{self.nettype} {self.addrtype} {self.address}"


# b=<bwtype>:<bandwidth>   (§5.8)
_BANDWIDTH = re.compile(rf"({TOKEN}):([0-9]{{1,20}})")


class Bandwidth(NamedTuple):
    type: str
    value: int

    @classmethod
    def parse(cls, text: str) -> Bandwidth:
        bwtype, value = _match(_BANDWIDTH, text, "b=").groups()
        return cls(bwtype, int(value))

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


# t=<start-time> <stop-time>   (§5.9)
_TIMING = re.compile(r"([0-9]{1,20}) ([0-9]{1,20})")


class Timing(NamedTuple):
    start: int = 0
    stop: int = 0

    @classmethod
    def parse(cls, text: str) -> Timing:
        start, stop = _match(_TIMING, text, "t=").groups()
        return cls(int(start), int(stop))

    def __str__(self) -> str:
        return f"{self.start} {self.stop}"


# m=<media> <port>[/<number of ports>] <proto> <fmt> ...   (§5.14)
_MEDIA = re.compile(rf"({TOKEN}) ({PORT})(?:/({UINT16}))? (\S+)((?: +\S+)*) *")
# A received m= line must list at least one format; one being built may not have any yet.
_MEDIA_RECEIVED = re.compile(rf"{TOKEN} {PORT}(?:/{UINT16})? \S+(?: +\S+)+ *")


class MediaLine(NamedTuple):
    kind: str  # "audio" / "video" / "application" / ...
    port: int
    protocol: str
    formats: tuple[str, ...]
    port_count: int | None = None

    @classmethod
    def parse(cls, text: str) -> MediaLine:
        kind, port, count, protocol, formats = _match(_MEDIA, text, "m=").groups()
        return cls(
            kind,
            int(port),
            protocol,
            tuple(formats.split()),
            int(count) if count is not None else None,
        )

    def __str__(self) -> str:
        port = str(self.port) if self.port_count is None else f"{self.port}/{self.port_count}"
        return " ".join((self.kind, port, self.protocol, *self.formats))


# --- media attributes (RFC 8866 §6, RFC 4585, RFC 8285) --------------------------------------

# a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]   (RFC 8866 §6.6)
_RTPMAP = re.compile(rf"({PAYLOAD_TYPE}) ([^\s/]+)/({UINT32})(?:/({UINT16}))?")


class Rtpmap(NamedTuple):
    payload_type: int
    encoding_name: str
    clock_rate: int
    channels: int | None = None  # the "encoding parameters" (audio channel count)

    @classmethod
    def parse(cls, text: str) -> Rtpmap:
        match = _RTPMAP.fullmatch(text) or _fail(text, "a=rtpmap")
        pt, name, rate, channels = match.groups()
        return cls(int(pt), name, int(rate), int(channels) if channels is not None else None)

    def __str__(self) -> str:
        text = f"{self.payload_type} {self.encoding_name}/{self.clock_rate}"
        return text if self.channels is None else f"{text}/{self.channels}"


# a=fmtp:<format> <format specific parameters>   (RFC 8866 §6.15)
_FMTP = re.compile(r"(\S+)(?: (.*))?")


def parse_parameters(text: str) -> tuple[tuple[str, str | None], ...]:
    """``key=value;key2=value2`` (spaces after ``;`` tolerated) as ordered pairs.

    A part without ``=`` (telephone-event's ``0-15``) gives ``(part, None)``.
    """
    pairs: list[tuple[str, str | None]] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        pairs.append((key.strip(), value.strip() if sep else None))
    return tuple(pairs)


_shared_parameters = memoized(parse_parameters)


def format_parameters(pairs: tuple[tuple[str, str | None], ...]) -> str:
    return ";".join(key if value is None else f"{key}={value}" for key, value in pairs)


class Fmtp(NamedTuple):
    format: str  # the payload type for RTP media
    parameters: str = ""

    @classmethod
    def parse(cls, text: str) -> Fmtp:
        match = _FMTP.fullmatch(text) or _fail(text, "a=fmtp")
        fmt, params = match.groups()
        return cls(fmt, params or "")

    @classmethod
    def from_pairs(cls, fmt: str | int, pairs: tuple[tuple[str, str | None], ...]) -> Fmtp:
        return cls(str(fmt), format_parameters(pairs))

    @property
    def pairs(self) -> tuple[tuple[str, str | None], ...]:
        return _shared_parameters(self.parameters)

    def get(self, key: str) -> str | None:
        """Value of parameter ``key`` (keys compare case-insensitively), or ``None``."""
        key = key.lower()
        for name, value in self.pairs:
            if name.lower() == key:
                return value
        return None

    def __str__(self) -> str:
        return f"{self.format} {self.parameters}" if self.parameters else self.format


# a=rtcp-fb:<payload type | *> <type> [<parameters>]   (RFC 4585 §4.2)
_RTCP_FB = re.compile(rf"({PAYLOAD_TYPE}|\*) (\S+)(?: (\S.*))?")


class RtcpFb(NamedTuple):
    payload_type: int | None  # None for "*" (every payload type)
    type: str  # "nack", "ccm", "goog-remb", "transport-cc", ...
    parameter: str | None = None  # "pli", "fir", ...

    @classmethod
    def parse(cls, text: str) -> RtcpFb:
        match = _RTCP_FB.fullmatch(text) or _fail(text, "a=rtcp-fb")
        pt, fbtype, parameter = match.groups()
        return cls(None if pt == "*" else int(pt), fbtype, parameter)

    def __str__(self) -> str:
        pt = "*" if self.payload_type is None else str(self.payload_type)
        text = f"{pt} {self.type}"
        return text if self.parameter is None else f"{text} {self.parameter}"


# a=extmap:<id>[/<direction>] <URI> [<extension attributes>]   (RFC 8285 §8)
_EXTMAP = re.compile(rf"({UINT16})(?:/({DIRECTION}))? (\S+)(?: (\S.*))?")


class Extmap(NamedTuple):
    id: int
    uri: str
    direction: str | None = None
    attributes: str | None = None

    @classmethod
    def parse(cls, text: str) -> Extmap:
        ext_id, direction, uri, attributes = _match(_EXTMAP, text, "a=extmap").groups()
        return cls(int(ext_id), uri, direction, attributes)

    def __str__(self) -> str:
        ext_id = str(self.id) if self.direction is None else f"{self.id}/{self.direction}"
        text = f"{ext_id} {self.uri}"
        return text if self.attributes is None else f"{text} {self.attributes}"


# a=rtcp:<port> [<nettype> <addrtype> <connection-address>]   (RFC 3605)
_RTCP = re.compile(rf"({PORT})(?: (\S+) (\S+) (\S+))?")


class Rtcp(NamedTuple):
    port: int
    nettype: str | None = None
    addrtype: str | None = None
    address: str | None = None

    @classmethod
    def parse(cls, text: str) -> Rtcp:
        port, nettype, addrtype, address = _match(_RTCP, text, "a=rtcp").groups()
        return cls(int(port), nettype, addrtype, address)

    def __str__(self) -> str:
        if self.address is None:
            return str(self.port)
        return f"{self.port} {self.nettype} {self.addrtype} {self.address}"


# --- security and ICE (RFC 8122, RFC 4145, RFC 8839) -----------------------------------------

# a=fingerprint:<hash-func> <XX:XX:...>   (RFC 8122 §5)
_FINGERPRINT = re.compile(r"(\S+) ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*)")


class Fingerprint(NamedTuple):
    algorithm: str  # "sha-256", ... (compare case-insensitively)
    value: str  # upper- or lower-case hex pairs joined by ":"

    @classmethod
    def parse(cls, text: str) -> Fingerprint:
        return cls(*_match(_FINGERPRINT, text, "a=fingerprint").groups())

    @property
    def digest(self) -> bytes:
        return bytes.fromhex(self.value.replace(":", ""))

    def __str__(self) -> str:
        return f"{self.algorithm} {self.value}"


# --- grouping, streams and sources (RFC 9143, RFC 8830, RFC 5576, RFC 8851, RFC 8853) -------

# a=group:<semantics> *(SP <identification-tag>)   (RFC 5888 §5)
_GROUP = re.compile(r"(\S+)((?: +\S+)*) *")  # extra spaces tolerated


class Group(NamedTuple):
    semantics: str  # "BUNDLE", "LS", ...
    mids: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Group:
        semantics, mids = _match(_GROUP, text, "a=group").groups()
        return cls(semantics, tuple(mids.split()))

    def __str__(self) -> str:
        return " ".join((self.semantics, *self.mids))


# a=msid-semantic: WMS [<identifier> ...]   (legacy; browsers still send it, with odd spacing)
_MSID_SEMANTIC = re.compile(r"\s*(\S+)(.*)")


class MsidSemantic(NamedTuple):
    semantics: str
    identifiers: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> MsidSemantic:
        semantics, rest = _match(_MSID_SEMANTIC, text, "a=msid-semantic").groups()
        return cls(semantics, tuple(rest.split()))

    def __str__(self) -> str:
        return " ".join((self.semantics, *self.identifiers))


# a=msid:<stream id> [<track id>]   (RFC 8830 §2)
_MSID = re.compile(r"(\S+)(?: (\S+))?")


class Msid(NamedTuple):
    stream_id: str
    track_id: str | None = None

    @classmethod
    def parse(cls, text: str) -> Msid:
        return cls(*_match(_MSID, text, "a=msid").groups())

    def __str__(self) -> str:
        return self.stream_id if self.track_id is None else f"{self.stream_id} {self.track_id}"


# a=ssrc:<ssrc-id> <attribute>[:<value>]   (RFC 5576 §4.1; a bare id is tolerated)
_SSRC = re.compile(rf"({UINT32})(?: ({TOKEN})(?::(.*))?)?")


class Ssrc(NamedTuple):
    ssrc: int
    attribute: str | None = None  # "cname", "msid", ...
    value: str | None = None

    @classmethod
    def parse(cls, text: str) -> Ssrc:
        ssrc, attribute, value = _match(_SSRC, text, "a=ssrc").groups()
        return cls(int(ssrc), attribute, value)

    def __str__(self) -> str:
        if self.attribute is None:
            return str(self.ssrc)
        if self.value is None:
            return f"{self.ssrc} {self.attribute}"
        return f"{self.ssrc} {self.attribute}:{self.value}"


# a=ssrc-group:<semantics> *(SP <ssrc-id>)   (RFC 5576 §4.2)
_SSRC_GROUP = re.compile(rf"({TOKEN})((?: +{UINT32})*) *")


class SsrcGroup(NamedTuple):
    semantics: str  # "FID", "SIM", "FEC-FR", ...
    ssrcs: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> SsrcGroup:
        semantics, ssrcs = _match(_SSRC_GROUP, text, "a=ssrc-group").groups()
        return cls(semantics, tuple(int(s) for s in ssrcs.split()))

    def __str__(self) -> str:
        return " ".join((self.semantics, *map(str, self.ssrcs)))


# a=rid:<rid-id> <send|recv> [<restriction>;...]   (RFC 8851 §10)
_RID = re.compile(r"([A-Za-z0-9_-]+) (send|recv)(?: (\S+))?")


class Rid(NamedTuple):
    id: str
    direction: str  # "send" / "recv"
    restrictions: str | None = None  # "pt=97,98;max-width=1280"

    @classmethod
    def parse(cls, text: str) -> Rid:
        return cls(*_match(_RID, text, "a=rid").groups())

    @property
    def pairs(self) -> tuple[tuple[str, str | None], ...]:
        return parse_parameters(self.restrictions or "")

    @property
    def payload_types(self) -> tuple[int, ...]:
        """The ``pt=`` restriction; empty when absent (every format of the m-line)."""
        for key, value in self.pairs:
            if key == "pt" and value:
                try:
                    return tuple(int(pt) for pt in value.split(","))
                except ValueError:
                    raise SdpError(f"bad rid pt list {value!r}", field="a=rid pt") from None
        return ()

    def __str__(self) -> str:
        text = f"{self.id} {self.direction}"
        return text if self.restrictions is None else f"{text} {self.restrictions}"


class SimulcastRid(NamedTuple):
    rid: str
    paused: bool = False

    def __str__(self) -> str:
        return ("~" if self.paused else "") + self.rid


class Simulcast(NamedTuple):
    """``a=simulcast`` (RFC 8853 §5.1): per direction, streams separated by ``;``, each a
    ``,``-list of alternative rids, ``~`` marking a paused one.

    Also reads the draft-03 form ``send rid=1,4;2 paused=4 recv rid=c`` that old examples use.
    """

    send: tuple[tuple[SimulcastRid, ...], ...] = ()
    recv: tuple[tuple[SimulcastRid, ...], ...] = ()

    @classmethod
    def parse(cls, text: str) -> Simulcast:
        words = text.split()
        lists: dict[str, str] = {}
        paused: set[str] = set()
        index = 0
        while index < len(words):
            word = words[index]
            if word in ("send", "recv") and index + 1 < len(words) and word not in lists:
                lists[word] = words[index + 1].removeprefix("rid=")
                index += 2
            elif word.startswith("paused="):
                paused.update(word[7:].split(","))
                index += 1
            else:
                raise SdpError(f"malformed a=simulcast value {text[:80]!r}", field="a=simulcast")
        if not lists:
            raise SdpError("a=simulcast needs send or recv", field="a=simulcast")

        def streams(spec: str) -> tuple[tuple[SimulcastRid, ...], ...]:
            result = []
            for stream in spec.split(";"):
                alternatives = []
                for rid in stream.split(","):
                    is_paused = rid.startswith("~")
                    rid = rid.removeprefix("~")
                    if not rid:
                        raise SdpError(
                            f"empty rid in a=simulcast {text[:80]!r}", field="a=simulcast"
                        )
                    alternatives.append(SimulcastRid(rid, is_paused or rid in paused))
                result.append(tuple(alternatives))
            return tuple(result)

        return cls(
            streams(lists.get("send", "")) if "send" in lists else (),
            streams(lists["recv"]) if "recv" in lists else (),
        )

    @classmethod
    def check(cls, text: str) -> bool:
        cls.parse(text)
        return True

    def __str__(self) -> str:
        parts = []
        for direction, spec in (("send", self.send), ("recv", self.recv)):
            if spec:
                body = ";".join(",".join(str(rid) for rid in alts) for alts in spec)
                parts.append(f"{direction} {body}")
        return " ".join(parts)


# --- data channels (RFC 8841, draft-ietf-mmusic-sctp-sdp-05) ----------------------------------

# a=sctpmap:<number> <app> [<streams>]   (legacy draft-05 form)
_SCTPMAP = re.compile(rf"({PORT}) (\S+)(?: ({UINT16}))?")


class Sctpmap(NamedTuple):
    number: int  # the SCTP port, also the m-line's format
    protocol: str = "webrtc-datachannel"
    streams: int | None = None

    @classmethod
    def parse(cls, text: str) -> Sctpmap:
        number, protocol, streams = _match(_SCTPMAP, text, "a=sctpmap").groups()
        return cls(int(number), protocol, int(streams) if streams is not None else None)

    def __str__(self) -> str:
        text = f"{self.number} {self.protocol}"
        return text if self.streams is None else f"{text} {self.streams}"


# --- checks run by SessionDescription.parse ---------------------------------------------------


def _is_token(value: str) -> bool | None:
    """Non-empty, no white space and no control character (ufrag, pwd, mid)."""
    return True if value and value.isprintable() and " " not in value else None


def _is_setup_role(value: str) -> bool | None:
    return True if value in SETUP_ROLES else None


_TOKENS = re.compile(r"\S+(?: +\S+)* *")
_PORT_VALUE = re.compile(PORT)
_UINT64_VALUE = re.compile(UINT64)

# a= attribute name -> check of its value: returns None (or raises SdpError) when malformed.
CHECKS: dict[str, Callable[[str], Any]] = {
    "candidate": Candidate.check,
    "rtpmap": _RTPMAP.fullmatch,
    "fmtp": _FMTP.fullmatch,
    "rtcp-fb": _RTCP_FB.fullmatch,
    "extmap": _EXTMAP.fullmatch,
    "rtcp": _RTCP.fullmatch,
    "fingerprint": _FINGERPRINT.fullmatch,
    "setup": _is_setup_role,
    "mid": _is_token,
    "ice-ufrag": _is_token,
    "ice-pwd": _is_token,
    "ice-options": _TOKENS.fullmatch,
    "group": _GROUP.fullmatch,
    "msid": _MSID.fullmatch,
    "msid-semantic": _MSID_SEMANTIC.fullmatch,
    "ssrc": _SSRC.fullmatch,
    "ssrc-group": _SSRC_GROUP.fullmatch,
    "rid": _RID.fullmatch,
    "simulcast": Simulcast.check,
    "sctpmap": _SCTPMAP.fullmatch,
    "sctp-port": _PORT_VALUE.fullmatch,
    "max-message-size": _UINT64_VALUE.fullmatch,
}

# The subset SessionDescription.parse runs on every line (the others run on first access):
# what the layers above need to trust (codecs, header extensions, candidates, DTLS and ICE
# parameters, bundling), while the frequent but less critical rtcp-fb lines stay cheap.
PARSE_CHECKS: dict[str, Callable[[str], Any]] = {
    name: CHECKS[name]
    for name in (
        "candidate",
        "rtpmap",
        "fmtp",
        "extmap",
        "ssrc",
        "fingerprint",
        "setup",
        "mid",
        "group",
        "ice-ufrag",
        "ice-pwd",
        "sctp-port",
        "max-message-size",
    )
}

# Line types other than a= and m= whose value is checked (v= is checked by the parser).
LINE_CHECKS: dict[str, Callable[[str], Any]] = {
    "o": _ORIGIN.fullmatch,
    "c": _CONNECTION.fullmatch,
    "b": _BANDWIDTH.fullmatch,
    "t": _TIMING.fullmatch,
}
MEDIA_CHECK = _MEDIA_RECEIVED.fullmatch


def check_attribute(name: str, value: str | None) -> None:
    """Run the parse-time check of a known attribute on a value the API is about to write."""
    check = CHECKS.get(name)
    if check is None:
        return None
    if value is None:
        raise SdpError(f"a={name} needs a value", field=f"a={name}")
    result = check(value)
    if result is None:
        raise SdpError(f"malformed a={name} value {value[:80]!r}", field=f"a={name}")
