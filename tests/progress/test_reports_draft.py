"""The weekly report draft, generated from a scripted week of real changes (exact text)."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.progress import report_selectors, report_services, reports, services
from shinrai.requirements import services as requirement_services

WEEK = date(2026, 11, 16)  # Monday


def _script_week(cast, clock):
    """Plan before the week, then change things during 16–22 November 2026 (Asia/Tokyo)."""
    pm = cast.users["vendor_pm"]
    project = cast.own
    clock.set(2026, 11, 9, 10)

    def task(name, **fields):
        return services.task_save(by=pm, project=project, name=name, **fields)

    def milestone(name, baseline, **fields):
        return services.milestone_save(by=pm, project=project, name=name, baseline_date=baseline, **fields)

    m1 = milestone("要件定義完了", date(2026, 11, 18))
    m2 = milestone("基本設計完了", date(2026, 12, 4))
    milestone("社内レビュー", date(2026, 11, 19), visibility="internal")
    a = task(
        "画面設計", planned_start=date(2026, 11, 9), planned_finish=date(2026, 11, 18), estimate_hours=16
    )
    b = task(
        "帳票設計", planned_start=date(2026, 11, 10), planned_finish=date(2026, 11, 20), estimate_hours=16
    )
    task("API設計", planned_start=date(2026, 11, 24), planned_finish=date(2026, 11, 27), estimate_hours=8)
    d = task("社内見積", visibility="internal")
    e = task(
        "データ移行設計",
        planned_start=date(2026, 11, 16),
        planned_finish=date(2026, 11, 18),
        estimate_hours=8,
    )
    requirement = requirement_services.requirement_create(
        by=pm,
        project=project,
        text="在庫一覧を2秒以内に表示すること",
        visibility="customer",
        criteria=[
            {"metric": "応答時間", "operator": "lte", "threshold": "2", "unit": "秒", "method": "負荷試験"}
        ],
    )
    # Before the week: not reported.
    services.task_update_progress(by=pm, task=b, progress=10)

    clock.set(2026, 11, 16, 0, 0)  # the first moment of the week
    services.task_update_progress(by=pm, task=a, progress=50)
    clock.set(2026, 11, 17, 15)
    services.task_update_progress(by=pm, task=b, progress=20)
    services.task_save(by=pm, project=project, task=e, planned_finish=date(2026, 11, 19))
    requirement_services.requirement_update(
        by=pm, requirement=requirement, text="在庫一覧を3秒以内に表示すること"
    )
    clock.set(2026, 11, 18, 18)
    services.task_update_progress(by=pm, task=a, status="done")
    services.milestone_record_actual(by=pm, milestone=m1, actual_date=date(2026, 11, 18))
    services.task_update_progress(by=pm, task=d, status="done")  # vendor-only: never in the report
    clock.set(2026, 11, 19, 11)
    services.milestone_save(
        by=pm, project=project, milestone=m2, forecast_date=date(2026, 12, 11), reason="帳票の追加要望のため"
    )
    services.task_update_progress(by=pm, task=b, progress=60)
    clock.set(2026, 11, 23, 0, 0)  # the next week: not in this report
    services.task_update_progress(by=pm, task=b, progress=70, actual_hours=Decimal(10))
    clock.set(2026, 11, 23, 9)


def test_the_draft_says_what_really_changed_in_the_week(cast, clock):
    _script_week(cast, clock)
    report = report_services.report_create_draft(
        by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK
    )

    assert report.done == (
        "・「画面設計」が完了しました（11/18）\n"
        "・「帳票設計」の進捗: 10% → 60%\n"
        "・マイルストーン「要件定義完了」を達成しました（11/18）\n"
        "・要件を変更しました: REQ-001"
    )
    assert report.problem == (
        "・マイルストーン「基本設計完了」の見込み日を 12/4 から 12/11 に変更しました（計画より5営業日遅れ）。"
        "理由: 帳票の追加要望のため\n"
        "・「データ移行設計」の完了予定を 11/18 から 11/19 に変更しました\n"
        "・「帳票設計」が完了予定日（11/20）を過ぎています（進捗 70%）\n"
        "・「データ移行設計」が完了予定日（11/19）を過ぎています（進捗 0%）\n"
        "・計画に対する進み具合（SPI）が 0.68 です（1.0 が計画どおり）"
    )
    assert report.next_action == (
        "・「API設計」を開始します（11/24 開始予定）\n"
        "・「API設計」を完了させます（11/27 完了予定）\n"
        "・次のマイルストーン: 「基本設計完了」（見込み 12/11）（計画より5営業日遅れ）"
    )
    assert report.status == "red"
    assert report.status_reason == (
        "マイルストーン「基本設計完了」が計画より5営業日遅れる見込みです。"
        "計画に対する進み具合（SPI）が 0.68 です。"
    )
    assert (
        report.schedule_outlook
        == "1件のマイルストーンが計画より遅れる見込みです。\n計画に対する進み具合（SPI）: 0.68"
    )
    assert report.state == "draft" and report.version is None


def test_the_week_is_gathered_in_a_fixed_number_of_queries(cast, clock):
    _script_week(cast, clock)
    with CaptureQueriesContext(connection) as queries:
        report_selectors.week_data(user=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)
    # The WBS (4: the outline is not cached yet), the ninth: troubles for the Problem section
    assert len(queries) == 10


def test_an_empty_week_says_so():
    draft = reports.generate(reports.WeekData(week_start=WEEK))
    assert (draft.done, draft.problem, draft.next_action) == ("・特になし", "・特になし", "・特になし")
    assert (draft.status, draft.status_reason) == ("green", "")


def test_english_for_a_pm_who_writes_in_english():
    week = reports.WeekData(
        week_start=WEEK,
        completed=[reports.TaskDone("Screen design", date(2026, 11, 18))],
        late_milestones=[reports.MilestoneAhead("Design done", date(2026, 12, 8), 2)],
    )
    draft = reports.generate(week, "en")
    assert draft.done == "- Screen design was completed (11/18)"
    assert draft.problem == "- Milestone Design done is expected 2 business days later than planned (12/8)"
    assert (draft.status, draft.status_reason) == (
        "amber",
        "Milestone Design done is expected 2 business days later than planned.",
    )


def test_suggested_status_thresholds():
    def status(spi=None, slip=None, overdue=False):
        late = [reports.MilestoneAhead("M", None, slip, overdue)] if slip is not None or overdue else []
        return reports.suggest_status(
            reports.WeekData(week_start=WEEK, late_milestones=late, spi=spi and Decimal(spi))
        )[0]

    assert status() == "green"
    assert status(spi="0.95") == "green"
    assert status(spi="0.94") == "amber"
    assert status(spi="0.90") == "amber"
    assert status(spi="0.89") == "red"
    assert status(slip=1) == "amber"
    assert status(slip=4) == "amber"
    assert status(slip=5) == "red"
    assert status(overdue=True) == "red"
