"""Draw one diagram of a parsed BPMN model as SVG, the way bpmn.io users know it.

Everything is drawn from the diagram interchange (positions and sizes from the file, never laid out here).
The output uses presentation attributes only (no ``style``, no ``<style>``, no script, no external
references), so it is safe to inline in a page under a strict Content Security Policy and rasterises the same
in browsers, resvg and PDF tools. Every drawn shape or edge is one ``<g data-bpmn-id=… data-bpmn-kind=…>``,
which the pages use to link steps to requirements and which the tests count.

See docs/BPMN_RENDERING.md for what is drawn and the known differences from bpmn.io.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

from .geometry import arrow_head, attrs, direction, num, path_d, points, polyline_midpoint, rounded_path_d
from .icons import MARKER_SIZE, activity_marker, event_icon, task_icon
from .model import (
    DATA_KINDS,
    EVENT_KINDS,
    GATEWAY_KINDS,
    SUB_PROCESS_KINDS,
    TASK_KINDS,
    Bounds,
    Diagram,
    Edge,
    Element,
    Model,
    Shape,
)
from .text import wrap

# Bump when the drawing changes: cached drawings are keyed by it, and `shinrai rerender-flows` redraws the
# stored ones.
RENDERER_VERSION = 1
FONT_FAMILY = "IPAexGothic, 'Noto Sans CJK JP', 'Noto Sans JP', Arial, sans-serif"
FONT_SIZE = 12
LINE_HEIGHT = 14.4
INK = "#22242a"  # bpmn.io's default stroke
PAPER = "white"
MARGIN = 20
EXTERNAL_LABEL_WIDTH = 90  # bpmn.io's default label box for events, gateways and data
BAND = 30  # pool/lane label band

MARK_COLOURS = {
    "added": "#2e7d32",
    "removed": "#c62828",
    "renamed": "#ef6c00",
    "selected": "#1565c0",
    "gap": "#f9a825",
}
# English titles of the marks (tooltips); the web layer may translate them.
MARK_TITLES = {
    "added": "Added",
    "removed": "Removed",
    "renamed": "Renamed",
    "selected": "Selected",
    "gap": "No requirement linked",
}

THROW_EVENT_KINDS = frozenset({"endEvent", "intermediateThrowEvent", "implicitThrowEvent"})
_EXTERNAL_LABEL_KINDS = EVENT_KINDS | GATEWAY_KINDS | DATA_KINDS


def render_svg(model: Model, diagram_index: int = 0, *, marks: Mapping[str, str] | None = None) -> str:
    """SVG markup of ``model.diagrams[diagram_index]``; ``marks`` maps element ids to a highlight
    ("added", "removed", "renamed", "selected" or "gap"; other values are ignored)."""
    diagram = model.diagrams[diagram_index]
    return _Renderer(model, diagram, marks or {}).render()


def _is_expanded_sub_process(element: Element, shape: Shape) -> bool:
    # bpmn.io draws call activities collapsed always, and sub-processes without isExpanded collapsed.
    return element.kind in SUB_PROCESS_KINDS and shape.is_expanded is True


class _Renderer:
    def __init__(self, model: Model, diagram: Diagram, marks: Mapping[str, str]):
        self.model = model
        self.diagram = diagram
        self.marks = marks
        self.out: list[str] = []
        self.hidden: set[str] = set()  # in the DI but not drawn by bpmn.io (see _analyse_processes)

    # --- top level ------------------------------------------------------------------------------------

    def render(self) -> str:
        elements = self.model.elements
        box = self._view_box()
        x0, y0 = math.floor(box.x - MARGIN), math.floor(box.y - MARGIN)
        x1, y1 = math.ceil(box.right + MARGIN), math.ceil(box.bottom + MARGIN)
        title = self.diagram.name or self.model.name or "BPMN diagram"
        self.out.append(
            f'<svg xmlns="http://www.w3.org/2000/svg"'
            f"{attrs(viewBox=f'{x0} {y0} {x1 - x0} {y1 - y0}', width=x1 - x0, height=y1 - y0, role='img')}"
            f"{attrs(font_family=FONT_FAMILY, font_size=FONT_SIZE)}>"
            f"<title>{escape(title, quote=True)}</title>"
            f"<rect{attrs(x=x0, y=y0, width=x1 - x0, height=y1 - y0, fill=PAPER)}/>"
        )
        containers, back, middle, boundary = [], [], [], []
        for shape in self.diagram.shapes:
            element = elements[shape.element_id]
            if element.kind in ("participant", "lane"):
                containers.append(shape)
            elif element.kind == "group" or _is_expanded_sub_process(element, shape):
                back.append(shape)
            elif element.kind == "boundaryEvent":
                boundary.append(shape)
            else:
                middle.append(shape)
        black_box = self._analyse_processes()
        for shape in containers:
            self._shape(shape, black_box=shape.element_id in black_box)
        for shape in back + middle:
            self._shape(shape)
        for edge in self.diagram.edges:
            self._edge(edge)
        for shape in boundary:
            self._shape(shape)
        self.out.append("</svg>")
        return "".join(self.out)

    def _view_box(self) -> Bounds:
        """The diagram's bounds, grown to hold default labels drawn below events, gateways and data."""
        box = self.diagram.bounds
        left, top, right, bottom = box.x, box.y, box.right, box.bottom
        for shape in self.diagram.shapes:
            element = self.model.elements[shape.element_id]
            if shape.label_bounds is None and element.label and element.kind in _EXTERNAL_LABEL_KINDS:
                cx = shape.bounds.centre[0]
                left = min(left, cx - EXTERNAL_LABEL_WIDTH / 2)
                right = max(right, cx + EXTERNAL_LABEL_WIDTH / 2)
                bottom = max(bottom, shape.bounds.bottom + 5 + LINE_HEIGHT * 3)
        return Bounds(left, top, right - left, bottom - top)

    def _analyse_processes(self) -> set[str]:
        """Pools with no process, or whose process has nothing drawn in this diagram (black boxes).

        Also fills ``self.hidden``: in a collaboration diagram, bpmn.io draws only the processes of its pools;
        shapes of other processes without lanes (for example a called process laid out inside a call activity)
        stay in the SVG as hidden groups, so that every DI shape still has its group.
        """
        elements = self.model.elements
        drawn_processes: set[str] = set()
        process_of: dict[str, str | None] = {}

        def process(element_id: str | None) -> str | None:
            seen = []
            found = None
            current = element_id
            for _ in range(100):
                if current is None or current not in elements:
                    break
                if current in process_of:
                    found = process_of[current]
                    break
                seen.append(current)
                if elements[current].kind == "process":
                    found = current
                    break
                current = elements[current].parent_id
            for item in seen:
                process_of[item] = found
            return found

        for shape in self.diagram.shapes:
            if elements[shape.element_id].kind != "participant":
                found = process(shape.element_id)
                if found:
                    drawn_processes.add(found)
        plane = elements.get(self.diagram.plane_element_id or "")
        if plane is not None and plane.kind == "collaboration":
            pooled = {element.process_id for element in elements.values() if element.kind == "participant"}
            # bpmn.io also draws pool-less processes that have lanes (the MIWG "free-floating lanes" case).
            pooled |= {process(element.id) for element in elements.values() if element.kind == "lane"}
            for item in list(self.diagram.shapes) + list(self.diagram.edges):
                kind = elements[item.element_id].kind
                if kind in ("participant", "messageFlow"):
                    continue
                found = process(item.element_id)
                if found is not None and found not in pooled:
                    self.hidden.add(item.element_id)
        return {
            shape.element_id
            for shape in self.diagram.shapes
            if elements[shape.element_id].kind == "participant"
            and elements[shape.element_id].process_id not in drawn_processes
        }

    # --- groups and marks --------------------------------------------------------------------------------

    def _open(self, element: Element, css: str) -> None:
        hidden = "hidden" if element.id in self.hidden else None
        self.out.append(
            f"<g{attrs(data_bpmn_id=element.id, data_bpmn_kind=element.kind, class_=css, visibility=hidden)}>"
            f"<title>{escape(element.label or element.id, quote=True)}</title>"
        )

    def _mark(self, element_id: str) -> tuple[str, str] | None:
        value = self.marks.get(element_id)
        if value not in MARK_COLOURS:
            return None
        return value, MARK_COLOURS[value]

    def _mark_shape(self, shape: Shape, element: Element) -> None:
        mark = self._mark(shape.element_id)
        if not mark:
            return
        value, colour = mark
        b = shape.bounds
        radius = 14 if element.kind not in EVENT_KINDS | GATEWAY_KINDS else 8
        self.out.append(
            f"<g{attrs(class_=f'bpmn-mark bpmn-mark-{value}')}><title>{escape(MARK_TITLES[value])}</title>"
            f"<rect{attrs(x=b.x - 4, y=b.y - 4, width=b.width + 8, height=b.height + 8, rx=radius)}"
            f"{attrs(fill='none')}"
            f"{attrs(stroke=colour, stroke_width=4)}/></g>"
        )

    def _mark_edge(self, edge: Edge) -> None:
        mark = self._mark(edge.element_id)
        if not mark:
            return
        value, colour = mark
        self.out.append(
            f"<g{attrs(class_=f'bpmn-mark bpmn-mark-{value}')}><title>{escape(MARK_TITLES[value])}</title>"
            f"<polyline{attrs(points=points(edge.waypoints), fill='none', stroke=colour, stroke_width=10)}"
            f"{attrs(stroke_opacity=0.45, stroke_linecap='round', stroke_linejoin='round')}/></g>"
        )

    # --- text ------------------------------------------------------------------------------------------

    def _text(
        self,
        lines: list[str],
        x: float,
        first_baseline: float,
        colour: str,
        anchor: str = "middle",
        transform: str | None = None,
    ) -> None:
        if not lines:
            return
        spans = "".join(
            f"<tspan{attrs(x=x, dy=0 if index == 0 else LINE_HEIGHT)}>{escape(line, quote=True)}</tspan>"
            for index, line in enumerate(lines)
        )
        self.out.append(
            f"<text{attrs(x=x, y=first_baseline, fill=colour, text_anchor=anchor, transform=transform)}>"
            f"{spans}</text>"
        )

    def _centred_text(self, text: str, box: Bounds, colour: str, *, max_lines: int | None = None) -> None:
        """Text centred horizontally and vertically in ``box`` (task labels)."""
        lines = wrap(text, box.width, FONT_SIZE, max_lines)
        top = box.y + (box.height - len(lines) * LINE_HEIGHT) / 2
        self._text(lines, box.centre[0], top + LINE_HEIGHT * 0.78, colour)

    def _top_text(self, text: str, box: Bounds, colour: str, anchor: str = "middle") -> None:
        """Text starting at the top of ``box`` (external labels, expanded sub-processes, annotations)."""
        lines = wrap(text, box.width, FONT_SIZE)
        x = box.centre[0] if anchor == "middle" else box.x
        self._text(lines, x, box.y + LINE_HEIGHT * 0.78, colour, anchor)

    def _external_label(self, shape: Shape, element: Element, colour: str) -> None:
        if not element.label:
            return
        if shape.label_bounds:
            # bpmn.io lays the text out itself (up to 90 px wide) centred on the DI label box; the box was
            # sized for its 11 px font, so allow a little more room for our 12 px.
            box = shape.label_bounds
            width = max(box.width + 8, EXTERNAL_LABEL_WIDTH)
            box = Bounds(box.centre[0] - width / 2, box.y, width, box.height)
        else:
            cx = shape.bounds.centre[0]
            box = Bounds(cx - EXTERNAL_LABEL_WIDTH / 2, shape.bounds.bottom + 5, EXTERNAL_LABEL_WIDTH, 40)
        self._top_text(element.label, box, colour)

    # --- shapes ----------------------------------------------------------------------------------------

    def _shape(self, shape: Shape, *, black_box: bool = False) -> None:
        element = self.model.elements[shape.element_id]
        ink = shape.stroke or INK
        paper = shape.fill or PAPER
        label_colour = shape.label_colour or shape.stroke or INK
        kind = element.kind
        self._open(element, "bpmn-shape")
        if kind in ("participant", "lane"):
            self._pool(shape, element, ink, shape.fill, label_colour, black_box)
        elif kind in TASK_KINDS or kind == "callActivity" or kind in SUB_PROCESS_KINDS:
            self._activity(shape, element, ink, paper, label_colour)
        elif kind in EVENT_KINDS:
            self._event(shape, element, ink, paper, label_colour)
        elif kind in GATEWAY_KINDS:
            self._gateway(shape, element, ink, paper, label_colour)
        elif kind in ("dataObjectReference", "dataObject", "dataInput", "dataOutput"):
            self._data_object(shape, element, ink, paper, label_colour)
        elif kind == "dataStoreReference":
            self._data_store(shape, element, ink, paper, label_colour)
        elif kind == "textAnnotation":
            self._annotation(shape, element, ink, label_colour)
        elif kind == "group":
            self._group(shape, element, ink, label_colour)
        else:
            b = shape.bounds
            self.out.append(
                f"<rect{attrs(x=b.x, y=b.y, width=b.width, height=b.height, fill='none', stroke=ink)}"
                f"{attrs(stroke_width=1, stroke_dasharray='4,3')}/>"
            )
            self._centred_text(element.label, b, label_colour)
        self._mark_shape(shape, element)
        self.out.append("</g>")

    def _pool(self, shape, element, ink, fill, label_colour, black_box) -> None:
        b = shape.bounds
        is_pool = element.kind == "participant"
        self.out.append(
            f"<rect{attrs(x=b.x, y=b.y, width=b.width, height=b.height)}"
            f"{attrs(fill=fill or (PAPER if is_pool else 'none'), stroke=ink, stroke_width=1.5)}/>"
        )
        horizontal = shape.is_horizontal is not False
        if black_box:
            # A black-box pool: its name across the middle, no band.
            self._centred_text(element.label, Bounds(b.x + 5, b.y, b.width - 10, b.height), label_colour)
            return
        if horizontal:
            if is_pool:
                self.out.append(
                    f"<path{attrs(d=path_d([(b.x + BAND, b.y), (b.x + BAND, b.bottom)]), stroke=ink)}"
                    f"{attrs(stroke_width=1.5, fill='none')}/>"
                )
            lines = wrap(element.label, b.height - 10, FONT_SIZE)
            cx, cy = b.x + BAND / 2, b.centre[1]
            first = cy - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35  # rotated with the text
            self._text(lines, cx, first, label_colour, transform=f"rotate(-90 {num(cx)} {num(cy)})")
        else:
            if is_pool:
                self.out.append(
                    f"<path{attrs(d=path_d([(b.x, b.y + BAND), (b.right, b.y + BAND)]), stroke=ink)}"
                    f"{attrs(stroke_width=1.5, fill='none')}/>"
                )
            self._centred_text(
                element.label, Bounds(b.x + 5, b.y, b.width - 10, BAND), label_colour, max_lines=2
            )

    def _activity(self, shape, element, ink, paper, label_colour) -> None:
        b = shape.bounds
        kind = element.kind
        expanded = _is_expanded_sub_process(element, shape)
        width = 4 if kind == "callActivity" else 2
        dash = None
        if kind in SUB_PROCESS_KINDS and element.attrs.get("triggeredByEvent") == "true":
            dash, width = "2,3", 1.5
        self.out.append(
            f"<rect{attrs(x=b.x, y=b.y, width=b.width, height=b.height, rx=10, ry=10, fill=paper)}"
            f"{attrs(stroke=ink, stroke_width=width, stroke_dasharray=dash)}/>"
        )
        if kind == "transaction":
            self.out.append(
                f"<rect{attrs(x=b.x + 3, y=b.y + 3, width=max(b.width - 6, 0), height=max(b.height - 6, 0))}"
                f"{attrs(rx=7, ry=7, fill='none', stroke=ink, stroke_width=1.5)}/>"
            )
        self.out.append(task_icon(kind, b.x, b.y, ink, paper))
        markers = []
        if element.loop == "standard":
            markers.append("loop")
        elif element.loop in ("parallel", "sequential"):
            markers.append(element.loop)
        if element.attrs.get("isForCompensation") == "true":
            markers.append("compensation")
        if kind == "adHocSubProcess":
            markers.append("adhoc")
        if (kind in SUB_PROCESS_KINDS or kind == "callActivity") and not expanded:
            markers.append("subprocess")
        if markers:
            total = len(markers) * MARKER_SIZE + (len(markers) - 1) * 4
            x = b.centre[0] - total / 2
            for marker in markers:
                self.out.append(activity_marker(marker, x, b.bottom - MARKER_SIZE - 4, ink, paper))
                x += MARKER_SIZE + 4
        if expanded:
            self._top_text(element.label, Bounds(b.x + 5, b.y + 5, b.width - 10, b.height - 10), label_colour)
        else:
            # Centred in the whole box like bpmn.io (markers may touch the last line of a long label).
            max_lines = max(int((b.height - 6) // LINE_HEIGHT), 1)
            box = Bounds(b.x + 5, b.y + 3, b.width - 10, b.height - 6)
            self._centred_text(element.label, box, label_colour, max_lines=max_lines)

    def _event(self, shape, element, ink, paper, label_colour) -> None:
        b = shape.bounds
        cx, cy = b.centre
        r = min(b.width, b.height) / 2
        kind = element.kind
        non_interrupting = (kind == "startEvent" and element.attrs.get("isInterrupting") == "false") or (
            kind == "boundaryEvent" and element.attrs.get("cancelActivity") == "false"
        )
        dash = "5,3" if non_interrupting else None
        width = {"startEvent": 2, "endEvent": 4}.get(kind, 1.5)
        self.out.append(
            f"<circle{attrs(cx=cx, cy=cy, r=r, fill=paper, stroke=ink, stroke_width=width)}"
            f"{attrs(stroke_dasharray=dash)}/>"
        )
        if kind not in ("startEvent", "endEvent"):
            self.out.append(
                f"<circle{attrs(cx=cx, cy=cy, r=max(r - 3, 1), fill='none', stroke=ink, stroke_width=1.5)}"
                f"{attrs(stroke_dasharray=dash)}/>"
            )
        definitions = element.event_definitions
        if len(definitions) > 1:
            definition = "parallelMultiple" if element.attrs.get("parallelMultiple") == "true" else "multiple"
        else:
            definition = definitions[0] if definitions else ""
        if definition:
            self.out.append(event_icon(definition, cx, cy, r, ink, paper, filled=kind in THROW_EVENT_KINDS))
        self._external_label(shape, element, label_colour)

    def _gateway(self, shape, element, ink, paper, label_colour) -> None:
        b = shape.bounds
        cx, cy = b.centre
        diamond = [(cx, b.y), (b.right, cy), (cx, b.bottom), (b.x, cy)]
        self.out.append(f"<polygon{attrs(points=points(diamond), fill=paper, stroke=ink, stroke_width=2)}/>")
        s = min(b.width, b.height) / 50  # markers designed for a 50 px gateway
        kind = element.kind

        def cross(size: float, diagonal: bool, width: float) -> str:
            if diagonal:
                d = size * 0.7
                segs = [((cx - d, cy - d), (cx + d, cy + d)), ((cx - d, cy + d), (cx + d, cy - d))]
            else:
                segs = [((cx - size, cy), (cx + size, cy)), ((cx, cy - size), (cx, cy + size))]
            d_attr = " ".join(path_d(seg) for seg in segs)
            return f"<path{attrs(d=d_attr, fill='none', stroke=ink, stroke_width=width)}/>"

        if kind == "exclusiveGateway" and shape.is_marker_visible is True:
            self.out.append(cross(13 * s, True, 4.5 * s))
        elif kind == "parallelGateway":
            self.out.append(cross(13 * s, False, 4.5 * s))
        elif kind == "complexGateway":
            self.out.append(cross(13 * s, False, 3.5 * s) + cross(14 * s, True, 3.5 * s))
        elif kind == "inclusiveGateway":
            self.out.append(
                f"<circle{attrs(cx=cx, cy=cy, r=11 * s, fill='none', stroke=ink, stroke_width=2.5 * s)}/>"
            )
        elif kind == "eventBasedGateway":
            instantiate = element.attrs.get("instantiate") == "true"
            parallel = element.attrs.get("eventGatewayType") == "Parallel"
            self.out.append(
                f"<circle{attrs(cx=cx, cy=cy, r=12 * s, fill='none', stroke=ink, stroke_width=1)}/>"
            )
            if not instantiate:
                self.out.append(
                    f"<circle{attrs(cx=cx, cy=cy, r=9.5 * s, fill='none', stroke=ink, stroke_width=1)}/>"
                )
            if parallel:
                self.out.append(event_icon("parallelMultiple", cx, cy, 11 * s, ink, paper, filled=False))
            else:
                self.out.append(event_icon("multiple", cx, cy, 11 * s, ink, paper, filled=False))
        self._external_label(shape, element, label_colour)

    def _data_object(self, shape, element, ink, paper, label_colour) -> None:
        b = shape.bounds
        fold = min(b.width, b.height) * 0.3
        page = [
            (b.x, b.y),
            (b.right - fold, b.y),
            (b.right, b.y + fold),
            (b.right, b.bottom),
            (b.x, b.bottom),
        ]
        corner = [(b.right - fold, b.y), (b.right - fold, b.y + fold), (b.right, b.y + fold)]
        self.out.append(
            f"<path{attrs(d=path_d(page, closed=True), fill=paper, stroke=ink, stroke_width=1.5)}/>"
        )
        self.out.append(f"<path{attrs(d=path_d(corner), fill='none', stroke=ink, stroke_width=1.5)}/>")
        if element.kind in ("dataInput", "dataOutput"):
            x, y = b.x + 4, b.y + 4
            arrow = [
                (x, y + 3),
                (x + 6, y + 3),
                (x + 6, y),
                (x + 11, y + 5),
                (x + 6, y + 10),
                (x + 6, y + 7),
                (x, y + 7),
            ]
            fill = ink if element.kind == "dataOutput" else paper
            self.out.append(
                f"<path{attrs(d=path_d(arrow, closed=True), fill=fill, stroke=ink, stroke_width=1)}/>"
            )
        if element.attrs.get("isCollection") == "true":
            cx = b.centre[0]
            bars = " ".join(path_d([(cx + dx, b.bottom - 12), (cx + dx, b.bottom - 3)]) for dx in (-4, 0, 4))
            self.out.append(f"<path{attrs(d=bars, fill='none', stroke=ink, stroke_width=2)}/>")
        self._external_label(shape, element, label_colour)

    def _data_store(self, shape, element, ink, paper, label_colour) -> None:
        b = shape.bounds
        ry = min(b.height * 0.12, 8)
        rx = b.width / 2
        top = b.y + ry
        d = (
            f"M{num(b.x)},{num(top)} A{num(rx)},{num(ry)} 0 0 1 {num(b.right)},{num(top)} "
            f"L{num(b.right)},{num(b.bottom - ry)} "
            f"A{num(rx)},{num(ry)} 0 0 1 {num(b.x)},{num(b.bottom - ry)} Z"
        )
        self.out.append(f"<path{attrs(d=d, fill=paper, stroke=ink, stroke_width=2)}/>")
        rims = "".join(
            f"M{num(b.x)},{num(y)} A{num(rx)},{num(ry)} 0 0 0 {num(b.right)},{num(y)} "
            for y in (top, top + ry * 0.8, top + ry * 1.6)
        )
        self.out.append(f"<path{attrs(d=rims, fill='none', stroke=ink, stroke_width=1.5)}/>")
        self._external_label(shape, element, label_colour)

    def _annotation(self, shape, element, ink, label_colour) -> None:
        b = shape.bounds
        bracket = [(b.x + 10, b.y), (b.x, b.y), (b.x, b.bottom), (b.x + 10, b.bottom)]
        self.out.append(f"<path{attrs(d=path_d(bracket), fill='none', stroke=ink, stroke_width=1.5)}/>")
        lines = wrap(element.label, b.width - 10, FONT_SIZE)
        top = b.y + max((b.height - len(lines) * LINE_HEIGHT) / 2, 3)
        self._text(lines, b.x + 5, top + LINE_HEIGHT * 0.78, label_colour, anchor="start")

    def _group(self, shape, element, ink, label_colour) -> None:
        b = shape.bounds
        self.out.append(
            f"<rect{attrs(x=b.x, y=b.y, width=b.width, height=b.height, rx=10, ry=10, fill='none')}"
            f"{attrs(stroke=ink, stroke_width=1, stroke_dasharray='10,3,2,3')}/>"
        )
        if not element.label:
            return
        if shape.label_bounds:
            box = shape.label_bounds
            self._top_text(element.label, Bounds(box.x - 4, box.y, box.width + 8, box.height), label_colour)
        else:
            self._top_text(element.label, Bounds(b.x + 5, b.y + 5, b.width - 10, 40), label_colour)

    # --- edges -----------------------------------------------------------------------------------------

    def _edge(self, edge: Edge) -> None:
        element = self.model.elements[edge.element_id]
        ink = edge.stroke or INK
        label_colour = edge.label_colour or edge.stroke or INK
        kind = element.kind
        pts = edge.waypoints
        self._open(element, "bpmn-edge")
        self._mark_edge(edge)
        line = f"<path{attrs(d=rounded_path_d(pts), fill='none', stroke=ink, stroke_linejoin='round')}"
        start_dir = direction(pts[1], pts[0])  # pointing back at the source
        end_dir = direction(pts[-2], pts[-1])
        if kind == "messageFlow":
            self.out.append(line + f"{attrs(stroke_width=1.5, stroke_dasharray='10,11')}/>")
            self.out.append(
                f"<circle{attrs(cx=pts[0][0] - start_dir[0] * 3.5, cy=pts[0][1] - start_dir[1] * 3.5, r=3.5)}"
                f"{attrs(fill=PAPER, stroke=ink, stroke_width=1.5)}/>"
            )
            head = arrow_head(pts[-1], end_dir, 9, 3.5)
            self.out.append(
                f"<polygon{attrs(points=points(head), fill=PAPER, stroke=ink, stroke_width=1.5)}/>"
            )
            if edge.message_visible or element.attrs.get("messageRef"):
                self._envelope_on(pts, ink, filled=edge.message_visible == "non_initiating")
        elif kind in ("association", "dataInputAssociation", "dataOutputAssociation"):
            self.out.append(
                line + f"{attrs(stroke_width=1.5, stroke_dasharray='0.5,5', stroke_linecap='round')}/>"
            )
            direction_attr = element.attrs.get("associationDirection", "None")
            heads = []
            if kind != "association" or direction_attr in ("One", "Both"):
                heads.append((pts[-1], end_dir))
            if kind == "association" and direction_attr == "Both":
                heads.append((pts[0], start_dir))
            for tip, unit in heads:
                a, b, c = arrow_head(tip, unit, 9, 4.5)
                self.out.append(
                    f"<path{attrs(d=path_d([b, a, c]), fill='none', stroke=ink, stroke_width=1.5)}/>"
                )
        else:
            self.out.append(line + f"{attrs(stroke_width=2)}/>")
            head = arrow_head(pts[-1], end_dir, 10, 4)
            self.out.append(f"<polygon{attrs(points=points(head), fill=ink, stroke=ink, stroke_width=1)}/>")
            forward = (-start_dir[0], -start_dir[1])
            if element.is_default:
                px, py = pts[0][0] + forward[0] * 10, pts[0][1] + forward[1] * 10
                # A slash across the line, leaning 45° forward.
                nx, ny = -forward[1], forward[0]
                a = (px - nx * 6 - forward[0] * 3, py - ny * 6 - forward[1] * 3)
                b = (px + nx * 6 + forward[0] * 3, py + ny * 6 + forward[1] * 3)
                self.out.append(
                    f"<path{attrs(d=path_d([a, b]), fill='none', stroke=ink, stroke_width=1.5)}/>"
                )
            elif element.is_conditional:
                tip = pts[0]
                mid = (tip[0] + forward[0] * 8, tip[1] + forward[1] * 8)
                far = (tip[0] + forward[0] * 16, tip[1] + forward[1] * 16)
                nx, ny = -forward[1] * 5, forward[0] * 5
                diamond = [tip, (mid[0] + nx, mid[1] + ny), far, (mid[0] - nx, mid[1] - ny)]
                self.out.append(
                    f"<polygon{attrs(points=points(diamond), fill=PAPER, stroke=ink, stroke_width=1.5)}/>"
                )
        if element.label:
            if edge.label_bounds:
                box = edge.label_bounds
                self._top_text(
                    element.label, Bounds(box.x - 4, box.y, box.width + 8, box.height), label_colour
                )
            else:
                mx, my = polyline_midpoint(pts)
                box = Bounds(mx - EXTERNAL_LABEL_WIDTH / 2, my + 4, EXTERNAL_LABEL_WIDTH, 40)
                self._top_text(element.label, box, label_colour)
        self.out.append("</g>")

    def _envelope_on(self, pts, ink: str, filled: bool) -> None:
        mx, my = polyline_midpoint(pts)
        w, h = 20, 14
        x, y = mx - w / 2, my - h / 2
        fill = "#b9bcc6" if filled else PAPER
        self.out.append(f"<rect{attrs(x=x, y=y, width=w, height=h, fill=fill, stroke=ink, stroke_width=1)}/>")
        self.out.append(
            f"<path{attrs(d=path_d([(x, y), (mx, y + h * 0.45), (x + w, y)]), fill='none', stroke=ink)}"
            f"{attrs(stroke_width=1)}/>"
        )
