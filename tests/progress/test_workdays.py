"""Japanese business-day arithmetic, checked against calendar facts worked out by hand.

Weekdays used below, derived by hand: 2025 is not a leap year and 2025-01-01 was a Wednesday, so 2026-01-01 is
a Thursday; 2026 is not a leap year either, so 2027-01-01 is a Friday. Day offsets from 1 January 2026
(Thursday, offset 0; offset mod 7 = 0 Thu, 1 Fri, 2 Sat, 3 Sun, 4 Mon, 5 Tue, 6 Wed):

    2026-04-27  offset 116 (31+28+31+26)  116 mod 7 = 4  Monday
    2026-04-29  offset 118                118 mod 7 = 6  Wednesday
    2026-05-03  offset 122                122 mod 7 = 3  Sunday
    2026-09-01  offset 243                243 mod 7 = 5  Tuesday  → 9/7, 9/14, 9/21 are Mondays
    2026-12-28  offset 361                361 mod 7 = 4  Monday

Golden Week 2026 (law on national holidays, 国民の祝日に関する法律):
    4/29 Wed 昭和の日 (fixed date)
    5/2  Sat, weekend
    5/3  Sun 憲法記念日 (fixed date)
    5/4  Mon みどりの日 (fixed date)
    5/5  Tue こどもの日 (fixed date)
    5/6  Wed 振替休日: 5/3 fell on a Sunday, so the next day that is not already a holiday (art. 3-2) is off;
             5/4 and 5/5 are holidays, so that day is 5/6. jpholiday names it "憲法記念日 振替休日".
Silver Week 2026:
    9/21 Mon 敬老の日 (third Monday of September)
    9/22 Tue 国民の休日: a day sandwiched between two holidays is off (art. 3-3)
    9/23 Wed 秋分の日 (autumnal equinox, announced in the official gazette for 2026 as 9/23)
2027 New Year: 1/1 Fri 元日; 1/2 Sat and 1/3 Sun weekend; 1/11 Mon 成人の日 (second Monday: 1/4, 1/11).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import jpholiday
import pytest

from shinrai.progress.workdays import (
    COMPANY_HOLIDAY_NAME,
    add_business_days,
    business_days_between,
    finish_date,
    holidays_between,
    is_business_day,
    year_end_holidays,
)

D = date
YEAR_END_2026_27 = year_end_holidays(2026, 2027)


class TestCalendarFactsFromJpholiday:
    """The facts above, checked against jpholiday itself before any test relies on them."""

    @pytest.mark.parametrize(
        ("day", "weekday", "name"),
        [
            (D(2026, 4, 29), 2, "昭和の日"),
            (D(2026, 5, 3), 6, "憲法記念日"),
            (D(2026, 5, 4), 0, "みどりの日"),
            (D(2026, 5, 5), 1, "こどもの日"),
            (D(2026, 5, 6), 2, "憲法記念日 振替休日"),
            (D(2026, 9, 21), 0, "敬老の日"),
            (D(2026, 9, 22), 1, "国民の休日"),
            (D(2026, 9, 23), 2, "秋分の日"),
            (D(2027, 1, 1), 4, "元日"),
            (D(2027, 1, 11), 0, "成人の日"),
        ],
    )
    def test_holiday(self, day, weekday, name):
        assert day.weekday() == weekday
        assert jpholiday.is_holiday_name(day) == name

    @pytest.mark.parametrize("day", [D(2026, 4, 28), D(2026, 4, 30), D(2026, 5, 1), D(2026, 5, 7)])
    def test_ordinary_days_around_golden_week(self, day):
        assert jpholiday.is_holiday_name(day) is None


class TestIsBusinessDay:
    @pytest.mark.parametrize(
        "day",
        [
            D(2026, 4, 28),  # Tue before 昭和の日
            D(2026, 4, 30),  # Thu between 昭和の日 and the long weekend
            D(2026, 5, 1),  # Fri
            D(2026, 5, 7),  # Thu, first working day after Golden Week
            D(2026, 9, 24),  # Thu, first working day after Silver Week
            D(2027, 1, 4),  # Mon, first working day of 2027
        ],
    )
    def test_working_days(self, day):
        assert is_business_day(day)

    @pytest.mark.parametrize(
        "day",
        [
            D(2026, 4, 29),  # 昭和の日
            D(2026, 5, 2),  # Saturday
            D(2026, 5, 3),  # Sunday and 憲法記念日
            D(2026, 5, 4),  # みどりの日
            D(2026, 5, 5),  # こどもの日
            D(2026, 5, 6),  # 振替休日 for 5/3
            D(2026, 9, 21),  # 敬老の日
            D(2026, 9, 22),  # 国民の休日
            D(2026, 9, 23),  # 秋分の日
            D(2027, 1, 1),  # 元日 (Friday)
            D(2027, 1, 11),  # 成人の日
        ],
    )
    def test_days_off(self, day):
        assert not is_business_day(day)

    def test_company_holidays(self):
        # 2026-12-29 is a Tuesday with no public holiday: a business day unless the company closes.
        assert is_business_day(D(2026, 12, 29))
        assert not is_business_day(D(2026, 12, 29), extra_holidays=YEAR_END_2026_27)
        assert not is_business_day(D(2026, 12, 29), extra_holidays={D(2026, 12, 29)})
        assert not is_business_day(D(2026, 12, 29), extra_holidays={D(2026, 12, 29): "創立記念日"})
        # 12/28 Mon is outside the break.
        assert is_business_day(D(2026, 12, 28), extra_holidays=YEAR_END_2026_27)

    def test_datetime_is_refused(self):
        # 2026-05-06T20:00Z is already 5/7 05:00 in Tokyo: the caller must pick the local date.
        with pytest.raises(TypeError, match="Asia/Tokyo"):
            is_business_day(datetime(2026, 5, 6, 20, 0))
        with pytest.raises(TypeError):
            is_business_day("2026-05-07")
        with pytest.raises(TypeError):
            is_business_day(D(2026, 5, 7), extra_holidays=[datetime(2026, 5, 7)])


class TestYearEndHolidays:
    def test_one_year(self):
        assert year_end_holidays(2026, 2026) == [
            D(2026, 1, 1),
            D(2026, 1, 2),
            D(2026, 1, 3),
            D(2026, 12, 29),
            D(2026, 12, 30),
            D(2026, 12, 31),
        ]

    def test_two_years_cover_the_whole_2026_27_break(self):
        days = year_end_holidays(2026, 2027)
        assert len(days) == 12
        assert [D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31)] == days[3:6]
        assert [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)] == days[6:9]

    def test_reversed_years(self):
        with pytest.raises(ValueError):
            year_end_holidays(2027, 2026)


class TestAddBusinessDays:
    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            (D(2026, 4, 28), 1, D(2026, 4, 30)),  # Tue → skip 4/29 昭和の日 → Thu
            (D(2026, 4, 28), 2, D(2026, 5, 1)),  # 4/30, 5/1
            (D(2026, 4, 28), 3, D(2026, 5, 7)),  # 4/30, 5/1, then 5/2–5/6 off, 5/7
            (D(2026, 5, 1), 1, D(2026, 5, 7)),  # Fri → Sat, Sun/憲法記念日, みどり, こども, 振替 → Thu
            (D(2026, 5, 1), 2, D(2026, 5, 8)),
            (D(2026, 5, 1), 3, D(2026, 5, 11)),  # 5/7 Thu, 5/8 Fri, 5/11 Mon
            (D(2026, 9, 18), 1, D(2026, 9, 24)),  # Fri → weekend + 敬老の日, 国民の休日, 秋分の日 → Thu
            (D(2026, 12, 31), 1, D(2027, 1, 4)),  # Thu → 元日 Fri, weekend → Mon
            (D(2027, 1, 8), 1, D(2027, 1, 12)),  # Fri → weekend, 成人の日 Mon → Tue
        ],
    )
    def test_forward(self, start, n, expected):
        assert add_business_days(start, n) == expected

    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            (D(2026, 5, 7), -1, D(2026, 5, 1)),  # Thu back over 5/6–5/2 → Fri
            (D(2026, 5, 1), -1, D(2026, 4, 30)),
            (D(2026, 4, 30), -1, D(2026, 4, 28)),  # over 昭和の日
            (D(2026, 9, 24), -1, D(2026, 9, 18)),
            (D(2027, 1, 4), -1, D(2026, 12, 31)),
        ],
    )
    def test_backward(self, start, n, expected):
        assert add_business_days(start, n) == expected

    def test_backward_four_days(self):
        # Before 5/7: 5/1 (1), 4/30 (2), 4/28 (3), 4/27 (4).
        assert add_business_days(D(2026, 5, 7), -4) == D(2026, 4, 27)
        assert add_business_days(D(2026, 5, 7), -3) == D(2026, 4, 28)

    def test_zero_keeps_a_business_day(self):
        assert add_business_days(D(2026, 4, 28), 0) == D(2026, 4, 28)

    @pytest.mark.parametrize("start", [D(2026, 5, 2), D(2026, 5, 3), D(2026, 5, 4), D(2026, 5, 6)])
    def test_zero_rolls_a_day_off_forward(self, start):
        assert add_business_days(start, 0) == D(2026, 5, 7)

    def test_start_on_a_holiday(self):
        # The start never counts: from 5/4 (みどりの日) the first business day after is 5/7, the same as n=0.
        assert add_business_days(D(2026, 5, 4), 1) == D(2026, 5, 7)
        assert add_business_days(D(2026, 5, 4), 2) == D(2026, 5, 8)
        # Backwards from 5/5 (こどもの日): 5/1 Fri.
        assert add_business_days(D(2026, 5, 5), -1) == D(2026, 5, 1)
        # 4/29 (昭和の日): next 4/30, previous 4/28.
        assert add_business_days(D(2026, 4, 29), 1) == D(2026, 4, 30)
        assert add_business_days(D(2026, 4, 29), -1) == D(2026, 4, 28)

    def test_company_year_end_break(self):
        # Mon 12/28 → 12/29–1/3 closed → Mon 2027-01-04.
        assert add_business_days(D(2026, 12, 28), 1, extra_holidays=YEAR_END_2026_27) == D(2027, 1, 4)
        # Without the company break 12/29 Tue is an ordinary day.
        assert add_business_days(D(2026, 12, 28), 1) == D(2026, 12, 29)
        assert add_business_days(D(2027, 1, 4), -1, extra_holidays=YEAR_END_2026_27) == D(2026, 12, 28)

    def test_a_whole_year(self):
        # 2026 has 365 days = 52 weeks + 1 day (12/31, a Thursday): 52 × 5 + 1 = 261 weekdays. Its public
        # holidays on weekdays (weekday worked out from the offsets in the module docstring):
        #   1/1 Thu 元日, 1/12 Mon 成人の日, 2/11 Wed 建国記念の日, 2/23 Mon 天皇誕生日, 3/20 Fri 春分の日,
        #   4/29 Wed, 5/4 Mon, 5/5 Tue, 5/6 Wed (振替), 7/20 Mon 海の日, 8/11 Tue 山の日, 9/21 Mon, 9/22 Tue,
        #   9/23 Wed, 10/12 Mon スポーツの日, 11/3 Tue 文化の日, 11/23 Mon 勤労感謝の日  → 17
        #   (5/3 憲法記念日 is a Sunday and costs no working day).
        # 261 − 17 = 244 business days in 2026. 12/31 Thu is one of them, so it is the 244th after 2025-12-31.
        assert add_business_days(D(2025, 12, 31), 244) == D(2026, 12, 31)
        assert add_business_days(D(2025, 12, 31), 1) == D(2026, 1, 2)  # 1/1 元日, 1/2 Fri
        # Backwards, 12/31 itself is excluded: the 243 other business days of 2026 end at 1/2, and the
        # 244th is the last business day of 2025, 12/31 Wed (the day before Thu 2026-01-01, no holiday).
        assert add_business_days(D(2026, 12, 31), -243) == D(2026, 1, 2)
        assert add_business_days(D(2026, 12, 31), -244) == D(2025, 12, 31)

    def test_bool_and_float_are_refused(self):
        with pytest.raises(TypeError):
            add_business_days(D(2026, 5, 1), True)
        with pytest.raises(TypeError):
            add_business_days(D(2026, 5, 1), 1.0)


class TestBusinessDaysBetween:
    def test_two_weeks_over_golden_week(self):
        # 4/27 Mon – 5/8 Fri: 4/27, 4/28, (4/29 off), 4/30, 5/1, (5/2–5/6 off), 5/7, 5/8 → 6.
        assert business_days_between(D(2026, 4, 27), D(2026, 5, 8)) == 6
        # Exclusive drops 4/27 → 5.
        assert business_days_between(D(2026, 4, 27), D(2026, 5, 8), inclusive=False) == 5

    def test_silver_week(self):
        # 9/14 Mon – 9/25 Fri: 9/14–9/18 (5), 9/21–9/23 off, 9/24, 9/25 (2) → 7.
        assert business_days_between(D(2026, 9, 14), D(2026, 9, 25)) == 7

    def test_only_days_off(self):
        assert business_days_between(D(2026, 5, 2), D(2026, 5, 6)) == 0

    def test_same_day(self):
        assert business_days_between(D(2026, 5, 7), D(2026, 5, 7)) == 1
        assert business_days_between(D(2026, 5, 4), D(2026, 5, 4)) == 0
        assert business_days_between(D(2026, 5, 7), D(2026, 5, 7), inclusive=False) == 0

    def test_reversed_is_negative(self):
        # Inclusive: −(count of [4/27, 5/8]) = −6, like Excel's NETWORKDAYS.
        assert business_days_between(D(2026, 5, 8), D(2026, 4, 27)) == -6
        # Exclusive keeps "exclude start, include end": [4/27, 5/8) = 4/27, 4/28, 4/30, 5/1, 5/7 → −5.
        assert business_days_between(D(2026, 5, 8), D(2026, 4, 27), inclusive=False) == -5
        # From a holiday back to the Friday before: [5/1, 5/5) holds only 5/1 → −1.
        assert business_days_between(D(2026, 5, 5), D(2026, 5, 1), inclusive=False) == -1

    def test_whole_years(self):
        # 244 business days in 2026 (see TestAddBusinessDays.test_a_whole_year).
        assert business_days_between(D(2026, 1, 1), D(2026, 12, 31)) == 244
        # With the company break: of 1/1–1/3 and 12/29–12/31 only 1/2 Fri, 12/29 Tue, 12/30 Wed and 12/31 Thu
        # were working days (1/1 is 元日, 1/3 a Saturday) → 244 − 4 = 240.
        assert business_days_between(D(2026, 1, 1), D(2026, 12, 31), extra_holidays=YEAR_END_2026_27) == 240

    def test_company_holiday_on_a_weekend_or_public_holiday_is_not_counted_twice(self):
        # 5/2 Sat and 5/4 みどりの日 are off anyway: 4/27–5/8 stays 6.
        extra = [D(2026, 5, 2), D(2026, 5, 4)]
        assert business_days_between(D(2026, 4, 27), D(2026, 5, 8), extra_holidays=extra) == 6
        # A company holiday on 4/30 removes one.
        assert business_days_between(D(2026, 4, 27), D(2026, 5, 8), extra_holidays=[D(2026, 4, 30)]) == 5


def _oracle_is_business_day(day, extra=frozenset()):
    """Independent of the module: weekday and jpholiday only."""
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and day not in extra


class TestAgainstADayByDayWalk:
    """The module counts by weeks and jumps; a naive walk over every day must agree."""

    EXTRA = frozenset(year_end_holidays(2025, 2028))

    def _walk(self, start, n):
        day, remaining, step = start, abs(n), 1 if n > 0 else -1
        while remaining:
            day += timedelta(days=step)
            if _oracle_is_business_day(day, self.EXTRA):
                remaining -= 1
        return day

    def test_add_business_days(self):
        for offset in range(0, 400, 3):
            start = D(2026, 1, 1) + timedelta(days=offset)
            for n in (1, 4, 5, 6, 7, 11, 23, 60, 250, -1, -5, -6, -13, -60, -250):
                moved = add_business_days(start, n, extra_holidays=self.EXTRA)
                assert moved == self._walk(start, n), (start, n)

    def test_business_days_between(self):
        start = D(2025, 12, 20)
        for length in range(0, 800, 7):
            end = start + timedelta(days=length)
            walked = sum(
                _oracle_is_business_day(start + timedelta(days=i), self.EXTRA) for i in range(length + 1)
            )
            assert business_days_between(start, end, extra_holidays=self.EXTRA) == walked

    def test_between_inverts_add(self):
        for offset in range(0, 60):
            day = D(2026, 4, 20) + timedelta(days=offset)
            for n in [*range(-25, 0), *range(1, 26)]:
                moved = add_business_days(day, n, extra_holidays=self.EXTRA)
                assert business_days_between(day, moved, inclusive=False, extra_holidays=self.EXTRA) == n


class TestFinishDate:
    @pytest.mark.parametrize(
        ("start", "duration", "expected"),
        [
            (D(2026, 4, 27), 1, D(2026, 4, 27)),  # start counts as day 1
            (D(2026, 4, 27), 3, D(2026, 4, 30)),  # 4/27, 4/28, (4/29 off), 4/30
            (D(2026, 4, 30), 4, D(2026, 5, 8)),  # 4/30, 5/1, (5/2–5/6 off), 5/7, 5/8
            (D(2026, 4, 27), 2.5, D(2026, 4, 30)),  # rounded up to 3 days
            (D(2026, 5, 1), 0.5, D(2026, 5, 1)),  # half a day still occupies 5/1
            (D(2026, 5, 1), Decimal("1.01"), D(2026, 5, 7)),  # 2 days: 5/1, 5/7
            (D(2026, 5, 4), 1, D(2026, 5, 7)),  # start on みどりの日: work begins 5/7
            (D(2026, 5, 2), 2, D(2026, 5, 8)),  # start on Saturday: 5/7, 5/8
            (D(2026, 9, 18), 2, D(2026, 9, 24)),  # 9/18 Fri, (Silver Week), 9/24 Thu
            (D(2026, 4, 28), 0, D(2026, 4, 28)),  # zero duration: the day work would begin
            (D(2026, 5, 3), 0, D(2026, 5, 7)),
        ],
    )
    def test_finish(self, start, duration, expected):
        assert finish_date(start, duration) == expected

    def test_twenty_days_over_the_year_end_break(self):
        # From Mon 2026-12-14 with the 12/29–1/3 break: 12/14–12/18 (5), 12/21–12/25 (10), 12/28 (11),
        # then 1/4 Mon … 1/8 Fri (16), 1/11 成人の日 off, 1/12 Tue (17), 1/13 (18), 1/14 (19), 1/15 Fri (20).
        assert finish_date(D(2026, 12, 14), 20, extra_holidays=YEAR_END_2026_27) == D(2027, 1, 15)
        # Without the break: 12/28 (11), 12/29 (12), 12/30 (13), 12/31 (14), 1/4 (15) … 1/8 (19), 1/12 (20).
        assert finish_date(D(2026, 12, 14), 20) == D(2027, 1, 12)

    @pytest.mark.parametrize("duration", [-1, -0.5, float("nan"), float("inf"), Decimal("NaN")])
    def test_invalid_durations(self, duration):
        with pytest.raises(ValueError):
            finish_date(D(2026, 5, 1), duration)

    @pytest.mark.parametrize("duration", ["3", None, True])
    def test_non_numbers(self, duration):
        with pytest.raises(TypeError):
            finish_date(D(2026, 5, 1), duration)


class TestHolidaysBetween:
    def test_golden_week(self):
        assert holidays_between(D(2026, 4, 27), D(2026, 5, 8)) == [
            (D(2026, 4, 29), "昭和の日"),
            (D(2026, 5, 3), "憲法記念日"),  # on a Sunday, still listed
            (D(2026, 5, 4), "みどりの日"),
            (D(2026, 5, 5), "こどもの日"),
            (D(2026, 5, 6), "憲法記念日 振替休日"),
        ]

    def test_silver_week(self):
        assert holidays_between(D(2026, 9, 1), D(2026, 9, 30)) == [
            (D(2026, 9, 21), "敬老の日"),
            (D(2026, 9, 22), "国民の休日"),
            (D(2026, 9, 23), "秋分の日"),
        ]

    def test_bounds_are_inclusive(self):
        assert holidays_between(D(2026, 5, 6), D(2026, 5, 6)) == [(D(2026, 5, 6), "憲法記念日 振替休日")]
        assert holidays_between(D(2026, 5, 7), D(2026, 5, 8)) == []

    def test_year_end_with_company_holidays(self):
        assert holidays_between(D(2026, 12, 28), D(2027, 1, 12), extra_holidays=YEAR_END_2026_27) == [
            (D(2026, 12, 29), COMPANY_HOLIDAY_NAME),
            (D(2026, 12, 30), COMPANY_HOLIDAY_NAME),
            (D(2026, 12, 31), COMPANY_HOLIDAY_NAME),
            (D(2027, 1, 1), "元日"),  # the public name wins over the company break
            (D(2027, 1, 2), COMPANY_HOLIDAY_NAME),
            (D(2027, 1, 3), COMPANY_HOLIDAY_NAME),
            (D(2027, 1, 11), "成人の日"),
        ]

    def test_named_company_holidays(self):
        extra = {D(2026, 6, 1): "創立記念日"}
        assert holidays_between(D(2026, 6, 1), D(2026, 6, 30), extra_holidays=extra) == [
            (D(2026, 6, 1), "創立記念日")
        ]

    def test_reversed_range_is_empty(self):
        assert holidays_between(D(2026, 5, 8), D(2026, 4, 27)) == []
