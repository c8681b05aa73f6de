"""Properties of the business-day arithmetic (shinrai.progress.workdays) that schedules are computed with.

Documented: ``business_days_between(d, add_business_days(d, n), inclusive=False) == n`` for every n != 0;
``finish_date`` gives a business day for any duration from 0 to ``MAX_DURATION_DAYS`` and refuses others
with ValueError or TypeError (the task services turn ArithmeticError, a date past 9999, into a form error).

Regression: a duration has no upper bound in the API, and each year of public holidays takes jpholiday
~50 ms to compute: 2,000,000 days kept a request busy for minutes. It is refused at once now.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shinrai.progress import workdays

from .bounds import within

DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
HOLIDAYS = st.frozensets(DATES, max_size=20)


@given(start=DATES, n=st.integers(-2000, 2000).filter(bool), extra=HOLIDAYS)
def test_adding_business_days_is_undone_by_counting_them(start, n, extra):
    end = workdays.add_business_days(start, n, extra_holidays=extra)
    assert workdays.is_business_day(end, extra_holidays=extra)
    assert workdays.business_days_between(start, end, inclusive=False, extra_holidays=extra) == n


# No deadline: the first example to reach a year pays for its holidays, later ones find them cached.
@settings(deadline=None)
@given(
    start=DATES,
    duration=st.one_of(
        st.integers(0, 3_000),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
    ),
)
def test_finish_date_is_a_business_day_or_refused(start, duration):
    try:
        finish = workdays.finish_date(start, duration)
    except (ValueError, TypeError, ArithmeticError):
        assert not (type(duration) is int and 0 <= duration <= 3_000)
        return
    assert finish >= start and workdays.is_business_day(finish)
    days = max(1, math.ceil(Decimal(str(duration))))  # rounded up, at least the first day
    assert workdays.business_days_between(start, finish) == days


@pytest.mark.parametrize("duration", [workdays.MAX_DURATION_DAYS + 1, 2_000_000, Decimal("1e30")])
def test_an_endless_duration_is_refused_at_once(duration):
    with pytest.raises(ValueError, match="at most"):
        within(0.1, workdays.finish_date, date(2026, 5, 1), duration)
