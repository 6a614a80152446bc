"""SCTP Payload Protocol Identifiers used by WebRTC data channels (RFC 8831 §8, IANA registry)."""

from __future__ import annotations

from enum import IntEnum


class Ppid(IntEnum):
    DCEP = 50
    STRING = 51
    STRING_PARTIAL = 52  # deprecated (RFC 8831 §8): accepted and reassembled on receive only
    BINARY = 53
    BINARY_PARTIAL = 54  # deprecated, as above
    STRING_EMPTY = 56  # RFC 8831 §6.6: an empty message is sent as one zero byte with this PPID
    BINARY_EMPTY = 57
