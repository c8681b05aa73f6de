"""The indicator arithmetic, colours, trends and warning rules (plain Python, hand-checked figures)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from shinrai.accounts import indicators as ind
from shinrai.accounts.indicators import Figure, Tally

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_every_indicator_is_fully_defined():
    assert len(ind.DEFINITIONS) == 16
    assert len({d.id for d in ind.DEFINITIONS}) == 16
    for d in ind.DEFINITIONS:
        assert d.name and d.name_ja and d.definition and d.formula and d.window, d.id
        assert d.group in ind.GROUPS
        assert d.better in (ind.HIGHER, ind.LOWER, ind.CLOSER_TO_100, ind.CATEGORY)
        if d.better != ind.CATEGORY:
            assert d.green is not None and d.amber is not None
    assert set(ind.PROJECT_IDS) < set(ind.ACCOUNT_IDS)
    assert "days_since_contact" not in ind.PROJECT_IDS


def test_percent_and_rounding_half_up():
    assert ind.percent(2, 3) == 66.7
    assert ind.percent(1, 8) == 12.5
    assert ind.percent(1, 3) == 33.3
    assert ind.percent(Decimal("42"), Decimal("40")) == 105.0
    assert ind.percent(1, 0) is None
    assert ind.round1(0.25) == 0.3  # half up, not banker's rounding
    assert ind.round2(4.125) == 4.13


def test_median_hours():
    assert ind.median_hours([2.5, 48.0, 912.0, 1.0, 3.0]) == 3.0
    assert ind.median_hours([1.0, 2.0]) == 1.5
    assert ind.median_hours([]) is None


def test_nps_is_promoters_minus_detractors_in_percent():
    # 10, 9, 8, 6, 0 -> promoters 2, detractors 2 of 5 -> 0
    assert ind.nps(2, 2, 5) == 0.0
    # 10, 9, 9, 7 -> 3 promoters of 4 = 75
    assert ind.nps(3, 0, 4) == 75.0
    # 9, 5, 6 -> 1 − 2 of 3 = −33.3
    assert ind.nps(1, 2, 3) == -33.3
    assert ind.nps(0, 0, 0) is None


def test_hours_between_is_rounded_like_time_to_disclose():
    start = datetime(2026, 10, 1, 9, 0, tzinfo=TOKYO)
    assert ind.hours_between(start, datetime(2026, 10, 1, 15, 30, tzinfo=TOKYO)) == 6.5
    assert ind.hours_between(start, datetime(2026, 10, 1, 9, 3, tzinfo=TOKYO)) == 0.1  # 0.05 h rounds up


def test_tallies_add_up_instead_of_averaging_averages():
    a = Tally(num=2, den=3)
    b = Tally(num=1, den=1)
    assert ind.finish(ind.RATIO, a + b) == 75.0  # (2 + 1) / (3 + 1), not (66.7 + 100) / 2
    medians = Tally(values=[1.0, 2.0]) + Tally(values=[10.0])
    assert ind.finish(ind.MEDIAN, medians) == 2.0
    means = Tally(num=12.0, den=3) + Tally(num=3.0, den=1)
    assert ind.finish(ind.MEAN, means) == 3.75


def test_anonymous_answers_are_hidden_below_three():
    assert ind.finish(ind.MEAN, Tally(num=9.0, den=2, anonymous=2)) is None
    assert ind.finish(ind.MEAN, Tally(num=12.0, den=3, anonymous=3)) == 4.0
    assert ind.finish(ind.MEAN, Tally(num=8.0, den=2, anonymous=0)) == 4.0  # named answers only
    figure = ind.figure_from_tallies("cs_score", Tally(num=9.0, den=2, anonymous=1), None)
    assert figure.value is None and figure.hidden


@pytest.mark.parametrize(
    ("indicator", "value", "status"),
    [
        ("milestones_on_time", 90.0, "green"),
        ("milestones_on_time", 89.9, "amber"),
        ("milestones_on_time", 75.0, "amber"),
        ("milestones_on_time", 74.9, "red"),
        ("estimate_accuracy", 110.0, "green"),
        ("estimate_accuracy", 90.0, "green"),
        ("estimate_accuracy", 89.9, "amber"),
        ("estimate_accuracy", 125.0, "amber"),
        ("estimate_accuracy", 125.1, "red"),
        ("report_punctuality", 80.0, "amber"),
        ("report_punctuality", 79.9, "red"),
        ("time_to_disclose", 24.0, "green"),
        ("time_to_disclose", 72.0, "amber"),
        ("time_to_disclose", 72.1, "red"),
        ("question_answer_hours", 48.1, "red"),
        ("cs_score", 4.0, "green"),
        ("cs_score", 3.5, "amber"),
        ("cs_score", 3.49, "red"),
        ("nps", 30.0, "green"),
        ("nps", 0.0, "amber"),
        ("nps", -0.1, "red"),
        ("days_since_contact", 30, "green"),
        ("days_since_contact", 61, "red"),
        ("competitor_quotes", 0, "green"),
        ("competitor_quotes", 1, "amber"),
        ("competitor_quotes", 2, "red"),
        ("latest_rfp", "consulted_before_rfp", "green"),
        ("latest_rfp", "learned_from_rfp", "red"),
        ("latest_rfp", None, "none"),
        ("cs_score", None, "none"),
    ],
)
def test_status_thresholds(indicator, value, status):
    assert ind.BY_ID[indicator].status(value) == status


def test_trend_arrow_delta_and_direction():
    up = Figure("milestones_on_time", 66.7, 0.0)
    assert (up.arrow, up.delta, up.trend) == ("↑", 66.7, "better")
    slower = Figure("time_to_disclose", 24.0, 1.0)
    assert (slower.arrow, slower.delta, slower.trend) == ("↑", 23.0, "worse")  # more hours is worse
    accuracy = Figure("estimate_accuracy", 105.0, 150.0)
    assert (accuracy.arrow, accuracy.trend, accuracy.over_under) == ("↓", "better", 5.0)
    same = Figure("cs_score", 4.0, 4.0)
    assert (same.arrow, same.trend) == ("→", "same")
    assert Figure("cs_score", 4.0, None).arrow == ""
    assert Figure("latest_rfp", "learned_from_rfp", "consulted_before_rfp").delta is None


def test_figures_are_shown_with_their_unit():
    assert Figure("milestones_on_time", 66.7, None).shown == "66.7%"
    assert Figure("time_to_disclose", 24.0, None).shown == "24 h"
    assert Figure("cs_score", 4.0, None).shown == "4.00"
    assert Figure("nps", 20.0, None).shown == "+20"
    assert Figure("nps", -33.3, None).shown == "-33.3"
    assert Figure("days_since_contact", 100, None).shown == "100 days"
    assert Figure("latest_rfp", "learned_from_rfp", None).shown == "Learned of it only from the RFP"
    assert Figure("cs_score", None, None).shown == "—"
    assert Figure("milestones_on_time", 66.7, 0.0).delta_shown == "+66.7 pt"


def test_satisfaction_warning_on_emotional_or_nps_drop():
    assert ind.satisfaction_warnings({"emotional_score": Figure("emotional_score", 3.95, 4.25)}) != []
    assert ind.satisfaction_warnings({"emotional_score": Figure("emotional_score", 3.96, 4.25)}) == []
    drop = ind.satisfaction_warnings({"nps": Figure("nps", 10.0, 30.0)})
    assert [w.code for w in drop] == ["satisfaction_drop"]
    assert drop[0].sentence == "NPS fell by 20 points (from 30 to 10)."
    assert ind.satisfaction_warnings({"nps": Figure("nps", 10.1, 30.0)}) == []
    both = ind.satisfaction_warnings(
        {"emotional_score": Figure("emotional_score", 3.5, 4.25), "nps": Figure("nps", 0.0, 100.0)}
    )
    assert len(both) == 1  # one warning (one count towards drifting), two sentences
    assert both[0].sentence == (
        "The emotional score fell by 0.75 (from 4.25 to 3.50). NPS fell by 100 points (from 100 to 0)."
    )


def test_punctuality_warning_on_drop_or_below_80():
    drop = ind.punctuality_warnings(Figure("report_punctuality", 75.0, 100.0))
    assert drop[0].sentence == "Weekly report punctuality fell by 25 points (from 100% to 75%)."
    low = ind.punctuality_warnings(Figure("report_punctuality", 75.0, 75.0))
    assert low[0].sentence == "Only 75% of weekly reports were published on time (below 80%)."
    assert ind.punctuality_warnings(Figure("report_punctuality", 80.0, 99.0)) == []
    assert ind.punctuality_warnings(Figure("report_punctuality", None, 100.0)) == []


def test_relationship_warnings_and_drifting():
    today = date(2026, 11, 9)
    warnings = ind.relationship_warnings(
        days_since_contact=100,
        latest_rfp_kind="learned_from_rfp",
        latest_rfp_on=date(2026, 9, 15),
        quotes_recent=1,
        today=today,
    )
    assert [w.code for w in warnings] == ["rfp", "no_contact"]
    assert warnings[0].sentence == (
        "We learned of their RFP of 2026-09-15 only from the RFP itself. "
        "They asked competitors for quotes 1 time in the last 180 days."
    )
    assert warnings[1].sentence == "No meaningful contact for 100 days."
    assert ind.is_drifting(warnings)
    calm = ind.relationship_warnings(
        days_since_contact=60,
        latest_rfp_kind="learned_from_rfp",
        latest_rfp_on=date(2026, 5, 13),  # 180 days ago: outside the window
        quotes_recent=0,
        today=today,
    )
    assert calm == []
    never = ind.relationship_warnings(
        days_since_contact=None, latest_rfp_kind=None, latest_rfp_on=None, quotes_recent=0, today=today
    )
    assert [w.sentence for w in never] == ["No meaningful contact has been recorded."]
    assert not ind.is_drifting(never)


def test_customer_found_first_warning():
    assert ind.trouble_warnings(0) == []
    assert ind.trouble_warnings(2)[0].sentence == (
        "The customer found 2 troubles before we told them (last 90 days)."
    )
