"""EVM arithmetic on a plan worked out by hand.

The plan spans two weeks over Golden Week 2026 (see test_workdays for how each day was checked):

    Mon 4/27  Tue 4/28  [Wed 4/29 昭和の日]  Thu 4/30  Fri 5/1
    [Sat 5/2  Sun 5/3 憲法記念日  Mon 5/4 みどりの日  Tue 5/5 こどもの日  Wed 5/6 振替休日]  Thu 5/7  Fri 5/8

    task  budget  planned        business days in the plan        PV per business day
    A       40    4/27 – 4/30    4/27, 4/28, 4/30            = 3   40/3 = 13.333…
    B       60    4/30 – 5/8     4/30, 5/1, 5/7, 5/8         = 4   15
    C       30    5/7  – 5/8     5/7, 5/8                    = 2   15
                                                       BAC = 130

PV at the end of each status date (cumulative):

    4/26 (Sun, before the plan)   0
    4/27   A 1/3 × 40 = 40/3                         = 13.333…
    4/28   A 2/3 × 40 = 80/3                         = 26.666…
    4/29   holiday: unchanged                        = 26.666…
    4/30   A 40 + B 1/4 × 60 = 40 + 15               = 55
    5/1    A 40 + B 2/4 × 60 = 40 + 30               = 70
    5/2–5/6 days off: unchanged                      = 70
    5/7    A 40 + B 3/4 × 60 + C 1/2 × 30 = 40+45+15 = 100
    5/8    everything due                            = 130
"""

from datetime import date, datetime
from decimal import Decimal, localcontext

import pytest

from shinrai.progress.evm import (
    EvmResult,
    PlannedTask,
    Progress,
    evaluate,
    planned_value,
    round_half_up,
    series,
    to_decimal,
    weekly_dates,
)
from shinrai.progress.workdays import year_end_holidays

D = date


def _plan():
    return [
        PlannedTask("A", Decimal(40), D(2026, 4, 27), D(2026, 4, 30)),
        PlannedTask("B", Decimal(60), D(2026, 4, 30), D(2026, 5, 8)),
        PlannedTask("C", Decimal(30), D(2026, 5, 7), D(2026, 5, 8)),
    ]


# Progress reported on Friday 5/1 and Friday 5/8 (percent complete, actual cost to date).
WEEK_1 = {"A": (100, Decimal(48)), "B": (25, Decimal(18))}  # C not started
WEEK_2 = {"A": (100, Decimal(48)), "B": (100, Decimal(70)), "C": (50, Decimal(20))}


class TestPlannedValue:
    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            (D(2026, 4, 26), {"A": 0, "B": 0, "C": 0}),
            (D(2026, 4, 27), {"A": Decimal(40) / 3, "B": 0, "C": 0}),
            (D(2026, 4, 28), {"A": Decimal(80) / 3, "B": 0, "C": 0}),
            (D(2026, 4, 29), {"A": Decimal(80) / 3, "B": 0, "C": 0}),
            (D(2026, 4, 30), {"A": 40, "B": 15, "C": 0}),
            (D(2026, 5, 1), {"A": 40, "B": 30, "C": 0}),
            (D(2026, 5, 4), {"A": 40, "B": 30, "C": 0}),
            (D(2026, 5, 6), {"A": 40, "B": 30, "C": 0}),
            (D(2026, 5, 7), {"A": 40, "B": 45, "C": 15}),
            (D(2026, 5, 8), {"A": 40, "B": 60, "C": 30}),
            (D(2026, 6, 30), {"A": 40, "B": 60, "C": 30}),
        ],
    )
    def test_per_task(self, status, expected):
        # 40/3 and 80/3 do not terminate: the expected values are 28-digit Decimals (13.33…33, 26.66…67),
        # the same precision the module works in.
        for task in _plan():
            assert planned_value(task, status) == expected[task.id], task.id

    def test_finished_task_is_its_whole_budget_exactly(self):
        # 40 × 3 / 3 must be 40, not 39.999…: the product is taken before the division.
        assert str(planned_value(_plan()[0], D(2026, 4, 30))) == "40"

    def test_task_planned_only_on_days_off(self):
        # 5/3–5/6 holds no business day: nothing is planned before the finish date, everything from it on.
        task = PlannedTask("G", Decimal(10), D(2026, 5, 3), D(2026, 5, 6))
        assert planned_value(task, D(2026, 5, 5)) == 0
        assert planned_value(task, D(2026, 5, 6)) == 10

    def test_one_day_task(self):
        task = PlannedTask("M", Decimal(8), D(2026, 5, 7), D(2026, 5, 7))
        assert planned_value(task, D(2026, 5, 6)) == 0
        assert planned_value(task, D(2026, 5, 7)) == 8

    def test_company_holidays_change_the_spread(self):
        # 12/28 Mon – 2027-01-05 Tue, budget 30.
        # Without the company break: 12/28, 12/29, 12/30, 12/31, (1/1 元日, weekend), 1/4, 1/5 = 6 days
        #   → 5/day; PV at 12/31 = 4 × 5 = 20.
        # With 12/29–1/3 closed: 12/28, 1/4, 1/5 = 3 days → 10/day; PV at 12/31 = 1 × 10 = 10, at 1/4 = 20.
        task = PlannedTask("Y", Decimal(30), D(2026, 12, 28), D(2027, 1, 5))
        year_end = year_end_holidays(2026, 2027)
        assert planned_value(task, D(2026, 12, 31)) == 20
        assert planned_value(task, D(2026, 12, 31), extra_holidays=year_end) == 10
        assert planned_value(task, D(2027, 1, 4), extra_holidays=year_end) == 20


class TestEvaluateHandWorkedExample:
    def test_end_of_week_1(self):
        # Friday 5/1. A done (cost 48), B 25 % (cost 18), C not started.
        # PV  = 70 (table above)
        # EV  = 40 × 100 % + 60 × 25 % + 30 × 0 % = 40 + 15 + 0 = 55
        # AC  = 48 + 18 = 66
        # SV  = 55 − 70 = −15           CV = 55 − 66 = −11
        # SPI = 55 / 70 = 11/14 = 0.7857…  → 0.79
        # CPI = 55 / 66 = 5/6   = 0.8333…  → 0.83
        # EAC = BAC / CPI = 130 × 6/5 = 156     ETC = 156 − 66 = 90     VAC = 130 − 156 = −26
        # TCPI = (130 − 55) / (130 − 66) = 75/64 = 1.171875
        result = evaluate(_plan(), D(2026, 5, 1), WEEK_1)
        assert (result.bac, result.pv, result.ev, result.ac) == (130, 70, 55, 66)
        assert (result.sv, result.cv) == (-15, -11)
        assert result.spi == Decimal(11) / Decimal(14)
        assert result.cpi == Decimal(5) / Decimal(6)
        assert (result.eac, result.etc, result.vac) == (156, 90, -26)
        assert result.tcpi == Decimal("1.171875")
        assert result.rounded(amount_places=1) == {
            "status_date": D(2026, 5, 1),
            "bac": Decimal("130.0"),
            "pv": Decimal("70.0"),
            "ev": Decimal("55.0"),
            "ac": Decimal("66.0"),
            "sv": Decimal("-15.0"),
            "cv": Decimal("-11.0"),
            "spi": Decimal("0.79"),
            "cpi": Decimal("0.83"),
            "eac": Decimal("156.0"),
            "etc": Decimal("90.0"),
            "vac": Decimal("-26.0"),
            "tcpi": Decimal("1.17"),
        }

    def test_end_of_week_2(self):
        # Friday 5/8. A done (48), B done (70), C 50 % (20).
        # PV = 130 (all due)    EV = 40 + 60 + 15 = 115    AC = 48 + 70 + 20 = 138
        # SV = 115 − 130 = −15    CV = 115 − 138 = −23
        # SPI = 115/130 = 23/26 = 0.8846… → 0.88      CPI = 115/138 = 5/6 (both × 23) → 0.83
        # EAC = 130 × 138/115 = 130 × 6/5 = 156    ETC = 156 − 138 = 18    VAC = −26
        # TCPI = (130 − 115)/(130 − 138) = 15/−8 = −1.875: AC already exceeds BAC, the budget cannot be met.
        result = evaluate(_plan(), D(2026, 5, 8), WEEK_2)
        assert (result.pv, result.ev, result.ac, result.sv, result.cv) == (130, 115, 138, -15, -23)
        assert result.spi == Decimal(23) / Decimal(26)
        assert round_half_up(result.spi, 2) == Decimal("0.88")
        assert result.cpi == Decimal(5) / Decimal(6)
        assert (result.eac, result.etc, result.vac) == (156, 18, -26)
        assert result.tcpi == Decimal("-1.875")

    def test_holidays_add_no_planned_value(self):
        # PV stays 70 from Friday 5/1 through the five days off to Wednesday 5/6.
        pvs = [evaluate(_plan(), D(2026, 5, day), WEEK_1).pv for day in range(1, 7)]
        assert pvs == [70] * 6

    def test_status_date_counts_as_a_full_day(self):
        # 5/7: 100 (table above), the first day after Golden Week is included.
        assert evaluate(_plan(), D(2026, 5, 7)).pv == 100

    def test_tuples_and_progress_records_are_equivalent(self):
        as_records = {key: Progress(Decimal(p), Decimal(a)) for key, (p, a) in WEEK_1.items()}
        assert evaluate(_plan(), D(2026, 5, 1), as_records) == evaluate(_plan(), D(2026, 5, 1), WEEK_1)


class TestEdgeCases:
    def test_no_tasks(self):
        result = evaluate([], D(2026, 5, 1))
        assert (result.bac, result.pv, result.ev, result.ac, result.sv, result.cv) == (0, 0, 0, 0, 0, 0)
        # Every ratio has a zero divisor: SPI (PV 0), CPI (AC 0), TCPI (BAC = AC = 0); EAC follows CPI.
        assert (result.spi, result.cpi, result.eac, result.etc, result.vac, result.tcpi) == (None,) * 6

    def test_day_before_start_has_zero_pv(self):
        result = evaluate(_plan(), D(2026, 4, 26))
        assert result.pv == 0
        assert result.spi is None  # 0 / 0
        assert result.cpi is None
        assert result.tcpi == 1  # (130 − 0) / (130 − 0)

    def test_work_started_before_the_plan(self):
        # Sunday 4/26, A already 10 % for a cost of 5: EV = 4, AC = 5, PV = 0.
        # SPI undefined; CPI = 4/5 = 0.8; EAC = 130 × 5/4 = 162.5; ETC = 162.5 − 5 = 157.5; VAC = −32.5;
        # TCPI = (130 − 4)/(130 − 5) = 126/125 = 1.008.
        result = evaluate(_plan(), D(2026, 4, 26), {"A": (10, 5)})
        assert (result.pv, result.ev, result.ac, result.sv) == (0, 4, 5, 4)
        assert result.spi is None
        assert result.cpi == Decimal("0.8")
        assert (result.eac, result.etc, result.vac) == (Decimal("162.5"), Decimal("157.5"), Decimal("-32.5"))
        assert result.tcpi == Decimal("1.008")

    def test_everything_done_on_budget(self):
        # EV = PV = AC = BAC = 130: SPI = CPI = 1, EAC = 130, ETC = 0, VAC = 0, TCPI = 0/0 → None.
        done = {"A": (100, 40), "B": (100, 60), "C": (100, 30)}
        result = evaluate(_plan(), D(2026, 5, 8), done)
        assert (result.pv, result.ev, result.ac, result.sv, result.cv) == (130, 130, 130, 0, 0)
        assert (result.spi, result.cpi, result.eac, result.etc, result.vac) == (1, 1, 130, 0, 0)
        assert result.tcpi is None

    def test_everything_done_over_budget(self):
        # AC = 50 + 80 + 30 = 160. CPI = 130/160 = 0.8125; EAC = 130 × 160/130 = 160; ETC = 0; VAC = −30;
        # TCPI = (130 − 130)/(130 − 160) = 0 (nothing left to do).
        done = {"A": (100, 50), "B": (100, 80), "C": (100, 30)}
        result = evaluate(_plan(), D(2026, 5, 8), done)
        assert (result.ev, result.ac, result.cv) == (130, 160, -30)
        assert result.cpi == Decimal("0.8125")
        assert (result.eac, result.etc, result.vac) == (160, 0, -30)
        assert result.tcpi == 0
        assert str(result.rounded(amount_places=0)["tcpi"]) == "0.00"  # 0/−30 is −0 in Decimal; shown as 0.00

    def test_badly_over_budget_mid_project(self):
        # Friday 5/1, same progress as week 1 but AC = 80 + 70 = 150 (more than BAC).
        # CPI = 55/150 = 11/30 = 0.3666… → 0.37
        # EAC = 130 × 150/55 = 19500/55 = 354.5454…          → 354.55
        # ETC = 354.5454… − 150 = 204.5454…                   → 204.55
        # VAC = 130 − 354.5454… = −224.5454…                  → −224.55
        # TCPI = (130 − 55)/(130 − 150) = 75/−20 = −3.75
        result = evaluate(_plan(), D(2026, 5, 1), {"A": (100, 80), "B": (25, 70)})
        shown = result.rounded(amount_places=2)
        assert (shown["ac"], shown["cpi"]) == (Decimal("150.00"), Decimal("0.37"))
        assert (shown["eac"], shown["etc"], shown["vac"]) == (
            Decimal("354.55"),
            Decimal("204.55"),
            Decimal("-224.55"),
        )
        assert result.tcpi == Decimal("-3.75")

    def test_spending_with_nothing_earned(self):
        # AC 12, EV 0: CPI = 0, so EAC = BAC / 0 is undefined.
        result = evaluate(_plan(), D(2026, 4, 28), {"A": (0, 12)})
        assert result.cpi == 0
        assert (result.eac, result.etc, result.vac) == (None, None, None)
        assert result.tcpi == Decimal(130) / Decimal(118)

    def test_earning_without_cost(self):
        # EV 20 with AC 0: CPI has a zero divisor → None, and so EAC.
        result = evaluate(_plan(), D(2026, 4, 28), {"A": (50, 0)})
        assert (result.ev, result.cpi, result.eac) == (20, None, None)
        assert result.tcpi == Decimal(110) / Decimal(130)

    def test_caller_decimal_context_does_not_matter(self):
        expected = Decimal(11) / Decimal(14)  # 28 digits, computed under the default context
        with localcontext() as ctx:
            ctx.prec = 3
            result = evaluate(_plan(), D(2026, 5, 1), WEEK_1)
        assert result.spi == expected


class TestValidation:
    def test_unknown_task_in_progress(self):
        with pytest.raises(ValueError, match="unknown task"):
            evaluate(_plan(), D(2026, 5, 1), {"Z": (10, 1)})

    def test_duplicate_task_ids(self):
        with pytest.raises(ValueError, match="duplicate"):
            evaluate([*_plan(), PlannedTask("A", 1, D(2026, 5, 1), D(2026, 5, 1))], D(2026, 5, 1))

    @pytest.mark.parametrize("value", [(101, 0), (-1, 0), (50, -1), (Decimal("NaN"), 0)])
    def test_out_of_range_progress(self, value):
        with pytest.raises(ValueError):
            evaluate(_plan(), D(2026, 5, 1), {"A": value})

    def test_plan_checks(self):
        with pytest.raises(ValueError, match="after finish"):
            PlannedTask("X", 1, D(2026, 5, 8), D(2026, 5, 7))
        with pytest.raises(ValueError, match=">= 0"):
            PlannedTask("X", -1, D(2026, 5, 7), D(2026, 5, 8))
        with pytest.raises(TypeError):
            PlannedTask("X", True, D(2026, 5, 7), D(2026, 5, 8))
        with pytest.raises(TypeError):
            PlannedTask("X", "10", D(2026, 5, 7), D(2026, 5, 8))
        with pytest.raises(TypeError):
            PlannedTask("X", 1, datetime(2026, 5, 7), D(2026, 5, 8))
        with pytest.raises(TypeError):
            evaluate(_plan(), datetime(2026, 5, 7))

    def test_budgets_become_decimals(self):
        assert PlannedTask("X", 0.1, D(2026, 5, 7), D(2026, 5, 8)).budget == Decimal("0.1")
        assert PlannedTask("X", 3, D(2026, 5, 7), D(2026, 5, 8)).budget == Decimal(3)
        assert to_decimal(0.1) + to_decimal(0.2) == Decimal("0.3")


class TestSeries:
    SNAPSHOTS = [
        # Deliberately out of order; each lists only what changed that day.
        (D(2026, 5, 7), {"B": (100, 70), "C": (50, 20)}),
        (D(2026, 4, 30), {"A": (50, 30)}),
        (D(2026, 5, 1), {"A": (100, 48), "B": (25, 18)}),
        (D(2026, 5, 11), {"C": (100, 35)}),  # after every status date: ignored
    ]

    def test_weekly_values(self):
        dates = weekly_dates(D(2026, 4, 27), D(2026, 5, 8))
        assert dates == [D(2026, 5, 1), D(2026, 5, 8)]
        week_1, week_2 = series(_plan(), dates, self.SNAPSHOTS)
        # 5/1: A from the 5/1 snapshot (replacing 4/30's), B from 5/1, C none → the week-1 figures.
        assert week_1 == evaluate(_plan(), D(2026, 5, 1), WEEK_1)
        assert (week_1.pv, week_1.ev, week_1.ac, week_1.eac) == (70, 55, 66, 156)
        # 5/8: A carried forward from 5/1, B and C from 5/7 → the week-2 figures.
        assert week_2 == evaluate(_plan(), D(2026, 5, 8), WEEK_2)
        assert (week_2.pv, week_2.ev, week_2.ac, week_2.tcpi) == (130, 115, 138, Decimal("-1.875"))

    def test_results_follow_the_order_of_dates(self):
        # 4/28 comes before any snapshot: EV = AC = 0, PV = 80/3; SPI = 0, CPI None, TCPI = 130/130 = 1.
        results = series(_plan(), [D(2026, 5, 8), D(2026, 4, 28), D(2026, 5, 1)], self.SNAPSHOTS)
        assert [r.status_date for r in results] == [D(2026, 5, 8), D(2026, 4, 28), D(2026, 5, 1)]
        early = results[1]
        assert (early.pv, early.ev, early.ac, early.spi, early.cpi, early.tcpi) == (
            Decimal(80) / 3,
            0,
            0,
            0,
            None,
            1,
        )
        assert [r.ev for r in results] == [115, 0, 55]

    def test_snapshot_on_the_status_date_counts(self):
        # 4/30: A 50 % (cost 30) → EV = 20, AC = 30; PV = 55.
        (result,) = series(_plan(), [D(2026, 4, 30)], self.SNAPSHOTS)
        assert (result.pv, result.ev, result.ac) == (55, 20, 30)

    def test_later_snapshot_of_the_same_day_wins(self):
        snapshots = [(D(2026, 5, 1), {"A": (10, 1)}), (D(2026, 5, 1), {"A": (20, 2)})]
        (result,) = series(_plan(), [D(2026, 5, 1)], snapshots)
        assert (result.ev, result.ac) == (8, 2)  # 40 × 20 %

    def test_empty(self):
        assert series(_plan(), [], self.SNAPSHOTS) == []
        (result,) = series([], [D(2026, 5, 1)])
        assert isinstance(result, EvmResult)
        assert result.bac == 0

    def test_unknown_task_in_a_snapshot(self):
        with pytest.raises(ValueError, match="unknown task"):
            series(_plan(), [D(2026, 5, 8)], [(D(2026, 5, 1), {"Z": (1, 1)})])


class TestPresentation:
    @pytest.mark.parametrize(
        ("value", "places", "expected"),
        [
            (Decimal("2.5"), 0, "3"),  # 四捨五入, not banker's rounding (which gives 2)
            (Decimal("-2.5"), 0, "-3"),
            (Decimal("0.125"), 2, "0.13"),
            (Decimal(80) / 3, 2, "26.67"),
            (Decimal(40) / 3, 0, "13"),
            (Decimal("-0.001"), 2, "0.00"),
            (Decimal("1234"), -2, "1.2E+3"),
        ],
    )
    def test_round_half_up(self, value, places, expected):
        assert str(round_half_up(value, places)) == expected

    def test_none_stays_none(self):
        assert round_half_up(None, 2) is None


class TestWeeklyDates:
    def test_fridays(self):
        # 2026-05-01 and 5/8 are Fridays (4/27 Mon + 4, + 11).
        assert weekly_dates(D(2026, 5, 1), D(2026, 5, 15)) == [D(2026, 5, 1), D(2026, 5, 8), D(2026, 5, 15)]
        assert weekly_dates(D(2026, 5, 2), D(2026, 5, 14)) == [D(2026, 5, 8)]

    def test_mondays_keep_holidays(self):
        # 5/4 みどりの日 is a Monday and still a status date.
        assert weekly_dates(D(2026, 4, 27), D(2026, 5, 11), weekday=0) == [
            D(2026, 4, 27),
            D(2026, 5, 4),
            D(2026, 5, 11),
        ]

    def test_empty_and_invalid(self):
        assert weekly_dates(D(2026, 5, 2), D(2026, 5, 7)) == []
        assert weekly_dates(D(2026, 5, 8), D(2026, 5, 1)) == []
        with pytest.raises(ValueError):
            weekly_dates(D(2026, 5, 1), D(2026, 5, 8), weekday=7)
