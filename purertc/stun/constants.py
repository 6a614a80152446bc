"""Numbers from the IANA STUN registries: methods, classes and attribute types.

RFC 8489 §18.2-18.3, RFC 8656 §18, RFC 6062 §6, RFC 8445 §16.1, RFC 5780 §9.
"""

from __future__ import annotations

from enum import IntEnum

MAGIC_COOKIE = 0x2112A442
MAGIC_COOKIE_BYTES = b"\x21\x12\xa4\x42"
HEADER_LENGTH = 20
FINGERPRINT_XOR = 0x5354554E


class Method(IntEnum):
    """STUN methods (12 bits). Unknown methods stay plain ints on parsed messages."""

    BINDING = 0x001
    ALLOCATE = 0x003
    REFRESH = 0x004
    SEND = 0x006
    DATA = 0x007
    CREATE_PERMISSION = 0x008
    CHANNEL_BIND = 0x009
    CONNECT = 0x00A
    CONNECTION_BIND = 0x00B
    CONNECTION_ATTEMPT = 0x00C


class MessageClass(IntEnum):
    """The two class bits C1 C0 (RFC 8489 §5)."""

    REQUEST = 0b00
    INDICATION = 0b01
    SUCCESS_RESPONSE = 0b10
    ERROR_RESPONSE = 0b11


class AttributeType(IntEnum):
    """Attribute type codes; below 0x8000 comprehension-required, above optional."""

    MAPPED_ADDRESS = 0x0001
    USERNAME = 0x0006
    MESSAGE_INTEGRITY = 0x0008
    ERROR_CODE = 0x0009
    UNKNOWN_ATTRIBUTES = 0x000A
    CHANNEL_NUMBER = 0x000C
    LIFETIME = 0x000D
    XOR_PEER_ADDRESS = 0x0012
    DATA = 0x0013
    REALM = 0x0014
    NONCE = 0x0015
    XOR_RELAYED_ADDRESS = 0x0016
    REQUESTED_ADDRESS_FAMILY = 0x0017
    EVEN_PORT = 0x0018
    REQUESTED_TRANSPORT = 0x0019
    DONT_FRAGMENT = 0x001A
    MESSAGE_INTEGRITY_SHA256 = 0x001C
    PASSWORD_ALGORITHM = 0x001D
    USERHASH = 0x001E
    XOR_MAPPED_ADDRESS = 0x0020
    RESERVATION_TOKEN = 0x0022
    PRIORITY = 0x0024
    USE_CANDIDATE = 0x0025
    CONNECTION_ID = 0x002A
    ADDITIONAL_ADDRESS_FAMILY = 0x8000
    ADDRESS_ERROR_CODE = 0x8001
    PASSWORD_ALGORITHMS = 0x8002
    ALTERNATE_DOMAIN = 0x8003
    ICMP = 0x8004
    SOFTWARE = 0x8022
    ALTERNATE_SERVER = 0x8023
    FINGERPRINT = 0x8028
    ICE_CONTROLLED = 0x8029
    ICE_CONTROLLING = 0x802A
    RESPONSE_ORIGIN = 0x802B
    OTHER_ADDRESS = 0x802C


class PasswordAlgorithmId(IntEnum):
    """PASSWORD-ALGORITHM numbers (RFC 8489 §18.5)."""

    MD5 = 0x0001
    SHA256 = 0x0002


def message_type(method: int, message_class: int) -> int:
    """Interleave the 12 method bits and 2 class bits into the 14-bit type (RFC 8489 §5).

    ```
      0                 1
      2  3  4 5 6 7 8 9 0 1 2 3 4 5
     +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
     |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
     |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
     +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
    ```
    """
    return (
        (method & 0x000F)
        | ((method & 0x0070) << 1)
        | ((method & 0x0F80) << 2)
        | ((message_class & 1) << 4)
        | ((message_class & 2) << 7)
    )


def split_message_type(value: int) -> tuple[int, MessageClass]:
    """The inverse of :func:`message_type`: ``(method, class)``."""
    method = (value & 0x000F) | ((value & 0x00E0) >> 1) | ((value & 0x3E00) >> 2)
    klass = MessageClass(((value >> 4) & 1) | ((value >> 7) & 2))
    known: int = Method(method) if method in _METHOD_VALUES else method
    return known, klass


_METHOD_VALUES = frozenset(int(m) for m in Method)
