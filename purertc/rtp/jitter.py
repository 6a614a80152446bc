"""The receive-side jitter buffer: packets in any order in, whole frames out.

Packets are keyed by extended sequence number (so reordering across the 16-bit wrap works).
A video frame is the run of consecutive packets sharing a timestamp that ends with the marker
bit (or right before a packet with a new timestamp); audio packets are one frame each. Frames
come out in sequence order only when complete and depacketized without error (decoding starts
at a key frame, ``startup_delay`` after the first packet so reordered earlier frames are not
skipped); a frame that
cannot complete within ``max_wait`` seconds of a hole, or that is malformed, is dropped along
with everything up to the next key frame, and :class:`KeyframeNeeded` is reported so the
owner can send a PLI. Packets for frames already released are late and dropped. At most
``capacity`` packets are held.
"""

from __future__ import annotations

from collections import deque

from .codecs.base import Depacketizer
from .errors import RtpError
from .events import Frame, FrameReady, JitterEvent, KeyframeNeeded
from .implementation import RtpPacket
from .sequence import SequenceUnwrapper


class JitterBuffer:
    def __init__(
        self,
        depacketizer: Depacketizer,
        *,
        audio: bool = False,
        capacity: int = 1024,
        max_wait: float = 0.3,
        startup_delay: float | None = None,
    ) -> None:
        self.depacketizer = depacketizer
        self.audio = audio
        self.capacity = capacity
        self.max_wait = max_wait
        # Before the first frame, packets of earlier frames may still be on their way (reordered):
        # wait this long after the first packet before choosing where decoding starts.
        self.startup_delay = (
            (0.0 if audio else max_wait) if startup_delay is None else startup_delay
        )
        self._first_arrival: float | None = None
        self._synced = False
        self._unwrapper = SequenceUnwrapper()
        self._packets: dict[int, RtpPacket] = {}
        self._next: int | None = None  # extended seq where the next frame starts, if known
        self._candidate: int | None = None  # earliest usable frame start while _next is None
        self._need_keyframe = not audio
        self._blocked_since: float | None = None
        self._events: deque[JitterEvent] = deque()
        self.late_packets = 0
        self.duplicate_packets = 0
        self.dropped_frames = 0

    # --- the sans-IO verbs -------------------------------------------------------------------

    def receive(self, packet: RtpPacket, now: float) -> None:
        ext = self._unwrapper.unwrap(packet.sequence_number)
        if self._first_arrival is None:
            self._first_arrival = now
        if self._next is not None and ext < self._next:
            self.late_packets += 1
            return
        if ext in self._packets:
            self.duplicate_packets += 1
            return
        if len(self._packets) >= self.capacity:
            self._packets.clear()
            self._resync("jitter buffer full")
        self._packets[ext] = packet
        if (
            self._next is None
            and self._is_start(packet)
            and (self._candidate is None or ext < self._candidate)
        ):
            self._candidate = ext
        self._process(now)

    def handle_timer(self, now: float) -> None:
        self._process(now)

    def get_timer(self) -> float | None:
        if self._blocked_since is None:
            return None
        return self._blocked_since + self.max_wait

    def next_event(self) -> JitterEvent | None:
        return self._events.popleft() if self._events else None

    # --- assembly ----------------------------------------------------------------------------

    def _resync(self, reason: str) -> None:
        self._next = None
        self._blocked_since = None
        self.dropped_frames += 1
        if not self.audio:
            self._need_keyframe = True
            self._events.append(KeyframeNeeded(reason))
        starts = [ext for ext, packet in self._packets.items() if self._is_start(packet)]
        self._candidate = min(starts) if starts else None

    def _is_start(self, packet: RtpPacket) -> bool:
        """Whether decoding may begin at this packet (a key frame's first one, after a loss)."""
        if self.audio:
            return True
        payload = packet.payload
        try:
            if not self.depacketizer.is_frame_start(payload):
                return False
            return not self._need_keyframe or self.depacketizer.is_keyframe(payload)
        except RtpError:
            return False

    def _process(self, now: float) -> None:
        packets = self._packets
        while packets:
            if self._next is None:
                start = self._candidate
                if start is None:
                    return
                if not self._synced and self._first_arrival is not None:
                    ready_at = self._first_arrival + self.startup_delay
                    if now < ready_at:
                        self._blocked_since = ready_at - self.max_wait  # wake at ready_at
                        return
                self._synced = True
                self._blocked_since = None
                for ext in [e for e in packets if e < start]:
                    del packets[ext]
                self._next = start
                self._candidate = None
            first = packets.get(self._next)
            run: list[int] = []
            complete = False
            if first is not None:
                timestamp = first.timestamp
                ext = self._next
                while True:
                    packet = packets.get(ext)
                    if packet is None:
                        break
                    if packet.timestamp != timestamp:
                        complete = bool(run)  # a new frame began: the previous one ended
                        break
                    run.append(ext)
                    if self.audio or packet.marker:
                        complete = True
                        break
                    ext += 1
            if not complete:
                end = run[-1] if run else self._next
                if any(e > end for e in packets):  # a hole blocks this frame
                    if self._blocked_since is None:
                        self._blocked_since = now
                    if now - self._blocked_since >= self.max_wait:
                        for e in run:
                            del packets[e]
                        self._resync("packets lost")
                        continue
                return
            self._blocked_since = None
            self._next = run[-1] + 1
            self._emit([packets.pop(e) for e in run], run[0])

    def _emit(self, frame_packets: list[RtpPacket], first_ext: int) -> None:
        payloads = [bytes(p.payload) for p in frame_packets]
        try:
            data = self.depacketizer.depacketize(payloads)
            keyframe = self.depacketizer.is_keyframe(payloads[0])
        except RtpError as exc:
            self._need_keyframe = not self.audio
            self.dropped_frames += 1
            if not self.audio:
                self._events.append(KeyframeNeeded(f"malformed frame: {exc}"))
            return
        if self._need_keyframe and not keyframe:
            self.dropped_frames += 1  # it references data we never got
            return
        self._need_keyframe = False
        self._events.append(
            FrameReady(
                Frame(
                    timestamp=frame_packets[0].timestamp,
                    data=data,
                    keyframe=keyframe,
                    first_sequence=frame_packets[0].sequence_number,
                    last_sequence=frame_packets[-1].sequence_number,
                )
            )
        )
