"""The rendered parts of a survey results page, kept in the cache beside the figures they show.

A page's figures (summary cards, categories, questions, the trend table and its chart) and its comments hold
no per-request data (no CSRF token; commenters' names are part of the comments' key), so each is rendered
once per cached figures (``Results.cache_key``: scope, language, projects seen, data fingerprint) and kept in
the cache the figures live in (``results_selectors.CACHE``). The views and ``results_prepare`` use them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.translation import get_language

from . import results_charts, results_pdf
from . import results_selectors as selectors

CHART_CACHE_SECONDS = 24 * 3600


def language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def _cached(key: str, build: Callable[[], str], seconds: int = selectors.CACHE_SECONDS) -> str:
    store = caches[selectors.CACHE]
    text = store.get(key)
    if text is None:
        text = build()
        store.set(key, text, seconds)
    return text


def trend_svg(results: selectors.Results) -> str:
    """The trend chart as inline SVG, cached by what it shows (drawing costs a few hundred milliseconds)."""
    points = selectors.trend_points(results)
    chart_language = language()
    digest = hashlib.sha256(repr((points, chart_language)).encode()).hexdigest()
    return _cached(
        f"surveys:trend-svg:v1:{digest}",
        lambda: results_charts.inline_svg(results_charts.trend(points, language=chart_language)),
        CHART_CACHE_SECONDS,
    )


def figures_html(results: selectors.Results) -> str:
    """Summary, categories, questions and the trend (table and chart) of the page."""

    def build() -> str:
        periods = [(period, selectors.trend_cells(period)) for period in reversed(results.periods)]
        return render_to_string(
            "surveys/_results_figures.html",
            {
                "results": results,
                "trend": periods,
                "measures": [(m, selectors.measure_label(m)) for m in selectors.MEASURES],
                "categories": [
                    (selectors.measure_label(m), results.summary.means[m])
                    for m, _c in selectors.CATEGORY_MEASURES
                ],
                "chart_svg": trend_svg(results) if results.periods else "",
                "method": results_pdf.method_sentence(),
                "nps_formula": results_pdf.nps_formula(),
                "anonymity": results_pdf.anonymity_sentence(),
            },
        )

    return _cached(f"{results.cache_key}:html", build)


def comments_html(results: selectors.Results) -> str:
    """The comments of the page, with the commenters' names as they are now (part of the key)."""
    names = hashlib.sha256(repr([c.name for c in results.comments]).encode()).hexdigest()[:16]
    key = f"{results.cache_key}:comments-html:{len(results.comments)}:{names}"
    return _cached(key, lambda: render_to_string("surveys/_results_comments.html", {"results": results}))
