"""Survey figures and the test for "did it really change?". Plain Python (numpy, scipy): no Django, no DB.

Definitions (docs/SURVEY_RESULTS.md says the same in words):

- **NPS** of a group = % promoters (answers 9–10) − % detractors (answers 0–6) of the people who answered the
  0–10 "would you recommend us" question, an integer from −100 to 100 rounded half away from zero; ``None``
  when nobody answered. Answers 7–8 are passives: they count in the total only.
- **Means** (per category A–D, logical, emotional, overall) are means of the per-response score columns
  (:mod:`shinrai.surveys.scoring`); responses without a value for that measure are left out.
- **Response rate** = responses / invitations (a fraction from 0; ``None`` when nobody was invited).
- **Change between two periods** (:func:`compare`): value now, value before, their difference and a
  two-sided permutation test on the difference of the means of the per-response values (for NPS each
  respondent counts +100 promoter / 0 passive / −100 detractor, so the mean of those values is the NPS).
  ``scipy.stats.permutation_test`` with ``permutation_type="independent"``: every re-labelling of the
  pooled answers into two groups of the same sizes is equally likely when nothing changed; the p-value is the
  share of re-labellings whose difference is at least as extreme as the one observed (two-sided: twice the
  smaller one-sided share, at most 1). Exact (all re-labellings) when there are at most 10,000 distinct ones,
  otherwise 9,999 random re-labellings drawn with a fixed seed, so the same answers always give the same p.
  Verdict: "too few answers to tell" when either group has fewer than 3 values, "changed" when p < 0.05,
  otherwise "within noise".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import comb, floor

import numpy as np
from scipy import stats as scipy_stats

__all__ = [
    "ALPHA",
    "EXACT_LIMIT",
    "MIN_VALUES",
    "N_RESAMPLES",
    "SEED",
    "Change",
    "NpsResult",
    "Verdict",
    "compare",
    "mean",
    "nps",
    "nps_from_counts",
    "nps_points",
    "permutation_p",
    "permutation_p_many",
    "response_rate",
    "round_half_away",
]

PROMOTER_MIN = 9  # 9 and 10
DETRACTOR_MAX = 6  # 0 to 6
ALPHA = 0.05  # "changed" when p < ALPHA
MIN_VALUES = 3  # fewer values than this in either group: too few answers to tell
EXACT_LIMIT = 10_000  # at most this many distinct re-labellings: the exact test
N_RESAMPLES = 9_999  # otherwise this many random re-labellings …
SEED = 20_260_601  # … drawn with this seed (deterministic output)


class Verdict(StrEnum):
    CHANGED = "changed"
    WITHIN_NOISE = "within_noise"
    TOO_FEW = "too_few"


def round_half_away(value: float | Fraction) -> int:
    """Round to the nearest integer, halves away from zero (12.5 → 13, −12.5 → −13)."""
    value = Fraction(value)
    magnitude = floor(abs(value) + Fraction(1, 2))
    return int(magnitude if value >= 0 else -magnitude)


# --- NPS --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NpsResult:
    score: int | None
    promoters: int
    passives: int
    detractors: int

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps_from_counts(promoters: int, passives: int, detractors: int) -> NpsResult:
    """The NPS of a group from its counts: 100 × (promoters − detractors) / answers, rounded half away."""
    total = promoters + passives + detractors
    score = round_half_away(Fraction(100 * (promoters - detractors), total)) if total else None
    return NpsResult(score, promoters, passives, detractors)


def _check_nps_answer(value: int) -> int:
    if isinstance(value, bool) or int(value) != value or not 0 <= value <= 10:
        raise ValueError(f"an NPS answer is an integer from 0 to 10, not {value!r}")
    return int(value)


def nps(answers: Iterable[int | None]) -> NpsResult:
    """The NPS of a group of 0–10 answers (``None`` = not answered, left out)."""
    values = [_check_nps_answer(v) for v in answers if v is not None]
    return nps_from_counts(
        sum(v >= PROMOTER_MIN for v in values),
        sum(DETRACTOR_MAX < v < PROMOTER_MIN for v in values),
        sum(v <= DETRACTOR_MAX for v in values),
    )


def nps_points(answer: int) -> int:
    """One respondent's share of the NPS: +100 promoter, 0 passive, −100 detractor."""
    answer = _check_nps_answer(answer)
    if answer >= PROMOTER_MIN:
        return 100
    return -100 if answer <= DETRACTOR_MAX else 0


# --- Means and rates --------------------------------------------------------------------------------------


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values given (``None`` left out); ``None`` when there are none."""
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def response_rate(responses: int, invitations: int) -> float | None:
    """responses / invitations; ``None`` when nobody was invited."""
    return responses / invitations if invitations else None


# --- Change between two periods ---------------------------------------------------------------------------


def _difference_of_means(x, y, axis):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def permutation_p(current: Sequence[float], previous: Sequence[float]) -> float:
    """Two-sided p-value of the difference of means ``mean(current) − mean(previous)`` (see module doc).

    The values are sorted first, so the answer does not depend on the order they were read in.
    """
    return permutation_p_many([current], [previous])[0]


def permutation_p_many(
    currents: Sequence[Sequence[float]], previouses: Sequence[Sequence[float]]
) -> list[float]:
    """:func:`permutation_p` of several pairs at once (e.g. every measure of two periods), in one scipy call.

    Every ``currents[i]`` has the same length, and so has every ``previouses[i]``. Each list is sorted on its
    own and all pairs share the same re-labellings, so each answer is exactly what :func:`permutation_p`
    gives for that pair alone; the work is shared, which is several times faster than one call per pair.
    """
    x = np.sort(np.asarray(currents, dtype=float), axis=-1)
    y = np.sort(np.asarray(previouses, dtype=float), axis=-1)
    if x.ndim != 2 or y.ndim != 2 or len(x) != len(y) or len(x) == 0:
        raise ValueError(
            "give one or more pairs, every current list of one length, every previous of one length"
        )
    n, m = x.shape[1], y.shape[1]
    if n < 2 or m < 2:
        raise ValueError("the permutation test needs at least 2 values in each group")
    exact = comb(n + m, n) <= EXACT_LIMIT
    result = scipy_stats.permutation_test(
        (x, y),
        _difference_of_means,
        permutation_type="independent",
        vectorized=True,
        n_resamples=np.inf if exact else N_RESAMPLES,
        batch=max(1, min(N_RESAMPLES, 2_000_000 // ((n + m) * len(x)))),  # bounded memory
        alternative="two-sided",
        axis=-1,
        rng=None if exact else np.random.default_rng(SEED),
    )
    return [float(p) for p in np.atleast_1d(result.pvalue)]


@dataclass(frozen=True)
class Change:
    """One measure in one period against the period before."""

    value: float | None
    previous: float | None
    delta: float | None
    p: float | None
    verdict: Verdict


def compare(
    current: Sequence[float],
    previous: Sequence[float],
    *,
    value: float | None = None,
    previous_value: float | None = None,
    p_value: Callable[[Sequence[float], Sequence[float]], float] = permutation_p,
) -> Change:
    """The change from ``previous`` to ``current`` (per-response values of one measure) and its verdict.

    ``value`` and ``previous_value`` default to the means of the values; NPS passes its rounded scores
    (and the +100/0/−100 points as values). ``p_value`` lets a caller cache :func:`permutation_p`.
    """
    value = mean(current) if value is None else value
    previous_value = mean(previous) if previous_value is None else previous_value
    delta = value - previous_value if value is not None and previous_value is not None else None
    if len(current) < MIN_VALUES or len(previous) < MIN_VALUES:
        return Change(value, previous_value, delta, None, Verdict.TOO_FEW)
    p = p_value(current, previous)
    return Change(value, previous_value, delta, p, Verdict.CHANGED if p < ALPHA else Verdict.WITHIN_NOISE)
