"""The survey trend chart: the scores (1–5) and the NPS (−100…100) period by period. Plain matplotlib.

Drawn with the set-up of :mod:`shinrai.progress.charts` (its rcParams, the packaged IPAexGothic, its lock and
its :class:`~shinrai.progress.charts.Chart`), so the browser's inline SVG and the PDF's PNG are the same
figure and show Japanese on a machine without Japanese fonts. Periods whose figures are not shown (anonymous
rounds with fewer than 3 answers) or have no value leave a gap in the line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.ticker import FixedLocator

from shinrai.progress import charts as progress_charts
from shinrai.progress.charts import Chart

__all__ = ["LABELS", "MAX_PERIODS", "TrendPoint", "inline_svg", "trend"]

MAX_PERIODS = 12  # the chart shows the latest 12 periods; the table lists them all

LABELS = {
    "ja": {
        "chart_trend": "満足度の推移",
        "overall": "総合",
        "logical": "論理的満足（成果）",
        "emotional": "感情的満足（進め方・関係）",
        "nps": "NPS（推奨度）",
        "score_axis": "平均（1〜5）",
        "nps_axis": "NPS",
        "no_data": "表示するデータがありません",
    },
    "en": {
        "chart_trend": "Satisfaction over time",
        "overall": "Overall",
        "logical": "Logical (the result)",
        "emotional": "Emotional (how it felt)",
        "nps": "NPS (would recommend)",
        "score_axis": "Mean (1–5)",
        "nps_axis": "NPS",
        "no_data": "No data to display",
    },
}

_COLORS = {"overall": "#1D4E89", "logical": "#2F8F5B", "emotional": "#D98A00", "nps": "#6B3FA0"}


@dataclass(frozen=True)
class TrendPoint:
    """One period: its label and values (``None``: nothing to show)."""

    label: str
    overall: float | None = None
    logical: float | None = None
    emotional: float | None = None
    nps: float | None = None


_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)


def inline_svg(chart: Chart) -> str:
    """:meth:`Chart.svg` without the XML comments matplotlib writes before each text (they repeat the period
    labels, escaped; the picture does not need them, so user-typed text never reaches the markup at all)."""
    return _COMMENT.sub("", chart.svg())


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def trend(
    points: Sequence[TrendPoint],
    *,
    language: str = "ja",
    title: str = "",
    width: float = 8.0,
    height: float = 4.6,
) -> Chart:
    """Two panels over the same periods: overall, logical and emotional means on top, NPS below."""
    language = "en" if language.startswith("en") else "ja"
    texts = LABELS[language]
    points = list(points)[-MAX_PERIODS:]
    if not points:
        return progress_charts.no_data_chart("trend", title, texts, width, height)
    with progress_charts.plotting():
        figure = progress_charts.new_figure(width, height)
        progress_charts.figure_title(figure, title)
        score_names = [texts[name] for name in ("overall", "logical", "emotional")]
        (top, bottom), (top_anchor, bottom_anchor) = progress_charts.line_layout(
            figure, title, [score_names, [texts["nps"]]], [1.6, 1.0], width
        )
        xs = list(range(len(points)))
        for name, style in (("overall", "-"), ("logical", "--"), ("emotional", "-.")):
            ys = [_nan(getattr(point, name)) for point in points]
            top.plot(
                xs,
                ys,
                color=_COLORS[name],
                linestyle=style,
                linewidth=1.8 if name == "overall" else 1.3,
                marker="o",
                markersize=4 if len(xs) > 1 else 7,
                label=texts[name],
                zorder=4,
            )
        nps = [_nan(point.nps) for point in points]
        bottom.plot(
            xs,
            nps,
            color=_COLORS["nps"],
            linewidth=1.6,
            marker="s",
            markersize=4 if len(xs) > 1 else 7,
            label=texts["nps"],
            zorder=4,
        )
        bottom.axhline(0, color="#AEB6C1", linewidth=0.8, zorder=2)
        top.set_ylim(1, 5.2)
        top.yaxis.set_major_locator(FixedLocator([1, 2, 3, 4, 5]))
        top.set_ylabel(texts["score_axis"])
        bottom.set_ylim(-105, 105)
        bottom.yaxis.set_major_locator(FixedLocator([-100, -50, 0, 50, 100]))
        bottom.set_ylabel(texts["nps_axis"])
        labels = [progress_charts.displayable(point.label) for point in points]
        plot_width = top.get_position().width * width
        per_label = plot_width / max(len(points), 1)
        labels = [progress_charts.fit_text(label, max(per_label * 1.6, 0.5), 7.5) for label in labels]
        for ax in (top, bottom):
            ax.set_xlim(-0.5, len(points) - 0.5)
            ax.set_xticks(xs)
            ax.grid(axis="y", color=progress_charts.GRID_COLOUR, linewidth=0.5)
            ax.set_axisbelow(True)
            for spine in ("top", "right"):
                ax.spines[spine].set_visible(False)
        top.set_xticklabels([""] * len(xs))
        rotate = per_label < 0.9
        bottom.set_xticklabels(labels, rotation=30 if rotate else 0, ha="right" if rotate else "center")
        progress_charts.place_legend(figure, top, top_anchor)
        progress_charts.place_legend(figure, bottom, bottom_anchor)
        return Chart(figure, kind="trend", texts=texts, title=title)
