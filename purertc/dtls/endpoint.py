"""A sans-IO DTLS 1.2 endpoint: OpenSSL (through pyOpenSSL memory BIOs) under the five verbs.

OpenSSL does the handshake, the record protection, replay detection (RFC 6347 §4.1.2.6),
reassembly of fragmented peer messages and fragmentation of ours to the MTU (§4.2.3). This
module feeds it one datagram at a time, drains its output, and adds what WebRTC needs around it:
the certificate check against the SDP fingerprints (RFC 8842 §5), SRTP keying (RFC 5764 §4.2),
events, and a retransmission timer on the caller's clock.

Why our own retransmission timer (RFC 6347 §4.2.4)
--------------------------------------------------
OpenSSL's DTLS timer reads the wall clock, and ``DTLSv1_handle_timeout`` does nothing until
that clock has passed the deadline (checked: it returns False and sends nothing when called
early), while a sans-IO core must run on the caller's ``now`` (simulated time in tests). So the
endpoint keeps the datagrams of the last flight it sent and runs the RFC 6347 §4.2.4.1 timer
itself: 1 s initially, doubling on each expiry, at most 60 s, reset when a new flight goes out.
On expiry it first calls ``DTLSv1_handle_timeout``: when the wall clock agrees with the caller's
(a real deployment), OpenSSL re-sends the flight with fresh record sequence numbers and freshly
protected Finished, and that output becomes the stored flight. When OpenSSL declines (simulated
time), the stored datagrams are sent again byte for byte; the peer's replay window discards the
records it already has and keeps the ones it missed. Our deadline is armed when the flight
leaves (``datagrams_to_send``), after OpenSSL started its own, and both back off alike, so on a
real clock OpenSSL's has always run out when ours does. If OpenSSL re-sends by itself (its timer
ran out while it was reading), the same flight is recognised by its first message_seq and the
back-off goes on rather than restarting.

RFC 6347 §4.2.4 also has each side answer a peer's retransmitted flight by re-sending its own
(the peer's re-send means ours was lost). OpenSSL does so only for a Finished after the
handshake, and a byte-identical retransmission is a replay it drops before looking. So the
endpoint does it itself, from the record and handshake headers it reads before OpenSSL: a peer
flight whose message_seq is at or below the one our current flight answered is a retransmission,
and ours goes out again at once (at most every half second). This matters most for the last
flight, whose sender (the server, in a full handshake) has no timer left.

Datagram boundaries
-------------------
pyOpenSSL's memory BIO is a byte stream, so OpenSSL's datagram boundaries are lost when its output
is read. DTLS records are self-delimiting, so the endpoint splits the output into records and packs
them into datagrams of at most ``mtu`` bytes (OpenSSL is told the same MTU and fragments
handshake messages to fit). Incoming datagrams are checked to be whole records first; a malformed
tail is cut off (RFC 6347 §4.1.2.7: invalid records are silently discarded), and garbage never
reaches OpenSSL.
"""

from __future__ import annotations

import contextlib
import secrets
import struct
from collections import deque
from collections.abc import Callable, Iterable, Sequence

from OpenSSL import SSL, crypto

from purertc.dtls.certificate import Certificate
from purertc.dtls.context import DEFAULT_CIPHERS, shared_context
from purertc.dtls.errors import DtlsError
from purertc.dtls.events import ApplicationData, Closed, Event, Failed, HandshakeComplete
from purertc.dtls.fingerprint import Fingerprint, fingerprint_mismatch, normalize_fingerprints
from purertc.dtls.framing import (
    ALERT_NAMES,
    APPLICATION_DATA,
    HANDSHAKE,
    HANDSHAKE_HEADER_LENGTH,
    HELLO_VERIFY_REQUEST,
    MAX_FRAGMENT_LENGTH,
    RECORD_HEADER_LENGTH,
    iter_record_headers,
    pack_records,
    parse_handshake_fragments,
)
from purertc.dtls.keying import (
    EXPORTER_LABEL,
    SrtpKeys,
    keying_material_length,
    split_keying_material,
)
from purertc.dtls.roles import CLIENT, SERVER, role_from_setup
from purertc.srtp import PROFILES, SrtpProfile

# RFC 6347 §4.2.4.1: initial timer 1 s, doubled on each retransmission, up to 60 s.
INITIAL_RETRANSMIT_INTERVAL = 1.0
MAX_RETRANSMIT_INTERVAL = 60.0

DEFAULT_MTU = 1200

# Preference order when we are the server (OpenSSL picks by the server's order).
DEFAULT_SRTP_PROFILES: tuple[str, ...] = (
    "SRTP_AEAD_AES_128_GCM",
    "SRTP_AEAD_AES_256_GCM",
    "SRTP_AES128_CM_HMAC_SHA1_80",
    "SRTP_AES128_CM_HMAC_SHA1_32",
)
_PROFILES_BY_OPENSSL_NAME = {profile.openssl_name: profile for profile in PROFILES.values()}

_BIO_CHUNK = 1 << 16
# More than any cipher suite adds to a record (header, explicit IV, MAC or tag, padding).
_RECORD_OVERHEAD = 256
_LENGTH = struct.Struct("!H")
_MAX_READ = 1 << 16

# _VERIFYING: OpenSSL finished the handshake before the remote fingerprints were known; the
# peer's certificate waits for set_remote_fingerprints, and nothing is delivered until then.
_NEW, _HANDSHAKING, _VERIFYING, _CONNECTED, _CLOSED, _FAILED = range(6)
_STATE_NAMES = ("new", "connecting", "connecting", "connected", "closed", "failed")
# Least time between two sends of one flight prompted by the peer's retransmissions.
_ANSWER_GAP = INITIAL_RETRANSMIT_INTERVAL / 2


class DtlsEndpoint:
    """One side of a DTLS association; see the module docstring for the time model.

    ``role`` is ``"client"``/``"server"`` (or the ``a=setup`` value ``"active"``/``"passive"``).
    ``remote_fingerprints`` are ``(algorithm, value)`` pairs or ``"sha-256 AB:..."`` strings
    from the remote description; they may also be given later with
    :meth:`set_remote_fingerprints`, even after the handshake (nothing from the peer is
    delivered before its certificate is checked).
    ``srtp_profiles`` is the use_srtp offer (client) or preference (server), IANA names or
    :class:`~purertc.srtp.SrtpProfile`; empty to leave use_srtp out.
    ``mtu`` bounds every datagram (handshake flights are fragmented to it).
    ``hello_verify`` makes a server answer the first ClientHello with a HelloVerifyRequest.
    ``max_retransmissions`` of one flight before the handshake fails.
    ``ciphers`` is an OpenSSL cipher list; ``token_bytes`` supplies the cookie secret.
    """

    def __init__(
        self,
        certificate: Certificate,
        role: str,
        remote_fingerprints: Iterable[Fingerprint | str] = (),
        srtp_profiles: Sequence[str | SrtpProfile] = DEFAULT_SRTP_PROFILES,
        *,
        mtu: int = DEFAULT_MTU,
        hello_verify: bool = False,
        max_retransmissions: int = 7,
        ciphers: bytes = DEFAULT_CIPHERS,
        token_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        if role in ("active", "passive"):
            role = role_from_setup(role)
        if role not in (CLIENT, SERVER):
            raise ValueError(f"role must be 'client' or 'server', not {role!r}")
        if mtu < 256:
            raise ValueError(f"mtu {mtu} is too small for a DTLS handshake")
        self.role = role
        self.mtu = mtu
        self._remote_fingerprints = normalize_fingerprints(remote_fingerprints)
        self._srtp_profiles = [
            p if isinstance(p, SrtpProfile) else PROFILES[p] for p in srtp_profiles
        ]
        self._max_retransmissions = max_retransmissions

        context = shared_context(
            certificate,
            tuple(p.openssl_name for p in self._srtp_profiles),
            ciphers,
            hello_verify,
            token_bytes,
        )
        self._connection = SSL.Connection(context, None)
        self._connection.set_app_data(self)  # how the shared context's callbacks find us
        self._connection.set_ciphertext_mtu(mtu)
        if role == CLIENT:
            self._connection.set_connect_state()
        else:
            self._connection.set_accept_state()

        self._state = _NEW
        self._outbox: list[bytes] = []
        self._events: deque[Event] = deque()
        # Retransmission (see module docstring).
        self._flight: list[bytes] = []
        self._flight_first_message: int | None = None  # its first handshake message_seq
        self._interval = INITIAL_RETRANSMIT_INTERVAL
        self._retransmit_at: float | None = None
        self._arm_on_send = False
        self._retransmissions = 0
        self._holds_final_flight = False
        self._flight_queued = False  # stamp _flight_sent_at when it leaves
        self._flight_sent_at = float("-inf")
        # The highest handshake message_seq seen from the peer, and the one our current flight
        # answers: a peer flight at or below it is a retransmission (RFC 6347 §4.2.4).
        self._peer_message_seen = -1
        self._answered_peer_message = -1
        self._pending_complete: HandshakeComplete | None = None  # while _VERIFYING
        # Set by OpenSSL callbacks during a call into it.
        self._remote_certificate: bytes | None = None
        self._verify_failure: str | None = None
        self._alert_received: int | None = None
        self._alert_sent: int | None = None
        self.dropped_datagrams = 0

    # Commands ---------------------------------------------------------------------------------

    def set_remote_fingerprints(self, fingerprints: Iterable[Fingerprint | str]) -> None:
        """The remote description's fingerprints, if they were not known at construction.

        They may come after the handshake (a DTLS client can start as soon as ICE works, before
        the answer reaches us): the peer's certificate is then checked here, and the
        ``HandshakeComplete`` held back until now is released, or the connection fails.
        """
        self._remote_fingerprints = normalize_fingerprints(fingerprints)
        if self._state != _VERIFYING or self._pending_complete is None:
            return
        reason = fingerprint_mismatch(
            self._pending_complete.remote_certificate, self._remote_fingerprints
        )
        if reason is None:
            self._state = _CONNECTED
            self._events.append(self._pending_complete)
            self._pending_complete = None
            return
        # OpenSSL has no fatal alert to send once the handshake is over: close_notify it is.
        with contextlib.suppress(SSL.Error):
            self._connection.shutdown()
        self._outbox.extend(pack_records(self._read_output(), self.mtu))
        self._fail(reason)

    def start_handshake(self) -> None:
        """Begin: a client sends its ClientHello, a server starts accepting one."""
        if self._state != _NEW:
            return
        self._state = _HANDSHAKING
        if self.role == CLIENT:
            self._advance_handshake()

    def send(self, data: bytes) -> None:
        """Protect ``data`` as one application-data record (one SCTP packet, for WebRTC).

        Up to :attr:`max_send_size` bytes the datagram fits the MTU; larger records (up to
        2^14 bytes) are sent whole and left to IP fragmentation."""
        if self._state != _CONNECTED:
            raise DtlsError("send: the DTLS connection is not established")
        if len(data) > MAX_FRAGMENT_LENGTH:
            raise DtlsError(f"send: {len(data)} bytes exceed a record's {MAX_FRAGMENT_LENGTH}")
        try:
            self._connection.send(data)
            record = self._connection.bio_read(len(data) + _RECORD_OVERHEAD)
        except SSL.Error as exc:
            self._fail(f"sending application data failed: {_describe(exc)}")
            return
        self._outbox.append(record)  # one record, so one datagram

    def close(self) -> None:
        """Send close_notify and end the connection (RFC 5246 §7.2.1)."""
        if self._state in (_CLOSED, _FAILED):
            return
        if self._state in (_CONNECTED, _VERIFYING):
            # If close_notify cannot be written the connection ends all the same.
            with contextlib.suppress(SSL.Error):
                self._connection.shutdown()
            self._outbox.extend(pack_records(self._read_output(), self.mtu))
        self._end(_CLOSED, Closed("closed locally"))

    @property
    def max_send_size(self) -> int:
        """The largest ``send`` whose record still fits the MTU."""
        return int(self._connection.get_cleartext_mtu())

    @property
    def is_connected(self) -> bool:
        return self._state == _CONNECTED

    @property
    def state(self) -> str:
        """``"new"``, ``"connecting"``, ``"connected"``, ``"closed"`` or ``"failed"`` (the
        W3C RTCDtlsTransportState names)."""
        return _STATE_NAMES[self._state]

    # The five verbs ---------------------------------------------------------------------------

    def receive(self, data: bytes, now: float) -> None:
        if self._state == _CONNECTED and _is_one_application_record(data):
            # The hot path (every SCTP packet): one protected record in, at most one event out.
            self._connection.bio_write(data)
            self._read_application_data(1)
            return
        if self._state in (_CLOSED, _FAILED):
            return
        if self._state == _NEW:
            if self.role == CLIENT:
                return  # nothing has been asked yet
            self._state = _HANDSHAKING
        end, only_application_data, peer_message = _inspect(data)
        if end == 0:
            self.dropped_datagrams += 1
            return
        if self._state == _VERIFYING:
            # Until the peer is authenticated nothing of its is read; a re-sent flight still
            # gets our last flight again.
            if self._holds_final_flight:
                self._answer_retransmission(peer_message, now)
            if only_application_data:
                self.dropped_datagrams += 1
            return
        self._connection.bio_write(data[:end] if end < len(data) else data)
        self._peer_message_seen = max(self._peer_message_seen, peer_message)
        was_connected = self._state == _CONNECTED
        if self._state == _HANDSHAKING:
            answered = self._advance_handshake()
            if not answered and self._state == _HANDSHAKING:
                self._answer_retransmission(peer_message, now)
        if self._state == _CONNECTED:
            # Read until OpenSSL has nothing left: several records, an alert after data, or
            # records it buffered while the handshake was finishing.
            self._read_application_data()
            if only_application_data or self._state != _CONNECTED:
                return  # application data alone never makes OpenSSL write
            output = self._read_output()
            if output:
                self._outbox.extend(pack_records(output, self.mtu))
            elif was_connected and self._holds_final_flight:
                self._answer_retransmission(peer_message, now)

    def handle_timer(self, now: float) -> None:
        if self._retransmit_at is None or now < self._retransmit_at:
            return
        if self._state != _HANDSHAKING:
            self._retransmit_at = None
            return
        self._retransmissions += 1
        if self._retransmissions > self._max_retransmissions:
            self._fail(f"handshake timed out after {self._max_retransmissions} retransmissions")
            return
        try:
            self._connection.DTLSv1_handle_timeout()
        except SSL.Error as exc:
            self._fail(f"handshake retransmission failed: {_describe(exc)}")
            return
        output = self._read_output()
        if output:  # OpenSSL's own timer agreed: fresh sequence numbers
            self._flight = pack_records(output, self.mtu)
        self._outbox.extend(self._flight)
        self._flight_sent_at = now
        self._interval = min(self._interval * 2, MAX_RETRANSMIT_INTERVAL)
        self._retransmit_at = now + self._interval

    def get_timer(self) -> float | None:
        return self._retransmit_at

    def datagrams_to_send(self, now: float) -> list[bytes]:
        if self._flight_queued:
            self._flight_queued = False
            self._flight_sent_at = now
        if self._arm_on_send:
            self._arm_on_send = False
            self._retransmit_at = now + self._interval
        if not self._outbox:
            return []
        datagrams, self._outbox = self._outbox, []
        return datagrams

    def next_event(self) -> Event | None:
        return self._events.popleft() if self._events else None

    # OpenSSL plumbing -------------------------------------------------------------------------

    def _read_output(self) -> bytes:
        """Everything OpenSSL wrote since the last call.

        A read shorter than asked means the BIO is empty: that saves the call that would raise
        WantReadError (an exception costs more than the read).
        """
        chunks: list[bytes] = []
        while True:
            try:
                chunk = self._connection.bio_read(_BIO_CHUNK)
            except SSL.WantReadError:
                break
            chunks.append(chunk)
            if len(chunk) < _BIO_CHUNK:
                break
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _advance_handshake(self) -> bool:
        """Let OpenSSL take the handshake as far as it can; True if it wrote anything."""
        try:
            self._connection.do_handshake()
        except SSL.WantReadError:
            return self._take_flight(complete=False)
        except SSL.Error as exc:
            self._fail_handshake(exc)
            return True
        wrote = self._take_flight(complete=True)
        self._complete()
        return wrote

    def _take_flight(self, complete: bool) -> bool:
        """Queue what the handshake wrote; a new flight restarts the retransmission timer."""
        output = self._read_output()
        if complete:
            self._retransmit_at = None
            self._arm_on_send = False
        if not output:
            return False
        first_message = _first_message_seq(output)
        # OpenSSL re-sends a flight by itself when its wall-clock timer ran out while it was
        # reading: the same messages again, which must not restart the back-off.
        resent = first_message is not None and first_message == self._flight_first_message
        self._flight = pack_records(output, self.mtu)
        self._flight_first_message = first_message
        self._flight_queued = True
        self._outbox.extend(self._flight)
        if not resent:
            self._answered_peer_message = self._peer_message_seen
        if complete:
            self._holds_final_flight = True  # we sent the last flight: answer its retransmits
        elif not resent and not _is_hello_verify_request(output):  # RFC 6347 §4.2.1: stateless
            self._interval = INITIAL_RETRANSMIT_INTERVAL
            self._retransmissions = 0
            self._retransmit_at = None
            self._arm_on_send = True
        return True

    def _answer_retransmission(self, peer_message: int, now: float) -> None:
        """RFC 6347 §4.2.4: the peer sent again a flight we had answered, so our answer was
        lost: send it again now rather than at our timer (which restarts). At most once per
        ``_ANSWER_GAP``, so a duplicating network cannot multiply flights."""
        if (
            0 <= peer_message <= self._answered_peer_message
            and self._flight
            and now >= self._flight_sent_at + _ANSWER_GAP
        ):
            self._outbox.extend(self._flight)
            self._flight_sent_at = now
            if self._retransmit_at is not None:
                self._retransmit_at = now + self._interval

    def _complete(self) -> None:
        remote = self._remote_certificate
        if remote is None:  # VERIFY_FAIL_IF_NO_PEER_CERT makes this unreachable
            self._fail("handshake completed without a peer certificate")
            return
        profile: SrtpProfile | None = None
        keys: SrtpKeys | None = None
        selected = self._connection.get_selected_srtp_profile()
        if selected:
            profile = _PROFILES_BY_OPENSSL_NAME.get(selected.decode())
            if profile is None:
                self._fail(f"peer selected an SRTP profile we did not offer: {selected!r}")
                return
            material = self._connection.export_keying_material(
                EXPORTER_LABEL, keying_material_length(profile)
            )
            keys = split_keying_material(material, profile, self.role == CLIENT)
        complete = HandshakeComplete(
            srtp_profile=profile,
            srtp_keys=keys,
            cipher=self._connection.get_cipher_name() or "",
            protocol=self._connection.get_protocol_version_name(),
            remote_certificate=remote,
        )
        if not self._remote_fingerprints:
            self._state = _VERIFYING
            self._pending_complete = complete
            return
        self._state = _CONNECTED
        self._events.append(complete)

    def _read_application_data(self, records: int | None = None) -> None:
        """Up to ``records`` decrypted records as events (``None``: all OpenSSL has)."""
        count = 0
        while records is None or count < records:
            count += 1
            try:
                data = self._connection.recv(_MAX_READ)
            except SSL.WantReadError:
                return
            except SSL.ZeroReturnError:
                self._peer_closed()
                return
            except SSL.Error as exc:
                self._fail_from_peer(exc)
                return
            self._events.append(ApplicationData(data))

    def _peer_closed(self) -> None:
        with contextlib.suppress(SSL.Error):
            self._connection.shutdown()  # answer with our close_notify
        self._outbox.extend(pack_records(self._read_output(), self.mtu))
        self._end(_CLOSED, Closed("peer sent close_notify"))

    def _fail_handshake(self, exc: SSL.Error) -> None:
        self._outbox.extend(pack_records(self._read_output(), self.mtu))  # OpenSSL's alert
        if self._verify_failure is not None:
            self._fail(self._verify_failure, self._alert_sent)
        else:
            self._fail_from_peer(exc)

    def _fail_from_peer(self, exc: SSL.Error) -> None:
        self._outbox.extend(pack_records(self._read_output(), self.mtu))
        if self._alert_received is not None:
            name = ALERT_NAMES.get(self._alert_received, str(self._alert_received))
            self._fail(f"peer sent fatal alert {name}: {_describe(exc)}", self._alert_received)
        else:
            self._fail(f"DTLS error: {_describe(exc)}", self._alert_sent)

    def _fail(self, reason: str, alert: int | None = None) -> None:
        self._end(_FAILED, Failed(reason, alert))

    def _end(self, state: int, event: Event) -> None:
        self._state = state
        self._retransmit_at = None
        self._arm_on_send = False
        self._holds_final_flight = False
        self._events.append(event)

    # OpenSSL callbacks: they only record facts, never raise --------------------------------

    def _verify(self, x509: crypto.X509, depth: int) -> bool:
        """Accept the peer's self-signed leaf certificate iff it matches a remote fingerprint
        (or provisionally, when none are known yet: see set_remote_fingerprints)."""
        if depth != 0:
            return True  # RFC 8842 §5: only the end-entity certificate is bound to the SDP
        der = crypto.dump_certificate(crypto.FILETYPE_ASN1, x509)
        if der == self._remote_certificate:
            return True
        if not self._remote_fingerprints:
            self._remote_certificate = der  # checked when the fingerprints arrive
            return True
        reason = fingerprint_mismatch(der, self._remote_fingerprints)
        if reason is not None:
            self._verify_failure = reason
            return False
        self._remote_certificate = der
        return True

    def _on_alert(self, received: bool, value: int) -> None:
        if value >> 8 == 2:  # fatal
            if received:
                self._alert_received = value & 0xFF
            else:
                self._alert_sent = value & 0xFF


def _is_one_application_record(data: bytes) -> bool:
    """The datagram is exactly one application-data record: the per-packet case, checked
    without walking the records."""
    return (
        len(data) >= RECORD_HEADER_LENGTH
        and data[0] == APPLICATION_DATA
        and data[1] == 0xFE
        and _LENGTH.unpack_from(data, 11)[0] + RECORD_HEADER_LENGTH == len(data)
    )


def _inspect(data: bytes) -> tuple[int, bool, int]:
    """How many leading bytes are whole, well-formed records; whether they are all application
    data; and the highest message_seq of the epoch-0 handshake records among them (a peer's
    flight; -1 if none).

    The fragment headers of epoch-0 handshake records are checked too: OpenSSL treats a
    malformed one as fatal, while a datagram dropped here cannot hurt."""
    end = 0
    only_application_data = True
    message_seq = -1
    try:
        for header in iter_record_headers(data):
            if header.content_type == HANDSHAKE and header.epoch == 0:
                for fragment in parse_handshake_fragments(
                    memoryview(data)[header.start : header.end]
                ):
                    message_seq = max(message_seq, fragment.message_seq)
            if header.content_type != APPLICATION_DATA:
                only_application_data = False
            end = header.end
    except DtlsError:
        pass
    return end, only_application_data, message_seq


def _first_message_seq(output: bytes) -> int | None:
    """The message_seq of the handshake message opening a flight (plaintext epoch 0)."""
    if len(output) < RECORD_HEADER_LENGTH + HANDSHAKE_HEADER_LENGTH or output[0] != HANDSHAKE:
        return None
    if output[3:5] != b"\x00\x00":  # epoch
        return None
    return int(_LENGTH.unpack_from(output, RECORD_HEADER_LENGTH + 4)[0])


def _is_hello_verify_request(output: bytes) -> bool:
    return (
        len(output) > 13 + HANDSHAKE_HEADER_LENGTH
        and output[0] == HANDSHAKE
        and output[13] == HELLO_VERIFY_REQUEST
    )


def _describe(exc: SSL.Error) -> str:
    """OpenSSL's error queue as one line (the reason strings)."""
    if exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        reasons = [str(entry[-1]) for entry in exc.args[0] if isinstance(entry, tuple)]
        if reasons:
            return "; ".join(reasons)
    return str(exc) or type(exc).__name__
