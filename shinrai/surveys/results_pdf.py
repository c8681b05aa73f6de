"""Survey results as an A4 PDF (fpdf2, the packaged IPAexGothic embedded, never a system font).

Pure: a :class:`~shinrai.surveys.results_selectors.Results` in, PDF bytes out, no queries. The document is
built with the weekly report's page set-up (:mod:`shinrai.progress.report_pdf`: fonts, headings, facts,
pictures, "n / total" footers). Contents: title, scope, periods, summary, categories A–D, the trend table and
the trend chart (the same matplotlib figure as the page, as PNG), the method of the change test, comments.
What the anonymity rule withholds on the page is withheld here too (the selector never returns it).
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from shinrai.progress import report_pdf
from shinrai.progress.report_pdf import BRAND, CONTENT_WIDTH, FONT, INK, LINE, MUTED

from . import results_charts
from . import results_selectors as selectors
from .results_selectors import MEASURES, Results

__all__ = ["results_pdf"]

CHART_DPI = 150


def results_pdf(results: Results, *, language: str) -> bytes:
    """The results as PDF bytes, labelled in ``language`` ("ja" or "en")."""
    with translation.override(language):
        return _build(results, language)


def method_sentence() -> str:
    return _(
        "A change is called real when a permutation test on the answers of the two periods gives p < 0.05 "
        "(exact when there are at most 10,000 ways to re-label the answers, otherwise 9,999 random "
        "re-labellings with a fixed seed); with fewer than 3 answers on either side we cannot tell."
    )


def nps_formula() -> str:
    return _("NPS = % promoters (9–10) − % detractors (0–6), among those who answered the 0–10 question.")


def anonymity_sentence() -> str:
    return _(
        "Answers of anonymous surveys are shown only in groups of at least 3: a round with fewer answers is "
        "not shown (not shown: fewer than 3 answers) and left out of every figure."
    )


def _summary_rows(results: Results) -> list[tuple[str, str]]:
    s = results.summary
    rate = f"{s.rate_percent}%" if s.rate_percent is not None else "—"
    nps = s.nps
    rows = [
        (
            _("Answers"),
            _("%(n)s of %(invited)s invited (response rate %(rate)s)")
            % {"n": s.received, "invited": s.invited, "rate": rate},
        ),
        (_("Overall"), selectors.format_value("overall", s.means["overall"])),
        (_("Logical (the result)"), selectors.format_value("logical", s.means["logical"])),
        (_("Emotional (how it felt)"), selectors.format_value("emotional", s.means["emotional"])),
        (
            _("NPS"),
            _("%(score)s (promoters %(p)s, passives %(pa)s, detractors %(d)s)")
            % {
                "score": selectors.format_value("nps", nps.score),
                "p": nps.promoters,
                "pa": nps.passives,
                "d": nps.detractors,
            },
        ),
    ]
    if s.excluded:
        rows.append(
            (
                _("Not shown"),
                _("%(n)s anonymous answers (rounds with fewer than 3 answers)") % {"n": s.excluded},
            )
        )
    return rows


def _table(pdf, widths, header, rows, *, size=8.5) -> None:
    """A table; a row given as (text, n) in place of its values is one cell spanning ``n`` columns after the
    first two (a period not shown)."""
    texts = "".join(str(c) for row in [header, *rows] for c in row)
    pdf.set_font(FONT, size=size)
    pdf.set_draw_color(*LINE)
    pdf.set_line_width(0.2)
    with pdf.table(
        col_widths=widths,
        width=CONTENT_WIDTH,
        first_row_as_headings=True,
        headings_style=FontFace(color=MUTED, size_pt=size),
        borders_layout="HORIZONTAL_LINES",
        line_height=size * 0.5,
        padding=(1, 1, 1, 0.5),
        text_align="LEFT",
        wrapmode=report_pdf.wrap_mode(texts),
        v_align="TOP",
    ) as table:
        for values in [header, *rows]:
            row = table.row()
            for value in values:
                if isinstance(value, tuple):
                    text, span = value
                    row.cell(report_pdf.printable(text), colspan=span, style=FontFace(color=MUTED))
                else:
                    row.cell(report_pdf.printable(str(value)) or "—")


def _build(results: Results, language: str) -> bytes:
    title = _("Satisfaction survey results")
    texts = [results.title, *(p.label for p in results.periods), *(q.text for q in results.questions)]
    texts += [c.text for c in results.comments] + [c.name or "" for c in results.comments]
    generated = timezone.localtime(results.as_of).strftime("%Y-%m-%d %H:%M")
    pdf = report_pdf.ReportDocument(
        fallback=report_pdf.needs_fallback(texts),
        footer_note=f"{title}  {results.title}  {generated}",
        draft_label=None,
    )
    pdf.set_title(f"{title} {results.title}")
    pdf.set_creator("Shinrai")
    pdf.set_lang(language)
    pdf.add_page()
    pdf.set_font(FONT, size=20)
    pdf.set_text_color(*BRAND)
    pdf.cell(CONTENT_WIDTH, 11, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.paragraph(results.title, size=14, line=7.5)
    pdf.ln(2)
    pdf.facts(
        [
            (_("Scope"), selectors.scope_label(results)),
            (_("Periods"), selectors.periods_label(results)),
            (_("As of"), generated),
        ]
    )

    pdf.heading(_("Summary"))
    pdf.facts(_summary_rows(results))
    pdf.paragraph(nps_formula(), size=8.5, color=MUTED)
    if results.summary.excluded:
        pdf.paragraph(anonymity_sentence(), size=8.5, color=MUTED)

    pdf.heading(_("Categories"))
    _table(
        pdf,
        (120, 60),
        [_("Category"), _("Mean (1–5)")],
        [
            [selectors.measure_label(m), selectors.format_value(m, results.summary.means[m])]
            for m, _category in selectors.CATEGORY_MEASURES
        ],
        size=9.5,
    )

    if results.questions:
        pdf.heading(_("Questions"))
        _table(
            pdf,
            (14, 116, 20, 30),
            [_("Code"), _("Question"), _("Answers"), _("Mean")],
            [
                [
                    q.code,
                    q.text,
                    q.answers,
                    _("not shown: fewer than 3 answers")
                    if q.withheld
                    else selectors.format_value("q", q.mean),
                ]
                for q in results.questions
            ],
        )

    pdf.keep(80)  # the heading, the method and the first rows of the table together
    pdf.heading(_("Over time"))
    pdf.paragraph(method_sentence(), size=8.5, color=MUTED)
    pdf.ln(1)
    header = [_("Period"), _("Answers")] + [selectors.measure_short_label(m) for m in MEASURES]
    rows = []
    for period in results.periods:
        f = period.figures
        answers = f"{f.received}/{f.invited}"
        if f.withheld:
            rows.append([period.label, answers, (_("not shown: fewer than 3 answers"), len(MEASURES))])
            continue
        cells = []
        for cell in selectors.trend_cells(period):
            text = cell.value
            if cell.delta:
                text += f"\n{cell.arrow}{cell.delta}\n{cell.verdict_label}"
            cells.append(text)
        rows.append([period.label, answers, *cells])
    if rows:
        _table(pdf, (26, 14, *([140 / len(MEASURES)] * len(MEASURES))), header, rows, size=7)
        pdf.paragraph(
            " / ".join(selectors.measure_label(m) for m, _category in selectors.CATEGORY_MEASURES),
            size=7.5,
            color=MUTED,
        )
        chart = results_charts.trend(selectors.trend_points(results), language=language)
        pdf.ln(3)
        pdf.chart(
            _("Trend"),
            _("Means on the 1–5 scale above, NPS below; gaps are periods not shown."),
            chart.png(CHART_DPI),
        )
    else:
        pdf.paragraph(_("No survey has been sent yet."))

    pdf.heading(_("Comments"))
    if not results.comments:
        pdf.paragraph(_("No comments."))
    for comment in results.comments:
        who = comment.name if comment.name is not None else _("Anonymous")
        when = f"  {comment.day:%Y-%m-%d}" if comment.day else ""
        pdf.keep(14)
        pdf.paragraph(f"{comment.period_label} · {who}{when}", size=8.5, color=MUTED)
        pdf.paragraph(comment.text, size=10, color=INK)
        pdf.ln(1.5)
    if results.comments_more:
        pdf.paragraph(
            _("%(shown)s of %(total)s comments shown.")
            % {"shown": len(results.comments), "total": results.comments_total},
            size=8.5,
            color=MUTED,
        )
    return bytes(pdf.output())
