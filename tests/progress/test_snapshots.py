"""Progress history: daily snapshots, when they are taken, and the charts' past points drawn from them.

The small plan used throughout (November 2026; 11/3 文化の日 and 11/23 勤労感謝の日 are holidays):

    task  shared with   planned          business days   estimate
    A     customer      11/9  – 11/13    5                40 h
    B     customer      11/16 – 11/20    5                20 h
    C     vendor only   11/9  – 11/20    10               10 h
    D     customer      (no dates)       -                 8 h   not in earned value, in the burndown

What happens, and the figures worked out by hand (PV at the end of the day; remaining = Σ estimate ×
(100 − progress) / 100 over all leaves; the customer's figures leave C out):

    Tue 11/10  A 40 %, 12 h; C 10 %, 1 h
               vendor   BAC 70  PV 40×2/5 + 10×2/10 = 18  EV 16 + 1 = 17  AC 13  work 78  left 24+20+9+8 = 61
               customer BAC 60  PV 16                      EV 16           AC 12  work 68  left 24+20+8 = 52
    Fri 11/13  A done, 44 h; C 50 %, 6 h
               vendor   PV 40 + 10×5/10 = 45   EV 40 + 5 = 45   AC 50   left 0+20+5+8 = 33   done 1 of 4
               customer PV 40                  EV 40            AC 44   left 28              done 1 of 3
    Wed 11/18  B 30 %, 5 h
               vendor   PV 40 + 20×3/5 + 10×8/10 = 60   EV 40+6+5 = 51   AC 55   left 14+5+8 = 27
               customer PV 52                           EV 46            AC 49   left 22
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from shinrai.core.models import Project
from shinrai.progress import chart_data, report_services, services, snapshots, tasks
from shinrai.progress.chart_data import Audience, ProjectCharts
from shinrai.progress.models import ProgressSnapshot, Task
from tests.caches import clear_caches

from ..factories import TaskFactory

D = date
VENDOR, CUSTOMER, PARTNERS = "vendor", "customer", "partners"
FIGURES = (
    "bac_hours",
    "pv_hours",
    "ev_hours",
    "ac_hours",
    "work_hours",
    "remaining_hours",
    "tasks_total",
    "tasks_done",
)


@pytest.fixture(autouse=True)
def _empty_cache():
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the services leave for after the commit (the test database never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def figures(project, day, audience=VENDOR) -> tuple:
    row = ProgressSnapshot.objects.get(project=project, date=day, audience=audience)
    return tuple(getattr(row, name) for name in FIGURES)


def h(*values) -> tuple:
    """Hours as stored (Decimal to 0.01), then the two task counts."""
    *amounts, total, done = values
    return (*(Decimal(str(value)).quantize(Decimal("0.01")) for value in amounts), total, done)


@pytest.fixture
def small(cast, make_task, clock, commit):
    """The plan of the module doc, created on Monday 11/9 at 9:00 (one snapshot that day)."""
    clock.set(2026, 11, 9, 9)
    with commit():
        made = {
            "A": make_task(
                "A", planned_start=D(2026, 11, 9), planned_finish=D(2026, 11, 13), estimate_hours=40
            ),
            "B": make_task(
                "B", planned_start=D(2026, 11, 16), planned_finish=D(2026, 11, 20), estimate_hours=20
            ),
            "C": make_task(
                "C",
                planned_start=D(2026, 11, 9),
                planned_finish=D(2026, 11, 20),
                estimate_hours=10,
                visibility="internal",
            ),
            "D": make_task("D", estimate_hours=8),
        }
    return made


def progress(cast, task, **values):
    task.refresh_from_db()
    return services.task_update_progress(by=cast.users["vendor_pm"], task=task, **values)


@pytest.fixture
def three_days(cast, small, clock, commit):
    """The changes of the module doc, each committed on its day."""
    clock.set(2026, 11, 10, 10)
    with commit():
        progress(cast, small["A"], progress=40, actual_hours=Decimal(12))
        progress(cast, small["C"], progress=10, actual_hours=Decimal(1))
    clock.set(2026, 11, 13, 17)
    with commit():
        progress(cast, small["A"], status="done", actual_hours=Decimal(44))
        progress(cast, small["C"], progress=50, actual_hours=Decimal(6))
    clock.set(2026, 11, 18, 15)
    with commit():
        progress(cast, small["B"], progress=30, actual_hours=Decimal(5))
    return small


# --- What a snapshot holds -------------------------------------------------------------------------------


def test_hand_checked_figures_over_three_days(cast, three_days):
    own = cast.own
    assert figures(own, D(2026, 11, 10)) == h(70, 18, 17, 13, 78, 61, 4, 0)
    assert figures(own, D(2026, 11, 10), CUSTOMER) == h(60, 16, 16, 12, 68, 52, 3, 0)
    assert figures(own, D(2026, 11, 13)) == h(70, 45, 45, 50, 78, 33, 4, 1)
    assert figures(own, D(2026, 11, 13), CUSTOMER) == h(60, 40, 40, 44, 68, 28, 3, 1)
    assert figures(own, D(2026, 11, 18)) == h(70, 60, 51, 55, 78, 27, 4, 1)
    assert figures(own, D(2026, 11, 18), CUSTOMER) == h(60, 52, 46, 49, 68, 22, 3, 1)
    # Partners see nothing of this plan (no task is shared with partners): zero, not the customer's figures.
    assert figures(own, D(2026, 11, 18), PARTNERS) == h(0, 0, 0, 0, 0, 0, 0, 0)
    # Monday's snapshot (the plan just made) and the three days: one row per audience and day.
    assert ProgressSnapshot.objects.filter(project=own).count() == 4 * 3


def test_a_summary_whose_sub_tasks_are_hidden_is_a_leaf_for_the_customer(cast, make_task, clock):
    clock.set(2026, 11, 10, 10)
    parent = make_task("親", estimate_hours=5, planned_start=D(2026, 11, 9), planned_finish=D(2026, 11, 13))
    make_task("社内", parent=parent, visibility="internal", estimate_hours=30)
    states = snapshots.task_states(cast.own)
    vendor = snapshots.figures(states, D(2026, 11, 10))
    customer = snapshots.figures(states, D(2026, 11, 10), snapshots.VISIBILITIES[CUSTOMER])
    # The vendor counts the internal sub-task (unplanned: work only); the customer the parent's own 5 h,
    # as the customer's WBS shows it (selectors.wbs_for), and never the internal 30 h.
    assert (vendor.work_hours, vendor.bac_hours, vendor.tasks_total) == (30, 0, 1)
    assert (customer.work_hours, customer.bac_hours, customer.pv_hours, customer.tasks_total) == (5, 5, 2, 1)


def test_todays_snapshot_matches_the_live_charts_for_every_audience(cast, three_days, clock):
    pm = cast.users["vendor_pm"]
    today = D(2026, 11, 18)
    for audience in Audience:
        project_charts = ProjectCharts(user=pm, project=cast.own, audience=audience, today=today)
        row = ProgressSnapshot.objects.get(project=cast.own, date=today, audience=audience)
        points = chart_data.burndown(project_charts.rows, today=today).points
        if not points:  # partners: nothing shared with them, nothing to burn down
            assert (audience, row.work_hours, row.remaining_hours) == (Audience.PARTNERS, 0, 0)
            continue
        live = points[-1]
        assert (live.date, Decimal(str(live.remaining))) == (today, row.remaining_hours), audience
        values = chart_data.earned_value(project_charts.rows, today=today).today
        if values is not None:
            assert (values.bac, values.pv, values.ev, values.ac) == (
                row.bac_hours,
                row.pv_hours,
                row.ev_hours,
                row.ac_hours,
            )


# --- When snapshots are taken ----------------------------------------------------------------------------


def test_todays_snapshot_is_replaced_on_every_change(cast, small, clock, commit):
    clock.set(2026, 11, 10, 10)
    with commit():
        progress(cast, small["A"], progress=40, actual_hours=Decimal(12))
    first = ProgressSnapshot.objects.get(project=cast.own, date=D(2026, 11, 10), audience=VENDOR)
    clock.set(2026, 11, 10, 15)
    with commit():
        progress(cast, small["A"], progress=60)
    second = ProgressSnapshot.objects.get(project=cast.own, date=D(2026, 11, 10), audience=VENDOR)
    assert second.pk == first.pk  # the same row, updated
    assert (first.ev_hours, second.ev_hours) == (16, 24)
    assert second.taken_at > first.taken_at
    # A re-estimate, a move under another task and a deletion change the figures too.
    with commit():
        services.task_save(by=cast.users["vendor_pm"], project=cast.own, task=small["D"], estimate_hours=12)
    assert figures(cast.own, D(2026, 11, 10))[4] == Decimal("82.00")  # work: 40 + 20 + 10 + 12
    with commit():
        services.task_move(by=cast.users["vendor_pm"], task=small["C"], parent=small["D"])
    # D became a summary: its own 12 h no longer count, C's 10 h stay.
    assert figures(cast.own, D(2026, 11, 10))[4] == Decimal("70.00")
    with commit():
        services.task_delete(by=cast.users["vendor_pm"], task=Task.objects.get(pk=small["B"].pk))
    assert figures(cast.own, D(2026, 11, 10))[4] == Decimal("50.00")


def test_nothing_is_recorded_before_the_commit_and_once_per_transaction(cast, small, clock, commit):
    clock.set(2026, 11, 10, 10)
    with commit() as callbacks, transaction.atomic():
        for task in small.values():
            progress(cast, task, progress=10)
        assert not ProgressSnapshot.objects.filter(date=D(2026, 11, 10)).exists()
    assert sum(1 for callback in callbacks if isinstance(callback, services._SnapshotAfterCommit)) == 1
    assert figures(cast.own, D(2026, 11, 10))[2] == Decimal("7.00")  # EV: 10 % of 70 h


def test_a_rolled_back_change_records_nothing(cast, small, clock, commit):
    clock.set(2026, 11, 10, 10)
    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        progress(cast, small["A"], progress=40)
        raise RuntimeError
    assert not ProgressSnapshot.objects.filter(date=D(2026, 11, 10)).exists()


def test_a_failing_snapshot_never_fails_the_change(cast, small, clock, commit, monkeypatch, caplog):
    clock.set(2026, 11, 10, 10)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "snapshot_take", broken)
    with commit():
        progress(cast, small["A"], progress=40)
    assert Task.objects.get(pk=small["A"].pk).progress == 40
    assert "snapshot_after_commit" in caplog.text


def test_past_snapshots_are_never_rewritten(cast, three_days, clock):
    before = list(ProgressSnapshot.objects.filter(date__lt=D(2026, 11, 18)).values())
    clock.set(2026, 11, 19, 10)
    # A past day that has its snapshot: nothing is written, whatever the tasks say now.
    progress(cast, three_days["B"], progress=90)
    assert services.snapshot_take(project=cast.own, day=D(2026, 11, 13)) is False
    assert list(ProgressSnapshot.objects.filter(date__lt=D(2026, 11, 18)).values()) == before
    # A missing past day is filled in, with the figures of now (B at 90 %) and PV of that day.
    assert services.snapshot_take(project=cast.own, day=D(2026, 11, 17)) is True
    # PV 40 + 20 × 2/5 + 10 × 7/10 = 55; EV 40 + 18 + 5 = 63.
    assert figures(cast.own, D(2026, 11, 17))[1:3] == (Decimal("55.00"), Decimal("63.00"))
    with translation.override("en"), pytest.raises(ValidationError, match="future"):
        services.snapshot_take(project=cast.own, day=D(2026, 11, 20))


def test_the_command_snapshots_every_active_project_and_is_idempotent(cast, small, clock, capsys):
    clock.set(2026, 11, 20, 23)
    TaskFactory(
        project=cast.other, estimate_hours=8, planned_start=D(2026, 11, 2), planned_finish=D(2026, 11, 30)
    )
    closed = Project.objects.get(pk=cast.foreign.pk)
    TaskFactory(project=closed, estimate_hours=8)
    Project.objects.filter(pk=closed.pk).update(phase=Project.Phase.CLOSED)
    call_command("snapshot-progress")
    assert "2026-11-20: 2 project(s)" in capsys.readouterr().out
    rows = list(
        ProgressSnapshot.objects.filter(date=D(2026, 11, 20))
        .order_by("project", "audience")
        .values_list("project", "audience", *FIGURES)
    )
    assert {row[0] for row in rows} == {
        cast.own.pk,
        cast.other.pk,
    }  # not the closed one, not those without tasks
    assert len(rows) == 6
    call_command("snapshot-progress")
    again = list(
        ProgressSnapshot.objects.filter(date=D(2026, 11, 20))
        .order_by("project", "audience")
        .values_list("project", "audience", *FIGURES)
    )
    assert again == rows
    # The PV of Friday 11/20 for the other project: 11/2–11/30 has 19 business days (11/3, 11/23 off),
    # 14 of them by 11/20: 8 × 14 / 19 = 5.894… → 5.89.
    assert ProgressSnapshot.objects.get(project=cast.other, audience=VENDOR).pv_hours == Decimal("5.89")


def test_the_command_fills_a_missing_past_day_and_refuses_bad_dates(cast, small, clock, capsys):
    clock.set(2026, 11, 20, 0, 5)
    call_command("snapshot-progress", "--date", "2026-11-19")
    assert ProgressSnapshot.objects.filter(date=D(2026, 11, 19)).count() == 3
    with pytest.raises(CommandError, match="future"), translation.override("en"):
        call_command("snapshot-progress", "--date", "2026-11-21")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("snapshot-progress", "--date", "20.11.2026")


def test_the_task_runs_on_the_worker(cast, small, clock):
    clock.set(2026, 11, 20, 23)
    result = tasks.snapshot_progress.enqueue()  # the immediate backend in tests
    assert result.return_value == 1
    assert ProgressSnapshot.objects.filter(project=cast.own, date=D(2026, 11, 20)).count() == 3
    tasks.snapshot_progress.enqueue(day="2026-11-19")
    assert ProgressSnapshot.objects.filter(project=cast.own, date=D(2026, 11, 19)).count() == 3


def test_publishing_a_report_records_the_weeks_last_day_if_missing(cast, small, clock):
    pm = cast.users["vendor_pm"]
    clock.set(2026, 11, 16, 9)  # Monday: the report of the week of 11/9, which ended on Sunday 11/15
    progress(cast, small["A"], status="done", actual_hours=Decimal(44))
    report = report_services.report_create_draft(by=pm, project=cast.own, week_start=D(2026, 11, 9))
    report_services.report_publish(by=pm, report=report)
    assert figures(cast.own, D(2026, 11, 15))[:3] == (Decimal("70.00"), Decimal("45.00"), Decimal("40.00"))
    # Published during its own week, the report records today's figures.
    clock.set(2026, 11, 18, 9)
    report = report_services.report_create_draft(by=pm, project=cast.own, week_start=D(2026, 11, 16))
    report_services.report_publish(by=pm, report=report)
    assert ProgressSnapshot.objects.filter(date=D(2026, 11, 18)).count() == 3
    assert not ProgressSnapshot.objects.filter(date=D(2026, 11, 22)).exists()


def test_a_report_published_long_after_its_week_records_no_past_figures(cast, small, clock):
    """Today's figures must not be filed under a Sunday weeks ago (they would bend the charts' history)."""
    pm = cast.users["vendor_pm"]
    clock.set(2026, 11, 18, 9)  # Wednesday: the week of 10/26 ended on Sunday 11/1
    report = report_services.report_create_draft(by=pm, project=cast.own, week_start=D(2026, 10, 26))
    report_services.report_publish(by=pm, report=report)
    assert not ProgressSnapshot.objects.filter(project=cast.own, date=D(2026, 11, 1)).exists()


# --- The charts' past points -----------------------------------------------------------------------------


def test_burndown_past_points_come_from_snapshots_and_are_estimated_before_them(cast, three_days, clock):
    clock.set(2026, 11, 20, 12)
    pm = cast.users["vendor_pm"]
    vendor = ProjectCharts(user=pm, project=cast.own, audience=Audience.VENDOR)
    assert [s.date for s in vendor.history] == [
        D(2026, 11, 9),
        D(2026, 11, 10),
        D(2026, 11, 13),
        D(2026, 11, 18),
    ]
    series = vendor.burndown_series()
    # Start 11/9: recorded (the plan was made that morning): 78 h. Friday 11/13: its own snapshot. For
    # yesterday (11/19): the latest snapshot on or before it, 11/18. Today: live (nothing changed: 27).
    assert [(p.date, p.remaining) for p in series.points] == [
        (D(2026, 11, 9), 78.0),
        (D(2026, 11, 13), 33.0),
        (D(2026, 11, 18), 27.0),
        (D(2026, 11, 20), 27.0),
    ]
    assert (series.estimated_before, series.estimated_points) == (D(2026, 11, 9), 0)

    # Without the Monday snapshot the start is estimated: all estimates of the tasks not finished by then.
    ProgressSnapshot.objects.filter(date=D(2026, 11, 9)).delete()
    customer = ProjectCharts(user=pm, project=cast.own, audience=Audience.CUSTOMER)
    series = customer.burndown_series()
    # Percent of the customer's 68 h: 68, 28, 22, 22 h.
    assert [(p.date, round(p.remaining, 2)) for p in series.points] == [
        (D(2026, 11, 9), 100.0),
        (D(2026, 11, 13), 41.18),
        (D(2026, 11, 18), 32.35),
        (D(2026, 11, 20), 32.35),
    ]
    assert (series.estimated_before, series.estimated_points) == (D(2026, 11, 10), 1)


def test_earned_value_past_points_come_from_snapshots(cast, three_days, clock):
    clock.set(2026, 11, 20, 12)
    ProgressSnapshot.objects.filter(date=D(2026, 11, 9)).delete()  # history starts on Tuesday 11/10
    vendor = ProjectCharts(user=cast.users["vendor_pm"], project=cast.own, audience=Audience.VENDOR)
    values = chart_data.earned_value(vendor.rows, today=vendor.today, history=vendor.history)
    # 11/9: before the record, PV of the current plan only (A 8 + C 1). 11/13 and 11/18: as recorded.
    # Today: live, everything planned is due (70).
    assert [(p.date, p.pv, p.ev, p.ac) for p in values.points] == [
        (D(2026, 11, 9), 9.0, None, None),
        (D(2026, 11, 13), 45.0, 45.0, 50.0),
        (D(2026, 11, 18), 60.0, 51.0, 55.0),
        (D(2026, 11, 20), 70.0, 51.0, 55.0),
    ]
    assert [round(p.spi, 4) for p in values.points[1:]] == [1.0, 0.85, 0.7286]
    assert [round(p.cpi, 4) for p in values.points[1:]] == [0.9, 0.9273, 0.9273]
    assert values.recorded_from == D(2026, 11, 10)
    assert [row.rounded()["spi"] for row in values.history] == [
        Decimal("1.00"),
        Decimal("0.85"),
        Decimal("0.73"),
    ]
    assert [row.is_today for row in values.history] == [False, False, True]
    # Without history: EV and AC at today only, as before.
    bare = chart_data.earned_value(vendor.rows, today=vendor.today)
    assert [p.date for p in bare.points if p.ev is not None] == [D(2026, 11, 20)]


def test_the_pages_show_the_recorded_history(client, cast, three_days, clock):
    clock.set(2026, 11, 20, 12)
    ProgressSnapshot.objects.filter(date=D(2026, 11, 9)).delete()
    pm = cast.users["vendor_pm"]
    pm.language = "en"
    pm.save(update_fields=["language"])
    client.force_login(pm)
    response = client.get(reverse("progress:progress_charts", args=[cast.own.pk]))
    html = response.content.decode()
    view = response.context["charts"]
    assert [row["date"] for row in view.history] == [D(2026, 11, 13), D(2026, 11, 18), D(2026, 11, 20)]
    assert "Progress was first recorded on 2026-11-10" in html
    assert "Before 2026-11-10 nothing was recorded" in html
    assert "No progress has been recorded before today" not in html
    client.force_login(cast.users["customer_sponsor"])
    response = client.get(reverse("progress:portal_schedule", args=[cast.own.pk]))
    assert response.context["charts"].history == ()  # hours are vendor data
    assert response.context["charts"].estimated_points == 1


def test_a_new_snapshot_invalidates_the_cached_charts(client, cast, three_days, clock):
    clock.set(2026, 11, 20, 12)
    client.force_login(cast.users["vendor_pm"])
    url = reverse("progress:progress_charts", args=[cast.own.pk])

    def view():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), response.context["charts"]

    cold, first = view()
    warm, second = view()
    assert warm < cold and second == first
    assert services.snapshot_take(project=cast.own, day=D(2026, 11, 19)) is True  # a missing day, filled
    redrawn, third = view()
    assert redrawn == cold - 1  # drawn again; the WBS outline is still cached (no task changed)
    assert third.history != first.history  # yesterday's snapshot is now the last recorded point
    assert third.history[-2]["date"] == D(2026, 11, 19)


def test_progress_page_query_count_does_not_grow_with_the_history(client, cast, small, clock):
    clock.set(2026, 11, 30, 12)

    def count(user, name):
        clear_caches()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(f"progress:{name}", args=[cast.own.pk])).status_code == 200
        return len(queries)

    pages = [
        (cast.users["vendor_pm"], "progress_charts"),
        (cast.users["customer_sponsor"], "portal_schedule"),
    ]
    ProgressSnapshot.objects.all().delete()  # the one of the day the plan was made
    services.snapshot_take(project=cast.own, day=D(2026, 11, 10))
    one = [count(user, name) for user, name in pages]
    for day in range(11, 20):
        services.snapshot_take(project=cast.own, day=D(2026, 11, day))
    assert ProgressSnapshot.objects.filter(project=cast.own, audience=VENDOR).count() == 10
    assert [count(user, name) for user, name in pages] == one


def test_the_demo_history_agrees_with_the_demo_tasks(db, clock):
    from shinrai.core.demo import HISTORY_WEEKS, load_demo

    clock.set(2026, 11, 23, 12)  # a holiday Monday: the last Friday is 11/20
    load_demo()
    project = Project.objects.get(code="YMD-2026-01")
    rows = list(ProgressSnapshot.objects.filter(project=project, audience=VENDOR).order_by("date"))
    fridays = [row.date for row in rows if row.date.weekday() == 4]
    assert fridays == [D(2026, 11, 20) - timedelta(weeks=n) for n in reversed(range(HISTORY_WEEKS))]
    # Nothing earned or spent goes down, nothing exceeds the tasks' figures of today …
    leaves = Task.objects.filter(project=project, children__isnull=True)
    actual_now = sum(task.actual_hours for task in leaves)
    for before, after in zip(rows, rows[1:], strict=False):
        assert before.ev_hours <= after.ev_hours and before.ac_hours <= after.ac_hours
        assert before.remaining_hours >= after.remaining_hours
    assert rows[-1].ac_hours <= actual_now
    # … and a task counts as done on a day exactly when it was completed by then.
    for row in rows:
        done = sum(
            1
            for task in leaves
            if task.completed_at and timezone.localtime(task.completed_at).date() <= row.date
        )
        assert row.tasks_done == done, row.date
    # The budget is the plan's, the same every day (the plan did not change in the demo).
    assert {row.bac_hours for row in rows} == {
        sum(task.estimate_hours for task in leaves if task.planned_start)
    }
