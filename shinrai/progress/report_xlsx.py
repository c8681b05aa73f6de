"""A weekly report as an Excel workbook: one sheet, a label column and a value column.

:func:`report_xlsx` is pure like :func:`shinrai.progress.report_pdf.report_pdf`: the report (with its
project, organizations, publisher and corrected version loaded) and a language in, .xlsx bytes out. The
fields are the ones the portal shows the customer; nothing vendor-internal is on the report.

Every cell is written with :func:`shinrai.core.xlsx.set_safe_value`, as in the other exports: text that Excel
could take for a formula (starting with = + - @, a tab or a carriage return) is stored as text with Excel's
quote prefix, and characters XML cannot carry are dropped.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import timedelta

import openpyxl
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from shinrai.core.xlsx import set_safe_value

from .models import WeeklyReport

__all__ = ["report_xlsx"]

LABEL_WIDTH = 24  # Excel column widths, in characters of the default font
VALUE_WIDTH = 90
LINE_HEIGHT = 15.0  # points per line of 11-point text
MAX_ROW_HEIGHT = 409.0  # Excel's limit

_TITLE_FONT = Font(bold=True, size=14)
_LABEL_FONT = Font(bold=True, color="5B6675")
_LABEL_FILL = PatternFill("solid", fgColor="F4F6F9")
#: Status: (symbol, text colour, background) as on the report pages.
RAG_STYLE = {
    WeeklyReport.Rag.GREEN: ("●", "15803D", "DCFCE7"),
    WeeklyReport.Rag.AMBER: ("▲", "B45309", "FEF3C7"),
    WeeklyReport.Rag.RED: ("■", "B91C1C", "FEE2E2"),
}
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _write(sheet, row: int, column: int, value):
    cell = set_safe_value(sheet.cell(row=row, column=column), value)
    cell.alignment = _WRAP
    cell.border = _BORDER
    return cell


def _display_width(line: str) -> int:
    """Width in Excel character units: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def _row_height(text: str) -> float:
    """A row height that shows ``text`` wrapped in the value column (Excel does not fit rows on opening)."""
    lines = sum(max(1, math.ceil(_display_width(line) / (VALUE_WIDTH - 2))) for line in text.split("\n"))
    return min(MAX_ROW_HEIGHT, max(1, lines) * LINE_HEIGHT + 3)


def _field_label(name: str) -> str:
    return capfirst(str(WeeklyReport._meta.get_field(name).verbose_name))


def _japanese() -> bool:
    return not (translation.get_language() or "ja").startswith("en")


def _with_code(project) -> str:
    return f"{project.name}（{project.code}）" if _japanese() else f"{project.name} ({project.code})"


def report_xlsx(report: WeeklyReport, *, language: str) -> bytes:
    """The report as .xlsx bytes, labelled in ``language``. No queries (see the module doc)."""
    with translation.override(language):
        return _build(report)


def _build(report: WeeklyReport) -> bytes:
    project = report.project
    draft = report.state == WeeklyReport.State.DRAFT
    title = _("Weekly report")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _SHEET_NAME_FORBIDDEN.sub("", title)[:31] or "Report"
    sheet.column_dimensions["A"].width = LABEL_WIDTH
    sheet.column_dimensions["B"].width = VALUE_WIDTH

    if _japanese():
        heading = f"{title}　{project.name}" + (f"　（{_('Draft')}）" if draft else "")
    else:
        heading = f"{title} — {project.name}" + (f" ({_('Draft')})" if draft else "")
    title_cell = set_safe_value(sheet.cell(row=1, column=1), heading)
    title_cell.font = _TITLE_FONT
    sheet.row_dimensions[1].height = 24

    week_end = report.week_start + timedelta(days=6)
    rows: list[tuple[str, object]] = [
        (_("Vendor"), project.vendor_org.name),
        (_("Customer"), project.customer_org.name),
        (_("Project"), _with_code(project)),
        (_("Week"), f"{report.week_start:%Y-%m-%d} – {week_end:%Y-%m-%d}"),
        (_("Version"), _("Draft") if draft else report.version),
    ]
    if not draft:
        # Excel has no time zones: Japan time, to the second.
        published = timezone.localtime(report.published_at).replace(tzinfo=None, microsecond=0)
        rows.append((_field_label("published_at"), published))
        if report.published_by is not None:
            rows.append((_field_label("published_by"), report.published_by.display_name))
    if report.is_correction:
        rows.append(
            (
                _("Correction"),
                _("Correction: version %(v)s corrects version %(old)s")
                % {"v": report.version, "old": report.corrects.version},
            )
        )
        rows.append((_field_label("correction_note"), report.correction_note))
    symbol, colour, background = RAG_STYLE[report.status]
    status_row = 3 + len(rows)
    rows += [
        (_("Status"), f"{symbol} {report.get_status_display()}"),
        (_field_label("status_reason"), report.status_reason),
        (pgettext("weekly report", "Done"), report.done),
        (pgettext("weekly report", "Problem"), report.problem),
        (pgettext("weekly report", "Next Action"), report.next_action),
        (_field_label("schedule_outlook"), report.schedule_outlook),
        (_field_label("cost_outlook"), report.cost_outlook),
    ]

    for index, (label, value) in enumerate(rows, start=3):
        label_cell = _write(sheet, index, 1, label)
        label_cell.font = _LABEL_FONT
        label_cell.fill = _LABEL_FILL
        cell = _write(sheet, index, 2, value)
        if hasattr(value, "hour"):
            cell.number_format = "yyyy-mm-dd hh:mm"
            cell.alignment = Alignment(horizontal="left", vertical="top")
        if isinstance(value, str):
            sheet.row_dimensions[index].height = _row_height(value)
    status = sheet.cell(row=status_row, column=2)
    status.font = Font(bold=True, color=colour)
    status.fill = PatternFill("solid", fgColor=background)

    sheet.freeze_panes = "A3"
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    workbook.properties.title = f"{title} {project.code} {report.week_start:%Y-%m-%d}"
    workbook.properties.creator = "Shinrai"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
