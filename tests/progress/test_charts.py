"""Gantt, burndown and EVM charts: inline-safe SVG, PNG size, the packaged Japanese font, holiday shading.

Golden Week 2026, as worked out in test_workdays: 4/27 is a Monday; 4/29 (Wed) 昭和の日,
5/3 (Sun) 憲法記念日, 5/4 (Mon) みどりの日, 5/5 (Tue) こどもの日, 5/6 (Wed) 振替休日. In 4/27–5/10 the days
off are therefore the five holidays plus the weekend days that are not holidays: 5/2 (Sat), 5/9 (Sat),
5/10 (Sun) — 5/3 is a Sunday but shaded as a holiday.
"""

import importlib.util
import io
import struct
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import defusedxml.ElementTree as ET
import matplotlib as mpl
import pytest
from matplotlib import font_manager
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.text import Text

from shinrai.progress import charts
from shinrai.progress import evm as evm_arithmetic
from shinrai.progress.charts import LABELS, BurndownPoint, Chart, EvmPoint, GanttRow

D = date
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TODAY = D(2026, 5, 13)


def gantt_rows():
    return [
        GanttRow(
            "要件定義",
            0,
            D(2026, 4, 6),
            D(2026, 4, 24),
            D(2026, 4, 6),
            D(2026, 4, 28),
            100,
            status="done",
            is_summary=True,
        ),
        GanttRow(
            "現行業務ヒアリング",
            1,
            D(2026, 4, 6),
            D(2026, 4, 14),
            D(2026, 4, 6),
            D(2026, 4, 15),
            100,
            status="done",
        ),
        GanttRow(
            "要件定義 承認",
            1,
            D(2026, 4, 24),
            D(2026, 4, 24),
            D(2026, 4, 28),
            D(2026, 4, 28),
            100,
            is_milestone=True,
        ),
        GanttRow(
            "画面設計（受注・出荷・在庫）",
            1,
            D(2026, 4, 27),
            D(2026, 5, 15),
            D(2026, 4, 30),
            D(2026, 5, 22),
            Decimal("62.5"),
            status="late",
        ),
        GanttRow("DB 設計", 2, D(2026, 5, 11), D(2026, 5, 22), D(2026, 5, 11), D(2026, 5, 22), 40),
        GanttRow(
            "基本設計 承認",
            1,
            D(2026, 5, 29),
            D(2026, 5, 29),
            D(2026, 6, 5),
            D(2026, 6, 5),
            0,
            is_milestone=True,
            status="late",
        ),
        GanttRow("未計画のタスク", 1),
    ]


def burndown_points():
    points, remaining, day = [], 400.0, D(2026, 4, 27)
    while day <= TODAY:
        points.append(BurndownPoint(day, remaining))
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 9.5
    return points


def evm_points():
    return [
        EvmPoint(D(2026, 4, 17), 100, 90, 110),
        EvmPoint(D(2026, 4, 24), 200, 170, 230),
        EvmPoint(D(2026, 5, 1), 300, 240, 320),
        EvmPoint(D(2026, 5, 8), 380, 330, 440),
        EvmPoint(D(2026, 5, 15), 480),  # future: plan only
        EvmPoint(D(2026, 5, 22), 560),
    ]


def make_gantt(**kwargs):
    return charts.gantt(gantt_rows(), today=TODAY, title="受注管理システム — 工程表", **kwargs)


def make_burndown(**kwargs):
    return charts.burndown(
        burndown_points(), target=D(2026, 6, 5), today=TODAY, title="バーンダウン", **kwargs
    )


def make_evm(**kwargs):
    return charts.evm(evm_points(), today=TODAY, bac=800, unit="人時", title="EVM（出来高）", **kwargs)


ALL_CHARTS = {
    "gantt-week": make_gantt,
    "gantt-month": lambda: make_gantt(zoom="month"),
    "gantt-en": lambda: make_gantt(language="en"),
    "burndown": make_burndown,
    "evm": make_evm,
    "gantt-empty": lambda: charts.gantt([], today=TODAY, title="工程表"),
    "burndown-empty": lambda: charts.burndown([]),
    "evm-empty": lambda: charts.evm([], language="en"),
}


def texts_of(chart: Chart) -> list[str]:
    return [text.get_text() for text in chart.figure.findobj(Text)]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


# ------------------------------------------------------------------------------------------------- SVG


@pytest.mark.parametrize("build", ALL_CHARTS.values(), ids=ALL_CHARTS.keys())
def test_svg_is_inline_ready_xml_with_text_as_paths(build):
    svg = build().svg()
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg
    root = ET.fromstring(svg)  # our own output, but parsed the safe way anyway
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    elements = list(root.iter())
    tags = {element.tag for element in elements}
    assert f"{SVG}path" in tags
    assert f"{SVG}text" not in tags  # svg.fonttype = 'path': no font needed in the browser
    assert f"{SVG}script" not in tags
    assert f"{SVG}style" not in tags  # a <style> would apply to the whole page, and CSP blocks it
    assert f"{SVG}foreignObject" not in tags
    for element in elements:
        assert "style" not in element.attrib  # inline styles are blocked by the CSP (style-src 'self')
        assert not any(name.lower().startswith("on") for name in element.attrib)


@pytest.mark.parametrize("build", [make_gantt, make_burndown, make_evm], ids=["gantt", "burndown", "evm"])
def test_svg_ids_are_prefixed_and_every_reference_resolves(build):
    svg = build().svg()
    root = ET.fromstring(svg)
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    assert ids
    assert all(i.startswith("shinrai-") for i in ids)
    references = set()
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.endswith("href") and value.startswith("#"):
                references.add(value[1:])
            if "url(#" in value:
                references.add(value.split("url(#", 1)[1].split(")", 1)[0])
    assert references
    assert references <= ids


def test_two_charts_on_one_page_do_not_share_ids():
    def ids(svg):
        return {element.get("id") for element in ET.fromstring(svg).iter() if element.get("id")}

    assert not ids(make_gantt().svg()) & ids(make_burndown().svg())


def test_svg_keeps_the_colours_as_presentation_attributes():
    root = ET.fromstring(make_gantt().svg())
    fills = {element.get("fill") for element in root.iter() if element.get("fill")}
    assert charts.STATUS_COLORS["late"][0].lower() in fills  # the late task's bar
    assert root.get("stroke-linejoin") == "round"


def test_svg_output_is_deterministic():
    assert make_gantt().svg() == make_gantt().svg()


def test_svg_without_a_title_is_named_by_its_kind():
    assert ET.fromstring(charts.burndown(burndown_points()).svg()).get("aria-label") == "バーンダウンチャート"
    assert ET.fromstring(charts.evm([], language="en").svg()).get("aria-label") == "Earned value chart"


def test_svg_title_is_escaped():
    chart = charts.gantt(gantt_rows(), today=TODAY, title='A <b>"x"</b> & y')
    root = ET.fromstring(chart.svg())
    assert root.get("aria-label") == 'A <b>"x"</b> & y'
    assert root.find(f"{SVG}title").text == 'A <b>"x"</b> & y'


# ------------------------------------------------------------------------------------------------- PNG


@pytest.mark.parametrize("build", ALL_CHARTS.values(), ids=ALL_CHARTS.keys())
def test_png_has_the_signature_and_the_size_in_inches_times_dpi(build):
    chart = build()
    width, height = chart.size_inches
    for dpi in (100, 150):
        pixels_wide, pixels_high = png_size(chart.png(dpi=dpi))
        assert pixels_wide == width * dpi  # widths are whole inches in these charts
        assert abs(pixels_high - height * dpi) < 1  # matplotlib truncates a fractional pixel


def test_png_width_follows_the_width_argument():
    assert png_size(make_burndown(width=6.0).png(dpi=150))[0] == 900
    assert png_size(make_gantt(width=12.0).png(dpi=150))[0] == 1800
    assert png_size(make_evm(width=7.0, height=4.0).png(dpi=100)) == (700, 400)


def test_png_rejects_a_silly_dpi():
    with pytest.raises(ValueError, match="dpi"):
        make_burndown().png(dpi=0)


# ----------------------------------------------------------------------------------------------- fonts


def glyph_warnings(render) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_the_warning_check_would_catch_a_missing_glyph():
    # Control: Japanese in DejaVu Sans (no kana, no kanji) does warn, so the empty lists below mean something.
    figure = Figure()
    figure.text(0.5, 0.5, "進捗", fontfamily="DejaVu Sans")
    assert glyph_warnings(lambda: figure.savefig(io.BytesIO(), format="png"))


@pytest.mark.parametrize("build", ALL_CHARTS.values(), ids=ALL_CHARTS.keys())
def test_japanese_text_renders_without_missing_glyphs(build):
    assert glyph_warnings(lambda: (build().png(), build().svg())) == []


def test_characters_no_font_has_become_a_box_without_warnings():
    rows = [
        GanttRow("リリース 🚀 𠮷野家 ①②", 0, D(2026, 5, 1), D(2026, 5, 8), D(2026, 5, 1), D(2026, 5, 8), 50)
    ]
    chart = charts.gantt(rows, today=TODAY, title="絵文字 ✅ テスト")
    assert glyph_warnings(lambda: (chart.png(), chart.svg())) == []
    assert charts.displayable("リリース 🚀\ufe0f 𠮷野家 ①") == "リリース □ □野家 ①"


def test_the_font_is_the_one_inside_the_matplotlib_fontja_package():
    package = Path(next(iter(importlib.util.find_spec("matplotlib_fontja").submodule_search_locations)))
    assert package / "fonts" / "ipaexg.ttf" == charts.FONT_PATH
    assert charts.FONT_PATH.is_file()
    # The private family name can only mean that file, whatever CJK fonts the system has.
    found = font_manager.findfont(
        font_manager.FontProperties(family=charts.FONT_FAMILY), fallback_to_default=False
    )
    assert Path(found) == charts.FONT_PATH


@pytest.mark.parametrize("build", ALL_CHARTS.values(), ids=ALL_CHARTS.keys())
def test_rendering_uses_only_the_packaged_fonts(build, monkeypatch):
    """Every font file the renderers open is the packaged IPAexGothic (or matplotlib's DejaVu fallback)."""
    resolved = []
    original = font_manager.fontManager._find_fonts_by_props

    def spy(prop, *args, **kwargs):
        paths = original(prop, *args, **kwargs)
        resolved.extend(Path(path) for path in paths)
        return paths

    monkeypatch.setattr(font_manager.fontManager, "_find_fonts_by_props", spy)
    chart = build()
    chart.png()
    chart.svg()
    assert charts.FONT_PATH in resolved
    assert set(resolved) <= {charts.FONT_PATH, charts.FALLBACK_FONT_PATH}
    assert charts.FALLBACK_FONT_PATH.is_relative_to(Path(mpl.get_data_path()))  # shipped with matplotlib
    # …and the first choice for every text is IPAexGothic.
    for text in chart.figure.findobj(Text):
        if text.get_text():
            assert Path(original(text.get_fontproperties())[0]) == charts.FONT_PATH


def test_gantt_row_labels_are_glyphs_of_the_packaged_font():
    # Row names are stamped from glyph outlines (see charts._GlyphRuns), loaded from FONT_PATH.
    outline, advance = charts._glyph("工")
    font = FT2Font(str(charts.FONT_PATH))
    font.set_size(100, 72)
    font.load_char(ord("工"), flags=LoadFlags.NO_HINTING)
    assert (outline.vertices == font.get_path()[0]).all()
    assert advance == 1.0  # a full-width character of IPAexGothic


def test_rendering_does_not_change_matplotlib_global_settings():
    before = dict(mpl.rcParams)
    make_gantt().svg()
    make_evm().png()
    assert dict(mpl.rcParams) == before


# ----------------------------------------------------------------------------------------------- Gantt


def shaded(chart: Chart, gid: str) -> list[float]:
    """Left edges (in days from the chart's first day) of the shaded columns with this gid."""
    collections = [c for c in chart.figure.findobj(PolyCollection) if c.get_gid() == gid]
    assert len(collections) == 1
    return sorted(path.vertices[0][0] for path in collections[0].get_paths())


def golden_week(**kwargs) -> Chart:
    rows = [GanttRow("連休をまたぐ作業", 0, D(2026, 4, 27), D(2026, 5, 8), D(2026, 4, 28), D(2026, 5, 8), 30)]
    return charts.gantt(rows, today=D(2026, 4, 30), start=D(2026, 4, 27), end=D(2026, 5, 10), **kwargs)


def test_golden_week_2026_holidays_and_weekends_are_shaded():
    chart = golden_week()
    # Offsets from 4/27: 4/29 = 2, 5/3 = 6, 5/4 = 7, 5/5 = 8, 5/6 = 9.
    assert shaded(chart, "shinrai-holidays") == [2, 6, 7, 8, 9]
    # 5/2 = 5, 5/9 = 12, 5/10 = 13; 5/3 is a Sunday but already shaded as a holiday.
    assert shaded(chart, "shinrai-weekends") == [5, 12, 13]


def test_company_holidays_are_shaded_too():
    chart = golden_week(extra_holidays={D(2026, 5, 1): "創立記念日", D(2026, 5, 2): "土曜の休日"})
    assert shaded(chart, "shinrai-holidays") == [2, 4, 5, 6, 7, 8, 9]
    assert shaded(chart, "shinrai-weekends") == [12, 13]


def by_gid(chart: Chart, gid: str):
    (found,) = [artist for artist in chart.figure.findobj() if artist.get_gid() == gid]
    return found


def test_gantt_draws_baseline_forecast_progress_milestones_and_today():
    chart = make_gantt()
    # Rows 0, 1, 3, 4 have baselines; 1, 3, 4 are plain tasks with forecast bars; 0 is a summary bar; all
    # four have progress; rows 2 and 5 are milestones (a hollow baseline ◇ and a forecast ◆ each); row 6 has
    # no dates at all.
    assert len(by_gid(chart, "shinrai-baseline").get_paths()) == 4
    assert len(by_gid(chart, "shinrai-forecast").get_paths()) == 3
    assert len(by_gid(chart, "shinrai-summary").get_paths()) == 1
    assert len(by_gid(chart, "shinrai-progress").get_paths()) == 4
    assert len(by_gid(chart, "shinrai-milestones").get_offsets()) == 2
    assert len(by_gid(chart, "shinrai-baseline-milestones").get_offsets()) == 2
    # x is in days from the first day shown (Monday 4/6); the line sits in the middle of today's column.
    assert by_gid(chart, "shinrai-today").get_xdata()[0] == (TODAY - D(2026, 4, 6)).days + 0.5
    # The late milestone is red, the one done is green.
    colors = [tuple(c) for c in by_gid(chart, "shinrai-milestones").get_facecolors()]
    assert colors == [mpl.colors.to_rgba(charts.STATUS_COLORS[s][0]) for s in ("done", "late")]


def test_gantt_progress_fill_is_proportional():
    row = GanttRow("作業", 0, None, None, D(2026, 5, 4), D(2026, 5, 13), 30)  # 10 days, 30 % → 3 days
    chart = charts.gantt([row], today=TODAY, start=D(2026, 5, 4), end=D(2026, 5, 17))

    def span(gid):
        (path,) = by_gid(chart, gid).get_paths()
        return path.vertices[:, 0].min(), path.vertices[:, 0].max()

    assert span("shinrai-forecast") == (0, 10)
    assert span("shinrai-progress") == (0, 3)


def test_gantt_week_zoom_labels_weeks_and_months_in_japanese():
    chart = charts.gantt(gantt_rows(), today=TODAY, width=18)
    labels = texts_of(chart)
    assert "4/6(月)" in labels
    assert "5/11(月)" in labels
    assert "2026年5月" in labels


def test_gantt_drops_the_weekday_before_it_drops_weeks():
    # 7 inches leave 4.5 for nine weeks: "5/11(月)" does not fit a week, "5/11" does.
    labels = texts_of(charts.gantt(gantt_rows(), today=TODAY, width=7))
    assert "5/11" in labels
    assert "5/18" in labels


def test_gantt_month_zoom_labels_months():
    rows = [GanttRow("長期計画", 0, D(2026, 10, 1), D(2027, 3, 31), D(2026, 10, 1), D(2027, 3, 31), 10)]
    labels = texts_of(charts.gantt(rows, today=D(2026, 11, 23), zoom="month"))
    assert "2026年11月" in labels
    assert "2027年1月" in labels
    labels = texts_of(charts.gantt(rows, today=D(2026, 11, 23), zoom="month", language="en"))
    assert "Nov 2026" in labels


def test_gantt_month_zoom_over_years_uses_a_year_tier():
    rows = [GanttRow("5か年計画", 0, D(2026, 1, 1), D(2030, 12, 31), D(2026, 1, 1), D(2030, 12, 31), 10)]
    labels = texts_of(charts.gantt(rows, today=D(2027, 6, 1), zoom="month", width=8))
    assert "2028年" in labels


def test_gantt_legend_follows_the_language():
    ja = texts_of(make_gantt())
    en = texts_of(make_gantt(language="en"))
    assert "基準計画" in ja and "今日 5/13" in ja and "祝日・休日" in ja
    assert "Baseline" in en and "Today 5/13" in en and "Holiday" in en
    assert "本日 5/13" in texts_of(make_gantt(labels={"today": "本日"}))


def test_gantt_height_grows_with_rows_and_is_capped():
    def rows(count):
        return [
            GanttRow(f"タスク {i}", 0, D(2026, 5, 1), D(2026, 5, 8), D(2026, 5, 1), D(2026, 5, 8))
            for i in range(count)
        ]

    ten = charts.gantt(rows(10), today=TODAY)
    twenty = charts.gantt(rows(20), today=TODAY)
    assert twenty.size_inches[1] - ten.size_inches[1] == pytest.approx(10 * 0.25)
    assert ten.omitted_rows == 0

    capped = charts.gantt(rows(310), today=TODAY)
    assert capped.omitted_rows == 10
    assert "先頭 300 行のみ表示しています（残り 10 行は省略）" in texts_of(capped)
    assert capped.size_inches == charts.gantt(rows(310), today=TODAY, max_rows=300).size_inches
    assert charts.gantt(rows(5), today=TODAY, max_rows=2).omitted_rows == 3


def test_gantt_label_with_dollars_is_text_not_math():
    chart = charts.gantt(gantt_rows(), today=TODAY, title="費用 $100 と $200 の差")
    assert "費用 $100 と $200 の差" in texts_of(chart)
    chart.png()


def test_long_labels_are_cut_with_an_ellipsis():
    label = "とても長いタスク名" * 10
    assert charts.fit_text(label, 1.0, 7.5).endswith("…")
    assert charts._text_width(charts.fit_text(label, 1.0, 7.5), 7.5) <= 1.0
    assert charts.fit_text("短い", 1.0, 7.5) == "短い"


def test_gantt_rows_without_dates_around_today():
    chart = charts.gantt([GanttRow("日付未定")], today=TODAY)
    assert png_size(chart.png(dpi=100))[0] == 1000


def test_gantt_rejects_bad_input():
    with pytest.raises(TypeError, match="datetime.date"):
        charts.gantt(gantt_rows(), today=datetime(2026, 5, 13, 9, 0))
    with pytest.raises(ValueError, match="zoom"):
        charts.gantt(gantt_rows(), today=TODAY, zoom="day")
    with pytest.raises(ValueError, match="language"):
        charts.gantt(gantt_rows(), today=TODAY, language="fr")
    with pytest.raises(ValueError, match="after end"):
        charts.gantt(gantt_rows(), today=TODAY, start=D(2026, 6, 1), end=D(2026, 5, 1))
    with pytest.raises(TypeError, match="GanttRow"):
        charts.gantt([("要件定義", 0)], today=TODAY)
    with pytest.raises(ValueError, match="progress"):
        GanttRow("x", progress=101)
    with pytest.raises(ValueError, match="after"):
        GanttRow("x", baseline_start=D(2026, 5, 2), baseline_finish=D(2026, 5, 1))
    with pytest.raises(TypeError, match="datetime.date"):
        GanttRow("x", forecast_start=datetime(2026, 5, 1))
    with pytest.raises(ValueError, match="depth"):
        GanttRow("x", depth=-1)


# -------------------------------------------------------------------------------------------- burndown


def line(chart: Chart, label: str):
    (found,) = [line for ax in chart.figure.axes for line in ax.get_lines() if line.get_label() == label]
    return found


def test_burndown_ideal_line_is_flat_over_holidays():
    # Start Mon 4/27 with 50 h, target Fri 5/8: business days moved over (4/27, 5/8] are 4/28, 4/30, 5/1, 5/7,
    # 5/8 = 5, so 10 h a business day. 4/29 and 5/2–5/6 are off: the ideal line stays flat there.
    points = [BurndownPoint(D(2026, 4, 27), 50), BurndownPoint(D(2026, 4, 30), 38)]
    chart = charts.burndown(points, target=D(2026, 5, 8), title="GW")
    ideal = line(chart, LABELS["ja"]["ideal"])
    by_day = dict(zip(range(12), ideal.get_ydata(), strict=True))  # 4/27 … 5/8
    assert [by_day[i] for i in range(12)] == pytest.approx([50, 40, 40, 30, 20, 20, 20, 20, 20, 20, 10, 0])


def test_burndown_actual_line_and_legend():
    chart = make_burndown()
    points = burndown_points()
    actual = line(chart, f"残作業（5/13時点 {points[-1].remaining:.0f} 時間）")
    assert list(actual.get_ydata()) == [point.remaining for point in points]
    assert "今日 5/13" in texts_of(chart)
    en = make_burndown(language="en", unit="points")
    assert "Remaining work (points)" in texts_of(en)


def test_burndown_without_target_has_no_ideal_line():
    chart = charts.burndown(burndown_points())
    assert not [
        ln for ax in chart.figure.axes for ln in ax.get_lines() if ln.get_label() == LABELS["ja"]["ideal"]
    ]


def test_burndown_rejects_bad_input():
    with pytest.raises(ValueError, match="before start"):
        charts.burndown(burndown_points(), target=D(2026, 1, 1))
    with pytest.raises(ValueError, match="remaining"):
        BurndownPoint(TODAY, -1)
    with pytest.raises(TypeError, match="BurndownPoint"):
        charts.burndown([(TODAY, 3)])


# ------------------------------------------------------------------------------------------------- EVM


def test_evm_draws_pv_ev_ac_and_the_indices():
    chart = make_evm()
    labels = {line.get_label() for ax in chart.figure.axes for line in ax.get_lines()}
    shown = set(texts_of(chart))  # the legends
    # The legend gives the values at the latest status date with actuals (5/8), not at the end of the plan.
    assert {"PV（5/8時点 380）", "EV（5/8時点 330）", "AC（5/8時点 440）"} <= labels
    assert {"SPI（5/8時点 0.87）", "CPI（5/8時点 0.75）"} <= labels  # 330/380 = 0.868…, 330/440
    assert {"PV（5/8時点 380）", "SPI（5/8時点 0.87）", "BAC（総予算） 800", "今日 5/13"} <= shown
    pv = line(chart, "PV（5/8時点 380）")
    assert len(pv.get_xdata()) == 6  # the plan runs on
    assert len(line(chart, "EV（5/8時点 330）").get_xdata()) == 4
    # The 1.0 reference line on the index panel.
    assert any(list(ln.get_ydata()) == [1.0, 1.0] for ln in chart.figure.axes[1].get_lines())


def test_evm_accepts_results_from_the_evm_module():
    tasks = [
        evm_arithmetic.PlannedTask("A", Decimal(40), D(2026, 4, 27), D(2026, 4, 30)),
        evm_arithmetic.PlannedTask("B", Decimal(60), D(2026, 4, 30), D(2026, 5, 8)),
    ]
    snapshots = [(D(2026, 5, 1), {"A": (100, Decimal(48)), "B": (25, Decimal(18))})]
    results = evm_arithmetic.series(tasks, [D(2026, 4, 24), D(2026, 5, 1), D(2026, 5, 8)], snapshots)
    chart = charts.evm(results, language="en")
    labels = set(texts_of(chart))
    assert "BAC (budget) 100" in labels  # taken from the results
    # series() carries the 5/1 snapshot forward to 5/8: EV = 40 + 25 % of 60 = 55, AC = 66, PV = 100.
    assert {"EV (55 on 5/8)", "AC (66 on 5/8)", "PV (100 on 5/8)", "SPI (0.55 on 5/8)"} <= labels
    assert glyph_warnings(chart.svg) == []


def test_evm_point_computes_the_indices():
    point = EvmPoint(TODAY, Decimal(200), Decimal(150), Decimal(100))
    assert (point.spi, point.cpi) == (0.75, 1.5)
    assert EvmPoint(TODAY, 0, 0, 0).spi is None
    assert EvmPoint(TODAY, 100).cpi is None


# ----------------------------------------------------------------------------------------------- empty


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: charts.gantt([], today=TODAY), LABELS["ja"]["no_data"]),
        (lambda: charts.burndown([]), LABELS["ja"]["no_data"]),
        (lambda: charts.evm([], language="en"), LABELS["en"]["no_data"]),
        (lambda: charts.gantt(gantt_rows(), today=TODAY, max_rows=0), LABELS["ja"]["no_data"]),
    ],
)
def test_empty_input_gives_a_no_data_chart(build, message):
    chart = build()
    assert message in texts_of(chart)
    assert png_size(chart.png())[0] > 0
    assert "<path" in chart.svg()


# --------------------------------------------------------------------------------------------- threads


def test_concurrent_rendering_gives_the_same_pictures():
    builders = [make_gantt, make_burndown, make_evm, lambda: make_gantt(zoom="month")]
    expected = [(build().svg(), build().png()) for build in builders]
    barrier = threading.Barrier(4)

    def render(build):
        barrier.wait()
        chart = build()
        return chart.svg(), chart.png()

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(render, builders)) == expected
