"""The receive-side jitter buffer: packets in any order in, whole frames out.

Packets are keyed by extended sequence number (so reordering across the 16-bit wrap works).
A video frame is the run of consecutive packets sharing a timestamp that ends with the marker
bit (or right before a packet with a new timestamp); audio packets are one frame each. Frames
come out in sequence order only when complete and depacketized without error; a frame that
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
    ) -> None:
        self.depacketizer = depacketizer
        self.audio = audio
        self.capacity = capacity
        self.max_wait = max_wait
        self._unwrapper = SequenceUnwrapper()
        self._packets: dict[int, RtpPacket] = {}
        self._next: int | None = None  # extended seq where the next frame starts, if known
        self._need_keyframe = not audio
        self._blocked_since: float | None = None
        self._events: deque[JitterEvent] = deque()
        self.late_packets = 0
        self.duplicate_packets = 0
        self.dropped_frames = 0

    # --- the sans-IO verbs -------------------------------------------------------------------

    def receive(self, packet: RtpPacket, now: float) -> None:
        ext = self._unwrapper.unwrap(packet.sequence_number)
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

    def _find_start(self) -> int | None:
        for ext in sorted(self._packets):
            payload = self._packets[ext].payload
            try:
                if not (self.audio or self.depacketizer.is_frame_start(payload)):
                    continue
                if self._need_keyframe and not self.depacketizer.is_keyframe(payload):
                    continue
            except RtpError:
                continue
            return ext
        return None

    def _process(self, now: float) -> None:
        packets = self._packets
        while packets:
            if self._next is None:
                start = self._find_start()
                if start is None:
                    return
                for ext in [e for e in packets if e < start]:
                    del packets[ext]
                self._next = start
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
