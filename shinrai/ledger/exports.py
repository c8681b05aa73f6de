"""Ledger downloads: JSON (verifiable offline) and PDF (fpdf2 with IPAexGothic, as the weekly report).

Both are built from the entries the caller may see (``selectors.entries_for``); no entry kind is
vendor-internal, so the vendor's and the customer's copies are the same document.

Offline verification of the JSON (also written into the file as ``verification``)::

    import hashlib, json
    data = json.load(open("ledger.json", encoding="utf-8"))
    prev = "0" * 64
    for e in data["entries"]:
        fields = {k: e[k] for k in ("seq", "project", "kind", "subject", "payload", "actor",
                                    "created_at", "refers_to", "prev_hash")}
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert e["prev_hash"] == prev, e["seq"]
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == e["hash"], e["seq"]
        prev = e["hash"]
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from shinrai.core.models import Project

from .chain import ChainState, canonical_fields
from .models import Entry

HASHED_FIELDS = (
    "seq",
    "project",
    "kind",
    "subject",
    "payload",
    "actor",
    "created_at",
    "refers_to",
    "prev_hash",
)

VERIFICATION_RECIPE = [
    "For each entry, in 'seq' order:",
    "1. Take the fields " + ", ".join(HASHED_FIELDS) + " of the entry (nothing else).",
    "2. Serialise them as JSON with sorted keys, no ASCII escaping and no spaces: Python "
    "json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(',', ':')).",
    "3. The SHA-256 (hex) of that text in UTF-8 must equal 'hash'.",
    "4. 'prev_hash' must equal the previous entry's 'hash' (64 zeros for seq 1); seq runs 1, 2, 3 ...",
    "The last entry's hash stands for the whole chain: compare it with a copy kept elsewhere.",
]


def entry_dict(entry: Entry) -> dict:
    return {
        **canonical_fields(entry),
        "hash": entry.hash,
        "kind_label": str(entry.get_kind_display()),
        "actor_name": entry.actor.get_full_name(),
        "refers_to_seq": entry.refers_to.seq if entry.refers_to_id else None,
    }


def ledger_json(*, project: Project, entries, state: ChainState) -> bytes:
    entries = list(entries)
    document = {
        "format": "shinrai-ledger/1",
        "project": {"id": project.pk, "code": project.code, "name": project.name},
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "chain": {
            "verified": state.ok,
            "entries": len(entries),
            "broken_at_seq": state.broken_seq,
            "last_hash": entries[-1].hash if entries else None,
        },
        "verification": VERIFICATION_RECIPE,
        "entries": [entry_dict(entry) for entry in entries],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _payload_lines(payload: dict) -> list[str]:
    lines = []
    for key in sorted(payload):
        value = payload[key]
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        lines.append(f"{key}: {value}")
    return lines


def ledger_pdf(*, project: Project, entries, state: ChainState) -> bytes:
    """A4 portrait: the project, the chain's state and last hash, then every entry with its hashes.

    Reuses the weekly report's font set-up; ``printable``, ``wrap_mode`` and ``needs_fallback`` are private
    helpers of :mod:`shinrai.progress.report_pdf` imported on purpose (one way to set Japanese in a PDF).
    """
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos

    from shinrai.progress import charts
    from shinrai.progress.report_pdf import (
        BRAND,
        CONTENT_WIDTH,
        FALLBACK_FONT,
        FONT,
        INK,
        MARGIN,
        MUTED,
        needs_fallback,
        printable,
        wrap_mode,
    )

    entries = list(entries)
    texts = [project.name, *(e.subject for e in entries)]
    texts += [line for e in entries for line in _payload_lines(e.payload)]
    texts += [e.actor.get_full_name() for e in entries]
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(FONT, fname=str(charts.FONT_PATH))
    if needs_fallback(texts):
        pdf.add_font(FALLBACK_FONT, fname=str(charts.FALLBACK_FONT_PATH))
        pdf.set_fallback_fonts([FALLBACK_FONT], exact_match=False)
    pdf.c_margin = 0
    footer = printable(f"{project.code} — {_('Ledger')}")

    def draw_footer():
        pdf.set_y(-12)
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(*MUTED)
        pdf.cell(CONTENT_WIDTH / 2, 5, footer, align=Align.L)
        pdf.cell(CONTENT_WIDTH / 2, 5, f"{pdf.page_no()} / {{nb}}", align=Align.R)

    pdf.footer = draw_footer

    def para(text: str, size: float = 10, color=INK):
        text = printable(text) or "—"
        pdf.set_font(FONT, size=size)
        pdf.set_text_color(*color)
        pdf.multi_cell(
            CONTENT_WIDTH, size * 0.5, text, wrapmode=wrap_mode(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    pdf.add_page()
    para(_("Ledger"), size=18, color=BRAND)
    para(f"{project.code} {project.name}", size=12)
    para(
        _("%(vendor)s / %(customer)s")
        % {"vendor": project.vendor_org.name, "customer": project.customer_org.name},
        color=MUTED,
    )
    para(_("Printed at %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, color=MUTED)
    pdf.ln(3)
    if state.ok:
        para(_("Chain verified: %(n)d entries, none changed.") % {"n": len(entries)}, size=11)
    else:
        para(_("Chain BROKEN at entry #%(n)s.") % {"n": state.broken_seq}, size=11, color=(185, 28, 28))
    if entries:
        para(_("Last hash: %(hash)s") % {"hash": entries[-1].hash}, size=8, color=MUTED)
    for entry in entries:
        pdf.ln(3)
        if pdf.page_break_trigger - pdf.get_y() < 30:
            pdf.add_page()
        when = timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M")
        para(f"#{entry.seq}  {entry.get_kind_display()}  {entry.subject}", size=11, color=BRAND)
        para(f"{when}  {entry.actor.get_full_name()}", size=9, color=MUTED)
        if entry.refers_to_id:
            para(_("Corrects entry #%(n)d") % {"n": entry.refers_to.seq}, size=9)
        for line in _payload_lines(entry.payload):
            para(line, size=9)
        para(f"prev {entry.prev_hash}", size=7, color=MUTED)
        para(f"hash {entry.hash}", size=7, color=MUTED)
    return bytes(pdf.output())


# --- Customer requests as a table (.xlsx and CSV) ------------------------------------------------------


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def request_rows(requests, now=None) -> tuple[list[str], list[list]]:
    """Headers and rows: one row per request, times in Japan time (no time zone in the cells)."""
    now = now or timezone.now()
    headers = [
        _("Request"),
        _("Details"),
        _("Asked by"),
        _("Asked at"),
        _("Due"),
        _("Status"),
        _("Acknowledged at"),
        _("Answered at"),
        _("Answer"),
        _("On time"),
    ]
    rows = []
    for item in requests:
        if item.answered_at is not None:
            on_time = _("Yes") if item.answered_at <= item.due_at else _("No (late)")
        elif item.is_overdue(now):
            on_time = _("No (overdue)")
        else:
            on_time = ""
        rows.append(
            [
                item.title,
                item.body,
                item.requested_by.get_full_name(),
                _local(item.created_at),
                _local(item.due_at),
                str(item.get_status_display()),
                _local(item.acknowledged_at),
                _local(item.answered_at),
                item.answer,
                on_time,
            ]
        )
    return headers, rows


def requests_xlsx(requests) -> bytes:
    import io

    import openpyxl

    from shinrai.core.xlsx import set_safe_value

    headers, rows = request_rows(requests)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Customer requests")[:31]
    sheet.append(headers)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = set_safe_value(sheet.cell(row=r, column=c), value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJ", (30, 30, 16, 17, 17, 14, 17, 17, 40, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def requests_csv(requests) -> bytes:
    """UTF-8 with a BOM (Excel opens it as UTF-8); text that looks like a formula gets a leading quote."""
    import csv
    import io

    from shinrai.core.xlsx import FORMULA_PREFIXES, safe_text

    def cell(value):
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if value is None:
            return ""
        # Control characters go first: a NUL in front would hide "=" from the check (ASVS V1.2.10).
        value = safe_text(str(value))
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value

    headers, rows = request_rows(requests)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
