"""The project's recent changes through the API: what the vendor's project page lists, to the same roles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.core import services as core_services
from shinrai.core.models import AuditEvent
from shinrai.progress import services as progress_services
from tests.clock import _english, clock  # noqa: F401  (autouse: labels in English; the settable clock)

from ..factories import UserFactory


def _url(project) -> str:
    return f"/api/v1/projects/{project.pk}/activity"


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


@pytest.fixture
def history(cast, clock):  # noqa: F811 (the clock fixture is imported above)
    """Four writes on OWN-1, one a minute, and one on OTHER-1."""
    pm = cast.users["vendor_pm"]
    clock.set(2026, 11, 17, 10, 0)
    core_services.project_update(by=pm, project=cast.own, name="自社案件（改）", phase="design")
    clock.set(2026, 11, 17, 10, 1)
    newcomer = UserFactory(email="newcomer@example.jp", display_name="newcomer", organization=cast.customer)
    core_services.member_add(by=pm, project=cast.own, user=newcomer, role="customer_member")
    clock.set(2026, 11, 17, 10, 2)
    progress_services.task_save(by=pm, project=cast.own, name="社内レビュー", visibility="internal")
    clock.set(2026, 11, 17, 10, 3)
    core_services.audit_record(actor=None, action="task.import", obj=cast.own, project=cast.own)
    core_services.project_update(by=cast.users["vendor_manager"], project=cast.other, name="他案件")


def test_recent_changes_newest_first_as_the_page_shows_them(client, cast, history):
    response = _as(client, cast, "vendor_member").get(_url(cast.own))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 4
    rows = [
        (e["at"], e["action"], e["action_label"], e["actor_name"], e["member"], e["changed_fields"])
        for e in body["items"]
    ]
    assert rows == [
        ("2026-11-17T01:03:00Z", "task.import", "WBS imported from Excel", None, None, []),
        ("2026-11-17T01:02:00Z", "task.create", "Task added", "vendor_pm", None, []),
        ("2026-11-17T01:01:00Z", "member.add", "Member added", "vendor_pm", "newcomer@example.jp", []),
        (
            "2026-11-17T01:00:00Z",
            "project.update",
            "Project details changed",
            "vendor_pm",
            None,
            ["project name", "phase"],
        ),
    ]
    first, second = body["items"][0], body["items"][1]
    assert first["actor_id"] is None  # the system
    assert second["actor_id"] == cast.users["vendor_pm"].pk
    # No before/after values: only what the page shows.
    assert set(first) == {
        "id",
        "at",
        "action",
        "action_label",
        "actor_id",
        "actor_name",
        "member",
        "changed_fields",
    }


def test_labels_follow_the_users_language(client, cast, history):
    pm = cast.users["vendor_pm"]
    pm.language = "ja"
    pm.save(update_fields=["language"])
    items = _as(client, cast, "vendor_pm").get(_url(cast.own)).json()["items"]
    assert items[-1]["action_label"] == "プロジェクト情報を変更"
    assert items[-1]["changed_fields"] == ["プロジェクト名", "フェーズ"]


def test_pages_through_the_history(client, cast, history):
    pm = _as(client, cast, "vendor_pm")
    body = pm.get(_url(cast.own) + "?limit=2&offset=1").json()
    assert (body["count"], [e["action"] for e in body["items"]]) == (4, ["task.create", "member.add"])
    assert pm.get(_url(cast.own) + "?limit=0").status_code == 422
    assert pm.get(_url(cast.own) + "?offset=-1").status_code == 422


@pytest.mark.parametrize("role", ["customer_sponsor", "customer_member", "partner_viewer"])
def test_roles_without_the_project_page_get_403(client, cast, history, role):
    # They see the project (api:get_project), but the portal shows them no change history.
    response = _as(client, cast, role).get(_url(cast.own))
    assert response.status_code == 403
    assert "items" not in response.json()


@pytest.mark.parametrize("role", ["outsider_customer", "outsider_partner", "other_vendor_manager"])
def test_a_project_the_caller_cannot_see_answers_404(client, cast, history, role):
    assert _as(client, cast, role).get(_url(cast.own)).status_code == 404


def test_anonymous_callers_get_401(client, cast):
    assert client.get(_url(cast.own)).status_code == 401


def test_the_manager_of_another_project_sees_only_its_history(client, cast, history):
    items = _as(client, cast, "vendor_manager").get(_url(cast.other)).json()["items"]
    assert [(e["action"], e["actor_name"]) for e in items] == [("project.update", "vendor_manager")]


def test_query_count_does_not_grow_with_the_history(client, cast):
    pm = _as(client, cast, "vendor_pm")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert pm.get(_url(cast.own) + "?limit=1000").status_code == 200
        return len(captured.captured_queries)

    core_services.project_update(by=cast.users["vendor_pm"], project=cast.own, summary="1")
    small = count()
    for number in range(20):
        actor = cast.users["vendor_member" if number % 2 else "vendor_manager"]
        progress_services.task_save(by=actor, project=cast.own, name=f"作業{number}")
    assert AuditEvent.objects.filter(project=cast.own).count() == 21
    assert count() == small
