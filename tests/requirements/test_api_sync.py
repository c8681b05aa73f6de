"""Keeping a copy of the requirements in step: ``updated_since``, ETag / If-None-Match, If-Match."""

from datetime import datetime, timedelta

import pytest

from shinrai.requirements import services
from shinrai.requirements.models import Requirement

from ..clock import TOKYO, _english  # noqa: F401 (pytest fixture, used by name)

pytestmark = pytest.mark.usefixtures("_english")

STALE = "This was changed by someone else after you read it. Read it again and redo your change."


@pytest.fixture
def vendor(client, cast):
    client.force_login(cast.users["vendor_pm"])
    return client


def _refs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["ref"] for item in response.json()["items"]]


def test_updated_since_keeps_requirements_changed_at_or_after_it_oldest_first(vendor, cast, make_requirement):
    first, second, third = make_requirement(), make_requirement("帳票を出力すること"), make_requirement("CSV")
    base = datetime(2026, 11, 1, 9, 0, tzinfo=TOKYO)
    Requirement.objects.filter(pk=first.pk).update(updated_at=base + timedelta(days=2))
    Requirement.objects.filter(pk=second.pk).update(updated_at=base)
    Requirement.objects.filter(pk=third.pk).update(updated_at=base - timedelta(days=1))
    url = f"/api/v1/projects/{cast.own.pk}/requirements"
    assert _refs(vendor.get(url)) == ["REQ-001", "REQ-002", "REQ-003"]
    assert _refs(vendor.get(url, {"updated_since": base.isoformat()})) == ["REQ-002", "REQ-001"]
    assert _refs(vendor.get(url, {"updated_since": (base + timedelta(days=2)).isoformat()})) == ["REQ-001"]
    assert _refs(vendor.get(url, {"updated_since": "2026-11-01T09:00:01"})) == ["REQ-001"]  # Japan time
    assert vendor.get(url, {"updated_since": "yesterday"}).status_code == 422


def test_a_change_moves_the_requirement_into_updated_since(vendor, cast, make_requirement):
    requirement = make_requirement()
    url = f"/api/v1/projects/{cast.own.pk}/requirements"
    since = vendor.get(url).json()["items"][0]["updated_at"]
    # The answer has milliseconds (microseconds are cut): one millisecond later is after it.
    later = (datetime.fromisoformat(since) + timedelta(milliseconds=1)).isoformat()
    assert _refs(vendor.get(url, {"updated_since": later})) == []
    services.requirement_update(by=cast.users["vendor_pm"], requirement=requirement, priority="could")
    assert _refs(vendor.get(url, {"updated_since": later})) == ["REQ-001"]


def test_detail_etag_answers_304_until_the_requirement_changes(vendor, cast, make_requirement):
    requirement = make_requirement()
    url = f"/api/v1/requirements/{requirement.pk}"
    tag = vendor.get(url)["ETag"]
    assert tag.startswith('"') and vendor.get(url)["ETag"] == tag
    unchanged = vendor.get(url, HTTP_IF_NONE_MATCH=tag)
    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", tag)
    services.requirement_update(by=cast.users["vendor_pm"], requirement=requirement, text="在庫一覧を1秒で")
    changed = vendor.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag
    assert changed.json()["text"] == "在庫一覧を1秒で"


def test_if_match_lets_the_current_state_change_and_refuses_a_stale_one(vendor, cast, make_requirement):
    requirement = make_requirement()
    url = f"/api/v1/requirements/{requirement.pk}"
    tag = vendor.get(url)["ETag"]
    response = vendor.patch(url, {"priority": "should"}, content_type="application/json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.content
    new_tag = response["ETag"]
    assert new_tag != tag
    assert vendor.get(url)["ETag"] == new_tag  # the answer's tag names the stored state
    # The old tag is stale now: 412, and nothing is changed.
    stale = vendor.patch(url, {"priority": "could"}, content_type="application/json", HTTP_IF_MATCH=tag)
    assert (stale.status_code, stale.json()) == (412, {"detail": STALE})
    requirement.refresh_from_db()
    assert requirement.priority == "should"


def test_withdraw_takes_if_match_too(vendor, cast, make_requirement):
    requirement = make_requirement()
    url = f"/api/v1/requirements/{requirement.pk}"
    tag = vendor.get(url)["ETag"]
    services.requirement_update(by=cast.users["vendor_pm"], requirement=requirement, priority="could")
    stale = vendor.post(f"{url}/withdraw", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    requirement.refresh_from_db()
    assert requirement.status == "draft"
    current = vendor.get(url)["ETag"]
    response = vendor.post(f"{url}/withdraw", HTTP_IF_MATCH=current)
    assert response.status_code == 200
    assert response["ETag"] == vendor.get(url)["ETag"] != current


def test_a_refused_patch_does_not_answer_412_first(client, cast, make_requirement):
    """Access is decided before the precondition: a customer learns nothing from a tag."""
    requirement = make_requirement()
    client.force_login(cast.users["customer_sponsor"])
    response = client.patch(
        f"/api/v1/requirements/{requirement.pk}",
        {"priority": "could"},
        content_type="application/json",
        HTTP_IF_MATCH='"stale"',
    )
    assert response.status_code == 403


def test_a_review_step_moves_the_requirements_into_updated_since(vendor, cast, make_requirement):
    requirement = make_requirement()
    url = f"/api/v1/requirements/{requirement.pk}"
    tag = vendor.get(url)["ETag"]
    services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    assert vendor.get(url).json()["status"] == "in_review"
    assert vendor.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200
