"""Progress services and selectors: milestones, the WBS tree, rollups and the schedule summary."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from shinrai.core.models import AuditEvent
from shinrai.progress import selectors, services
from shinrai.progress.models import Milestone, Task
from shinrai.requirements import services as requirement_services

from ..factories import TaskFactory
from .conftest import hours


@pytest.fixture
def pm(cast):
    return cast.users["vendor_pm"]


def _errors(excinfo) -> dict:
    return {field: [str(m) for m in messages] for field, messages in excinfo.value.message_dict.items()}


def _codes(user, project):
    return [(row.code, row.task.name) for row in selectors.wbs_for(user=user, project=project)]


# --- Milestones ------------------------------------------------------------------------------------------


def test_milestone_forecast_defaults_to_the_baseline_and_positions_append(cast, make_milestone):
    first = make_milestone("要件定義完了")
    second = make_milestone("基本設計完了", baseline_date=date(2027, 1, 29))
    assert first.forecast_date == date(2026, 12, 4)
    assert (first.position, second.position) == (0, 1)
    event = AuditEvent.objects.filter(action="milestone.create").first()
    assert event.after["baseline_date"] == "2027-01-29"


def test_milestone_baseline_is_fixed_once_set(cast, pm, make_milestone):
    milestone = make_milestone()
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_save(
            by=pm, project=cast.own, milestone=milestone, baseline_date=date(2026, 12, 11)
        )
    assert list(_errors(excinfo)) == ["baseline_date"]
    assert Milestone.objects.get().baseline_date == date(2026, 12, 4)
    # Sending the same baseline again (as an edit form does) is fine.
    services.milestone_save(
        by=pm, project=cast.own, milestone=milestone, baseline_date=date(2026, 12, 4), name="要件定義 完了"
    )
    assert Milestone.objects.get().name == "要件定義 完了"


def test_milestone_without_baseline_can_get_one_later(cast, pm):
    milestone = services.milestone_save(by=pm, project=cast.own, name="移行リハーサル")
    assert (milestone.baseline_date, milestone.forecast_date) == (None, None)
    services.milestone_save(by=pm, project=cast.own, milestone=milestone, baseline_date=date(2027, 3, 5))
    milestone.refresh_from_db()
    assert (milestone.baseline_date, milestone.forecast_date) == (date(2027, 3, 5), date(2027, 3, 5))


def test_forecast_change_is_audited_with_before_after_and_slip(cast, pm, make_milestone):
    milestone = make_milestone()  # baseline Fri 2026-12-04
    services.milestone_save(
        by=pm, project=cast.own, milestone=milestone, forecast_date=date(2026, 12, 9), reason="顧客確認待ち"
    )
    event = AuditEvent.objects.get(action="milestone.reforecast")
    assert event.before == {"forecast_date": "2026-12-04"}
    # Mon 7, Tue 8, Wed 9 December: three business days.
    assert event.after == {"forecast_date": "2026-12-09", "slip_business_days": 3, "reason": "顧客確認待ち"}
    assert event.actor == pm


def test_clearing_the_forecast_means_the_baseline_again(cast, pm, make_milestone):
    milestone = make_milestone(forecast_date=date(2026, 12, 9))
    services.milestone_save(by=pm, project=cast.own, milestone=milestone, forecast_date=None)
    milestone.refresh_from_db()
    assert milestone.forecast_date == date(2026, 12, 4)
    event = AuditEvent.objects.get(action="milestone.reforecast")
    assert (event.before, event.after["forecast_date"]) == ({"forecast_date": "2026-12-09"}, "2026-12-04")


def test_record_actual_refuses_the_future_and_audits(cast, pm, make_milestone, today):
    milestone = make_milestone()
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_record_actual(by=pm, milestone=milestone, actual_date=date(2026, 11, 21))
    assert list(_errors(excinfo)) == ["actual_date"]
    services.milestone_record_actual(by=pm, milestone=milestone, actual_date=date(2026, 11, 19))
    milestone.refresh_from_db()
    assert milestone.actual_date == date(2026, 11, 19)
    event = AuditEvent.objects.get(action="milestone.achieve")
    # Reached Thu 19 November against a baseline of Fri 4 December: 10 business days early (19, 20, 24–27,
    # 30 Nov, 1–3 Dec; 23 Nov is a public holiday, 勤労感謝の日).
    assert event.after == {"actual_date": "2026-11-19", "slip_business_days": -10}


# --- Tasks: validation -----------------------------------------------------------------------------------


def test_finish_before_start_is_refused(make_task):
    with pytest.raises(ValidationError) as excinfo:
        make_task(planned_start=date(2026, 12, 7), planned_finish=date(2026, 12, 4))
    assert list(_errors(excinfo)) == ["planned_finish"]
    assert not Task.objects.exists()


def test_finish_before_start_is_refused_by_the_database(make_task):
    task = make_task(planned_start=date(2026, 12, 7), planned_finish=date(2026, 12, 8))
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(planned_finish=date(2026, 12, 1))


def test_progress_over_100_is_refused(cast, pm, make_task):
    task = make_task()
    with pytest.raises(ValidationError) as excinfo:
        services.task_update_progress(by=pm, task=task, progress=101)
    assert list(_errors(excinfo)) == ["progress"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(progress=101)


def test_negative_actual_hours_are_refused(pm, make_task):
    with pytest.raises(ValidationError) as excinfo:
        services.task_update_progress(by=pm, task=make_task(), actual_hours=Decimal("-1"))
    assert list(_errors(excinfo)) == ["actual_hours"]


def test_parent_of_another_project_is_refused(cast, make_task):
    elsewhere = make_task("他案件の親", project=cast.other, by=cast.users["vendor_manager"])
    with pytest.raises(ValidationError) as excinfo:
        make_task(parent=elsewhere)
    assert list(_errors(excinfo)) == ["parent"]


def test_milestone_owner_and_requirements_must_belong_to_the_project(cast, make_task, make_milestone):
    other_milestone = make_milestone(project=cast.other, by=cast.users["vendor_manager"])
    with pytest.raises(ValidationError) as excinfo:
        make_task(milestone=other_milestone)
    assert list(_errors(excinfo)) == ["milestone"]
    with pytest.raises(ValidationError) as excinfo:
        make_task(owner=cast.users["customer_sponsor"])
    assert list(_errors(excinfo)) == ["owner"]
    other_requirement = requirement_services.requirement_create(
        by=cast.users["vendor_manager"], project=cast.other, text="帳票をPDFで出力できること"
    )
    with pytest.raises(ValidationError) as excinfo:
        make_task(requirements=[other_requirement])
    assert list(_errors(excinfo)) == ["requirements"]


def test_owner_may_be_a_vendor_member_or_the_vendor_manager(cast, make_task):
    assert make_task(owner=cast.users["vendor_member"]).owner == cast.users["vendor_member"]
    assert make_task(owner=cast.users["vendor_manager"]).owner == cast.users["vendor_manager"]


def test_moving_a_task_under_itself_or_below_it_is_refused(pm, make_task):
    root = make_task("設計")
    child = make_task("画面設計", parent=root)
    grandchild = make_task("一覧画面", parent=child)
    for new_parent in (root, child, grandchild):
        with pytest.raises(ValidationError) as excinfo:
            services.task_move(by=pm, task=root, parent=new_parent)
        assert list(_errors(excinfo)) == ["parent"]
    with pytest.raises(ValidationError):
        services.task_save(by=pm, project=root.project, task=child, parent=grandchild)
    assert Task.objects.get(pk=child.pk).parent_id == root.pk


# --- Tasks: business days --------------------------------------------------------------------------------


def test_finish_is_computed_from_a_duration_in_business_days(make_task):
    # Fri 1 May 2026 is day 1; 2–6 May are a weekend and Golden Week holidays (6 May is 振替休日);
    # Thu 7 May is day 2 and Fri 8 May day 3.
    task = make_task(planned_start=date(2026, 5, 1), duration_days=3)
    assert task.planned_finish == date(2026, 5, 8)
    # A fractional duration takes its last day too: 1.5 days from Mon 30 Nov 2026 end on Tue 1 Dec.
    assert make_task(planned_start=date(2026, 11, 30), duration_days=Decimal("1.5")).planned_finish == date(
        2026, 12, 1
    )


def test_a_duration_needs_a_start_and_must_agree_with_a_finish(make_task):
    with pytest.raises(ValidationError) as excinfo:
        make_task(duration_days=3)
    assert list(_errors(excinfo)) == ["duration_days"]
    with pytest.raises(ValidationError) as excinfo:
        make_task(planned_start=date(2026, 5, 1), planned_finish=date(2026, 5, 7), duration_days=3)
    assert list(_errors(excinfo)) == ["duration_days"]
    task = make_task(planned_start=date(2026, 5, 1), planned_finish=date(2026, 5, 8), duration_days=3)
    assert task.planned_finish == date(2026, 5, 8)


# --- Tasks: progress ---------------------------------------------------------------------------------------


def test_done_means_100_percent_and_stamps_completion(pm, make_task):
    task = make_task()
    services.task_update_progress(by=pm, task=task, progress=40, actual_hours=Decimal("6.5"))
    task.refresh_from_db()
    assert (task.progress, task.actual_hours, task.status) == (40, Decimal("6.50"), "in_progress")
    assert task.completed_at is None
    services.task_update_progress(by=pm, task=task, status="done")
    task.refresh_from_db()
    assert (task.progress, task.status) == (100, "done")
    assert task.completed_at is not None
    event = AuditEvent.objects.filter(action="task.progress").first()
    assert event.before["progress"] == 40 and event.after["progress"] == 100
    assert event.before["status"] == "in_progress" and event.after["status"] == "done"


def test_done_with_another_percent_is_refused_and_reopening_clears_completion(pm, make_task):
    task = make_task()
    with pytest.raises(ValidationError) as excinfo:
        services.task_update_progress(by=pm, task=task, progress=80, status="done")
    assert list(_errors(excinfo)) == ["progress"]
    services.task_update_progress(by=pm, task=task, progress=100, status="done")
    services.task_update_progress(by=pm, task=task, progress=90, status="in_progress")
    task.refresh_from_db()
    assert (task.progress, task.status, task.completed_at) == (90, "in_progress", None)


def test_done_is_complete_in_the_database(make_task):
    task = make_task()
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status="done")


def test_summary_progress_cannot_be_reported(pm, make_task):
    parent = make_task("設計")
    make_task("画面設計", parent=parent)
    with pytest.raises(ValidationError):
        services.task_update_progress(by=pm, task=parent, progress=50)


# --- Tasks: tree -------------------------------------------------------------------------------------------


def test_wbs_codes_follow_positions_and_moves_renumber(pm, cast, make_task):
    design = make_task("設計")
    build = make_task("製造")
    screens = make_task("画面設計", parent=design)
    reports = make_task("帳票設計", parent=design)
    make_task("バッチ設計", parent=design, position=0)
    assert _codes(pm, cast.own) == [
        ("1", "設計"),
        ("1.1", "バッチ設計"),
        ("1.2", "画面設計"),
        ("1.3", "帳票設計"),
        ("2", "製造"),
    ]
    services.task_move(by=pm, task=screens, parent=build)
    services.task_move(by=pm, task=reports, parent=design, position=0)
    assert _codes(pm, cast.own) == [
        ("1", "設計"),
        ("1.1", "帳票設計"),
        ("1.2", "バッチ設計"),
        ("2", "製造"),
        ("2.1", "画面設計"),
    ]
    positions = dict(Task.objects.values_list("name", "position"))
    assert positions == {"設計": 0, "製造": 1, "帳票設計": 0, "バッチ設計": 1, "画面設計": 0}
    event = AuditEvent.objects.filter(action="task.move").last()
    assert (event.before, event.after) == (
        {"parent": "設計", "position": 1},
        {"parent": "製造", "position": 0},
    )


def test_delete_only_leaves_and_close_the_gap(pm, cast, make_task):
    design = make_task("設計")
    first = make_task("画面設計", parent=design)
    make_task("帳票設計", parent=design)
    with pytest.raises(ValidationError):
        services.task_delete(by=pm, task=design)
    services.task_delete(by=pm, task=first)
    assert _codes(pm, cast.own) == [("1", "設計"), ("1.1", "帳票設計")]
    event = AuditEvent.objects.get(action="task.delete")
    assert event.before["name"] == "画面設計" and event.before["parent"] == "設計"


def test_a_subtask_is_never_shared_more_widely_than_its_parent(pm, cast, make_task):
    parent = make_task("社内検証", visibility="internal")
    with pytest.raises(ValidationError) as excinfo:
        make_task("顧客向け", parent=parent, visibility="customer")
    assert list(_errors(excinfo)) == ["visibility"]
    shared = make_task("設計", visibility="partners")
    child = make_task("画面設計", parent=shared, visibility="partners")
    services.task_save(by=pm, project=cast.own, task=shared, visibility="internal")
    child.refresh_from_db()
    assert child.visibility == "internal"
    assert AuditEvent.objects.filter(action="task.update").last().after["narrowed_subtasks"] == 1


def test_requirements_link_and_are_audited(cast, pm, make_task):
    requirement = requirement_services.requirement_create(
        by=pm, project=cast.own, text="在庫一覧を2秒以内に表示すること"
    )
    task = make_task(requirements=[requirement])
    assert list(task.requirements.all()) == [requirement]
    assert AuditEvent.objects.get(action="task.create").after["requirements"] == "REQ-001"
    services.task_save(by=pm, project=cast.own, task=task, requirements=[])
    event = AuditEvent.objects.get(action="task.update")
    assert (event.before, event.after) == ({"requirements": "REQ-001"}, {"requirements": ""})


# --- Rollups -----------------------------------------------------------------------------------------------


def test_rollups_are_sums_and_estimate_weighted_progress(pm, cast, make_task):
    design = make_task("設計")
    screens = make_task("画面設計", parent=design, estimate_hours=hours(30))
    reports = make_task("帳票設計", parent=design, estimate_hours=hours(10))
    review = make_task("レビュー", parent=design)  # a summary of its own
    review_a = make_task("内部レビュー", parent=review, estimate_hours=hours(8))
    review_b = make_task("顧客レビュー", parent=review, estimate_hours=hours(2))
    services.task_update_progress(by=pm, task=screens, progress=50, actual_hours=hours(20))
    services.task_update_progress(by=pm, task=reports, status="done", actual_hours=hours(12))
    services.task_update_progress(by=pm, task=review_a, progress=25, actual_hours=hours(3))
    services.task_update_progress(by=pm, task=review_b, progress=0)
    rows = {row.task.name: row for row in selectors.wbs_for(user=pm, project=cast.own)}

    # レビュー: 8 h at 25 % and 2 h at 0 % → (8×25 + 2×0) / 10 = 20 %.
    assert (rows["レビュー"].estimate_hours, rows["レビュー"].actual_hours) == (hours(10), hours(3))
    assert rows["レビュー"].progress == Decimal("20.0")
    # 設計: 30 h at 50 %, 10 h at 100 %, 10 h at 20 % → (1500 + 1000 + 200) / 50 = 54 %.
    assert rows["設計"].estimate_hours == hours(50)
    assert rows["設計"].actual_hours == hours(35)
    assert rows["設計"].progress == Decimal("54.0")
    assert rows["設計"].is_summary and not rows["画面設計"].is_summary
    assert rows["設計"].status == "in_progress"
    assert [(row.code, row.depth) for row in rows.values()] == [
        ("1", 0),
        ("1.1", 1),
        ("1.2", 1),
        ("1.3", 1),
        ("1.3.1", 2),
        ("1.3.2", 2),
    ]


def test_rollup_without_estimates_is_a_plain_average_and_dates_span_children(pm, cast, make_task):
    parent = make_task("移行")
    first = make_task(
        "データ抽出", parent=parent, planned_start=date(2027, 1, 12), planned_finish=date(2027, 1, 15)
    )
    second = make_task(
        "データ投入", parent=parent, planned_start=date(2027, 1, 18), planned_finish=date(2027, 1, 22)
    )
    services.task_update_progress(by=pm, task=first, progress=100, status="done")
    services.task_update_progress(by=pm, task=second, progress=33)
    [row, *_children] = selectors.wbs_for(user=pm, project=cast.own)
    assert row.progress == Decimal("66.5")  # (100 + 33) / 2
    assert (row.planned_start, row.planned_finish) == (date(2027, 1, 12), date(2027, 1, 22))


def test_customers_never_see_internal_tasks_or_their_figures(cast, pm, make_task):
    design = make_task("設計")
    make_task("画面設計", parent=design, estimate_hours=hours(10))
    secret = make_task("社内手戻り対応", parent=design, visibility="internal")
    make_task("社内作業の子", parent=secret, estimate_hours=hours(30), visibility="internal")
    customer_rows = selectors.wbs_for(user=cast.users["customer_sponsor"], project=cast.own)
    assert [(row.code, row.task.name) for row in customer_rows] == [("1", "設計"), ("1.1", "画面設計")]
    assert customer_rows[0].estimate_hours == hours(10)  # the internal 30 h are not rolled in
    vendor_rows = selectors.wbs_for(user=pm, project=cast.own)
    assert vendor_rows[0].estimate_hours == hours(40)
    assert selectors.wbs_for(user=cast.users["partner_viewer"], project=cast.own) == []


def test_codes_are_the_same_for_everyone(cast, make_task):
    make_task("社内準備", visibility="internal")
    make_task("設計")
    [row] = selectors.wbs_for(user=cast.users["customer_member"], project=cast.own)
    assert (row.code, row.task.name) == ("2", "設計")


def test_wbs_query_count_does_not_grow_with_the_tree(cast, pm):
    def count(user):
        with CaptureQueriesContext(connection) as ctx:
            rows = selectors.wbs_for(user=user, project=cast.own)
        return len(ctx.captured_queries), len(rows)

    def grow(n):
        parents = [TaskFactory(project=cast.own, name=f"親{i}") for i in range(n // 5)]
        for i in range(n - len(parents)):
            TaskFactory(project=cast.own, parent=parents[i % len(parents)], estimate_hours=2)

    grow(5)
    small = {role: count(cast.users[role]) for role in ("vendor_pm", "customer_sponsor")}
    grow(45)
    large = {role: count(cast.users[role]) for role in ("vendor_pm", "customer_sponsor")}
    assert {role: n for role, (n, _rows) in small.items()} == {role: n for role, (n, _rows) in large.items()}
    assert large["vendor_pm"][1] == 50
    # The outline's key (access and the tasks' stamp), skeleton, tasks with owner and milestone, requirements
    assert small["vendor_pm"][0] == 4
    assert count(cast.users["vendor_pm"]) == (3, 50)  # the outline from the cache: no skeleton


# --- Schedule summary --------------------------------------------------------------------------------------


def test_schedule_summary_by_hand(cast, pm, make_task, make_milestone):
    # Status date Fri 2026-12-04. Task A: 40 h over Mon 30 Nov – Fri 4 Dec (5 business days), 50 % done →
    # PV 40, EV 20. Task B: 10 h over Mon 7 – Tue 8 Dec, not started → PV 0. BAC 50.
    a = make_task(
        "A", estimate_hours=hours(40), planned_start=date(2026, 11, 30), planned_finish=date(2026, 12, 4)
    )
    make_task(
        "B", estimate_hours=hours(10), planned_start=date(2026, 12, 7), planned_finish=date(2026, 12, 8)
    )
    make_task("未計画", estimate_hours=hours(5))
    services.task_update_progress(by=pm, task=a, progress=50, actual_hours=hours(24))
    done = make_milestone("キックオフ", baseline_date=date(2026, 11, 2))
    services.milestone_record_actual(by=pm, milestone=done, actual_date=date(2026, 11, 4))
    late = make_milestone("要件定義完了", baseline_date=date(2026, 12, 4), forecast_date=date(2026, 12, 9))
    make_milestone("基本設計完了", baseline_date=date(2027, 1, 29))

    summary = selectors.project_schedule_summary(user=pm, project=cast.own, today=date(2026, 12, 4))
    assert (summary.bac, summary.pv, summary.ev, summary.ac) == (hours(50), hours(40), hours(20), hours(24))
    assert summary.spi == Decimal("0.5")
    assert (summary.percent_planned, summary.percent_complete) == (Decimal("80.0"), Decimal("40.0"))
    assert summary.unplanned_tasks == 1
    assert [(s.milestone.name, s.slip_days, s.severity) for s in summary.milestones] == [
        ("キックオフ", 1, "amber"),  # reached Wed 4 Nov against Mon 2 Nov; Tue 3 Nov is 文化の日
        ("要件定義完了", 3, "amber"),
        ("基本設計完了", 0, ""),
    ]
    assert summary.next_milestone.milestone == late
    assert summary.late_milestones == 1
    assert summary.is_behind and not summary.on_schedule


def test_overdue_milestone_is_red_and_late(cast, make_milestone):
    make_milestone(baseline_date=date(2026, 11, 20))
    summary = selectors.project_schedule_summary(
        user=cast.users["customer_member"], project=cast.own, today=date(2026, 11, 24)
    )
    [status] = summary.milestones
    assert status.is_overdue and status.is_late and status.severity == "red"
    assert status.slip_days == 0
    assert not summary.on_schedule


def test_on_schedule_without_slips_or_planned_work(cast, make_milestone):
    make_milestone(baseline_date=date(2026, 12, 4), forecast_date=date(2026, 12, 3))
    summary = selectors.project_schedule_summary(
        user=cast.users["customer_member"], project=cast.own, today=date(2026, 11, 24)
    )
    assert summary.on_schedule
    assert summary.milestones[0].slip_days == -1
    assert summary.spi is None and summary.percent_complete is None


def test_a_parent_cannot_be_deleted_alone_but_the_project_takes_its_tree(cast, make_task, make_milestone):
    from django.db.models import RestrictedError

    parent = make_task("設計")
    make_task("画面設計", parent=parent)
    make_milestone()
    with pytest.raises(RestrictedError), transaction.atomic():
        parent.delete()
    cast.own.delete()
    assert not Task.objects.exists() and not Milestone.objects.exists()


def test_saving_a_stale_task_keeps_the_progress_reported_meanwhile(cast, pm, make_task):
    task = make_task()
    stale = Task.objects.select_related("project").get(pk=task.pk)
    services.task_update_progress(by=pm, task=task, progress=40)
    services.task_save(by=pm, project=cast.own, task=stale, name="画面設計(一覧)")
    task.refresh_from_db()
    assert (task.name, task.progress, task.status) == ("画面設計(一覧)", 40, "in_progress")
