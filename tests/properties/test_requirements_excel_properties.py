"""Properties of the requirements Excel import (shinrai.requirements.excel) on any cells and sheets.

- Requirement ids in any form (REQ-12, ｒｅｑ－０１２, NEW-1 …) normalise to one spelling, idempotently.
- Both sheets of any rows under any titles are located and validated without raising; every problem names
  a sheet (and a row or column where there is one).
- A whole workbook, generated or an export edited anywhere, is imported all or nothing: with errors nothing
  is written; an export imported as it is changes nothing.
"""

from __future__ import annotations

from hypothesis import event, given
from hypothesis import strategies as st

from shinrai.core.models import AuditEvent
from shinrai.requirements import excel
from shinrai.requirements.models import Requirement

from .bounds import examples
from .cells import CELL, EDITS, TEXT, WRITABLE, edited, workbook

MAIN_TITLES = [title for column in excel.MAIN_COLUMNS for title in (column.ja, column.en)]
CRITERIA_TITLES = [title for column in excel.CRITERIA_COLUMNS for title in (column.ja, column.en)]
REFS = st.one_of(st.sampled_from(["REQ-001", "REQ-1", "NEW-1", "NEW-2", "新規", ""]), TEXT)


@given(value=TEXT)
def test_a_requirement_id_normalises_idempotently(value):
    normal = excel._normal_ref(value)
    assert excel._normal_ref(normal) == normal
    if excel._REF.match(normal):
        assert normal.startswith("REQ-") and normal[4:].isdigit()


@st.composite
def sheet(draw, titles: list[str], first: list[str], cells) -> list[list]:
    header = draw(
        st.permutations([*first, *draw(st.lists(st.one_of(st.sampled_from(titles), TEXT), max_size=8))])
    )
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        row = [draw(cells) for _ in header]
        for index, title in enumerate(header):
            if title in ("要件ID", "ID") and draw(st.booleans()):
                row[index] = draw(REFS)
        rows.append(row)
    return [["案件コード", draw(st.sampled_from(["OWN-1", "X"]))], [], header, *rows]


def _main(cells=CELL):
    return sheet(MAIN_TITLES, [excel.MAIN_COLUMNS[0].ja, excel.MAIN_COLUMNS[1].ja], cells)


def _criteria(cells=CELL):
    return sheet(CRITERIA_TITLES, [excel.CRITERIA_COLUMNS[0].ja, excel.CRITERIA_COLUMNS[1].ja], cells)


@given(main=_main(), criteria=_criteria())
def test_any_sheets_are_refused_with_located_errors_or_planned(main, criteria):
    report = excel._Collector()
    located = {}
    for name, columns, table in (
        (excel.MAIN_SHEET, excel.MAIN_COLUMNS, main),
        (excel.CRITERIA_SHEET, excel.CRITERIA_COLUMNS, criteria),
    ):
        rows = [(number, tuple(values)) for number, values in enumerate(table, start=1) if values]
        located[name] = excel._locate(name, rows, columns, report)
    if all(located.values()):
        plans = excel._validate_main(
            located[excel.MAIN_SHEET], existing={}, goals={}, stakeholders={}, report=report
        )
        excel._validate_criteria(
            located[excel.CRITERIA_SHEET],
            planned={p.key: p for p in plans if p.key},
            existing={},
            report=report,
        )
    for issue in report.errors:
        assert issue.sheet in (excel.MAIN_SHEET, excel.CRITERIA_SHEET) and issue.message


@examples(fast=10)
@given(main=_main(WRITABLE), criteria=_criteria(WRITABLE))
def test_a_workbook_is_imported_all_or_nothing(cast, main, criteria):
    pm, project = cast.users["vendor_pm"], cast.own
    before = (Requirement.objects.filter(project=project).count(), AuditEvent.objects.count())
    file = workbook({excel.MAIN_SHEET: main, excel.CRITERIA_SHEET: criteria})
    result = excel.import_requirements(user=pm, project=project, file=file)
    event("imported" if result.ok else "refused")
    if not result.ok:
        assert (Requirement.objects.filter(project=project).count(), AuditEvent.objects.count()) == before
        assert all(issue.message for issue in result.errors)


def _requirements(cast):
    from shinrai.requirements import services

    if not Requirement.objects.filter(project=cast.own).exists():
        criteria = [
            {"metric": "応答時間", "operator": "lte", "threshold": "2", "unit": "秒", "method": "負荷試験"}
        ]
        services.requirement_create(
            by=cast.users["vendor_pm"],
            project=cast.own,
            text="一覧を2秒以内に表示すること",
            criteria=criteria,
        )
        services.requirement_create(by=cast.users["vendor_pm"], project=cast.own, text="CSVで出力できること")


@examples(fast=10)
@given(edits=st.one_of(st.just([]), EDITS))
def test_an_edited_export_is_imported_all_or_nothing(cast, edits):
    _requirements(cast)
    pm, project = cast.users["vendor_pm"], cast.own
    before = (Requirement.objects.filter(project=project).count(), AuditEvent.objects.count())
    file = edited(excel.export_requirements(user=pm, project=project), edits) if edits else None
    result = excel.import_requirements(
        user=pm, project=project, file=file or excel.export_requirements(user=pm, project=project)
    )
    event("imported" if result.ok else "refused")
    if not edits:
        assert result.ok and (result.created, result.updated) == (0, 0), result
    elif not result.ok:
        assert (Requirement.objects.filter(project=project).count(), AuditEvent.objects.count()) == before
