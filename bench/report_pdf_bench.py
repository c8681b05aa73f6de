"""Time to make a weekly report PDF (A4, Japanese, Gantt and burndown as PNG), and the same report as .xlsx.
Target (DESIGN.md): a weekly report PDF in 1 s or less.

"cold" draws the two charts (matplotlib, PNG at 150 dpi) and builds the PDF: the first download after the
plan changed. "warm" builds the PDF from charts already in the cache: every further download that day.
No database: the report, its project and organizations are unsaved model instances.

Run: .venv/bin/python bench/report_pdf_bench.py [--rows 60] [--lines 12] [--repeat 5] [--out FILE.pdf]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinrai.settings")
django.setup()

from shinrai.core.models import Organization, Project, User  # noqa: E402
from shinrai.progress import charts, report_pdf, report_xlsx  # noqa: E402
from shinrai.progress.charts import BurndownPoint, GanttRow  # noqa: E402
from shinrai.progress.models import WeeklyReport  # noqa: E402

TODAY = date(2026, 11, 18)
TOKYO = ZoneInfo("Asia/Tokyo")


def gantt_rows(count: int, seed: int = 4) -> list[GanttRow]:
    """A customer's view of a WBS over about six months: phases with tasks, a few milestones."""
    rng = random.Random(seed)
    rows: list[GanttRow] = []
    start = date(2026, 9, 1)
    while len(rows) < count:
        phase = len(rows) // 8 + 1
        begin = start + timedelta(days=rng.randint(0, 120))
        rows.append(
            GanttRow(
                f"{phase} 受注・出荷・在庫管理の改修",
                0,
                None,
                None,
                begin,
                begin + timedelta(40),
                rng.randint(0, 100),
                status="in_progress",
                is_summary=True,
            )
        )
        for i in range(7):
            if len(rows) >= count:
                break
            first = begin + timedelta(days=rng.randint(0, 30))
            rows.append(
                GanttRow(
                    f"{phase}.{i + 1} 画面設計・レビュー（帳票を含む）",
                    1,
                    None,
                    None,
                    first,
                    first + timedelta(days=rng.randint(1, 15)),
                    rng.choice([0, 10, 35, 50, 80, 100]),
                    status=rng.choice(["done", "in_progress", "late", "at_risk", "not_started"]),
                )
            )
    return rows


def report(lines: int) -> WeeklyReport:
    vendor = Organization(name="株式会社サンプルシステムズ", kind=Organization.Kind.VENDOR)
    customer = Organization(name="株式会社山田製作所", kind=Organization.Kind.CUSTOMER)
    project = Project(
        code="YMD-2026-01", name="生産管理システム刷新", vendor_org=vendor, customer_org=customer
    )
    text = "\n".join(
        f"・{n}件目: 工程進捗画面の製造（設備停止理由の入力を追加）を進めました。" for n in range(lines)
    )
    return WeeklyReport(
        project=project,
        week_start=date(2026, 11, 16),
        status=WeeklyReport.Rag.AMBER,
        status_reason="帳票の追加要望により、出荷予定表の設計が1日遅れています。",
        done=text,
        problem=text,
        next_action=text,
        schedule_outlook="要件定義完了は予定どおり11/27の見込みです。",
        state=WeeklyReport.State.PUBLISHED,
        version=1,
        published_at=datetime(2026, 11, 20, 17, 0, tzinfo=TOKYO),
        published_by=User(display_name="鈴木 花子"),
    )


def chart_images(rows: list[GanttRow]) -> report_pdf.ChartImages:
    gantt = charts.gantt(rows, today=TODAY, zoom=report_pdf.PDF_ZOOM)
    points = [BurndownPoint(date(2026, 9, 4) + timedelta(weeks=i), 100 - i * 7) for i in range(12)]
    burndown = charts.burndown(points, target=date(2027, 2, 26), total=100, today=TODAY, unit="%", width=10.0)
    return report_pdf.ChartImages(gantt.png(report_pdf.CHART_DPI), burndown.png(report_pdf.CHART_DPI), TODAY)


def timed(function, repeat: int) -> tuple[float, object]:
    """Median wall time in ms over ``repeat`` runs, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60, help="Gantt rows the customer sees")
    parser.add_argument("--lines", type=int, default=12, help="lines in each of Done / Problem / Next Action")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args()

    rows, weekly = gantt_rows(args.rows), report(args.lines)
    images = chart_images(rows[:5])
    report_pdf.report_pdf(weekly, images=images, language="ja")  # warm-up: imports, glyph caches

    charts_ms, images = timed(lambda: chart_images(rows), args.repeat)
    warm_ms, pdf = timed(lambda: report_pdf.report_pdf(weekly, images=images, language="ja"), args.repeat)
    xlsx_ms, xlsx = timed(lambda: report_xlsx.report_xlsx(weekly, language="ja"), args.repeat)
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    print(
        f"weekly report PDF, {args.rows} Gantt rows, {args.lines} lines per section: "
        f"cold (charts + PDF) {charts_ms + warm_ms:.0f} ms, warm (charts cached) {warm_ms:.0f} ms "
        f"[charts {charts_ms:.0f} ms]; {len(pdf) / 1024:.0f} KiB, {pages} pages; target 1000 ms"
    )
    print(f"weekly report XLSX: {xlsx_ms:.0f} ms, {len(xlsx) / 1024:.0f} KiB")
    if args.out:
        args.out.write_bytes(pdf)


if __name__ == "__main__":
    main()
