"""Properties of the WBS Excel import (shinrai.progress.wbs_excel) on any cell values and any sheet.

- Each cell reader (WBS code, date, hours, progress, text) returns a value of its kind within its limits or
  refuses the cell with ``CellError`` (reported for that cell), whatever openpyxl hands it.
- A sheet of any rows under any titles is located and validated without raising: either it is refused with
  errors that name a row or a column, or it yields plans.
- A whole workbook is imported all or nothing: with errors, nothing is written; without, exporting the WBS
  and importing that file again changes nothing.

Regressions: hours of 1E+100 (typed, or a number cell) raised decimal.InvalidOperation from the rounding
and the import answered 500 (now "At most 9,999,999.99 hours" on that cell); a flat list of 10,000 new
tasks took seconds to check for gaps in the numbering (each row walked its siblings); dates of any year
were taken, and a task spanning centuries made every schedule computation take minutes.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from hypothesis import event, given
from hypothesis import strategies as st

from shinrai.core.models import AuditEvent
from shinrai.core.xlsx import CellError, cell_text
from shinrai.progress import wbs_excel as wbs
from shinrai.progress.models import Task

from .bounds import SECONDS_PER_100_KB, examples, within
from .cells import CELL, EDITS, TEXT, WRITABLE, edited, workbook


def _read(parse, value):
    try:
        return True, parse(value)
    except CellError as error:
        assert str(error)
        return False, None


@given(value=CELL)
def test_a_code_is_normalised_or_refused(value):
    ok, code = _read(wbs._code, value)
    if ok:
        assert re.fullmatch(r"[1-9][0-9]*(\.[1-9][0-9]*)*", code), code
        assert code.count(".") < wbs.MAX_CODE_LEVELS
        assert wbs._code(code) == code


@given(value=CELL)
def test_hours_are_two_decimals_within_the_limit_or_refused(value):
    ok, hours = _read(wbs._hours, value)
    if ok:
        assert isinstance(hours, Decimal) and 0 <= hours <= wbs.MAX_HOURS
        assert hours == hours.quantize(Decimal("0.01"))


@given(value=CELL)
def test_progress_is_a_whole_percent_or_refused(value):
    ok, progress = _read(wbs._progress, value)
    if ok:
        assert progress is None or (type(progress) is int and 0 <= progress <= 100)


@given(value=CELL)
def test_a_date_is_a_date_or_refused(value):
    ok, day = _read(wbs._date, value)
    if ok:
        assert day is None or (type(day) is date and wbs.EARLIEST_DATE <= day <= wbs.LATEST_DATE)


def test_dates_outside_the_plan_years_are_refused():
    """Business days are counted year by year (~50 ms a year for its holidays): a task from year 1 to 9999
    would have made every schedule page compute for minutes. The API takes 2000-2100 only; so does this."""
    for value in ("0001-01-01", "9999-12-31", date(1999, 12, 31), "2101/01/01"):
        assert _read(wbs._date, value) == (False, None), value
    assert wbs._date("2100年12月31日") == date(2100, 12, 31)


@given(value=CELL)
def test_cell_text_is_clean_text_or_refused(value):
    ok, text = _read(cell_text, value)
    if ok:
        assert isinstance(text, str) and text == text.strip()
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def test_huge_hours_are_refused_on_their_cell():
    for value in ("1e100", "1E+30", 1e300, "99999999999999999999999999999999"):
        ok, _hours = _read(wbs._hours, value)
        assert not ok, value
    assert wbs._hours("9999999.994") == Decimal("9999999.99")


# --- Sheets ------------------------------------------------------------------------------------------------

TITLES = [title for column in wbs.COLUMNS for title in (column.ja, column.en, *column.aliases[:2])]
GOOD_CODES = st.sampled_from(["1", "1.1", "1.2", "2", "2.1", "2.1.1", "3", "1.3", "10"])
LABELS = [
    label for table in (wbs.STATUS_LABELS, wbs.VISIBILITY_LABELS) for labels in table.values()
    for label in labels.values()
]  # fmt: skip
HEADERS = st.lists(st.one_of(st.sampled_from(TITLES), TEXT), min_size=0, max_size=14).map(
    lambda titles: ["WBSコード", "タスク名", *titles]
)


# Values each column accepts, for sheets that should import (the roundtrip below needs some that do).
VALID = {
    "name": st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
        str.strip
    ),
    "planned_start": st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    "estimate_hours": st.decimals(min_value=0, max_value=10_000, places=2).map(float),
    "actual_hours": st.one_of(st.none(), st.integers(0, 500), st.sampled_from(["7.5", "7.5h", "１，２００"])),
    "progress": st.one_of(st.none(), st.integers(0, 100), st.sampled_from(["50%", "１００"])),
    "status": st.sampled_from([None, *wbs.STATUS_LABELS["ja"].values(), "Done"]),
    "visibility": st.sampled_from([None, "社内とお客様", "社内・お客様・協力会社"]),
}


@st.composite
def valid_sheets(draw) -> list[list]:
    keys = ["code", "name", *draw(st.lists(st.sampled_from(sorted(VALID)), unique=True))]
    keys = list(dict.fromkeys(keys))
    titles = {column.key: column.ja for column in wbs.COLUMNS}
    codes, children = [], {None: 0}
    for _ in range(draw(st.integers(1, 8))):
        parent = draw(st.sampled_from([None, *codes]))
        children[parent] = children.get(parent, 0) + 1
        codes.append(f"{parent}.{children[parent]}" if parent else str(children[parent]))
    rows = [[code, *(draw(VALID[key]) for key in keys[1:])] for code in codes]
    return [["案件コード", "OWN-1"], [], [titles[key] for key in keys], *rows]


@st.composite
def sheets(draw, cells=CELL) -> list[list]:
    if cells is WRITABLE and draw(st.integers(0, 2)) == 0:
        return draw(valid_sheets())
    header = draw(st.permutations(draw(HEADERS)))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = [draw(st.one_of(cells, st.sampled_from(LABELS))) for _ in header]
        for index, title in enumerate(header):
            if title in ("WBSコード", "WBS code") and draw(st.integers(0, 3)):
                row[index] = draw(st.one_of(GOOD_CODES, cells))
        rows.append(row)
    return [["案件コード", draw(st.sampled_from(["OWN-1", "OTHER-1"]))], [], header, *rows]


EMPTY = dict(tasks={}, summaries=set(), owners={}, users={}, milestones={}, requirements={}, links={})


@given(table=sheets(), language=st.sampled_from(["ja", "en"]))
def test_any_sheet_is_refused_with_located_errors_or_planned(table, language):
    report = wbs._Collector(wbs.SHEET)
    rows = [(number, tuple(values)) for number, values in enumerate(table, start=1) if values]
    sheet = wbs._locate(rows, language, report)
    if sheet is not None:
        plans, _narrowing = wbs.validate(sheet, wbs.WbsState(**EMPTY), language=language, report=report)
        if not report.errors:
            assert all(plan.fields["name"] for plan in plans)
    for issue in report.errors:
        assert issue.message and (issue.row or issue.column or sheet is None)


@examples(fast=3)
@given(value=st.sampled_from(["あ", "1.", "=", "\u202e", "1e100", "REQ-1, "]))
def test_a_large_sheet_is_validated_in_bounded_time(value):
    """10,000 new top-level tasks (the gap check walked every row's siblings: seconds) and rows whose cells
    are long runs of one value: validated in bounded time."""
    header = [column.ja for column in wbs.COLUMNS]
    long = value * (3_000 // len(value))
    rows = (
        [(3, tuple(header))]
        + [
            (4 + i, (f"{i + 1}", long, long, long, long, long, long, long, long, long, long, long))
            for i in range(10)
        ]
        + [(20 + i, (str(i + 11), "作業", None, None, None, "1e100")) for i in range(10_000)]
    )
    report = wbs._Collector(wbs.SHEET)

    def locate_and_validate():
        sheet = wbs._locate(rows, "ja", report)
        return wbs.validate(sheet, wbs.WbsState(**EMPTY), language="ja", report=report)

    within(SECONDS_PER_100_KB, locate_and_validate)
    assert report.errors


# --- Whole workbooks ---------------------------------------------------------------------------------------


@examples(fast=10)
@given(table=sheets(cells=WRITABLE))
def test_a_workbook_is_imported_all_or_nothing_and_its_export_imports_unchanged(cast, table):
    pm, project = cast.users["vendor_pm"], cast.own
    tasks, events = Task.objects.filter(project=project).count(), AuditEvent.objects.count()
    result = wbs.import_wbs(user=pm, project=project, file=workbook({wbs.SHEET: table}), language="ja")
    event("imported" if result.ok else "refused")
    if not result.ok:
        assert Task.objects.filter(project=project).count() == tasks
        assert AuditEvent.objects.count() == events
        assert all(issue.message for issue in result.errors)
        return
    again = wbs.import_wbs(user=pm, project=project, file=wbs.export_wbs(user=pm, project=project))
    assert again.ok, again.errors
    assert (again.created, again.updated) == (0, 0)


@examples(fast=10)
@given(edits=EDITS)
def test_an_edited_export_is_imported_all_or_nothing(cast, edits):
    from ..factories import TaskFactory

    pm, project = cast.users["vendor_pm"], cast.own
    if not Task.objects.filter(project=project).exists():
        parent = TaskFactory(project=project, name="設計")
        TaskFactory(project=project, parent=parent, name="画面設計")
    before = (list(Task.objects.filter(project=project).values()), AuditEvent.objects.count())
    file = edited(wbs.export_wbs(user=pm, project=project), edits)
    result = wbs.import_wbs(user=pm, project=project, file=file, language="ja")
    event("imported" if result.ok else "refused")
    if not result.ok:
        assert (list(Task.objects.filter(project=project).values()), AuditEvent.objects.count()) == before
