"""The SVG rasterised with resvg and the IPAexGothic font: pixels where bpmn.io users expect them."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib_fontja
import pytest
import resvg_py
from PIL import Image

from shinrai.flows.bpmn import parse
from shinrai.flows.bpmn.geometry import polyline_midpoint
from shinrai.flows.bpmn.render import MARK_COLOURS, render_svg

from .bpmn_inline import document, shape_xml
from .conftest import SAMPLE_IDS, sample_bytes

FONT = str(Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf")


class Picture:
    """A rasterised render at 1x; pixel lookups take diagram coordinates."""

    def __init__(self, svg: str):
        png = resvg_py.svg_to_bytes(svg_string=svg, font_files=[FONT], background="white")
        self.image = Image.open(io.BytesIO(bytes(png))).convert("RGB")
        view_box = svg.split('viewBox="', 1)[1].split('"', 1)[0]
        self.x0, self.y0, self.width, self.height = (float(v) for v in view_box.split())

    def _near(self, x: float, y: float, radius: int = 1) -> list[tuple[int, int, int]]:
        cx, cy = int(x - self.x0), int(y - self.y0)
        return [
            self.image.getpixel((px, py))
            for px in range(cx - radius, cx + radius + 1)
            for py in range(cy - radius, cy + radius + 1)
            if 0 <= px < self.image.width and 0 <= py < self.image.height
        ]

    def dark(self, x: float, y: float, radius: int = 1) -> bool:
        """Some pixel within ``radius`` of (x, y) is dark."""
        return min(sum(pixel) for pixel in self._near(x, y, radius)) < 3 * 110

    def white(self, x: float, y: float, radius: int = 1) -> bool:
        return all(min(pixel) > 235 for pixel in self._near(x, y, radius))

    def colour(self, x: float, y: float) -> tuple[int, int, int]:
        return self.image.getpixel((int(x - self.x0), int(y - self.y0)))

    def dark_pixels_in(self, left: float, top: float, right: float, bottom: float) -> int:
        box = (int(left - self.x0), int(top - self.y0), int(right - self.x0), int(bottom - self.y0))
        assert 0 <= box[0] < box[2] <= self.image.width and 0 <= box[1] < box[3] <= self.image.height, box
        raw = self.image.crop(box).tobytes()
        return sum(1 for i in range(0, len(raw), 3) if raw[i] + raw[i + 1] + raw[i + 2] < 3 * 110)


def _render(sample_id: str):
    model = parse(sample_bytes(sample_id))
    svg = render_svg(model)
    return model, model.diagrams[0], Picture(svg), svg


def _hidden(svg: str) -> set[str]:
    return {
        part.split('"', 1)[0]
        for part in svg.split('data-bpmn-id="')[1:]
        if 'visibility="hidden"' in part[:400] and part.split(">", 1)[0].endswith('visibility="hidden"')
    }


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_raster_size_matches_the_view_box(sample_id):
    _, _, picture, _ = _render(sample_id)
    assert picture.image.size == (int(picture.width), int(picture.height))


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_raster_task_top_borders_and_flow_midpoints_are_dark(sample_id):
    model, diagram, picture, svg = _render(sample_id)
    hidden = _hidden(svg)
    tasks = [
        s
        for s in diagram.shapes
        if model.elements[s.element_id].kind in ("task", "userTask", "serviceTask")
        and s.element_id not in hidden
    ]
    assert tasks
    for shape in tasks:
        assert picture.dark(shape.bounds.centre[0], shape.bounds.y), shape.element_id
        assert picture.dark(shape.bounds.x, shape.bounds.centre[1]), shape.element_id
    flows = [
        e
        for e in diagram.edges
        if model.elements[e.element_id].kind == "sequenceFlow" and e.element_id not in hidden
    ]
    for edge in flows:
        assert picture.dark(*polyline_midpoint(edge.waypoints)), edge.element_id


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_raster_plain_start_events_are_white_inside(sample_id):
    model, diagram, picture, svg = _render(sample_id)
    hidden = _hidden(svg)
    starts = [
        s
        for s in diagram.shapes
        if model.elements[s.element_id].kind == "startEvent"
        and not model.elements[s.element_id].event_definitions
        and s.element_id not in hidden
    ]
    for shape in starts:
        cx, cy = shape.bounds.centre
        assert picture.white(cx, cy, radius=4), shape.element_id
        assert picture.dark(cx, shape.bounds.y), shape.element_id  # the ring


@pytest.mark.parametrize("sample_id", ["B.1.0", "C.2.0"])
def test_raster_throwing_message_end_event_icon_is_filled(sample_id):
    model, diagram, picture, _ = _render(sample_id)
    ends = [
        s
        for s in diagram.shapes
        if model.elements[s.element_id].kind == "endEvent"
        and model.elements[s.element_id].event_definitions == ("message",)
    ]
    assert ends
    for shape in ends:
        assert picture.dark(*shape.bounds.centre, radius=0), shape.element_id
    catches = [
        s
        for s in diagram.shapes
        if model.elements[s.element_id].kind == "startEvent"
        and model.elements[s.element_id].event_definitions == ("message",)
    ]
    for shape in catches:  # a catching message is hollow: its envelope is white inside
        cx, cy = shape.bounds.centre
        assert not picture.dark(cx - 5, cy + 3, radius=0), shape.element_id


@pytest.mark.parametrize("sample_id", ["A.4.0", "B.1.0", "C.2.0"])
def test_raster_lane_and_pool_labels_sit_in_their_band(sample_id):
    model, diagram, picture, _ = _render(sample_id)
    containers = [s for s in diagram.shapes if model.elements[s.element_id].kind in ("lane", "participant")]
    assert containers
    for shape in containers:
        b = shape.bounds
        cy = b.centre[1]
        # Text in the 30 px band on the left (clear of the borders) …
        assert picture.dark_pixels_in(b.x + 4, cy - 25, b.x + 27, cy + 25) > 15, shape.element_id
        # … and the band is 30 px: nothing drawn just right of the band's text in the pool's own band column.
        if model.elements[shape.element_id].kind == "participant":
            assert picture.dark(b.x + 30, cy + 60 if b.height > 150 else b.y + 3), shape.element_id


def test_raster_colours_come_from_the_file():
    data = document(
        '<process id="P1"><task id="t1" name="Coloured"/><startEvent id="s1"/></process>',
        shape_xml("t1", 100, 100, 100, 80, 'bioc:fill="#ffe0b2" bioc:stroke="#e65100"')
        + shape_xml("s1", 20, 122, 36, 36, 'color:background-color="#c8e6c9" color:border-color="#1b5e20"'),
    )
    picture = Picture(render_svg(parse(data)))
    assert picture.colour(115, 170) == (0xFF, 0xE0, 0xB2)
    red, green, blue = picture.colour(150, 100)
    assert red > 180 and green < 120 and blue < 60  # the orange border
    assert picture.colour(38, 140) == (0xC8, 0xE6, 0xC9)


def test_raster_japanese_label_draws_glyphs_inside_the_task():
    data = document(
        '<process id="P1"><task id="t1" name="見積書を作成して顧客に送付する"/></process>',
        shape_xml("t1", 100, 100, 100, 80),
    )
    picture = Picture(render_svg(parse(data)))
    inside = picture.dark_pixels_in(104, 104, 196, 176)
    assert inside > 150  # three lines of kanji and kana
    # Nothing spills out to the left or right of the box.
    assert picture.dark_pixels_in(81, 110, 97, 170) == 0
    assert picture.dark_pixels_in(203, 110, 219, 170) == 0


@pytest.mark.parametrize("value", sorted(MARK_COLOURS))
def test_raster_marks_draw_their_colour_around_the_shape(value):
    model = parse(sample_bytes("A.1.0"))
    task = next(s for s in model.diagrams[0].shapes if model.elements[s.element_id].kind == "task")
    edge = model.diagrams[0].edges[-1]
    picture = Picture(render_svg(model, marks={task.element_id: value, edge.element_id: value}))
    expected = tuple(int(MARK_COLOURS[value][i : i + 2], 16) for i in (1, 3, 5))
    got = picture.colour(task.bounds.centre[0], task.bounds.y - 4)
    assert all(abs(a - b) <= 40 for a, b in zip(got, expected, strict=True)), (got, expected)
    # The edge mark is a translucent wide band: tinted (not white, not the edge's ink) beside the line.
    (x1, y1), (x2, y2) = edge.waypoints[0], edge.waypoints[1]
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    offset = (0, 4) if abs(x2 - x1) > abs(y2 - y1) else (4, 0)
    beside = picture.colour(mx + offset[0], my + offset[1])
    assert min(beside) < 215 and max(beside) - min(beside) > 20, beside
    unmarked = Picture(render_svg(model))
    assert unmarked.colour(task.bounds.centre[0], task.bounds.y - 4) == (255, 255, 255)
