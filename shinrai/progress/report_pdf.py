"""A weekly report as a PDF: A4 portrait, drawn with fpdf2, Japanese set in the bundled IPAexGothic.

:func:`report_pdf` is pure: a report (with its project, organizations, publisher and corrected version
loaded), the chart pictures and a language in, PDF bytes out; no queries. :func:`customer_chart_images`
reads the pictures: the customer's Gantt and burndown, drawn by :mod:`shinrai.progress.charts` as PNG from
the same data and with the same renderer as the portal's SVGs, and cached like them.

Layout: the title block (vendor, customer, project, week, version and publication; the correction note
for a correction), the status in words and colour with its reason, the fixed form (Done / Problem / Next
Action), the outlook, then the charts on their own page. Text wraps (character by character when it holds
Japanese, at spaces otherwise) and flows onto further pages; every page has "n / total" in its footer. A
draft says so on every page, in the header and as a watermark.

Fonts: IPAexGothic from the matplotlib-fontja wheel (the file :mod:`~shinrai.progress.charts` draws with)
is embedded as a subset, so the PDF reads the same on a machine without Japanese fonts; DejaVu Sans from
matplotlib covers the few symbols it lacks (embedded only when the text needs it). Characters neither
has become "□" (as in the charts).

The charts are drawn on the day the PDF is made, "as of" that day in their headings (the Gantt is the current
plan: tasks keep no past versions); the text is the report as it was published. A long Gantt is cut into
page-high strips between two of its rows.

Background work: at well under a second (``bench/report_pdf_bench.py``) the PDF is made in the request.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy
import PIL.Image
from django.core.cache import caches
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from shinrai.core.models import Project, User

from . import chart_data, charts
from .models import WeeklyReport

__all__ = ["ChartImages", "customer_chart_images", "report_pdf"]

# A4 portrait, in millimetres.
PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
MARGIN = 15.0
BOTTOM = 18.0  # the footer sits in the bottom margin
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LABEL_WIDTH = 36.0
FULL_PAGE = PAGE_HEIGHT - MARGIN - BOTTOM - 2  # the height a picture may take on a page of its own
SHRINK_TO_FIT = 1.3  # a picture up to this much taller than the space left is made smaller, not cut
CUT_SEARCH_PIXELS = 80  # where to cut a long picture: the lightest pixel row among the last ones that fit

FONT = "ipaexgothic"
FALLBACK_FONT = "dejavusans"

# Colours as (r, g, b): the page's palette (static/shinrai/app.css).
INK = (27, 36, 48)
MUTED = (91, 102, 117)
LINE = (216, 222, 230)
BRAND = (29, 78, 137)
#: Status: (symbol, text colour, background) as on the report pages (the symbol also tells it apart in grey).
RAG_STYLE = {
    WeeklyReport.Rag.GREEN: ("●", (21, 128, 61), (220, 252, 231)),
    WeeklyReport.Rag.AMBER: ("▲", (180, 83, 9), (254, 243, 199)),
    WeeklyReport.Rag.RED: ("■", (185, 28, 28), (254, 226, 226)),
}
DRAFT_COLOUR = (185, 28, 28)
WATERMARK_COLOUR = (248, 215, 215)

# The PNGs are drawn 10 inches wide at this resolution: about 210 dpi once scaled to the page.
CHART_DPI = 150
# The Gantt in the PDF: the whole plan by month (as the portal's schedule page opens).
PDF_ZOOM = "month"

# fontTools' subsetter logs every font table it touches at INFO: several hundred lines per PDF.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

TEXT_FIELDS = (
    "status_reason",
    "done",
    "problem",
    "next_action",
    "schedule_outlook",
    "cost_outlook",
    "correction_note",
)
_CJK = re.compile(r"[\u2e80-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class ChartImages:
    """The customer's charts as PNG bytes, drawn on ``as_of``."""

    gantt_png: bytes
    burndown_png: bytes
    as_of: date
    #: The burndown's points before this date are estimated (no progress recorded yet); None: none are.
    estimated_before: date | None = None


def customer_chart_images(
    *, user: User, project: Project, language: str, today: date | None = None
) -> ChartImages:
    """The Gantt (by month) and the burndown (percent) the customer sees, as PNG; cached like the SVGs.

    Always the ``customer`` audience, whoever asks: the PDF is the customer's document, so a vendor's copy
    shows no vendor-only task or milestone and no hours. The caller has checked access to ``project``.
    """
    project_charts = chart_data.ProjectCharts(
        user=user,
        project=project,
        audience=chart_data.Audience.CUSTOMER,
        today=today,
        language=language,
    )
    key = project_charts.key("report-pdf", PDF_ZOOM)
    images = caches["charts"].get(key)
    if images is None:
        day = project_charts.today
        gantt = chart_data.render_gantt(
            project_charts.gantt_lines(), today=day, zoom=PDF_ZOOM, language=project_charts.language
        )
        series = project_charts.burndown_series()  # percent of the work: no hours
        burndown = project_charts.burndown_chart(series)
        estimated = series.estimated_before if series.estimated_points else None
        images = ChartImages(gantt.png(CHART_DPI), burndown.png(CHART_DPI), day, estimated)
        caches["charts"].set(key, images, chart_data.CACHE_SECONDS)
    return images


# --- Text --------------------------------------------------------------------------------------------------


def printable(text: str) -> str:
    """``text`` with its line breaks, each line drawable by the embedded fonts (others become "□")."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(charts.displayable(line) for line in lines)


def needs_fallback(texts) -> bool:
    """Whether any of ``texts`` has a character IPAexGothic lacks (DejaVu Sans then draws it)."""
    covered = charts._charmap(charts.FONT_PATH)
    return any(ord(char) not in covered for text in texts for char in printable(text))


def wrap_mode(text: str) -> WrapMode:
    # Japanese has no spaces between words: break anywhere. Latin text breaks at spaces.
    return WrapMode.CHAR if _CJK.search(text) else WrapMode.WORD


def _day(value: date) -> str:
    return value.strftime("%Y-%m-%d")


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _field_label(name: str) -> str:
    return capfirst(str(WeeklyReport._meta.get_field(name).verbose_name))


# --- The document ------------------------------------------------------------------------------------------


class ReportDocument(FPDF):
    def __init__(self, *, footer_note: str, draft_label: str | None, fallback: bool) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_note = printable(footer_note)
        self.draft_label = draft_label
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=BOTTOM)
        self.add_font(FONT, fname=str(charts.FONT_PATH))
        if fallback:  # loading and subsetting a font costs time: only when the text needs it
            self.add_font(FALLBACK_FONT, fname=str(charts.FALLBACK_FONT_PATH))
            self.set_fallback_fonts([FALLBACK_FONT], exact_match=False)
        self.set_font(FONT, size=10.5)
        self.c_margin = 0  # text starts exactly at the margin

    def header(self) -> None:
        if not self.draft_label:
            return
        # A faint diagonal watermark under the page's content, and a red label at the top right.
        with self.local_context(text_color=WATERMARK_COLOUR, font_family=FONT, font_size_pt=96):
            width = self.get_string_width(self.draft_label)
            with self.rotation(35, x=PAGE_WIDTH / 2, y=PAGE_HEIGHT / 2):
                self.text(PAGE_WIDTH / 2 - width / 2, PAGE_HEIGHT / 2 + 12, self.draft_label)
        with self.local_context(text_color=DRAFT_COLOUR, font_family=FONT, font_size_pt=9):
            self.set_xy(MARGIN, 6)
            self.cell(CONTENT_WIDTH, 5, self.draft_label, align=Align.R)
        self.set_xy(MARGIN, MARGIN)

    def footer(self) -> None:
        self.set_y(-12)
        with self.local_context(text_color=MUTED, font_family=FONT, font_size_pt=8):
            self.cell(CONTENT_WIDTH / 2, 5, self.footer_note, align=Align.L)
            self.cell(CONTENT_WIDTH / 2, 5, f"{self.page_no()} / {{nb}}", align=Align.R)

    # Building blocks -------------------------------------------------------------------------------------

    @property
    def space_left(self) -> float:
        return self.page_break_trigger - self.get_y()

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one (headings stay with their text)."""
        if self.space_left < height:
            self.add_page()

    def paragraph(self, text: str, *, size: float = 10.5, color=INK, line: float | None = None) -> None:
        text = printable(text).strip("\n") or "—"
        self.set_font(FONT, size=size)
        self.set_text_color(*color)
        self.multi_cell(
            CONTENT_WIDTH,
            line or size * 0.55,
            text,
            align=Align.L,
            wrapmode=wrap_mode(text),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def heading(self, text: str, *, size: float = 13) -> None:
        self.keep(size * 0.6 + 18)  # the heading and a few lines of what follows
        self.ln(4)
        self.set_font(FONT, size=size)
        self.set_text_color(*BRAND)
        self.cell(CONTENT_WIDTH, size * 0.6, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*LINE)
        self.set_line_width(0.3)
        self.line(MARGIN, self.get_y() + 0.8, PAGE_WIDTH - MARGIN, self.get_y() + 0.8)
        self.ln(2.5)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        """Label / value lines; values wrap in their column."""
        self.set_font(FONT, size=10)
        self.set_draw_color(*LINE)
        self.set_line_width(0.3)
        values = "".join(value for _label, value in rows)
        with self.table(
            col_widths=(LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH),
            width=CONTENT_WIDTH,
            first_row_as_headings=False,
            borders_layout="HORIZONTAL_LINES",
            line_height=5.6,
            padding=(1.2, 1.5, 1.2, 0),
            text_align="LEFT",
            wrapmode=wrap_mode(values),
            v_align="TOP",
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(printable(label), style=FontFace(color=MUTED, size_pt=9.5))
                row.cell(printable(value) or "—", style=FontFace(color=INK, size_pt=10.5))

    def status(self, report: WeeklyReport) -> None:
        symbol, colour, background = RAG_STYLE[report.status]
        label = f"{symbol} {report.get_status_display()}"
        self.set_font(FONT, size=13)
        width = self.get_string_width(label) + 8
        self.set_fill_color(*background)
        self.set_text_color(*colour)
        self.set_x(MARGIN)
        self.cell(width, 9, label, align=Align.C, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        if report.status_reason.strip():
            self.paragraph(report.status_reason)

    def notice(self, title: str, text: str) -> None:
        """A boxed note (the correction): a bar on the left, the title, then the text."""
        self.keep(24)
        top, page = self.get_y(), self.page_no()
        self.set_x(MARGIN + 4)
        self.set_font(FONT, size=11)
        self.set_text_color(*RAG_STYLE[WeeklyReport.Rag.AMBER][1])
        self.multi_cell(
            CONTENT_WIDTH - 4,
            6,
            printable(title),
            wrapmode=wrap_mode(title),
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_x(MARGIN + 4)
        self.set_font(FONT, size=10)
        self.set_text_color(*INK)
        body = printable(text).strip("\n") or "—"
        self.multi_cell(
            CONTENT_WIDTH - 4,
            5.6,
            body,
            wrapmode=wrap_mode(body),
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        if self.page_no() == page:  # the bar, when the note stayed on one page
            self.set_fill_color(*RAG_STYLE[WeeklyReport.Rag.AMBER][1])
            self.rect(MARGIN, top, 1.2, self.get_y() - top, style="F")
        self.ln(2)

    def chart(self, heading: str, help_text: str, png: bytes) -> None:
        """A heading, a line of help and the chart, kept on one page when the chart fits on one."""
        image = PIL.Image.open(io.BytesIO(png))
        height = image.height * CONTENT_WIDTH / image.width
        self.keep(min(height, FULL_PAGE - 30) + 30)
        self.heading(heading)
        self.paragraph(help_text, size=8.5, color=MUTED)
        self.ln(1.5)
        self.picture(image, title=heading)

    def picture(self, image: PIL.Image.Image, *, title: str) -> None:
        """A picture across the text width. One a little too tall for the page is made smaller to fit; a
        taller one (a long Gantt) is cut into page-high strips, each cut between two of its rows."""
        height = image.height * CONTENT_WIDTH / image.width
        if self.space_left < height <= FULL_PAGE:
            self.add_page()
        if height <= self.space_left:
            self.image(image, x=MARGIN, w=CONTENT_WIDTH, alt_text=title)
            self.set_y(self.get_y() + 1)
            return
        if height <= self.space_left * SHRINK_TO_FIT:
            width = CONTENT_WIDTH * (self.space_left - 0.5) / height  # a hair less: no page break
            self.image(image, x=MARGIN + (CONTENT_WIDTH - width) / 2, w=width, alt_text=title)
            return
        pixels_per_mm = image.width / CONTENT_WIDTH
        # Ink per pixel row: the lightest row near the end of a page is the gap between two Gantt rows.
        ink = (numpy.asarray(image.convert("L")) < 160).sum(axis=1)
        top = 0
        while top < image.height:
            if self.space_left < 30:
                self.add_page()
            limit = top + int(self.space_left * pixels_per_mm)
            if limit >= image.height:
                cut = image.height
            else:
                window = ink[max(top + 1, limit - CUT_SEARCH_PIXELS) : limit]
                cut = limit - int(numpy.argmin(window[::-1]))  # the lowest of the lightest rows
            strip = image.crop((0, top, image.width, cut))
            self.image(strip, x=MARGIN, w=CONTENT_WIDTH, alt_text=title)
            top = cut


def report_pdf(report: WeeklyReport, *, images: ChartImages | None, language: str) -> bytes:
    """The report as A4 PDF bytes, labelled in ``language`` ("ja" or "en"). No queries: the caller loads
    ``report.project`` with its vendor and customer organizations, ``published_by`` and ``corrects``."""
    with translation.override(language):
        return _build(report, images)


def _build(report: WeeklyReport, images: ChartImages | None) -> bytes:
    project = report.project
    draft = report.state == WeeklyReport.State.DRAFT
    title = _("Weekly report")
    version = _("Draft") if draft else str(report.version)
    texts = [getattr(report, name) for name in TEXT_FIELDS]
    texts += [project.name, project.code, project.vendor_org.name, project.customer_org.name]
    if report.published_by is not None:
        texts.append(report.published_by.display_name)
    pdf = ReportDocument(
        fallback=needs_fallback(texts),
        footer_note="  ".join(
            (project.code, title, _day(report.week_start), version if draft else f"v{version}")
        ),
        draft_label=_("Draft") if draft else None,
    )
    pdf.set_title(f"{title} {project.name} {_day(report.week_start)}")
    pdf.set_author(project.vendor_org.name)
    pdf.set_subject(project.name)
    pdf.set_creator("Shinrai")
    pdf.set_lang(translation.get_language() or "ja")
    pdf.add_page()

    pdf.set_font(FONT, size=20)
    pdf.set_text_color(*BRAND)
    pdf.cell(CONTENT_WIDTH, 11, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.paragraph(project.name, size=14, line=7.5)
    pdf.ln(3)

    rows = [
        (_("Vendor"), project.vendor_org.name),
        (_("Customer"), project.customer_org.name),
        (_("Project"), _with_code(project)),
        (_("Week"), f"{_day(report.week_start)} – {_day(report.week_start + timedelta(days=6))}"),
        (_("Version"), version),
    ]
    if not draft:
        rows.append((_field_label("published_at"), _when(report.published_at)))
        if report.published_by is not None:
            rows.append((_field_label("published_by"), report.published_by.display_name))
    pdf.facts(rows)
    pdf.ln(3)

    if report.is_correction:
        pdf.notice(
            _("Correction: version %(v)s corrects version %(old)s")
            % {"v": report.version, "old": report.corrects.version},
            report.correction_note,
        )

    pdf.heading(_("Status"))
    pdf.status(report)
    for label, text in (
        (pgettext("weekly report", "Done"), report.done),
        (pgettext("weekly report", "Problem"), report.problem),
        (pgettext("weekly report", "Next Action"), report.next_action),
    ):
        pdf.heading(label)
        pdf.paragraph(text)
    if report.schedule_outlook.strip() or report.cost_outlook.strip():
        pdf.heading(_("Outlook"))
        for label, text in ((_("Schedule"), report.schedule_outlook), (_("Cost"), report.cost_outlook)):
            if text.strip():
                pdf.keep(16)
                pdf.paragraph(label, size=10, color=MUTED, line=6)
                pdf.paragraph(text)
                pdf.ln(1.5)

    if images is not None:
        pdf.add_page()
        as_of = _("as of %(day)s") % {"day": _day(images.as_of)}
        for heading, png, help_text in (
            (
                _("When the work is planned"),
                images.gantt_png,
                _(
                    "Each bar is a piece of work, coloured up to the part already done. A diamond marks a "
                    "milestone; the hollow grey diamond is the date we first promised. Weekends and holidays "
                    "are shaded, and the red line is today."
                ),
            ),
            (
                _("How much work is left"),
                images.burndown_png,
                _burndown_help(images),
            ),
        ):
            pdf.chart(f"{heading}  {as_of}", help_text, png)
    return bytes(pdf.output())


def _burndown_help(images: ChartImages) -> str:
    """What the portal's schedule page says under the burndown (the same sentences)."""
    text = _(
        "The solid line is the work still to do, as a share of all the work planned today. The dashed line "
        "is the pace that finishes on time: when the solid line is above it, the work is behind."
    )
    if images.estimated_before:
        text += " " + _(
            "Before %(day)s progress was not yet recorded: the hollow points on the dotted line count only "
            "the work finished by then, so they may show more work left than there was."
        ) % {"day": _day(images.estimated_before)}
    return text


def _with_code(project: Project) -> str:
    japanese = not (translation.get_language() or "ja").startswith("en")
    return f"{project.name}（{project.code}）" if japanese else f"{project.name} ({project.code})"
