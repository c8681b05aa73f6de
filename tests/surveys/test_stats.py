"""The survey figures and the change test, with numbers checked by hand (and by enumeration)."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import numpy as np
import pytest

from shinrai.surveys import stats
from shinrai.surveys.stats import Verdict


def _enumerated_p(x, y) -> float:
    """The two-sided permutation p-value by brute force: every split of the pooled values into |x| and |y|."""
    pooled = [Fraction(v) for v in [*x, *y]]
    observed = sum(pooled[: len(x)]) / len(x) - sum(pooled[len(x) :]) / len(y)
    less = greater = total = 0
    for chosen in itertools.combinations(range(len(pooled)), len(x)):
        inside = [pooled[i] for i in chosen]
        outside = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        diff = sum(inside) / len(inside) - sum(outside) / len(outside)
        less += diff <= observed
        greater += diff >= observed
        total += 1
    return min(1.0, 2 * min(less, greater) / total)


# --- NPS --------------------------------------------------------------------------------------------------


def test_nps_is_promoters_minus_detractors_in_percent():
    # 10, 9, 9, 10 promoters; 8, 7 passives; 6, 5 detractors: 100 × (4 − 2) / 8 = 25
    result = stats.nps([10, 9, 9, 8, 6, 5, 10, 7])
    assert result == stats.NpsResult(score=25, promoters=4, passives=2, detractors=2)
    assert result.answers == 8


def test_nps_boundaries_of_the_groups():
    assert stats.nps([9]).promoters == 1
    assert stats.nps([8]).passives == 1
    assert stats.nps([7]).passives == 1
    assert stats.nps([6]).detractors == 1
    assert stats.nps([0]).score == -100
    assert stats.nps([10]).score == 100
    assert stats.nps([7, 8]).score == 0


def test_nps_rounds_half_away_from_zero():
    assert stats.nps([10] + [7] * 7).score == 13  # 12.5
    assert stats.nps([0] + [7] * 7).score == -13  # −12.5
    assert stats.nps([10, 7, 7]).score == 33  # 33.33…
    assert stats.nps([10, 10, 7]).score == 67  # 66.67…
    assert stats.round_half_away(Fraction(5, 2)) == 3
    assert stats.round_half_away(-2.5) == -3
    assert stats.round_half_away(2.4999) == 2


def test_nps_of_nobody_is_none_and_unanswered_are_left_out():
    assert stats.nps([]).score is None
    assert stats.nps([None, None]).score is None
    assert stats.nps([None, 10, 0]) == stats.NpsResult(0, 1, 0, 1)


def test_nps_refuses_answers_outside_0_to_10():
    for bad in (11, -1, 9.5, True):
        with pytest.raises(ValueError):
            stats.nps([bad])


def test_nps_points_mean_is_the_nps():
    answers = [10, 9, 9, 8, 6, 5, 10, 7]
    points = [stats.nps_points(a) for a in answers]
    assert points == [100, 100, 100, 0, -100, -100, 100, 0]
    assert stats.mean(points) == 25 == stats.nps(answers).score


def test_nps_from_counts_matches_the_answers():
    assert stats.nps_from_counts(4, 2, 2) == stats.nps([10, 9, 9, 8, 6, 5, 10, 7])
    assert stats.nps_from_counts(0, 0, 0).score is None


# --- Means and rates --------------------------------------------------------------------------------------


def test_mean_leaves_out_missing_values():
    assert stats.mean([4, 5, None, 3]) == 4.0
    assert stats.mean([None]) is None
    assert stats.mean([]) is None


def test_response_rate():
    assert stats.response_rate(3, 4) == 0.75
    assert stats.response_rate(0, 5) == 0.0
    assert stats.response_rate(2, 0) is None


# --- The permutation test ---------------------------------------------------------------------------------


def test_permutation_p_three_against_three_by_hand():
    # 20 ways to split {1..6} into two groups of 3; only {4,5,6} and {1,2,3} are as extreme as observed
    # (difference ±3): p = 2 / 20.
    assert stats.permutation_p([4, 5, 6], [1, 2, 3]) == pytest.approx(0.1)
    assert _enumerated_p([4, 5, 6], [1, 2, 3]) == pytest.approx(0.1)


def test_permutation_p_four_against_four_is_significant():
    # 70 splits; the sum of the first group must be 18 for a difference ≥ 3: only {5,5,4,4}. p = 2 / 70.
    assert stats.permutation_p([5, 5, 4, 4], [2, 2, 1, 1]) == pytest.approx(2 / 70)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ([3, 4, 5], [1, 1, 2, 2]),
        ([4.5, 3.25, 5, 2], [3, 3.5, 4, 4.25, 1]),
        ([100, 0, -100, 100], [0, 0, -100]),
        ([1, 2], [1, 2]),
    ],
)
def test_permutation_p_exact_equals_enumeration(x, y):
    assert stats.permutation_p(x, y) == pytest.approx(_enumerated_p(x, y))


def test_permutation_p_of_identical_values_is_one():
    assert stats.permutation_p([3, 3, 3], [3, 3, 3, 3]) == pytest.approx(1.0)


def test_permutation_p_random_relabellings_are_deterministic_and_close_to_exact():
    rng = random.Random(7)
    x = [rng.choice([1, 2, 3, 4, 5]) for _ in range(10)]
    y = [rng.choice([2, 3, 4, 5]) for _ in range(10)]  # C(20, 10) = 184,756 splits: random re-labellings
    p = stats.permutation_p(x, y)
    shuffled_x, shuffled_y = x[:], y[:]
    rng.shuffle(shuffled_x)
    rng.shuffle(shuffled_y)
    assert stats.permutation_p(shuffled_x, shuffled_y) == p  # same answers, same p, whatever their order
    # The exact p by numpy over all 184,756 splits: the 9,999 random ones land within 0.02 of it.
    pooled = np.array(x + y, dtype=float)
    total = pooled.sum()
    sums = np.array([pooled[list(c)].sum() for c in itertools.combinations(range(20), 10)])
    diffs = sums / 10 - (total - sums) / 10
    observed = np.mean(x) - np.mean(y)
    exact = min(1.0, 2 * min(np.mean(diffs <= observed + 1e-9), np.mean(diffs >= observed - 1e-9)))
    assert abs(p - exact) < 0.02


def test_permutation_p_is_exact_up_to_10000_relabellings(monkeypatch):
    calls = []
    real = stats.scipy_stats.permutation_test

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(stats.scipy_stats, "permutation_test", spy)
    stats.permutation_p(range(7), range(1, 8))  # C(14, 7) = 3,432
    stats.permutation_p(range(8), range(1, 9))  # C(16, 8) = 12,870
    assert calls[0]["n_resamples"] == np.inf and calls[0]["rng"] is None
    assert calls[1]["n_resamples"] == 9_999 and calls[1]["rng"] is not None
    assert all(c["permutation_type"] == "independent" and c["alternative"] == "two-sided" for c in calls)


def test_permutation_p_needs_two_values_each():
    with pytest.raises(ValueError):
        stats.permutation_p([1], [1, 2, 3])


# --- Verdicts ---------------------------------------------------------------------------------------------


def test_compare_changed():
    change = stats.compare([5, 5, 4, 4], [2, 2, 1, 1])
    assert change == stats.Change(4.5, 1.5, 3.0, pytest.approx(2 / 70), Verdict.CHANGED)


def test_compare_within_noise():
    change = stats.compare([4, 5, 6], [1, 2, 3])  # p = 0.1: three answers each can never show a change
    assert change.verdict == Verdict.WITHIN_NOISE
    assert change.delta == 3.0
    assert change.p == pytest.approx(0.1)


def test_compare_too_few_answers_to_tell():
    for current, previous in (([5, 5], [1, 1, 1]), ([5, 5, 5], [1, 1]), ([], [1, 2, 3])):
        change = stats.compare(current, previous)
        assert change.verdict == Verdict.TOO_FEW
        assert change.p is None
    assert stats.compare([5, 5], [1, 1, 1]).delta == 4.0
    assert stats.compare([], [1, 2, 3]).delta is None


def test_compare_nps_uses_the_given_values():
    now = [stats.nps_points(a) for a in (10, 10, 10, 9)]
    before = [stats.nps_points(a) for a in (0, 3, 6, 5)]
    change = stats.compare(now, before, value=100, previous_value=-100)
    assert (change.value, change.previous, change.delta) == (100, -100, 200)
    assert change.verdict == Verdict.CHANGED  # p = 2 / 70


def test_compare_p_value_can_be_replaced():
    change = stats.compare([1, 2, 3], [1, 2, 3], p_value=lambda x, y: 0.01)
    assert change.verdict == Verdict.CHANGED


def test_permutation_p_many_gives_each_pair_its_own_p():
    rng = random.Random(3)
    # random re-labellings (C(22, 10) > 10,000) and the exact test (C(7, 3) = 35)
    for n, m in ((10, 12), (3, 4)):
        currents = [[rng.randint(1, 5) for _ in range(n)] for _ in range(4)]
        previouses = [[rng.randint(1, 5) for _ in range(m)] for _ in range(4)]
        together = stats.permutation_p_many(currents, previouses)
        assert together == [stats.permutation_p(x, y) for x, y in zip(currents, previouses, strict=True)]
    assert len(set(together)) > 1


def test_permutation_p_many_needs_lists_of_one_length():
    with pytest.raises(ValueError):
        stats.permutation_p_many([[1, 2, 3], [1, 2]], [[1, 2, 3], [1, 2, 3]])
    with pytest.raises(ValueError):
        stats.permutation_p_many([], [])
