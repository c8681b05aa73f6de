"""The trend chart: same figure as SVG (inline-safe) and PNG, Japanese labels, gaps for periods not shown."""

from __future__ import annotations

import io

import PIL.Image

from shinrai.surveys import results_charts
from shinrai.surveys.results_charts import TrendPoint

POINTS = [
    TrendPoint("2025 Q3", 3.5, 3.2, 3.9, 20),
    TrendPoint("2025 Q4"),  # not shown: a gap
    TrendPoint("第3回 満足度調査", 4.1, 4.0, 4.3, 45),
]


def test_svg_is_safe_to_inline_whatever_the_labels():
    points = [
        TrendPoint("--><script>alert(1)</script><!--", 3, 3, 3, 0),
        TrendPoint("<img onerror=x>", 4, 4, 4, 1),
    ]
    svg = results_charts.inline_svg(results_charts.trend(points, language="en"))
    assert svg.startswith('<svg role="img" aria-label="Satisfaction over time"')
    for bad in ("<script", "onerror", "<img", "<!--", "style=", "<style"):
        assert bad not in svg, bad


def test_png_has_the_size_asked_for():
    chart = results_charts.trend(POINTS, language="ja")
    image = PIL.Image.open(io.BytesIO(chart.png(100)))
    assert image.size == (800, 460)
    assert chart.description == "満足度の推移"


def test_only_the_latest_periods_are_drawn():
    points = [TrendPoint(f"P{i}", 3, 3, 3, 0) for i in range(20)]
    chart = results_charts.trend(points, language="en")
    ticks = [label.get_text() for label in chart.figure.axes[1].get_xticklabels()]
    assert ticks == [f"P{i}" for i in range(8, 20)]


def test_no_periods_draws_a_placeholder():
    chart = results_charts.trend([], language="en")
    assert "<svg" in chart.svg()
