"""The calendar feed's deadlines: weekly report due dates (vendor PMs) and open customer requests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from shinrai.core import calendar_feed
from shinrai.core.models import Project
from shinrai.ledger import services as ledger_services
from shinrai.progress import report_services

HOST = "127.0.0.1"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def now(clock, cast):
    """Wednesday 2026-11-25 10:00 JST; the own project started on 2026-10-01 and has no end."""
    clock.set(2026, 11, 25, 10, 0)
    Project.objects.filter(pk=cast.own.pk).update(start_date=date(2026, 10, 1), end_date=None)
    Project.objects.filter(pk=cast.other.pk).update(start_date=date(2026, 10, 1), end_date=None)
    return clock


def fetch(user, project=None):
    secret = calendar_feed.calendar_feed_token_issue(user=user)
    if project is None:
        url = reverse("calendar:feed", kwargs={"secret": secret})
    else:
        url = reverse("calendar:project_feed", kwargs={"secret": secret, "pk": project.pk})
    response = Client().get(url)
    assert response.status_code == 200
    return {str(event["UID"]): event for event in Calendar.from_ical(response.content).events}


def report_uids(events):
    return sorted(uid for uid in events if uid.startswith("report-due-"))


def request_uids(events):
    return sorted(uid for uid in events if uid.startswith("request-"))


def week_uids(project, *weeks):
    return sorted(f"report-due-{project.pk}-{week}@{HOST}" for week in weeks)


EIGHT_WEEKS = (
    "20261116",
    "20261123",
    "20261130",
    "20261207",
    "20261214",
    "20261221",
    "20261228",
    "20270104",
)


# --- Weekly report deadlines ------------------------------------------------------------------------------


def test_vendor_pm_gets_the_next_eight_monday_noon_deadlines(cast, now):
    events = fetch(cast.users["vendor_pm"])
    # Last week's report is due this Monday (23 Nov) 12:00 JST; the feed shows it and the next seven.
    assert report_uids(events) == week_uids(cast.own, *EIGHT_WEEKS)
    first = events[f"report-due-{cast.own.pk}-20261116@{HOST}"]
    assert first.decoded("DTSTART") == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 12:00 JST
    assert "DTEND" not in first
    assert str(first["CLASS"]) == "PRIVATE"
    assert str(first["URL"]) == f"http://127.0.0.1:8000/projects/{cast.own.pk}/reports/"
    last = events[f"report-due-{cast.own.pk}-20270104@{HOST}"]
    assert last.decoded("DTSTART") == datetime(2027, 1, 11, 3, 0, tzinfo=UTC)


def test_only_the_projects_vendor_pm_gets_report_deadlines(cast, now):
    for key in ("vendor_manager", "vendor_member", "customer_sponsor", "customer_member", "partner_viewer"):
        assert report_uids(fetch(cast.users[key])) == [], key


def test_report_deadlines_stay_within_the_project_period(cast, now):
    Project.objects.filter(pk=cast.own.pk).update(end_date=date(2026, 12, 7))
    assert report_uids(fetch(cast.users["vendor_pm"])) == week_uids(
        cast.own, "20261116", "20261123", "20261130", "20261207"
    )
    Project.objects.filter(pk=cast.own.pk).update(start_date=date(2026, 12, 24), end_date=None)
    assert report_uids(fetch(cast.users["vendor_pm"])) == week_uids(
        cast.own, "20261221", "20261228", "20270104"
    )


def test_closed_project_has_no_report_deadlines(cast, now):
    Project.objects.filter(pk=cast.own.pk).update(phase=Project.Phase.CLOSED)
    assert report_uids(fetch(cast.users["vendor_pm"])) == []


def test_published_report_keeps_its_event_and_says_so(cast, now):
    user = cast.users["vendor_pm"]
    user.language = "en"
    user.save(update_fields=["language"])
    uid = f"report-due-{cast.own.pk}-20261116@{HOST}"
    before = fetch(user)[uid]
    assert "Published." not in str(before["DESCRIPTION"])
    assert str(before["SUMMARY"]) == "[自社案件] Weekly report due"
    draft = report_services.report_create_draft(by=user, project=cast.own, week_start=date(2026, 11, 16))
    report_services.report_publish(by=user, report=draft)
    after = fetch(user)
    assert report_uids(after) == week_uids(cast.own, *EIGHT_WEEKS)
    assert "Published." in str(after[uid]["DESCRIPTION"])
    assert after[uid].decoded("DTSTAMP") > before.decoded("DTSTAMP")
    assert "Published." not in str(after[f"report-due-{cast.own.pk}-20261123@{HOST}"]["DESCRIPTION"])


def test_the_feed_moves_on_with_the_weeks(cast, now):
    now.set(2026, 12, 1, 9, 0)  # a Tuesday: last week's report was due yesterday
    assert report_uids(fetch(cast.users["vendor_pm"])) == week_uids(cast.own, *EIGHT_WEEKS[1:], "20270111")


# --- Customer requests ------------------------------------------------------------------------------------


@pytest.fixture
def asked(cast, now):
    return ledger_services.request_create(
        by=cast.users["customer_sponsor"],
        project=cast.own,
        title="見積書を提出してください",
        body="第2期分",
        due_at=datetime(2026, 11, 27, 18, 0, tzinfo=UTC),
    )


def test_open_request_is_in_both_sides_feeds_at_its_due_time(cast, asked):
    uid = f"request-{asked.pk}@{HOST}"
    for key in ("customer_sponsor", "customer_member", "vendor_pm", "vendor_member", "vendor_manager"):
        events = fetch(cast.users[key])
        assert request_uids(events) == [uid], key
        assert events[uid].decoded("DTSTART") == datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
        assert "見積書を提出してください" in str(events[uid]["SUMMARY"])
    assert str(fetch(cast.users["vendor_pm"])[uid]["URL"]) == (
        f"http://127.0.0.1:8000/projects/{cast.own.pk}/requests/"
    )
    assert str(fetch(cast.users["customer_member"])[uid]["URL"]) == (
        f"http://127.0.0.1:8000/portal/projects/{cast.own.pk}/ledger/"
    )


def test_partners_and_other_customers_never_see_requests(cast, asked):
    for key in ("partner_viewer", "outsider_customer", "other_vendor_manager"):
        assert request_uids(fetch(cast.users[key])) == [], key


def test_answered_or_closed_requests_leave_the_feed(cast, asked):
    second = ledger_services.request_create(
        by=cast.users["customer_member"],
        project=cast.own,
        title="議事録",
        due_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC),
    )
    ledger_services.request_acknowledge(by=cast.users["vendor_pm"], request=second)
    assert request_uids(fetch(cast.users["vendor_pm"])) == sorted(
        [f"request-{asked.pk}@{HOST}", f"request-{second.pk}@{HOST}"]
    )
    ledger_services.request_answer(by=cast.users["vendor_pm"], request=asked, answer="送付しました")
    assert request_uids(fetch(cast.users["customer_sponsor"])) == [f"request-{second.pk}@{HOST}"]
    ledger_services.request_close(by=cast.users["vendor_pm"], request=second)
    assert request_uids(fetch(cast.users["customer_sponsor"])) == []


def test_project_feed_has_only_that_projects_deadlines(cast, asked):
    other = ledger_services.request_create(
        by=cast.users["outsider_customer"],
        project=cast.other,
        title="別案件の依頼",
        due_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC),
    )
    manager = cast.users["vendor_manager"]
    assert request_uids(fetch(manager)) == sorted(
        [f"request-{asked.pk}@{HOST}", f"request-{other.pk}@{HOST}"]
    )
    assert request_uids(fetch(manager, project=cast.other)) == [f"request-{other.pk}@{HOST}"]
    events = fetch(cast.users["vendor_pm"], project=cast.own)
    assert request_uids(events) == [f"request-{asked.pk}@{HOST}"]
    assert report_uids(events) == week_uids(cast.own, *EIGHT_WEEKS)


def test_a_new_url_replaces_the_old_one(cast, asked):
    user = cast.users["customer_sponsor"]
    old = calendar_feed.calendar_feed_token_issue(user=user)
    assert Client().get(reverse("calendar:feed", kwargs={"secret": old})).status_code == 200
    new = calendar_feed.calendar_feed_token_issue(user=user)
    assert Client().get(reverse("calendar:feed", kwargs={"secret": old})).status_code == 404
    assert Client().get(reverse("calendar:feed", kwargs={"secret": new})).status_code == 200


def test_query_count_does_not_grow_with_deadlines(cast, now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pm = cast.users["vendor_pm"]
    secret = calendar_feed.calendar_feed_token_issue(user=pm)
    url = reverse("calendar:feed", kwargs={"secret": secret})
    Client().get(url)  # records "last used" once

    def ask(title, project):
        ledger_services.request_create(
            by=cast.users["customer_sponsor"],
            project=project,
            title=title,
            due_at=datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
        )

    ask("一件目", cast.own)
    with CaptureQueriesContext(connection) as one:
        assert Client().get(url).status_code == 200
    for n in range(10):
        ask(f"依頼{n}", cast.own)
    draft = report_services.report_create_draft(by=pm, project=cast.own, week_start=date(2026, 11, 16))
    report_services.report_publish(by=pm, report=draft)
    with CaptureQueriesContext(connection) as many:
        response = Client().get(url)
    events = {str(e["UID"]) for e in Calendar.from_ical(response.content).events}
    assert len(request_uids(events)) == 11
    # The token, the milestones, the PM's projects, the published reports of those weeks, the open requests.
    assert len(one) == len(many) == 5
