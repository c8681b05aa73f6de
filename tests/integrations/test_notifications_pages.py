"""The notification pages and API: one's own list, opening (mark read, no open redirect), mark all read,
preferences; others' notifications and those of projects one can no longer see stay hidden."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.core import services as core_services
from shinrai.core.models import AuditEvent, ProjectMember, TokenScope
from shinrai.integrations.models import Event, Notification, NotificationPreference


def _note(user, *, title="お知らせ", url="/", project=None, read=False):
    from django.utils import timezone

    return Notification.objects.create(
        user=user,
        event=Event.REPORT_PUBLISHED,
        project=project,
        title=title,
        url=url,
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def sponsor(cast, client):
    user = cast.users["customer_sponsor"]
    client.force_login(user)
    return user


# --- The list -----------------------------------------------------------------------------------------------


def test_list_shows_only_my_notifications_newest_first_unread_marked(cast, client, sponsor):
    _note(sponsor, title="古いお知らせ", read=True)
    _note(sponsor, title="新しいお知らせ", project=cast.own)
    _note(cast.users["customer_member"], title="他人のお知らせ")

    response = client.get(reverse("integrations:notifications"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "他人のお知らせ" not in html
    assert html.index("新しいお知らせ") < html.index("古いお知らせ")
    assert html.count("notification-unread") == 1
    assert [n.title for n in response.context["page"]] == ["新しいお知らせ", "古いお知らせ"]


def test_list_hides_notifications_of_projects_i_can_no_longer_see(cast, client, sponsor):
    hidden = _note(sponsor, title="外された案件", project=cast.own)
    ProjectMember.objects.filter(project=cast.own, user=sponsor).delete()

    response = client.get(reverse("integrations:notifications"))

    assert "外された案件" not in response.content.decode()
    assert client.get(reverse("integrations:notification_open", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("api:notifications_unread_count")).json() == {"unread": 0}


def test_list_is_paginated_by_50(client, sponsor):
    Notification.objects.bulk_create(
        Notification(user=sponsor, event=Event.REQUEST_DUE, title=f"n{i}", url="/") for i in range(51)
    )

    first = client.get(reverse("integrations:notifications"))
    second = client.get(reverse("integrations:notifications"), {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 1


def test_list_query_count_does_not_grow_with_notifications(cast, client, sponsor):
    _note(sponsor, project=cast.own)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("integrations:notifications"))
    for i in range(30):
        _note(sponsor, title=f"n{i}", project=cast.own if i % 2 else None)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("integrations:notifications"))

    assert len(many.captured_queries) == len(few.captured_queries)


# --- Opening and marking read -------------------------------------------------------------------------------


def test_open_marks_read_and_goes_to_the_page(cast, client, sponsor):
    item = _note(sponsor, url=f"/portal/projects/{cast.own.pk}/", project=cast.own)

    response = client.get(reverse("integrations:notification_open", args=[item.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"/portal/projects/{cast.own.pk}/"
    item.refresh_from_db()
    assert item.read_at is not None


@pytest.mark.parametrize(
    "url", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_open_never_leaves_shinrai(client, sponsor, url):
    item = _note(sponsor, url=url)

    response = client.get(reverse("integrations:notification_open", args=[item.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:notifications")


def test_someone_elses_notification_is_404_and_stays_unread(cast, client, sponsor):
    theirs = _note(cast.users["customer_member"])

    assert client.get(reverse("integrations:notification_open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api:mark_notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_mine(cast, client, sponsor):
    mine = [_note(sponsor), _note(sponsor)]
    theirs = _note(cast.users["customer_member"])

    response = client.post(reverse("integrations:notifications_read_all"))

    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_is_post_only(client, sponsor):
    assert client.get(reverse("integrations:notifications_read_all")).status_code == 405


# --- Preferences page ---------------------------------------------------------------------------------------


def test_preferences_page_shows_every_event_checked_by_default(client, sponsor):
    response = client.get(reverse("integrations:notification_preferences"))

    html = response.content.decode()
    for event in Event.values:
        assert f'name="{event}__email" id="id_{event}__email" checked' in html
        assert f'name="{event}__in_app" id="id_{event}__in_app" checked' in html


def test_preferences_page_saves_the_choices(client, sponsor):
    data = {f"{event}__{channel}": "on" for event in Event.values for channel in ("email", "in_app")}
    del data["report_published__email"]
    del data["request_due__in_app"]

    response = client.post(reverse("integrations:notification_preferences"), data)

    assert response.status_code == 302
    stored = {(p.event, p.email, p.in_app) for p in NotificationPreference.objects.filter(user=sponsor)}
    assert ("report_published", False, True) in stored
    assert ("request_due", True, False) in stored
    assert len(stored) == 5
    audit = AuditEvent.objects.get(action="notification_preferences.save")
    assert audit.after == {"report_published": "email=off in_app=on", "request_due": "email=on in_app=off"}


def test_settings_page_links_to_the_preferences(client, sponsor):
    response = client.get(reverse("core:me"))

    assert reverse("integrations:notification_preferences") in response.content.decode()


def test_every_page_has_the_bell_without_a_query_for_it(client, sponsor):
    response = client.get(reverse("core:me"))

    html = response.content.decode()
    assert f'href="{reverse("integrations:notifications")}"' in html
    assert f'data-unread-source="{reverse("api:notifications_unread_count")}"' in html


# --- API ----------------------------------------------------------------------------------------------------


def test_api_lists_mine_and_filters_unread(cast, client, sponsor):
    read = _note(sponsor, title="既読", read=True)
    unread = _note(sponsor, title="未読", project=cast.own)
    _note(cast.users["customer_member"], title="他人")

    everything = client.get(reverse("api:list_notifications")).json()
    only_unread = client.get(reverse("api:list_notifications"), {"unread": "true"}).json()

    assert [item["id"] for item in everything["items"]] == [unread.pk, read.pk]
    assert everything["count"] == 2
    assert [item["id"] for item in only_unread["items"]] == [unread.pk]
    assert only_unread["items"][0]["project"] == cast.own.pk
    assert only_unread["items"][0]["read_at"] is None


def test_api_unread_count_and_marking_read(client, sponsor):
    first, _second = _note(sponsor), _note(sponsor)

    assert client.get(reverse("api:notifications_unread_count")).json() == {"unread": 2}
    marked = client.post(reverse("api:mark_notification_read", args=[first.pk])).json()
    assert marked["id"] == first.pk and marked["read_at"] is not None
    assert client.get(reverse("api:notifications_unread_count")).json() == {"unread": 1}
    assert client.post(reverse("api:mark_all_notifications_read")).json() == {"marked": 1}
    assert client.get(reverse("api:notifications_unread_count")).json() == {"unread": 0}


def test_api_preferences_read_and_change(client, sponsor):
    url = reverse("api:get_notification_preferences")

    assert client.get(url).json()[0] == {"event": "report_published", "email": True, "in_app": True}
    response = client.put(
        url,
        {"preferences": [{"event": "trouble_disclosed", "email": False, "in_app": True}]},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert {"event": "trouble_disclosed", "email": False, "in_app": True} in response.json()
    assert len(response.json()) == 5
    assert NotificationPreference.objects.get(user=sponsor, event="trouble_disclosed").email is False


def test_api_preferences_refuse_an_unknown_event(client, sponsor):
    response = client.put(
        reverse("api:get_notification_preferences"),
        {"preferences": [{"event": "everything", "email": False, "in_app": False}]},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert NotificationPreference.objects.count() == 0


def test_api_read_only_token_cannot_change_preferences(client, cast):
    _token, clear = core_services.api_token_create(
        user=cast.users["customer_sponsor"], name="読むだけ", scope=TokenScope.READ
    )

    response = client.put(
        reverse("api:get_notification_preferences"),
        {"preferences": [{"event": "trouble_disclosed", "email": False, "in_app": True}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {clear}",
    )

    assert response.status_code == 403
    assert NotificationPreference.objects.count() == 0
