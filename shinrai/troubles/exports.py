"""The trouble register as .xlsx (the 課題管理表 layout Japanese teams keep in Excel) and as CSV.

Pure functions: troubles (with owner, decision__option, root_cause and preventions loaded) in, bytes out.
Every .xlsx cell goes through :func:`shinrai.core.xlsx.set_safe_value`; every CSV text cell that a spreadsheet
could take for a formula (= + - @, tab, carriage return) gets a leading apostrophe. CSV is UTF-8 with a BOM so
that Excel opens it as UTF-8. Internal notes are never exported.
"""

from __future__ import annotations

import csv
import io

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill

from shinrai.core.xlsx import FORMULA_PREFIXES, safe_text, set_safe_value


def _columns() -> list[str]:
    return [
        _("No."),
        _("Kind"),
        _("Title"),
        _("Facts"),
        _("Severity"),
        _("Probability"),
        _("Status"),
        _("Detected at"),
        _("Disclosed at"),
        _("Time to disclose (hours)"),
        _("Impact on quality"),
        _("Cost impact (JPY)"),
        _("Schedule impact (business days)"),
        _("Owner"),
        _("Decision"),
        _("Decided at"),
        _("Root cause"),
        _("Prevention measures"),
        _("Found by"),
    ]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _rows(troubles) -> list[list]:
    rows = []
    for t in troubles:
        decision = t.decision if hasattr(t, "decision") else None
        root = t.root_cause if hasattr(t, "root_cause") else None
        rows.append(
            [
                t.ref,
                str(t.get_kind_display()),
                t.title,
                t.facts,
                str(t.get_severity_display()),
                str(t.get_probability_display()) if t.probability else "",
                str(t.get_status_display()),
                _when(t.detected_at),
                _when(t.disclosed_at),
                t.hours_to_disclose,
                t.quality_impact,
                None if t.cost_impact is None else int(t.cost_impact),
                t.schedule_impact_days,
                t.owner.display_name if t.owner else "",
                f"{decision.option.label}. {decision.option.description}" if decision else "",
                _when(decision.at) if decision else "",
                root.summary if root else "",
                "\n".join(p.measure for p in t.preventions.all()),
                str(t.get_found_by_display()),
            ]
        )
    return rows


def register_xlsx(troubles, *, project) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Trouble register")[:31]
    set_safe_value(sheet.cell(row=1, column=1), f"{_('Trouble register')} — {project.name} ({project.code})")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    header_fill = PatternFill("solid", fgColor="F4F6F9")
    for column, title in enumerate(_columns(), start=1):
        cell = set_safe_value(sheet.cell(row=3, column=column), title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(_rows(troubles), start=4):
        for column, value in enumerate(values, start=1):
            set_safe_value(sheet.cell(row=r, column=column), value).alignment = wrap
    for letter, width in zip(
        "ABCDEFGHIJKLMNOPQRS",
        (8, 8, 30, 40, 8, 8, 12, 16, 16, 10, 30, 14, 10, 14, 30, 16, 30, 30, 18),
        strict=True,
    ):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "D4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_cell(value) -> str:
    """One CSV cell: numbers as they are, text that looks like a formula behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = safe_text(value)
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    return str(value)


def register_csv(troubles) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in _columns()])
    for values in _rows(troubles):
        writer.writerow([csv_cell(v) for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
