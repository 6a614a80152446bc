"""SrtpContext behaviour, run identically against both backends and every profile."""

from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from purertc.srtp import PROFILES, SrtpContext, SrtpError
from purertc.srtp.aes_cm import HmacSha1
from purertc.srtp.kdf import derive_session_keys
from tests.srtp.srtp_packets import (
    BACKEND_NAMES,
    PROFILE_NAMES,
    make_pair,
    master_for,
    python_state,
    rtcp_packet,
    rtp_packet,
)

pytestmark = [
    pytest.mark.parametrize("backend", BACKEND_NAMES),
    pytest.mark.parametrize("profile", PROFILE_NAMES),
]


def test_rtp_round_trip_with_csrcs_and_extension(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    packet = rtp_packet(7, csrcs=(1, 2, 3), extension=b"\x10\xff\x00\x00", payload=b"x" * 300)
    protected = sender.protect(packet)
    tag = PROFILES[profile].rtp_tag_length
    assert len(protected) == len(packet) + tag
    header_length = 12 + 12 + 8
    assert protected[:header_length] == packet[:header_length]  # header stays clear
    assert protected[header_length:-tag] != packet[header_length:]  # payload does not
    assert receiver.unprotect(protected) == packet


def test_empty_payload(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    packet = rtp_packet(1, payload=b"")
    assert receiver.unprotect(sender.protect(packet)) == packet


def test_rtcp_round_trip(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    for n in range(1, 5):
        packet = rtcp_packet(body=bytes([n]) * 40)
        protected = sender.protect_rtcp(packet)
        p = PROFILES[profile]
        assert len(protected) == len(packet) + 4 + p.rtcp_tag_length
        assert receiver.unprotect_rtcp(protected) == packet


def test_sequence_wrap_increments_roc(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    seqs = [65530 + i for i in range(6)] + list(range(0, 6))
    protected = [sender.protect(rtp_packet(seq, payload=bytes([seq % 256]) * 10)) for seq in seqs]
    for seq, packet in zip(seqs, protected, strict=True):
        assert receiver.unprotect(packet) == rtp_packet(seq, payload=bytes([seq % 256]) * 10)
    # The same sequence number one ROC apart gives a different packet (the index differs) and
    # an old one is refused by the fresh receiver's window after the wrap.
    again = sender.protect(rtp_packet(65535, payload=b"\x00" * 10))  # a repeat, ROC 0
    with pytest.raises(SrtpError, match="replay"):
        receiver.unprotect(again)


def test_reordering_across_the_wrap(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    packets = {seq: sender.protect(rtp_packet(seq)) for seq in [65533, 65534, 65535, 0, 1, 2]}
    for seq in [65533, 0, 65535, 2, 65534, 1]:
        assert receiver.unprotect(packets[seq]) == rtp_packet(seq)


def test_replayed_rtp_rejected(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    first, second = sender.protect(rtp_packet(10)), sender.protect(rtp_packet(11))
    receiver.unprotect(second)
    receiver.unprotect(first)  # late but inside the window
    for packet in (first, second):
        with pytest.raises(SrtpError, match="replay check failed"):
            receiver.unprotect(packet)


def test_too_old_rtp_rejected(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend, replay_window=64)
    old = sender.protect(rtp_packet(100))
    receiver.unprotect(sender.protect(rtp_packet(100 + 64)))
    with pytest.raises(SrtpError, match="replay check failed.*too old"):
        receiver.unprotect(old)
    # 63 behind is still inside the window.
    receiver.unprotect(sender.protect(rtp_packet(101)))


def test_larger_replay_window(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend, replay_window=256)
    old = sender.protect(rtp_packet(100))
    receiver.unprotect(sender.protect(rtp_packet(300)))
    assert receiver.unprotect(old) == rtp_packet(100)


def test_replayed_rtcp_rejected(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    first = sender.protect_rtcp(rtcp_packet())
    second = sender.protect_rtcp(rtcp_packet())
    receiver.unprotect_rtcp(second)
    receiver.unprotect_rtcp(first)
    with pytest.raises(SrtpError, match="replay check failed"):
        receiver.unprotect_rtcp(first)


def test_too_old_rtcp_rejected(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    old = sender.protect_rtcp(rtcp_packet())
    for _ in range(200):
        latest = sender.protect_rtcp(rtcp_packet())
    receiver.unprotect_rtcp(latest)
    with pytest.raises(SrtpError, match="replay check failed"):
        receiver.unprotect_rtcp(old)


def test_retransmission_with_same_sequence_is_allowed(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    first = sender.protect(rtp_packet(5))
    sender.protect(rtp_packet(6))
    assert sender.protect(rtp_packet(5)) == first  # same index, same keystream, same bytes
    assert receiver.unprotect(first) == rtp_packet(5)


def test_protecting_below_the_window_raises(profile: str, backend: str) -> None:
    sender, _ = make_pair(profile, backend)
    sender.protect(rtp_packet(1000))
    with pytest.raises(SrtpError, match="too old"):
        sender.protect(rtp_packet(1000 - 64))


def _flip_every_bit(packet: bytes) -> list[bytes]:
    out = []
    for position in range(len(packet) * 8):
        mutated = bytearray(packet)
        mutated[position // 8] ^= 0x80 >> (position % 8)
        out.append(bytes(mutated))
    return out


def test_any_flipped_rtp_bit_fails_and_changes_nothing(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    receiver.unprotect(sender.protect(rtp_packet(65534)))
    late = sender.protect(rtp_packet(65533, payload=b"late"))
    packet = sender.protect(rtp_packet(2, csrcs=(9,), extension=b"\x10\x01\x00\x00"))
    before = python_state(receiver) if backend == "python" else None
    for mutated in _flip_every_bit(packet):
        with pytest.raises(SrtpError):
            receiver.unprotect(mutated)
        if before is not None:
            assert python_state(receiver) == before
    # Nothing moved: the genuine packet (which wraps the ROC) and the late one both pass.
    assert receiver.unprotect(packet) == rtp_packet(2, csrcs=(9,), extension=b"\x10\x01\x00\x00")
    assert receiver.unprotect(late) == rtp_packet(65533, payload=b"late")


def test_any_flipped_rtcp_bit_fails_and_changes_nothing(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    packets = [sender.protect_rtcp(rtcp_packet(body=bytes([n]) * 12)) for n in range(3)]
    receiver.unprotect_rtcp(packets[0])
    before = python_state(receiver) if backend == "python" else None
    for mutated in _flip_every_bit(packets[2]):
        with pytest.raises(SrtpError):
            receiver.unprotect_rtcp(mutated)
        if before is not None:
            assert python_state(receiver) == before
    assert receiver.unprotect_rtcp(packets[2]) == rtcp_packet(body=b"\x02" * 12)
    assert receiver.unprotect_rtcp(packets[1]) == rtcp_packet(body=b"\x01" * 12)


def test_forged_packet_far_ahead_does_not_move_the_window(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    held = sender.protect(rtp_packet(99))
    receiver.unprotect(sender.protect(rtp_packet(100)))
    genuine_ahead = sender.protect(rtp_packet(20000))
    forged = genuine_ahead[:-1] + bytes([genuine_ahead[-1] ^ 1])
    with pytest.raises(SrtpError, match="authentication failed"):
        receiver.unprotect(forged)
    assert receiver.unprotect(held) == rtp_packet(99)  # would be too old had the forgery counted


def test_wrong_key_fails_authentication(profile: str, backend: str) -> None:
    sender, _ = make_pair(profile, backend)
    key, salt = master_for(profile, seed=2)
    stranger = SrtpContext(profile, key, salt, backend=backend)
    with pytest.raises(SrtpError, match="authentication failed"):
        stranger.unprotect(sender.protect(rtp_packet(1)))
    with pytest.raises(SrtpError, match="authentication failed"):
        stranger.unprotect_rtcp(sender.protect_rtcp(rtcp_packet()))


@pytest.mark.parametrize(
    "packet",
    [
        b"",
        b"\x80",
        rtp_packet(1, payload=b"")[:11],
        rtp_packet(1, payload=b"", csrcs=(1, 2))[:19],
        bytes([0x90]) + rtp_packet(1, payload=b"")[1:],  # X set, no extension header
        rtp_packet(1, payload=b"", extension=b"\x00" * 8)[:-4],
    ],
)
def test_too_short_rtp(profile: str, backend: str, packet: bytes) -> None:
    sender, receiver = make_pair(profile, backend)
    with pytest.raises(SrtpError, match="too short"):
        sender.protect(packet)
    with pytest.raises(SrtpError, match="too short"):
        receiver.unprotect(packet)


def test_srtp_shorter_than_its_tag(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    protected = sender.protect(rtp_packet(1, payload=b""))
    with pytest.raises(SrtpError, match="too short"):
        receiver.unprotect(protected[:-1])


def test_too_short_rtcp(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    with pytest.raises(SrtpError, match="too short"):
        sender.protect_rtcp(rtcp_packet()[:7])
    protected = sender.protect_rtcp(rtcp_packet(body=b""))
    with pytest.raises(SrtpError, match="too short"):
        receiver.unprotect_rtcp(protected[:-1])


def test_ssrc_limit_and_remove_ssrc(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend, max_ssrcs=2)
    first = [sender.protect(rtp_packet(1, ssrc=ssrc)) for ssrc in (1, 2)]
    with pytest.raises(SrtpError, match="limit of 2 SSRCs"):
        sender.protect(rtp_packet(1, ssrc=3))
    for packet in first:
        receiver.unprotect(packet)
    sender.remove_ssrc(2)
    third = sender.protect(rtp_packet(1, ssrc=3))
    with pytest.raises(SrtpError, match="limit of 2 SSRCs"):
        receiver.unprotect(third)
    receiver.remove_ssrc(1)
    assert receiver.unprotect(third) == rtp_packet(1, ssrc=3)


def test_forged_packets_cannot_fill_the_ssrc_table(profile: str, backend: str) -> None:
    sender, _ = make_pair(profile, backend)
    _, receiver = make_pair(profile, backend, max_ssrcs=1)
    forged = bytearray(sender.protect(rtp_packet(1, ssrc=0xBAD)))
    forged[-1] ^= 0xFF
    with pytest.raises(SrtpError, match="authentication failed"):
        receiver.unprotect(bytes(forged))
    assert receiver.unprotect(sender.protect(rtp_packet(1, ssrc=0x600D))) == rtp_packet(
        1, ssrc=0x600D
    )


def test_master_key_and_salt_lengths_checked(profile: str, backend: str) -> None:
    key, salt = master_for(profile)
    with pytest.raises(SrtpError, match="master key length"):
        SrtpContext(profile, key + b"\x00", salt, backend=backend)
    with pytest.raises(SrtpError, match="master salt length"):
        SrtpContext(profile, key, salt[:-1], backend=backend)


@pytest.mark.parametrize("window", [0, 63, 0x8000])
def test_replay_window_range(profile: str, backend: str, window: int) -> None:
    key, salt = master_for(profile)
    with pytest.raises(SrtpError, match="replay_window"):
        SrtpContext(profile, key, salt, backend=backend, replay_window=window)


def _unencrypted_srtcp(profile: str, packet: bytes, ssrc: int, index: int) -> bytes:
    """An SRTCP packet with the E bit clear (RFC 3711 §3.4, RFC 7714 §9.2), built by hand."""
    p = PROFILES[profile]
    _, keys = derive_session_keys(p, *master_for(profile))
    word = struct.pack("!I", index)
    if p.cipher == "aes-gcm":
        iv = (int.from_bytes(keys.salt, "big") ^ (ssrc << 48 | index)).to_bytes(12, "big")
        tag = AESGCM(keys.encryption_key).encrypt(iv, b"", packet + word)
        return packet + tag + word
    return packet + word + HmacSha1(keys.authentication_key, p.rtcp_tag_length).tag(packet, word)


def test_unencrypted_srtcp_is_accepted(profile: str, backend: str) -> None:
    _, receiver = make_pair(profile, backend)
    packet = rtcp_packet(body=b"clear" * 4)
    srtcp = _unencrypted_srtcp(profile, packet, 0x11223344, 7)
    if backend == "libsrtp" and PROFILES[profile].cipher == "aes-cm":
        # libsrtp's AES-CM path insists the E bit match its policy (documented difference).
        with pytest.raises(SrtpError, match="unable to perform desired validation"):
            receiver.unprotect_rtcp(srtcp)
        return
    assert receiver.unprotect_rtcp(srtcp) == packet
    with pytest.raises(SrtpError, match="replay check failed"):
        receiver.unprotect_rtcp(srtcp)
    forged = _unencrypted_srtcp(profile, rtcp_packet(body=b"CLEAR" * 4), 0x11223344, 8)
    forged = forged[:8] + b"c" + forged[9:]
    with pytest.raises(SrtpError, match="authentication failed"):
        receiver.unprotect_rtcp(forged)


def test_large_packets(profile: str, backend: str) -> None:
    sender, receiver = make_pair(profile, backend)
    fits = rtp_packet(1, payload=b"j" * 1300)
    assert receiver.unprotect(sender.protect(fits)) == fits
    jumbo = rtp_packet(2, payload=b"j" * 8000)
    if backend == "libsrtp":
        # pylibsrtp copies through a 1500-byte buffer (documented limit of that backend).
        with pytest.raises(SrtpError, match="1500-byte buffer"):
            sender.protect(jumbo)
        with pytest.raises(SrtpError, match="1500-byte buffer"):
            sender.protect_rtcp(rtcp_packet(body=b"j" * 8000))
        return
    assert receiver.unprotect(sender.protect(jumbo)) == jumbo
    big_rtcp = rtcp_packet(body=b"j" * 8000)
    assert receiver.unprotect_rtcp(sender.protect_rtcp(big_rtcp)) == big_rtcp
