"""A vendor PM's week in the browser, on the demo's project as it stands (issue 10's journeys).

Monday to Friday in one go: the PM opens the project from the portfolio, reports the week's progress on three
tasks that are under way in the WBS (one finished, two moved on) and sees the schedule figures move; writes
this week's report from the generated draft, which already lists the finished task; is stopped when the amber
status has no reason, gives it, and publishes; the portfolio then shows this week's amber report and the
customer's people are e-mailed. (test_planning_journey.py covers planning new work and the report's PDF,
test_weekly_report_journey.py the customer's side of a report.)
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from shinrai.core.models import Project
from shinrai.progress import reports
from shinrai.progress.models import Task, WeeklyReport

from .test_login_journey import japanese, log_in, path_of
from .test_planning_journey import toolbar_link
from .test_requirements_journey import log_out
from .test_weekly_report_journey import PROJECT_CODE, PROJECT_NAME, SPONSOR, VENDOR_PM

pytestmark = pytest.mark.e2e

FINISHED = "工程進捗画面の製造（設備停止理由の入力を追加）"
# (task, progress %, actual hours, status) as the PM reports them this week.
UPDATES = (
    (FINISHED, 100, 168, "done"),
    ("MRP計算バッチの製造", 70, 150, "in_progress"),
    ("帳票出力の製造", 45, 44, "in_progress"),
)
REASON = "MRP計算バッチの製造が予定より遅れています。12/4までに挽回計画をご説明します。"


def percent_complete(page) -> float:
    """The schedule card's "work done (earned value)" figure, e.g. 53.7."""
    text = page.locator("section.schedule-summary dl.facts dd").first.inner_text()
    return float(text.rstrip("%"))


def pm_reports_progress(page, live_server, screenshot) -> None:
    log_in(page, live_server, VENDOR_PM)
    assert path_of(page, live_server) == "/portfolio/"
    page.locator("table.data-table tbody tr", has_text=PROJECT_CODE).locator("a").first.click()
    page.wait_for_load_state("load")
    assert PROJECT_NAME in page.inner_text("main h1")
    toolbar_link(page, "WBS")
    assert re.fullmatch(r"/projects/\d+/wbs/", path_of(page, live_server))
    before = percent_complete(page)

    for name, progress, actual, status in UPDATES:
        row = page.locator("table.wbs-table tbody tr", has_text=name)
        assert row.count() == 1, name
        row.locator("input[name=progress]").fill(str(progress))
        row.locator("input[name=actual_hours]").fill(str(actual))
        row.locator("select[name=status]").select_option(status)
        row.get_by_role("button", name=japanese("Save"), exact=True).click()
        page.wait_for_load_state("load")
        assert japanese("Progress of %(task)s was saved.") % {"task": name} in page.inner_text("ul.messages")
        row = page.locator("table.wbs-table tbody tr", has_text=name)
        assert f"{progress}%" in row.inner_text()

    after = percent_complete(page)
    assert after > before, (before, after)  # the earned value grew with the reported work
    page.locator("table.wbs-table tbody tr", has_text=FINISHED).scroll_into_view_if_needed()
    screenshot("wbs-progress-reported")

    project = Project.objects.get(code=PROJECT_CODE)
    for name, progress, actual, status in UPDATES:
        task = Task.objects.get(project=project, name=name)
        assert (task.progress, float(task.actual_hours), task.status) == (progress, actual, status)


def pm_writes_and_publishes(page, live_server, screenshot) -> str:
    page.goto(page.url.split("/wbs/")[0] + "/reports/")
    page.wait_for_load_state("load")
    week = reports.monday_of(timezone.localdate()).isoformat()
    page.get_by_role("link", name=japanese("Write this week's report"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/reports/\d+/edit/", path_of(page, live_server))
    assert week in page.inner_text("main h1")
    # Drafted from what the PM reported this week: the finished task, finished today.
    today = timezone.localdate()
    finished = reports.PHRASES["ja"]["completed"].format(name=FINISHED, date=f"{today.month}/{today.day}")
    assert finished in page.input_value("#id_done").splitlines()
    screenshot("report-draft")

    # Amber without a reason is refused, with the error next to the field; the text typed is kept.
    page.check("input[name=status][value=amber]")
    page.fill("#id_status_reason", "")
    page.get_by_role("button", name=japanese("Save and check"), exact=True).click()
    page.wait_for_load_state("load")
    assert japanese("Give the reason for an amber or red status.") in page.inner_text("main form.form-grid")
    assert page.is_checked("input[name=status][value=amber]")
    assert finished in page.input_value("#id_done").splitlines()
    screenshot("report-amber-needs-a-reason")

    page.fill("#id_status_reason", REASON)
    page.get_by_role("button", name=japanese("Save and check"), exact=True).click()
    page.wait_for_load_state("load")
    assert japanese("The draft was saved.") in page.inner_text("ul.messages")
    assert page.locator("#findings-heading").count() == 1  # the plain-language check ran on the saved text

    mail.outbox.clear()
    page.get_by_role("button", name=japanese("Publish to the customer"), exact=True).click()
    page.wait_for_load_state("load")
    assert japanese("The report was published and the customer was notified.") in page.inner_text(
        "ul.messages"
    )
    assert "v1" in page.locator(f"#week-{week}").inner_text()
    screenshot("report-published")
    assert any(SPONSOR in message.to for message in mail.outbox), [m.to for m in mail.outbox]
    return week


def portfolio_shows_the_report(page, live_server, week: str, screenshot) -> None:
    page.locator("nav.main-nav").get_by_role("link", name=japanese("Portfolio"), exact=True).click()
    page.wait_for_load_state("load")
    row = page.locator("table.data-table tbody tr", has_text=PROJECT_CODE)
    latest = row.locator("td.latest-report").inner_text()
    assert japanese("Amber: at risk") in latest
    assert week in latest
    screenshot("portfolio-after-publishing")


def test_vendor_pm_reports_progress_and_publishes_the_week(
    page, live_server, demo_data, console_errors, screenshot
):
    pm_reports_progress(page, live_server, screenshot)
    week = pm_writes_and_publishes(page, live_server, screenshot)
    portfolio_shows_the_report(page, live_server, week, screenshot)
    log_out(page)

    report = WeeklyReport.objects.get(project__code=PROJECT_CODE, week_start=week, corrects=None)
    assert report.published_at is not None
    assert (report.status, report.status_reason) == ("amber", REASON)
    assert console_errors == []
