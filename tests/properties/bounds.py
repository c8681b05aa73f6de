"""Time bounds for the property tests, in CPU seconds of this process (steadier than wall time when the
machine is busy)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

from hypothesis import settings

T = TypeVar("T")

# A 100 KB input: each parser and the checker answer well under this on one idle core (measured at most
# ~0.7 s, and 1.2 s for the checker's worst case, one finding per character; CPU time grows on a busy
# machine, hence the margin). Before the fixes, a 100 KB requirement of repeated vague words took 100 s.
SECONDS_PER_100_KB = 3.0
# A 10 KB input: linear work takes ~0.05 s; a quadratic step would take seconds.
SECONDS_PER_10_KB = 0.5


def cpu_seconds(function: Callable[..., T], *args, **kwargs) -> tuple[T, float]:
    """CPU seconds of ``function`` alone. The garbage collector is paused while it runs: late in a full
    suite the heap holds millions of other tests' objects, and a collection that walks them all would be
    counted against the function (4.1 s instead of 1.2 s for the checker's worst case)."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        result = function(*args, **kwargs)
        return result, time.process_time() - started
    finally:
        gc.enable()


def within(seconds: float, function: Callable[..., T], *args, **kwargs) -> T:
    result, spent = cpu_seconds(function, *args, **kwargs)
    assert spent < seconds, (
        f"{getattr(function, '__name__', function)} took {spent:.2f} s CPU (bound {seconds} s)"
    )
    return result


def examples(fast: int) -> settings:
    """Fewer examples than the profile's for an expensive property (100 KB inputs): ``fast`` of them in the
    fast profile, 40 times as many in the deep one."""
    current = settings.default
    deep = current.max_examples > 50
    return settings(current, max_examples=fast * 40 if deep else fast)
