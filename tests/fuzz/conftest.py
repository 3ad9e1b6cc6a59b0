"""Hypothesis settings of the fuzz folder: reproducible (derandomized) and bounded for CI."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# CI: the whole folder stays within about two minutes on two cores. `deadline=None` because the
# budgets below (time_limit, memory_limit) are what a slow input must fail, not a timed assertion.
settings.register_profile(
    "juesuan-fuzz", derandomize=True, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
settings.load_profile("juesuan-fuzz")
