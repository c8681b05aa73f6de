"""Charts drawn ahead of the first view (shinrai/progress/chart_drawing.py, `shinrai draw-charts`)."""

from datetime import date
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.urls import reverse

from shinrai.core.models import ProjectMember
from shinrai.progress import chart_data, chart_drawing

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(cast, make_task, make_milestone, today):
    parent = make_task("設計", planned_start=date(2026, 11, 2), planned_finish=date(2026, 11, 27))
    make_task("画面設計", parent=parent, planned_start=date(2026, 11, 2), planned_finish=date(2026, 11, 13))
    make_task("帳票設計", parent=parent, planned_start=date(2026, 11, 16), planned_finish=date(2026, 11, 27))
    make_milestone("設計完了", baseline_date=date(2026, 11, 27))
    return cast.own


def no_drawing_allowed(monkeypatch):
    """From here on, any chart drawn (instead of read from the cache) fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a chart was drawn during the page view")

    monkeypatch.setattr(chart_data, "render_gantt", refuse)
    monkeypatch.setattr(chart_data.charts, "burndown", refuse)
    monkeypatch.setattr(chart_data.charts, "evm", refuse)


def test_drawing_fills_what_the_pages_read_so_no_view_draws(client, cast, planned, monkeypatch):
    # The cast's project has a partner member: three audiences, Japanese only, four charts each.
    drawn = chart_drawing.draw_project_charts(planned)
    assert drawn == 3 * (len(chart_data.ZOOMS) + 2)
    assert chart_drawing.draw_project_charts(planned) == 0  # already there: nothing drawn twice

    no_drawing_allowed(monkeypatch)
    pages = [
        (cast.users["vendor_pm"], reverse("progress:gantt", args=[planned.pk]) + "?zoom=week"),
        (cast.users["vendor_pm"], reverse("progress:gantt", args=[planned.pk]) + "?zoom=month"),
        (cast.users["vendor_pm"], reverse("progress:progress_charts", args=[planned.pk])),
        (cast.users["customer_sponsor"], reverse("progress:portal_schedule", args=[planned.pk])),
        (cast.users["partner_viewer"], reverse("progress:portal_schedule", args=[planned.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        assert client.get(url).status_code == 200, url


def test_a_view_without_drawing_first_does_draw(client, cast, planned, monkeypatch):
    # The counterpart of the test above: the refusal really catches a drawing.
    no_drawing_allowed(monkeypatch)
    client.force_login(cast.users["vendor_pm"])
    with pytest.raises(AssertionError, match="was drawn"):
        client.get(reverse("progress:gantt", args=[planned.pk]) + "?zoom=week")


def test_a_change_to_the_plan_needs_a_new_drawing(cast, planned, make_task):
    chart_drawing.draw_project_charts(planned)
    make_task("テスト計画", planned_start=date(2026, 11, 30), planned_finish=date(2026, 12, 4))
    assert chart_drawing.draw_project_charts(planned) > 0


def test_english_is_drawn_only_when_a_member_reads_english(cast, planned):
    assert chart_drawing.languages_of(planned) == ["ja"]
    cast.users["customer_sponsor"].language = "en"
    cast.users["customer_sponsor"].save(update_fields=["language"])
    assert chart_drawing.languages_of(planned) == ["ja", "en"]
    assert chart_drawing.draw_project_charts(planned) == 2 * 3 * (len(chart_data.ZOOMS) + 2)


def test_partners_are_drawn_for_only_when_the_project_has_them(cast, planned):
    assert chart_data.Audience.PARTNERS in chart_drawing.audiences_of(planned)
    ProjectMember.objects.filter(project=planned, role="partner_viewer").delete()
    assert chart_drawing.audiences_of(planned) == [chart_data.Audience.VENDOR, chart_data.Audience.CUSTOMER]


def test_a_project_without_vendor_members_is_skipped(cast, planned):
    ProjectMember.objects.filter(
        project=planned, role__in=["vendor_pm", "vendor_member", "vendor_manager"]
    ).delete()
    assert chart_drawing.draw_project_charts(planned) == 0


def test_writes_queue_one_drawing_per_project_after_commit_with_a_worker(
    cast, planned, make_task, settings, django_capture_on_commit_callbacks
):
    settings.TASK_BACKEND = "database"  # a worker would run it; the tests' backend runs it at once
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_task("結合テスト", planned_start=date(2026, 11, 30), planned_finish=date(2026, 12, 11))
        make_task("総合テスト", planned_start=date(2026, 12, 14), planned_finish=date(2026, 12, 25))
    queued = [c for c in callbacks if isinstance(c, chart_drawing._QueueAfterCommit)]
    assert len(queued) == 1  # two writes, one drawing
    # It ran (the tests' immediate backend): everything is in the cache now.
    assert chart_drawing.draw_project_charts(planned) == 0


def test_writes_queue_nothing_without_a_worker(
    cast, planned, make_task, settings, django_capture_on_commit_callbacks
):
    settings.TASK_BACKEND = "immediate"  # drawing inside the writer's request would slow every save
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_task("結合テスト", planned_start=date(2026, 11, 30), planned_finish=date(2026, 12, 11))
    assert not [c for c in callbacks if isinstance(c, chart_drawing._QueueAfterCommit)]
    assert chart_drawing.draw_project_charts(planned) > 0


def test_command_draws_active_projects_and_names_unknown_codes(cast, planned):
    out = StringIO()
    call_command("draw-charts", stdout=out)
    assert "chart(s) drawn" in out.getvalue()
    assert chart_drawing.draw_project_charts(planned) == 0
    out = StringIO()
    call_command("draw-charts", "--project", planned.code, stdout=out)
    assert out.getvalue().strip() == f"{planned.code}: 0 chart(s) drawn."
    with pytest.raises(CommandError, match="No project has the code"):
        call_command("draw-charts", "--project", "NOPE-0000")


def test_charts_live_in_their_own_cache(cast, planned):
    chart_drawing.draw_project_charts(planned)
    charts = chart_data.ProjectCharts(
        user=cast.users["vendor_pm"],
        project=planned,
        audience=chart_data.Audience.VENDOR,
        today=TODAY,
        language="ja",
    )
    assert caches["charts"].has_key(charts.key("gantt", "week"))
    assert not caches["default"].has_key(charts.key("gantt", "week"))
