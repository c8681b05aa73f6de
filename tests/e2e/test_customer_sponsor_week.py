"""A customer sponsor's week in the browser, on the demo's project as it stands (issue 10's journeys).

The sponsor signs in, opens the project and works through "What is waiting for me?": reads the latest weekly
report and acknowledges it, chooses how the vendor handles an open issue (with a reason), and approves a
change request, which raises the current contract value by the change's cost. Then nothing is waiting any
more, and every decision is in the project's ledger, whose chain still verifies.
"""

from __future__ import annotations

import re

import pytest

from shinrai.core.models import Project, User
from shinrai.ledger import chain
from shinrai.ledger.models import ChangeRequest, Entry
from shinrai.progress.models import ReportAcknowledgement
from shinrai.troubles.models import Trouble

from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out
from .test_weekly_report_journey import PROJECT_CODE, PROJECT_NAME, SPONSOR, pjapanese

pytestmark = pytest.mark.e2e

REPORT_WEEK = "2026-11-16"  # the demo's published report
ISSUE = "基幹システムの連携ファイルで一部の品名が文字化けする"
CHOSEN = "該当する約40品目の品名をマスタ上で修正していただく"
RATIONALE = "費用をかけずに早く直したいため。品名の変更は現場リーダーに周知します。"
CHANGE = "出荷予定表のExcel出力を追加"
CHANGE_COST = 600_000
NOTE = "運送会社への連絡に必要なため承認します。"
WAITING = "article[aria-labelledby=glance-waiting]"


def yen(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def open_project(page) -> None:
    page.locator("nav.breadcrumb").get_by_role("link", name=PROJECT_NAME).click()
    page.wait_for_load_state("load")
    assert page.inner_text("main h1") == PROJECT_NAME


def waiting_links(page) -> list[str]:
    return page.locator(f"{WAITING} li a").all_inner_texts()


def sponsor_sees_what_waits(page, live_server, screenshot) -> None:
    log_in(page, live_server, SPONSOR)
    assert path_of(page, live_server) == "/portal/"
    page.get_by_role("link", name=PROJECT_NAME).first.click()
    page.wait_for_load_state("load")
    assert waiting_links(page) == [
        japanese("Please read the latest report and confirm that you have read it."),
        japanese("Please choose how to handle: %(title)s") % {"title": ISSUE},
        japanese("Please approve or reject the change: %(title)s") % {"title": CHANGE},
    ]
    screenshot("portal-project-waiting")


def sponsor_reads_and_acknowledges(page, live_server, screenshot) -> None:
    page.locator(WAITING).get_by_role("link", name=waiting_links(page)[0]).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/portal/projects/\d+/reports/\d+/", path_of(page, live_server))
    assert REPORT_WEEK in page.inner_text("main h1")
    for heading in ("Done", "Problem", "Next Action"):
        assert pjapanese("weekly report", heading) in page.inner_text("main")
    screenshot("report")
    page.get_by_role("button", name=japanese("I have read this report"), exact=True).click()
    page.wait_for_load_state("load")
    acks = page.inner_text("section[aria-labelledby=ack-heading]")
    assert japanese("You have acknowledged this report.") in acks
    assert "山田 太一" in acks
    open_project(page)


def sponsor_decides_the_issue(page, live_server, screenshot) -> None:
    page.locator(WAITING).get_by_role("link", name=re.compile(re.escape(ISSUE))).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/portal/projects/\d+/troubles/\d+/", path_of(page, live_server))
    assert ISSUE in page.inner_text("main h1")
    assert page.locator("ol.option-list > li").count() == 3
    page.get_by_label(re.compile(re.escape(CHOSEN))).check()
    page.fill("textarea[name=rationale]", RATIONALE)
    page.get_by_role("button", name=japanese("Decide on this option"), exact=True).click()
    page.wait_for_load_state("load")
    main = page.inner_text("main")
    assert RATIONALE in main
    chosen = page.locator("li.option-chosen")
    assert chosen.count() == 1 and CHOSEN in chosen.inner_text()
    screenshot("issue-decided")
    open_project(page)


def sponsor_approves_the_change(page, live_server, screenshot) -> None:
    page.locator(WAITING).get_by_role("link", name=re.compile(re.escape(CHANGE))).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/portal/projects/\d+/ledger/#changes-heading", path_of(page, live_server))
    before = yen(page.locator("[data-current-value]").inner_text())
    row = page.locator("section[aria-labelledby=changes-heading] tbody tr", has_text=CHANGE)
    assert row.get_by_role("button", name=japanese("Approve"), exact=True).count() == 1
    row.get_by_label(japanese("Comment (optional)")).fill(NOTE)
    screenshot("change-before-approval")
    row.get_by_role("button", name=japanese("Approve"), exact=True).click()
    page.wait_for_load_state("load")
    assert japanese("The change was approved.") in page.inner_text("ul.messages")
    row = page.locator("section[aria-labelledby=changes-heading] tbody tr", has_text=CHANGE)
    assert NOTE in row.inner_text()
    assert row.get_by_role("button").count() == 0  # decided: nothing left to press
    after = yen(page.locator("[data-current-value]").inner_text())
    assert after - before == CHANGE_COST
    screenshot("change-approved")
    open_project(page)


def nothing_waits_any_more(page, screenshot) -> None:
    assert waiting_links(page) == []
    assert japanese("Nothing is waiting for you. Thank you.") in page.locator(WAITING).inner_text()
    screenshot("portal-project-nothing-waiting")


def test_customer_sponsor_reads_acknowledges_decides_and_approves(
    page, live_server, demo_data, console_errors, screenshot
):
    sponsor_sees_what_waits(page, live_server, screenshot)
    sponsor_reads_and_acknowledges(page, live_server, screenshot)
    sponsor_decides_the_issue(page, live_server, screenshot)
    sponsor_approves_the_change(page, live_server, screenshot)
    nothing_waits_any_more(page, screenshot)
    log_out(page)

    sponsor = User.objects.get(email=SPONSOR)
    project = Project.objects.get(code=PROJECT_CODE)
    assert ReportAcknowledgement.objects.filter(
        report__project=project, report__week_start=REPORT_WEEK, user=sponsor
    ).exists()
    issue = Trouble.objects.get(project=project, title=ISSUE)
    assert issue.status == Trouble.Status.DECIDED
    assert (issue.decision.option.description, issue.decision.decided_by) == (CHOSEN, sponsor)
    change = ChangeRequest.objects.get(project=project, title=CHANGE)
    assert (change.status, change.decided_by, change.decision_note) == ("approved", sponsor, NOTE)
    # The two newest ledger entries: the issue's decision, then the change's approval.
    newest = list(Entry.objects.filter(project=project).order_by("-seq")[:2])
    assert [entry.kind for entry in newest] == ["change_request", "decision"]
    assert CHOSEN in str(newest[1].payload) and CHANGE in str(newest[0].payload)
    assert chain.verify_project(project).ok
    assert console_errors == []
