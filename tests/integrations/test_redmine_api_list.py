"""The import page's "Recent imports" through the API (GET /redmine/imports): same rule as the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.core import services as core_services
from shinrai.core.models import Organization, TokenScope
from shinrai.integrations.models import ImportRun
from tests import clock as clocks
from tests.clock import _english  # noqa: F401  (autouse: English messages)
from tests.factories import UserFactory

URL = "/api/v1/redmine/imports"
clock = clocks.clock  # the settable clock fixture
REFUSAL = {"detail": "Only vendor administrators may import from Redmine."}


def _run(clock, user, day, base_url="https://redmine.example.jp", **fields) -> ImportRun:
    clock.set(2026, 11, day, 10)
    return ImportRun.objects.create(started_by=user, base_url=base_url, projects=["shop"], **fields)


@pytest.fixture
def runs(cast, clock):
    """Three runs of vendor V (by its administrator and its PM) and one of vendor V2; the clock ends later."""
    admin, pm, foreign = (cast.users[k] for k in ("vendor_admin", "vendor_pm", "other_vendor_manager"))
    first = _run(clock, admin, 2, status=ImportRun.Status.DONE, summary={"shop": {"tasks": [5, 0, 0]}})
    second = _run(clock, pm, 3, base_url="https://pm.example.jp", status=ImportRun.Status.FAILED, error="x")
    third = _run(clock, admin, 4, status=ImportRun.Status.DONE, dry_run=True)
    _run(clock, foreign, 5, base_url="https://v2.example.jp", status=ImportRun.Status.DONE)
    clock.set(2026, 11, 5, 12)  # less than three hours after the newest run: nothing is stale yet
    return first, second, third


def test_admin_lists_the_runs_of_their_vendor_newest_first(client, cast, runs):
    first, second, third = runs
    client.force_login(cast.users["vendor_admin"])
    response = client.get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [third.pk, second.pk, first.pk]
    assert body["items"][2] == {
        "id": first.pk,
        "status": "done",
        "base_url": "https://redmine.example.jp",
        "projects": ["shop"],
        "dry_run": False,
        "summary": {"shop": {"tasks": [5, 0, 0]}},
        "error": "",
        "started_at": "2026-11-02T01:00:00Z",  # 10:00 in Tokyo
        "finished_at": None,
    }
    assert (body["items"][0]["dry_run"], body["items"][1]["status"]) == (True, "failed")
    assert "https://v2.example.jp" not in response.content.decode()


def test_the_other_vendors_admin_sees_only_their_own_runs(client, cast, runs):
    admin_v2 = UserFactory(email="admin2@example.jp", organization=cast.other_vendor, is_staff=True)
    client.force_login(admin_v2)
    body = client.get(URL).json()
    assert [item["base_url"] for item in body["items"]] == ["https://v2.example.jp"]


def test_list_is_paginated(client, cast, runs):
    first, second, third = runs
    client.force_login(cast.users["vendor_admin"])
    body = client.get(URL, {"limit": 2, "offset": 1}).json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [second.pk, first.pk]


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"limit": "x"}])
def test_bad_paging_answers_422(client, cast, runs, query):
    client.force_login(cast.users["vendor_admin"])
    response = client.get(URL, query)
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["detail"]] == list(query)


def test_a_run_left_running_by_a_dead_worker_is_listed_as_failed(client, cast, clock):
    run = _run(clock, cast.users["vendor_admin"], 2)
    clock.set(2026, 11, 2, 13, 1)  # three hours and a minute later
    client.force_login(cast.users["vendor_admin"])
    item = client.get(URL).json()["items"][0]
    assert (item["id"], item["status"]) == (run.pk, "failed")
    assert item["error"].startswith("The import stopped without finishing")


def test_a_read_token_may_list(client, cast, runs):
    _token, clear = core_services.api_token_create(
        user=cast.users["vendor_admin"], name="t", scope=TokenScope.READ
    )
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 3


@pytest.mark.parametrize(
    "role",
    [
        "vendor_manager",
        "vendor_pm",
        "vendor_member",
        "customer_sponsor",
        "customer_member",
        "partner_viewer",
        "outsider_customer",
        "outsider_partner",
        "other_vendor_manager",
    ],
)
def test_everyone_but_vendor_administrators_gets_403(client, cast, runs, role):
    client.force_login(cast.users[role])
    response = client.get(URL)
    assert response.status_code == 403
    assert response.json() == REFUSAL


def test_staff_of_a_customer_organization_gets_403(client, cast, runs):
    staff = UserFactory(email="staff@example.jp", organization=cast.customer, is_staff=True, language="en")
    assert staff.organization.kind == Organization.Kind.CUSTOMER
    client.force_login(staff)
    assert client.get(URL).json() == REFUSAL


def test_anonymous_gets_401(client, cast, runs):
    assert client.get(URL).status_code == 401


def test_query_count_does_not_grow_with_the_runs(client, cast, clock):
    _run(clock, cast.users["vendor_admin"], 2, status=ImportRun.Status.DONE)
    client.force_login(cast.users["vendor_admin"])
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for day in range(3, 13):
        _run(clock, cast.users["vendor_pm"], day, status=ImportRun.Status.DONE)
    client.force_login(cast.users["vendor_admin"])  # the session of day 2 has expired by day 12
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).json()["count"] == 11
    assert len(many) == len(few)
