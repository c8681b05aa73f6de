"""Who acknowledged a weekly report, and whether the caller did, as the portal's report page shows them."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.progress import report_services
from shinrai.progress.models import ReportAcknowledgement, WeeklyReport

from .conftest import TOKYO

WEEK = date(2026, 11, 16)


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


@pytest.fixture
def draft(cast, clock):
    clock.set(2026, 11, 20, 17)
    return report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)


@pytest.fixture
def published(cast, draft):
    return report_services.report_publish(by=cast.users["vendor_pm"], report=draft)


@pytest.fixture
def acknowledged(cast, clock, published):
    """The member acknowledged on Monday morning, the sponsor on Monday afternoon."""
    clock.set(2026, 11, 23, 9)
    report_services.report_acknowledge(by=cast.users["customer_member"], report=published)
    clock.set(2026, 11, 23, 14, 30)
    report_services.report_acknowledge(by=cast.users["customer_sponsor"], report=published)
    return published


def test_report_lists_who_acknowledged_it_oldest_first(client, cast, acknowledged):
    body = _as(client, cast, "customer_sponsor").get(f"/api/v1/reports/{acknowledged.pk}").json()
    assert body["acknowledgements"] == 2
    assert body["acknowledged_by"] == [
        {
            "user_id": cast.users["customer_member"].pk,
            "user_name": "customer_member",
            "at": "2026-11-23T00:00:00Z",
        },
        {
            "user_id": cast.users["customer_sponsor"].pk,
            "user_name": "customer_sponsor",
            "at": "2026-11-23T05:30:00Z",
        },
    ]
    assert body["acknowledged_by_me"] is True


@pytest.mark.parametrize("role", ["customer_member", "vendor_pm", "vendor_member", "vendor_manager"])
def test_everyone_who_reads_the_report_sees_the_names(client, cast, published, role):
    # The portal page lists the names to every role that opens it, vendor previews included.
    report_services.report_acknowledge(by=cast.users["customer_sponsor"], report=published)
    body = _as(client, cast, role).get(f"/api/v1/reports/{published.pk}").json()
    assert [ack["user_name"] for ack in body["acknowledged_by"]] == ["customer_sponsor"]
    assert body["acknowledged_by_me"] is False


def test_not_yet_acknowledged(client, cast, published):
    body = _as(client, cast, "customer_sponsor").get(f"/api/v1/reports/{published.pk}").json()
    assert (body["acknowledged_by"], body["acknowledged_by_me"]) == ([], False)


def test_acknowledging_turns_acknowledged_by_me_and_the_etag(client, cast, clock, published):
    sponsor = _as(client, cast, "customer_sponsor")
    before = sponsor.get(f"/api/v1/reports/{published.pk}")
    assert before.json()["acknowledged_by_me"] is False
    clock.set(2026, 11, 20, 17, 5)  # a moment later (the session stays open)
    answer = sponsor.post(f"/api/v1/reports/{published.pk}/acknowledgements", content_type="application/json")
    assert answer.status_code == 201, answer.content
    after = sponsor.get(f"/api/v1/reports/{published.pk}", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200  # the old ETag no longer matches
    assert after.json()["acknowledged_by_me"] is True


def test_a_correction_has_its_own_acknowledgements(client, cast, acknowledged):
    correction = report_services.report_correct(
        by=cast.users["vendor_pm"], report=acknowledged, note="日付を訂正しました。"
    )
    body = _as(client, cast, "customer_sponsor").get(f"/api/v1/reports/{correction.pk}").json()
    assert (body["acknowledged_by"], body["acknowledged_by_me"]) == ([], False)


def test_partner_vendors_see_no_report_and_no_names(client, cast, acknowledged):
    assert _as(client, cast, "partner_viewer").get(f"/api/v1/reports/{acknowledged.pk}").status_code == 404
    listing = client.get(f"/api/v1/projects/{cast.own.pk}/reports")
    assert listing.status_code == 404


def test_the_list_carries_the_same_and_its_query_count_does_not_grow(client, cast, acknowledged):
    sponsor = _as(client, cast, "customer_sponsor")
    url = f"/api/v1/projects/{cast.own.pk}/reports?limit=1000"
    listed = sponsor.get(url).json()["items"]
    assert [(r["id"], r["acknowledged_by_me"]) for r in listed] == [(acknowledged.pk, True)]
    assert [ack["user_name"] for ack in listed[0]["acknowledged_by"]] == [
        "customer_member",
        "customer_sponsor",
    ]

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert sponsor.get(url).status_code == 200
        return len(captured.captured_queries)

    small = count()
    pm = cast.users["vendor_pm"]
    for weeks in range(1, 11):
        week = WEEK - timedelta(weeks=weeks)
        report = WeeklyReport.objects.create(
            project=cast.own,
            week_start=week,
            state="published",
            version=1,
            published_at=datetime.combine(week, datetime.min.time(), tzinfo=TOKYO) + timedelta(days=4),
            published_by=pm,
            created_by=pm,
        )
        for role in ("customer_sponsor", "customer_member"):
            ReportAcknowledgement.objects.create(report=report, user=cast.users[role])
    assert len(sponsor.get(url).json()["items"]) == 11
    assert count() == small
