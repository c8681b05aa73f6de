"""Draw one diagram of a parsed BPMN model as SVG (placeholder: boxes only; the full renderer replaces it)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from .model import Model


def render_svg(model: Model, diagram_index: int = 0, *, marks: Mapping[str, str] | None = None) -> str:
    diagram = model.diagrams[diagram_index]
    box = diagram.bounds
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box.x - 10} {box.y - 10} '
        f'{box.width + 20} {box.height + 20}">'
    ]
    for shape in diagram.shapes:
        b = shape.bounds
        parts.append(
            f'<g data-bpmn-id="{escape(shape.element_id)}"><rect x="{b.x}" y="{b.y}" width="{b.width}" '
            f'height="{b.height}" fill="none" stroke="black"/></g>'
        )
    for edge in diagram.edges:
        points = " ".join(f"{x},{y}" for x, y in edge.waypoints)
        parts.append(
            f'<g data-bpmn-id="{escape(edge.element_id)}">'
            f'<polyline points="{points}" fill="none" stroke="black"/></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
