"""Progress pages through the test client: the roadmap and WBS of the vendor, the customer's roadmap."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.core.models import AuditEvent
from shinrai.progress.models import Milestone, Task
from shinrai.requirements import services as requirement_services

from ..factories import TaskFactory


@pytest.fixture
def english(cast):
    """Users who read English: the assertions hold whatever the Japanese catalogue says."""
    for key in ("vendor_pm", "customer_sponsor"):
        cast.users[key].language = "en"
        cast.users[key].save(update_fields=["language"])
    return cast


def _url(name, cast, *args):
    return reverse(f"progress:{name}", args=[cast.own.pk, *args])


def test_pm_plans_milestones_and_a_wbs_and_reports_progress(client, cast, today):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        _url("milestone_new", cast),
        {
            "name": "要件定義完了",
            "deliverables": "要件定義書",
            "criteria": "お客様の承認",
            "baseline_date": "2026-12-04",
            "visibility": "customer",
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.baseline_date, milestone.forecast_date, milestone.position) == (
        date(2026, 12, 4),
        date(2026, 12, 4),
        0,
    )

    response = client.post(
        _url("task_new", cast),
        {
            "name": "要件定義",
            "planned_start": "2026-05-01",
            "duration_days": "3",
            "estimate_hours": "24",
            "milestone": milestone.pk,
            "owner": cast.users["vendor_member"].pk,
            "visibility": "customer",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    parent = Task.objects.get()
    assert parent.planned_finish == date(2026, 5, 8)  # Golden Week skipped
    assert response["Location"].endswith(f"#task-{parent.pk}")
    response = client.post(
        _url("task_new", cast),
        {"name": "業務ヒアリング", "parent": parent.pk, "estimate_hours": "8", "visibility": "customer"},
    )
    assert response.status_code == 302
    child = Task.objects.get(name="業務ヒアリング")
    assert child.parent == parent

    response = client.post(
        _url("task_progress", cast, child.pk),
        {"progress": "50", "actual_hours": "5.5", "status": "in_progress"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.progress, child.actual_hours, child.status) == (50, Decimal("5.50"), "in_progress")

    html = client.get(_url("wbs", cast)).content.decode()
    assert '<td class="mono">1.1</td>' in html
    assert 'class="wbs-name indent-1"' in html
    assert '<progress max="100" value="50"' in html
    assert f'action="{_url("task_progress", cast, child.pk)}"' in html
    assert f'action="{_url("task_progress", cast, parent.pk)}"' not in html  # a summary has no quick form
    html = client.get(_url("roadmap", cast)).content.decode()
    assert "要件定義完了" in html and 'class="here-marker"' in html


def test_quick_progress_shows_the_error_and_changes_nothing(client, cast, make_task):
    task = make_task()
    client.force_login(cast.users["vendor_member"])
    response = client.post(
        _url("task_progress", cast, task.pk), {"progress": "150", "status": "in_progress"}, follow=True
    )
    assert response.status_code == 200
    assert "画面設計" in str(list(response.context["messages"])[0])
    task.refresh_from_db()
    assert task.progress == 0


def test_task_form_shows_errors_and_writes_nothing(client, cast, english, make_task):
    other = make_task("他案件", project=cast.other, by=cast.users["vendor_manager"])
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        _url("task_new", cast),
        {
            "name": "設計",
            "planned_start": "2026-12-07",
            "planned_finish": "2026-12-04",
            "estimate_hours": "0",
            "visibility": "customer",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "planned_finish": ["The planned finish cannot be before the planned start."]
    }
    response = client.post(
        _url("task_new", cast),
        {"name": "設計", "parent": other.pk, "estimate_hours": "0", "visibility": "customer"},
    )
    assert "parent" in response.context["form"].errors
    assert Task.objects.filter(project=cast.own).count() == 0


def test_edit_form_offers_parents_of_this_project_only_and_never_below_the_task(client, cast, make_task):
    design = make_task("設計")
    screens = make_task("画面設計", parent=design)
    make_task("一覧画面", parent=screens)
    make_task("他案件の作業", project=cast.other, by=cast.users["vendor_manager"])
    client.force_login(cast.users["vendor_pm"])
    form = client.get(_url("task_edit", cast, screens.pk)).context["form"]
    assert [label for _value, label in form.fields["parent"].choices][1:] == ["1 設計"]
    form = client.get(_url("task_new", cast) + f"?parent={screens.pk}").context["form"]
    assert [label.strip("\u3000") for _value, label in form.fields["parent"].choices][1:] == [
        "1 設計",
        "1.1 画面設計",
        "1.1.1 一覧画面",
    ]
    assert form.initial["parent"] == screens.pk


def test_milestone_edit_keeps_the_baseline_and_records_the_reason(client, cast, make_milestone):
    milestone = make_milestone()
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        _url("milestone_edit", cast, milestone.pk),
        {
            "name": milestone.name,
            "baseline_date": "2027-01-15",  # disabled field: ignored
            "forecast_date": "2026-12-09",
            "visibility": "customer",
            "position": "0",
            "reason": "顧客レビュー日程の変更",
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.baseline_date, milestone.forecast_date) == (date(2026, 12, 4), date(2026, 12, 9))
    event = AuditEvent.objects.get(action="milestone.reforecast")
    assert event.after["reason"] == "顧客レビュー日程の変更"


def test_record_actual_from_the_roadmap(client, cast, make_milestone, today):
    milestone = make_milestone()
    client.force_login(cast.users["vendor_member"])
    response = client.post(_url("milestone_actual", cast, milestone.pk), {"actual_date": "2026-11-19"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.actual_date == date(2026, 11, 19)
    client.post(_url("milestone_actual", cast, milestone.pk), {"actual_date": "2026-11-30"})
    milestone.refresh_from_db()
    assert milestone.actual_date == date(2026, 11, 19)  # the future is refused


def test_delete_a_leaf_task_from_its_form(client, cast, make_task):
    parent = make_task("設計")
    leaf = make_task("画面設計", parent=parent)
    client.force_login(cast.users["vendor_pm"])
    client.post(_url("task_delete", cast, parent.pk))
    assert Task.objects.filter(pk=parent.pk).exists()  # it has a sub-task
    client.post(_url("task_delete", cast, leaf.pk))
    assert not Task.objects.filter(pk=leaf.pk).exists()


def test_roadmap_shows_slips_in_amber_and_red(client, cast, english, make_milestone, today):
    make_milestone("キックオフ", baseline_date=date(2026, 11, 18))  # overdue: not reached by Fri 20 Nov
    make_milestone("要件定義完了", baseline_date=date(2026, 12, 4), forecast_date=date(2026, 12, 9))
    make_milestone("基本設計完了", baseline_date=date(2027, 1, 8), forecast_date=date(2027, 1, 18))
    client.force_login(cast.users["vendor_pm"])
    html = client.get(_url("roadmap", cast)).content.decode()
    assert '<span class="slip-red">Overdue</span>' in html
    assert '<span class="slip-amber">3 business days late</span>' in html
    # Fri 8 Jan → Mon 18 Jan 2027: 12, 13, 14, 15, 18 (11 Jan is 成人の日): five days, a week: red.
    assert '<span class="slip-red">5 business days late</span>' in html
    assert html.count('class="here-marker"') == 1
    assert "Behind schedule." in html


def test_portal_roadmap_says_it_plainly_and_hides_internal_milestones(
    client, cast, english, make_milestone, today
):
    make_milestone("要件定義完了", baseline_date=date(2026, 12, 4), forecast_date=date(2026, 12, 9))
    make_milestone("社内レビュー", baseline_date=date(2026, 12, 1), visibility="internal")
    requirement_services.goal_save(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="出荷ミスをなくす",
        success_definition="誤出荷ゼロ",
    )
    client.force_login(cast.users["customer_sponsor"])
    response = client.get(_url("portal_roadmap", cast))
    html = response.content.decode()
    assert "Expected 3 business days later than planned." in html
    assert "出荷ミスをなくす" in html
    assert "社内レビュー" not in html
    assert "No. Part of the work is behind the plan." in html
    [status] = response.context["summary"].milestones
    assert status.slip_days == 3


def test_portal_roadmap_is_open_to_every_project_role(client, cast, make_milestone):
    make_milestone("協力会社とも共有", visibility="partners")
    make_milestone("お客様と共有")
    client.force_login(cast.users["partner_viewer"])
    html = client.get(_url("portal_roadmap", cast)).content.decode()
    assert "協力会社とも共有" in html and "お客様と共有" not in html


def test_customers_cannot_open_the_vendor_pages(client, cast, make_task):
    task = make_task()
    client.force_login(cast.users["customer_sponsor"])
    for url in (_url("roadmap", cast), _url("wbs", cast), _url("task_edit", cast, task.pk)):
        assert client.get(url).status_code == 404, url
    assert client.post(_url("task_progress", cast, task.pk), {"progress": "10"}).status_code == 404


def test_project_pages_link_to_the_roadmap_and_wbs(client, cast):
    client.force_login(cast.users["vendor_pm"])
    html = client.get(reverse("core:project_home", args=[cast.own.pk])).content.decode()
    assert _url("roadmap", cast) in html and _url("wbs", cast) in html
    html = client.get(reverse("core:portal_project", args=[cast.own.pk])).content.decode()
    assert _url("portal_roadmap", cast) in html


def test_page_query_counts_do_not_grow_with_the_tasks(client, cast, make_milestone, make_task):
    make_milestone()
    requirement = requirement_services.requirement_create(
        by=cast.users["vendor_pm"], project=cast.own, text="在庫一覧を2秒以内に表示すること"
    )
    owner = cast.users["vendor_member"]

    def grow(n):
        for _ in range(n):
            parent = TaskFactory(project=cast.own, owner=owner, estimate_hours=1)
            for _ in range(4):
                task = TaskFactory(
                    project=cast.own, parent=parent, owner=owner, estimate_hours=2, progress=10
                )
                task.requirements.add(requirement)

    def count(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    pages = [
        (cast.users["vendor_pm"], _url("wbs", cast)),
        (cast.users["vendor_pm"], _url("roadmap", cast)),
        (cast.users["vendor_pm"], _url("task_new", cast)),
        (cast.users["customer_sponsor"], _url("portal_roadmap", cast)),
    ]
    grow(1)  # 5 tasks
    small = [count(user, url) for user, url in pages]
    grow(9)  # 50 tasks
    assert Task.objects.count() == 50
    assert [count(user, url) for user, url in pages] == small


def test_vendor_preview_of_the_portal_roadmap_hides_vendor_only_milestones(client, cast):
    from shinrai.progress import services as progress_services

    progress_services.milestone_save(
        by=cast.users["vendor_pm"],
        project=cast.own,
        name="社内レビュー完了",
        baseline_date=date(2026, 12, 1),
        visibility="internal",
    )
    client.force_login(cast.users["vendor_pm"])
    html = client.get(reverse("progress:portal_roadmap", args=[cast.own.pk])).content.decode()
    assert "社内レビュー完了" not in html
    assert "社内レビュー完了" in client.get(reverse("progress:roadmap", args=[cast.own.pk])).content.decode()
