"""The BPMN SVG renderer: a group per DI shape and edge, geometry from the DI, safe markup, labels, marks."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from shinrai.flows.bpmn import parse
from shinrai.flows.bpmn.render import MARK_COLOURS, MARK_TITLES, render_svg
from shinrai.flows.bpmn.text import text_width, wrap

from .bpmn_inline import KITCHEN_SINK, document, shape_xml, task_grid
from .conftest import sample_bytes

SVG = "{http://www.w3.org/2000/svg}"


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _groups(root: ET.Element, css: str) -> dict[str, ET.Element]:
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == css and group.get("data-bpmn-id") is not None:
            assert group.get("data-bpmn-id") not in found, "one group per DI element"
            found[group.get("data-bpmn-id")] = group
    return found


def _first(group: ET.Element, tag: str) -> ET.Element:
    return next(child for child in group if child.tag == f"{SVG}{tag}")


def _assert_safe(svg: str) -> None:
    root = _tree(svg)
    for node in root.iter():
        local = node.tag.split("}")[-1]
        assert local not in ("script", "foreignObject", "style", "image", "use", "a", "iframe"), local
        for name in node.attrib:
            bare = name.split("}")[-1].lower()
            assert not bare.startswith("on"), name
            assert bare not in ("style", "href"), name
    assert "<script" not in svg.lower()


def test_render_groups_match_the_di(sample):
    sample_id, data = sample
    model = parse(data)
    diagram = model.diagrams[0]
    root = _tree(render_svg(model))
    shapes = _groups(root, "bpmn-shape")
    edges = _groups(root, "bpmn-edge")
    assert len(shapes) == len(diagram.shapes)
    assert len(edges) == len(diagram.edges)
    assert set(shapes) == {shape.element_id for shape in diagram.shapes}
    assert set(edges) == {edge.element_id for edge in diagram.edges}
    for element_id, group in {**shapes, **edges}.items():
        assert group.get("data-bpmn-kind") == model.elements[element_id].kind


def test_render_geometry_follows_the_bounds(sample):
    sample_id, data = sample
    model = parse(data)
    root = _tree(render_svg(model))
    shapes = _groups(root, "bpmn-shape")
    checked = 0
    for shape in model.diagrams[0].shapes:
        kind = model.elements[shape.element_id].kind
        group = shapes[shape.element_id]
        b = shape.bounds
        if kind in ("task", "userTask", "serviceTask", "participant", "lane", "callActivity", "subProcess"):
            rect = _first(group, "rect")
            got = [float(rect.get(name)) for name in ("x", "y", "width", "height")]
            assert got == pytest.approx([b.x, b.y, b.width, b.height], abs=0.01), shape.element_id
            checked += 1
        elif kind.endswith("Event"):
            circle = _first(group, "circle")
            assert float(circle.get("cx")) == pytest.approx(b.x + b.width / 2, abs=0.01)
            assert float(circle.get("cy")) == pytest.approx(b.y + b.height / 2, abs=0.01)
            assert float(circle.get("r")) == pytest.approx(min(b.width, b.height) / 2, abs=0.01)
            checked += 1
        elif kind.endswith("Gateway"):
            polygon = _first(group, "polygon")
            corners = [tuple(map(float, pair.split(","))) for pair in polygon.get("points").split()]
            cx, cy = b.centre
            expected = [(cx, b.y), (b.right, cy), (cx, b.bottom), (b.x, cy)]
            assert corners == [pytest.approx(point, abs=0.01) for point in expected]
            checked += 1
    assert checked >= 5
    edges = _groups(root, "bpmn-edge")
    for edge in model.diagrams[0].edges:
        # The line starts and ends on the DI waypoints; each bend is a curve controlled by its waypoint.
        commands = _first(edges[edge.element_id], "path").get("d").split()
        ends = [tuple(map(float, c[1:].split(","))) for c in commands if c[0] in "ML"]
        controls = [tuple(map(float, c[1:].split(","))) for c in commands if c[0] == "Q"]
        assert ends[0] == pytest.approx(edge.waypoints[0], abs=0.01)
        assert ends[-1] == pytest.approx(edge.waypoints[-1], abs=0.01)
        assert controls == [pytest.approx(point, abs=0.01) for point in edge.waypoints[1:-1]]


def test_render_root_is_a_fitted_accessible_svg(sample):
    sample_id, data = sample
    model = parse(data)
    svg = render_svg(model)
    root = _tree(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == (model.diagrams[0].name or model.name or "BPMN diagram")
    x, y, width, height = map(float, root.get("viewBox").split())
    assert (float(root.get("width")), float(root.get("height"))) == (width, height)
    box = model.diagrams[0].bounds
    assert x <= box.x - 20 and y <= box.y - 20
    assert x + width >= box.right + 20 and y + height >= box.bottom + 20
    assert x + width <= box.right + 20 + 60  # fitted: at most room for default labels beyond the margin
    assert "IPAexGothic" in root.get("font-family")
    assert root.get("font-size") == "12"
    _assert_safe(svg)


def test_render_every_kind_without_crashing():
    model = parse(KITCHEN_SINK)
    svg = render_svg(model)
    _assert_safe(svg)
    root = _tree(svg)
    shapes = _groups(root, "bpmn-shape")
    assert set(shapes) == {shape.element_id for shape in model.diagrams[0].shapes}
    assert set(_groups(root, "bpmn-edge")) == {"flow_default", "flow_cond", "assoc"}
    # The unknown kind is a dashed rectangle with its name.
    mystery = shapes["mystery"]
    assert _first(mystery, "rect").get("stroke-dasharray")
    assert "Mystery" in "".join(mystery.itertext())
    # Icons and markers add drawing beyond the plain shape.
    plain_task_parts = 1
    for element_id in (
        "t_user",
        "t_service",
        "t_send",
        "t_receive",
        "t_manual",
        "t_rule",
        "t_script",
        "t_loop",
    ):
        drawn = [child for child in shapes[element_id] if child.tag != f"{SVG}title"]
        assert len(drawn) > plain_task_parts + 1, element_id  # shape + label + icon
    assert float(_first(shapes["call"], "rect").get("stroke-width")) == 4
    assert _first(shapes["sub_event"], "rect").get("stroke-dasharray")
    assert len([child for child in shapes["tx"] if child.tag == f"{SVG}rect"]) == 2  # double border
    assert _first(shapes["start_msg"], "circle").get("stroke-dasharray")  # non-interrupting
    assert _first(shapes["boundary"], "circle").get("stroke-dasharray")


def test_render_boundary_events_and_edges_are_on_top():
    model = parse(sample_bytes("A.3.0"))
    root = _tree(render_svg(model))
    order = [g.get("data-bpmn-kind") for g in root.iter(f"{SVG}g") if g.get("data-bpmn-id")]
    last_edge = max(index for index, kind in enumerate(order) if kind == "sequenceFlow")
    first_boundary = min(index for index, kind in enumerate(order) if kind == "boundaryEvent")
    last_task = max(index for index, kind in enumerate(order) if kind in ("task", "subProcess"))
    assert last_task < order.index("sequenceFlow") <= last_edge < first_boundary


def test_render_pools_and_lanes_come_first():
    model = parse(sample_bytes("B.1.0"))
    root = _tree(render_svg(model))
    order = [g.get("data-bpmn-kind") for g in root.iter(f"{SVG}g") if g.get("data-bpmn-id")]
    assert set(order[:4]) == {"participant", "lane"}


def test_render_exclusive_gateway_marker_only_when_visible():
    a2 = parse(sample_bytes("A.2.0"))
    gateways = _groups(_tree(render_svg(a2)), "bpmn-shape")
    hidden = [g for g in gateways.values() if g.get("data-bpmn-kind") == "exclusiveGateway"]
    assert hidden and all(not [c for c in g if c.tag == f"{SVG}path"] for g in hidden)
    c2 = parse(sample_bytes("C.2.0"))
    shown = [
        g
        for g in _groups(_tree(render_svg(c2)), "bpmn-shape").values()
        if g.get("data-bpmn-kind") == "exclusiveGateway"
    ]
    assert shown and all([c for c in g if c.tag == f"{SVG}path"] for g in shown)


def test_render_escapes_hostile_names_and_ids():
    hostile = '<script>alert(1)</script>"><svg onload=alert(2)>'
    from html import escape

    data = document(
        f'<process id="P1"><task id="t&quot;1" name="{escape(hostile)}"/>'
        f'<startEvent id="s1" name="{escape(hostile)}"/></process>',
        shape_xml('t"1', 100, 100, 100, 80) + shape_xml("s1", 10, 120, 36, 36),
        diagram_name=hostile,
    )
    model = parse(data)
    svg = render_svg(model, marks={'t"1': "selected"})
    _assert_safe(svg)
    assert "<script>" not in svg and "<svg onload" not in svg
    root = _tree(svg)
    shapes = _groups(root, "bpmn-shape")
    assert set(shapes) == {'t"1', "s1"}
    assert hostile.replace("\n", "") in "".join(shapes["s1"].itertext()).replace("\n", "")
    assert root.find(f"{SVG}title").text == hostile


def test_render_non_string_colours_only_from_the_file():
    data = document(
        '<process id="P1"><task id="t1" name="Coloured"/></process>',
        shape_xml("t1", 0, 0, 100, 80, 'bioc:fill="#ffe0b2" bioc:stroke="#e65100"'),
    )
    group = _groups(_tree(render_svg(parse(data))), "bpmn-shape")["t1"]
    rect = _first(group, "rect")
    assert (rect.get("fill"), rect.get("stroke")) == ("#ffe0b2", "#e65100")
    assert _first(group, "text").get("fill") == "#e65100"


def test_wrap_breaks_japanese_by_character_width():
    lines = wrap("見積書を作成して顧客に送付する", 90, 12)
    assert lines == ["見積書を作成し", "て顧客に送付す", "る"]  # 7 wide characters of 12 px fit in 90 px
    assert all(text_width(line, 12) <= 90 for line in lines)
    assert "".join(lines) == "見積書を作成して顧客に送付する"


def test_wrap_keeps_line_breaks_and_words():
    assert wrap("Message\nFlow 2", 200, 12) == ["Message", "Flow 2"]
    assert wrap("Collapsed Sub-Process", 70, 12) == ["Collapsed", "Sub-Process"]
    assert wrap("、。", 5, 12)[0].startswith("、")


def test_wrap_adds_an_ellipsis_when_lines_run_out():
    lines = wrap("あいうえおかきくけこさしすせそたちつてと", 60, 12, max_lines=2)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert text_width(lines[1], 12) <= 60


def test_render_japanese_task_label_wraps_inside_the_box():
    data = document(
        '<process id="P1"><task id="t1" name="見積書を作成して顧客に送付する"/></process>',
        shape_xml("t1", 100, 100, 100, 80),
    )
    group = _groups(_tree(render_svg(parse(data))), "bpmn-shape")["t1"]
    text = _first(group, "text")
    spans = list(text)
    assert len(spans) >= 2
    first_baseline = float(text.get("y"))
    baselines = [
        first_baseline + sum(float(s.get("dy")) for s in spans[: index + 1]) for index in range(len(spans))
    ]
    for span, baseline in zip(spans, baselines, strict=True):
        width = text_width(span.text, 12)
        assert float(span.get("x")) - width / 2 >= 100 and float(span.get("x")) + width / 2 <= 200
        assert 100 + 10 <= baseline <= 180
    assert "".join(span.text for span in spans) == "見積書を作成して顧客に送付する"


@pytest.mark.parametrize("value", sorted(MARK_COLOURS))
def test_render_marks_outline_shapes_and_edges(value):
    model = parse(sample_bytes("A.1.0"))
    task = next(s for s in model.diagrams[0].shapes if model.elements[s.element_id].kind == "task")
    edge = model.diagrams[0].edges[0]
    root = _tree(render_svg(model, marks={task.element_id: value, edge.element_id: value, "nope": value}))
    marks = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("bpmn-mark")]
    assert len(marks) == 2
    assert {m.get("class") for m in marks} == {f"bpmn-mark bpmn-mark-{value}"}
    shape_mark = _groups(root, "bpmn-shape")[task.element_id].find(f"{SVG}g")
    outline = _first(shape_mark, "rect")
    assert outline.get("stroke") == MARK_COLOURS[value]
    b = task.bounds
    got = [float(outline.get(n)) for n in ("x", "y", "width", "height")]
    assert got == [b.x - 4, b.y - 4, b.width + 8, b.height + 8]
    assert shape_mark.find(f"{SVG}title").text == MARK_TITLES[value]
    edge_mark = _groups(root, "bpmn-edge")[edge.element_id].find(f"{SVG}g")
    assert _first(edge_mark, "polyline").get("stroke") == MARK_COLOURS[value]


def test_render_ignores_unknown_mark_values():
    model = parse(sample_bytes("A.1.0"))
    ids = {s.element_id: "bogus" for s in model.diagrams[0].shapes}
    assert "bpmn-mark" not in render_svg(model, marks=ids)


def test_render_hides_a_called_process_but_keeps_its_groups():
    model = parse(sample_bytes("B.1.0"))
    root = _tree(render_svg(model))
    hidden = {g.get("data-bpmn-id") for g in root.iter(f"{SVG}g") if g.get("visibility") == "hidden"}
    names = {model.elements[element_id].name for element_id in hidden if model.elements[element_id].name}
    assert names == {"Start Event None 1", "Abstract Task 4", "End Event None 2"}
    # Free-floating lanes (a process with lanes but no pool) are drawn, as bpmn.io does.
    a4 = _tree(render_svg(parse(sample_bytes("A.4.0"))))
    assert not [g for g in a4.iter(f"{SVG}g") if g.get("visibility") == "hidden"]


def test_render_draws_every_shape_of_a_500_shape_diagram():
    # Its speed is measured by bench/bpmn_bench.py, not here.
    count = 500
    model = parse(task_grid(count))
    svg = render_svg(model)
    assert len(_groups(_tree(svg), "bpmn-shape")) == count
    assert len(_groups(_tree(svg), "bpmn-edge")) == count - 1


def test_render_vertical_and_black_box_pools():
    data = document(
        '<collaboration id="C1"><participant id="pool_v" name="Vertical" processRef="P1"/>'
        '<participant id="pool_black" name="Customer"/></collaboration>'
        '<process id="P1"><task id="t1" name="Work"/></process>',
        shape_xml("pool_v", 0, 0, 200, 300, 'isHorizontal="false"')
        + shape_xml("pool_black", 300, 0, 400, 80, 'isHorizontal="true"')
        + shape_xml("t1", 50, 100, 100, 80),
        plane="C1",
    )
    shapes = _groups(_tree(render_svg(parse(data))), "bpmn-shape")
    vertical = shapes["pool_v"]
    assert _first(vertical, "path").get("d") == "M0,30 L200,30"  # the band on top
    label = _first(vertical, "text")
    assert label.get("transform") is None and float(label.get("y")) < 30
    black = shapes["pool_black"]
    assert [c for c in black if c.tag == f"{SVG}path"] == []  # no band
    text = _first(black, "text")
    assert text.get("transform") is None and float(text.get("x")) > 300 and 0 < float(text.get("y")) < 80


def test_render_horizontal_pool_label_is_rotated_in_its_band():
    model = parse(sample_bytes("A.4.0"))
    pool = next(s for s in model.diagrams[0].shapes if model.elements[s.element_id].kind == "participant")
    group = _groups(_tree(render_svg(model)), "bpmn-shape")[pool.element_id]
    assert (
        _first(group, "path").get("d")
        == f"M{pool.bounds.x + 30:g},{pool.bounds.y:g} L{pool.bounds.x + 30:g},{pool.bounds.bottom:g}"
    )
    text = _first(group, "text")
    cx, cy = pool.bounds.x + 15, pool.bounds.centre[1]
    assert text.get("transform") == f"rotate(-90 {cx:g} {cy:g})"
    assert float(text.get("x")) == cx
