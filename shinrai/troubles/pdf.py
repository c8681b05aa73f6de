"""A trouble report as a PDF (A4, fpdf2, Japanese set in IPAexGothic): what the customer sees in the portal —
the facts, the options, the decision, the follow-up and, once closed, the post-mortem. Never internal notes.

Pure: a trouble (loaded by ``selectors.trouble_detail(internal=False)``) in, bytes out.
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos

from shinrai.progress import charts

from .models import Trouble

FONT = "ipaexgothic"
MARGIN = 15.0
WIDTH = 210.0 - 2 * MARGIN
_CJK = re.compile(r"[\u2e80-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _text(value) -> str:
    lines = str(value or "—").replace("\r\n", "\n").split("\n")
    return "\n".join(charts.displayable(line) for line in lines)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _yen(value) -> str:
    return "—" if value is None else f"{int(value):,}" + _(" yen")


class _Doc(FPDF):
    def __init__(self):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=15)
        self.add_font(FONT, fname=str(charts.FONT_PATH))
        self.c_margin = 0

    def para(self, text, *, size=10.5, bold_color=None):
        text = _text(text)
        self.set_font(FONT, size=size)
        self.set_text_color(*(bold_color or (30, 35, 45)))
        wrap = WrapMode.CHAR if _CJK.search(text) else WrapMode.WORD
        self.multi_cell(
            WIDTH, size * 0.55, text, align=Align.L, wrapmode=wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def heading(self, text):
        self.ln(3)
        self.para(text, size=13, bold_color=(30, 64, 120))
        self.ln(1)

    def pair(self, label, value):
        self.para(f"{label}: {value}")


def trouble_pdf(trouble: Trouble) -> bytes:
    doc = _Doc()
    doc.add_page()
    doc.para(f"{trouble.project.name} ({trouble.project.code})", size=9)
    doc.para(f"{trouble.ref} {trouble.title}", size=16, bold_color=(30, 64, 120))
    doc.ln(2)
    doc.pair(_("Kind"), trouble.get_kind_display())
    doc.pair(_("Status"), trouble.get_status_display())
    doc.pair(_("Severity"), trouble.get_severity_display())
    doc.pair(_("Detected"), _when(trouble.detected_at))
    doc.pair(_("Told to the customer"), _when(trouble.disclosed_at))
    if trouble.hours_to_disclose is not None:
        doc.pair(_("Time to disclose (hours)"), trouble.hours_to_disclose)
    doc.pair(_("Cost impact"), _yen(trouble.cost_impact))
    days = trouble.schedule_impact_days
    doc.pair(_("Schedule impact (business days)"), "—" if days is None else days)
    doc.heading(_("What happened"))
    doc.para(trouble.facts)
    if trouble.quality_impact:
        doc.heading(_("Impact on quality"))
        doc.para(trouble.quality_impact)
    options = list(trouble.options.all())
    if options:
        doc.heading(_("Options"))
        for o in options:
            doc.para(f"{o.label}. {o.description}", size=11)
            doc.para(f"{_('Good points')}: {o.pros or '—'}  /  {_('Drawbacks')}: {o.cons or '—'}", size=9.5)
            time_days = "—" if o.time_days is None else o.time_days
            # Labels outside the f-string: makemessages does not read calls inside one.
            time_label, effect_label = (
                _("Time needed (business days)"),
                _("Effect on the schedule (business days)"),
            )
            effect = "—" if o.schedule_effect_days is None else o.schedule_effect_days
            doc.para(
                f"{_('Cost')}: {_yen(o.cost)}  /  {time_label}: {time_days}  /  {effect_label}: {effect}",
                size=9.5,
            )
            doc.ln(1)
    decision = trouble.decision if hasattr(trouble, "decision") else None
    if decision:
        doc.heading(_("Decision"))
        doc.pair(_("Chosen option"), decision.option.label)
        doc.pair(_("Decided by"), f"{decision.decided_by_name} ({decision.get_how_display()})")
        if decision.meeting_at:
            doc.pair(_("Meeting"), f"{_when(decision.meeting_at)} {decision.attendees}")
        doc.pair(_("Why"), decision.rationale)
        doc.pair(_("Recorded"), _when(decision.at))
        follow_ups = list(trouble.follow_ups.all())
        if follow_ups:
            doc.heading(_("What we are doing"))
            for f in follow_ups:
                done = _("Done") if f.done_at else _("In progress")
                doc.para(f"・{f.action} ({_('due')} {f.due or '—'}): {done}")
    root = trouble.root_cause if hasattr(trouble, "root_cause") else None
    if root:
        doc.heading(_("Why it happened and how we prevent it"))
        for number, why in enumerate(root.whys, start=1):
            doc.para(f"{number}. {why}")
        doc.pair(_("Root cause"), root.summary)
        if root.what_worked:
            doc.pair(_("What worked"), root.what_worked)
        for p in trouble.preventions.all():
            done = _("Done") if p.done_at else _("In progress")
            doc.para(f"・{p.measure} ({_('due')} {p.due or '—'}): {done}")
    return bytes(doc.output())
