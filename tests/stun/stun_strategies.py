"""Hypothesis strategies for every STUN attribute type and for whole messages."""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

from purertc import stun
from purertc.stun import Attribute, Message, MessageClass

ipv4 = st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
ipv6 = st.integers(0, 2**128 - 1).map(lambda n: str(ipaddress.IPv6Address(n)))
addresses = st.one_of(ipv4, ipv6)
ports = st.integers(0, 0xFFFF)


def text(max_bytes: int) -> st.SearchStrategy[str]:
    return st.text(max_size=max_bytes // 4)


error_codes = st.integers(300, 699)
algorithms = st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=12))

ADDRESS_CLASSES = [
    stun.MappedAddress,
    stun.XorMappedAddress,
    stun.XorPeerAddress,
    stun.XorRelayedAddress,
    stun.AlternateServer,
    stun.ResponseOrigin,
    stun.OtherAddress,
]
TEXT_CLASSES = [stun.Username, stun.Realm, stun.Nonce, stun.Software, stun.AlternateDomain]

STRATEGIES: dict[type[Attribute], st.SearchStrategy[Attribute]] = {
    **{cls: st.builds(cls, addresses, ports) for cls in ADDRESS_CLASSES},
    **{cls: st.builds(cls, text(cls.MAX_BYTES)) for cls in TEXT_CLASSES},
    stun.Userhash: st.builds(stun.Userhash, st.binary(min_size=32, max_size=32)),
    stun.MessageIntegrity: st.builds(stun.MessageIntegrity, st.binary(min_size=20, max_size=20)),
    stun.MessageIntegritySha256: st.builds(
        stun.MessageIntegritySha256,
        st.sampled_from([16, 20, 24, 28, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
    ),
    stun.Fingerprint: st.builds(stun.Fingerprint, st.integers(0, 2**32 - 1)),
    stun.ErrorCode: st.builds(stun.ErrorCode, error_codes, text(763)),
    stun.PasswordAlgorithms: st.builds(
        stun.PasswordAlgorithms, st.lists(algorithms, max_size=4).map(tuple)
    ),
    stun.PasswordAlgorithm: st.builds(
        stun.PasswordAlgorithm, st.integers(0, 0xFFFF), st.binary(max_size=12)
    ),
    stun.UnknownAttributes: st.builds(
        stun.UnknownAttributes, st.lists(st.integers(0, 0xFFFF), max_size=8).map(tuple)
    ),
    stun.Priority: st.builds(stun.Priority, st.integers(0, 2**32 - 1)),
    stun.UseCandidate: st.builds(stun.UseCandidate),
    stun.IceControlled: st.builds(stun.IceControlled, st.integers(0, 2**64 - 1)),
    stun.IceControlling: st.builds(stun.IceControlling, st.integers(0, 2**64 - 1)),
    stun.ChannelNumber: st.builds(stun.ChannelNumber, st.integers(0, 0xFFFF)),
    stun.Lifetime: st.builds(stun.Lifetime, st.integers(0, 2**32 - 1)),
    stun.Data: st.builds(stun.Data, st.binary(max_size=64)),
    stun.RequestedAddressFamily: st.builds(stun.RequestedAddressFamily, st.sampled_from([1, 2])),
    stun.AdditionalAddressFamily: st.builds(stun.AdditionalAddressFamily, st.sampled_from([1, 2])),
    stun.AddressErrorCode: st.builds(
        stun.AddressErrorCode, st.sampled_from([1, 2]), error_codes, text(763)
    ),
    stun.EvenPort: st.builds(stun.EvenPort, st.booleans()),
    stun.RequestedTransport: st.builds(stun.RequestedTransport, st.integers(0, 0xFF)),
    stun.DontFragment: st.builds(stun.DontFragment),
    stun.ReservationToken: st.builds(stun.ReservationToken, st.binary(min_size=8, max_size=8)),
    stun.Icmp: st.builds(
        stun.Icmp, st.integers(0, 0xFF), st.integers(0, 0xFF), st.binary(min_size=4, max_size=4)
    ),
    stun.ConnectionId: st.builds(stun.ConnectionId, st.integers(0, 2**32 - 1)),
}

unknown_attributes = st.builds(
    stun.UnknownAttribute,
    st.integers(0, 0xFFFF).filter(lambda t: t not in stun.ATTRIBUTE_CLASSES),
    st.binary(max_size=40),
)
SEALS = (stun.MessageIntegrity, stun.MessageIntegritySha256, stun.Fingerprint)
any_attribute = st.one_of(*STRATEGIES.values(), unknown_attributes)
plain_attribute = st.one_of(
    *(s for cls, s in STRATEGIES.items() if cls not in SEALS), unknown_attributes
)
transaction_ids = st.binary(min_size=12, max_size=12)
methods = st.one_of(st.sampled_from(list(stun.Method)), st.integers(0, 0xFFF))


@st.composite
def messages(draw: st.DrawFn) -> Message:
    """A message of plain attributes (no seals), any method and class."""
    return Message(
        draw(methods),
        draw(st.sampled_from(list(MessageClass))),
        draw(transaction_ids),
        draw(st.lists(plain_attribute, max_size=8)),
    )
