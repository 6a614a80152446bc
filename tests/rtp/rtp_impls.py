"""The RtpPacket implementations every RTP test runs against (pure always, compiled if built).

Under ``PURERTC_REQUIRE_SPEEDUPS=1`` (CI, after building the twin) a missing compiled twin is a
failure, so a silently skipped half of the suite never counts as a pass.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from purertc.rtp.implementation import CompiledRtpPacket, PureRtpPacket

IMPLEMENTATIONS: list[Any] = [pytest.param(PureRtpPacket, id="pure")]
if CompiledRtpPacket is not None:
    IMPLEMENTATIONS.append(pytest.param(CompiledRtpPacket, id="compiled"))


def speedups_required() -> bool:
    return os.environ.get("PURERTC_REQUIRE_SPEEDUPS") == "1"
