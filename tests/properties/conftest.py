"""Hypothesis profiles for the property tests.

``fast`` (the default, within ``make test``): 50 examples per property, the same ones every run
(derandomized), each example under a 5 s deadline. ``deep``: ``SHINRAI_HYPOTHESIS_PROFILE=deep`` — 2,000
examples per property (more for the cheap ones, see ``bounds.examples``), new ones every run, no deadline.
No example database is written to the work tree; a failure prints the blob that replays it
(``@reproduce_failure``).
"""

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

_COMMON = {
    "database": None,
    "print_blob": True,
    # Examples here are big on purpose (100 KB texts, whole workbooks), and some properties use the
    # database fixture, which is the same for every example of a test (each import is all-or-nothing).
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
}
settings.register_profile("fast", max_examples=50, deadline=timedelta(seconds=5), derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=2000, deadline=None, **_COMMON)
settings.load_profile(os.environ.get("SHINRAI_HYPOTHESIS_PROFILE", "fast"))
