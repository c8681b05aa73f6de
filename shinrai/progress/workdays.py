"""Japanese business-day arithmetic (営業日計算) for schedules, Gantt charts and EVM.

Plain Python: no Django, no database. Public holidays come from ``jpholiday`` and include substitute holidays
(振替休日) and "national holidays" sandwiched between two holidays (国民の休日). Company holidays such as the
year-end break (年末年始, see :func:`year_end_holidays`) are passed in as ``extra_holidays``.

Conventions
-----------
* A **business day** (営業日) is a Monday–Friday that is neither a Japanese public holiday nor one of the
  ``extra_holidays``.
* Every argument is a calendar ``datetime.date`` in Japan. ``datetime`` objects are refused (``TypeError``):
  a UTC timestamp's date can differ from the Tokyo date, so callers convert first, e.g.
  ``timezone.localtime(value, ZoneInfo("Asia/Tokyo")).date()``.
* ``extra_holidays`` is any collection of dates (list, set, …). A ``Mapping`` of date → name also works; its
  names then label those days in :func:`holidays_between`.
* Holiday tables are cached per year. The equinox days (春分の日, 秋分の日) are fixed officially only each
  February for the following year; for later years jpholiday uses the astronomical formula.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

import jpholiday

__all__ = [
    "COMPANY_HOLIDAY_NAME",
    "MAX_DURATION_DAYS",
    "add_business_days",
    "business_days_between",
    "finish_date",
    "holidays_between",
    "is_business_day",
    "year_end_holidays",
]

#: The longest duration :func:`finish_date` accepts (about 40 years). Each year's public holidays take
#: jpholiday ~50 ms to work out the first time; an unbounded duration (the API's is a free number) kept a
#: request busy for minutes.
MAX_DURATION_DAYS = 10_000

#: Label of an ``extra_holidays`` day in :func:`holidays_between` when no name was given.
COMPANY_HOLIDAY_NAME = "会社休日"

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday is 0, Saturday 5, Sunday 6

Holidays = Collection[date]


def _check_date(value: object, name: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(
            f"{name} must be a datetime.date (convert a datetime to its Asia/Tokyo date first), "
            f"not {type(value).__name__}"
        )


@lru_cache(maxsize=256)
def _public_holidays(year: int) -> Mapping[date, str]:
    """Japanese public holidays of ``year``, date → jpholiday's name (read-only)."""
    return MappingProxyType(dict(jpholiday.year_holidays(year)))


def _normalise(extra_holidays: Holidays) -> Holidays:
    """Check the members once and return a collection with O(1) membership tests."""
    for day in extra_holidays:
        _check_date(day, "every extra holiday")
    if isinstance(extra_holidays, Mapping | set | frozenset):
        return extra_holidays
    return frozenset(extra_holidays)


def _is_business_day(day: date, extra: Holidays) -> bool:
    return day.weekday() < _SATURDAY and day not in _public_holidays(day.year) and day not in extra


def _count(first: date, last: date, extra: Holidays) -> int:
    """Business days in the closed interval [first, last]; 0 when first > last. O(holidays), not O(days)."""
    if first > last:
        return 0
    full_weeks, rest = divmod((last - first).days + 1, 7)
    weekday = first.weekday()
    count = full_weeks * 5 + sum(1 for i in range(rest) if (weekday + i) % 7 < _SATURDAY)
    off = set()
    for year in range(first.year, last.year + 1):
        off.update(d for d in _public_holidays(year) if first <= d <= last and d.weekday() < _SATURDAY)
    off.update(d for d in extra if first <= d <= last and d.weekday() < _SATURDAY)
    return count - len(off)


def _step(start: date, n: int, extra: Holidays) -> date:
    """The |n|-th business day strictly after (n > 0) or strictly before (n < 0) ``start``."""
    sign = 1 if n > 0 else -1
    remaining = abs(n)
    current = start
    # Jump whole weeks while far away: 7·w calendar days hold 5·w weekdays, minus the holidays among them.
    # Jumping at most (remaining - 1) business days keeps remaining >= 1, so the walk below ends on a
    # business day even when the jump lands on a weekend or holiday.
    while remaining > 5:
        weeks = (remaining - 1) // 5
        target = current + timedelta(days=7 * weeks * sign)
        if sign > 0:
            remaining -= _count(current + _ONE_DAY, target, extra)
        else:
            remaining -= _count(target, current - _ONE_DAY, extra)
        current = target
    while remaining > 0:
        current += timedelta(days=sign)
        if _is_business_day(current, extra):
            remaining -= 1
    return current


def is_business_day(d: date, *, extra_holidays: Holidays = ()) -> bool:
    """True when ``d`` is a weekday that is neither a Japanese public holiday nor in ``extra_holidays``."""
    _check_date(d, "d")
    return _is_business_day(d, _normalise(extra_holidays))


def year_end_holidays(year_from: int, year_to: int) -> list[date]:
    """The usual year-end break (年末年始, 12/29–1/3) falling inside calendar years year_from..year_to.

    Each year contributes 1/1–1/3 and 12/29–12/31 of that year, so the result covers whole calendar years:
    ``year_end_holidays(2026, 2026)`` is 2026-01-01..03 and 2026-12-29..31 (the 2026/27 break continues
    with 2027-01-01..03, which belong to 2027). 1/1 is also 元日; listing it twice is harmless.
    """
    year_from = operator.index(year_from)
    year_to = operator.index(year_to)
    if year_from > year_to:
        raise ValueError(f"year_from ({year_from}) is after year_to ({year_to})")
    days: list[date] = []
    for year in range(year_from, year_to + 1):
        days += [date(year, 1, day) for day in (1, 2, 3)]
        days += [date(year, 12, day) for day in (29, 30, 31)]
    return days


def add_business_days(start: date, n: int, *, extra_holidays: Holidays = ()) -> date:
    """Move ``n`` business days from ``start``.

    * ``n > 0``: the n-th business day strictly after ``start`` (``n=1`` is the next business day).
    * ``n < 0``: the |n|-th business day strictly before ``start`` (``n=-1`` is the previous business day).
    * ``n == 0``: ``start`` itself when it is a business day, otherwise the next business day (roll forward).

    ``start`` itself never counts, so from a non-business day ``n=0`` and ``n=1`` give the same date.
    """
    _check_date(start, "start")
    if isinstance(n, bool):
        raise TypeError("n must be an int, not bool")
    n = operator.index(n)
    extra = _normalise(extra_holidays)
    if n == 0:
        return start if _is_business_day(start, extra) else _step(start, 1, extra)
    return _step(start, n, extra)


def business_days_between(
    start: date, end: date, *, inclusive: bool = True, extra_holidays: Holidays = ()
) -> int:
    """Count business days from ``start`` to ``end``; negative when ``end`` is before ``start``.

    * ``inclusive=True`` (default): business days in [start, end], like Excel's NETWORKDAYS. When
      ``end < start`` the result is minus the count of [end, start] (NETWORKDAYS does the same).
    * ``inclusive=False``: the business days one *moves over* going from ``start`` to ``end``: ``start`` is
      excluded and ``end`` included, i.e. (start, end], or minus the count of [end, start) when
      ``end < start``.
      This is the inverse of :func:`add_business_days`: for every ``n != 0``,
      ``business_days_between(d, add_business_days(d, n), inclusive=False) == n``.

    ``start == end`` gives 1 or 0 (inclusive, depending on the day) and always 0 when exclusive.
    """
    _check_date(start, "start")
    _check_date(end, "end")
    extra = _normalise(extra_holidays)
    if start <= end:
        return _count(start if inclusive else start + _ONE_DAY, end, extra)
    return -_count(end, start if inclusive else start - _ONE_DAY, extra)


def finish_date(start: date, duration_days: int | float | Decimal, *, extra_holidays: Holidays = ()) -> date:
    """The last working day of a task of ``duration_days`` person-days worked by one full-time person.

    Work begins on ``start`` when it is a business day (it counts as day 1), otherwise on the next business
    day. A fractional duration occupies its last day too, so it is rounded up: 2.5 days → 3 business days.
    A duration of 0 (a milestone-like task) finishes on the day work would begin. Negative, NaN or infinite
    durations raise ``ValueError``, and so do durations over :data:`MAX_DURATION_DAYS`. Pass ``Decimal``
    rather than float to avoid float artefacts (``0.1 * 30`` is 3.0000000000000004 and would round up to 4).
    """
    _check_date(start, "start")
    if isinstance(duration_days, bool) or not isinstance(duration_days, numbers.Real | Decimal):
        raise TypeError(f"duration_days must be a number, not {type(duration_days).__name__}")
    if isinstance(duration_days, Decimal) and duration_days.is_snan():
        raise ValueError("duration_days must be finite")
    if not math.isfinite(duration_days) or duration_days < 0:
        raise ValueError(f"duration_days must be a finite number >= 0, not {duration_days}")
    if duration_days > MAX_DURATION_DAYS:
        raise ValueError(f"duration_days must be at most {MAX_DURATION_DAYS}, not {duration_days}")
    extra = _normalise(extra_holidays)
    first = start if _is_business_day(start, extra) else _step(start, 1, extra)
    days = math.ceil(duration_days)
    return first if days <= 1 else _step(first, days - 1, extra)


def holidays_between(start: date, end: date, *, extra_holidays: Holidays = ()) -> list[tuple[date, str]]:
    """Public and company holidays in [start, end], sorted, as (date, name) — for shading a Gantt chart.

    Public holidays carry jpholiday's name (a substitute holiday reads e.g. "憲法記念日 振替休日"). Extra
    holidays carry their name when ``extra_holidays`` is a mapping, else :data:`COMPANY_HOLIDAY_NAME`; a
    public holiday's name wins when both apply. Holidays on weekends are listed too; plain weekends are not.
    ``start > end`` gives an empty list.
    """
    _check_date(start, "start")
    _check_date(end, "end")
    extra = _normalise(extra_holidays)
    found: dict[date, str] = {}
    for day in extra:
        if start <= day <= end:
            found[day] = extra[day] if isinstance(extra, Mapping) else COMPANY_HOLIDAY_NAME
    for year in range(start.year, end.year + 1):
        found.update((d, name) for d, name in _public_holidays(year).items() if start <= d <= end)
    return sorted(found.items())
