"""The requirements register as an Excel workbook (要件一覧): export, and an all-or-nothing import of it.

Layout of both sheets: row 1 a title, row 2 the project code and the export time, row 3 the column titles
(Japanese, English on a second line), data from row 4. The main sheet 要件一覧 has one row per requirement;
the sheet 受入基準 one row per acceptance criterion, tied to its requirement by 要件ID.

Import rules, in the words a PM would use:
- a row with a 要件ID (REQ-012) changes that requirement, but only when something in it differs;
- a row with an empty 要件ID adds a requirement with the next number; to give a new requirement acceptance
  criteria, write a temporary ID starting with NEW (NEW-1, NEW-a…) on both sheets;
- a requirement that has rows on the 受入基準 sheet gets exactly those criteria; one with no rows there
  keeps its criteria (so an import never removes all of a requirement's criteria: do that on the page);
  requirements not in the file are left alone, and no requirement is ever deleted;
- 状態, 受入基準 and 検証可能性の指摘 on the main sheet are for reading: status changes through the
  review, the criteria through their own sheet, the findings are computed;
- every row is checked first; if anything is wrong nothing is written and every problem is reported with its
  sheet, row and column. Otherwise everything is written in one transaction (in bulk, keeping the rules
  of requirement_create/requirement_update: see "Import: writing").

The file is untrusted: its size is checked before it is opened, the zip is checked for encryption, damage and
unpacked size, XML with a DOCTYPE or entity declarations is refused, and openpyxl parses the rest with
defusedxml (``openpyxl.DEFUSEDXML``), which refuses entity expansion and external entities: a second line of
defence.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import AuditEvent, Project, User
from shinrai.core.services import audit_event, audit_record
from shinrai.core.xlsx import (  # noqa: F401 - the limits and result types are part of this module's interface
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES,
    ImportIssue,
    ImportResult,
    read_sheets,
    set_safe_value,
)
from shinrai.core.xlsx import CellError as _CellError
from shinrai.core.xlsx import Rejected as _Rejected
from shinrai.core.xlsx import cell_text as _text
from shinrai.core.xlsx import check_package as _check_package
from shinrai.core.xlsx import clean as _clean
from shinrai.core.xlsx import is_blank as _is_blank
from shinrai.core.xlsx import normal_token as _normal_token
from shinrai.core.xlsx import read_upload as _read_upload
from shinrai.core.xlsx import safe_text as _safe_text
from shinrai.core.xlsx import unknown_choice as _unknown

from . import selectors, services
from .models import AcceptanceCriterion, Requirement, Stakeholder
from .sentences import sentence_ja

MAX_ROWS = 5_000  # data rows per sheet
HEADER_SEARCH_ROWS = 10

MAIN_SHEET = "要件一覧"
CRITERIA_SHEET = "受入基準"
PROJECT_CODE_LABEL = "案件コード"
EXPORTED_AT_LABEL = "出力日時"
TOKYO = ZoneInfo("Asia/Tokyo")

_REF = re.compile(r"^REQ-?0*(\d{1,6})$")
_NEW_KEY = re.compile(r"^(?:NEW|新規)[-_#]?\w*$")
_LIST_SEPARATORS = re.compile(r"\s*[,、，;；\n]\s*")


# ----------------------------------------------------------------------------------------------------
# Layout


@dataclass(frozen=True)
class Column:
    key: str
    ja: str
    en: str
    width: int
    required: bool = False  # must be present in an imported file
    read_only: bool = False  # written on export, not read back
    wrap: bool = False
    note: str = ""  # shown as a comment on the column title

    @property
    def title(self) -> str:
        return f"{self.ja}\n{self.en}"


MAIN_COLUMNS = (
    Column(
        "ref",
        "要件ID",
        "ID",
        11,
        required=True,
        note=(
            "空欄: 新しい要件として追加します。"
            "受入基準を付けるときは NEW-1 のような仮IDを両方のシートに書きます。"
        ),
    ),
    Column("text", "要件", "Requirement", 60, required=True, wrap=True),
    Column("kind", "種別", "Kind", 9, required=True, note="機能 / 非機能"),
    Column(
        "category",
        "非機能カテゴリ",
        "Non-functional category",
        20,
        required=True,
        note="非機能のときだけ: 可用性 / 性能・拡張性 / 運用・保守性 / 移行性 / セキュリティ / システム環境",
    ),
    Column(
        "priority",
        "優先度",
        "Priority (MoSCoW)",
        11,
        required=True,
        note="必須 / 推奨 / 可能なら対応 / 今回は対象外",
    ),
    Column("goal", "目的", "Goal", 24, wrap=True, note="この案件の目的の名称と同じに書きます。"),
    Column("sources", "要求元", "Sources", 20, wrap=True, note="関係者の名前をカンマ区切りで書きます。"),
    Column("status", "状態", "Status", 13, read_only=True, note="参照のみ。状態はレビューで変わります。"),
    Column(
        "criteria",
        "受入基準",
        "Acceptance criteria",
        60,
        read_only=True,
        wrap=True,
        note="参照のみ。受入基準は「受入基準」シートで編集します。",
    ),
    Column(
        "findings",
        "検証可能性の指摘",
        "Verifiability findings",
        45,
        read_only=True,
        wrap=True,
        note="参照のみ。要件の文から自動で計算されます。",
    ),
)
CRITERIA_COLUMNS = (
    Column("ref", "要件ID", "ID", 11, required=True),
    Column("metric", "指標", "Metric", 36, required=True, wrap=True),
    Column("operator", "条件式", "Operator", 9, required=True, note="≤ / < / ≥ / > / = / 範囲"),
    Column("threshold", "閾値", "Threshold", 11, required=True),
    Column("threshold_high", "上限", "Upper threshold", 11, note="条件式が「範囲」のときだけ"),
    Column("unit", "単位", "Unit", 9),
    Column("condition", "条件", "Condition", 30, wrap=True),
    Column("method", "測定方法", "Measurement method", 30, required=True, wrap=True),
)

KIND_LABELS = {Requirement.Kind.FUNCTIONAL: "機能", Requirement.Kind.NON_FUNCTIONAL: "非機能"}
CATEGORY_LABELS = {
    Requirement.Category.AVAILABILITY: "可用性",
    Requirement.Category.PERFORMANCE: "性能・拡張性",
    Requirement.Category.OPERABILITY: "運用・保守性",
    Requirement.Category.MIGRATION: "移行性",
    Requirement.Category.SECURITY: "セキュリティ",
    Requirement.Category.ENVIRONMENT: "システム環境",
}
PRIORITY_LABELS = {
    Requirement.Priority.MUST: "必須",
    Requirement.Priority.SHOULD: "推奨",
    Requirement.Priority.COULD: "可能なら対応",
    Requirement.Priority.WONT: "今回は対象外",
}
STATUS_LABELS = {
    Requirement.Status.DRAFT: "下書き",
    Requirement.Status.IN_REVIEW: "お客様確認中",
    Requirement.Status.APPROVED: "承認済み",
    Requirement.Status.WITHDRAWN: "取り下げ済み",
}
OPERATOR_LABELS = {
    AcceptanceCriterion.Operator.LTE: "≤",
    AcceptanceCriterion.Operator.LT: "<",
    AcceptanceCriterion.Operator.GTE: "≥",
    AcceptanceCriterion.Operator.GT: ">",
    AcceptanceCriterion.Operator.EQ: "=",
    AcceptanceCriterion.Operator.BETWEEN: "範囲",
}

# What an import accepts besides the labels above and the stored codes (compared after _normal_token).
_EXTRA_ALIASES = {
    "kind": {
        "functional": ["機能要件", "Functional", "F"],
        "non_functional": ["非機能要件", "Non-functional", "NonFunctional", "NF"],
    },
    "category": {
        "availability": ["Availability"],
        "performance": ["性能", "拡張性", "Performance and scalability", "Performance"],
        "operability": ["運用", "保守性", "運用保守性", "Operability and maintainability", "Operability"],
        "migration": ["移行", "Migration"],
        "security": ["Security"],
        "environment": ["システム環境・エコロジー", "System environment", "Environment"],
    },
    "priority": {
        "must": ["Must", "M", "必須要件"],
        "should": ["Should", "S"],
        "could": ["Could", "C", "任意"],
        "wont": ["Won't", "Won't (this time)", "W", "今回対象外", "対象外"],
    },
    "operator": {
        "lte": ["<=", "≦", "以下", "=<"],
        "lt": ["未満"],
        "gte": [">=", "≧", "以上", "=>"],
        "gt": ["超", "超える", "より大きい"],
        "eq": ["==", "等しい", "一致"],
        "between": ["between", "範囲内", "〜", "~", "-"],
    },
}


def _lookup(labels: dict, extra: dict[str, list[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in labels.items():
        for alias in (str(code), label, *extra.get(str(code), ())):
            table[_normal_token(alias)] = str(code)
    return table


_KIND_LOOKUP = _lookup(KIND_LABELS, _EXTRA_ALIASES["kind"])
_CATEGORY_LOOKUP = _lookup(CATEGORY_LABELS, _EXTRA_ALIASES["category"])
_PRIORITY_LOOKUP = _lookup(PRIORITY_LABELS, _EXTRA_ALIASES["priority"])
_OPERATOR_LOOKUP = _lookup(OPERATOR_LABELS, _EXTRA_ALIASES["operator"])


# ----------------------------------------------------------------------------------------------------
# Export


_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_READ_ONLY_FILL = PatternFill("solid", fgColor="EDEDED")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# Data cells take one of two named styles: setting alignment and border cell by cell costs seven times more.
_CELL_STYLE = NamedStyle(name="shinrai-cell", alignment=Alignment(vertical="top"), border=_BORDER)
_WRAP_STYLE = NamedStyle(
    name="shinrai-wrap", alignment=Alignment(wrap_text=True, vertical="top"), border=_BORDER
)
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")
HEADER_ROW = 3


def _write(ws, row: int, column: int, value: Any, *, wrap: bool = False):
    """Write one value; text that a spreadsheet could take for a formula is kept as text."""
    cell = ws.cell(row=row, column=column)
    cell.style = _WRAP_STYLE.name if wrap else _CELL_STYLE.name
    return set_safe_value(cell, value)


def _title_block(
    ws, *, title: str, project: Project, exported_at: datetime, columns: tuple[Column, ...]
) -> None:
    ws.cell(row=1, column=1, value=_safe_text(f"{title}　{project.code}　{project.name}")).font = _TITLE_FONT
    ws.cell(row=2, column=1, value=PROJECT_CODE_LABEL).font = _HEADER_FONT
    _write(ws, 2, 2, project.code).border = Border()
    ws.cell(row=2, column=3, value=EXPORTED_AT_LABEL).font = _HEADER_FONT
    ws.cell(row=2, column=4, value=f"{exported_at:%Y-%m-%d %H:%M} (JST)")
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=column.title)
        cell.font = _HEADER_FONT
        cell.fill = _READ_ONLY_FILL if column.read_only else _HEADER_FILL
        cell.alignment = _HEADER_ALIGNMENT
        cell.border = _BORDER
        if column.note:
            cell.comment = Comment(column.note, "Shinrai", width=260, height=90)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)


def _finish(ws, columns: tuple[Column, ...], last_row: int, choices: dict[str, list[str]]) -> None:
    last_row = max(last_row, HEADER_ROW + 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{last_row}"
    # Drop-down lists on the coded columns, for new rows too (a hint: the import accepts other spellings).
    for key, values in choices.items():
        index = next(i for i, c in enumerate(columns, start=1) if c.key == key)
        letter = get_column_letter(index)
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        validation.showErrorMessage = False
        validation.add(f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + MAX_ROWS}")
        ws.add_data_validation(validation)


def _finding_lines(requirement: Requirement) -> str:
    lines = []
    for finding in requirement.findings or []:
        span = finding.get("text") or requirement.text[finding.get("start", 0) : finding.get("end", 0)]
        # The register is Japanese: the Japanese explanation when the checker gives one.
        message = finding.get("message_ja") or finding.get("message", "")
        lines.append(f"「{span}」: {message}")
    return "\n".join(lines)


def export_requirements(*, user: User, project: Project) -> bytes:
    """The project's requirements as .xlsx, limited to what ``user`` may see (customers: no internal ones)."""
    if not access.has_perm(user, Perm.VIEW, project):
        raise PermissionDenied  # the title row would show the project's code and name
    requirements = list(selectors.requirements_for(user=user, project=project))
    # A goal's visibility is its own: a customer must not read an internal goal's title through a requirement.
    visible_goals = set(selectors.goals_for(user=user, project=project).values_list("pk", flat=True))
    exported_at = timezone.now().astimezone(TOKYO)
    workbook = openpyxl.Workbook()
    workbook.add_named_style(copy(_CELL_STYLE))
    workbook.add_named_style(copy(_WRAP_STYLE))
    main = workbook.active
    main.title = MAIN_SHEET
    _title_block(main, title="要件一覧", project=project, exported_at=exported_at, columns=MAIN_COLUMNS)
    criteria_sheet = workbook.create_sheet(CRITERIA_SHEET)
    _title_block(
        criteria_sheet, title="受入基準", project=project, exported_at=exported_at, columns=CRITERIA_COLUMNS
    )

    main_row = criteria_row = HEADER_ROW
    for requirement in requirements:
        main_row += 1
        criteria = list(requirement.criteria.all())
        values = {
            "ref": requirement.ref,
            "text": requirement.text,
            "kind": KIND_LABELS.get(requirement.kind, requirement.kind),
            "category": CATEGORY_LABELS.get(requirement.category, requirement.category),
            "priority": PRIORITY_LABELS.get(requirement.priority, requirement.priority),
            "goal": requirement.goal.title if requirement.goal_id in visible_goals else "",
            "sources": ", ".join(s.name for s in requirement.sources.all()),
            "status": STATUS_LABELS.get(requirement.status, requirement.status),
            "criteria": "\n".join(sentence_ja(c) for c in criteria),
            "findings": _finding_lines(requirement),
        }
        for index, column in enumerate(MAIN_COLUMNS, start=1):
            _write(main, main_row, index, values[column.key], wrap=column.wrap)
        for criterion in criteria:
            criteria_row += 1
            values = {name: getattr(criterion, name) for name in AcceptanceCriterion.CONTENT_FIELDS}
            values["ref"] = requirement.ref
            values["operator"] = OPERATOR_LABELS.get(criterion.operator, criterion.operator)
            for index, column in enumerate(CRITERIA_COLUMNS, start=1):
                _write(criteria_sheet, criteria_row, index, values[column.key], wrap=column.wrap)

    _finish(
        main,
        MAIN_COLUMNS,
        main_row,
        {
            "kind": list(KIND_LABELS.values()),
            "category": list(CATEGORY_LABELS.values()),
            "priority": list(PRIORITY_LABELS.values()),
        },
    )
    _finish(criteria_sheet, CRITERIA_COLUMNS, criteria_row, {"operator": list(OPERATOR_LABELS.values())})
    workbook.properties.title = f"要件一覧 {project.code}"
    workbook.properties.creator = "Shinrai"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------------------------------------
# Import: reading the file safely (the checks themselves are in shinrai.core.xlsx)


def _read_sheets(data: bytes) -> dict[str, list[tuple[int, tuple]]]:
    """Raw cell values of the two sheets: {sheet: [(excel row number, values), …]} without empty rows."""
    return read_sheets(
        data,
        (MAIN_SHEET, CRITERIA_SHEET),
        max_rows=MAX_ROWS + HEADER_SEARCH_ROWS,
        too_many_rows=_too_many_rows,
    )


def _too_many_rows(sheet: str) -> str:
    return _("The sheet “%(sheet)s” has more than %(limit)s rows. Split the file.") % {
        "sheet": sheet,
        "limit": f"{MAX_ROWS:,}",
    }


# ----------------------------------------------------------------------------------------------------
# Import: validating rows


def _header_names(column: Column) -> set[str]:
    return {_normal_token(column.ja), _normal_token(column.en), _normal_token(column.title)}


def _match_header(text: str, columns: tuple[Column, ...]) -> Column | None:
    whole = _normal_token(text)
    parts = [_normal_token(p) for p in re.split(r"\s*(?:\n|/|／)\s*", text) if p.strip()]
    for column in columns:
        names = _header_names(column)
        if whole in names or (parts and all(p in names for p in parts)):
            return column
    return None


@dataclass
class _Sheet:
    name: str
    columns: dict[str, int]  # column key -> index in the row tuple
    titles: dict[str, str]  # column key -> title to report
    rows: list[tuple[int, tuple]]
    project_code: tuple[int, str] | None  # (row, code) written above the header


class _Collector:
    def __init__(self) -> None:
        self.errors: list[ImportIssue] = []

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.errors.append(ImportIssue(sheet=sheet, row=row, column=column, message=message))


def _locate(
    name: str, rows: list[tuple[int, tuple]], columns: tuple[Column, ...], report: _Collector
) -> _Sheet | None:
    """Find the header row, map titles to columns, report unknown, doubled and missing ones."""
    header_at = None
    for position, (number, values) in enumerate(rows):
        if number > HEADER_SEARCH_ROWS:
            break
        matched = [v for v in values if isinstance(v, str) and _match_header(v, columns)]
        if len(matched) >= 2:
            header_at = position
            break
    if header_at is None:
        report.add(
            name,
            None,
            "",
            _(
                "The column titles were not found. "
                "Keep the title row of the exported file (for example “%(title)s”)."
            )
            % {"title": columns[0].ja},
        )
        return None
    header_number, header = rows[header_at]
    mapping: dict[str, int] = {}
    titles = {c.key: c.ja for c in columns}
    for index, value in enumerate(header):
        if _is_blank(value):
            continue
        title = str(value).strip()
        column = _match_header(title, columns) if isinstance(value, str) else None
        if column is None:
            report.add(
                name,
                header_number,
                title.replace("\n", " "),
                _("Unknown column. Remove it or correct its title."),
            )
        elif column.key in mapping:
            report.add(name, header_number, column.ja, _("This column appears more than once."))
        else:
            mapping[column.key] = index
    for column in columns:
        if column.required and column.key not in mapping:
            report.add(name, header_number, column.ja, _("This column is missing."))
    # Values under no title would be lost without a word: report them.
    titled = set(mapping.values()) | {i for i, v in enumerate(header) if not _is_blank(v)}
    untitled_reported = set()
    for number, values in rows[header_at + 1 :]:
        for index, value in enumerate(values):
            if index not in titled and index not in untitled_reported and not _is_blank(value):
                untitled_reported.add(index)
                report.add(
                    name, number, get_column_letter(index + 1), _("This column has values but no title.")
                )
    code = None  # the 案件コード written above the titles, if the file still has it
    labels = {_normal_token(PROJECT_CODE_LABEL), "projectcode"}
    for number, values in rows[:header_at]:
        for index, value in enumerate(values[:-1]):
            following = values[index + 1]
            if isinstance(value, str) and _normal_token(value) in labels and not _is_blank(following):
                code = (number, str(following).strip())
    if len(rows) - header_at - 1 > MAX_ROWS:
        report.add(name, None, "", _too_many_rows(name))
    return _Sheet(name=name, columns=mapping, titles=titles, rows=rows[header_at + 1 :], project_code=code)


class _Row:
    """One data row: typed access to its cells, and error reporting that names the cell once."""

    def __init__(self, sheet: _Sheet, number: int, values: tuple, report: _Collector):
        self.sheet, self.number, self.values, self.report = sheet, number, values, report
        self.bad: set[str] = set()

    def text(self, key: str) -> str | None:
        """The cell's text ("" when empty), or None when the file has no such column."""
        index = self.sheet.columns.get(key)
        if index is None:
            return None
        value = self.values[index] if index < len(self.values) else None
        try:
            return _text(value)
        except _CellError as error:
            self.error(key, str(error))
            self.bad.add(key)
            return ""

    def error(self, key: str, message: str) -> None:
        if key in self.bad:
            return  # the cell's type was already reported; "required" on top of it would only add noise
        self.report.add(self.sheet.name, self.number, self.sheet.titles[key], message)


def _normal_ref(value: str) -> str:
    """REQ-12, req-012 and ＲＥＱ－０１２ become REQ-012; anything else is upper-cased (NEW-1)."""
    normal = unicodedata.normalize("NFKC", value).upper().replace(" ", "")
    if match := _REF.match(normal):
        return f"REQ-{int(match.group(1)):03d}"
    return normal


@dataclass
class _Planned:
    row: int
    key: str  # how the criteria sheet refers to it: REQ-012, NEW-1, or "" (no criteria possible)
    requirement: Requirement | None  # None: to be created
    fields: dict = field(default_factory=dict)
    sources: list[Stakeholder] | None = None
    criteria: list[dict] | None = None  # None: not on the criteria sheet, keep the stored criteria


def _named(items: Iterable, attribute: str) -> dict[str, list]:
    table: dict[str, list] = {}
    for item in items:
        table.setdefault(_clean(getattr(item, attribute)), []).append(item)
    return table


def _criteria_of(requirement: Requirement) -> list[dict]:
    return [
        {name: _clean(getattr(c, name)) for name in AcceptanceCriterion.CONTENT_FIELDS}
        for c in requirement.criteria.all()
    ]


_CRITERION_LIMITS = {
    name: AcceptanceCriterion._meta.get_field(name).max_length
    for name in AcceptanceCriterion.CONTENT_FIELDS
    if name != "operator"
}


def _validate_main(
    sheet: _Sheet, *, existing: dict[int, Requirement], goals: dict, stakeholders: dict, report: _Collector
) -> list[_Planned]:
    planned: list[_Planned] = []
    seen: dict[str, int] = {}
    for number, values in sheet.rows:
        row = _Row(sheet, number, values, report)
        ref = row.text("ref") or ""
        key = _normal_ref(ref) if ref else ""
        requirement = None
        if not key:
            pass
        elif match := _REF.match(key):
            requirement = existing.get(int(match.group(1)))
            if requirement is None:
                row.error("ref", _("%(ref)s does not exist in this project.") % {"ref": key})
        elif not _NEW_KEY.match(key):
            row.error(
                "ref",
                _(
                    "“%(value)s” is not a requirement ID. "
                    "Use IDs like REQ-012, or leave it empty for a new requirement."
                )
                % {"value": ref},
            )
            key = ""
        if key in seen:
            row.error(
                "ref",
                _("%(ref)s appears more than once (first on row %(row)s).") % {"ref": key, "row": seen[key]},
            )
        elif key:
            seen[key] = number

        fields: dict[str, Any] = {}
        fields["text"] = row.text("text")
        if not fields["text"]:
            row.error("text", _("Enter the requirement."))
        elif any(mark in fields["text"] for mark in services.TEMPLATE_PLACEHOLDERS):
            row.error("text", _("Replace the template's 〇〇 and △ with the real values."))

        kind_text = row.text("kind")
        kind = _KIND_LOOKUP.get(_normal_token(kind_text)) if kind_text else None
        if not kind_text:
            row.error(
                "kind", _("Enter the kind: %(choices)s.") % {"choices": " / ".join(KIND_LABELS.values())}
            )
        elif kind is None:
            row.error("kind", _unknown(kind_text, KIND_LABELS))
        fields["kind"] = kind

        category_text = row.text("category")
        category = _CATEGORY_LOOKUP.get(_normal_token(category_text)) if category_text else ""
        if category is None:
            row.error("category", _unknown(category_text, CATEGORY_LABELS))
        elif kind == Requirement.Kind.FUNCTIONAL and category:
            row.error("category", _("Leave the category empty for a functional requirement."))
        elif kind == Requirement.Kind.NON_FUNCTIONAL and not category:
            row.error(
                "category",
                _("Choose the category of a non-functional requirement: %(choices)s.")
                % {"choices": " / ".join(CATEGORY_LABELS.values())},
            )
        fields["category"] = category or ""

        priority_text = row.text("priority")
        priority = _PRIORITY_LOOKUP.get(_normal_token(priority_text)) if priority_text else None
        if not priority_text:
            row.error(
                "priority",
                _("Enter the priority: %(choices)s.") % {"choices": " / ".join(PRIORITY_LABELS.values())},
            )
        elif priority is None:
            row.error("priority", _unknown(priority_text, PRIORITY_LABELS))
        fields["priority"] = priority

        goal_title = row.text("goal")
        if goal_title is not None:  # no 目的 column: goals stay as they are
            matches = goals.get(goal_title, []) if goal_title else [None]
            if not matches:
                row.error("goal", _("This project has no goal titled “%(value)s”.") % {"value": goal_title})
            elif len(matches) > 1:
                row.error(
                    "goal",
                    _("Several goals are titled “%(value)s”: rename one of them first.")
                    % {"value": goal_title},
                )
            else:
                fields["goal"] = matches[0]

        sources = None
        names = row.text("sources")
        if names is not None:  # no 要求元 column: sources stay as they are
            sources = []
            for name in (n for n in _LIST_SEPARATORS.split(names) if n):
                matches = stakeholders.get(name, [])
                if not matches:
                    row.error(
                        "sources", _("This project has no stakeholder named “%(value)s”.") % {"value": name}
                    )
                elif len(matches) > 1:
                    row.error("sources", _("Several stakeholders are named “%(value)s”.") % {"value": name})
                elif matches[0] not in sources:
                    sources.append(matches[0])

        planned.append(_Planned(row=number, key=key, requirement=requirement, fields=fields, sources=sources))
    return planned


def _validate_criteria(
    sheet: _Sheet, *, planned: dict[str, _Planned], existing: dict[int, Requirement], report: _Collector
) -> None:
    for number, values in sheet.rows:
        row = _Row(sheet, number, values, report)
        ref = row.text("ref")
        target = None
        if not ref:
            row.error("ref", _("Enter the ID of the requirement this criterion belongs to."))
        else:
            key = _normal_ref(ref)
            target = planned.get(key)
            match = _REF.match(key)
            if match and int(match.group(1)) not in existing:
                row.error("ref", _("%(ref)s does not exist in this project.") % {"ref": key})
                target = None
            elif target is None:
                row.error(
                    "ref",
                    _(
                        "%(ref)s is not on the sheet “%(sheet)s”. "
                        "Criteria can only be given for requirements on it."
                    )
                    % {"ref": ref, "sheet": MAIN_SHEET},
                )

        values_by_name = {
            name: row.text(name) or "" for name in AcceptanceCriterion.CONTENT_FIELDS if name != "operator"
        }
        operator_text = row.text("operator")
        operator = _OPERATOR_LOOKUP.get(_normal_token(operator_text)) if operator_text else None
        if not operator_text:
            row.error(
                "operator",
                _("Enter the operator: %(choices)s.") % {"choices": " / ".join(OPERATOR_LABELS.values())},
            )
        elif operator is None:
            row.error("operator", _unknown(operator_text, OPERATOR_LABELS))
        for name, message in (
            ("metric", _("Enter what is measured.")),
            ("threshold", _("Enter the threshold.")),
            ("method", _("Enter how it is measured.")),
        ):
            if not values_by_name[name]:
                row.error(name, message)
        if operator == AcceptanceCriterion.Operator.BETWEEN and not values_by_name["threshold_high"]:
            row.error("threshold_high", _("A range (範囲) needs an upper threshold."))
        elif (
            operator and operator != AcceptanceCriterion.Operator.BETWEEN and values_by_name["threshold_high"]
        ):
            row.error(
                "threshold_high", _("An upper threshold is only used with a range (範囲). Leave it empty.")
            )
        for name, limit in _CRITERION_LIMITS.items():
            if len(values_by_name[name]) > limit:
                row.error(
                    name,
                    _("At most %(limit)s characters (this has %(count)s).")
                    % {"limit": limit, "count": len(values_by_name[name])},
                )
        if target is not None:
            target.criteria = target.criteria or []
            target.criteria.append({"operator": operator or "", **values_by_name})


def _changes(plan: _Planned) -> dict[str, Any]:
    """For an existing requirement, the arguments for requirement_update that differ from what is stored."""
    requirement = plan.requirement
    changes: dict[str, Any] = {}
    for name, value in plan.fields.items():
        stored = getattr(requirement, name)
        if name == "goal":
            if (stored.pk if stored else None) != (value.pk if value else None):
                changes[name] = value
        elif _clean(stored or "") != value:
            changes[name] = value
    stored_sources = {s.pk for s in requirement.sources.all()}
    if plan.sources is not None and stored_sources != {s.pk for s in plan.sources}:
        changes["sources"] = plan.sources
    if plan.criteria is not None and _criteria_of(requirement) != plan.criteria:
        changes["criteria"] = plan.criteria
    return changes


# ----------------------------------------------------------------------------------------------------
# Import: writing
#
# requirement_create / requirement_update cost about 20 queries a row (locks, constraint checks, one audit
# insert each): 5,000 rows took about 50 s. The rows are fully validated above, so the import writes in bulk
# instead, keeping every rule those services keep: numbering under the project lock, no change while a
# customer review is open, findings recomputed from the text, an approved requirement back to draft when it
# changes, and one audit event per requirement with the same action and before/after as the services'.


def _save(plans: list[_Planned], *, user: User, project: Project) -> ImportResult:
    result = ImportResult()
    now = timezone.now()
    through = Requirement.sources.through
    with transaction.atomic():
        # The same lock requirement_create takes: concurrent additions get different numbers.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if selectors.open_review(project=project) is not None:
            raise ValidationError(_review_open())

        last = Requirement.objects.filter(project=project).aggregate(last=Max("number"))["last"] or 0
        created: list[tuple[Requirement, _Planned]] = []
        for plan in plans:
            if plan.requirement is not None:
                continue
            requirement = Requirement(
                project=project, number=last + len(created) + 1, created_at=now, updated_at=now, **plan.fields
            )
            requirement.findings = services._findings_for(requirement.text)
            requirement.is_verifiable = not requirement.findings
            plan.criteria = plan.criteria or []
            created.append((requirement, plan))
        Requirement.objects.bulk_create([r for r, _plan in created], batch_size=_BATCH)

        updated: list[tuple[Requirement, dict]] = []
        for plan in plans:
            if plan.requirement is None:
                continue
            changes = _changes(plan)
            if not changes:
                result.unchanged += 1
                continue
            changed, fields = _apply(plan.requirement, changes, now)
            # One UPDATE per row: bulk_update's CASE expressions are far slower on thousands of rows.
            plan.requirement.save(update_fields=fields)
            updated.append((plan.requirement, changed))

        # Sources and criteria: replaced wholesale for the requirements whose sources or criteria changed.
        new_sources = [(r, p.sources or []) for r, p in created]
        new_criteria = [(r, p.criteria) for r, p in created]
        plans_by_id = {p.requirement.pk: p for p in plans if p.requirement is not None}
        source_ids = [r.pk for r, changed in updated if "sources" in changed]
        criteria_ids = [r.pk for r, changed in updated if "criteria" in changed]
        through.objects.filter(requirement_id__in=source_ids).delete()
        AcceptanceCriterion.objects.filter(requirement_id__in=criteria_ids).delete()
        new_sources += [(r, plans_by_id[r.pk].sources) for r, changed in updated if "sources" in changed]
        new_criteria += [(r, plans_by_id[r.pk].criteria) for r, changed in updated if "criteria" in changed]
        through.objects.bulk_create(
            [
                through(requirement_id=r.pk, stakeholder_id=s.pk)
                for r, sources in new_sources
                for s in sources
            ],
            batch_size=_BATCH,
        )
        AcceptanceCriterion.objects.bulk_create(
            [
                AcceptanceCriterion(requirement=r, position=position, **values)
                for r, rows in new_criteria
                for position, values in enumerate(rows)
            ],
            batch_size=_BATCH,
        )

        events = [
            _audit_event(
                user, "requirement.create", requirement, project,
                after={"ref": requirement.ref, "text": requirement.text, "criteria": len(plan.criteria)},
            )
            for requirement, plan in created
        ] + [
            _audit_event(
                user, "requirement.update", requirement, project,
                before={k: v[0] for k, v in changed.items()}, after={k: v[1] for k, v in changed.items()},
            )
            for requirement, changed in updated
        ]  # fmt: skip
        AuditEvent.objects.bulk_create(events, batch_size=_BATCH)
        result.created, result.updated = len(created), len(updated)
        audit_record(
            actor=user, action="requirement.import", obj=project, project=project,
            after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )  # fmt: skip
    return result


_BATCH = 500


def _audit_event(actor: User, action: str, obj: Requirement, project: Project, *, before=None, after=None):
    # Collected for one bulk insert: 5,000 single inserts took 1.5 s.
    return audit_event(actor=actor, action=action, obj=obj, project=project, before=before, after=after)


def _apply(requirement: Requirement, changes: dict[str, Any], now) -> tuple[dict[str, tuple], list[str]]:
    """Set the changed fields as requirement_update does.

    Returns {field: (before, after)} for the audit log, and the fields to save.
    """
    changed: dict[str, tuple] = {}
    for name, value in changes.items():
        if name == "sources":
            before = sorted(s.pk for s in requirement.sources.all())
            changed[name] = (before, sorted(s.pk for s in value))
        elif name == "criteria":
            changed[name] = (len(requirement.criteria.all()), len(value))
        else:
            changed[name] = (getattr(requirement, name), value)
            setattr(requirement, name, value)
    if "text" in changed:
        requirement.findings = services._findings_for(requirement.text)
        requirement.is_verifiable = not requirement.findings
    if requirement.status == Requirement.Status.APPROVED:
        # A change to an approved requirement needs the customer's approval again.
        requirement.status = Requirement.Status.DRAFT
        changed["status"] = (Requirement.Status.APPROVED, Requirement.Status.DRAFT)
    requirement.updated_at = now
    fields = [name for name in changed if name not in ("sources", "criteria")]
    if "text" in changed:
        fields += ["findings", "is_verifiable"]
    return changed, [*fields, "updated_at"]


# ----------------------------------------------------------------------------------------------------
# Import: entry point


def import_requirements(*, user: User, project: Project, file: bytes | IO[bytes]) -> ImportResult:
    """Read a 要件一覧 workbook back: validate every row of both sheets, then write all of it or nothing.

    ``file`` is the uploaded file (or its bytes). Problems come back in ``ImportResult.errors`` with sheet,
    row and column, in the active language; nothing is written unless there are none.
    Raises PermissionDenied when the user may not change the project's requirements.
    """
    if not access.has_perm(user, Perm.CONTRIBUTE, project):
        raise PermissionDenied
    if selectors.open_review(project=project) is not None:
        return ImportResult(errors=[ImportIssue("", None, "", _review_open())])
    try:
        data = _read_upload(file)
        _check_package(data)
        raw = _read_sheets(data)
    except _Rejected as rejected:
        return ImportResult(errors=[ImportIssue("", None, "", rejected.message)])

    report = _Collector()
    sheets = {}
    for name, columns in ((MAIN_SHEET, MAIN_COLUMNS), (CRITERIA_SHEET, CRITERIA_COLUMNS)):
        if name not in raw:
            report.add(name, None, "", _("The sheet “%(sheet)s” is missing.") % {"sheet": name})
            continue
        sheets[name] = _locate(name, raw[name], columns, report)
    for sheet in sheets.values():
        if sheet and sheet.project_code and sheet.project_code[1] != project.code:
            report.add(
                sheet.name,
                sheet.project_code[0],
                PROJECT_CODE_LABEL,
                _("This file is for project %(file)s, not %(project)s.")
                % {"file": sheet.project_code[1], "project": project.code},
            )
    if report.errors:
        return ImportResult(errors=report.errors)

    requirements = selectors.requirements_for(user=user, project=project)
    existing = {r.number: r for r in requirements}
    goals = _named(selectors.goals_for(user=user, project=project), "title")
    stakeholders = _named(selectors.stakeholders_for(user=user, project=project), "name")
    plans = _validate_main(
        sheets[MAIN_SHEET], existing=existing, goals=goals, stakeholders=stakeholders, report=report
    )
    _validate_criteria(
        sheets[CRITERIA_SHEET], planned={p.key: p for p in plans if p.key}, existing=existing, report=report
    )
    if report.errors:
        return ImportResult(errors=report.errors)

    try:
        return _save(plans, user=user, project=project)
    except ValidationError as error:
        # The rows were checked above; what is left is a state that changed meanwhile (a review was opened).
        return ImportResult(errors=[ImportIssue("", None, "", " ".join(error.messages))])


def _review_open() -> str:
    # Same wording (and translation) as the services' refusal.
    return _("The requirements are with the customer for review. Withdraw the review to make changes.")
