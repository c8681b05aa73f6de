"""Accessibility helpers for the browser tests: axe-core run in the page, and keyboard-only navigation.

axe-core comes from an installed package (axe-playwright-python ships axe.min.js, pinned in the dev extra);
nothing is fetched at run time. It is injected through Playwright's evaluate, which the page's Content
Security Policy does not apply to, so the page under test keeps its real CSP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# axe's impacts, least to most severe. The suite fails on the two most severe ones.
FAILING_IMPACTS = ("serious", "critical")

# Violations accepted on purpose, keyed by (rule id, CSS selector of the element as axe reports it) with the
# reason. Keep it short; every line is a known barrier that somebody decided to live with.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Violation:
    url: str
    rule: str
    impact: str
    help: str
    target: str
    html: str

    def __str__(self) -> str:
        return f"{self.url}: [{self.impact}] {self.rule} ({self.help}) at {self.target}: {self.html[:160]}"


def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def axe_version() -> str:
    match = re.search(r"axe v(\d+\.\d+\.\d+)", axe_script()[:200])
    return match.group(1) if match else "?"


def run_axe(page) -> list[Violation]:
    """Every violation axe-core finds in the page as it is now (WCAG 2.x A/AA rules and best practices)."""
    if page.evaluate("() => typeof window.axe === 'undefined'"):
        page.evaluate(axe_script())
    results = page.evaluate(
        "tags => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    )
    path = page.url.split("//", 1)[-1].split("/", 1)[-1]
    return [
        Violation(
            url="/" + path,
            rule=violation["id"],
            impact=violation["impact"] or "minor",
            help=violation["help"],
            target=" ".join(str(part) for part in node["target"]),
            html=node["html"].replace("\n", " "),
        )
        for violation in results["violations"]
        for node in violation["nodes"]
    ]


def failing(violations: list[Violation]) -> list[Violation]:
    """The serious and critical violations that are not on the allow-list."""
    return [v for v in violations if v.impact in FAILING_IMPACTS and (v.rule, v.target) not in ALLOWED]


# --- Keyboard ---------------------------------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  // What the outline is drawn on, on each of its four sides: the element found just outside the outline (what
  // is really there on screen, e.g. the header under the skip link), then its first ancestor with an opaque
  // background.
  const offset = parseFloat(style.outlineOffset) || 0, width = parseFloat(style.outlineWidth) || 0;
  const out = offset + width + 1, midX = box.left + box.width / 2, midY = box.top + box.height / 2;
  const sides = [
    [box.left - out, midY], [box.right + out, midY], [midX, box.top - out], [midX, box.bottom + out],
  ];
  const backgrounds = sides.map(([x, y]) => {
    const px = Math.min(Math.max(x, 0), innerWidth - 1), py = Math.min(Math.max(y, 0), innerHeight - 1);
    const behind = document.elementsFromPoint(px, py).find((node) => node !== el && !el.contains(node));
    for (let node = behind; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (colour && colour !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(colour)) return colour;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  });
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 80),
    href: el.getAttribute('href'), inMain: !!el.closest('main'),
    outlineStyle: style.outlineStyle, outlineWidth: width, outlineColor: style.outlineColor, backgrounds,
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < innerHeight && box.left < innerWidth,
  };
}"""


def focused(page) -> dict | None:
    """What has the keyboard focus now, with the style of its focus indicator."""
    return page.evaluate(FOCUSED)


def _rgb(colour: str) -> tuple[float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", colour)[:3]]
    return numbers[0], numbers[1], numbers[2]


def _luminance(colour: str) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (alpha ignored)."""
    a, b = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def focus_problem(info: dict) -> str | None:
    """Why the focused element's focus is not clearly visible, or None.

    Visible means: the element is on screen and draws an outline of at least 2 px whose colour has a contrast
    of at least 3:1 with what is behind it (WCAG 2.2 SC 2.4.7 and 1.4.11) on at least three of its four sides
    (one side may run over a neighbour, e.g. the language menu beside its button).
    """
    where = f"<{info['tag']}> {info['text']!r}"
    if not info["visible"]:
        return f"{where} has the focus but is not on screen"
    if info["outlineStyle"] == "none" or info["outlineWidth"] < 2:
        return f"{where} shows no focus outline ({info['outlineStyle']} {info['outlineWidth']}px)"
    ratios = [contrast(info["outlineColor"], background) for background in info["backgrounds"]]
    if sum(ratio >= 3 for ratio in ratios) < 3:
        behind = ", ".join(f"{bg} {ratio:.2f}" for bg, ratio in zip(info["backgrounds"], ratios, strict=True))
        return f"{where}: focus outline {info['outlineColor']} has contrast < 3 against {behind}"
    return None


def tab_until(page, matches, *, limit: int = 80, backwards: bool = False) -> tuple[dict, list[dict]]:
    """Press Tab (or Shift+Tab) until `matches(focused info)` is true; returns it and every stop on the way.

    Fails when the target is not reached within `limit` presses: a keyboard user could not get there.
    """
    stops: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = focused(page)
        if info is None:
            continue
        stops.append(info)
        if matches(info):
            return info, stops
    raise AssertionError(
        f"not reached with {limit} Tab presses; focus went through: "
        + ", ".join(f"<{s['tag']}> {s['text'][:30]!r}" for s in stops[-15:])
    )
