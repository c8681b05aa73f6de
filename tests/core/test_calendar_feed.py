"""The milestone calendar feed: a per-person secret URL read without logging in, scoped like the pages."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from shinrai.core import calendar_feed, services
from shinrai.core.models import AuditEvent, CalendarFeedToken, Project, ProjectMember
from shinrai.progress import services as progress_services
from shinrai.progress.models import Milestone

from ..factories import MilestoneFactory

HOST = "127.0.0.1"  # settings.SITE_URL's host, in every UID


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


def milestone(cast, name, *, project=None, visibility="customer", **dates):
    return progress_services.milestone_save(
        by=cast.users["vendor_pm"], project=project or cast.own, name=name, visibility=visibility, **dates
    )


def secret_for(user) -> str:
    return calendar_feed.calendar_feed_token_issue(user=user)


def fetch(secret, project=None):
    """GET a feed as a calendar program does: a fresh client, no session, no cookies."""
    if project is None:
        url = reverse("calendar:feed", kwargs={"secret": secret})
    else:
        url = reverse("calendar:project_feed", kwargs={"secret": secret, "pk": project.pk})
    return Client().get(url)


def events(response) -> dict[str, object]:
    """The feed's events by SUMMARY, parsed with icalendar."""
    assert response.status_code == 200, response.status_code
    calendar = Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.events}


@pytest.fixture
def roadmap(cast):
    """Own project: a slipped milestone, a reached one, an internal one, one shared with partners, one
    without any date; another customer's project with one milestone."""
    slipped = milestone(
        cast,
        "要件定義完了",
        baseline_date=date(2026, 12, 4),
        forecast_date=date(2026, 12, 11),
        deliverables="要件定義書\n画面一覧",
    )
    reached = milestone(cast, "キックオフ", baseline_date=date(2026, 10, 1))
    progress_services.milestone_record_actual(
        by=cast.users["vendor_pm"], milestone=reached, actual_date=date(2026, 10, 2)
    )
    internal = milestone(cast, "社内レビュー", visibility="internal", baseline_date=date(2026, 11, 30))
    shared = milestone(cast, "結合テスト開始", visibility="partners", baseline_date=date(2027, 1, 15))
    undated = milestone(cast, "日付未定")
    other = milestone(cast, "他社の移行", project=cast.other, baseline_date=date(2026, 12, 1))
    return {
        "slipped": slipped,
        "reached": reached,
        "internal": internal,
        "shared": shared,
        "undated": undated,
        "other": other,
    }


# --- The feed -----------------------------------------------------------------------------------------


def test_feed_gives_the_customer_all_day_events_on_the_expected_date(cast, roadmap):
    response = fetch(secret_for(cast.users["customer_sponsor"]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private"
    found = events(response)
    assert sorted(found) == ["[自社案件] キックオフ", "[自社案件] 結合テスト開始", "[自社案件] 要件定義完了"]
    slipped = found["[自社案件] 要件定義完了"]
    # Not reached: on the forecast, all day (DTEND is the next day, exclusive).
    assert slipped.start == date(2026, 12, 11)
    assert slipped.end == date(2026, 12, 12)
    assert slipped["DTSTART"].params["VALUE"] == "DATE"
    assert str(slipped["UID"]) == f"milestone-{roadmap['slipped'].pk}@{HOST}"
    assert slipped["URL"] == (
        f"http://127.0.0.1:8000/portal/projects/{cast.own.pk}/roadmap/#milestone-{roadmap['slipped'].pk}"
    )
    assert slipped["TRANSP"] == "TRANSPARENT"
    updated = roadmap["slipped"].updated_at.replace(microsecond=0)
    assert slipped["LAST-MODIFIED"].dt == updated
    assert slipped["DTSTAMP"].dt == updated
    # Reached: on the actual date, not the baseline.
    assert found["[自社案件] キックオフ"].start == date(2026, 10, 2)
    assert found["[自社案件] 結合テスト開始"].start == date(2027, 1, 15)


def test_feed_describes_dates_slip_and_deliverables_in_the_users_language(cast, roadmap):
    sponsor = cast.users["customer_sponsor"]  # Japanese by default
    description = str(events(fetch(secret_for(sponsor)))["[自社案件] 要件定義完了"]["DESCRIPTION"])
    assert "予定日: 2026/12/04" in description
    assert "見込み日: 2026/12/11" in description
    # 2026-12-04 (Fri) → 12-11 (Fri): five business days later.
    assert "予定より5営業日遅れる見込みです。" in description
    assert "成果物:\n要件定義書\n画面一覧" in description

    sponsor.language = "en"
    sponsor.save(update_fields=["language"])
    response = fetch(secret_for(sponsor))
    description = str(events(response)["[自社案件] 要件定義完了"]["DESCRIPTION"])
    assert "Expected 5 business days later than planned." in description
    assert "Deliverables:" in description
    calendar = Calendar.from_ical(response.content)
    assert calendar["X-WR-CALNAME"] == "Shinrai milestones"
    assert calendar.refresh_interval == timedelta(hours=1)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.content


def test_internal_milestones_never_reach_customers_and_partners_see_only_shared_ones(cast, roadmap):
    for role in ("customer_sponsor", "customer_member"):
        body = fetch(secret_for(cast.users[role])).content.decode()
        assert "社内レビュー" not in body, role
        assert f"milestone-{roadmap['internal'].pk}@" not in body, role
    partner = events(fetch(secret_for(cast.users["partner_viewer"])))
    assert sorted(partner) == ["[自社案件] 結合テスト開始"]


def test_vendor_feed_has_internal_milestones_marked_private_and_links_to_the_workspace(cast, roadmap):
    found = events(fetch(secret_for(cast.users["vendor_pm"])))
    internal = found["[自社案件] 社内レビュー"]
    assert internal["CLASS"] == "PRIVATE"
    assert "社内限定" in str(internal["DESCRIPTION"])
    assert internal["URL"] == (
        f"http://127.0.0.1:8000/projects/{cast.own.pk}/roadmap/#milestone-{roadmap['internal'].pk}"
    )
    assert found["[自社案件] 要件定義完了"]["CLASS"] == "PUBLIC"
    assert "[自社案件] 日付未定" not in found  # no date at all: nothing to put on a calendar


def test_other_customers_project_is_never_in_the_feed(cast, roadmap):
    secret = secret_for(cast.users["customer_sponsor"])
    assert "他社の移行" not in fetch(secret).content.decode()
    assert fetch(secret, project=cast.other).status_code == 404
    assert fetch(secret, project=cast.foreign).status_code == 404  # same customer, another vendor: no member
    # The other customer's sponsor sees exactly their own project.
    assert sorted(events(fetch(secret_for(cast.users["outsider_customer"])))) == ["[他顧客案件] 他社の移行"]


def test_vendor_manager_feed_spans_the_vendors_projects(cast, roadmap):
    found = events(fetch(secret_for(cast.users["vendor_manager"])))
    assert "[他顧客案件] 他社の移行" in found and "[自社案件] 社内レビュー" in found
    assert len(found) == 5  # every dated milestone of both projects


def test_project_feed_has_only_that_project(cast, roadmap):
    secret = secret_for(cast.users["vendor_manager"])
    response = fetch(secret, project=cast.other)
    assert sorted(events(response)) == ["[他顧客案件] 他社の移行"]
    # The name carries the project's name (the Japanese wording comes with the translations).
    assert "他顧客案件" in str(Calendar.from_ical(response.content)["X-WR-CALNAME"])
    assert fetch(secret, project=cast.foreign).status_code == 404  # another vendor's project


def test_closed_projects_are_left_out_of_the_combined_feed_but_not_their_own(cast, roadmap):
    Project.objects.filter(pk=cast.own.pk).update(phase=Project.Phase.CLOSED)
    secret = secret_for(cast.users["customer_sponsor"])
    assert events(fetch(secret)) == {}
    assert "[自社案件] 要件定義完了" in events(fetch(secret, project=cast.own))


def test_a_moved_forecast_moves_the_event_and_keeps_its_uid(cast, roadmap):
    # iCalendar times have whole seconds: make the earlier version clearly older than the move below.
    Milestone.objects.filter(pk=roadmap["slipped"].pk).update(updated_at=timezone.now() - timedelta(hours=1))
    secret = secret_for(cast.users["customer_sponsor"])
    before = events(fetch(secret))["[自社案件] 要件定義完了"]
    progress_services.milestone_save(
        by=cast.users["vendor_pm"],
        project=cast.own,
        milestone=roadmap["slipped"],
        forecast_date=date(2026, 12, 18),
        reason="検証環境の準備遅れ",
    )
    after = events(fetch(secret))["[自社案件] 要件定義完了"]
    assert after["UID"] == before["UID"]
    assert after.start == date(2026, 12, 18)
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt


def test_text_is_escaped_by_icalendar(cast):
    milestone(cast, "設計; 完了, 確認", baseline_date=date(2026, 12, 4), deliverables="a\\b")
    response = fetch(secret_for(cast.users["customer_sponsor"]))
    assert b"SUMMARY:[\xe8\x87\xaa\xe7\xa4\xbe\xe6\xa1\x88\xe4\xbb\xb6] \xe8\xa8\xad\xe8\xa8\x88\\; " in (
        response.content
    )
    assert "[自社案件] 設計; 完了, 確認" in events(response)


def test_query_count_does_not_grow_with_milestones_or_projects(cast):
    secret = secret_for(cast.users["vendor_manager"])
    fetch(secret)  # records "last used" once, so that both measured fetches skip that write
    MilestoneFactory(project=cast.own, baseline_date=date(2026, 12, 1))
    with CaptureQueriesContext(connection) as one:
        assert len(events(fetch(secret))) == 1
    for project in (cast.own, cast.other):
        for n in range(10):
            MilestoneFactory(project=project, baseline_date=date(2026, 12, 1) + timedelta(days=n))
    with CaptureQueriesContext(connection) as many:
        assert len(events(fetch(secret))) == 21
    # the token (with its owner), the milestones (with their projects), the projects the person is PM of,
    # the open customer requests
    assert len(one) == len(many) == 4

    with CaptureQueriesContext(connection) as project_feed:
        assert len(events(fetch(secret, project=cast.other))) == 10
    # the token, the project, its milestones, the PM check, its open requests (a manager needs no membership)
    assert len(project_feed) == 5


def test_project_feed_query_count_does_not_grow_with_milestones(cast):
    secret = secret_for(cast.users["customer_sponsor"])
    fetch(secret)
    MilestoneFactory(project=cast.own, baseline_date=date(2026, 12, 1))
    with CaptureQueriesContext(connection) as one:
        assert len(events(fetch(secret, project=cast.own))) == 1
    for n in range(19):
        MilestoneFactory(project=cast.own, baseline_date=date(2026, 12, 2) + timedelta(days=n))
    with CaptureQueriesContext(connection) as many:
        assert len(events(fetch(secret, project=cast.own))) == 20
    # the token, the project, the membership, the milestones, the open requests
    assert len(one) == len(many) == 5


# --- Who may read it ------------------------------------------------------------------------------------


def test_unknown_secret_is_404(cast, roadmap):
    assert fetch("x" * 43).status_code == 404
    assert fetch("x" * 43, project=cast.own).status_code == 404
    assert Client().get("/calendar/short.ics").status_code == 404  # not even a well-formed secret
    secret = secret_for(cast.users["customer_sponsor"])
    assert Client().get(f"/calendar/{secret}/projects/{'9' * 30}.ics").status_code == 404
    assert Client().get(f"/calendar/{secret}/projects/{'9' * 18}.ics").status_code == 404


def test_regenerate_invalidates_the_old_url_at_once(cast, roadmap):
    user = cast.users["customer_sponsor"]
    old = secret_for(user)
    new = secret_for(user)
    assert old != new
    assert fetch(old).status_code == 404
    assert fetch(old, project=cast.own).status_code == 404
    assert fetch(new).status_code == 200
    assert CalendarFeedToken.objects.filter(user=user).count() == 1
    actions = list(
        AuditEvent.objects.filter(object_type="core.calendarfeedtoken")
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [("calendar_feed.create", user.pk), ("calendar_feed.regenerate", user.pk)]


def test_revoke_stops_the_feed(cast, roadmap):
    user = cast.users["customer_sponsor"]
    secret = secret_for(user)
    assert calendar_feed.calendar_feed_token_revoke(user=user) is True
    assert fetch(secret).status_code == 404
    assert not CalendarFeedToken.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="calendar_feed.revoke", actor=user).count() == 1
    assert calendar_feed.calendar_feed_token_revoke(user=user) is False  # nothing left: no second event
    assert AuditEvent.objects.filter(action="calendar_feed.revoke").count() == 1


def test_deactivated_user_gets_404(cast, roadmap):
    user = cast.users["customer_sponsor"]
    secret = secret_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert fetch(secret).status_code == 404
    assert fetch(secret, project=cast.own).status_code == 404


def test_removed_member_loses_the_project_at_once(cast, roadmap):
    user = cast.users["customer_sponsor"]
    secret = secret_for(user)
    assert fetch(secret, project=cast.own).status_code == 200
    services.member_remove(by=cast.users["vendor_pm"], member=ProjectMember.objects.get(user=user))
    assert fetch(secret, project=cast.own).status_code == 404
    assert events(fetch(secret)) == {}


def test_secret_is_stored_only_as_its_digest(cast):
    user = cast.users["customer_sponsor"]
    secret = secret_for(user)
    row = CalendarFeedToken.objects.filter(user=user).values().get()
    assert row["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(row)
    audit = AuditEvent.objects.filter(object_type="core.calendarfeedtoken").values("before", "after")
    assert secret not in str(list(audit))


def test_last_used_is_recorded_at_most_every_quarter_hour(cast):
    user = cast.users["customer_sponsor"]
    secret = secret_for(user)
    assert CalendarFeedToken.objects.get(user=user).last_used_at is None
    fetch(secret)
    first = CalendarFeedToken.objects.get(user=user).last_used_at
    assert first is not None
    fetch(secret)
    assert CalendarFeedToken.objects.get(user=user).last_used_at == first
    CalendarFeedToken.objects.filter(user=user).update(last_used_at=first - timedelta(minutes=16))
    fetch(secret)
    assert CalendarFeedToken.objects.get(user=user).last_used_at > first - timedelta(minutes=1)


def test_feed_answers_only_get_and_head(cast):
    secret = secret_for(cast.users["customer_sponsor"])
    url = reverse("calendar:feed", kwargs={"secret": secret})
    assert Client().head(url).status_code == 200
    assert Client().post(url).status_code == 405


# --- The settings page ------------------------------------------------------------------------------------


def test_settings_page_shows_the_url_once_then_only_its_dates(client, cast):
    user = cast.users["customer_sponsor"]
    client.force_login(user)
    page = client.get(reverse("core:me")).content.decode()
    assert reverse("calendar:regenerate") in page
    assert reverse("calendar:revoke") not in page  # nothing to revoke yet

    response = client.post(reverse("calendar:regenerate"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:me") + "#calendar"
    page = client.get(reverse("core:me")).content.decode()
    urls = [part.split("<")[0] for part in page.split('<code class="token">')[1:]]
    feed_url, own_url = urls[0], urls[1]
    secret = feed_url.removeprefix("http://127.0.0.1:8000/calendar/").removesuffix(".ics")
    assert hashlib.sha256(secret.encode()).hexdigest() == CalendarFeedToken.objects.get(user=user).digest
    assert own_url == f"http://127.0.0.1:8000/calendar/{secret}/projects/{cast.own.pk}.ics"
    assert f"webcal://127.0.0.1:8000/calendar/{secret}.ics" in page
    assert len(urls) == 2  # the combined URL and the one project the sponsor is on
    assert fetch(secret).status_code == 200

    page = client.get(reverse("core:me")).content.decode()
    assert secret not in page  # shown once
    assert reverse("calendar:revoke") in page

    client.post(reverse("calendar:revoke"))
    assert fetch(secret).status_code == 404
    assert reverse("calendar:revoke") not in client.get(reverse("core:me")).content.decode()


def test_regenerate_and_revoke_need_the_csrf_token(cast):
    user = cast.users["customer_sponsor"]
    secret = secret_for(user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("calendar:regenerate")).status_code == 403
    assert client.post(reverse("calendar:revoke")).status_code == 403
    assert fetch(secret).status_code == 200  # neither replaced nor revoked
    assert AuditEvent.objects.filter(object_type="core.calendarfeedtoken").count() == 1


def test_settings_actions_are_post_only_and_need_login(client, cast):
    assert client.post(reverse("calendar:regenerate")).status_code == 302  # to the login page
    assert not CalendarFeedToken.objects.exists()
    client.force_login(cast.users["customer_sponsor"])
    assert client.get(reverse("calendar:regenerate")).status_code == 405
    assert client.get(reverse("calendar:revoke")).status_code == 405


@pytest.mark.parametrize(
    ("url_name", "role"), [("progress:roadmap", "vendor_pm"), ("progress:portal_roadmap", "customer_sponsor")]
)
def test_roadmap_pages_link_to_the_calendar_settings_without_the_secret(client, cast, url_name, role):
    user = cast.users[role]
    secret = secret_for(user)
    client.force_login(user)
    page = client.get(reverse(url_name, args=[cast.own.pk])).content.decode()
    assert f'href="{reverse("core:me")}#calendar"' in page
    assert secret not in page
