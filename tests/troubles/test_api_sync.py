"""Sync on troubles: updated_since on the list, ETag and If-None-Match on a trouble, If-Match on PATCH.

A trouble's ``updated_at`` and ETag cover what is shown with it, so a client keeping a copy sees an option
added or a follow-up done, which do not touch the trouble's row.
"""

import pytest

from shinrai.troubles import services
from shinrai.troubles.models import Trouble

from .conftest import disclose, make_trouble, proposed

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_updated_since_lists_troubles_changed_since_oldest_first(client, cast, clock):
    first, second = make_trouble(cast, title="一件目"), make_trouble(cast, title="二件目")
    clock.set(2026, 11, 23, 11, 0)
    since = "2026-11-23T11:00:00+09:00"
    client.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/projects/{cast.own.pk}/troubles"
    assert _ids(client.get(url, {"updated_since": since})) == []
    services.trouble_update(by=cast.users["vendor_pm"], trouble=second, version=1, title="二件目（改）")
    clock.set(2026, 11, 23, 11, 30)
    services.option_add(by=cast.users["vendor_pm"], trouble=first, description="再実行")
    assert _ids(client.get(url, {"updated_since": since})) == [second.pk, first.pk]
    assert _ids(client.get(url)) == [second.pk, first.pk]  # newest number first without it
    item = client.get(url, {"updated_since": "2026-11-23T11:15:00+09:00"}).json()["items"][0]
    assert item["updated_at"] == "2026-11-23T02:30:00Z"


def test_a_follow_up_done_counts_as_a_change_of_the_trouble(client, cast, clock):
    trouble = make_trouble(cast)
    options = proposed(cast, trouble, options=1)
    services.trouble_decide(
        by=cast.users["customer_sponsor"], trouble=trouble, option=options[0], rationale="x", version=None
    )
    item = services.followup_add(by=cast.users["vendor_pm"], trouble=trouble, action="監視")
    clock.set(2026, 11, 24, 9, 0)
    client.force_login(cast.users["customer_member"])
    url = f"/api/v1/projects/{cast.own.pk}/troubles"
    assert _ids(client.get(url, {"updated_since": "2026-11-24T09:00:00+09:00"})) == []
    services.followup_done(by=cast.users["vendor_pm"], follow_up=item)
    assert _ids(client.get(url, {"updated_since": "2026-11-24T09:00:00+09:00"})) == [trouble.pk]


def test_etag_and_if_none_match_follow_what_is_shown(client, cast, clock):
    trouble = make_trouble(cast)
    disclose(cast, trouble)
    client.force_login(cast.users["customer_member"])
    url = f"/api/v1/troubles/{trouble.pk}"
    first = client.get(url)
    tag = first["ETag"]
    assert tag
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == tag
    clock.set(2026, 11, 23, 10, 5)
    services.option_add(by=cast.users["vendor_pm"], trouble=trouble, description="再実行")  # row untouched
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert [o["description"] for o in changed.json()["options"]] == ["再実行"]


def test_the_etag_changes_when_the_disclosure_becomes_overdue(client, cast, clock):
    clock.set(2026, 11, 20, 10, 0)  # detected 9:00, severity high: 24 hours to tell the customer
    trouble = make_trouble(cast)
    client.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/troubles/{trouble.pk}"
    before = client.get(url)
    assert before.json()["disclosure_overdue"] is False
    clock.set(2026, 11, 21, 10, 0)
    client.force_login(cast.users["vendor_pm"])  # the session of the day before has expired
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after.json()["disclosure_overdue"] is True
    assert after.json()["updated_at"] == "2026-11-21T00:00:00Z"  # the moment it became overdue


def test_if_match_guards_a_patch_and_version_still_answers_409(client, cast, clock):
    trouble = make_trouble(cast)
    client.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/troubles/{trouble.pk}"
    tag = client.get(url)["ETag"]
    clock.set(2026, 11, 23, 10, 5)
    services.option_add(by=cast.users["vendor_pm"], trouble=trouble, description="再実行")
    stale = client.patch(
        url, {"version": 1, "title": "古い"}, content_type="application/json", HTTP_IF_MATCH=tag
    )
    assert stale.status_code == 412
    assert stale.json()["detail"] == (
        "This was changed by someone else after you read it. Read it again and redo your change."
    )
    assert Trouble.objects.get(pk=trouble.pk).title == "夜間バッチが停止"
    fresh = client.get(url)["ETag"]
    clock.set(2026, 11, 23, 10, 10)
    ok = client.patch(
        url, {"version": 1, "title": "新しい"}, content_type="application/json", HTTP_IF_MATCH=fresh
    )
    assert ok.status_code == 200 and ok.json()["title"] == "新しい"
    assert ok["ETag"] not in (fresh, "")
    assert client.get(url, HTTP_IF_NONE_MATCH=ok["ETag"]).status_code == 304
    again = client.patch(
        url, {"version": 1, "title": "x"}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert again.status_code == 409
