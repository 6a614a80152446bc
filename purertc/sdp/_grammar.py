"""Regular-expression fragments for the SDP grammar (RFC 8866 §9 and the attribute RFCs).

Every typed value in this package is validated and decomposed by one compiled pattern, so the
check run by ``SessionDescription.parse`` and the typed accessors share a single definition.
Numeric ranges are part of the patterns (``uint_pattern``), so a value the pattern accepts
always converts without a further check.
"""

from __future__ import annotations


def uint_pattern(limit: int) -> str:
    """A non-capturing alternation matching the decimal integers ``0..limit``.

    No leading zeros (except ``0`` itself): the digit count then bounds the value, and the
    same-length alternatives bound it digit by digit, e.g. ``uint_pattern(127)`` accepts
    ``0``..``99``, ``100``..``119`` and ``120``..``127``.
    """
    digits = str(limit)
    width = len(digits)
    alternatives = []
    for index, char in enumerate(digits):
        low = 1 if index == 0 else 0
        high = int(char) - 1
        if high < low:
            continue
        rest = width - index - 1
        tail = f"[0-9]{{{rest}}}" if rest else ""
        alternatives.append(f"{digits[:index]}[{low}-{high}]{tail}")
    alternatives.append(digits)
    # Full-width numbers first, shorter ones after: the common long values (priorities,
    # SSRCs) then match without backtracking through the shorter alternative.
    if width > 1:
        alternatives.append(f"[1-9][0-9]{{0,{width - 2}}}")
    alternatives.append("0")
    return "(?:" + "|".join(alternatives) + ")"


PAYLOAD_TYPE = uint_pattern(127)  # RFC 3550 §5.1: 7 bits
PORT = uint_pattern(65535)
UINT8 = uint_pattern(255)
UINT16 = uint_pattern(65535)
UINT32 = uint_pattern(4294967295)
UINT64 = uint_pattern(18446744073709551615)
TOKEN = r"[^\s:]+"  # RFC 8866 token, relaxed to "no white space, no colon"
NON_WS = r"\S+"
DIRECTION = r"(?:sendrecv|sendonly|recvonly|inactive)"
