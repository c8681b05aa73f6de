"""A business flow as a PDF (fpdf2, Japanese in IPAexGothic): a landscape page per diagram, then the steps.

Each diagram's stored SVG is rasterised with resvg at twice its size, with the bundled IPAexGothic file only
(``skip_system_fonts``), so the PDF looks the same on a fresh machine without Japanese system fonts.
Pure: rows in, bytes out.
"""

from __future__ import annotations

import io
import re

import resvg_py
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from shinrai.progress import charts

from .templatetags.flows_tags import kind_label

FONT = "ipaexgothic"
FONT_FAMILY = "IPAexGothic"
MARGIN = 12.0
MAX_PIXELS = 7000  # longest side of a rasterised diagram: enough for A3 at ~300 dpi
_VIEWBOX = re.compile(r'viewBox="\s*([-\d.eE]+)[ ,]+([-\d.eE]+)[ ,]+([-\d.eE]+)[ ,]+([-\d.eE]+)\s*"')


def _text(value) -> str:
    return charts.displayable(str(value or "—").replace("\r\n", " ").replace("\n", " "))


def rasterise(svg: str) -> bytes:
    """PNG bytes of an SVG at 2x, drawn with the bundled Japanese font only."""
    options = {}
    match = _VIEWBOX.search(svg)
    if match:
        width, height = float(match.group(3)), float(match.group(4))
        if max(width, height) * 2 > MAX_PIXELS:
            if width >= height:
                options["width"] = MAX_PIXELS
            else:
                options["height"] = MAX_PIXELS
        else:
            options["zoom"] = 2
    else:
        options["zoom"] = 2
    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg,
            background="white",
            font_files=[str(charts.FONT_PATH)],
            skip_system_fonts=True,
            font_family=FONT_FAMILY,
            sans_serif_family=FONT_FAMILY,
            serif_family=FONT_FAMILY,
            monospace_family=FONT_FAMILY,
            **options,
        )
    )


class _Doc(FPDF):
    def __init__(self):
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.add_font(FONT, fname=str(charts.FONT_PATH))
        self.c_margin = 0

    def line_of(self, text, *, size=10.0, colour=(30, 35, 45)):
        self.set_font(FONT, size=size)
        self.set_text_color(*colour)
        self.multi_cell(
            0,
            size * 0.5,
            _text(text),
            align=Align.L,
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


def _header(doc: _Doc, *, project, flow, version, printed) -> None:
    doc.line_of(f"{project.name} ({project.code})", size=9, colour=(90, 95, 105))
    doc.line_of(flow.title, size=16, colour=(30, 64, 120))
    doc.line_of(
        _("Version %(n)s, uploaded %(when)s by %(who)s · printed %(printed)s")
        % {
            "n": version.number,
            "when": timezone.localtime(version.uploaded_at).strftime("%Y-%m-%d %H:%M"),
            "who": version.uploaded_by.display_name,
            "printed": printed,
        },
        size=9,
        colour=(90, 95, 105),
    )
    doc.ln(2)


def _diagram_page(doc: _Doc, png: bytes, name: str, header) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        width_px, height_px = image.size
    # Wide or large diagrams get an A3 page so their labels stay readable.
    page_format = "A3" if width_px > 3200 or height_px > 2200 else "A4"
    doc.add_page(orientation="landscape", format=page_format)
    header()
    if name:
        doc.line_of(name, size=11)
    top = doc.get_y() + 1
    box_w = doc.w - 2 * MARGIN
    box_h = doc.h - top - MARGIN
    scale = min(box_w / width_px, box_h / height_px)
    w, h = width_px * scale, height_px * scale
    doc.image(io.BytesIO(png), x=MARGIN + (box_w - w) / 2, y=top, w=w, h=h)


def flow_pdf(*, project, flow, version, diagrams, steps, links: dict[str, list[str]]) -> bytes:
    """The flow's current version: every diagram fitted to a landscape page, then the step list."""
    doc = _Doc()
    printed = timezone.localtime().strftime("%Y-%m-%d")

    def header():
        _header(doc, project=project, flow=flow, version=version, printed=printed)

    for diagram in diagrams:
        _diagram_page(doc, rasterise(diagram.svg), diagram.name, header)
    doc.add_page(orientation="landscape", format="A4")
    header()
    doc.line_of(_("Steps and the requirements they need"), size=13, colour=(30, 64, 120))
    doc.ln(1)
    columns = (
        (_("Lane"), 45),
        (_("Kind"), 55),
        (_("Step"), 95),
        (_("Requirements"), doc.w - 2 * MARGIN - 195),
    )
    doc.set_font(FONT, size=9)
    with doc.table(
        col_widths=[w for _label, w in columns],
        text_align="LEFT",
        line_height=5,
        headings_style=FontFace(emphasis="", color=(30, 64, 120), fill_color=(230, 236, 245)),
    ) as table:
        row = table.row()
        for label, _width in columns:
            row.cell(label)
        for step in steps:
            row = table.row()
            row.cell(_text(step.lane))
            row.cell(_text(kind_label(step.kind)))
            row.cell(_text(step.name or step.element_id))
            row.cell(_text(", ".join(links.get(step.element_id, [])) or _("none")))
    return bytes(doc.output())
