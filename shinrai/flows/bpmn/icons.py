"""The renderer's own icons, drawn as simple paths: task types, event definitions, activity markers.

Every function returns SVG markup (presentation attributes only). ``ink`` is the drawing colour (the
shape's stroke), ``paper`` the background (the shape's fill); "filled" icons swap them, as bpmn.io does for
throw events.
"""

from __future__ import annotations

import math

from .geometry import attrs, num, path_d, points


def _path(d: str, ink: str, fill: str = "none", width: float = 1.0, **extra) -> str:
    return f"<path{attrs(d=d, fill=fill, stroke=ink, stroke_width=width, stroke_linejoin='round', **extra)}/>"


# --- Task type icons (top-left corner of the task) ------------------------------------------------------


def _envelope(x: float, y: float, w: float, h: float, ink: str, paper: str, filled: bool) -> str:
    face = ink if filled else paper
    body = f"<rect{attrs(x=x, y=y, width=w, height=h, fill=face, stroke=ink, stroke_width=1)}/>"
    flap = _path(path_d([(x, y), (x + w / 2, y + h * 0.4), (x + w, y)]), paper if filled else ink, width=1)
    return body + flap


def _user(x: float, y: float, ink: str, paper: str) -> str:
    head = f"<circle{attrs(cx=x + 8, cy=y + 5, r=3.6, fill=paper, stroke=ink, stroke_width=1)}/>"
    body = _path(
        f"M{num(x + 1)},{num(y + 17)} C{num(x + 1)},{num(y + 10)} {num(x + 15)},{num(y + 10)} "
        f"{num(x + 15)},{num(y + 17)} Z",
        ink,
        paper,
    )
    return body + head


def _gear(cx: float, cy: float, radius: float, ink: str, paper: str) -> str:
    teeth = 8
    outline = []
    for index in range(teeth * 4):
        angle = math.pi * 2 * index / (teeth * 4)
        r = radius if index % 4 in (0, 1) else radius * 0.72
        outline.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    hub = f"<circle{attrs(cx=cx, cy=cy, r=radius * 0.32, fill=paper, stroke=ink, stroke_width=1)}/>"
    return f"<polygon{attrs(points=points(outline), fill=paper, stroke=ink, stroke_width=1)}/>" + hub


def _service(x: float, y: float, ink: str, paper: str) -> str:
    return _gear(x + 7, y + 7, 6.5, ink, paper) + _gear(x + 12, y + 12, 6.5, ink, paper)


def _manual(x: float, y: float, ink: str, paper: str) -> str:
    # A flat hand pointing right: palm, thumb, and three fingers.
    d = (
        f"M{num(x)},{num(y + 7)} L{num(x + 5)},{num(y + 3)} L{num(x + 10)},{num(y + 3)} "
        f"L{num(x + 9)},{num(y + 6)} "
        f"L{num(x + 18)},{num(y + 6)} L{num(x + 18)},{num(y + 8)} L{num(x + 11)},{num(y + 8)} "
        f"L{num(x + 17)},{num(y + 8)} L{num(x + 17)},{num(y + 10.5)} L{num(x + 11)},{num(y + 10.5)} "
        f"L{num(x + 16)},{num(y + 10.5)} L{num(x + 16)},{num(y + 13)} L{num(x + 11)},{num(y + 13)} "
        f"L{num(x + 14)},{num(y + 13)} L{num(x + 14)},{num(y + 15)} L{num(x + 3)},{num(y + 15)} "
        f"L{num(x)},{num(y + 12)} Z"
    )
    return _path(d, ink, paper)


def _business_rule(x: float, y: float, ink: str, paper: str) -> str:
    table = f"<rect{attrs(x=x, y=y + 2, width=17, height=13, fill=paper, stroke=ink, stroke_width=1)}/>"
    header = f"<rect{attrs(x=x, y=y + 2, width=17, height=3.5, fill=ink, stroke=ink, stroke_width=1)}/>"
    lines = _path(
        f"M{num(x)},{num(y + 9.5)} L{num(x + 17)},{num(y + 9.5)} M{num(x + 5)},{num(y + 5.5)} "
        f"L{num(x + 5)},{num(y + 15)}",
        ink,
    )
    return table + header + lines


def _script(x: float, y: float, ink: str, paper: str) -> str:
    sheet = _path(
        f"M{num(x + 4)},{num(y + 1)} L{num(x + 16)},{num(y + 1)} C{num(x + 12)},{num(y + 5)} {num(x + 18)},"
        f"{num(y + 12)} {num(x + 14)},{num(y + 16)} L{num(x + 2)},{num(y + 16)} C{num(x + 6)},{num(y + 12)} "
        f"{num(x)},{num(y + 5)} {num(x + 4)},{num(y + 1)} Z",
        ink,
        paper,
    )
    lines = _path(
        "".join(
            f"M{num(x + 5 + dx)},{num(y + row)} L{num(x + 12 + dx)},{num(y + row)} "
            for row, dx in ((4.5, 0.5), (8.5, 1.2), (12.5, 0.5))
        ),
        ink,
    )
    return sheet + lines


def task_icon(kind: str, x: float, y: float, ink: str, paper: str) -> str:
    """Icon for a task type at the task's top-left corner ``(x, y)``; "" for plain tasks."""
    ox, oy = x + 6, y + 6
    if kind == "userTask":
        return _user(ox, oy, ink, paper)
    if kind == "serviceTask":
        return _service(ox, oy, ink, paper)
    if kind == "sendTask":
        return _envelope(ox, oy + 1, 18, 12, ink, paper, filled=True)
    if kind == "receiveTask":
        return _envelope(ox, oy + 1, 18, 12, ink, paper, filled=False)
    if kind == "manualTask":
        return _manual(ox, oy, ink, paper)
    if kind == "businessRuleTask":
        return _business_rule(ox, oy, ink, paper)
    if kind == "scriptTask":
        return _script(ox, oy, ink, paper)
    return ""


# --- Event definition icons (inside the event circle) ----------------------------------------------------


def event_icon(definition: str, cx: float, cy: float, r: float, ink: str, paper: str, filled: bool) -> str:
    """Icon for one event definition ("message", "timer" …, or "multiple"/"parallelMultiple") in a circle."""
    s = r / 18  # icons are designed for a 36 px event
    face = ink if filled else paper

    def at(pairs):
        return [(cx + px * s, cy + py * s) for px, py in pairs]

    if definition == "message":
        w, h = 18 * s, 12 * s
        return _envelope(cx - w / 2, cy - h / 2, w, h, ink, paper, filled)
    if definition == "timer":
        ticks = "".join(
            f"M{num(cx + math.cos(a) * 8.5 * s)},{num(cy + math.sin(a) * 8.5 * s)} "
            f"L{num(cx + math.cos(a) * 10.5 * s)},{num(cy + math.sin(a) * 10.5 * s)} "
            for a in (math.pi * k / 6 for k in range(12))
        )
        face_circle = f"<circle{attrs(cx=cx, cy=cy, r=11 * s, fill=paper, stroke=ink, stroke_width=1.5)}/>"
        hands = path_d(at([(0, -7), (0, 0), (5, 2)]))
        return face_circle + _path(ticks, ink) + _path(hands, ink, width=1.5)
    if definition == "escalation":
        shape = at([(0, -9), (7, 9), (0, 2), (-7, 9)])
        return _path(path_d(shape, closed=True), ink, face)
    if definition == "conditional":
        sheet = (
            f"<rect{attrs(x=cx - 7 * s, y=cy - 9 * s, width=14 * s, height=18 * s, fill=paper, stroke=ink)}/>"
        )
        lines = "".join(
            f"M{num(cx - 4.5 * s)},{num(cy + k * s)} L{num(cx + 4.5 * s)},{num(cy + k * s)} "
            for k in (-5.5, -1.8, 1.8, 5.5)
        )
        return sheet + _path(lines, ink)
    if definition == "link":
        shape = at([(-8, -3), (1, -3), (1, -8), (9, 0), (1, 8), (1, 3), (-8, 3)])
        return _path(path_d(shape, closed=True), ink, face)
    if definition == "error":
        shape = at([(-9, 8), (-4, -9), (2, 1), (8, -8), (4, 9), (-2, -1)])
        return _path(path_d(shape, closed=True), ink, face)
    if definition == "cancel":
        shape = at(
            [
                (-9, -6),
                (-6, -9),
                (0, -3),
                (6, -9),
                (9, -6),
                (3, 0),
                (9, 6),
                (6, 9),
                (0, 3),
                (-6, 9),
                (-9, 6),
                (-3, 0),
            ]
        )
        return _path(path_d(shape, closed=True), ink, face)
    if definition == "compensate":
        left = at([(-10, 0), (-1, -6), (-1, 6)])
        right = at([(-1, 0), (8, -6), (8, 6)])
        return _path(path_d(left, closed=True), ink, face) + _path(path_d(right, closed=True), ink, face)
    if definition == "signal":
        shape = at([(0, -10), (9, 7), (-9, 7)])
        return _path(path_d(shape, closed=True), ink, face)
    if definition == "terminate":
        return f"<circle{attrs(cx=cx, cy=cy, r=r * 0.6, fill=ink, stroke=ink, stroke_width=1)}/>"
    if definition == "multiple":
        shape = at(
            [
                (9.5 * math.cos(a), 9.5 * math.sin(a))
                for a in (-math.pi / 2 + 2 * math.pi * k / 5 for k in range(5))
            ]
        )
        return _path(path_d(shape, closed=True), ink, face)
    if definition == "parallelMultiple":
        shape = at(
            [
                (-2.5, -9),
                (2.5, -9),
                (2.5, -2.5),
                (9, -2.5),
                (9, 2.5),
                (2.5, 2.5),
                (2.5, 9),
                (-2.5, 9),
                (-2.5, 2.5),
                (-9, 2.5),
                (-9, -2.5),
                (-2.5, -2.5),
            ]
        )
        return _path(path_d(shape, closed=True), ink, face)
    return ""


# --- Activity markers (bottom centre, side by side) ----------------------------------------------------

MARKER_SIZE = 14


def activity_marker(marker: str, x: float, y: float, ink: str, paper: str) -> str:
    """One 14 px marker with its top-left at ``(x, y)``: "subprocess" [+], "loop", "parallel" |||,
    "sequential" ≡, "compensation" <<, "adhoc" ~."""
    m = MARKER_SIZE
    if marker == "subprocess":
        box = f"<rect{attrs(x=x, y=y, width=m, height=m, fill=paper, stroke=ink, stroke_width=1.5)}/>"
        plus = (
            f"M{num(x + 3)},{num(y + m / 2)} L{num(x + m - 3)},{num(y + m / 2)} "
            f"M{num(x + m / 2)},{num(y + 3)} L{num(x + m / 2)},{num(y + m - 3)}"
        )
        return box + _path(plus, ink, width=1.5)
    if marker == "loop":
        cx, cy, r = x + m / 2, y + m / 2, m / 2 - 1.5
        start = (cx + r * math.cos(math.radians(120)), cy + r * math.sin(math.radians(120)))
        end = (cx + r * math.cos(math.radians(60)), cy + r * math.sin(math.radians(60)))
        arc = f"M{num(start[0])},{num(start[1])} A{num(r)},{num(r)} 0 1 1 {num(end[0])},{num(end[1])}"
        head = path_d([(end[0] - 0.5, end[1] - 4), (end[0], end[1]), (end[0] + 4, end[1] + 0.5)])
        return _path(arc, ink, width=1.5) + _path(head, ink, width=1.5)
    if marker == "parallel":
        bars = "".join(f"M{num(x + dx)},{num(y + 1)} L{num(x + dx)},{num(y + m - 1)} " for dx in (3, 7, 11))
        return _path(bars, ink, width=2)
    if marker == "sequential":
        bars = "".join(f"M{num(x + 1)},{num(y + dy)} L{num(x + m - 1)},{num(y + dy)} " for dy in (3, 7, 11))
        return _path(bars, ink, width=2)
    if marker == "compensation":
        left = [(x, y + m / 2), (x + m / 2, y + 2), (x + m / 2, y + m - 2)]
        right = [(x + m / 2, y + m / 2), (x + m, y + 2), (x + m, y + m - 2)]
        return _path(path_d(left, closed=True), ink) + _path(path_d(right, closed=True), ink)
    if marker == "adhoc":
        wave = (
            f"M{num(x)},{num(y + m / 2 + 1)} C{num(x + 3)},{num(y + 2)} {num(x + 7)},{num(y + 2)} "
            f"{num(x + 7)},{num(y + m / 2)} S{num(x + 11)},{num(y + m - 2)} {num(x + m)},{num(y + m / 2 - 1)}"
        )
        return _path(wave, ink, width=1.5)
    return ""
