"""Trouble handling in the browser, end to end (issue 5's "Done when").

The vendor PM records an incident, discloses it and proposes three options; the customer sponsor
chooses one in the portal with a reason; the PM follows up and closes the incident with its root cause
and a prevention measure; the sponsor reads the post-mortem; the decision is in the project's ledger
and the chain verifies.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shinrai.core.models import Project
from shinrai.ledger import chain
from shinrai.ledger.models import Entry
from shinrai.troubles.models import Trouble

from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out
from .test_weekly_report_journey import PROJECT_CODE, PROJECT_NAME, SPONSOR, VENDOR_PM

pytestmark = pytest.mark.e2e

TITLE = "夜間バッチの停止により在庫数が更新されなかった"
OPTIONS = (
    ("手作業で在庫数を補正し、今夜のバッチを再実行する", 0, 1),
    ("バッチに再実行機能を追加してから再実行する", 300_000, 5),
    ("次回のリリースまで現行の運用で様子を見る", 0, 0),
)
REASON = "現場の出荷作業を止めないため、再実行機能の追加を優先します。"
ROOT_CAUSE = "バッチ停止時の監視と再実行の手順が定められていなかった"
PREVENTION = "バッチ停止を検知したら担当者に通知する監視を追加する"


def open_trouble_register(page, live_server) -> None:
    log_in(page, live_server, VENDOR_PM)
    page.locator("table.data-table tbody tr", has_text=PROJECT_CODE).locator("a").first.click()
    page.wait_for_load_state("load")
    assert PROJECT_NAME in page.inner_text("main h1")
    page.get_by_role("link", name=japanese("Trouble register"), exact=True).first.click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/troubles/", path_of(page, live_server))


def submit(page, form_action_end: str, button: str) -> None:
    form = page.locator(f"main form[action$='{form_action_end}']")
    form.get_by_role("button", name=japanese(button), exact=True).click()
    page.wait_for_load_state("load")


def pm_records_discloses_and_proposes(page, live_server, screenshot) -> None:
    open_trouble_register(page, live_server)
    page.get_by_role("link", name=japanese("Record a trouble"), exact=True).click()
    page.wait_for_load_state("load")
    detected = timezone.localtime() - timedelta(hours=3)
    page.select_option("#id_kind", "incident")
    page.fill("#id_title", TITLE)
    page.fill("#id_facts", "11月の夜間バッチが途中で停止し、翌朝の在庫数が前日のままでした。")
    page.fill("#id_detected_at", detected.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_severity", "high")
    page.fill("#id_quality_impact", "出荷可能数の表示が1日分古くなりました。")
    page.get_by_role("button", name=japanese("Save"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/troubles/\d+/", path_of(page, live_server))
    assert TITLE in page.inner_text("main h1")

    submit(page, "/disclose/", "Disclose")
    for description, cost, days in OPTIONS:
        page.locator("section[aria-labelledby=options-heading] summary").first.click()
        form = page.locator("main form[action$='/options/']")
        form.locator("[name=description]").fill(description)
        form.locator("[name=pros]").fill("影響を早く止められる")
        form.locator("[name=cons]").fill("費用または時間がかかる")
        form.locator("[name=cost]").fill(str(cost))
        form.locator("[name=time_days]").fill(str(days))
        form.get_by_role("button", name=japanese("Add the option"), exact=True).click()
        page.wait_for_load_state("load")
        assert description in page.inner_text("main")
    submit(page, "/propose/", "Propose the options to the customer")
    screenshot("trouble-vendor-proposed")
    log_out(page)


def sponsor_chooses(page, live_server, screenshot) -> None:
    log_in(page, live_server, SPONSOR)
    page.get_by_role("link", name=PROJECT_NAME).first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=japanese("Problems and risks"), exact=True).first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=re.compile(re.escape(TITLE))).first.click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/portal/projects/\d+/troubles/\d+/", path_of(page, live_server))
    for description, _cost, _days in OPTIONS:
        assert description in page.inner_text("main")
    page.get_by_label(re.compile(re.escape(OPTIONS[1][0]))).check()
    page.fill("textarea[name=rationale]", REASON)
    page.get_by_role("button", name=japanese("Decide on this option"), exact=True).click()
    page.wait_for_load_state("load")
    assert REASON in page.inner_text("main")
    screenshot("trouble-portal-decided")
    log_out(page)


def pm_follows_up_and_closes(page, live_server) -> None:
    open_trouble_register(page, live_server)
    page.get_by_role("link", name=re.compile(re.escape(TITLE))).first.click()
    page.wait_for_load_state("load")
    form = page.locator("main form[action$='/follow-ups/']")
    form.locator("[name=action]").fill("再実行機能を追加して今夜のバッチを再実行する")
    form.get_by_role("button", name=japanese("Add the action"), exact=True).click()
    page.wait_for_load_state("load")
    page.locator("main form[action$='/done/']").first.get_by_role(
        "button", name=japanese("Mark as done"), exact=True
    ).click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=japanese("Close with root cause and prevention"), exact=True).click()
    page.wait_for_load_state("load")
    page.fill("#id_whys", "バッチが止まった\n停止に誰も気づかなかった\n監視の対象に入っていなかった")
    page.fill("#id_root_cause", ROOT_CAUSE)
    page.fill("#id_measure_1", PREVENTION)
    page.get_by_role("button", name=japanese("Close with this post-mortem"), exact=True).click()
    page.wait_for_load_state("load")
    assert ROOT_CAUSE in page.inner_text("main")
    log_out(page)


def sponsor_reads_the_post_mortem(page, live_server, screenshot) -> None:
    log_in(page, live_server, SPONSOR)
    page.get_by_role("link", name=PROJECT_NAME).first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=japanese("Problems and risks"), exact=True).first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=re.compile(re.escape(TITLE))).first.click()
    page.wait_for_load_state("load")
    text = page.inner_text("main")
    assert ROOT_CAUSE in text and PREVENTION in text
    assert "停止に誰も気づかなかった" in text  # the 5 whys are shared
    screenshot("trouble-portal-post-mortem")
    log_out(page)


def test_incident_from_disclosure_to_post_mortem(page, live_server, demo_data, console_errors, screenshot):
    pm_records_discloses_and_proposes(page, live_server, screenshot)
    sponsor_chooses(page, live_server, screenshot)
    pm_follows_up_and_closes(page, live_server)
    sponsor_reads_the_post_mortem(page, live_server, screenshot)

    trouble = Trouble.objects.get(title=TITLE)
    assert trouble.status == Trouble.Status.CLOSED
    assert trouble.disclosed_at is not None
    project = Project.objects.get(code=PROJECT_CODE)
    decision = Entry.objects.filter(project=project, kind="decision").order_by("-seq").first()
    assert decision is not None and OPTIONS[1][0] in str(decision.payload)
    assert chain.verify_project(project).ok
    assert console_errors == []
