"""Requirements definition in the browser, end to end (the issue's "Done when").

A vendor PM records stakeholders, a goal with its definition of success and 30 requirements with acceptance
criteria, sees vague wording flagged while typing, exports the register to Excel, imports it back with new
rows, and sends it for review; the customer sponsor comments and approves in the portal; a later change
shows as a word-level diff against the approved baseline, for the PM and for the sponsor.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from .test_login_journey import japanese, log_in, path_of

pytestmark = pytest.mark.e2e

VENDOR_PM = "pm@sample-systems.example.jp"
SPONSOR = "sponsor@yamada-mfg.example.jp"
PROJECT_CODE = "YMD-2026-01"
PROJECT_NAME = "生産管理システム刷新"

HEARD = "中村 美咲"
NOT_HEARD = "工場長 佐々木"
GOAL = "納期回答の当日化"
SUCCESS = "営業が受けた納期問い合わせに、その日のうちに回答できていること。"

VAGUE = "在庫照会画面は迅速に表示されること"
MEASURABLE = "在庫照会画面は、検索ボタンを押してから2秒以内に表示されること"
NFR_TEXT = "在庫照会画面は、同時利用者300人のとき、95パーセンタイルで2秒以内に表示されること。"
CHANGED = "在庫照会画面は、検索ボタンを押してから1秒以内に表示されること"
IMPORTED_VAGUE = "工程進捗の帳票は、定期的に工場長へメールで送られること。"
TOTAL = 30

REVIEW_MESSAGE = "要件30件をご確認ください。ご不明な点は各要件にコメントをお願いします。"
COMMENT = "「検索ボタンを押してから」は、条件を入力して検索した時点という理解でよいでしょうか。"

ROWS = "table.requirements-table tbody tr"
CHANGES = "section[aria-labelledby=changes-heading]"


def ngettext_ja(singular: str, plural: str, count: int) -> str:
    with translation.override("ja"):
        return translation.ngettext(singular, plural, count) % {"counter": count}


def log_out(page) -> None:
    page.click("header.site-header form[action$='/logout/'] button[type=submit]")
    page.wait_for_load_state("load")


def message_text(page) -> str:
    return page.locator("ul.messages").inner_text()


def requirement_row(page, ref: str):
    return page.locator(ROWS).filter(has=page.locator("td.mono", has_text=ref))


# --- Steps ------------------------------------------------------------------------------------------------


def open_workspace_as_pm(page, live_server) -> str:
    """Portfolio -> project home -> 要件定義; returns the workspace path."""
    log_in(page, live_server, VENDOR_PM)
    assert path_of(page, live_server) == "/portfolio/"
    page.locator("table.data-table tbody tr", has_text=PROJECT_CODE).locator("a").first.click()
    page.wait_for_load_state("load")
    assert PROJECT_NAME in page.inner_text("main h1")
    page.get_by_role("link", name=japanese("Requirements definition"), exact=True).click()
    page.wait_for_load_state("load")
    workspace = path_of(page, live_server)
    assert re.fullmatch(r"/projects/\d+/requirements/", workspace), workspace
    assert japanese("Requirements definition") in page.inner_text("main h1")
    assert page.locator(ROWS).count() == 1  # "No requirements yet."
    return workspace


def add_stakeholders(page) -> None:
    for name, organization, category, heard_on in (
        (HEARD, "株式会社山田製作所 製造部", "field_staff", "2026-04-15"),
        (NOT_HEARD, "株式会社山田製作所 第二工場", "executive", ""),
    ):
        page.get_by_role("link", name=japanese("Add a stakeholder"), exact=True).click()
        page.wait_for_load_state("load")
        page.fill("#id_name", name)
        page.fill("#id_organization_name", organization)
        page.select_option("#id_category", category)
        page.fill("#id_expectations", "工程の遅れがその日のうちに分かること")
        if heard_on:
            page.fill("#id_heard_on", heard_on)
            page.fill("#id_hearing_notes", "朝礼前に紙の工程表を確認している。")
        page.click("form.form-grid button[type=submit]")
        page.wait_for_load_state("load")
        assert japanese("The stakeholder was saved.") in message_text(page)

    section = page.locator("section[aria-labelledby=stakeholders-heading]")
    notice = ngettext_ja(
        "%(counter)s stakeholder has not been heard yet.",
        "%(counter)s stakeholders have not been heard yet.",
        1,
    )
    assert section.locator("p.notice").inner_text() == notice
    heard_row = section.locator("tbody tr", has_text=HEARD)
    assert "2026-04-15" in heard_row.inner_text()
    assert japanese("Not yet") in section.locator("tbody tr", has_text=NOT_HEARD).inner_text()


def add_goal(page) -> None:
    page.get_by_role("link", name=japanese("Add a goal"), exact=True).click()
    page.wait_for_load_state("load")
    page.fill("#id_title", GOAL)
    page.fill("#id_to_be", "受注から出荷までの工程進捗を一つの画面で確認できる。")
    page.fill("#id_success_definition", SUCCESS)
    page.fill("#id_measures-0-metric", "当日中に回答した納期問い合わせの割合")
    page.fill("#id_measures-0-target", "95%以上")
    page.fill("#id_measures-0-due_date", "2027-06-30")
    page.click("form.form-grid button[type=submit]")
    page.wait_for_load_state("load")
    assert japanese("The goal was saved.") in message_text(page)
    goal = page.locator("section[aria-labelledby=goals-heading] article.goal")
    assert goal.locator("h3").inner_text() == GOAL
    assert SUCCESS in goal.inner_text()
    assert "当日中に回答した納期問い合わせの割合: 95%以上 (2027-06-30)" in goal.inner_text()


def add_requirement_with_live_check(page, screenshot) -> None:
    page.get_by_role("link", name=japanese("Add a requirement"), exact=True).click()
    page.wait_for_load_state("load")
    panel = page.locator(".verifiability-live")
    # Typed key by key, as a person would: the check runs once the typing pauses.
    page.locator("#id_text").press_sequentially(VAGUE, delay=20)
    mark = panel.locator("mark", has_text="迅速に")
    mark.wait_for()
    assert mark.get_attribute("data-category") == "unquantified"
    finding = panel.locator("ul.verifiability-findings li").first
    assert "「迅速に」" in finding.inner_text()
    assert "秒以内" in finding.locator(".suggestion").inner_text()  # a rewrite pattern with a number
    screenshot("requirements-live-check")

    page.fill("#id_text", MEASURABLE)
    ok = panel.locator("p.verifiability-ok")
    ok.wait_for()
    assert ok.inner_text() == japanese("No vague wording found.")
    assert panel.locator("mark").count() == 0

    page.select_option("#id_kind", "functional")
    page.select_option("#id_priority", "must")
    page.select_option("#id_goal", label=GOAL)
    page.get_by_label(HEARD).check()
    page.fill("#id_criteria-0-metric", "在庫照会画面の表示時間")
    page.select_option("#id_criteria-0-operator", "lte")
    page.fill("#id_criteria-0-threshold", "2")
    page.fill("#id_criteria-0-unit", "秒")
    page.fill("#id_criteria-0-condition", "在庫データ10万件")
    page.fill("#id_criteria-0-method", "ブラウザの開発者ツールで10回計測")
    page.click("#requirement-form button[type=submit]")
    page.wait_for_load_state("load")
    assert japanese("%(ref)s was saved.") % {"ref": "REQ-001"} in message_text(page)
    row = requirement_row(page, "REQ-001")
    assert MEASURABLE in row.inner_text()
    assert row.locator("td").nth(4).inner_text() == "1"  # one acceptance criterion


def add_requirement_from_catalogue(page) -> None:
    page.get_by_role("link", name=japanese("Non-functional templates"), exact=True).click()
    page.wait_for_load_state("load")
    page.locator("ul.template-list a", has_text="B.2.1").click()
    page.wait_for_load_state("load")
    assert "〇〇画面" in page.input_value("#id_text")  # the template, placeholders to fill in
    assert page.input_value("#id_kind") == "non_functional"
    assert page.input_value("#id_category") == "performance"
    assert page.input_value("#id_criteria-0-threshold") == "2"
    page.fill("#id_text", NFR_TEXT)
    page.locator(".verifiability-live p.verifiability-ok").wait_for()
    page.click("#requirement-form button[type=submit]")
    page.wait_for_load_state("load")
    assert japanese("%(ref)s was saved.") % {"ref": "REQ-002"} in message_text(page)
    row = requirement_row(page, "REQ-002")
    assert NFR_TEXT in row.inner_text()
    assert row.locator("td").nth(4).inner_text() == "1"


def _columns(sheet) -> dict[str, int]:
    """Column numbers by the Japanese first line of the title in row 3 ("要件ID\nID" -> "要件ID")."""
    return {str(cell.value).split("\n")[0]: cell.column for cell in sheet[3] if cell.value}


def _last_row(sheet) -> int:
    return max(cell.row for cell in sheet["A"] if cell.value is not None)


def export_and_extend(page, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=japanese("Export to Excel"), exact=True).click()
    download = info.value
    assert re.fullmatch(rf"{PROJECT_CODE}-requirements-\d{{8}}\.xlsx", download.suggested_filename)
    exported = tmp_path / download.suggested_filename
    download.save_as(exported)

    workbook = openpyxl.load_workbook(exported)
    assert workbook.sheetnames == ["要件一覧", "受入基準"]
    main, criteria = workbook["要件一覧"], workbook["受入基準"]
    assert main["B2"].value == PROJECT_CODE
    columns, criteria_columns = _columns(main), _columns(criteria)
    assert list(columns) == [
        "要件ID", "要件", "種別", "非機能カテゴリ", "優先度", "目的", "要求元",
        "状態", "受入基準", "検証可能性の指摘",
    ]  # fmt: skip
    assert list(criteria_columns) == ["要件ID", "指標", "条件式", "閾値", "上限", "単位", "条件", "測定方法"]
    exported_rows = [
        {title: main.cell(row=row, column=column).value for title, column in columns.items()}
        for row in range(4, _last_row(main) + 1)
    ]
    assert [(r["要件ID"], r["要件"], r["種別"], r["目的"], r["要求元"]) for r in exported_rows] == [
        ("REQ-001", MEASURABLE, "機能", GOAL, HEARD),
        ("REQ-002", NFR_TEXT, "非機能", None, None),
    ]
    assert exported_rows[1]["非機能カテゴリ"] == "性能・拡張性"
    assert "在庫照会画面の表示時間が2秒以下であること" in exported_rows[0]["受入基準"]
    assert _last_row(criteria) == 5  # one criterion each, under the titles in row 3

    # 28 new rows in the PM's own words; NEW-n ties each to its criteria on the second sheet.
    main_row, criteria_row = _last_row(main), _last_row(criteria)
    for number in range(3, TOTAL + 1):
        key = f"NEW-{number}"
        if number == TOTAL:
            text, kind, category = IMPORTED_VAGUE, "機能", None
        elif number % 4 == 0:
            text = f"夜間バッチは、工程実績{number * 1000}件を翌朝6時までに取り込み終えること。"
            kind, category = "非機能", "性能・拡張性"
        else:
            text = f"工程{number}の進捗は、作業者が完了を登録してから5分以内に工程進捗画面へ反映されること。"
            kind, category = "機能", None
        main_row += 1
        values = {
            "要件ID": key,
            "要件": text,
            "種別": kind,
            "非機能カテゴリ": category,
            "優先度": "必須" if number % 3 else "推奨",
            "目的": GOAL if number % 2 else None,
            "要求元": HEARD if number % 5 == 0 else None,
        }
        for title, value in values.items():
            main.cell(row=main_row, column=columns[title], value=value)
        criteria_row += 1
        criterion = {
            "要件ID": key,
            "指標": "工程進捗画面への反映時間" if kind == "機能" else "取込の完了時刻",
            "条件式": "≤",
            "閾値": 5 if kind == "機能" else "6:00",
            "単位": "分" if kind == "機能" else None,
            "条件": "通常の稼働日",
            "測定方法": "受入テストで10件の登録を計測",
        }
        for title, value in criterion.items():
            criteria.cell(row=criteria_row, column=criteria_columns[title], value=value)
    extended = tmp_path / "requirements-30.xlsx"
    workbook.save(extended)
    return extended


def import_file(page, path: Path) -> None:
    form = page.locator("form[action$='/requirements/import/']")
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    imported = japanese("Imported: %(created)d added, %(updated)d changed, %(unchanged)d unchanged.") % {
        "created": TOTAL - 2,
        "updated": 0,
        "unchanged": 2,
    }
    assert imported in message_text(page), page.inner_text("main")
    refs = page.locator(f"{ROWS} td.mono").all_inner_texts()
    assert refs == [f"REQ-{n:03d}" for n in range(1, TOTAL + 1)]
    criteria_counts = page.locator(f"{ROWS} td:nth-child(5)").all_inner_texts()
    assert criteria_counts == ["1"] * TOTAL
    # The imported vague requirement is flagged in the register, like a typed one.
    flagged = requirement_row(page, f"REQ-{TOTAL:03d}")
    assert flagged.locator("ul.findings mark").inner_text() == "定期的に"
    verifiable = japanese("%(ok)s of %(total)s requirements have no vague wording.")
    score = page.inner_text("section[aria-labelledby=score-heading]")
    assert verifiable % {"ok": TOTAL - 1, "total": TOTAL} in score


def submit_for_review(page, screenshot) -> None:
    page.fill("#id_message", REVIEW_MESSAGE)
    page.get_by_role("button", name=japanese("Send for customer review"), exact=True).click()
    page.wait_for_load_state("load")
    assert japanese("The requirements were sent to the customer for review.") in message_text(page)
    review = page.locator("section[aria-labelledby=review-heading]")
    assert japanese("Waiting for the customer") in review.inner_text()
    # While the customer reviews, nothing can be added, imported or edited.
    assert page.get_by_role("link", name=japanese("Add a requirement"), exact=True).count() == 0
    assert page.locator("form[action$='/requirements/import/']").count() == 0
    assert page.locator(f"{ROWS} td.mono a").count() == 0
    screenshot("requirements-workspace")


def sponsor_approves(page, live_server, screenshot) -> None:
    log_in(page, live_server, SPONSOR)
    assert path_of(page, live_server) == "/portal/"
    page.get_by_role("link", name=PROJECT_NAME, exact=True).click()
    page.wait_for_load_state("load")
    page.locator("main nav.toolbar a[href$='/requirements/']").click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/portal/projects/\d+/requirements/", path_of(page, live_server))

    review = page.locator("section[aria-labelledby=review-heading]")
    assert REVIEW_MESSAGE in review.locator("blockquote").inner_text()
    goals = page.locator("section[aria-labelledby=goals-heading]")
    assert GOAL in goals.inner_text() and SUCCESS in goals.inner_text()
    cards = page.locator("ol.requirement-cards > li.requirement-card")
    assert cards.count() == TOTAL
    first = page.locator("li.requirement-card#REQ-001")
    assert first.locator("p.requirement-text").inner_text() == MEASURABLE
    criteria = first.locator("ul.criteria-list li").all_inner_texts()
    assert criteria == [
        "在庫データ10万件において、在庫照会画面の表示時間が2秒以下であること。"
        "測定方法: ブラウザの開発者ツールで10回計測"
    ]
    nfr = page.locator("li.requirement-card#REQ-002 ul.criteria-list").inner_text()
    assert "同時利用者300人において、画面表示時間 (95パーセンタイル)が2秒以下であること。" in nfr
    html = page.content()
    assert "見積時の工数" not in html  # the vendor's internal note stays internal

    first.locator("textarea[name=body]").fill(COMMENT)
    first.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert japanese("Your comment was sent to the project team.") in message_text(page)
    comment = page.locator("li.requirement-card#REQ-001 p.comment")
    assert COMMENT in comment.inner_text() and "山田 太一" in comment.inner_text()
    screenshot("portal-requirements-review")

    page.check("#approve-confirm")
    page.click("#approve-button")
    page.wait_for_load_state("load")
    thanks = japanese("Thank you. You approved the requirements (version %(version)d).") % {"version": 1}
    assert thanks in message_text(page)
    assert page.locator("#approve-button").count() == 0
    assert page.locator("p.notice", has_text="山田 太一").count() == 1  # "Approved as version 1 by …"
    statuses = page.locator("li.requirement-card p.requirement-head span.muted").all_inner_texts()
    assert statuses == [japanese("Approved")] * TOTAL
    assert page.locator(CHANGES).count() == 0
    screenshot("portal-requirements-approved")
    log_out(page)


def pm_changes_a_requirement(page, live_server, workspace: str, screenshot) -> None:
    log_in(page, live_server, VENDOR_PM)
    page.goto(f"{live_server.url}{workspace}")
    baseline = page.locator("section[aria-labelledby=baseline-heading]")
    assert japanese("Version %(v)s") % {"v": 1} in baseline.inner_text()
    assert requirement_row(page, "REQ-001").locator("td").nth(5).inner_text() == japanese("Approved")

    requirement_row(page, "REQ-001").locator("td.mono a").click()
    page.wait_for_load_state("load")
    assert page.input_value("#id_text") == MEASURABLE
    assert page.input_value("#id_criteria-0-metric") == "在庫照会画面の表示時間"
    page.fill("#id_text", CHANGED)
    page.locator(".verifiability-live p.verifiability-ok").wait_for()
    page.fill("#id_criteria-0-threshold", "1")  # the criterion follows the text
    page.click("#requirement-form button[type=submit]")
    page.wait_for_load_state("load")
    assert japanese("%(ref)s was saved.") % {"ref": "REQ-001"} in message_text(page)

    changes = page.locator(CHANGES)
    assert changes.locator("h2").inner_text() == japanese("Changes since the approved baseline")
    assert_text_diff(changes)
    assert requirement_row(page, "REQ-001").locator("td").nth(5).inner_text() == japanese("Draft")
    assert requirement_row(page, "REQ-002").locator("td").nth(5).inner_text() == japanese("Approved")
    needs = ngettext_ja(
        "%(counter)s change since approval: needs re-approval.",
        "%(counter)s changes since approval: need re-approval.",
        1,
    )
    assert needs in page.inner_text("section[aria-labelledby=baseline-heading]")
    screenshot("requirements-diff")
    log_out(page)


def assert_text_diff(changes) -> None:
    items = changes.locator("li.change")
    assert items.count() == 1
    item = items.first
    assert item.locator(".mono").inner_text() == "REQ-001"
    assert item.locator(".word-diff ins").all_inner_texts() == ["1"]
    assert item.locator(".word-diff del").all_inner_texts() == ["2"]
    assert (
        item.locator(".word-diff").inner_text()
        == "在庫照会画面は、検索ボタンを押してから21秒以内に表示されること"
    )
    # The changed acceptance criterion is shown old (struck through) and new.
    assert item.locator(".criteria-change del").count() == 1
    assert item.locator(".criteria-change ins").count() == 1
    assert "1秒以下" in item.locator(".criteria-change ins").inner_text()


def sponsor_sees_the_change(page, live_server, screenshot) -> None:
    log_in(page, live_server, SPONSOR)
    page.get_by_role("link", name=PROJECT_NAME, exact=True).click()
    page.wait_for_load_state("load")
    page.locator("main nav.toolbar a[href$='/requirements/']").click()
    page.wait_for_load_state("load")
    changes = page.locator(CHANGES)
    assert changes.locator("h2").inner_text() == japanese("What changed since you approved")
    assert_text_diff(changes)
    first = page.locator("li.requirement-card#REQ-001")
    assert first.locator("p.requirement-text").inner_text() == CHANGED
    assert "在庫照会画面の表示時間が1秒以下であること。" in first.locator("ul.criteria-list").inner_text()
    screenshot("portal-requirements-changed")


def test_requirements_from_first_interview_to_approved_baseline_and_change(
    page, live_server, demo_data, console_errors, screenshot, tmp_path
):
    workspace = open_workspace_as_pm(page, live_server)
    add_stakeholders(page)
    add_goal(page)
    add_requirement_with_live_check(page, screenshot)
    add_requirement_from_catalogue(page)
    extended = export_and_extend(page, tmp_path)
    import_file(page, extended)
    submit_for_review(page, screenshot)
    log_out(page)
    assert path_of(page, live_server).startswith("/accounts/login/")

    sponsor_approves(page, live_server, screenshot)
    pm_changes_a_requirement(page, live_server, workspace, screenshot)
    sponsor_sees_the_change(page, live_server, screenshot)
    assert console_errors == []
