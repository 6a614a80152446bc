"""When to send the next RTCP report: RFC 3550 §6.3 and the algorithm of appendix A.7.

A sans-IO core asks for the interval and schedules its own timer; randomness comes from an
injected ``random.Random`` so tests are deterministic.
"""

from __future__ import annotations

import math
import random

RTCP_MIN_TIME = 5.0  # seconds (§6.2); 2.5 s before the first report
COMPENSATION = math.e - 1.5  # §6.3.1: makes up for the timer reconsideration bias
SENDER_FRACTION = 0.25
RECEIVER_FRACTION = 1 - SENDER_FRACTION


def rtcp_interval(
    members: int,
    senders: int,
    rtcp_bandwidth: float,
    we_sent: bool,
    average_rtcp_size: float,
    initial: bool,
    rng: random.Random,
    minimum: float = RTCP_MIN_TIME,
) -> float:
    """Seconds until the next report (A.7 ``rtcp_interval``).

    ``rtcp_bandwidth`` is in octets per second (5% of the session bandwidth by default);
    ``minimum`` may be reduced per RFC 4585 §3.4 / RFC 8108 for feedback profiles.
    """
    if initial:
        minimum /= 2
    count = members
    if 0 < senders <= members * SENDER_FRACTION:
        if we_sent:
            rtcp_bandwidth *= SENDER_FRACTION
            count = senders
        else:
            rtcp_bandwidth *= RECEIVER_FRACTION
            count -= senders
    interval = average_rtcp_size * count / rtcp_bandwidth if rtcp_bandwidth > 0 else minimum
    interval = max(interval, minimum)
    # randomize to [0.5, 1.5] x the interval to avoid synchronization, then compensate
    return interval * rng.uniform(0.5, 1.5) / COMPENSATION


def update_average_size(average: float, packet_size: int) -> float:
    """A.7 running average of compound RTCP packet sizes (UDP and IP headers included)."""
    return packet_size / 16 + average * 15 / 16
