"""PUT /api/v1/tasks/{id}: the task's whole plan, as the task edit page saves it."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from shinrai.api import sync
from shinrai.core.models import AuditEvent, User
from shinrai.progress.models import Task


@pytest.fixture(autouse=True)
def _english_messages(cast):
    User.objects.update(language="en")
    with translation.override("en"):
        yield


def _put(client, task, body, **headers):
    return client.put(f"/api/v1/tasks/{task.pk}", body, content_type="application/json", **headers)


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


def test_the_plan_is_replaced_and_audited(client, cast, make_task, make_milestone):
    design = make_task("設計")
    screens = make_task("画面設計", estimate_hours=Decimal(8))
    milestone = make_milestone()
    pm = _as(client, cast, "vendor_pm")
    body = {
        "name": "画面設計(詳細)",
        "parent_id": design.pk,
        "owner_id": cast.users["vendor_member"].pk,
        "planned_start": "2026-11-24",
        "duration_days": "3",
        "estimate_hours": "24",
        "milestone_id": milestone.pk,
        "visibility": "customer",
    }
    response = _put(pm, screens, body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["name"], answer["code"], answer["parent_id"]) == ("画面設計(詳細)", "1.1", design.pk)
    assert response["ETag"] == sync.etag(Task.objects.get(pk=screens.pk))
    screens.refresh_from_db()
    assert screens.parent_id == design.pk
    assert screens.owner == cast.users["vendor_member"]
    # 3 person-days from Tuesday 24 November: 24, 25, 26 (no holiday in between).
    assert (screens.planned_start, screens.planned_finish) == (date(2026, 11, 24), date(2026, 11, 26))
    assert (screens.estimate_hours, screens.milestone_id) == (Decimal(24), milestone.pk)
    event = AuditEvent.objects.filter(action="task.update").latest("pk")
    assert event.after["name"] == "画面設計(詳細)"


def test_fields_left_out_take_their_defaults(client, cast, make_task, make_milestone):
    design = make_task("設計")
    screens = make_task(
        "画面設計", parent=design, owner=cast.users["vendor_member"], milestone=make_milestone()
    )
    response = _put(_as(client, cast, "vendor_pm"), screens, {"name": "画面設計"})
    assert response.status_code == 200, response.content
    screens.refresh_from_db()
    assert (screens.parent_id, screens.owner_id, screens.milestone_id) == (None, None, None)


def test_bad_input_is_refused_and_nothing_changes(client, cast, make_task):
    task = make_task("画面設計")
    foreign = make_task("他社タスク", project=cast.foreign, by=cast.users["other_vendor_manager"])
    pm = _as(client, cast, "vendor_pm")
    cases = [
        ({"name": ""}, "name"),
        ({"name": "x", "parent_id": foreign.pk}, "parent_id"),
        ({"name": "x", "parent_id": task.pk}, "parent"),  # itself
        ({"name": "x", "owner_id": cast.users["customer_member"].pk}, "owner_id"),
        ({"name": "x", "planned_start": "2026-12-01", "planned_finish": "2026-11-01"}, None),
        ({"name": "x", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        response = _put(pm, task, body)
        assert response.status_code == 422, (body, response.content)
        fields = {error["field"] for error in response.json()["detail"]}
        if field is not None:
            assert any(field in str(name) for name in fields), (body, fields)
    task.refresh_from_db()
    assert task.name == "画面設計"
    assert not AuditEvent.objects.filter(action="task.update").exists()


def test_a_stale_if_match_answers_412_and_changes_nothing(client, cast, make_task):
    task = make_task("画面設計")
    pm = _as(client, cast, "vendor_pm")
    tag = sync.etag(task)
    Task.objects.filter(pk=task.pk).update(updated_at=task.updated_at.replace(year=2027))
    response = _put(pm, task, {"name": "新しい名前"}, HTTP_IF_MATCH=tag)
    assert response.status_code == 412
    task.refresh_from_db()
    assert task.name == "画面設計"
    current = sync.etag(task)
    assert _put(pm, task, {"name": "新しい名前"}, HTTP_IF_MATCH=current).status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("vendor_manager", 200),
        ("vendor_member", 200),
        ("customer_sponsor", 403),
        ("customer_member", 403),
        ("partner_viewer", 404),
        ("outsider_customer", 404),
        ("other_vendor_manager", 404),
    ],
)
def test_who_may_replace_a_plan(client, cast, make_task, role, status):
    task = make_task("画面設計")
    response = _put(_as(client, cast, role), task, {"name": "変えた"})
    assert response.status_code == status, response.content
    task.refresh_from_db()
    assert (task.name == "変えた") == (status == 200)
