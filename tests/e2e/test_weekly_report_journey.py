"""The weekly report in the browser, end to end.

The vendor PM writes this week's report from the generated draft (Done / Problem / Next Action prefilled),
edits it and publishes it; the customer sponsor finds it from the portal's "At a glance" card, reads it,
acknowledges it and asks a question; the PM sees the question.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone, translation

from shinrai.progress import reports

from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out

pytestmark = pytest.mark.e2e

VENDOR_PM = "pm@sample-systems.example.jp"
SPONSOR = "sponsor@yamada-mfg.example.jp"
PROJECT_CODE = "YMD-2026-01"
PROJECT_NAME = "生産管理システム刷新"

EDITED_NEXT = "・来週の定例で、遅れている工程進捗画面の挽回計画をご説明します。"
QUESTION = "挽回計画の説明は、定例の前に資料でいただけますか。"


def pjapanese(context: str, text: str) -> str:
    with translation.override("ja"):
        return translation.pgettext(context, text)


def pm_writes_and_publishes(page, live_server, screenshot) -> str:
    """Portfolio -> project home -> 週次報告 -> this week's draft -> edit -> publish; returns the week."""
    log_in(page, live_server, VENDOR_PM)
    page.locator("table.data-table tbody tr", has_text=PROJECT_CODE).locator("a").first.click()
    page.wait_for_load_state("load")
    assert PROJECT_NAME in page.inner_text("main h1")
    page.locator(".toolbar").get_by_role("link", name=japanese("Weekly reports"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/reports/", path_of(page, live_server))
    # The demo's published report of 2026-11-16 is listed already.
    assert page.locator("#week-2026-11-16").count() == 1

    week = reports.monday_of(timezone.localdate()).isoformat()
    page.get_by_role("link", name=japanese("Write this week's report"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/reports/\d+/edit/", path_of(page, live_server))
    assert week in page.inner_text("main h1")
    for field in ("#id_done", "#id_problem", "#id_next_action"):
        assert page.input_value(field).strip(), field  # prefilled from the week's changes

    page.fill("#id_next_action", page.input_value("#id_next_action") + "\n" + EDITED_NEXT)
    if not page.input_value("#id_status_reason").strip():
        page.check("input[name=status][value=green]")
    page.get_by_role("button", name=japanese("Save and check"), exact=True).click()
    page.wait_for_load_state("load")
    assert japanese("The draft was saved.") in page.inner_text("ul.messages")
    assert EDITED_NEXT in page.input_value("#id_next_action")
    screenshot("weekly-report-edit")

    page.get_by_role("button", name=japanese("Publish to the customer"), exact=True).click()
    page.wait_for_load_state("load")
    assert japanese("The report was published and the customer was notified.") in page.inner_text(
        "ul.messages"
    )
    assert "v1" in page.locator(f"#week-{week}").inner_text()
    log_out(page)
    return week


def sponsor_reads_acknowledges_and_asks(page, live_server, week: str, screenshot) -> None:
    log_in(page, live_server, SPONSOR)
    assert path_of(page, live_server) == "/portal/"
    page.get_by_role("link", name=PROJECT_NAME).first.click()
    page.wait_for_load_state("load")
    card = page.locator("article[aria-labelledby=glance-report]")
    assert week in card.inner_text()
    card.get_by_role("link", name=japanese("Read the report"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/portal/projects/\d+/reports/\d+/", path_of(page, live_server))
    assert week in page.inner_text("main h1")
    assert EDITED_NEXT in page.inner_text("section[aria-labelledby=next-heading]")
    for heading in ("Done", "Problem", "Next Action"):
        assert pjapanese("weekly report", heading) in page.inner_text("main")

    page.get_by_role("button", name=japanese("I have read this report"), exact=True).click()
    page.wait_for_load_state("load")
    acks = page.inner_text("section[aria-labelledby=ack-heading]")
    assert "山田 太一" in acks
    assert japanese("You have acknowledged this report.") in acks

    page.fill("#question", QUESTION)
    page.get_by_role("button", name=japanese("Send"), exact=True).click()
    page.wait_for_load_state("load")
    assert japanese("Your comment was posted.") in page.inner_text("ul.messages")
    assert QUESTION in page.inner_text("section[aria-labelledby=qa-heading]")
    screenshot("weekly-report-portal")
    log_out(page)


def pm_sees_the_question(page, live_server, week: str) -> None:
    log_in(page, live_server, VENDOR_PM)
    page.locator("table.data-table tbody tr", has_text=PROJECT_CODE).locator("a").first.click()
    page.wait_for_load_state("load")
    page.locator(".toolbar").get_by_role("link", name=japanese("Weekly reports"), exact=True).click()
    page.wait_for_load_state("load")
    row = page.locator(f"#week-{week}")
    assert row.locator("td").nth(3).inner_text().strip() == "1"  # acknowledged by the sponsor
    row.get_by_role("link", name=japanese("Read"), exact=True).click()
    page.wait_for_load_state("load")
    thread = page.inner_text("section[aria-labelledby=qa-heading]")
    assert QUESTION in thread and "山田 太一" in thread


def test_weekly_report_from_draft_to_acknowledged_and_questioned(
    page, live_server, demo_data, console_errors, screenshot
):
    week = pm_writes_and_publishes(page, live_server, screenshot)
    sponsor_reads_acknowledges_and_asks(page, live_server, week, screenshot)
    pm_sees_the_question(page, live_server, week)
    assert console_errors == []
