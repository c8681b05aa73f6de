"""A gray zone in the browser, end to end (issue 11's "Done when").

On the demo's online supermarket project (MDR-2026-01, with the partner vendor that runs the cloud platform):
the vendor PM marks an item nobody owns as a gray zone spanning several vendors and shares it with the
customer and the partner vendor; the partner vendor reads it in its portal and comments; the PM escalates it
to the customer sponsor, who decides in the portal that the partner owns it; the decision is in the
project's ledger (read by the sponsor in the portal) and the hash chain still verifies.
"""

from __future__ import annotations

import re

import pytest

from shinrai.core.models import Project
from shinrai.grayzone.models import GrayZoneComment, GrayZoneItem
from shinrai.ledger import chain
from shinrai.ledger.models import Entry

from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out

pytestmark = pytest.mark.e2e

PROJECT_CODE = "MDR-2026-01"
PROJECT_NAME = "ECサイトリニューアル"
PM = "pm@sample-systems.example.jp"
PARTNER_VIEWER = "viewer@cloud-partners.example.jp"
SPONSOR = "sponsor@midori-mart.example.jp"
PARTNER = "株式会社クラウドパートナーズ"
TITLE = "本番切替当日の決済代行への接続確認の担当"
COMMENT = "接続元IPの変更はこちらで行えます。確認の連絡窓口だけ決めていただけますか。"
RATIONALE = "接続元の設定を持つクラウドパートナーズ様にお願いします。窓口は当社の運用担当です。"
CUSTOMER_ONLY = "店舗在庫連携バッチの夜間監視の担当"  # a demo item shared with the customer only


def submit(page, action_end: str, button: str) -> None:
    form = page.locator(f"main form[action$='{action_end}']")
    form.get_by_role("button", name=japanese(button), exact=True).click()
    page.wait_for_load_state("load")


def pm_marks_and_shares(page, live_server, screenshot) -> None:
    log_in(page, live_server, PM)
    page.locator("table.data-table tbody tr", has_text=PROJECT_CODE).locator("a").first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=japanese("Gray zones"), exact=True).first.click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/grayzone/", path_of(page, live_server))
    page.get_by_role("link", name=japanese("Mark a gray zone"), exact=True).click()
    page.wait_for_load_state("load")
    page.fill("#id_title", TITLE)
    page.get_by_label(japanese("It spans several vendors")).check()
    page.fill("#id_description", "当社・クラウドパートナーズ様・決済代行のどこが確認するか決まっていません。")
    page.get_by_role("button", name=japanese("Save"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/grayzone/\d+/", path_of(page, live_server))
    assert TITLE in page.inner_text("main h1")

    page.get_by_label(japanese("The customer and the partner vendors chosen below")).check()
    page.get_by_label(PARTNER).check()
    submit(page, "/share/", "Save who sees it")
    assert japanese("Sharing saved.") in page.inner_text("ul.messages")
    screenshot("pm-marked-and-shared")
    log_out(page)


def partner_comments(page, live_server, screenshot) -> None:
    log_in(page, live_server, PARTNER_VIEWER)
    assert path_of(page, live_server) == "/portal/"
    page.get_by_role("link", name=PROJECT_NAME).first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=japanese("Gray zones"), exact=True).first.click()
    page.wait_for_load_state("load")
    listing = page.inner_text("main")
    assert TITLE in listing and CUSTOMER_ONLY not in listing  # only what is shared with this partner
    page.get_by_role("link", name=re.compile(re.escape(TITLE))).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/portal/projects/\d+/grayzone/\d+/", path_of(page, live_server))
    page.fill("#comment_body", COMMENT)
    submit(page, "/comments/", "Add the comment")
    assert COMMENT in page.inner_text("section[aria-labelledby=comments-heading]")
    screenshot("partner-commented")
    log_out(page)


def pm_escalates(page, live_server) -> None:
    log_in(page, live_server, PM)
    project = Project.objects.get(code=PROJECT_CODE)
    item = GrayZoneItem.objects.get(project=project, title=TITLE)
    page.goto(f"{live_server.url}/projects/{project.pk}/grayzone/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state("load")
    assert COMMENT in page.inner_text("section[aria-labelledby=comments-heading]")
    page.fill("#escalate_note", "3社のどこが確認するか、ご判断をお願いします。")
    submit(page, "/escalate/", "Escalate")
    item.refresh_from_db()
    assert item.state == "escalated"
    log_out(page)


def sponsor_decides(page, live_server, screenshot) -> None:
    log_in(page, live_server, SPONSOR)
    page.get_by_role("link", name=PROJECT_NAME).first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=japanese("Gray zones"), exact=True).first.click()
    page.wait_for_load_state("load")
    row = page.locator("ul.report-list li", has_text=TITLE)
    assert japanese("Waiting for your decision") in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_load_state("load")
    assert COMMENT in page.inner_text("main")  # the partner's comment, for the customer too
    page.select_option("#decide_organization", label=PARTNER)
    page.fill("#decide_rationale", RATIONALE)
    submit(page, "/decide/", "Decide")
    assert japanese("Thank you. Your decision was recorded in the ledger.") in page.inner_text("ul.messages")
    assert PARTNER in page.inner_text("dl.grayzone-facts")
    screenshot("sponsor-decided")

    page.get_by_role("link", name=PROJECT_NAME).first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=re.compile(re.escape(japanese("Requests and agreements")))).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/portal/projects/\d+/ledger/", path_of(page, live_server))
    entries = page.inner_text("section[aria-labelledby=entries-heading]")
    assert f"{TITLE}: {PARTNER}" in entries
    screenshot("sponsor-ledger")
    log_out(page)


def test_a_gray_zone_from_marking_to_the_sponsors_decision_in_the_ledger(
    page, live_server, demo_data, console_errors, screenshot
):
    pm_marks_and_shares(page, live_server, screenshot)
    partner_comments(page, live_server, screenshot)
    pm_escalates(page, live_server)
    sponsor_decides(page, live_server, screenshot)

    project = Project.objects.get(code=PROJECT_CODE)
    item = GrayZoneItem.objects.select_related("owner_org", "ledger_entry").get(project=project, title=TITLE)
    assert (item.state, item.owner_org.name, item.owner_note) == ("decided", PARTNER, RATIONALE)
    assert GrayZoneComment.objects.filter(item=item, author__email=PARTNER_VIEWER).get().body == COMMENT
    entry = Entry.objects.get(pk=item.ledger_entry_id)
    assert (entry.kind, entry.actor.email, entry.payload["owner_organization"]) == (
        "decision",
        SPONSOR,
        PARTNER,
    )
    assert chain.verify_project(project).ok
    assert console_errors == []
