"""Rendering time of a 200-row Gantt chart (SVG for the browser, PNG at 150 dpi for the PDF), plus burndown
and EVM for comparison. Target: a 200-row Gantt renders in about 1 s or less.

Run: .venv/bin/python bench/charts_bench.py [--rows 200] [--repeat 5] [--out DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from shinrai.progress import charts
from shinrai.progress.charts import BurndownPoint, EvmPoint, GanttRow

TODAY = date(2026, 11, 18)


def gantt_rows(count: int, seed: int = 4) -> list[GanttRow]:
    """A WBS of ``count`` rows over about six months: phases, tasks, sub-tasks and milestones."""
    rng = random.Random(seed)
    rows = []
    start = date(2026, 9, 1)
    statuses = ["done", "in_progress", "late", "at_risk", "not_started", "in_progress"]
    while len(rows) < count:
        phase_start = start + timedelta(days=rng.randint(0, 120))
        rows.append(
            GanttRow(
                f"フェーズ {len(rows) + 1}: 受注・出荷・在庫管理の改修",
                0,
                phase_start,
                phase_start + timedelta(days=40),
                phase_start + timedelta(days=rng.randint(0, 5)),
                phase_start + timedelta(days=40 + rng.randint(0, 10)),
                rng.randint(0, 100),
                status=rng.choice(statuses),
                is_summary=True,
            )
        )
        for i in range(rng.randint(5, 12)):
            if len(rows) >= count:
                break
            begin = phase_start + timedelta(days=rng.randint(0, 30))
            length = rng.randint(1, 15)
            slip = rng.choice([0, 0, 0, 2, 5])
            milestone = i % 6 == 5
            rows.append(
                GanttRow(
                    f"タスク {len(rows) + 1} 画面設計・レビュー（帳票を含む）",
                    1 + (i % 3 == 2),
                    begin,
                    begin if milestone else begin + timedelta(days=length),
                    begin + timedelta(days=slip),
                    begin + timedelta(days=slip) if milestone else begin + timedelta(days=length + slip),
                    rng.choice([0, 10, 35, 50, 80, 100]),
                    is_milestone=milestone,
                    status=rng.choice(statuses),
                )
            )
    return rows


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
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write the charts to this directory")
    args = parser.parse_args()

    rows = gantt_rows(args.rows)
    charts.gantt(rows[:5], today=TODAY).png()  # warm-up: font loading and glyph caches

    for zoom in ("week", "month"):
        build, chart = timed(
            lambda zoom=zoom: charts.gantt(rows, today=TODAY, zoom=zoom, title="負荷試験"), args.repeat
        )
        svg_ms, svg = timed(chart.svg, args.repeat)
        png_ms, png = timed(chart.png, args.repeat)
        width, height = chart.size_inches
        print(
            f"gantt {args.rows} rows, zoom={zoom}: build {build:.0f} ms, "
            f"build+svg {build + svg_ms:.0f} ms ({len(svg) / 1024:.0f} KiB), "
            f"build+png {build + png_ms:.0f} ms ({len(png) / 1024:.0f} KiB, "
            f"{width * 150:.0f}×{height * 150:.0f} px)"
        )
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"gantt_{zoom}.svg").write_text(svg)
            (args.out / f"gantt_{zoom}.png").write_bytes(png)

    points = [BurndownPoint(date(2026, 10, 1) + timedelta(days=i), 800 - i * 9) for i in range(60)]
    build, chart = timed(lambda: charts.burndown(points, target=date(2026, 12, 25), today=TODAY), args.repeat)
    svg_ms, _ = timed(chart.svg, args.repeat)
    png_ms, _ = timed(chart.png, args.repeat)
    print(f"burndown 60 points: build+svg {build + svg_ms:.0f} ms, build+png {build + png_ms:.0f} ms")

    evm_points = [
        EvmPoint(date(2026, 9, 4) + timedelta(weeks=i), 100 * i + 50, 90 * i + 40, 110 * i + 60)
        for i in range(26)
    ]
    build, chart = timed(lambda: charts.evm(evm_points, today=TODAY, bac=2600), args.repeat)
    svg_ms, _ = timed(chart.svg, args.repeat)
    png_ms, _ = timed(chart.png, args.repeat)
    print(f"evm 26 points: build+svg {build + svg_ms:.0f} ms, build+png {build + png_ms:.0f} ms")


if __name__ == "__main__":
    main()
