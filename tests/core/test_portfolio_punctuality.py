"""Report punctuality on the vendor's portfolio: a late or missing report is visible to the vendor manager.

The scripted history of project OWN-1 (start Thu 1 Oct 2026; "now" is Tue 24 Nov 2026 10:00 JST). A week's
report is due by the following Monday 12:00 JST, so the last 8 due weeks are 28 Sep … 16 Nov:

    week   published (JST)          deadline            verdict
    09-28  Mon 10-05 11:00          10-05 12:00         on time
    10-05  Mon 10-12 13:00          10-12 12:00         late
    10-12  —                        10-19 12:00         missing
    10-19  Mon 10-26 09:00 (v2 11-01) 10-26 12:00       on time (a later correction does not change it)
    10-26  Mon 11-02 12:00          11-02 12:00         on time (exactly at the deadline)
    11-02  Mon 11-09 10:00          11-09 12:00         on time
    11-09  draft only               11-16 12:00         missing
    11-16  Mon 11-23 15:00 (red)    11-23 12:00         late    ← "last week"

On time: 4 of 8 = 50 %. Latest report: week of 16 Nov, red.
"""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.core import selectors
from shinrai.core.models import Organization
from shinrai.progress import report_services
from shinrai.progress.models import WeeklyReport

from ..clock import TOKYO, Clock
from ..factories import OrganizationFactory, ProjectFactory, UserFactory

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TOKYO)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _at(month, day, hour, minute=0):
    return (2026, month, day, hour, minute)


def _report(cast, clock, week: date, published: tuple | None, **fields):
    """Draft on the week's Friday, publish at ``published`` (or leave it a draft)."""
    pm = cast.users["vendor_pm"]
    friday = week + timedelta(days=4)
    clock.set(friday.year, friday.month, friday.day, 17)
    report = report_services.report_create_draft(by=pm, project=cast.own, week_start=week)
    if fields:
        report = report_services.report_update(by=pm, report=report, **fields)
    if published is not None:
        clock.set(*published)
        report = report_services.report_publish(by=pm, report=report)
    return report


@pytest.fixture
def history(cast, clock):
    cast.own.start_date = date(2026, 10, 1)
    cast.own.save(update_fields=["start_date"])
    # OTHER-1 started Tue 10 Nov: two weeks due (9 and 16 Nov), nothing written.
    cast.other.start_date = date(2026, 11, 10)
    cast.other.save(update_fields=["start_date"])
    _report(cast, clock, date(2026, 9, 28), _at(10, 5, 11))
    _report(cast, clock, date(2026, 10, 5), _at(10, 12, 13))
    corrected = _report(cast, clock, date(2026, 10, 19), _at(10, 26, 9))
    clock.set(*_at(11, 1, 10))
    report_services.report_correct(
        by=cast.users["vendor_pm"], report=corrected, note="誤記を訂正", status="amber", status_reason="訂正"
    )
    _report(cast, clock, date(2026, 10, 26), _at(11, 2, 12))
    _report(cast, clock, date(2026, 11, 2), _at(11, 9, 10))
    _report(cast, clock, date(2026, 11, 9), None)
    last = _report(
        cast,
        clock,
        date(2026, 11, 16),
        _at(11, 23, 15),
        status="red",
        status_reason="結合テストで重大な不具合",
    )
    clock.at = NOW
    return last


def _rows(user, now=NOW):
    return {row.project.code: row for row in selectors.portfolio_rows(user=user, now=now)}


def test_punctuality_figures_by_hand(cast, history):
    rows = _rows(cast.users["vendor_manager"])
    own = rows["OWN-1"]
    assert (own.latest_report_id, own.latest_status, own.latest_week) == (
        history.pk,
        "red",
        date(2026, 11, 16),
    )
    assert (own.last_week, own.last_week_state) == (date(2026, 11, 16), "late")
    assert (own.on_time_weeks, own.due_weeks, own.punctuality) == (4, 8, 50)
    other = rows["OTHER-1"]
    assert (other.latest_report_id, other.latest_status, other.latest_week) == (None, None, None)
    assert (other.last_week_state, other.on_time_weeks, other.due_weeks, other.punctuality) == (
        "missing",
        0,
        2,
        0,
    )


def test_the_window_slides_and_counts_eight_weeks_at_most(cast, history):
    # A week later (Tue 1 Dec) the week of 23 Nov is missing too and 28 Sep drops out of the window:
    # on time 10-19, 10-26, 11-02 = 3 of 8.
    own = _rows(cast.users["vendor_manager"], now=datetime(2026, 12, 1, 10, tzinfo=TOKYO))["OWN-1"]
    assert (own.last_week, own.last_week_state) == (date(2026, 11, 23), "missing")
    assert (own.on_time_weeks, own.due_weeks, own.punctuality) == (3, 8, 38)  # 37.5 % → 38 %


def test_before_the_monday_deadline_last_week_is_due_not_missing(cast, history):
    # Monday 30 Nov 11:59: the week of 23 Nov is not late yet, so the 8 due weeks are still 28 Sep … 16 Nov.
    own = _rows(cast.users["vendor_manager"], now=datetime(2026, 11, 30, 11, 59, tzinfo=TOKYO))["OWN-1"]
    assert (own.last_week, own.last_week_state) == (date(2026, 11, 23), "due")
    assert (own.on_time_weeks, own.due_weeks, own.punctuality) == (4, 8, 50)
    # One minute past the deadline it is missing, and 28 Sep leaves the window: 3 of 8.
    own = _rows(cast.users["vendor_manager"], now=datetime(2026, 11, 30, 12, 1, tzinfo=TOKYO))["OWN-1"]
    assert (own.last_week_state, own.on_time_weeks, own.due_weeks) == ("missing", 3, 8)


def test_weeks_outside_the_project_are_not_counted(cast, history):
    ended = ProjectFactory(
        vendor_org=cast.vendor,
        customer_org=cast.customer,
        code="ENDED-1",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 10, 14),
    )
    future = ProjectFactory(
        vendor_org=cast.vendor, customer_org=cast.customer, code="LATER-1", start_date=date(2027, 1, 4)
    )
    rows = _rows(cast.users["vendor_manager"])
    # Ended Wed 14 Oct: weeks 28 Sep, 5 Oct and 12 Oct were due; last week is after the end.
    assert (rows[ended.code].last_week_state, rows[ended.code].due_weeks, rows[ended.code].punctuality) == (
        "",
        3,
        0,
    )
    assert (
        rows[future.code].last_week_state,
        rows[future.code].due_weeks,
        rows[future.code].punctuality,
    ) == ("", 0, None)


def test_the_manager_sees_every_project_and_a_member_theirs(cast, history):
    assert set(_rows(cast.users["vendor_manager"])) == {"OWN-1", "OTHER-1"}
    assert set(_rows(cast.users["vendor_member"])) == {"OWN-1"}
    assert set(_rows(cast.users["vendor_admin"])) == set()
    assert set(_rows(cast.users["other_vendor_manager"])) == {"FOREIGN-1"}


def test_the_portfolio_page_shows_it(client, cast, history):
    client.force_login(cast.users["vendor_manager"])
    response = client.get(reverse("core:portfolio"))
    html = response.content.decode()
    own_row = html[html.index(f'id="project-{cast.own.pk}"') :].split("</tr>")[0]
    assert 'class="report-late"' in own_row
    assert reverse("reports:portal_detail", args=[cast.own.pk, history.pk]) in own_row
    assert "rag-red" in own_row and "2026-11-16" in own_row
    assert "4/8 (50%)" in own_row
    other_row = html[html.index(f'id="project-{cast.other.pk}"') :].split("</tr>")[0]
    assert reverse("reports:list", args=[cast.other.pk]) in other_row  # "missing" links to the reports
    assert "0/2 (0%)" in other_row
    assert response.context["overdue"] == 2


def test_query_count_does_not_grow_with_projects(client, cast, clock):
    clock.at = NOW
    vendor = OrganizationFactory(kind=Organization.Kind.VENDOR)
    manager = UserFactory(organization=vendor, is_vendor_manager=True)
    client.force_login(manager)

    def add_project(n):
        project = ProjectFactory(vendor_org=vendor, code=f"Q-{n}", start_date=date(2026, 9, 1))
        for i, week in enumerate((date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16))):
            WeeklyReport.objects.create(
                project=project,
                week_start=week,
                state="published",
                version=1,
                status="green",
                published_at=datetime(2026, 11, 9 + 7 * i, 9, tzinfo=TOKYO),
            )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("core:portfolio"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    add_project(0)
    one, response = count()
    assert "3/8 (38%)" in response.content.decode()
    for n in range(1, 5):
        add_project(n)
    five, response = count()
    assert response.content.decode().count("3/8 (38%)") == 5
    assert five == one
    with CaptureQueriesContext(connection) as ctx:
        selectors.portfolio_rows(user=manager, now=NOW)
    assert len(ctx.captured_queries) == 2
