"""Shared pytest configuration: hypothesis profiles and the test-data locations."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# `default`: fast, and derandomized under CI so a red run is reproducible.
settings.register_profile(
    "default",
    max_examples=100,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
# `soak`: HYPOTHESIS_PROFILE=soak, 100x the examples, for long fuzz runs by hand.
settings.register_profile(
    "soak",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
