"""Small SVG-writing helpers shared by the renderer and its icons: numbers, attributes, points."""

from __future__ import annotations

import math
from functools import lru_cache
from html import escape


def num(value: float) -> str:
    """A coordinate as short text: 12.0 → "12", 12.345678 → "12.35"."""
    if value == int(value):
        return str(int(value))  # the common case (DI coordinates are mostly whole numbers), and fast
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=256)
def _attribute_name(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def attrs(**values) -> str:
    """` name="value"` pairs, every value escaped; ``None`` values left out; ``_`` in names becomes ``-``."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, float | int) and not isinstance(value, bool):
            text = num(value)  # digits only: nothing to escape
        else:
            text = escape(str(value), quote=True)
        parts.append(f' {_attribute_name(name)}="{text}"')
    return "".join(parts)


def points(pairs) -> str:
    return " ".join(f"{num(x)},{num(y)}" for x, y in pairs)


def path_d(pairs, closed: bool = False) -> str:
    pairs = list(pairs)
    d = "M" + " L".join(f"{num(x)},{num(y)}" for x, y in pairs)
    return d + (" Z" if closed else "")


def direction(start: tuple[float, float], end: tuple[float, float]) -> tuple[float, float]:
    """Unit vector from ``start`` to ``end`` ((1, 0) when they coincide)."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length < 1e-9:
        return 1.0, 0.0
    return dx / length, dy / length


def polyline_midpoint(waypoints) -> tuple[float, float]:
    """The point halfway along a polyline's length."""
    lengths = [math.dist(a, b) for a, b in zip(waypoints, waypoints[1:], strict=False)]
    half = sum(lengths) / 2
    for (a, b), length in zip(zip(waypoints, waypoints[1:], strict=False), lengths, strict=False):
        if half <= length and length > 0:
            t = half / length
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        half -= length
    return waypoints[-1]


def arrow_head(tip, unit, length: float, half_width: float) -> list[tuple[float, float]]:
    """Triangle points of an arrowhead ending at ``tip`` and pointing along ``unit``."""
    ux, uy = unit
    bx, by = tip[0] - ux * length, tip[1] - uy * length
    return [tip, (bx - uy * half_width, by + ux * half_width), (bx + uy * half_width, by - ux * half_width)]


def rounded_path_d(pairs, radius: float = 5) -> str:
    """Path data through ``pairs`` with each bend rounded (a quadratic curve whose control point is the
    waypoint itself), as bpmn.io draws connections; ends are exact."""
    pairs = list(pairs)
    d = [f"M{num(pairs[0][0])},{num(pairs[0][1])}"]
    for before, corner, after in zip(pairs, pairs[1:], pairs[2:], strict=False):
        cut = min(radius, math.dist(before, corner) / 2, math.dist(corner, after) / 2)
        ux, uy = direction(before, corner)
        vx, vy = direction(corner, after)
        d.append(f"L{num(corner[0] - ux * cut)},{num(corner[1] - uy * cut)}")
        d.append(
            f"Q{num(corner[0])},{num(corner[1])} {num(corner[0] + vx * cut)},{num(corner[1] + vy * cut)}"
        )
    d.append(f"L{num(pairs[-1][0])},{num(pairs[-1][1])}")
    return " ".join(d)
