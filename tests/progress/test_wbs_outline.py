"""The cached WBS outline, the WBS page a hundred tasks at a time, and the task list API read by the page.

The outline (codes, depths, rolled-up figures) is kept in the cache under the tasks' stamp: these tests write
through every service that changes a task and compare what is served with the outline computed from scratch.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.progress import selectors, services
from shinrai.progress.models import Task
from shinrai.progress.views import WBS_PAGE_SIZE
from tests.caches import clear_caches

from ..factories import TaskFactory

START = date(2026, 11, 2)  # a Monday


def _fresh(user, project) -> tuple:
    """The outline computed from the database, the cache bypassed."""
    visible = selectors.tasks_for(user=user, project=project).values_list(*selectors._OUTLINE_FIELDS)
    return selectors._outline(project, {values[0]: values for values in visible})


def _served(user, project) -> tuple:
    return tuple(
        (row.task_id, row.code, row.depth, row.is_summary, row.estimate_hours, row.actual_hours, row.progress)
        + (row.planned_start, row.planned_finish, row.status, row.changed_at)
        for row in selectors.wbs_for(user=user, project=project)
    )


def _expected(lines) -> tuple:
    return tuple(
        (line.task_id, line.code, line.depth, line.is_summary, line.estimate_hours, line.actual_hours)
        + (line.progress, line.planned_start, line.planned_finish, line.status, line.changed_at)
        for line in lines
    )


def test_the_cached_outline_equals_a_fresh_one_after_every_kind_of_write(cast, make_task):
    pm = cast.users["vendor_pm"]
    readers = [pm, cast.users["customer_sponsor"], cast.users["partner_viewer"]]
    design = make_task("設計", visibility="partners")
    screens = make_task(
        "画面設計", parent=design, estimate_hours=Decimal(16), planned_start=START, visibility="partners"
    )
    api = make_task("API設計", parent=design, estimate_hours=Decimal(8), visibility="customer")
    build = make_task("実装", visibility="customer", estimate_hours=Decimal(40))
    internal = make_task("社内レビュー", parent=build, visibility="internal", estimate_hours=Decimal(4))

    writes = [
        lambda: services.task_update_progress(by=pm, task=screens, progress=50, actual_hours=Decimal(6)),
        lambda: services.task_update_progress(by=pm, task=api, status="done"),
        lambda: services.task_save(by=pm, project=cast.own, task=_reload(api), estimate_hours=Decimal(12)),
        lambda: services.task_save(by=pm, project=cast.own, task=_reload(screens), position=1),
        lambda: services.task_move(by=pm, task=_reload(internal), parent=design, position=0),
        lambda: services.task_save(by=pm, project=cast.own, task=_reload(design), visibility="internal"),
        lambda: services.task_save(by=pm, project=cast.own, task=_reload(design), visibility="partners"),
        lambda: make_task("テスト", parent=build, estimate_hours=Decimal(3), planned_start=START),
        lambda: services.task_delete(by=pm, task=_reload(internal)),
        lambda: services.task_save(by=pm, project=cast.own, task=_reload(build), planned_start=START),
    ]
    for reader in readers:
        _served(reader, cast.own)  # fill the cache
    for step, write in enumerate(writes):
        write()
        for reader in readers:
            served = _served(reader, cast.own)
            assert served == _expected(_fresh(reader, cast.own)), (step, reader.display_name)


def _reload(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def test_readers_never_share_what_one_of_them_may_not_see(cast, make_task):
    secret = make_task("社内見積", visibility="internal", estimate_hours=Decimal(99))
    make_task("要件定義", visibility="customer", estimate_hours=Decimal(8))
    vendor = selectors.wbs_outline(user=cast.users["vendor_pm"], project=cast.own)
    assert secret.pk in {line.task_id for line in vendor.lines}

    customer = selectors.wbs_outline(user=cast.users["customer_sponsor"], project=cast.own)
    assert secret.pk not in {line.task_id for line in customer.lines}
    assert customer.key != vendor.key
    assert sum(line.estimate_hours for line in customer.lines) == Decimal(8)

    # Same kind of organization as a reader whose outline is cached, but not on the project: nothing.
    for outsider in ("outsider_customer", "other_vendor_manager", "outsider_partner"):
        outline = selectors.wbs_outline(user=cast.users[outsider], project=cast.own)
        assert outline.lines == () and outline.key == ""
        assert selectors.wbs_for(user=cast.users[outsider], project=cast.own) == []


def test_a_cached_outline_costs_one_query(cast, make_task):
    make_task("設計")
    pm = cast.users["vendor_pm"]
    selectors.wbs_outline(user=pm, project=cast.own)
    with CaptureQueriesContext(connection) as queries:
        selectors.wbs_outline(user=pm, project=cast.own)
    assert len(queries) == 1
    clear_caches()
    with CaptureQueriesContext(connection) as queries:
        selectors.wbs_outline(user=pm, project=cast.own)
    assert len(queries) == 3  # the key, the visible tasks, the tree's shape


@pytest.fixture
def big_wbs(cast):
    """3 phases of 60 tasks each: 183 tasks, two pages; the third phase starts on the second."""
    phases = []
    for p in range(3):
        phase = TaskFactory(project=cast.own, name=f"フェーズ{p + 1}", position=p, visibility="customer")
        phases.append(phase)
        for i in range(60):
            TaskFactory(
                project=cast.own,
                parent=phase,
                name=f"作業{p + 1}-{i + 1}",
                position=i,
                estimate_hours=Decimal(8),
                progress=50 if i % 2 else 0,
                planned_start=START + timedelta(days=i),
                planned_finish=START + timedelta(days=i + 3),
                visibility="customer",
            )
    return phases


def _row_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="task-(\d+)"', response.content.decode())]


def test_the_wbs_page_shows_a_hundred_tasks_at_a_time_with_the_whole_trees_figures(client, cast, big_wbs):
    client.force_login(cast.users["vendor_pm"])
    url = reverse("progress:wbs", args=[cast.own.pk])
    everything = [row.task_id for row in selectors.wbs_for(user=cast.users["vendor_pm"], project=cast.own)]
    assert len(everything) == 183

    first = client.get(url)
    second = client.get(url, {"page": 2})
    assert _row_ids(first) == everything[:WBS_PAGE_SIZE]
    assert _row_ids(second) == everything[WBS_PAGE_SIZE:]
    assert first.context["summary"] == second.context["summary"]  # figures of the whole tree on every page
    assert first.context["summary"].bac == Decimal(8 * 180)

    # The top-level tasks link to the page that lists them.
    phase3 = big_wbs[2]
    assert f'href="?task={phase3.pk}#task-{phase3.pk}"' in first.content.decode()
    assert everything.index(phase3.pk) >= WBS_PAGE_SIZE
    assert _row_ids(client.get(url, {"task": phase3.pk})) == everything[WBS_PAGE_SIZE:]
    assert _row_ids(client.get(url, {"task": "nonsense"})) == everything[:WBS_PAGE_SIZE]
    assert _row_ids(client.get(url, {"page": 999})) == everything[WBS_PAGE_SIZE:]  # the last page


def test_a_progress_report_returns_to_the_page_of_the_task(client, cast, big_wbs):
    client.force_login(cast.users["vendor_pm"])
    task = Task.objects.get(name="作業3-50")
    response = client.post(
        reverse("progress:task_progress", args=[cast.own.pk, task.pk]),
        {"progress": "80", "actual_hours": "5", "status": "in_progress"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?task={task.pk}#task-{task.pk}")
    page = client.get(response["Location"])
    assert task.pk in _row_ids(page)
    row = next(row for row in page.context["rows"] if row.task_id == task.pk)
    assert row.progress == Decimal(80)


def test_the_task_list_api_reads_only_the_page_it_sends(client, cast, big_wbs):
    client.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/projects/{cast.own.pk}/tasks"
    everything = [
        (row.task_id, row.code) for row in selectors.wbs_for(user=cast.users["vendor_pm"], project=cast.own)
    ]

    def read(limit, offset):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url, {"limit": limit, "offset": offset}).json()
        return body, len(queries)

    small, small_count = read(5, 130)
    large, large_count = read(100, 0)
    assert small["count"] == large["count"] == 183
    assert [(item["id"], item["code"]) for item in small["items"]] == everything[130:135]
    assert [(item["id"], item["code"]) for item in large["items"]] == everything[:100]
    assert small_count == large_count
    assert read(5, 500)[0] == {"items": [], "count": 183}
