"""The trust board on a small, hand-checked scenario: every formula, the windows, trends, warnings, drifting.

"Now" is Monday 2026-11-09 10:00 JST. Windows: the current one is [2026-08-11 10:00, now) (dates 2026-08-12 …
2026-11-09), the previous [2026-05-13 10:00, 2026-08-11 10:00); satisfaction [2026-05-13 10:00, now) and
[2025-11-14 10:00, 2026-05-13 10:00). Data are written with the models directly, to place every timestamp.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shinrai.accounts import trust_selectors
from shinrai.accounts.models import RelationshipSignal
from shinrai.core.models import Visibility
from shinrai.ledger.models import CustomerRequest
from shinrai.progress.models import Milestone, ReportComment, Task, WeeklyReport
from shinrai.surveys.models import Response, Survey, SurveyTemplate
from shinrai.troubles.models import Trouble

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 9, 10, 0, tzinfo=TOKYO)
K = RelationshipSignal.Kind


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


# --- Builders -------------------------------------------------------------------------------------------


def milestone(project, baseline, actual):
    return Milestone.objects.create(project=project, name="M", baseline_date=baseline, actual_date=actual)


def task(project, estimate, actual, completed=None, parent=None):
    done = completed is not None
    return Task.objects.create(
        project=project,
        parent=parent,
        name="T",
        estimate_hours=Decimal(estimate),
        actual_hours=Decimal(actual),
        status=Task.Status.DONE if done else Task.Status.IN_PROGRESS,
        progress=100 if done else 50,
        completed_at=completed,
    )


def request(cast, project, *, created, due, acknowledged=None, answered=None, closed=None):
    status = "closed" if closed else "answered" if answered else "acknowledged" if acknowledged else "open"
    return CustomerRequest.objects.create(
        project=project,
        title="資料の提出",
        due_at=due,
        requested_by=cast.users["customer_sponsor"],
        created_at=created,
        acknowledged_at=acknowledged,
        answered_at=answered,
        closed_at=closed,
        status=status,
    )


def trouble(project, *, detected, disclosed=None, found_by="vendor"):
    number = Trouble.objects.filter(project=project).count() + 1
    return Trouble.objects.create(
        project=project,
        number=number,
        title="障害",
        facts="事実",
        detected_at=detected,
        disclosed_at=disclosed,
        visibility=Visibility.CUSTOMER if disclosed else Visibility.INTERNAL,
        found_by=found_by,
    )


def report(project, week: date, published: datetime):
    return WeeklyReport.objects.create(
        project=project, week_start=week, state="published", version=1, published_at=published
    )


def question(cast, report_, asked, answers=()):
    q = ReportComment.objects.create(
        report=report_, author=cast.users["customer_sponsor"], body="質問", created_at=asked
    )
    for when in answers:
        ReportComment.objects.create(
            report=report_, author=cast.users["vendor_pm"], body="回答", parent=q, created_at=when
        )
    return q


def survey(cast, project, *, anonymous=False):
    template = SurveyTemplate.objects.create(vendor_org=cast.vendor, name="CS")
    return Survey.objects.create(project=project, template=template, title="CS", anonymous=anonymous)


def response(survey_, submitted, overall, emotional, nps):
    return Response.objects.create(
        survey=survey_, submitted_at=submitted, score_overall=overall, score_emotional=emotional, nps=nps
    )


def signal(cast, customer, kind, on):
    return RelationshipSignal.objects.create(
        vendor_org=cast.vendor, customer_org=customer, kind=kind, occurred_on=on
    )


# --- The scenario -----------------------------------------------------------------------------------------


@pytest.fixture
def scenario(cast):
    return build_scenario(cast)


def build_scenario(cast):
    """The hand-checked data of this module's docstring (also used by test_trust_pages.py)."""
    own, other = cast.own, cast.other
    own.start_date = date(2026, 6, 1)
    own.save(update_fields=["start_date"])
    other.start_date = date(2026, 11, 2)  # nothing due yet
    other.save(update_fields=["start_date"])

    # Milestones: current 2 of 3 on time (the one without a baseline and the future one do not count).
    milestone(own, date(2026, 10, 10), date(2026, 10, 9))
    milestone(own, date(2026, 10, 10), date(2026, 10, 10))
    milestone(own, date(2026, 10, 1), date(2026, 10, 5))
    milestone(own, None, date(2026, 10, 5))
    milestone(own, date(2026, 11, 30), date(2026, 11, 20))
    milestone(own, date(2026, 7, 1), date(2026, 7, 3))  # previous: 0 of 1

    # Tasks: current leaf tasks 12 + 21 + 9 = 42 actual of 10 + 20 + 10 = 40 estimated hours.
    task(own, 10, 12, at(2026, 10, 1, 12))
    task(own, 20, 21, at(2026, 10, 2, 12))
    parent = task(own, 100, 500, at(2026, 10, 3, 12))  # a summary: its own figures are not used
    task(own, 10, 9, at(2026, 10, 3, 11), parent=parent)
    task(own, 0, 5, at(2026, 10, 4, 12))  # no estimate
    task(own, 10, 50)  # not done
    task(own, 8, 12, at(2026, 7, 1, 12))  # previous: 150 %

    # Customer requests: due in the window 1 on time, 1 late, 1 overdue (a closed one and a future one
    # do not count). Acknowledged after 2.5, 48 (answer), 912 (still waiting), 1 (closed) and 3 hours.
    request(cast, own, created=at(2026, 9, 30, 12), due=at(2026, 10, 1, 12),
            acknowledged=at(2026, 9, 30, 14, 30), answered=at(2026, 10, 1, 11))  # fmt: skip
    request(cast, own, created=at(2026, 10, 1, 9), due=at(2026, 10, 2, 12), answered=at(2026, 10, 3, 9))
    request(cast, own, created=at(2026, 10, 2, 10), due=at(2026, 10, 3, 12))
    request(cast, own, created=at(2026, 10, 3, 10), due=at(2026, 10, 4, 12), closed=at(2026, 10, 3, 11))
    request(
        cast, own, created=at(2026, 11, 8, 10), due=at(2026, 11, 20, 12), acknowledged=at(2026, 11, 8, 13)
    )
    request(cast, own, created=at(2026, 6, 30, 12), due=at(2026, 7, 1, 12), acknowledged=at(2026, 6, 30, 18),
            answered=at(2026, 7, 1, 9))  # fmt: skip

    # Troubles disclosed in the window after 6.5, 24 and 72 hours; the customer found one of them, and
    # found one more not disclosed yet. Previous window: one, 1 hour, found by us.
    trouble(own, detected=at(2026, 10, 1, 9), disclosed=at(2026, 10, 1, 15, 30))
    trouble(own, detected=at(2026, 10, 5, 10), disclosed=at(2026, 10, 6, 10), found_by="customer")
    trouble(own, detected=at(2026, 10, 10, 9), disclosed=at(2026, 10, 13, 9))
    trouble(own, detected=at(2026, 10, 20, 9), found_by="customer")
    trouble(own, detected=at(2026, 7, 1, 9), disclosed=at(2026, 7, 1, 10))

    # Weekly reports: the last 8 due weeks (09-07 … 10-26) 6 on time, 1 late, 1 missing; the 8 before all on
    # time.
    reports = {}
    for week in [date(2026, 7, 13) + timedelta(weeks=n) for n in range(16)]:
        if week in (date(2026, 10, 12),):
            continue  # missing
        deadline = datetime.combine(week + timedelta(days=7), datetime.min.time(), tzinfo=TOKYO) + timedelta(
            hours=12
        )
        late = week == date(2026, 10, 19)
        reports[week] = report(own, week, deadline + (timedelta(hours=1) if late else -timedelta(hours=2)))
    # Questions: answered after 6 and 48 hours, one waiting 24 hours so far; previous: 1 hour.
    question(cast, reports[date(2026, 9, 28)], at(2026, 10, 5, 10), [at(2026, 10, 5, 16), at(2026, 10, 6, 9)])
    question(cast, reports[date(2026, 10, 5)], at(2026, 10, 10, 9), [at(2026, 10, 12, 9)])
    question(cast, reports[date(2026, 10, 26)], at(2026, 11, 8, 10))
    question(cast, reports[date(2026, 7, 13)], at(2026, 7, 21, 9), [at(2026, 7, 21, 10)])

    # Survey responses: now 4.5/4.0/10, 3.5/3.0/6, 4.0/3.5/8; before 4.5/4.5/9 and 4.0/4.0/9.
    cs = survey(cast, own)
    response(cs, at(2026, 9, 1, 10), 4.5, 4.0, 10)
    response(cs, at(2026, 9, 2, 10), 3.5, 3.0, 6)
    response(cs, at(2026, 10, 1, 10), 4.0, 3.5, 8)
    response(cs, at(2026, 2, 1, 10), 4.5, 4.5, 9)
    response(cs, at(2026, 2, 2, 10), 4.0, 4.0, 9)
    response(cs, at(2025, 11, 1, 10), 1.0, 1.0, 0)  # before both windows

    # Relationship with C1: last meeting 100 days ago, 1 of 3 wins without competition, learned of the last
    # RFP from the RFP, competitor quotes a month ago.
    customer = cast.customer
    signal(cast, customer, K.MEETING, date(2026, 8, 1))
    signal(cast, customer, K.WON_WITHOUT_COMPETITION, date(2025, 4, 1))
    signal(cast, customer, K.WON_IN_COMPETITION, date(2025, 10, 1))
    signal(cast, customer, K.WON_IN_COMPETITION, date(2026, 10, 1))
    signal(cast, customer, K.CONSULTED_BEFORE_RFP, date(2026, 3, 1))
    signal(cast, customer, K.LEARNED_FROM_RFP, date(2026, 9, 15))
    signal(cast, customer, K.COMPETITOR_QUOTES, date(2026, 10, 20))
    return cast


def values(figures) -> dict:
    return {key: (f.value, f.previous) for key, f in figures.items()}


def test_project_figures_are_hand_checked(scenario):
    board = trust_selectors.trust_board(user=scenario.users["vendor_pm"], now=NOW)
    own = board.project(scenario.own.pk)
    assert values(own.figures) == {
        "milestones_on_time": (66.7, 0.0),
        "estimate_accuracy": (105.0, 150.0),
        "requests_on_time": (33.3, 100.0),
        "report_punctuality": (75.0, 100.0),
        "time_to_disclose": (24.0, 1.0),
        "disclosed_first": (66.7, 100.0),
        "question_answer_hours": (24.0, 1.0),
        "request_ack_hours": (3.0, 6.0),
        "grayzone_age": (None, None),  # no gray zones here: tests/grayzone/test_indicator.py
        "cs_score": (4.0, 4.25),
        "emotional_score": (3.5, 4.25),
        "nps": (0.0, 100.0),
    }
    figures = own.figures
    assert figures["milestones_on_time"].basis == 3
    assert figures["estimate_accuracy"].over_under == 5.0
    assert figures["requests_on_time"].basis == 3
    assert figures["request_ack_hours"].basis == 5
    assert figures["report_punctuality"].basis == 8
    assert figures["estimate_accuracy"].basis == 3  # tasks (not hours)
    assert [figures[k].status for k in ("milestones_on_time", "estimate_accuracy", "time_to_disclose")] == [
        "red",
        "green",
        "green",
    ]
    assert (figures["emotional_score"].status, figures["emotional_score"].trend) == ("amber", "worse")
    assert (figures["milestones_on_time"].arrow, figures["milestones_on_time"].trend) == ("↑", "better")


def test_project_warnings(scenario):
    own = trust_selectors.trust_board(user=scenario.users["vendor_pm"], now=NOW).project(scenario.own.pk)
    assert [w.code for w in own.warnings] == ["satisfaction_drop", "punctuality", "customer_found_first"]
    assert own.warnings[2].sentence == "The customer found 2 troubles before we told them (last 90 days)."
    assert own.warnings[1].sentence == "Weekly report punctuality fell by 25 points (from 100% to 75%)."


def test_the_account_adds_relationship_and_drifts(scenario):
    board = trust_selectors.trust_board(user=scenario.users["vendor_manager"], now=NOW)
    c1 = board.account(scenario.customer.pk)
    assert values({k: c1.figures[k] for k in ("days_since_contact", "won_without_competition")}) == {
        "days_since_contact": (100, 10),
        "won_without_competition": (33.3, 50.0),
    }
    assert (c1.figures["latest_rfp"].value, c1.figures["latest_rfp"].previous) == (
        "learned_from_rfp",
        "consulted_before_rfp",
    )
    assert (c1.figures["competitor_quotes"].value, c1.figures["competitor_quotes"].previous) == (1, 0)
    assert c1.figures["latest_rfp"].status == "red"
    assert [w.code for w in c1.warnings] == [
        "rfp",
        "no_contact",
        "satisfaction_drop",
        "punctuality",
        "customer_found_first",
    ]
    assert c1.drifting
    c2 = board.account(scenario.other_customer.pk)
    assert [w.code for w in c2.warnings] == ["no_contact"]  # nothing recorded with C2
    assert not c2.drifting
    assert [a.customer.pk for a in board.accounts] == [scenario.customer.pk, scenario.other_customer.pk]
    assert board.drifting_count == 1


def test_accounts_and_portfolio_add_up_counts_not_averages(scenario):
    other = scenario.other
    milestone(other, date(2026, 10, 10), date(2026, 10, 1))  # 1 of 1 on time
    trouble(other, detected=at(2026, 10, 1, 9), disclosed=at(2026, 10, 1, 9, 30))  # 0.5 h
    board = trust_selectors.trust_board(user=scenario.users["vendor_manager"], now=NOW)
    assert board.account(scenario.other_customer.pk).figures["milestones_on_time"].value == 100.0
    assert board.figures["milestones_on_time"].value == 75.0  # (2 + 1) / (3 + 1)
    assert (
        board.figures["time_to_disclose"].value == 15.3
    )  # median of 0.5, 6.5, 24, 72 = (6.5 + 24) / 2 → 15.25
    assert board.figures["disclosed_first"].value == 75.0  # 3 of 4
    # The PM sees only the project they are a member of.
    pm_board = trust_selectors.trust_board(user=scenario.users["vendor_pm"], now=NOW)
    assert [p.project.pk for p in pm_board.projects] == [scenario.own.pk]
    assert pm_board.figures["milestones_on_time"].value == 66.7


def test_the_windows_move_with_time(scenario):
    later = NOW + timedelta(days=90)
    board = trust_selectors.trust_board(user=scenario.users["vendor_pm"], now=later)
    figures = board.project(scenario.own.pk).figures
    # What was current is now the previous window; since then only the milestone dated 11-20 was reached.
    assert values(
        {k: figures[k] for k in ("milestones_on_time", "estimate_accuracy", "disclosed_first")}
    ) == {
        "milestones_on_time": (100.0, 66.7),
        "estimate_accuracy": (None, 105.0),
        "disclosed_first": (None, 66.7),
    }
    # The request still unanswered counts, in the previous window, with the hours it had waited by its end.
    assert figures["request_ack_hours"].previous == 3.0
    assert figures["question_answer_hours"].previous == 24.0


def test_anonymous_satisfaction_is_hidden_below_three_answers(scenario):
    anonymous = survey(scenario, scenario.other, anonymous=True)
    response(anonymous, at(2026, 10, 1, 10), 2.0, 2.0, 3)
    response(anonymous, at(2026, 10, 2, 10), 3.0, 3.0, 5)
    board = trust_selectors.trust_board(user=scenario.users["vendor_manager"], now=NOW)
    other = board.project(scenario.other.pk).figures
    assert (other["cs_score"].value, other["cs_score"].hidden, other["nps"].value) == (None, True, None)
    # In the portfolio they are mixed with 3 named answers: still only 2 anonymous ones, still hidden.
    assert board.figures["cs_score"].value is None
    response(anonymous, at(2026, 10, 3, 10), 4.0, 4.0, 9)
    board = trust_selectors.trust_board(user=scenario.users["vendor_manager"], now=NOW)
    assert board.project(scenario.other.pk).figures["cs_score"].value == 3.0
    assert board.project(scenario.other.pk).figures["nps"].value == -33.3  # 1 promoter, 2 detractors of 3
    assert board.figures["cs_score"].value == 3.5  # (4.5 + 3.5 + 4.0 + 2 + 3 + 4) / 6


def test_customers_partners_and_other_vendors_get_nothing(scenario):
    for role in ("customer_sponsor", "partner_viewer", "outsider_customer"):
        board = trust_selectors.trust_board(user=scenario.users[role], now=NOW)
        assert board.projects == [] and board.accounts == []
    foreign = trust_selectors.trust_board(user=scenario.users["other_vendor_manager"], now=NOW)
    assert [p.project.pk for p in foreign.projects] == [scenario.foreign.pk]
    # V2's account of C1 knows nothing of V's signals with C1.
    account = foreign.account(scenario.customer.pk)
    assert account.figures["latest_rfp"].value is None
    assert account.figures["milestones_on_time"].value is None
