"""The progress API: milestones and the WBS, with the same access conventions as the requirements API."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.progress import services
from shinrai.progress.models import Task
from shinrai.requirements import services as requirement_services

from ..factories import TaskFactory


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def _fields(response):
    assert response.status_code == 422, response.content
    return sorted(error["field"] for error in response.json()["detail"])


@pytest.fixture
def vendor(client, cast):
    client.force_login(cast.users["vendor_pm"])
    return client


def test_milestones_list_with_slips(vendor, cast, make_milestone, today):
    make_milestone("要件定義完了", baseline_date=date(2026, 12, 4), forecast_date=date(2026, 12, 9))
    make_milestone("社内レビュー", baseline_date=date(2026, 11, 18), visibility="internal")
    page = vendor.get(f"/api/v1/projects/{cast.own.pk}/milestones").json()
    assert page["count"] == 2
    first, second = page["items"]
    assert first["name"] == "要件定義完了"
    assert (first["baseline_date"], first["forecast_date"], first["actual_date"]) == (
        "2026-12-04",
        "2026-12-09",
        None,
    )
    assert (first["slip_business_days"], first["late"], first["overdue"]) == (3, True, False)
    assert (second["late"], second["overdue"]) == (True, True)


def test_customers_do_not_get_internal_milestones(client, cast, make_milestone):
    make_milestone("社内レビュー", visibility="internal")
    client.force_login(cast.users["customer_member"])
    assert client.get(f"/api/v1/projects/{cast.own.pk}/milestones").json() == {"items": [], "count": 0}


def test_tasks_list_in_tree_order_with_rollups(vendor, cast, make_task, make_milestone):
    milestone = make_milestone()
    requirement = requirement_services.requirement_create(
        by=cast.users["vendor_pm"], project=cast.own, text="在庫一覧を2秒以内に表示すること"
    )
    design = make_task("設計")
    screens = make_task(
        "画面設計",
        parent=design,
        estimate_hours=Decimal(30),
        owner=cast.users["vendor_member"],
        milestone=milestone,
        requirements=[requirement],
        planned_start=date(2026, 5, 1),
        duration_days=3,
    )
    make_task("帳票設計", parent=design, estimate_hours=Decimal(10))
    services.task_update_progress(
        by=cast.users["vendor_pm"], task=screens, progress=50, actual_hours=Decimal(12)
    )
    page = vendor.get(f"/api/v1/projects/{cast.own.pk}/tasks").json()
    assert page["count"] == 3
    assert [(t["code"], t["name"], t["depth"]) for t in page["items"]] == [
        ("1", "設計", 0),
        ("1.1", "画面設計", 1),
        ("1.2", "帳票設計", 1),
    ]
    top, first, _second = page["items"]
    assert (top["is_summary"], top["estimate_hours"], top["actual_hours"], top["progress"]) == (
        True,
        40.0,
        12.0,
        37.5,
    )
    # JSON carries milliseconds (rounded down, so sending it back as updated_since still finds the task).
    sent = datetime.fromisoformat(first.pop("updated_at"))
    assert timedelta(0) <= Task.objects.get(pk=screens.pk).updated_at - sent < timedelta(milliseconds=1)
    assert first == {
        "id": screens.pk,
        "code": "1.1",
        "depth": 1,
        "parent_id": design.pk,
        "position": 0,
        "name": "画面設計",
        "owner_id": cast.users["vendor_member"].pk,
        "owner_name": "vendor_member",
        "planned_start": "2026-05-01",
        "planned_finish": "2026-05-08",
        "progress": 50.0,
        "status": "in_progress",
        "is_summary": False,
        "milestone_id": milestone.pk,
        "requirement_ids": [requirement.pk],
        "visibility": "customer",
        "completed_at": None,
        "estimate_hours": 30.0,
        "actual_hours": 12.0,
    }
    page = vendor.get(f"/api/v1/projects/{cast.own.pk}/tasks?limit=1&offset=1").json()
    assert (page["count"], [t["code"] for t in page["items"]]) == (3, ["1.1"])


def test_customers_see_shared_tasks_without_hours(client, cast, make_task):
    make_task("画面設計", estimate_hours=Decimal(8))
    make_task("社内手戻り", visibility="internal")
    client.force_login(cast.users["customer_sponsor"])
    [item] = client.get(f"/api/v1/projects/{cast.own.pk}/tasks").json()["items"]
    assert item["name"] == "画面設計"
    assert (item["estimate_hours"], item["actual_hours"]) == (None, None)
    client.force_login(cast.users["partner_viewer"])
    assert client.get(f"/api/v1/projects/{cast.own.pk}/tasks").json()["count"] == 0


def test_task_list_query_count_does_not_grow(vendor, cast):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert vendor.get(f"/api/v1/projects/{cast.own.pk}/tasks?limit=100").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(5):
        TaskFactory(project=cast.own, owner=cast.users["vendor_member"])
    small = count()
    for _ in range(45):
        TaskFactory(project=cast.own, owner=cast.users["vendor_member"])
    assert count() == small


def test_create_task_computes_the_finish_in_business_days(vendor, cast, make_task):
    parent = make_task("設計")
    response = _post(
        vendor,
        f"/api/v1/projects/{cast.own.pk}/tasks",
        {
            "name": "画面設計",
            "parent_id": parent.pk,
            "planned_start": "2026-05-01",
            "duration_days": 3,
            "estimate_hours": "24",
            "owner_id": cast.users["vendor_member"].pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["planned_finish"], body["estimate_hours"]) == ("1.1", "2026-05-08", 24.0)
    assert Task.objects.get(pk=body["id"]).parent == parent


def test_create_task_validates(vendor, cast, make_task):
    url = f"/api/v1/projects/{cast.own.pk}/tasks"
    elsewhere = make_task("他案件", project=cast.other, by=cast.users["vendor_manager"])
    assert _fields(_post(vendor, url, {"name": "x", "parent_id": elsewhere.pk})) == ["parent_id"]
    assert _fields(_post(vendor, url, {"name": "x", "owner_id": cast.users["customer_sponsor"].pk})) == [
        "owner_id"
    ]
    assert _fields(_post(vendor, url, {"name": "x", "requirement_ids": [999999]})) == ["requirement_ids"]
    assert _fields(
        _post(vendor, url, {"name": "x", "planned_start": "2026-12-07", "planned_finish": "2026-12-04"})
    ) == ["planned_finish"]
    assert _fields(_post(vendor, url, {"name": "x", "duration_days": 2})) == ["duration_days"]
    assert _fields(_post(vendor, url, {"name": ""})) == ["name"]
    assert _fields(_post(vendor, url, {"name": "x", "colour": "red"})) == ["colour"]
    assert not Task.objects.filter(project=cast.own).exclude(pk=elsewhere.pk).exists()


def test_patch_reports_progress(vendor, cast, make_task):
    task = make_task()
    response = _patch(vendor, f"/api/v1/tasks/{task.pk}", {"progress": 60, "actual_hours": "7.25"})
    assert response.status_code == 200, response.content
    assert (response.json()["progress"], response.json()["status"], response.json()["actual_hours"]) == (
        60.0,
        "in_progress",
        7.25,
    )
    body = _patch(vendor, f"/api/v1/tasks/{task.pk}", {"status": "done"}).json()
    assert (body["progress"], body["status"]) == (100.0, "done")
    assert body["completed_at"] is not None


def test_patch_validates(vendor, cast, make_task):
    task = make_task()
    url = f"/api/v1/tasks/{task.pk}"
    assert _fields(_patch(vendor, url, {"progress": 101})) == ["progress"]
    assert _fields(_patch(vendor, url, {"actual_hours": "-1"})) == ["actual_hours"]
    assert _fields(_patch(vendor, url, {"status": "cancelled"})) == ["status"]
    assert _fields(_patch(vendor, url, {"progress": None})) == ["progress"]
    make_task("子", parent=task)
    assert _fields(_patch(vendor, url, {"progress": 10})) == [None]  # a summary's progress is computed


def test_patch_is_403_for_customers_who_see_the_task_and_404_for_others(client, cast, make_task):
    shared = make_task("画面設計")
    internal = make_task("社内", visibility="internal")
    client.force_login(cast.users["customer_sponsor"])
    assert _patch(client, f"/api/v1/tasks/{shared.pk}", {"progress": 10}).status_code == 403
    assert _patch(client, f"/api/v1/tasks/{internal.pk}", {"progress": 10}).status_code == 404
    client.force_login(cast.users["outsider_customer"])
    assert _patch(client, f"/api/v1/tasks/{shared.pk}", {"progress": 10}).status_code == 404
    shared.refresh_from_db()
    assert shared.progress == 0
