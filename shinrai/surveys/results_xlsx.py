"""Survey results as .xlsx: sheets Summary, Questions, Trend and Comments (openpyxl).

Pure: a :class:`~shinrai.surveys.results_selectors.Results` in, bytes out. Every cell is written with
:func:`shinrai.core.xlsx.set_safe_value`, so a comment such as ``=HYPERLINK(...)`` stays text and is never run
as a formula. What the anonymity rule withholds is not in the selector's answer, so it is not here either.
"""

from __future__ import annotations

import io

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from shinrai.core.xlsx import set_safe_value

from . import results_selectors as selectors
from .results_pdf import method_sentence, nps_formula
from .results_selectors import MEASURES, Results

__all__ = ["SHEETS", "results_xlsx"]

SHEETS = ("Summary", "Questions", "Trend", "Comments")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _write(sheet, row: int, values, *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = set_safe_value(sheet.cell(row=row, column=column), value)
        cell.alignment = _WRAP
        if bold:
            cell.font = _BOLD


def results_xlsx(results: Results) -> bytes:
    book = openpyxl.Workbook()
    summary, questions, trend, comments = (
        book.active,
        book.create_sheet(),
        book.create_sheet(),
        book.create_sheet(),
    )
    for sheet, name in zip((summary, questions, trend, comments), SHEETS, strict=True):
        sheet.title = name  # fixed English names: formulas and macros that read the file can rely on them

    s = results.summary
    _write(summary, 1, [_("Satisfaction survey results")], bold=True)
    rows = [
        (_("Scope"), selectors.scope_label(results)),
        (_("Periods"), selectors.periods_label(results)),
        (_("As of"), timezone.localtime(results.as_of).strftime("%Y-%m-%d %H:%M")),
        (_("Answers"), s.received),
        (_("Invited"), s.invited),
        (_("Response rate (%)"), s.rate_percent),
        *((selectors.measure_label(m), s.means[m]) for m in selectors.MEANS),
        (_("NPS"), s.nps.score),
        (_("Promoters (9–10)"), s.nps.promoters),
        (_("Passives (7–8)"), s.nps.passives),
        (_("Detractors (0–6)"), s.nps.detractors),
        (_("Anonymous answers not shown (rounds with fewer than 3)"), s.excluded),
        (_("NPS formula"), nps_formula()),
        (_("Change test"), method_sentence()),
    ]
    for number, (label, value) in enumerate(rows, start=3):
        _write(summary, number, [label, value])
        summary.cell(row=number, column=1).font = _BOLD
    summary.column_dimensions["A"].width = 36
    summary.column_dimensions["B"].width = 70

    _write(
        questions,
        1,
        [
            _("Code"),
            _("Category"),
            _("Logical or emotional"),
            _("Question"),
            _("Answers"),
            _("Mean"),
            _("Note"),
        ],
        bold=True,
    )
    for number, q in enumerate(results.questions, start=2):
        _write(
            questions,
            number,
            [
                q.code,
                q.category,
                q.facet,
                q.text,
                q.answers,
                q.mean,
                _("not shown: fewer than 3 answers") if q.withheld else "",
            ],
        )
    for letter, width in zip("ABCDEFG", (8, 10, 12, 50, 10, 10, 30), strict=True):
        questions.column_dimensions[letter].width = width

    header = [_("Period"), _("Starts"), _("Answers"), _("Invited"), _("Response rate (%)"), _("Note")]
    for measure in MEASURES:
        label = selectors.measure_label(measure)
        change, verdict = _("change"), _("verdict")  # outside the f-strings: makemessages misses them there
        header += [label, f"{label}: {change}", f"{label}: p", f"{label}: {verdict}"]
    _write(trend, 1, header, bold=True)
    for number, period in enumerate(results.periods, start=2):
        f = period.figures
        note = _("not shown: fewer than 3 answers") if f.withheld else ""
        values = [period.label, period.starts, f.received, f.invited, f.rate_percent, note]
        for measure in MEASURES:
            change = period.changes.get(measure)
            if f.withheld:
                values += [None, None, None, ""]
            else:
                values += [
                    f.value(measure),
                    None if change is None else change.delta,
                    None if change is None or change.p is None else round(change.p, 4),
                    "" if change is None else selectors.verdict_label(change.verdict),
                ]
        _write(trend, number, values)
        trend.cell(row=number, column=2).number_format = "yyyy-mm-dd"
    trend.column_dimensions["A"].width = 30
    trend.freeze_panes = "B2"

    _write(comments, 1, [_("Period"), _("Question"), _("Name"), _("Date"), _("Comment")], bold=True)
    for number, comment in enumerate(results.comments, start=2):
        _write(
            comments,
            number,
            [
                comment.period_label,
                comment.question_code,
                _("Anonymous") if comment.name is None else comment.name,
                comment.day,
                comment.text,
            ],
        )
        comments.cell(row=number, column=4).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDE", (30, 10, 20, 12, 80), strict=True):
        comments.column_dimensions[letter].width = width

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
