"""Progress charts (Gantt, burndown, EVM) drawn with matplotlib. Plain Python: no Django, no database.

The same :class:`Chart` gives the browser an inline SVG (:meth:`Chart.svg`) and the PDF a PNG
(:meth:`Chart.png`), so both show the same picture. Inputs are plain dataclasses (:class:`GanttRow`,
:class:`BurndownPoint`, :class:`EvmPoint`) that the progress app fills from its models.

Fonts
-----
Text is set in IPAexGothic shipped inside the ``matplotlib-fontja`` wheel, never a system font, so a fresh
machine draws the same glyphs. The file is located without importing ``matplotlib_fontja`` (its import
changes matplotlib's global ``font.family``) and registered under a private family name, so a system copy of
IPAexGothic can never be picked instead. Characters IPAexGothic lacks fall back to the DejaVu Sans that ships
inside matplotlib; characters neither font has (emoji, rare kanji outside JIS) are drawn as "□" instead of
raising matplotlib's missing-glyph warning. IPAexGothic has no bold face: emphasis uses size and colour.

SVG for inline HTML
-------------------
``svg.fonttype = 'path'``: text becomes outlines, so the browser needs no font. The markup is made safe to
inline in a page served with this project's Content-Security-Policy (no inline styles): no XML prolog or
DOCTYPE, no ``<script>``, no ``<style>`` element and no ``style=`` attribute (matplotlib's inline styles are
rewritten as SVG presentation attributes), and every ``id`` is prefixed per chart so two charts on one page
do not clash. The root carries ``role="img"`` and an ``aria-label``.

Threads
-------
Only :class:`matplotlib.figure.Figure` with an explicit Agg canvas is used (never ``pyplot``). matplotlib's
rcParams are process-global, so building and saving a chart happen under one module lock inside an
``rc_context`` that starts from matplotlib's defaults (not from whatever another module configured).

Dates
-----
Every date is a calendar ``datetime.date`` in Japan (``datetime`` is refused, as in
:mod:`shinrai.progress.workdays`). In a Gantt a task from ``start`` to ``finish`` covers whole days,
both ends included. Weekends and Japanese public holidays (plus ``extra_holidays``, e.g. the year-end break)
are shaded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import io
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import quoteattr  # escapes what we write, parses nothing  # nosec B406

import matplotlib as mpl
import PIL.Image
from matplotlib import font_manager, transforms
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, NullLocator

from . import workdays
from .evm import EvmResult

__all__ = [
    "FONT_FAMILY",
    "FONT_PATH",
    "LABELS",
    "MAX_GANTT_ROWS",
    "STATUS_COLORS",
    "BurndownPoint",
    "Chart",
    "EvmPoint",
    "GanttRow",
    "burndown",
    "evm",
    "gantt",
]

# ----------------------------------------------------------------------------------------------------
# Fonts


def _packaged_font_path() -> Path:
    """IPAexGothic inside the installed matplotlib-fontja wheel, found without importing the package."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "fonts" / "ipaexg.ttf"
        if candidate.is_file():
            return candidate
    raise RuntimeError(
        "matplotlib-fontja is not installed: charts need its bundled Japanese font (ipaexg.ttf)"
    )


#: The Japanese font file every chart is drawn with (IPAexGothic from the matplotlib-fontja package).
FONT_PATH = _packaged_font_path()
#: DejaVu Sans shipped inside matplotlib: fallback for the few symbols IPAexGothic lacks.
FALLBACK_FONT_PATH = Path(mpl.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
#: Private family names: only the files above answer to them, whatever fonts the system has.
FONT_FAMILY = "Shinrai IPAexGothic"
FALLBACK_FONT_FAMILY = "Shinrai DejaVu Sans"


def _register_font(path: Path, family: str) -> None:
    manager = font_manager.fontManager
    if any(entry.name == family for entry in manager.ttflist):
        return
    entry = dataclasses.replace(font_manager.ttfFontProperty(FT2Font(str(path))), name=family)
    manager.ttflist.append(entry)
    # Same as FontManager.addfont does after adding a font: forget cached look-ups.
    cache_clear = getattr(manager._findfont_cached, "cache_clear", None)
    if cache_clear is not None:
        cache_clear()


_register_font(FONT_PATH, FONT_FAMILY)
_register_font(FALLBACK_FONT_PATH, FALLBACK_FONT_FAMILY)


@lru_cache(maxsize=2)
def _charmap(path: Path) -> frozenset[int]:
    return frozenset(FT2Font(str(path)).get_charmap())


def _covered_codepoints() -> frozenset[int]:
    return _charmap(FONT_PATH) | _charmap(FALLBACK_FONT_PATH)


_MISSING_GLYPH = "\u25a1"  # □


def displayable(text: str) -> str:
    """``text`` on one line, with characters that no bundled font can draw replaced by "□"."""
    covered = _covered_codepoints()
    out = []
    for char in unicodedata.normalize("NFC", str(text)):
        if (
            unicodedata.category(char) == "Cf"
            or 0xFE00 <= ord(char) <= 0xFE0F
            or 0xE0100 <= ord(char) <= 0xE01EF
        ):
            continue  # zero-width joiners, variation selectors (emoji style): nothing to draw
        if ord(char) in covered:
            out.append(char)
        elif char in "\t\n\r\v\f\u2028\u2029":
            out.append(" ")
        elif unicodedata.category(char) in ("Mn", "Me", "Cc"):
            continue  # a combining mark no font has, a control character
        else:
            out.append(_MISSING_GLYPH)
    return "".join(out)


_GLYPH_SCALE = 100  # glyph outlines are loaded at 100 units per em


@lru_cache(maxsize=2)
def _outline_font(path: Path) -> FT2Font:
    font = FT2Font(str(path))
    font.set_size(_GLYPH_SCALE, 72)
    return font


@lru_cache(maxsize=8192)
def _glyph(char: str) -> tuple[MplPath | None, float]:
    """Outline of ``char`` (1/100 em units, baseline at y = 0; ``None`` for blanks) and its advance in em.

    From IPAexGothic, else from the fallback font; a character neither has measures 1 em (it is shown as
    "□" anyway, see :func:`displayable`).
    """
    for path in (FONT_PATH, FALLBACK_FONT_PATH):
        if ord(char) in _charmap(path):
            with _LOCK:  # an FT2Font holds the loaded glyph: one thread at a time
                font = _outline_font(path)
                glyph = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
                vertices, codes = font.get_path()
            advance = glyph.linearHoriAdvance / 65536 / _GLYPH_SCALE
            return (MplPath(vertices, codes) if len(codes) else None), advance
    return None, 1.0


def _advance_em(char: str) -> float:
    return _glyph(char)[1]


def _text_width(text: str, size: float) -> float:
    """Width of one line of ``text`` in inches at ``size`` points (IPAexGothic advances, no kerning)."""
    return sum(_advance_em(char) for char in text) * size / 72


def fit_text(text: str, width: float, size: float) -> str:
    """``text`` cut with "…" so that it fits ``width`` inches at ``size`` points."""
    if _text_width(text, size) <= width:
        return text
    budget = width - _text_width("…", size)
    used = 0.0
    for index, char in enumerate(text):
        used += _advance_em(char) * size / 72
        if used > budget:
            return text[:index].rstrip() + "…"
    return text


class _GlyphRuns:
    """Many short one-line labels, drawn as glyph outlines: one collection per (character, size).

    matplotlib shapes every ``Text`` with libraqm (about 0.05 ms per glyph, several times over when measuring
    and drawing); a 200-row Gantt has some 4,000 glyphs in its name column. Here each distinct glyph is
    loaded once and stamped at every position, which also keeps the SVG small (one definition per
    character, ``<use>`` for each occurrence). No shaping and no kerning: right for Japanese, and the
    IPAexGothic Latin letters read fine without kerning at label sizes.
    """

    def __init__(self) -> None:
        self._stamps: dict[tuple[str, float], tuple[list[tuple[float, float]], list[str]]] = {}

    def add(self, x: float, y: float, text: str, *, size: float, color: str, ha: str = "left") -> None:
        """Queue ``text`` with its baseline centred on ``y``; ``x`` is in inches along the axes' x data."""
        pen = x - (_text_width(text, size) if ha == "right" else 0.0)
        for char in text:
            outline, advance = _glyph(char)
            if outline is not None:
                positions, colors = self._stamps.setdefault((char, size), ([], []))
                positions.append((pen, y))
                colors.append(color)
            pen += advance * size / 72

    def draw(self, ax, figure: Figure, *, zorder: float = 3) -> None:
        """Add the queued glyphs to ``ax``, whose x data unit must be the inch (offsets are inches)."""
        for (char, size), (positions, colors) in self._stamps.items():
            # Outline units → points → inches → pixels at whatever dpi the figure is saved with; the
            # baseline sits 0.36 em below the row centre so that kana and kanji look vertically centred.
            scale = size / _GLYPH_SCALE / 72
            transform = transforms.Affine2D().scale(scale).translate(0, -0.36 * size / 72)
            collection = PathCollection(
                [_glyph(char)[0]],
                offsets=positions,
                offset_transform=ax.transData,
                transform=transform + figure.dpi_scale_trans,
                facecolors=colors,
                edgecolors="none",
                linewidths=0,
                zorder=zorder,
                clip_on=False,
            )
            ax.add_collection(collection, autolim=False)


# ----------------------------------------------------------------------------------------------------
# Rendering context

_NOT_STYLE = (
    "backend",
    "interactive",
    "webagg.",
    "tk.",
    "toolbar",
    "docstring.",
    "savefig.directory",
    "figure.max_open_warning",
    "figure.raise_window",
    "timezone",
    "date.epoch",
)
_INK = "#1F2933"
_MUTED = "#52606D"
GRID_COLOUR = "#D9DEE5"

#: matplotlib's defaults plus this module's style: another module's global settings never leak in.
_RC = {key: value for key, value in mpl.rcParamsDefault.items() if not key.startswith(_NOT_STYLE)}
_RC.update(
    {
        "font.family": [FONT_FAMILY, FALLBACK_FONT_FAMILY],
        "font.size": 8.0,
        "text.usetex": False,
        "text.parse_math": False,  # task names are text: "$100" must not turn into mathtext
        "text.color": _INK,
        "axes.edgecolor": "#AEB6C1",
        "axes.labelcolor": _MUTED,
        "axes.linewidth": 0.6,
        "axes.unicode_minus": True,
        "axes.formatter.use_locale": False,
        "xtick.color": "#AEB6C1",
        "ytick.color": "#AEB6C1",
        "xtick.labelcolor": _MUTED,
        "ytick.labelcolor": _MUTED,
        "xtick.labelsize": 7.5,
        "ytick.labelsize": 7.5,
        "legend.fontsize": 7.5,
        "legend.frameon": False,
        "lines.solid_capstyle": "butt",
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.bbox": None,  # keep the exact size: width in pixels = inches × dpi
        "svg.fonttype": "path",
        "svg.hashsalt": "shinrai-charts",
        "svg.image_inline": True,
        "path.simplify": True,
    }
)

_LOCK = threading.RLock()


@contextmanager
def plotting() -> Iterator[None]:
    """Serialise chart work in this process and apply the module's rcParams while it runs."""
    with _LOCK, mpl.rc_context(_RC):
        yield


# ----------------------------------------------------------------------------------------------------
# Labels and colours

#: Built-in texts; pass ``labels=`` to a chart function to override some (e.g. with the app's translations).
LABELS: dict[str, dict[str, str]] = {
    "ja": {
        "no_data": "表示するデータがありません",
        "chart_gantt": "ガントチャート",
        "chart_burndown": "バーンダウンチャート",
        "chart_evm": "EVM（出来高）チャート",
        "task": "タスク / マイルストーン",
        "progress": "進捗",
        "baseline": "基準計画",
        "forecast": "見通し",
        "done_part": "進捗済",
        "summary": "集計",
        "milestone": "マイルストーン",
        "baseline_milestone": "基準日",
        "today": "今日",
        "weekend": "土日",
        "holiday": "祝日・休日",
        "omitted": "先頭 {shown} 行のみ表示しています（残り {omitted} 行は省略）",
        "slip": "{days:+d}営業日",
        "done": "完了",
        "remaining": "残作業",
        "estimated": "推定（記録前）",
        "ideal": "理想線",
        "hours": "時間",
        "remaining_axis": "残作業（{unit}）",
        "at": "{label}（{date}時点 {value}）",
        "amount_axis": "累計（{unit}）",
        "amount_axis_plain": "累計",
        "index_axis": "指数",
        "bac": "BAC（総予算）",
        "status_not_started": "未着手",
        "status_in_progress": "進行中",
        "status_done": "完了",
        "status_late": "遅延",
        "status_at_risk": "要注意",
        "status_on_hold": "保留",
    },
    "en": {
        "no_data": "No data to display",
        "chart_gantt": "Gantt chart",
        "chart_burndown": "Burndown chart",
        "chart_evm": "Earned value chart",
        "task": "Task / milestone",
        "progress": "Progress",
        "baseline": "Baseline",
        "forecast": "Forecast",
        "done_part": "Completed",
        "summary": "Summary",
        "milestone": "Milestone",
        "baseline_milestone": "Baseline date",
        "today": "Today",
        "weekend": "Weekend",
        "holiday": "Holiday",
        "omitted": "Showing the first {shown} rows ({omitted} more not shown)",
        "slip": "{days:+d} business days",
        "done": "Done",
        "remaining": "Remaining work",
        "estimated": "Estimated (before records)",
        "ideal": "Ideal",
        "hours": "hours",
        "remaining_axis": "Remaining work ({unit})",
        "at": "{label} ({value} on {date})",
        "amount_axis": "Cumulative ({unit})",
        "amount_axis_plain": "Cumulative",
        "index_axis": "Index",
        "bac": "BAC (budget)",
        "status_not_started": "Not started",
        "status_in_progress": "In progress",
        "status_done": "Done",
        "status_late": "Late",
        "status_at_risk": "At risk",
        "status_on_hold": "On hold",
    },
}

_WEEKDAYS = {"ja": "月火水木金土日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Gantt bar colours by ``GanttRow.status``: (strong, light). Unknown statuses use "in_progress".
STATUS_COLORS: dict[str, tuple[str, str]] = {
    "not_started": ("#7B8794", "#E4E7EB"),
    "in_progress": ("#2F6DB5", "#CFE0F5"),
    "done": ("#2F8F5B", "#CDEBD9"),
    "late": ("#C8374A", "#F6D3D8"),
    "at_risk": ("#D98A00", "#FBE6C2"),
    "on_hold": ("#8E8E8E", "#E8E8E8"),
}
_DEFAULT_STATUS = "in_progress"
_BASELINE = "#9AA5B1"
_SUMMARY = "#3E4C59"
_TODAY = "#D62728"
_WEEKEND = "#EEF1F4"
_HOLIDAY = "#FBE3E3"
_STRIPE = "#F7F9FB"
_PV, _EV, _AC = "#2F6DB5", "#2F8F5B", "#C8374A"
_SPI, _CPI = "#6B3FA0", "#D98A00"

MAX_GANTT_ROWS = 300


def _texts(language: str, overrides: Mapping[str, str] | None) -> dict[str, str]:
    if language not in LABELS:
        raise ValueError(f"language must be one of {sorted(LABELS)}, not {language!r}")
    return {**LABELS[language], **(overrides or {})}


# ----------------------------------------------------------------------------------------------------
# Inputs


def _check_date(value: object, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(
            f"{name} must be a datetime.date (convert a datetime to its Asia/Tokyo date first), "
            f"not {type(value).__name__}"
        )


def _number(value: object, name: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, not {value}")
    return result


@dataclass(frozen=True, slots=True)
class GanttRow:
    """One row of a Gantt chart: a WBS task, a summary (parent) task or a milestone.

    Dates are inclusive calendar days; either of a pair may be ``None`` (no baseline yet, not scheduled),
    and a pair with only one end is drawn as a one-day bar. A milestone is drawn at ``forecast_finish``
    (else ``forecast_start``) with its baseline at ``baseline_finish`` (else ``baseline_start``).
    ``progress`` is percent complete, 0–100. ``status`` picks the colour (see :data:`STATUS_COLORS`).
    """

    label: str
    depth: int = 0
    baseline_start: date | None = None
    baseline_finish: date | None = None
    forecast_start: date | None = None
    forecast_finish: date | None = None
    progress: float = 0.0
    is_milestone: bool = False
    status: str = _DEFAULT_STATUS
    is_summary: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.label, str):
            raise TypeError(f"label must be a str, not {type(self.label).__name__}")
        if isinstance(self.depth, bool) or not isinstance(self.depth, int) or self.depth < 0:
            raise ValueError(f"depth must be an int >= 0, not {self.depth!r}")
        for name in ("baseline_start", "baseline_finish", "forecast_start", "forecast_finish"):
            _check_date(getattr(self, name), name, optional=True)
        for first, last in (("baseline_start", "baseline_finish"), ("forecast_start", "forecast_finish")):
            if getattr(self, first) and getattr(self, last) and getattr(self, first) > getattr(self, last):
                raise ValueError(f"{self.label!r}: {first} {getattr(self, first)} is after {last}")
        progress = _number(self.progress if self.progress is not None else 0, "progress")
        if not 0 <= progress <= 100:
            raise ValueError(f"{self.label!r}: progress must be within 0–100, not {self.progress}")
        object.__setattr__(self, "progress", progress)

    @property
    def baseline(self) -> tuple[date, date] | None:
        return _span(self.baseline_start, self.baseline_finish)

    @property
    def forecast(self) -> tuple[date, date] | None:
        return _span(self.forecast_start, self.forecast_finish)

    def dates(self) -> list[date]:
        return [d for d in (*(self.baseline or ()), *(self.forecast or ())) if d is not None]


def _span(start: date | None, finish: date | None) -> tuple[date, date] | None:
    if start is None and finish is None:
        return None
    return (start or finish, finish or start)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class BurndownPoint:
    """Remaining work (e.g. hours) at the end of ``date``."""

    date: date
    remaining: float

    def __post_init__(self) -> None:
        _check_date(self.date, "date")
        remaining = _number(self.remaining, "remaining")
        if remaining < 0:
            raise ValueError(f"remaining must be >= 0, not {self.remaining}")
        object.__setattr__(self, "remaining", remaining)


@dataclass(frozen=True, slots=True)
class EvmPoint:
    """Cumulative PV/EV/AC at the end of ``date``; EV and AC are ``None`` for future status dates.

    SPI and CPI are computed (EV/PV, EV/AC) when not given. :meth:`from_result` converts an
    :class:`shinrai.progress.evm.EvmResult`.
    """

    date: date
    pv: float
    ev: float | None = None
    ac: float | None = None
    spi: float | None = None
    cpi: float | None = None

    def __post_init__(self) -> None:
        _check_date(self.date, "date")
        pv = _number(self.pv, "pv")
        ev = _number(self.ev, "ev", optional=True)
        ac = _number(self.ac, "ac", optional=True)
        spi = _number(self.spi, "spi", optional=True)
        cpi = _number(self.cpi, "cpi", optional=True)
        if spi is None and ev is not None and pv:
            spi = ev / pv
        if cpi is None and ev is not None and ac:
            cpi = ev / ac
        for name, value in (("pv", pv), ("ev", ev), ("ac", ac), ("spi", spi), ("cpi", cpi)):
            object.__setattr__(self, name, value)

    @classmethod
    def from_result(cls, result: EvmResult) -> EvmPoint:
        def num(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return cls(
            result.status_date,
            float(result.pv),
            float(result.ev),
            float(result.ac),
            num(result.spi),
            num(result.cpi),
        )


# ----------------------------------------------------------------------------------------------------
# Output


_REFERENCE = re.compile(r'(\sid="|\shref="#|\sxlink:href="#|url\(#)')
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_DEFAULT_STYLE = re.compile(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>\s*", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


def _style_to_attributes(match: re.Match[str]) -> str:
    parts = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            parts.append(f' {name.strip()}="{value.strip()}"')
    return "".join(parts)


def _inline_svg(svg: str, label: str) -> str:
    """matplotlib's SVG document → a fragment to inline in HTML under a strict CSP (see module docstring)."""
    svg = svg[svg.index("<svg") :]
    svg = _METADATA.sub("", svg, count=1)
    svg = _DEFAULT_STYLE.sub("", svg, count=1)
    svg = _STYLE_ATTRIBUTE.sub(_style_to_attributes, svg)
    # Every id and every local reference (href="#…", url(#…)) in matplotlib's output gets this chart's prefix.
    prefix = "shinrai-" + hashlib.sha256(svg.encode()).hexdigest()[:10] + "-"
    svg = _REFERENCE.sub(lambda match: match.group(1) + prefix, svg)
    # matplotlib's <style> said "*{stroke-linejoin: round; stroke-linecap: butt}"; as inherited attributes
    # they stay inside this picture instead of styling the whole page.
    root = f'<svg role="img" aria-label={quoteattr(label)} stroke-linejoin="round" stroke-linecap="butt"'
    return root + svg[len("<svg") :]


class Chart:
    """A drawn chart. ``figure`` is a :class:`matplotlib.figure.Figure`; treat it as read-only."""

    __slots__ = ("description", "figure", "kind", "omitted_rows", "title")

    def __init__(
        self, figure: Figure, *, kind: str, texts: Mapping[str, str], title: str = "", omitted_rows: int = 0
    ) -> None:
        self.figure = figure
        self.kind = kind  # "gantt", "burndown" or "evm"
        self.title = title
        #: The SVG's accessible name: the title, else the kind of chart in the chart's language.
        self.description = displayable(title) or texts[f"chart_{kind}"]
        self.omitted_rows = omitted_rows  # Gantt rows left out after max_rows

    @property
    def size_inches(self) -> tuple[float, float]:
        width, height = self.figure.get_size_inches()
        return float(width), float(height)

    def svg(self) -> str:
        """The chart as an ``<svg>`` element for inline HTML: text as paths, no prolog, scripts or styles."""
        buffer = io.StringIO()
        metadata = {"Title": displayable(self.title)} if self.title else None
        with plotting():
            self.figure.savefig(buffer, format="svg", metadata=metadata)
        return _inline_svg(buffer.getvalue(), self.description)

    def png(self, dpi: int = 150) -> bytes:
        """The chart as PNG bytes (RGB, no alpha); the image is (width × dpi) by (height × dpi) pixels.

        Encoded with zlib level 3 rather than matplotlib's RGBA at level 6: a tall Gantt is millions of
        pixels, and this halves the encoding time for a file a few percent larger.
        """
        if isinstance(dpi, bool) or not isinstance(dpi, int) or not 10 <= dpi <= 600:
            raise ValueError(f"dpi must be an int within 10–600, not {dpi!r}")
        figure = self.figure
        with plotting():
            original = figure.dpi
            try:
                figure.set_dpi(dpi)
                canvas = FigureCanvasAgg(figure)
                canvas.draw()
                pixels = canvas.buffer_rgba()
                height, width = pixels.shape[:2]
                image = PIL.Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1).convert(
                    "RGB"
                )
            finally:
                figure.set_dpi(original)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=3, dpi=(dpi, dpi))
        return buffer.getvalue()


def new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)  # the Agg canvas, explicitly: no pyplot, no global backend
    return figure


def _add_axes(figure: Figure, left: float, bottom: float, width: float, height: float):
    """Axes placed in inches from the figure's bottom-left corner."""
    fig_width, fig_height = figure.get_size_inches()
    return figure.add_axes((left / fig_width, bottom / fig_height, width / fig_width, height / fig_height))


def figure_title(figure: Figure, title: str, left: float = 0.15) -> None:
    if title:
        width, height = figure.get_size_inches()
        figure.text(
            left / width,
            1 - 0.14 / height,
            fit_text(displayable(title), width - 2 * left, 12),
            fontsize=12,
            va="top",
            ha="left",
            color=_INK,
        )


def no_data_chart(kind: str, title: str, texts: Mapping[str, str], width: float, height: float) -> Chart:
    with plotting():
        figure = new_figure(width, height)
        figure_title(figure, title)
        top = 0.5 if title else 0.15
        ax = _add_axes(figure, 0.15, 0.15, width - 0.3, height - 0.15 - top)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_color(GRID_COLOUR)
            spine.set_linestyle((0, (4, 3)))
        ax.text(
            0.5,
            0.5,
            texts["no_data"],
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color=_MUTED,
        )
        return Chart(figure, kind=kind, texts=texts, title=title)


# ----------------------------------------------------------------------------------------------------
# Dates on an axis


def _month_label(day: date, language: str, *, with_year: bool = True) -> str:
    if language == "ja":
        return f"{day.year}年{day.month}月" if with_year else f"{day.month}月"
    return f"{_MONTHS_EN[day.month - 1]} {day.year}" if with_year else _MONTHS_EN[day.month - 1]


def _day_label(day: date, language: str, *, weekday: bool = True) -> str:
    if language == "ja":
        return (
            f"{day.month}/{day.day}({_WEEKDAYS['ja'][day.weekday()]})"
            if weekday
            else f"{day.month}/{day.day}"
        )
    return f"{_MONTHS_EN[day.month - 1]} {day.day}"


def _year_label(year: int, language: str) -> str:
    return f"{year}年" if language == "ja" else str(year)


def _next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _month_starts(first: date, last: date) -> list[date]:
    """The first day of every month that begins in [first, last]."""
    out = []
    current = date(first.year, first.month, 1)
    while current <= last:
        if current >= first:
            out.append(current)
        current = _next_month(current)
    return out


def _non_business_days(first: date, last: date, extra_holidays) -> tuple[list[date], list[date]]:
    """(weekend days that are not holidays, holidays) in [first, last]."""
    holidays = [day for day, _ in workdays.holidays_between(first, last, extra_holidays=extra_holidays)]
    holiday_set = set(holidays)
    weekends = []
    day = first + timedelta(days=(5 - first.weekday()) % 7)  # first Saturday
    while day <= last:
        weekends += [d for d in (day, day + timedelta(days=1)) if d <= last and d not in holiday_set]
        day += timedelta(days=7)
    return weekends, holidays


def _shade_days(ax, origin: date, first: date, last: date, extra_holidays, *, weekends: bool = True) -> None:
    """Shade weekend and holiday columns; the collections carry gids for tests and styling."""
    weekend_days, holidays = _non_business_days(first, last, extra_holidays)
    blended = transforms.blended_transform_factory(ax.transData, ax.transAxes)
    for days, color, gid in (
        (weekend_days if weekends else [], _WEEKEND, "shinrai-weekends"),
        (holidays, _HOLIDAY, "shinrai-holidays"),
    ):
        xs = [(day - origin).days for day in days]
        verts = [((x, 0), (x + 1, 0), (x + 1, 1), (x, 1)) for x in xs]
        collection = PolyCollection(verts, facecolors=color, edgecolors="none", transform=blended, zorder=0.2)
        collection.set_gid(gid)
        ax.add_collection(collection, autolim=False)


def _line_chart_ticks(ax, origin: date, first: date, last: date, width: float, language: str) -> None:
    """Date ticks for a line chart: days, weeks or months, as dense as the labels allow."""
    days = (last - first).days + 1
    day_width = width / days
    size = 7.5
    candidates: list[tuple[str, int]] = [("day", 1), ("week", 1), ("week", 2), ("week", 4)]
    candidates += [("month", 1), ("month", 2), ("month", 3), ("month", 6), ("month", 12)]
    for unit, step in candidates:
        if unit == "day":
            ticks = [first + timedelta(days=i) for i in range(days)]
            spacing = day_width
        elif unit == "week":
            monday = first + timedelta(days=(-first.weekday()) % 7)
            ticks = [monday + timedelta(weeks=i) for i in range(0, (last - monday).days // 7 + 1, step)]
            spacing = 7 * step * day_width
        else:
            starts = _month_starts(first, last)
            ticks = [d for d in starts if (d.year * 12 + d.month - 1) % step == 0]
            spacing = 30.4 * step * day_width
        sample = (
            _day_label(date(2026, 12, 28), language) if unit != "month" else _month_label(first, language)
        )
        if spacing >= _text_width(sample, size) + 0.12:
            break
    labels = []
    previous_year = None
    for tick in ticks:
        if unit == "month":
            labels.append(_month_label(tick, language))
        else:
            label = _day_label(tick, language)
            if tick.year != previous_year:
                label += "\n" + _year_label(tick.year, language)
            labels.append(label)
        previous_year = tick.year
    ax.set_xticks([(tick - origin).days + 0.5 for tick in ticks], labels)
    ax.xaxis.set_minor_locator(NullLocator())
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.5)
    ax.tick_params(axis="x", length=3, width=0.6)


def _today_line(ax, origin: date, first: date, last: date, today: date | None, **kwargs) -> bool:
    if today is None or not first <= today <= last:
        return False
    ax.axvline((today - origin).days + 0.5, color=_TODAY, linewidth=1.2, zorder=5, **kwargs)
    return True


def _format_amount(value: float) -> str:
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


# ----------------------------------------------------------------------------------------------------
# Gantt

_ROW_HEIGHT = 0.25  # inches per row
_LABEL_SIZE = 7.5
_HEADER_SIZE = 7.5


def gantt(
    rows: Iterable[GanttRow],
    *,
    today: date,
    start: date | None = None,
    end: date | None = None,
    zoom: str = "week",
    title: str = "",
    language: str = "ja",
    extra_holidays: workdays.Holidays = (),
    width: float = 10.0,
    max_rows: int = MAX_GANTT_ROWS,
    labels: Mapping[str, str] | None = None,
) -> Chart:
    """A Gantt chart: one row per task or milestone, baseline (thin grey) under forecast (thick) bars.

    The forecast bar is filled from its start up to ``progress`` percent. Milestones are diamonds, with
    a hollow grey diamond at the baseline date and the slip in business days when the forecast moved
    (as on the roadmap: weekends, Japanese public holidays and ``extra_holidays`` not counted).
    Weekends and holidays are shaded, today is a red line. ``zoom`` "week" labels each week
    (``11/23(月)``) under a month header (``2026年11月``); "month" labels months under a year header.
    The range defaults to the rows' dates rounded out to whole weeks or months. The figure is ``width``
    inches wide and grows with the number of rows; rows after ``max_rows`` are left out with a note.
    """
    texts = _texts(language, labels)
    _check_date(today, "today")
    _check_date(start, "start", optional=True)
    _check_date(end, "end", optional=True)
    if zoom not in ("week", "month"):
        raise ValueError(f"zoom must be 'week' or 'month', not {zoom!r}")
    if start and end and start > end:
        raise ValueError(f"start {start} is after end {end}")
    rows = list(rows)
    for row in rows:
        if not isinstance(row, GanttRow):
            raise TypeError(f"rows must be GanttRow, not {type(row).__name__}")
    shown = rows[: max(max_rows, 0)]
    if not shown:
        return no_data_chart("gantt", title, texts, width, 2.2)

    dates = [d for row in shown for d in row.dates()]
    first = start or (min(dates) if dates else today)
    last = end or (max(dates) if dates else today)
    if first > last:  # only one end given, on the wrong side of the data
        first, last = (first, first) if start else (last, last)
    if start is None:
        first = first - timedelta(days=first.weekday()) if zoom == "week" else first.replace(day=1)
    if end is None:
        if zoom == "week":
            last = last + timedelta(days=6 - last.weekday())
        else:
            last = _next_month(last) - timedelta(days=1)

    with plotting():
        return _draw_gantt(
            shown,
            len(rows) - len(shown),
            texts,
            language,
            today,
            first,
            last,
            zoom,
            title,
            extra_holidays,
            width,
        )


def _draw_gantt(rows, omitted, texts, language, today, first, last, zoom, title, extra_holidays, width):
    n = len(rows)
    label_width = min(3.6, max(2.2, width * 0.3))
    right = 0.3
    plot_width = width - label_width - right
    span_days = (last - first).days + 1
    day_width = plot_width / span_days
    tall = n > 25  # repeat the date labels under the rows
    has_today = first <= today <= last
    legend = _gantt_legend_entries(rows, texts, today if has_today else None)
    legend_columns, legend_rows = _legend_shape([name for _, name in legend], width - 0.3)
    title_height = 0.5 if title else 0.15
    legend_height = 0.2 * legend_rows + 0.12
    tiers = _gantt_tiers(first, last, zoom, day_width, language)
    top = title_height + legend_height + (0.45 if tiers[1] else 0.3)  # title, legend, date header
    bottom = 0.15 + (0.3 if tall else 0.0) + (0.3 if omitted else 0.0)
    height = top + n * _ROW_HEIGHT + bottom
    figure = new_figure(width, height)
    figure_title(figure, title)
    figure.legend(
        [handle for handle, _ in legend],
        [name for _, name in legend],
        loc="upper left",
        bbox_to_anchor=(0.1 / width, 1 - (title_height + 0.02) / height),
        ncol=legend_columns,
        handlelength=1.6,
        handleheight=0.8,
        handletextpad=0.8,
        columnspacing=1.4,
        borderaxespad=0,
        borderpad=0.2,
    )

    origin = first
    ax = _add_axes(figure, label_width, bottom, plot_width, n * _ROW_HEIGHT)
    name_width = label_width - 0.25
    names = _add_axes(figure, 0.15, bottom, name_width, n * _ROW_HEIGHT)
    for axes in (ax, names):
        axes.set_ylim(n - 0.5, -0.5)
        axes.set_facecolor("none")
        axes.xaxis.set_major_locator(NullLocator())
        axes.yaxis.set_major_locator(NullLocator())
    ax.set_xlim(0, span_days)
    names.set_xlim(0, name_width)
    names.set_axis_off()
    for spine in ("left", "right"):
        ax.spines[spine].set_visible(False)

    # Zebra stripes across the name column and the timeline.
    for axes in (names, ax):
        stripes = [((0, i - 0.5), (1, i - 0.5), (1, i + 0.5), (0, i + 0.5)) for i in range(1, n, 2)]
        blended = transforms.blended_transform_factory(axes.transAxes, axes.transData)
        axes.add_collection(
            PolyCollection(stripes, facecolors=_STRIPE, edgecolors="none", transform=blended, zorder=0.1),
            autolim=False,
        )

    _shade_days(ax, origin, first, last, extra_holidays, weekends=day_width >= 0.025)
    _gantt_header(figure, ax, names, texts, tiers, origin, last, day_width, tall)

    def x(day: date) -> float:
        return (day - origin).days

    baseline_verts, forecast_verts, forecast_colors, forecast_edges = [], [], [], []
    done_verts, done_colors, summary_verts = [], [], []
    milestones: dict[str, list] = {"x": [], "y": [], "color": [], "bx": [], "by": []}
    for i, row in enumerate(rows):
        strong, light = STATUS_COLORS[_row_status(row)]
        baseline, forecast = row.baseline, row.forecast
        if row.is_milestone:
            point = row.forecast_finish or row.forecast_start
            base_point = row.baseline_finish or row.baseline_start
            if base_point:
                milestones["bx"].append(x(base_point) + 0.5)
                milestones["by"].append(i)
            if point:
                milestones["x"].append(x(point) + 0.5)
                milestones["y"].append(i)
                milestones["color"].append(strong)
                if first <= point <= last:  # a note outside the range would be drawn over the names
                    _milestone_note(
                        ax, figure, i, x(point) + 0.5, point, base_point, row, texts, extra_holidays
                    )
            continue
        if baseline:
            baseline_verts.append(_bar(x(baseline[0]), x(baseline[1]) + 1, i + 0.2, i + 0.36))
        if forecast:
            x0, x1 = x(forecast[0]), x(forecast[1]) + 1
            if row.is_summary:
                summary_verts.append(_summary_bar(x0, x1, i, day_width))
                if row.progress:
                    done_verts.append(_bar(x0, x0 + (x1 - x0) * row.progress / 100, i - 0.12, i + 0.02))
                    done_colors.append(strong)
            else:
                forecast_verts.append(_bar(x0, x1, i - 0.3, i + 0.12))
                forecast_colors.append(light)
                forecast_edges.append(strong)
                if row.progress:
                    done_verts.append(_bar(x0, x0 + (x1 - x0) * row.progress / 100, i - 0.3, i + 0.12))
                    done_colors.append(strong)

    def add(verts, **kwargs) -> None:
        if verts:
            ax.add_collection(PolyCollection(verts, **kwargs), autolim=False)

    add(baseline_verts, gid="shinrai-baseline", facecolors=_BASELINE, edgecolors="none", zorder=2)
    add(
        forecast_verts,
        gid="shinrai-forecast",
        facecolors=forecast_colors,
        edgecolors=forecast_edges,
        linewidths=0.6,
        zorder=3,
    )
    add(summary_verts, gid="shinrai-summary", facecolors=_SUMMARY, edgecolors="none", zorder=3)
    add(done_verts, gid="shinrai-progress", facecolors=done_colors, edgecolors="none", zorder=4)
    if milestones["bx"]:
        ax.scatter(
            milestones["bx"],
            milestones["by"],
            marker="D",
            s=24,
            facecolors="white",
            edgecolors=_BASELINE,
            linewidths=1.0,
            zorder=5,
            gid="shinrai-baseline-milestones",
        )
    if milestones["x"]:
        ax.scatter(
            milestones["x"],
            milestones["y"],
            marker="D",
            s=44,
            c=milestones["color"],
            edgecolors="white",
            linewidths=0.6,
            zorder=6,
            gid="shinrai-milestones",
        )
    if has_today:
        ax.axvline(x(today) + 0.5, color=_TODAY, linewidth=1.3, zorder=7, gid="shinrai-today")

    # Names (indented by WBS depth) and percent complete.
    indent = 0.16
    percent_width = _text_width("100%", _LABEL_SIZE) + 0.05
    glyphs = _GlyphRuns()
    for i, row in enumerate(rows):
        left = min(row.depth, 8) * indent + 0.04
        label = fit_text(displayable(row.label), name_width - left - percent_width - 0.1, _LABEL_SIZE)
        color = _INK if row.is_summary or row.depth == 0 else "#323F4B"
        glyphs.add(left, i, label, size=_LABEL_SIZE, color=color)
        if row.is_milestone:
            note = texts["done"] if row.progress >= 100 else ""
        else:
            note = f"{row.progress:.0f}%" if row.forecast or row.progress else ""
        if note:
            glyphs.add(name_width - 0.02, i, note, size=7, color=_MUTED, ha="right")
    glyphs.draw(names, figure)

    if omitted:
        figure.text(
            0.15 / width,
            0.12 / height,
            texts["omitted"].format(shown=n, omitted=omitted),
            fontsize=8,
            color=_TODAY,
            va="bottom",
        )
    return Chart(figure, kind="gantt", texts=texts, title=title, omitted_rows=omitted)


def _row_status(row: GanttRow) -> str:
    if row.is_milestone and row.progress >= 100:
        return "done"
    return row.status if row.status in STATUS_COLORS else _DEFAULT_STATUS


def _bar(x0: float, x1: float, y0: float, y1: float):
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _summary_bar(x0: float, x1: float, y: float, day_width: float):
    """A WBS summary bar: a slim bar with downward points at both ends (as in MS Project)."""
    tip = min(0.07 / day_width, (x1 - x0) / 2)  # about 0.07 inch, whatever the zoom
    top, bar_bottom, point = y - 0.12, y + 0.02, y + 0.22
    return ((x0, top), (x1, top), (x1, point), (x1 - tip, bar_bottom), (x0 + tip, bar_bottom), (x0, point))


def _milestone_note(ax, figure, i, x, point, base_point, row, texts, extra_holidays) -> None:
    """Date (and slip against the baseline, in business days) to the right of a milestone diamond."""
    label = f"{point.month}/{point.day}"
    color = _MUTED
    slip = 0
    if base_point:
        slip = workdays.business_days_between(
            base_point, point, inclusive=False, extra_holidays=extra_holidays
        )
    if slip:
        label += " " + texts["slip"].format(days=slip)
        if slip > 0 and row.progress < 100:
            color = STATUS_COLORS["late"][0]
    offset = transforms.offset_copy(ax.transData, fig=figure, x=7, units="points")
    ax.text(
        x, i, label, transform=offset, fontsize=6.5, color=color, va="center_baseline", ha="left", zorder=6
    )


def _gantt_tiers(first: date, last: date, zoom: str, day_width: float, language: str):
    """Date header of a Gantt: (lower labels, upper labels, thin grid dates, strong grid dates).

    Week zoom: weeks (``11/23(月)``, every 2nd/4th… week when they do not fit) under months. Month zoom:
    ``2026年11月`` when it fits a month, else ``11月`` (every 2nd/3rd/6th… month) under years.
    """
    size = _HEADER_SIZE
    months = _month_starts(first, last)
    if zoom == "week":
        monday = first + timedelta(days=(-first.weekday()) % 7)
        cells = [monday + timedelta(weeks=i) for i in range((last - monday).days // 7 + 1)]
        # Every week if the labels fit, with the weekday if there is room; else every 2nd, 4th… week.
        step = 1
        while True:
            options = [[_day_label(d, language, weekday=w) for d in cells[::step]] for w in (True, False)]
            fitting = [
                labels
                for labels in options
                if max((_text_width(label, size) for label in labels), default=0) + 0.15
                <= 7 * step * day_width
            ]
            if fitting or step >= 64:
                labels = (fitting or options)[0]
                break
            step *= 2
        lower = list(zip(cells[::step], labels, strict=True))
        upper = [(d, _month_label(d, language)) for d in [first, *[m for m in months if m != first]]]
        return lower, upper, cells, months
    month_width = 28 * day_width  # the shortest month
    full = _text_width(_month_label(date(2026, 11, 1), language), size) + 0.1 <= month_width
    step = 1
    while not full and step < 12 and step * month_width < _text_width("12月", size) + 0.1:
        step = {1: 2, 2: 3, 3: 6, 6: 12}[step]
    cells = [first, *[m for m in months if m != first]]
    lower = [
        (d, _month_label(d, language, with_year=full))
        for d in cells
        if (d.month - 1) % step == 0 or (d == first and step == 1)
    ]
    years = [date(y, 1, 1) for y in range(first.year + 1, last.year + 1)]
    upper = [] if full else [(d, _year_label(d.year, language)) for d in [first, *years]]
    return lower, upper, months, years


def _gantt_header(figure, ax, names, texts, tiers, origin, last, day_width, tall):
    """The date header over the timeline (repeated under it for tall charts) and the column headings."""
    size = _HEADER_SIZE
    lower, upper, thin, strong = tiers

    def x(day: date) -> float:
        return (day - origin).days

    end = x(last) + 1
    vertical = ax.get_xaxis_transform()
    ax.vlines([x(d) for d in thin], 0, 1, transform=vertical, colors=GRID_COLOUR, linewidths=0.5, zorder=1)
    ax.vlines([x(d) for d in strong], 0, 1, transform=vertical, colors="#B8C1CC", linewidths=0.8, zorder=1)

    pad = 0.05 / day_width
    placements = [(lower, 4, "bottom", 1)]
    if upper:
        placements.append((upper, 17, "bottom", 1))
    if tall:
        placements.append((lower, -4, "top", 0))
    for labels, offset_points, va, y in placements:
        transform = transforms.offset_copy(
            ax.get_xaxis_transform(), fig=figure, y=offset_points, units="points"
        )
        for day, label in _placeable(labels, x, end, size, day_width):
            ax.text(
                max(x(day), 0) + pad,
                y,
                label,
                transform=transform,
                fontsize=size,
                va=va,
                ha="left",
                color=_INK if labels is upper else _MUTED,
                clip_on=False,
            )

    heading = transforms.offset_copy(names.transAxes, fig=figure, y=4, units="points")
    names.text(0.04, 1, texts["task"], transform=heading, fontsize=size, color=_MUTED, va="bottom", ha="left")
    names.text(
        1, 1, texts["progress"], transform=heading, fontsize=size, color=_MUTED, va="bottom", ha="right"
    )
    names.axhline(-0.5, color="#AEB6C1", linewidth=0.6, clip_on=False)


def _placeable(labels, x, end, size, day_width):
    """Labels whose text fits before the next label (or the chart's end); the first one when none does."""
    out = []
    for index, (day, label) in enumerate(labels):
        start = max(x(day), 0)
        limit = max(x(labels[index + 1][0]), 0) if index + 1 < len(labels) else end
        if (limit - start) * day_width >= _text_width(label, size) + 0.13:  # 0.05 inch pad + 0.08 gap
            out.append((day, label))
    return out or labels[:1]


def _gantt_legend_entries(rows, texts, today: date | None) -> list[tuple[object, str]]:
    strong, light = STATUS_COLORS[_DEFAULT_STATUS]
    statuses = {_row_status(row) for row in rows if row.forecast}
    entries: list[tuple[object, str]] = []
    if any(row.baseline for row in rows if not row.is_milestone):
        entries.append(
            (Line2D([], [], color=_BASELINE, linewidth=3.5, solid_capstyle="butt"), texts["baseline"])
        )
    entries.append((Patch(facecolor=light, edgecolor=strong, linewidth=0.6), texts["forecast"]))
    entries.append((Patch(facecolor=strong, edgecolor="none"), texts["done_part"]))
    for status in ("late", "at_risk", "done", "not_started", "on_hold"):
        if status in statuses:
            entries.append(
                (Patch(facecolor=STATUS_COLORS[status][0], edgecolor="none"), texts[f"status_{status}"])
            )
    if any(row.is_milestone for row in rows):
        marker = Line2D(
            [], [], marker="D", color=strong, markersize=5, linestyle="none", markeredgecolor="white"
        )
        entries.append((marker, texts["milestone"]))
    if today is not None:
        entries.append(
            (Line2D([], [], color=_TODAY, linewidth=1.3), f"{texts['today']} {today.month}/{today.day}")
        )
    entries.append((Patch(facecolor=_HOLIDAY, edgecolor="none"), texts["holiday"]))
    entries.append((Patch(facecolor=_WEEKEND, edgecolor=GRID_COLOUR, linewidth=0.4), texts["weekend"]))
    return entries


def _legend_shape(names: list[str], available: float, size: float = 7.5) -> tuple[int, int]:
    """(columns, rows) of a legend that fits ``available`` inches (handle 1.6 em, pads 0.8 + 1.4 em)."""
    for columns in range(len(names), 0, -1):
        rows = math.ceil(len(names) / columns)
        widths = [
            max(_text_width(name, size) for name in names[c * rows : (c + 1) * rows])
            for c in range(math.ceil(len(names) / rows))
        ]
        if sum(widths) + len(widths) * 3.8 * size / 72 <= available:
            return columns, rows
    return 1, len(names)


# ----------------------------------------------------------------------------------------------------
# Burndown


def line_layout(figure, title: str, legends: list[list[str]], panels: list[float], width: float):
    """Axes stacked top to bottom, each under its own one-line-or-more legend; returns (axes, legend anchors).

    ``panels`` are relative heights. Margins are fixed in inches so that fonts keep their size.
    """
    fig_width, fig_height = figure.get_size_inches()
    left, right, bottom = 0.8, 0.3, 0.55
    top = 0.5 if title else 0.15
    shapes = [_legend_shape(names, fig_width - left - right) for names in legends]
    legend_heights = [0.2 * rows + 0.1 for _, rows in shapes]
    gaps = 0.12 * (len(panels) - 1)
    usable = fig_height - top - bottom - sum(legend_heights) - gaps
    axes, anchors = [], []
    y = fig_height - top
    for relative, legend_height, (columns, _) in zip(panels, legend_heights, shapes, strict=True):
        anchors.append(((left - 0.05) / fig_width, y / fig_height, columns))
        y -= legend_height
        height = usable * relative / sum(panels)
        axes.append(_add_axes(figure, left, y - height, fig_width - left - right, height))
        y -= height + 0.12
    return axes, anchors


def place_legend(figure, ax, anchor) -> None:
    x, y, columns = anchor
    handles, names = ax.get_legend_handles_labels()
    figure.legend(
        handles,
        names,
        loc="upper left",
        bbox_to_anchor=(x, y),
        ncol=columns,
        handlelength=2.2,
        handletextpad=0.8,
        columnspacing=1.4,
        borderaxespad=0,
        borderpad=0.2,
    )


def _style_line_axes(ax, origin, first, last, plot_width, language, extra_holidays, *, weekends) -> None:
    span = (last - first).days + 1
    ax.set_xlim(0, span)
    _shade_days(ax, origin, first, last, extra_holidays, weekends=weekends and plot_width / span >= 0.03)
    _line_chart_ticks(ax, origin, first, last, plot_width, language)
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.5)
    ax.set_axisbelow(True)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


def _at(texts, label: str, day: date, value: str) -> str:
    return texts["at"].format(label=label, date=f"{day.month}/{day.day}", value=value)


def burndown(
    points: Iterable[BurndownPoint],
    *,
    start: date | None = None,
    target: date | None = None,
    total: float | None = None,
    today: date | None = None,
    title: str = "",
    language: str = "ja",
    unit: str | None = None,
    extra_holidays: workdays.Holidays = (),
    width: float = 8.0,
    height: float = 4.0,
    labels: Mapping[str, str] | None = None,
    estimated_before: date | None = None,
) -> Chart:
    """Remaining work over time against the ideal line from ``start`` (``total``) to ``target`` (zero).

    ``start`` and ``total`` default to the first point. The ideal line falls only on business days (flat over
    weekends and holidays), like PV in :mod:`shinrai.progress.evm`; without ``target`` it is not drawn.
    ``unit`` names the y axis unit (default: hours). Weekends and holidays are shaded. Points dated before
    ``estimated_before`` are estimates, not records: drawn hollow on a dotted line, with their own legend.
    """
    texts = _texts(language, labels)
    for value, name in (
        (start, "start"),
        (target, "target"),
        (today, "today"),
        (estimated_before, "estimated_before"),
    ):
        _check_date(value, name, optional=True)
    points = list(points)
    for point in points:
        if not isinstance(point, BurndownPoint):
            raise TypeError(f"points must be BurndownPoint, not {type(point).__name__}")
    points.sort(key=lambda point: point.date)
    if not points:
        return no_data_chart("burndown", title, texts, width, height)
    start = start or points[0].date
    total = _number(total, "total") if total is not None else points[0].remaining
    if target is not None and target < start:
        raise ValueError(f"target {target} is before start {start}")
    unit = texts["hours"] if unit is None else unit

    with plotting():
        first = min(start, points[0].date) - timedelta(days=1)
        last = max(d for d in (target, points[-1].date, start) if d is not None) + timedelta(days=1)
        origin = first
        figure = new_figure(width, height)
        figure_title(figure, title)

        def x(day: date) -> float:
            return (day - origin).days + 0.5

        series = []
        latest = f"{_format_amount(points[-1].remaining)} {unit}".strip()
        series.append(_at(texts, texts["remaining"], points[-1].date, latest))
        estimated = [p for p in points if estimated_before is not None and p.date < estimated_before]
        recorded = points[len(estimated) :]
        if estimated:
            series.append(texts["estimated"])
        if target is not None:
            series.append(texts["ideal"])
        show_today = today is not None and first <= today <= last
        if show_today:
            series.append(f"{texts['today']} {today.month}/{today.day}")
        (ax,), (anchor,) = line_layout(figure, title, [series], [1.0], width)
        plot_width = ax.get_position().width * width
        _style_line_axes(ax, origin, first, last, plot_width, language, extra_holidays, weekends=True)

        if estimated:
            joined = estimated + recorded[:1]  # the dotted part runs into the first recorded point
            ax.plot(
                [x(p.date) for p in joined],
                [p.remaining for p in joined],
                color=_PV,
                linewidth=1.4,
                linestyle=(0, (2, 2)),
                marker="o",
                markersize=3.5,
                markerfacecolor="white",
                zorder=4,
                label=texts["estimated"],
            )
        if recorded:
            ax.plot(
                [x(p.date) for p in recorded],
                [p.remaining for p in recorded],
                color=_PV,
                linewidth=1.9,
                marker="o",
                markersize=3.5,
                zorder=4,
                label=series[0],
            )
        if target is not None:
            days = workdays.business_days_between(
                start, target, inclusive=False, extra_holidays=extra_holidays
            )
            xs, ys, done, day = [], [], 0, start
            while day <= target:
                if day > start and workdays.is_business_day(day, extra_holidays=extra_holidays):
                    done += 1
                xs.append(x(day))
                ys.append(total * (1 - done / days) if days else (total if day < target else 0.0))
                day += timedelta(days=1)
            ax.plot(
                xs, ys, color="#7B8794", linewidth=1.2, linestyle=(0, (5, 3)), label=texts["ideal"], zorder=3
            )
        if show_today:
            ax.axvline(x(today), color=_TODAY, linewidth=1.2, zorder=5, label=series[-1])
        top = max([total, *(p.remaining for p in points)]) or 1.0
        ax.set_ylim(0, top * 1.08)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _format_amount(value)))
        ax.set_ylabel(texts["remaining_axis"].format(unit=unit) if unit else texts["remaining"])
        place_legend(figure, ax, anchor)
        return Chart(figure, kind="burndown", texts=texts, title=title)


# ----------------------------------------------------------------------------------------------------
# EVM


def _marker_size(xs: list[float]) -> float:
    """Small dots on a line; a value known at one date only (no line) gets a dot big enough to see."""
    return 2.8 if len(xs) > 1 else 6.0


def evm(
    points: Iterable[EvmPoint | EvmResult],
    *,
    today: date | None = None,
    bac: float | None = None,
    title: str = "",
    language: str = "ja",
    unit: str = "",
    extra_holidays: workdays.Holidays = (),
    width: float = 8.0,
    height: float = 5.0,
    labels: Mapping[str, str] | None = None,
) -> Chart:
    """Earned value over time: cumulative PV, EV and AC above, SPI and CPI (with the 1.0 line) below.

    ``points`` are :class:`EvmPoint` or :class:`shinrai.progress.evm.EvmResult` (e.g. from
    :func:`shinrai.progress.evm.series`); EV/AC of ``None`` (future status dates) are not drawn, so PV can
    show the whole plan. ``bac`` draws the total budget as a dotted line (taken from the results when they
    are EvmResult). The legend gives each value at the latest status date that has EV. Holidays are
    shaded; SPI/CPI beyond 0–2.5 are cut off at the panel's edge.
    """
    texts = _texts(language, labels)
    _check_date(today, "today", optional=True)
    converted = []
    for point in points:
        if isinstance(point, EvmResult):
            bac = float(point.bac) if bac is None else bac
            point = EvmPoint.from_result(point)
        if not isinstance(point, EvmPoint):
            raise TypeError(f"points must be EvmPoint or EvmResult, not {type(point).__name__}")
        converted.append(point)
    points = sorted(converted, key=lambda point: point.date)
    if not points:
        return no_data_chart("evm", title, texts, width, height)
    bac = _number(bac, "bac", optional=True)
    actuals = [p for p in points if p.ev is not None]
    status = actuals[-1] if actuals else points[-1]

    with plotting():
        first, last = points[0].date - timedelta(days=2), points[-1].date + timedelta(days=2)
        origin = first
        figure = new_figure(width, height)
        figure_title(figure, title)

        def x(day: date) -> float:
            return (day - origin).days + 0.5

        def at(name: str, fmt) -> str:
            value = getattr(status, name)
            return _at(texts, name.upper(), status.date, fmt(value)) if value is not None else name.upper()

        def ratio(value: float) -> str:
            return f"{value:.2f}"

        amount_names = [at(name, _format_amount) for name in ("pv", "ev", "ac")]
        if bac is not None:
            amount_names.append(f"{texts['bac']} {_format_amount(bac)}")
        show_today = today is not None and first <= today <= last
        if show_today:
            amount_names.append(f"{texts['today']} {today.month}/{today.day}")
        index_names = [at(name, ratio) for name in ("spi", "cpi")]
        (upper, lower), anchors = line_layout(figure, title, [amount_names, index_names], [2.2, 1.0], width)
        plot_width = upper.get_position().width * width
        for axes in (upper, lower):
            _style_line_axes(axes, origin, first, last, plot_width, language, extra_holidays, weekends=False)
        upper.tick_params(axis="x", labelbottom=False)

        def series(name: str) -> tuple[list[float], list[float]]:
            pairs = [(x(p.date), getattr(p, name)) for p in points if getattr(p, name) is not None]
            return [a for a, _ in pairs], [b for _, b in pairs]

        amounts = []
        styles = {"pv": (_PV, (0, (5, 2)), 1.5), "ev": (_EV, "-", 2.0), "ac": (_AC, "-", 1.6)}
        for name, label in zip(("pv", "ev", "ac"), amount_names, strict=False):
            color, style, line_width = styles[name]
            xs, ys = series(name)
            amounts += ys
            upper.plot(
                xs,
                ys,
                color=color,
                linestyle=style,
                linewidth=line_width,
                marker="o",
                markersize=_marker_size(xs),
                label=label,
                zorder=6,  # above today's line: a figure known for today only sits on it
            )
        if bac is not None:
            upper.axhline(
                bac, color=_MUTED, linewidth=0.9, linestyle=(0, (1, 2)), zorder=3, label=amount_names[3]
            )
            amounts.append(bac)
        upper.set_ylim(0, (max(amounts) if amounts else 0) * 1.08 or 1)
        upper.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _format_amount(value)))
        upper.set_ylabel(texts["amount_axis"].format(unit=unit) if unit else texts["amount_axis_plain"])

        indices = []
        for name, label, color in (("spi", index_names[0], _SPI), ("cpi", index_names[1], _CPI)):
            xs, ys = series(name)
            indices += ys
            lower.plot(
                xs,
                ys,
                color=color,
                linewidth=1.7,
                marker="o",
                markersize=_marker_size(xs),
                zorder=6,
                label=label,
            )
        low = max(0.0, min([0.6, *[v - 0.1 for v in indices]]))
        high = min(2.5, max([1.4, *[v + 0.1 for v in indices]]))
        lower.set_ylim(low, high)
        lower.axhspan(low, 1.0, color=STATUS_COLORS["late"][1], alpha=0.3, linewidth=0, zorder=0.3)
        lower.axhline(1.0, color=_INK, linewidth=0.8, linestyle=(0, (4, 2)), zorder=3)
        lower.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.1f}"))
        lower.set_ylabel(texts["index_axis"])
        for axes in (upper, lower):
            if show_today:
                label = amount_names[-1] if axes is upper else None
                axes.axvline(x(today), color=_TODAY, linewidth=1.2, zorder=5, label=label)
            axes.yaxis.set_label_coords(-0.62 / plot_width, 0.5)
        # Legends in the figure, above each panel: never on top of the lines.
        place_legend(figure, upper, anchors[0])
        place_legend(figure, lower, anchors[1])
        return Chart(figure, kind="evm", texts=texts, title=title)
