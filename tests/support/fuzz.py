"""Hypothesis budgets: small by default (CI), fifty times larger with HYPOTHESIS_PROFILE=long.

    HYPOTHESIS_PROFILE=long .venv/bin/pytest -q -m "not browser" tests/clean tests/derive \
        tests/parse tests/hostile/test_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("HYPOTHESIS_PROFILE", "") == "long"


def budget(examples: int) -> settings:
    """`examples` runs here (no deadline: the machines are shared); fifty times that when long."""
    return settings(
        max_examples=examples * 50 if LONG else examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
