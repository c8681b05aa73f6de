"""Chart pages: the vendor's Gantt and burndown/earned-value page, the customer's schedule in the portal.

Names in the charts are drawn as glyph outlines, so "is this task in the picture?" cannot be answered by
searching the SVG for its name. These tests check the chart's input instead (the Gantt lines the page was
drawn from, also listed in the table under the chart) and that the page's SVG is exactly the picture of
those lines; the customer's picture must then differ from the vendor's.
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as ET
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shinrai.progress import chart_data, charts, services
from shinrai.progress.chart_data import Audience, ProjectCharts
from tests.caches import clear_caches

from ..factories import TaskFactory
from .conftest import TODAY

SVG = "{http://www.w3.org/2000/svg}"
TOKYO = ZoneInfo("Asia/Tokyo")
NASTY = '<script>alert(1)</script> & "x"'


@pytest.fixture(autouse=True)
def _empty_cache():
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def english(cast):
    for key in ("vendor_pm", "customer_sponsor", "partner_viewer"):
        cast.users[key].language = "en"
        cast.users[key].save(update_fields=["language"])
    return cast


def _url(name, cast, project=None):
    return reverse(f"progress:{name}", args=[(project or cast.own).pk])


def _svgs(html: str) -> list[str]:
    """Every inline <svg> element of a page, as text."""
    out, start = [], 0
    while (start := html.find("<svg", start)) != -1:
        end = html.index("</svg>", start) + len("</svg>")
        out.append(html[start:end])
        start = end
    return out


@pytest.fixture
def plan(cast, make_task, make_milestone, today):
    """A small plan of the own project: shared, partner-shared and vendor-only work."""
    pm = cast.users["vendor_pm"]
    make_milestone("要件定義完了", baseline_date=date(2026, 11, 27), forecast_date=date(2026, 12, 2))
    make_milestone("社内レビュー", baseline_date=date(2026, 12, 1), visibility="internal")
    design = make_task("設計", visibility="partners")
    screens = make_task(
        "画面設計",
        parent=design,
        planned_start=date(2026, 11, 2),
        duration_days=10,
        estimate_hours=Decimal(40),
        owner=cast.users["vendor_member"],
    )
    make_task(
        "決済API連携",
        parent=design,
        planned_start=date(2026, 11, 9),
        duration_days=10,
        estimate_hours=Decimal(20),
        visibility="partners",
    )
    internal = make_task(
        "社内コードレビュー",
        planned_start=date(2026, 11, 16),
        duration_days=5,
        estimate_hours=Decimal(8),
        visibility="internal",
    )
    services.task_update_progress(by=pm, task=screens, progress=60, actual_hours=Decimal(30))
    services.task_update_progress(by=pm, task=internal, progress=50, actual_hours=Decimal(5))
    return cast


def test_vendor_pages_show_the_gantt_and_the_progress_charts(client, plan, english):
    client.force_login(plan.users["vendor_pm"])
    response = client.get(_url("gantt", plan))
    assert response.status_code == 200
    assert response.context["zoom"] == "week"
    [svg] = _svgs(response.content.decode())
    assert svg.startswith('<svg role="img" aria-label="Gantt chart"')
    assert list(response.context["gantt"].line_names) == [
        "要件定義完了",
        "社内レビュー",
        "設計",
        "画面設計",
        "決済API連携",
        "社内コードレビュー",
    ]
    assert client.get(_url("gantt", plan) + "?zoom=month").context["zoom"] == "month"
    assert client.get(_url("gantt", plan) + "?zoom=year").context["zoom"] == "week"  # unknown: the default

    response = client.get(_url("progress_charts", plan))
    html = response.content.decode()
    assert [svg[: svg.index(" stroke")] for svg in _svgs(html)] == [
        '<svg role="img" aria-label="Earned value chart"',
        '<svg role="img" aria-label="Burndown chart"',
    ]
    figures = response.context["charts"].figures
    # Budget 40 + 20 + 8 = 68 h; earned 40 × 60 % + 8 × 50 % = 28 h; actual 30 + 5 = 35 h.
    assert (figures["bac"], figures["ev"], figures["ac"]) == (
        Decimal("68.0"),
        Decimal("28.0"),
        Decimal("35.0"),
    )
    assert figures["cpi"] == Decimal("0.80")
    assert '<tr id="evm-cpi">' in html and "Over the estimate." in html
    # No snapshot before today (the test database never commits): the page says EV and AC are today's only.
    assert "No progress has been recorded before today" in html


def test_portal_schedule_is_by_month_with_a_burndown_in_percent(client, plan, english):
    client.force_login(plan.users["customer_sponsor"])
    response = client.get(_url("portal_schedule", plan))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Schedule</h1>" in html
    assert response.context["zoom"] == "month"
    assert len(_svgs(html)) == 2  # the Gantt and the burndown; hours (earned value) are vendor data
    schedule = response.context["charts"]
    assert schedule.burndown_percent and schedule.evm_svg is None and schedule.figures is None
    assert "Preview" not in html
    assert client.get(_url("portal_schedule", plan) + "?zoom=week").context["zoom"] == "week"


def test_customer_gantt_leaves_out_vendor_only_tasks_and_milestones(client, plan):
    customer = plan.users["customer_sponsor"]
    client.force_login(customer)
    response = client.get(_url("portal_schedule", plan))
    html = response.content.decode()
    gantt = response.context["gantt"]
    names = list(gantt.line_names)
    assert names == ["要件定義完了", "設計", "画面設計", "決済API連携"]
    assert "社内コードレビュー" not in html and "社内レビュー" not in html
    # The picture on the page is the picture of exactly these lines …
    lines = ProjectCharts(user=customer, project=plan.own, audience=Audience.CUSTOMER).gantt_lines()
    assert [line.name for line in lines] == names
    drawn = chart_data.render_gantt(lines, today=TODAY, zoom="month", language="ja").svg()
    assert gantt.svg == drawn
    assert _svgs(html)[0] == drawn.strip()
    # … and not the vendor's picture, which has the vendor-only lines.
    client.force_login(plan.users["vendor_pm"])
    vendor = client.get(_url("gantt", plan) + "?zoom=month").context["gantt"]
    assert "社内コードレビュー" in vendor.line_names
    assert vendor.svg != gantt.svg


def test_vendor_preview_of_the_portal_is_the_customers_picture(client, plan):
    client.force_login(plan.users["customer_sponsor"])
    customer = client.get(_url("portal_schedule", plan)).context["gantt"]
    clear_caches()  # drawn again for the vendor, not served from the customer's cache entry
    client.force_login(plan.users["vendor_pm"])
    response = client.get(_url("portal_schedule", plan))
    assert "社内コードレビュー" not in response.content.decode()
    assert response.context["is_preview"]
    assert response.context["gantt"].svg == customer.svg
    assert response.context["gantt"].line_names == customer.line_names


def test_partner_sees_only_what_is_shared_with_partners(client, plan):
    client.force_login(plan.users["partner_viewer"])
    response = client.get(_url("portal_schedule", plan))
    assert list(response.context["gantt"].line_names) == ["設計", "決済API連携"]
    assert "画面設計" not in response.content.decode()


def test_names_are_escaped_in_the_page_and_never_markup_in_the_svg(client, cast, make_task, make_milestone):
    make_milestone(NASTY)
    make_task(NASTY, planned_start=date(2026, 11, 2), duration_days=3, estimate_hours=Decimal(8))
    for user, name in (
        (cast.users["vendor_pm"], "gantt"),
        (cast.users["customer_sponsor"], "portal_schedule"),
    ):
        client.force_login(user)
        html = client.get(_url(name, cast)).content.decode()
        assert "<script>alert(1)" not in html
        assert (
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;" in html
        )  # the table under the chart
        [svg, *_rest] = _svgs(html)
        assert "alert(" not in svg and "<script" not in svg and "&quot;x" not in svg
        root = ET.fromstring(svg)  # well-formed, and no entities (defusedxml refuses them)
        for element in root.iter():
            assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject"), element.tag
            assert not [name for name in element.attrib if name.startswith("on") or name == "style"]


def test_the_second_view_comes_from_the_cache_until_the_data_changes(client, plan):
    client.force_login(plan.users["vendor_pm"])

    def view():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url("gantt", plan))
        return len(queries), response.context["gantt"].svg

    cold, first = view()
    warm, second = view()
    # Served from the cache: the fingerprint query instead of the WBS (4 queries: its outline is not cached
    # yet either, see selectors.wbs_for) and the milestones (1).
    assert warm == cold - 5
    assert second == first
    task = plan.own.tasks.get(name="画面設計")
    services.task_update_progress(by=plan.users["vendor_pm"], task=task, progress=100, status="done")
    redrawn, third = view()
    assert redrawn == cold
    assert third != first


def test_the_cache_keeps_languages_apart(client, plan):
    pm = plan.users["vendor_pm"]
    client.force_login(pm)
    japanese = client.get(_url("gantt", plan)).context["gantt"].svg
    pm.language = "en"
    pm.save(update_fields=["language"])
    english = client.get(_url("gantt", plan)).context["gantt"].svg
    assert 'aria-label="ガントチャート"' in japanese and 'aria-label="Gantt chart"' in english


def test_page_query_counts_do_not_grow_with_the_tasks(client, cast, make_milestone, today):
    make_milestone()
    owner = cast.users["vendor_member"]

    def grow(n):
        for i in range(n):
            parent = TaskFactory(project=cast.own, owner=owner)
            for j in range(4):
                TaskFactory(
                    project=cast.own,
                    parent=parent,
                    owner=owner,
                    estimate_hours=8,
                    actual_hours=3,
                    progress=10 * j,
                    planned_start=date(2026, 11, 2 + i),
                    planned_finish=date(2026, 11, 20 + j),
                    visibility="internal" if j == 3 else "customer",
                )

    def count(user, url):
        clear_caches()  # every count is of a page drawn from the database
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    pages = [
        (cast.users["vendor_pm"], _url("gantt", cast)),
        (cast.users["vendor_pm"], _url("progress_charts", cast)),
        (cast.users["customer_sponsor"], _url("portal_schedule", cast)),
        (cast.users["vendor_pm"], _url("portal_schedule", cast)),
    ]
    grow(1)
    small = [count(user, url) for user, url in pages]
    grow(9)
    assert [count(user, url) for user, url in pages] == small


def _finished(day: date) -> datetime:
    return datetime.combine(day, time(18), tzinfo=TOKYO)


def test_burndown_subtracts_progress_for_today_only(cast, make_task, today):
    pm = cast.users["vendor_pm"]
    done = make_task("A", planned_start=date(2026, 11, 2), duration_days=5, estimate_hours=Decimal(10))
    half = make_task("B", planned_start=date(2026, 11, 2), duration_days=10, estimate_hours=Decimal(20))
    make_task("C", planned_start=date(2026, 11, 16), duration_days=10, estimate_hours=Decimal(30))
    services.task_update_progress(by=pm, task=done, status="done", at=_finished(date(2026, 11, 9)))
    services.task_update_progress(by=pm, task=half, progress=50)
    project_charts = ProjectCharts(user=pm, project=cast.own, audience=Audience.VENDOR)

    hours = chart_data.burndown(project_charts.rows, today=TODAY)
    # Mon 11/2 (start), then Fridays; A was finished on Mon 11/9; today B's 50 % counts too.
    assert [(p.date, p.remaining) for p in hours.points] == [
        (date(2026, 11, 2), 60.0),
        (date(2026, 11, 6), 60.0),
        (date(2026, 11, 13), 50.0),
        (date(2026, 11, 20), 40.0),
    ]
    assert (hours.start, hours.target, hours.total) == (date(2026, 11, 2), date(2026, 11, 30), Decimal(60))
    percent = chart_data.burndown(project_charts.rows, today=TODAY, percent=True)
    assert [round(p.remaining, 2) for p in percent.points] == [100.0, 100.0, 83.33, 66.67]
    assert percent.total == 100


def test_earned_value_is_known_for_today_only(cast, make_task, today):
    pm = cast.users["vendor_pm"]
    task = make_task("A", planned_start=date(2026, 11, 2), duration_days=10, estimate_hours=Decimal(40))
    make_task("unplanned", estimate_hours=Decimal(8))
    services.task_update_progress(by=pm, task=task, progress=25, actual_hours=Decimal(12))
    rows = ProjectCharts(user=pm, project=cast.own, audience=Audience.VENDOR).rows
    values = chart_data.earned_value(rows, today=TODAY)
    # Planned 11/2–11/16, 10 business days (11/3 文化の日): PV by Friday 11/6 is 4/10 of 40 h. The
    # start, every Friday and the finish of the plan, and today: the only date with EV and AC.
    assert [(p.date, p.pv, p.ev, p.ac) for p in values.points] == [
        (date(2026, 11, 2), 4.0, None, None),
        (date(2026, 11, 6), 16.0, None, None),
        (date(2026, 11, 13), 36.0, None, None),
        (date(2026, 11, 16), 40.0, None, None),
        (date(2026, 11, 20), 40.0, 10.0, 12.0),
    ]
    assert values.unplanned_tasks == 1
    assert values.figures()["spi"] == Decimal("0.25")


def test_bar_colours_say_late_and_at_risk(cast, make_task, today):
    pm = cast.users["vendor_pm"]

    def task(name, start, days, **progress):
        made = make_task(name, planned_start=start, duration_days=days, estimate_hours=Decimal(8))
        if progress:
            services.task_update_progress(by=pm, task=made, **progress)

    task("late", date(2026, 11, 2), 5, progress=90)  # planned to finish Fri 11/6
    task("held", date(2026, 11, 2), 5, progress=40, status="on_hold")
    # 11/16–11/30 is 10 business days (11/23 勤労感謝の日); by Friday 11/20 half of them have passed.
    task("trailing", date(2026, 11, 16), 10, progress=20)  # 20 + 25 < 50
    task("keeping up", date(2026, 11, 16), 10, progress=30)
    task("later", date(2026, 12, 1), 5)
    lines = ProjectCharts(user=pm, project=cast.own, audience=Audience.VENDOR).gantt_lines()
    with translation.override("en"):
        labels = [(line.name, line.row.status, line.status_label) for line in lines]
    assert labels == [
        ("late", "late", "Late"),
        ("held", "on_hold", "On hold"),
        ("trailing", "at_risk", "At risk"),
        ("keeping up", "in_progress", "In progress"),
        ("later", "not_started", "Not started"),
    ]


def test_project_pages_link_to_the_charts(client, cast):
    client.force_login(cast.users["vendor_pm"])
    html = client.get(reverse("core:project_home", args=[cast.own.pk])).content.decode()
    assert _url("gantt", cast) in html and _url("progress_charts", cast) in html
    for page in ("wbs", "roadmap"):
        assert _url("gantt", cast) in client.get(_url(page, cast)).content.decode(), page
    html = client.get(reverse("core:portal_project", args=[cast.own.pk])).content.decode()
    assert _url("portal_schedule", cast) in html


def test_week_view_is_sixteen_weeks_from_four_before_today_inside_the_plan():
    plan = [
        chart_data.GanttLine(
            charts.GanttRow("全体", forecast_start=date(2026, 4, 1), forecast_finish=date(2027, 3, 19)),
            "1",
            "全体",
        )
    ]

    def window(today, zoom="week"):
        return chart_data.gantt_range(plan, zoom=zoom, today=today)

    assert window(date(2026, 11, 20)) == (date(2026, 10, 19), date(2027, 2, 7))  # Monday … Sunday
    assert window(date(2026, 4, 10)) == (date(2026, 3, 30), date(2026, 7, 19))  # at the start of the plan
    assert window(date(2027, 3, 19)) == (date(2026, 11, 30), date(2027, 3, 21))  # at its end
    assert window(date(2026, 11, 20), zoom="month") == (None, None)  # the whole plan
