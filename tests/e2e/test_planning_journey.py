"""Planning to reporting in the browser, end to end (issue 4's "Done when").

The vendor PM plans a milestone and a small WBS (a summary task with a sub-task), reports progress
during the week, sees it on the Gantt chart, opens the generated draft of this week's report (which
already says the task was completed) and publishes it. The customer sponsor is notified by e-mail,
reads the report with its charts, acknowledges it, asks a question, and downloads the PDF, which is
rendered to PNG to check that it holds Japanese text and the charts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from shinrai.progress import workdays

from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out
from .test_weekly_report_journey import PROJECT_CODE, PROJECT_NAME, SPONSOR, VENDOR_PM

pytestmark = pytest.mark.e2e

MILESTONE = "帳票出力リリース"
PARENT_TASK = "請求帳票の整備"
SUB_TASK = "納品書テンプレート作成"
QUESTION = "納品書テンプレートは現場の確認も済んでいますか。"


def open_project(page, live_server) -> None:
    log_in(page, live_server, VENDOR_PM)
    page.locator("table.data-table tbody tr", has_text=PROJECT_CODE).locator("a").first.click()
    page.wait_for_load_state("load")
    assert PROJECT_NAME in page.inner_text("main h1")


def toolbar_link(page, name: str) -> None:
    page.locator(".toolbar").get_by_role("link", name=japanese(name), exact=True).first.click()
    page.wait_for_load_state("load")


def save(page) -> None:
    page.locator("form.form-grid").get_by_role("button", name=japanese("Save"), exact=True).click()
    page.wait_for_load_state("load")


def pm_plans_milestone_and_wbs(page, live_server, screenshot) -> None:
    today = timezone.localdate()
    start = today if workdays.is_business_day(today) else workdays.add_business_days(today, 1)
    open_project(page, live_server)

    toolbar_link(page, "Roadmap")
    toolbar_link(page, "Add a milestone")
    page.fill("#id_name", MILESTONE)
    page.fill("#id_deliverables", "納品書・請求書の帳票テンプレート")
    page.fill("#id_criteria", "現場担当者が3種類の帳票を本番データで出力し、レイアウトを承認している")
    page.fill("#id_baseline_date", workdays.add_business_days(start, 15).isoformat())
    page.fill("#id_known_risks", "帳票ライブラリの日本語フォント対応")
    save(page)
    assert re.fullmatch(r"/projects/\d+/roadmap/(#.*)?", path_of(page, live_server))
    assert MILESTONE in page.inner_text("main")

    toolbar_link(page, "WBS")
    toolbar_link(page, "Add a task")
    page.fill("#id_name", PARENT_TASK)
    page.select_option("#id_milestone", label=MILESTONE)
    save(page)
    assert japanese("The task was saved.") in page.inner_text("ul.messages")

    parent_row = page.locator("table tbody tr", has_text=PARENT_TASK)
    parent_row.get_by_role("link", name=japanese("+ sub-task"), exact=True).click()
    page.wait_for_load_state("load")
    page.fill("#id_name", SUB_TASK)
    page.select_option("#id_owner", index=1)
    page.fill("#id_planned_start", start.isoformat())
    page.fill("#id_duration_days", "2")
    page.fill("#id_estimate_hours", "16")
    page.select_option("#id_milestone", label=MILESTONE)
    save(page)
    assert japanese("The task was saved.") in page.inner_text("ul.messages")
    sub_row = page.locator("table tbody tr", has_text=SUB_TASK)
    # The finish is computed from the start in business days (weekends and holidays skipped).
    assert workdays.add_business_days(start, 1).strftime("%m/%d") in sub_row.inner_text() or (
        workdays.add_business_days(start, 1).isoformat() in sub_row.inner_text()
    )

    # During the week: the sub-task is finished.
    sub_row.locator("input[name=progress]").fill("100")
    sub_row.locator("input[name=actual_hours]").fill("14")
    sub_row.locator("select[name=status]").select_option("done")
    sub_row.get_by_role("button", name=japanese("Save"), exact=True).click()
    page.wait_for_load_state("load")
    assert SUB_TASK in page.inner_text("ul.messages")
    screenshot("planning-wbs")

    toolbar_link(page, "Gantt chart")
    assert page.locator("main svg").count() >= 1
    page.locator("details.chart-table summary").click()  # the same lines as a table, for screen readers
    table = page.inner_text("details.chart-table")
    assert SUB_TASK in table and MILESTONE in table
    screenshot("planning-gantt")


def pm_publishes_the_generated_draft(page, live_server) -> None:
    project_path = re.match(r"/projects/\d+/", path_of(page, live_server)).group(0)
    page.goto(f"{live_server.url}{project_path}reports/")
    page.wait_for_load_state("load")
    page.get_by_role("link", name=japanese("Write this week's report"), exact=True).click()
    page.wait_for_load_state("load")
    assert SUB_TASK in page.input_value("#id_done")  # drafted from what really happened this week
    if not page.input_value("#id_status_reason").strip():
        page.check("input[name=status][value=green]")
    page.get_by_role("button", name=japanese("Save and check"), exact=True).click()
    page.wait_for_load_state("load")
    mail.outbox.clear()
    page.get_by_role("button", name=japanese("Publish to the customer"), exact=True).click()
    page.wait_for_load_state("load")
    assert japanese("The report was published and the customer was notified.") in page.inner_text(
        "ul.messages"
    )
    log_out(page)


def sponsor_is_notified_reads_and_downloads(page, live_server, screenshot, tmp_path) -> None:
    to_sponsor = [message for message in mail.outbox if SPONSOR in message.to]
    assert len(to_sponsor) == 1, [message.to for message in mail.outbox]
    link = re.search(r"https?://\S+/portal/projects/\d+/reports/\d+/", to_sponsor[0].body)
    assert link, to_sponsor[0].body

    log_in(page, live_server, SPONSOR)
    page.goto(live_server.url + urlsplit(link.group(0)).path)
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/portal/projects/\d+/reports/\d+/", path_of(page, live_server))
    assert SUB_TASK in page.inner_text("main")
    assert page.locator("main svg").count() >= 1  # the report shows the schedule charts
    page.get_by_role("button", name=japanese("I have read this report"), exact=True).click()
    page.wait_for_load_state("load")
    page.fill("#question", QUESTION)
    page.get_by_role("button", name=japanese("Send"), exact=True).click()
    page.wait_for_load_state("load")
    assert QUESTION in page.inner_text("main")
    screenshot("planning-portal-report")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("PDF")).first.click()
    pdf = tmp_path / "report.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    check_pdf_renders(pdf, tmp_path)


def check_pdf_renders(pdf, tmp_path) -> None:
    """Render page 1 to PNG with poppler and check that it is not blank and holds colour (the charts)."""
    from PIL import Image
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert PROJECT_NAME in text and SUB_TASK in text
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm not found: apt-get install poppler-utils (.ci/run installs it)")
    subprocess.run([pdftoppm, "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)  # noqa: S603
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages
    colours = set()
    for png in pages:
        image = Image.open(png).convert("RGB")
        colours |= {rgb for _count, rgb in image.getcolors(maxcolors=1 << 20) if len(set(rgb)) > 1}
    assert len(colours) > 10  # more than black text on white: the charts are drawn in colour


def test_pm_plans_reports_and_customer_reads_the_pdf(
    page, live_server, demo_data, console_errors, screenshot, tmp_path
):
    pm_plans_milestone_and_wbs(page, live_server, screenshot)
    pm_publishes_the_generated_draft(page, live_server)
    sponsor_is_notified_reads_and_downloads(page, live_server, screenshot, tmp_path)
    assert console_errors == []
