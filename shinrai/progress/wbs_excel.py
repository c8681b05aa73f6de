"""The WBS as an Excel workbook: export, and an all-or-nothing import of it.

Layout: one sheet ``WBS``. Row 1 a title, row 2 the project code and the export time, row 3 the column
titles (Japanese, or English for a user who reads English; the import accepts both), data from row 4, one
row per task in tree order. The hierarchy is the WBS code (1, 1.2, 1.2.3); the task name is indented to
match, with Excel's own cell indent (the text itself is not changed). Dates are real Excel dates. The header
row and the first two columns are frozen; 状態 and 公開範囲 offer drop-down lists (kept on a hidden sheet).

Import rules, in the words a PM would use:
- a row whose WBS code is already in the WBS changes that task, but only when something in it differs;
- a row with a new code adds a task at that place: its parent (the code without its last number) must be
  in the file or in the WBS, and the tasks of one level are numbered 1, 2, 3 … without gaps;
- tasks that are not in the file are left alone: an import never deletes or moves a task;
- for a task with sub-tasks the dates, hours, progress and status are computed from the sub-tasks (as on
  the WBS page): those cells are written on export and not read back;
- empty cells mean no owner, no date, no milestone, no requirements, 0 hours and 0 %; an empty status is
  worked out from the progress as when progress is reported; an empty 公開範囲 keeps the task's (a new task
  gets its parent's);
- every row is checked first; if anything is wrong nothing is written and every problem is reported with
  its row and column. Otherwise everything is written in one transaction, in bulk, keeping the rules of
  ``services.task_save`` and ``services.task_update_progress`` (see "Import: writing").

The file is read with the shared defences of ``shinrai.core.xlsx`` (size, zip bomb, XML entities).
Hours are vendor data: export and import are for vendor roles only.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any
from zoneinfo import ZoneInfo

import openpyxl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import AuditEvent, Project, User, Visibility
from shinrai.core.services import audit_event, audit_record
from shinrai.core.xlsx import (
    MAX_COLUMNS,
    CellError,
    ImportIssue,
    ImportResult,
    Rejected,
    cell_text,
    check_package,
    clean,
    is_blank,
    normal_token,
    read_sheets,
    read_upload,
    safe_text,
    set_safe_value,
    unknown_choice,
)
from shinrai.requirements.models import Requirement

from . import selectors, services
from .models import Milestone, Task

MAX_ROWS = 10_000  # task rows in one file
MAX_CELL_CHARS = 1_000  # any text cell; the task name has the model's own limit
MAX_HOURS = Decimal("9999999.99")  # Task.estimate_hours / actual_hours: 9 digits, 2 decimals
MAX_CODE_LEVELS = 20
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)  # as the API's plan dates
HEADER_SEARCH_ROWS = 10
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1

SHEET = "WBS"
LISTS_SHEET = {"ja": "選択肢", "en": "Lists"}
PROJECT_CODE_LABEL = {"ja": "案件コード", "en": "Project code"}
EXPORTED_AT_LABEL = {"ja": "出力日時", "en": "Exported at"}
TOKYO = ZoneInfo("Asia/Tokyo")

NAME_MAX = Task._meta.get_field("name").max_length


def file_language(language: str | None) -> str:
    """The language of a workbook's titles and labels: English for English readers, else Japanese."""
    return "en" if (language or "").lower().startswith("en") else "ja"


# ----------------------------------------------------------------------------------------------------
# Layout


@dataclass(frozen=True)
class Column:
    key: str
    ja: str
    en: str
    width: int
    aliases: tuple[str, ...] = ()
    required: bool = False  # must be present in an imported file
    computed: bool = False  # rolled up for a task with sub-tasks: written, not read back for it
    note_ja: str = ""
    note_en: str = ""

    def title(self, language: str) -> str:
        return self.en if language == "en" else self.ja

    def note(self, language: str) -> str:
        return self.note_en if language == "en" else self.note_ja


_COMPUTED_JA = "サブタスクがあるタスクでは、サブタスクから計算されます（取り込みでは読みません）。"
_COMPUTED_EN = "For a task with sub-tasks this is computed from them (not read back on import)."
_COMPUTED = {"computed": True, "note_ja": _COMPUTED_JA, "note_en": _COMPUTED_EN}

# A table: one column per line reads better than the formatter's one argument per line.
# fmt: off
COLUMNS = (
    Column(
        "code", "WBSコード", "WBS code", 12, required=True,
        aliases=("WBS", "WBS番号", "WBSNo", "No", "番号", "コード", "Code"),
        note_ja="1, 1.2, 1.2.3 のように階層を表します。既存のコードの行はそのタスクを更新し、"
                "新しいコードの行はその位置にタスクを追加します（同じ階層は 1, 2, 3 … と空きなく）。",
        note_en="1, 1.2, 1.2.3 give the place in the tree. A row with an existing code changes that task; "
                "a new code adds a task there (number each level 1, 2, 3 … without gaps).",
    ),
    Column("name", "タスク名", "Task", 48, required=True,
           aliases=("タスク", "作業名", "作業", "作業項目", "Task name", "Name")),
    Column(
        "owner", "担当者", "Owner (e-mail)", 28,
        aliases=("担当者(メール)", "担当者メール", "担当", "Owner", "Owner e-mail", "E-mail", "Email"),
        note_ja="メールアドレスで書きます。この案件のベンダー側メンバーに限ります。",
        note_en="The e-mail address of a vendor member of this project.",
    ),
    Column("planned_start", "開始予定", "Planned start", 12,
           aliases=("開始予定日", "開始日", "開始", "予定開始", "Start"), **_COMPUTED),
    Column("planned_finish", "終了予定", "Planned finish", 12,
           aliases=("終了予定日", "終了日", "終了", "予定終了", "完了予定", "Finish", "End"), **_COMPUTED),
    Column("estimate_hours", "見積(時間)", "Estimate (h)", 11,
           aliases=("見積", "見積工数", "予定工数", "Estimate", "Estimate hours"), **_COMPUTED),
    Column("actual_hours", "実績(時間)", "Actual (h)", 11,
           aliases=("実績", "実績工数", "Actual", "Actual hours"), **_COMPUTED),
    Column("progress", "進捗(%)", "Progress (%)", 9, aliases=("進捗", "進捗率", "Progress"), computed=True,
           note_ja="0〜100 の整数。" + _COMPUTED_JA, note_en="A whole number from 0 to 100. " + _COMPUTED_EN),
    Column(
        "status", "状態", "Status", 11, aliases=("ステータス", "State"), computed=True,
        note_ja="未着手 / 進行中 / 完了 / 保留。空欄: 進捗から決まります。" + _COMPUTED_JA,
        note_en="Not started / In progress / Done / On hold. Empty: from the progress. " + _COMPUTED_EN,
    ),
    Column("milestone", "マイルストーン", "Milestone", 22, aliases=("MS", "マイルストン"),
           note_ja="この案件のマイルストーンの名称と同じに書きます。",
           note_en="The name of one of this project's milestones."),
    Column("requirements", "要件ID", "Requirement IDs", 18,
           aliases=("要件", "関連要件", "Requirements", "Requirement ID", "Requirement"),
           note_ja="REQ-001, REQ-002 のようにカンマ区切りで書きます。",
           note_en="Comma-separated, like REQ-001, REQ-002."),
    Column("visibility", "公開範囲", "Visible to", 22, aliases=("公開", "Visibility"),
           note_ja="空欄: 既存のタスクは変わらず、新しいタスクは親タスクと同じです。",
           note_en="Empty: an existing task keeps its own; a new task gets its parent's."),
)
# fmt: on

STATUS_LABELS = {
    "ja": {
        Task.Status.NOT_STARTED: "未着手",
        Task.Status.IN_PROGRESS: "進行中",
        Task.Status.DONE: "完了",
        Task.Status.ON_HOLD: "保留",
    },
    "en": {
        Task.Status.NOT_STARTED: "Not started",
        Task.Status.IN_PROGRESS: "In progress",
        Task.Status.DONE: "Done",
        Task.Status.ON_HOLD: "On hold",
    },
}
VISIBILITY_LABELS = {
    "ja": {
        Visibility.INTERNAL: "社内限定",
        Visibility.CUSTOMER: "社内とお客様",
        Visibility.PARTNERS: "社内・お客様・協力会社",
    },
    "en": {
        Visibility.INTERNAL: "Vendor only",
        Visibility.CUSTOMER: "Vendor and customer",
        Visibility.PARTNERS: "Vendor, customer and partner vendors",
    },
}
_EXTRA_ALIASES = {
    Task.Status.NOT_STARTED: ("未開始", "未", "not_started", "Todo", "To do"),
    Task.Status.IN_PROGRESS: ("作業中", "対応中", "着手", "着手済み", "WIP", "Doing"),
    Task.Status.DONE: ("完了済み", "済", "済み", "終了", "Complete", "Completed", "Finished", "Closed"),
    Task.Status.ON_HOLD: ("保留中", "中断", "Hold", "Paused"),
    Visibility.INTERNAL: ("社内", "社内のみ", "ベンダーのみ", "Internal", "Vendor"),
    Visibility.CUSTOMER: ("お客様", "顧客", "お客様まで", "Customer"),
    Visibility.PARTNERS: ("協力会社", "協力会社まで", "全員", "Partners", "Partner vendors", "All"),
}
# How widely an item is shared (as services._BREADTH): a sub-task is never shared more widely than its parent.
_BREADTH = {Visibility.INTERNAL: 0, Visibility.CUSTOMER: 1, Visibility.PARTNERS: 2}


def _lookup(tables: dict[str, dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for labels in tables.values():
        for code, label in labels.items():
            for alias in (str(code), label, *_EXTRA_ALIASES.get(code, ())):
                found[normal_token(alias)] = str(code)
    return found


_STATUS_LOOKUP = _lookup(STATUS_LABELS)
_VISIBILITY_LOOKUP = _lookup(VISIBILITY_LABELS)


# ----------------------------------------------------------------------------------------------------
# Export (pure: rows in, workbook bytes out)


@dataclass(frozen=True)
class ExportRow:
    """One task as written to the sheet; a summary's figures are its rolled-up ones."""

    code: str
    depth: int
    is_summary: bool
    name: str
    owner_email: str
    planned_start: date | None
    planned_finish: date | None
    estimate_hours: Decimal
    actual_hours: Decimal
    progress: Decimal | int
    status: str
    milestone: str
    requirements: str
    visibility: str


_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_COMPUTED_FILL = PatternFill("solid", fgColor="EDEDED")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")
_MAX_INDENT = selectors.MAX_INDENT
_NUMBER_FORMATS = {"text": "General", "code": "@", "date": "yyyy/mm/dd", "hours": "0.00", "percent": "0"}


def _named_styles() -> dict[str, NamedStyle]:
    """Every look a data cell can have, as named styles: setting fonts and borders cell by cell is slow."""
    styles: dict[str, NamedStyle] = {}

    def add(key: str, *, number_format="General", fill=None, bold=False, indent=0) -> None:
        style = NamedStyle(
            name=f"shinrai-wbs-{key}",
            number_format=number_format,
            border=_BORDER,
            alignment=Alignment(vertical="top", indent=indent),
            font=Font(bold=bold),
        )
        if fill is not None:
            style.fill = fill
        styles[key] = style

    for kind, number_format in _NUMBER_FORMATS.items():
        add(kind, number_format=number_format)
        add(f"{kind}-sum", number_format=number_format, fill=_COMPUTED_FILL, bold=kind == "text")
    add("percent1-sum", number_format="0.0", fill=_COMPUTED_FILL)
    for indent in range(_MAX_INDENT + 1):
        add(f"name-{indent}", indent=indent)
        add(f"name-{indent}-sum", indent=indent, bold=True)
    return styles


_CELL_KINDS = {
    "code": "code",
    "planned_start": "date",
    "planned_finish": "date",
    "estimate_hours": "hours",
    "actual_hours": "hours",
    "progress": "percent",
}


def _style_for(column: Column, row: ExportRow) -> str:
    if column.key == "name":
        return f"name-{min(row.depth, _MAX_INDENT)}" + ("-sum" if row.is_summary else "")
    kind = _CELL_KINDS.get(column.key, "text")
    if row.is_summary and column.computed:
        if column.key == "progress":
            return "percent1-sum"
        return f"{kind}-sum"
    return kind


def build_workbook(
    rows: Iterable[ExportRow],
    *,
    project_code: str,
    project_name: str,
    exported_at: datetime,
    language: str,
    milestones: Iterable[str] = (),
) -> bytes:
    """The WBS sheet (and the hidden sheet of drop-down lists) as .xlsx bytes."""
    language = file_language(language)
    workbook = openpyxl.Workbook()
    styles = _named_styles()  # new objects for each workbook: adding one binds it to the workbook
    for style in styles.values():
        workbook.add_named_style(style)
    ws = workbook.active
    ws.title = SHEET

    title = f"WBS　{project_code}　{project_name}"
    ws.cell(row=1, column=1, value=safe_text(title)).font = _TITLE_FONT
    ws.cell(row=2, column=1, value=PROJECT_CODE_LABEL[language]).font = _BOLD
    set_safe_value(ws.cell(row=2, column=2), project_code)
    ws.cell(row=2, column=3, value=EXPORTED_AT_LABEL[language]).font = _BOLD
    ws.cell(row=2, column=4, value=f"{exported_at:%Y-%m-%d %H:%M} (JST)")
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=column.title(language))
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGNMENT
        cell.border = _BORDER
        if column.note(language):
            cell.comment = Comment(column.note(language), "Shinrai", width=280, height=110)
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
    # Codes typed into new rows stay text: Excel would turn 1.10 into the number 1.1.
    ws.column_dimensions["A"].number_format = "@"
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=3)

    status_labels = STATUS_LABELS[language]
    visibility_labels = VISIBILITY_LABELS[language]
    number = HEADER_ROW
    for row in rows:
        number += 1
        values = {
            "code": row.code,
            "name": row.name,
            "owner": row.owner_email or None,
            "planned_start": row.planned_start,
            "planned_finish": row.planned_finish,
            "estimate_hours": row.estimate_hours,
            "actual_hours": row.actual_hours,
            "progress": row.progress,
            "status": status_labels.get(row.status, row.status),
            "milestone": row.milestone or None,
            "requirements": row.requirements or None,
            "visibility": visibility_labels.get(row.visibility, row.visibility),
        }
        for index, column in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=number, column=index)
            cell.style = styles[_style_for(column, row)].name
            set_safe_value(cell, values[column.key])

    last = get_column_letter(len(COLUMNS))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(number, FIRST_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    # Drop-down lists (a hint: the import accepts other spellings too). The lists live on a hidden sheet:
    # an inline list cannot hold a label with a comma, and milestone names may have one.
    lists = workbook.create_sheet(LISTS_SHEET[language])
    lists.sheet_state = "hidden"
    choices = {
        "status": list(status_labels.values()),
        "visibility": list(visibility_labels.values()),
        "milestone": list(dict.fromkeys(m for m in milestones if m)),
    }
    for list_column, (key, labels) in enumerate(choices.items(), start=1):
        if not labels:
            continue
        for list_row, label in enumerate(labels, start=1):
            set_safe_value(lists.cell(row=list_row, column=list_column), label)
        list_letter = get_column_letter(list_column)
        source = f"'{lists.title}'!${list_letter}$1:${list_letter}${len(labels)}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True)
        validation.showErrorMessage = False  # the import checks and explains; Excel's refusal would not
        letter = get_column_letter(next(i for i, c in enumerate(COLUMNS, 1) if c.key == key))
        validation.add(f"{letter}{FIRST_ROW}:{letter}{HEADER_ROW + MAX_ROWS}")
        ws.add_data_validation(validation)

    workbook.properties.title = f"WBS {project_code}"
    workbook.properties.creator = "Shinrai"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _hours_value(value: Decimal) -> Decimal | int:
    return int(value) if value == value.to_integral_value() else value


def export_rows(wbs_rows: Iterable[selectors.WbsRow]) -> list[ExportRow]:
    """The sheet's rows from ``selectors.wbs_for`` (tree order, codes and rollups as on the WBS page)."""
    rows = []
    for row in wbs_rows:
        task = row.task
        progress: Decimal | int = row.progress
        if not row.is_summary or progress == progress.to_integral_value():
            progress = int(progress)
        rows.append(
            ExportRow(
                code=row.code,
                depth=row.depth,
                is_summary=row.is_summary,
                name=task.name,
                owner_email=task.owner.email if task.owner_id else "",
                planned_start=row.planned_start,
                planned_finish=row.planned_finish,
                estimate_hours=_hours_value(row.estimate_hours),
                actual_hours=_hours_value(row.actual_hours),
                progress=progress,
                status=row.status,
                milestone=task.milestone.name if task.milestone_id else "",
                requirements=", ".join(r.ref for r in row.requirements),
                visibility=task.visibility,
            )
        )
    return rows


def export_wbs(*, user: User, project: Project, language: str | None = None) -> bytes:
    """The project's WBS as .xlsx for a vendor role (hours are vendor data), titles in ``language``."""
    if not access.has_perm(user, Perm.SEE_INTERNAL, project):
        raise PermissionDenied
    rows = export_rows(selectors.wbs_for(user=user, project=project))
    milestones = selectors.milestones_for(user=user, project=project).values_list("name", flat=True)
    return build_workbook(
        rows,
        project_code=project.code,
        project_name=project.name,
        exported_at=timezone.now().astimezone(TOKYO),
        language=language or get_language(),
        milestones=list(milestones),
    )


# ----------------------------------------------------------------------------------------------------
# Import: reading the sheet


class _Collector:
    def __init__(self, sheet: str = SHEET) -> None:
        self.sheet = sheet
        self._found: list[tuple[int, int, int, ImportIssue]] = []

    def add(self, row: int | None, column: str, message: str, *, position: int = -1) -> None:
        """Note a problem; ``position`` (the column's index in the file) orders the problems of a row."""
        issue = ImportIssue(sheet=self.sheet, row=row, column=column, message=message)
        self._found.append((row or 0, position, len(self._found), issue))

    @property
    def errors(self) -> list[ImportIssue]:
        """By row, then from left to right (checks that span rows run later but are listed in place)."""
        return [issue for *_order, issue in sorted(self._found, key=lambda found: found[:3])]


@dataclass
class _Sheet:
    columns: dict[str, int]  # column key -> index in the row tuple
    titles: dict[str, str]  # column key -> title to report (as written in the file)
    rows: list[tuple[int, tuple]]
    project_code: tuple[int, str] | None  # (row, code) written above the header


def _header_names(column: Column) -> set[str]:
    names = (column.ja, column.en, f"{column.ja}{column.en}", *column.aliases)
    return {normal_token(name) for name in names}


_HEADER_NAMES = {column.key: _header_names(column) for column in COLUMNS}


def _match_header(text: str) -> Column | None:
    whole = normal_token(text)
    parts = [normal_token(p) for p in re.split(r"\s*(?:\n|/|／)\s*", text) if p.strip()]
    for column in COLUMNS:
        names = _HEADER_NAMES[column.key]
        if whole in names or (parts and all(p in names for p in parts)):
            return column
    return None


def _too_many_rows(sheet: str) -> str:
    return _("The sheet “%(sheet)s” has more than %(limit)s rows. Split the file.") % {
        "sheet": sheet,
        "limit": f"{MAX_ROWS:,}",
    }


def _locate(rows: list[tuple[int, tuple]], language: str, report: _Collector) -> _Sheet | None:
    """Find the header row, map titles to columns, report unknown, doubled and missing ones."""
    header_at = None
    for position, (number, values) in enumerate(rows):
        if number > HEADER_SEARCH_ROWS:
            break
        if sum(1 for v in values if isinstance(v, str) and _match_header(v)) >= 2:
            header_at = position
            break
    if header_at is None:
        report.add(
            None,
            "",
            _(
                "The column titles were not found. "
                "Keep the title row of the exported file (for example “%(title)s”)."
            )
            % {"title": COLUMNS[0].title(language)},
        )
        return None
    header_number, header = rows[header_at]
    mapping: dict[str, int] = {}
    titles = {column.key: column.title(language) for column in COLUMNS}
    for index, value in enumerate(header):
        if is_blank(value):
            continue
        title = str(value).strip().replace("\n", " ")
        column = _match_header(str(value)) if isinstance(value, str) else None
        if column is None:
            report.add(
                header_number, title, _("Unknown column. Remove it or correct its title."), position=index
            )
        elif column.key in mapping:
            report.add(header_number, title, _("This column appears more than once."), position=index)
        else:
            mapping[column.key] = index
            titles[column.key] = title
    for column in COLUMNS:
        if column.required and column.key not in mapping:
            report.add(
                header_number, column.title(language), _("This column is missing."), position=MAX_COLUMNS
            )
    # Values under no title would be lost without a word: report them.
    titled = {i for i, v in enumerate(header) if not is_blank(v)}
    reported = set()
    for number, values in rows[header_at + 1 :]:
        for index, value in enumerate(values):
            if index not in titled and index not in reported and not is_blank(value):
                reported.add(index)
                report.add(
                    number,
                    get_column_letter(index + 1),
                    _("This column has values but no title."),
                    position=index,
                )
    code = None  # the 案件コード written above the titles, if the file still has it
    labels = {normal_token(label) for label in PROJECT_CODE_LABEL.values()}
    for number, values in rows[:header_at]:
        for index, value in enumerate(values[:-1]):
            following = values[index + 1]
            if isinstance(value, str) and normal_token(value) in labels and not is_blank(following):
                code = (number, str(following).strip())
    if len(rows) - header_at - 1 > MAX_ROWS:
        report.add(None, "", _too_many_rows(report.sheet))
    return _Sheet(columns=mapping, titles=titles, rows=rows[header_at + 1 :], project_code=code)


# ----------------------------------------------------------------------------------------------------
# Import: reading cells


_CODE = re.compile(r"^\d{1,5}(?:\.\d{1,5})*$")


def _code(value: Any) -> str:
    """A WBS code as ``1.2.3`` (no leading zeros, no trailing dot), or CellError."""
    if isinstance(value, float) and not value.is_integer():
        raise CellError(
            _(
                "Excel turned this code into a number (1.10 becomes 1.1). "
                "Format the column as text and type the code again."
            )
        )
    text = unicodedata.normalize("NFKC", cell_text(value)).replace(" ", "").rstrip(".")
    if not text:
        raise CellError(_("Enter the WBS code (1, 1.2, 1.2.3 …)."))
    if not _CODE.match(text):
        raise CellError(
            _("“%(value)s” is not a WBS code. Use numbers joined by dots: 1, 1.2, 1.2.3 …") % {"value": text}
        )
    parts = [int(part) for part in text.split(".")]
    if any(part == 0 for part in parts):
        raise CellError(_("WBS codes count from 1: “%(value)s” has a 0.") % {"value": text})
    if len(parts) > MAX_CODE_LEVELS:
        raise CellError(_("At most %(limit)s levels.") % {"limit": MAX_CODE_LEVELS})
    return ".".join(str(part) for part in parts)


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


def _parent_code(code: str) -> str | None:
    return code.rpartition(".")[0] or None


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _date(value: Any) -> date | None:
    day = _any_date(value)
    # The years the API takes too: business days are counted year by year (public holidays), so a task
    # from year 1 to 9999 would make every schedule page compute ten thousand years of holidays.
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CellError(
            _("Enter a date between %(first)s and %(last)s.") % {"first": EARLIEST_DATE, "last": LATEST_DATE}
        )
    return day


def _any_date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        # A date pasted with a time (2026-05-01 00:00:00) keeps its date.
        text = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2})?$", "", text)
        if match := _DATE_TEXT.match(text):
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
    raise CellError(_("Enter a date, for example 2026/05/01."))


def _decimal(value: Any, message: Callable[[], str]) -> Decimal | None:
    """A number from a cell or typed text (7.5, "7.5h", "１，２００"); ``message()`` explains a bad one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(message())
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        text = re.sub(r"\s*(?:h|hours?|時間|%)$", "", text, flags=re.IGNORECASE)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(message()) from None
    else:
        raise CellError(message())
    if not number.is_finite():
        raise CellError(message())
    return number


def _hours(value: Any) -> Decimal:
    """Hours to 0.01 (half up), 0 when empty."""
    number = _decimal(value, lambda: _("Enter a number of hours, for example 7.5."))
    if number is None:
        return Decimal(0)
    if number < 0:
        raise CellError(_("Hours cannot be negative."))
    # Rounded only near the limit: quantize() cannot hold a number like 1E+100 and would raise.
    if number <= MAX_HOURS + 1:
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if number > MAX_HOURS:
        raise CellError(_("At most %(limit)s hours.") % {"limit": f"{MAX_HOURS:,}"})
    return number


def _progress_range() -> str:
    return _("Enter a progress between 0 and 100 %.")


def _progress(value: Any) -> int | None:
    """A whole percent, None when empty."""
    number = _decimal(value, _progress_range)
    if number is None:
        return None
    if not 0 <= number <= 100:
        raise CellError(_progress_range())
    if number != number.to_integral_value():
        raise CellError(_("Enter a whole percent (no decimals)."))
    return int(number)


# ----------------------------------------------------------------------------------------------------
# Import: validating rows


@dataclass
class WbsState:
    """What the rows are checked against: the WBS and the project's people, milestones, requirements.

    Tasks come without their related objects (thousands of them): owners, milestones and requirement links
    are looked up here by id.
    """

    tasks: dict[str, Task]  # by WBS code
    summaries: set[str]  # codes of tasks with sub-tasks
    owners: dict[str, User]  # who may own a task, by e-mail (casefolded)
    users: dict[int, User]  # the owners above and the tasks' current owners, by id
    milestones: dict[str, list[Milestone]]  # by cleaned name
    requirements: dict[int, Requirement]  # by number
    links: dict[int, set[int]]  # task id -> ids of its requirements

    def __post_init__(self) -> None:
        self.milestone_by_id = {m.pk: m for ms in self.milestones.values() for m in ms}
        self.requirement_by_id = {r.pk: r for r in self.requirements.values()}

    def owner_of(self, task: Task) -> User | None:
        return self.users.get(task.owner_id) if task.owner_id else None

    def milestone_of(self, task: Task) -> Milestone | None:
        return self.milestone_by_id.get(task.milestone_id) if task.milestone_id else None

    def requirements_of(self, task: Task) -> list[Requirement]:
        return [self.requirement_by_id[pk] for pk in self.links.get(task.pk, ())]


@dataclass
class _Plan:
    row: int
    code: str
    task: Task | None  # None: to be created
    values: tuple
    fields: dict[str, Any] = field(default_factory=dict)  # services.TASK_FIELDS that the file gives
    requirements: list[Requirement] | None = None  # None: no 要件ID column, links unchanged
    progress: int | None = None  # None: no such column (or a summary), unchanged
    actual_hours: Decimal | None = None
    status: str | None = None  # None: work it out as task_update_progress does
    is_summary: bool = False
    visibility_given: str | None = None


class _Row:
    """One data row: typed access to its cells, and error reporting that names the cell once."""

    def __init__(self, sheet: _Sheet, number: int, values: tuple, report: _Collector):
        self.sheet, self.number, self.values, self.report = sheet, number, values, report
        self.bad: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.sheet.columns

    def raw(self, key: str) -> Any:
        index = self.sheet.columns.get(key)
        if index is None or index >= len(self.values):
            return None
        return self.values[index]

    def read(self, key: str, parse, default=None):
        """The cell parsed by ``parse``; on a bad cell the error is reported and ``default`` returned."""
        try:
            value = parse(self.raw(key))
        except CellError as error:
            self.error(key, str(error))
            self.bad.add(key)
            return default
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            self.error(key, _too_long(MAX_CELL_CHARS, len(value)))
            self.bad.add(key)
            return default
        return value

    def error(self, key: str, message: str) -> None:
        if key in self.bad:
            return  # the cell's type was already reported; more on top of it would only add noise
        self.report.add(
            self.number, self.sheet.titles[key], message, position=self.sheet.columns.get(key, -1)
        )


def _too_long(limit: int, count: int) -> str:
    return _("At most %(limit)s characters (this has %(count)s).") % {"limit": limit, "count": count}


_LIST_SEPARATORS = re.compile(r"\s*[,、，;；\n]\s*|\s+")
_REF = re.compile(r"^REQ-?0*(\d{1,6})$")


def validate(
    sheet: _Sheet, state: WbsState, *, language: str, report: _Collector
) -> tuple[list[_Plan], _Narrowing]:
    """Check every row against the WBS and the project; return the plans (meaningful only without errors)
    and the tasks not in the file that their visibility narrows."""
    labels = file_language(language)
    plans: list[_Plan] = []
    rows: dict[str, _Row] = {}
    seen: dict[str, int] = {}

    # Pass 1: codes. Which rows are tasks with sub-tasks is only known once every code is read.
    for number, values in sheet.rows:
        row = _Row(sheet, number, values, report)
        code = row.read("code", _code)
        if code is None:
            continue
        if code in seen:
            row.error(
                "code",
                _("%(ref)s appears more than once (first on row %(row)s).")
                % {"ref": code, "row": seen[code]},
            )
            continue
        seen[code] = number
        rows[code] = row
        plans.append(_Plan(row=number, code=code, task=state.tasks.get(code), values=values))

    codes = set(state.tasks) | set(rows)
    # The numbers taken under each parent, and the first one missing there: one pass, not a walk over the
    # siblings of every new row (which made a flat list of 10,000 new tasks take seconds).
    taken: dict[str | None, set[int]] = {}
    for code in codes:
        taken.setdefault(_parent_code(code), set()).add(int(code.rpartition(".")[2]))
    first_gap: dict[str | None, int] = {}
    parents_with_new_children = set()
    for plan in plans:
        if plan.task is not None:
            continue
        parent = _parent_code(plan.code)
        if parent is not None and parent not in codes:
            rows[plan.code].error(
                "code",
                _("The parent task %(parent)s is neither in the file nor in the WBS.") % {"parent": parent},
            )
            continue
        parents_with_new_children.add(parent)
        if parent not in first_gap:
            first_gap[parent] = next(n for n in range(1, len(taken[parent]) + 2) if n not in taken[parent])
        *head, last = plan.code.split(".")
        if first_gap[parent] < int(last):
            rows[plan.code].error(
                "code",
                _(
                    "%(code)s leaves a gap: %(missing)s is neither in the file nor in the WBS. "
                    "Number the tasks of one level 1, 2, 3 … without gaps."
                )
                % {"code": plan.code, "missing": ".".join([*head, str(first_gap[parent])])},
            )
    summaries = state.summaries | (parents_with_new_children - {None})

    # Pass 2: the other cells.
    for plan in plans:
        row = rows[plan.code]
        plan.is_summary = plan.code in summaries
        _read_fields(plan, row, state, labels)

    narrowing = _check_visibility(plans, rows, state, labels)
    return plans, narrowing


def _read_fields(plan: _Plan, row: _Row, state: WbsState, labels: str) -> None:
    task = plan.task
    fields = plan.fields
    name = row.read("name", cell_text, "")
    if not name:
        row.error("name", _("Enter the task name."))
    elif len(name) > NAME_MAX:
        row.error("name", _too_long(NAME_MAX, len(name)))
    fields["name"] = name

    if row.has("owner"):
        email = row.read("owner", cell_text, "")
        owner = None
        if email:
            owner = state.owners.get(email.casefold())
            current = state.owner_of(task) if task is not None else None
            if owner is None and current is not None and current.email.casefold() == email.casefold():
                owner = current  # kept as it is, even if they have left the project since
            if owner is None:
                row.error(
                    "owner",
                    _("%(value)s is not a vendor member of this project. Choose one of them as the owner.")
                    % {"value": email},
                )
        fields["owner"] = owner

    if row.has("milestone"):
        milestone_name = row.read("milestone", cell_text, "")
        milestone = None
        if milestone_name:
            matches = state.milestones.get(milestone_name, [])
            if task is not None and task.milestone_id in {m.pk for m in matches}:
                milestone = state.milestone_of(task)
            elif not matches:
                row.error(
                    "milestone",
                    _("This project has no milestone named “%(value)s”.") % {"value": milestone_name},
                )
            elif len(matches) > 1:
                row.error(
                    "milestone",
                    _("Several milestones are named “%(value)s”: rename one of them first.")
                    % {"value": milestone_name},
                )
            else:
                milestone = matches[0]
        fields["milestone"] = milestone

    if row.has("requirements"):
        plan.requirements = _requirements(row, state, task)

    if row.has("visibility"):
        text = row.read("visibility", cell_text, "")
        if text:
            visibility = _VISIBILITY_LOOKUP.get(normal_token(text))
            if visibility is None:
                row.error("visibility", unknown_choice(text, VISIBILITY_LABELS[labels]))
            plan.visibility_given = visibility

    if plan.is_summary:
        return  # dates, hours, progress and status of a summary are computed from its sub-tasks
    if row.has("planned_start"):
        fields["planned_start"] = row.read("planned_start", _date)
    if row.has("planned_finish"):
        fields["planned_finish"] = row.read("planned_finish", _date)
    start = fields.get("planned_start", task.planned_start if task else None)
    finish = fields.get("planned_finish", task.planned_finish if task else None)
    if start and finish and finish < start and "planned_start" not in row.bad:
        row.error("planned_finish", _("The planned finish cannot be before the planned start."))
    if row.has("estimate_hours"):
        fields["estimate_hours"] = row.read("estimate_hours", _hours, Decimal(0))
    if row.has("actual_hours"):
        plan.actual_hours = row.read("actual_hours", _hours, Decimal(0))
    status_known = True
    if row.has("status"):
        text = row.read("status", cell_text, "")
        if text:
            plan.status = _STATUS_LOOKUP.get(normal_token(text))
            if plan.status is None:
                status_known = False
                row.error("status", unknown_choice(text, STATUS_LABELS[labels]))
    if row.has("progress"):
        plan.progress = row.read("progress", _progress, 0)
        if plan.progress is None:  # empty: 0 %, or 100 % for a task marked done
            plan.progress = 100 if plan.status == Task.Status.DONE else 0
    if status_known and not {"progress", "status"} & row.bad:
        try:
            _progress_values(plan, now=timezone.now())
        except CellError as error:
            row.error("progress", str(error))


def _requirements(row: _Row, state: WbsState, task: Task | None) -> list[Requirement]:
    text = row.read("requirements", cell_text, "")
    linked = state.links.get(task.pk, set()) if task is not None else set()
    found: list[Requirement] = []
    for part in (p for p in _LIST_SEPARATORS.split(unicodedata.normalize("NFKC", text).upper()) if p):
        match = _REF.match(part)
        if match is None:
            row.error(
                "requirements",
                _("“%(value)s” is not a requirement ID. Use IDs like REQ-012.") % {"value": part},
            )
            continue
        requirement = state.requirements.get(int(match.group(1)))
        ref = f"REQ-{int(match.group(1)):03d}"
        if requirement is None:
            row.error("requirements", _("%(ref)s does not exist in this project.") % {"ref": ref})
        elif requirement.status == Requirement.Status.WITHDRAWN and requirement.pk not in linked:
            # As on the task form: a withdrawn requirement stays linked, but no new link is made to it.
            row.error(
                "requirements",
                _("%(ref)s has been withdrawn: link tasks only to requirements in force.") % {"ref": ref},
            )
        elif requirement not in found:
            found.append(requirement)
    return found


@dataclass
class _Narrowing:
    """Tasks not in the file that the import narrows: {task id: visibility}, and how many per changed row."""

    visibility: dict[int, str] = field(default_factory=dict)
    count_by_code: dict[str, int] = field(default_factory=dict)


def _check_visibility(plans: list[_Plan], rows: dict[str, _Row], state: WbsState, labels: str) -> _Narrowing:
    """A sub-task is never shared more widely than its parent, with the visibilities after the import.

    Walks the whole tree (the WBS and the new rows) top-down. A row in the file wider than its parent is
    refused; a task not in the file under a narrowed parent is narrowed with it (as task_save does), counted
    for the row whose change narrowed it. Sets ``fields["visibility"]`` of every plan (a new row without one
    gets its parent's).
    """
    by_code = {plan.code: plan for plan in plans}
    final: dict[str, str] = {}
    source: dict[str | None, str | None] = {None: None}  # the changed row a task's narrowing comes from
    narrowing = _Narrowing()
    for code in sorted(set(state.tasks) | set(by_code), key=_code_key):
        parent = _parent_code(code)
        if parent is not None and parent not in final:
            continue  # the parent was refused above
        cap = final[parent] if parent is not None else Visibility.PARTNERS
        plan = by_code.get(code)
        task = state.tasks.get(code)
        source[code] = source[parent]
        if plan is None:
            final[code] = task.visibility
            if _BREADTH[task.visibility] > _BREADTH[cap]:
                final[code] = narrowing.visibility[task.pk] = cap
                if source[parent] is not None:
                    count = narrowing.count_by_code.get(source[parent], 0)
                    narrowing.count_by_code[source[parent]] = count + 1
            continue
        visibility = plan.visibility_given or (
            task.visibility if task is not None else (cap if parent is not None else Visibility.CUSTOMER)
        )
        if _BREADTH[visibility] > _BREADTH[cap]:
            rows[code].error(
                "visibility",
                _("A sub-task cannot be shared more widely than its parent task (%(parent)s: %(label)s).")
                % {"parent": parent, "label": VISIBILITY_LABELS[labels][cap]},
            )
        if task is not None and visibility != task.visibility:
            source[code] = code
        plan.fields["visibility"] = visibility
        final[code] = visibility
    return narrowing


def _progress_values(plan: _Plan, *, now: datetime) -> dict[str, Any]:
    """Progress, actual hours, status and completion time after the import, by task_update_progress's rules.

    Done means 100 % and a completion time (kept when it was done already); leaving done clears it. An empty
    status keeps the task's, and a task not started with progress reported is in progress. A finished task
    with another percent than 100 is refused (also when the status is only kept).
    """
    task = plan.task
    status, progress = (task.status, task.progress) if task else (Task.Status.NOT_STARTED, 0)
    actual, completed_at = (task.actual_hours, task.completed_at) if task else (Decimal(0), None)
    new_status = plan.status or status
    if plan.status is None and status == Task.Status.NOT_STARTED and plan.progress:
        new_status = Task.Status.IN_PROGRESS
    new_progress = progress if plan.progress is None else plan.progress
    if new_status == Task.Status.DONE:
        if plan.progress is not None and plan.progress != 100:
            raise CellError(_("A finished task must be complete (100 percent)."))
        new_progress = 100
    return {
        "progress": new_progress,
        "actual_hours": actual if plan.actual_hours is None else plan.actual_hours,
        "status": new_status,
        "completed_at": (completed_at or now) if new_status == Task.Status.DONE else None,
    }


# ----------------------------------------------------------------------------------------------------
# Import: writing
#
# task_save and task_update_progress lock the project, renumber siblings and write an audit event per call:
# about 15 queries a task. The rows are fully validated above under the same project lock, so the import
# writes in bulk instead, keeping their rules (checked above: parent of the project, owner a vendor member,
# milestone and requirements of the project, dates in order, a sub-task never shared more widely than its
# parent and narrowed with it, done = 100 % with a completion time) and writing the same audit events
# (task.create, task.update, task.progress, with the same before/after) plus one task.import for the file.

_BATCH = 500
_PROGRESS_FIELDS = ("progress", "actual_hours", "status", "completed_at")


def _event(actor: User, action: str, obj, project: Project, *, before=None, after=None) -> AuditEvent:
    return audit_event(actor=actor, action=action, obj=obj, project=project, before=before, after=after)


def _refs(requirements: Iterable[Requirement]) -> str:
    return ", ".join(sorted(requirement.ref for requirement in requirements))


def _changed_fields(plan: _Plan, state: WbsState) -> dict[str, tuple]:
    """{field: (before, after)} of the task_save fields the row changes (names compared as cleaned text)."""
    task = plan.task
    changed = {}
    for name, value in plan.fields.items():
        if name == "owner":
            before, same = state.owner_of(task), task.owner_id == (value.pk if value else None)
        elif name == "milestone":
            before, same = state.milestone_of(task), task.milestone_id == (value.pk if value else None)
        else:
            before = getattr(task, name)
            same = clean(before) == value if name == "name" else before == value
        if not same:
            changed[name] = (before, value)
    return changed


def _before_after(changed: dict[str, tuple]) -> dict[str, dict]:
    return {"before": {k: v[0] for k, v in changed.items()}, "after": {k: v[1] for k, v in changed.items()}}


_NEW_TASK_PROGRESS = {
    "progress": 0,
    "actual_hours": Decimal(0),
    "status": Task.Status.NOT_STARTED,
    "completed_at": None,
}


def _save(
    plans: list[_Plan], state: WbsState, narrowing: _Narrowing, *, user: User, project: Project
) -> ImportResult:
    result = ImportResult()
    now = timezone.now()
    events: list[AuditEvent] = []
    links: list[tuple[Task, list[Requirement]]] = []  # tasks whose requirements are replaced

    # Existing tasks: one UPDATE per changed row (bulk_update's CASE expressions are slower on thousands).
    for plan in plans:
        task = plan.task
        if task is None:
            continue
        changed = _changed_fields(plan, state)
        progress_changed = {}
        if not plan.is_summary:
            values = _progress_values(plan, now=now)
            progress_changed = {k: (getattr(task, k), v) for k, v in values.items() if getattr(task, k) != v}
        old_links = state.requirements_of(task)
        if plan.requirements is not None and {r.pk for r in old_links} != {r.pk for r in plan.requirements}:
            links.append((task, plan.requirements))
            changed_links = {"requirements": (_refs(old_links), _refs(plan.requirements))}
        else:
            changed_links = {}
        if not (changed or progress_changed or changed_links):
            result.unchanged += 1
            continue
        for name, (_before, value) in (changed | progress_changed).items():
            setattr(task, name, value)
        task.updated_at = now
        task.save(update_fields=[*changed, *progress_changed, "updated_at"])
        if changed or changed_links:
            event = _before_after(changed | changed_links)
            if narrowed := narrowing.count_by_code.get(plan.code):
                event["after"]["narrowed_subtasks"] = narrowed
            events.append(_event(user, "task.update", task, project, **event))
        if progress_changed:
            events.append(_event(user, "task.progress", task, project, **_before_after(progress_changed)))
        result.updated += 1

    # Tasks not in the file under a task that was narrowed are narrowed with it (as task_save does).
    by_visibility: dict[str, list[int]] = defaultdict(list)
    for task_id, visibility in narrowing.visibility.items():
        by_visibility[visibility].append(task_id)
    for visibility, all_ids in by_visibility.items():
        for ids in _chunks(all_ids):
            Task.objects.filter(pk__in=ids).update(visibility=visibility, updated_at=now)

    # New tasks, level by level: every parent has its id before its sub-tasks are inserted.
    new_plans = [p for p in plans if p.task is None]
    _make_positions_dense(state, {_parent_code(p.code) for p in new_plans})
    tasks_by_code = dict(state.tasks)
    created: list[tuple[Task, _Plan]] = []
    for depth in sorted({p.code.count(".") for p in new_plans}):
        level = []
        for plan in sorted(
            (p for p in new_plans if p.code.count(".") == depth), key=lambda p: _code_key(p.code)
        ):
            parent_code = _parent_code(plan.code)
            task = Task(
                project=project,
                parent=tasks_by_code[parent_code] if parent_code else None,
                # The services keep positions dense (see _make_positions_dense): code 1.3 is position 2.
                position=_code_key(plan.code)[-1] - 1,
                created_at=now,
                updated_at=now,
                **plan.fields,
            )
            if not plan.is_summary:
                for name, value in _progress_values(plan, now=now).items():
                    setattr(task, name, value)
            level.append(task)
            created.append((task, plan))
            tasks_by_code[plan.code] = task
        Task.objects.bulk_create(level, batch_size=_BATCH)
    for task, plan in created:
        after = {name: getattr(task, name) for name in services.TASK_FIELDS}
        after |= {"position": task.position, "requirements": _refs(plan.requirements or [])}
        events.append(_event(user, "task.create", task, project, after=after))
        progress = {
            name: (default, getattr(task, name))
            for name, default in _NEW_TASK_PROGRESS.items()
            if getattr(task, name) != default
        }
        if progress:
            # As if the task were added and then its progress reported: the weekly report reads these.
            events.append(_event(user, "task.progress", task, project, **_before_after(progress)))
        if plan.requirements:
            links.append((task, plan.requirements))
    result.created = len(created)

    through = Task.requirements.through
    for ids in _chunks([task.pk for task, _reqs in links if task.pk in state.links]):
        through.objects.filter(task_id__in=ids).delete()
    through.objects.bulk_create(
        [through(task_id=task.pk, requirement_id=r.pk) for task, reqs in links for r in reqs],
        batch_size=_BATCH,
    )
    AuditEvent.objects.bulk_create(events, batch_size=_BATCH)
    audit_record(
        actor=user,
        action="task.import",
        obj=project,
        project=project,
        after={
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "narrowed_subtasks": len(narrowing.visibility),
        },
    )
    if result.created or result.updated:
        services.snapshot_after_commit(project)
    return result


def _chunks(items: list, size: int = _BATCH) -> Iterable[list]:
    """Slices for ``__in`` lookups: databases limit how many parameters one query may carry."""
    return (items[start : start + size] for start in range(0, len(items), size))


def _make_positions_dense(state: WbsState, parent_codes: set[str | None]) -> None:
    """Siblings at positions 0, 1, 2 … under the parents that get new tasks (their codes do not change).

    The services keep positions dense; this only guards the numbering of new tasks against older data.
    """
    siblings: dict[str | None, list[tuple[tuple[int, ...], Task]]] = defaultdict(list)
    for code, task in state.tasks.items():
        if _parent_code(code) in parent_codes:
            siblings[_parent_code(code)].append((_code_key(code), task))
    moved = []
    for tasks in siblings.values():
        for index, (_key, task) in enumerate(sorted(tasks, key=lambda pair: pair[0])):
            if task.position != index:
                task.position = index
                moved.append(task)
    Task.objects.bulk_update(moved, ["position"], batch_size=_BATCH)


# ----------------------------------------------------------------------------------------------------
# Import: entry point


def wbs_codes(tasks: Iterable[Task]) -> dict[int, str]:
    """{task id: WBS code} for a whole tree, numbered as ``selectors.wbs_for`` does.

    Siblings are ordered by position, then id, and counted from 1. The import needs the codes of every task,
    without the rollups and related objects that ``wbs_for`` loads for a page.
    """
    children: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for task in tasks:
        children[task.parent_id].append((task.position, task.pk))
    codes: dict[int, str] = {}
    todo: list[int | None] = [None]
    while todo:
        parent = todo.pop()
        prefix = f"{codes[parent]}." if parent is not None else ""
        for index, (_position, task_id) in enumerate(sorted(children.get(parent, ())), start=1):
            codes[task_id] = f"{prefix}{index}"
            todo.append(task_id)
    return codes


def _load_state(*, project: Project) -> WbsState:
    """The whole WBS and the project's owners, milestones and requirements: six queries whatever the size."""
    tasks = list(Task.objects.filter(project=project))
    codes = wbs_codes(tasks)
    parents = {task.parent_id for task in tasks}
    owners = {u.email.casefold(): u for u in selectors.owner_candidates(project=project)}
    users = {u.pk: u for u in owners.values()}
    former = {task.owner_id for task in tasks if task.owner_id and task.owner_id not in users}
    users |= {u.pk: u for u in User.objects.filter(pk__in=former)}  # owners who have left the project
    milestones: dict[str, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(project=project):
        milestones[clean(milestone.name)].append(milestone)
    links: dict[int, set[int]] = defaultdict(set)
    through = Task.requirements.through.objects.filter(task__project=project)
    for task_id, requirement_id in through.values_list("task_id", "requirement_id"):
        links[task_id].add(requirement_id)
    requirements = Requirement.objects.filter(project=project).only("id", "number", "status", "project_id")
    return WbsState(
        tasks={codes[task.pk]: task for task in tasks},
        summaries={codes[task.pk] for task in tasks if task.pk in parents},
        owners=owners,
        users=users,
        milestones=dict(milestones),
        requirements={r.number: r for r in requirements},
        links=dict(links),
    )


def import_wbs(
    *, user: User, project: Project, file: bytes | IO[bytes], language: str | None = None
) -> ImportResult:
    """Read a WBS workbook back: validate every row, then write all of it or nothing.

    ``file`` is the uploaded file (or its bytes). Problems come back in ``ImportResult.errors`` with row and
    column, in the active language; nothing is written unless there are none. ``language`` picks the
    labels quoted in messages (default: the active language).
    Raises PermissionDenied when the user may not change the project's WBS.
    """
    if not access.has_perm(user, Perm.CONTRIBUTE, project):
        raise PermissionDenied
    language = file_language(language or get_language())
    try:
        data = read_upload(file)
        check_package(data)
        raw = read_sheets(
            data,
            (SHEET,),
            max_rows=MAX_ROWS + HEADER_SEARCH_ROWS,
            too_many_rows=_too_many_rows,
            or_first=True,
        )
    except Rejected as rejected:
        return ImportResult(errors=[ImportIssue("", None, "", rejected.message)])
    if not raw:
        missing = _("The sheet “%(sheet)s” is missing.") % {"sheet": SHEET}
        return ImportResult(errors=[ImportIssue("", None, "", missing)])

    sheet_name, rows = next(iter(raw.items()))
    report = _Collector(sheet_name)
    sheet = _locate(rows, language, report)
    if sheet and sheet.project_code and sheet.project_code[1] != project.code:
        report.add(
            sheet.project_code[0],
            PROJECT_CODE_LABEL[language],
            _("This file is for project %(file)s, not %(project)s.")
            % {"file": sheet.project_code[1], "project": project.code},
        )
    if sheet is None or report.errors:
        return ImportResult(errors=report.errors)

    with transaction.atomic():
        # The lock task_save takes: nobody changes the WBS between the check and the write.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        state = _load_state(project=project)
        plans, narrowing = validate(sheet, state, language=language, report=report)
        if report.errors:
            return ImportResult(errors=report.errors)
        return _save(plans, state, narrowing, user=user, project=project)
