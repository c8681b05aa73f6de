"""The partnership trend chart: the five scores and the overall mean, quarter by quarter. Plain matplotlib.

Drawn with the set-up of :mod:`shinrai.progress.charts` (its rcParams, the packaged IPAexGothic, its lock
and its :class:`~shinrai.progress.charts.Chart`) like the survey trend (``surveys.results_charts``): an
inline SVG with text as outlines, no script and no style, safe under the Content-Security-Policy. The labels
come in already translated (the caller's gettext); the picture is cached by what it shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.core.cache import cache
from matplotlib.ticker import FixedLocator

from shinrai.progress import charts as progress_charts
from shinrai.progress.charts import Chart
from shinrai.surveys.results_charts import inline_svg

MAX_PERIODS = 12  # the chart shows the latest 12 quarters; the table lists them all
CACHE_SECONDS = 24 * 60 * 60
_COLORS = ("#2F8F5B", "#D98A00", "#6B3FA0", "#2A7FB8", "#B0413E")
_STYLES = ("--", "-.", ":", "--", "-.")


def trend(
    periods: Sequence[str],
    series: Sequence[Sequence[float]],
    *,
    names: Sequence[str],
    overall: Sequence[float],
    overall_name: str,
    axis: str,
    description: str,
    title: str = "",
    width: float = 8.0,
    height: float = 4.2,
) -> Chart:
    """``series[i]`` are the scores of question ``names[i]`` per period; ``overall`` the means;
    ``description`` the SVG's accessible name."""
    periods = list(periods)[-MAX_PERIODS:]
    cut = len(periods)
    with progress_charts.plotting():
        figure = progress_charts.new_figure(width, height)
        progress_charts.figure_title(figure, title)
        [ax], [anchor] = progress_charts.line_layout(figure, title, [[overall_name, *names]], [1.0], width)
        xs = list(range(len(periods)))
        marker = 4 if len(xs) > 1 else 7
        ax.plot(
            xs,
            list(overall)[-cut:],
            color="#1D4E89",
            linewidth=2.2,
            marker="o",
            markersize=marker + 1,
            label=overall_name,
            zorder=5,
        )
        for index, (name, values) in enumerate(zip(names, series, strict=True)):
            ax.plot(
                xs,
                list(values)[-cut:],
                color=_COLORS[index % len(_COLORS)],
                linestyle=_STYLES[index % len(_STYLES)],
                linewidth=1.2,
                marker="o",
                markersize=marker - 1,
                label=name,
                zorder=4,
            )
        ax.set_ylim(0.8, 5.2)
        ax.yaxis.set_major_locator(FixedLocator([1, 2, 3, 4, 5]))
        ax.set_ylabel(axis)
        ax.set_xlim(-0.5, len(periods) - 0.5)
        ax.set_xticks(xs)
        ax.set_xticklabels([progress_charts.displayable(p) for p in periods])
        ax.grid(axis="y", color=progress_charts.GRID_COLOUR, linewidth=0.5)
        ax.set_axisbelow(True)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        progress_charts.place_legend(figure, ax, anchor)
        return Chart(figure, kind="partnership", texts={"chart_partnership": description}, title=title)


def trend_svg(**kwargs) -> str:
    """:func:`trend` as inline SVG markup, cached by its inputs (the same picture for the same data)."""
    key = "partnership-trend:" + hashlib.sha256(repr(sorted(kwargs.items())).encode()).hexdigest()[:40]
    svg = cache.get(key)
    if svg is None:
        svg = inline_svg(trend(**kwargs))
        cache.set(key, svg, CACHE_SECONDS)
    return svg
