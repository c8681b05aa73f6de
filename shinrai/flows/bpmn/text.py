"""Label text for the SVG renderer: width estimates and line wrapping without a font engine.

Japanese has no spaces, so lines break between any two wide characters; Latin text breaks at spaces and
after hyphens, and a word longer than the line is cut. Widths are estimates (a wide character is one em,
others about half an em): good enough to keep labels inside their boxes, never exact.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Characters that must not start a line (Japanese line-breaking rules, kinsoku shori, in short).
_NO_LINE_START = frozenset(
    "、。，．・：；？！ー」』）】〕〉》”’ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.:;!?)]}"
)
_ELLIPSIS = "…"


@lru_cache(maxsize=4096)
def _em(char: str) -> float:
    """Estimated advance of ``char`` in ems."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char == " ":
        return 0.28
    if char.isupper():
        return 0.64
    if char in "ilj.,:;'|!-()":
        return 0.3
    if char in "mwMW":
        return 0.8
    return 0.52


def char_width(char: str, size: float) -> float:
    """Estimated advance of ``char`` at font size ``size`` (px)."""
    return _em(char) * size


def text_width(text: str, size: float) -> float:
    return sum(map(_em, text)) * size


def _is_wide(char: str) -> bool:
    return _em(char) == 1.0


def _wrap_paragraph(paragraph: str, max_width: float, size: float) -> list[str]:
    lines: list[str] = []
    line = ""
    width = 0.0
    break_at = -1  # index in ``line`` after which a break is allowed
    for char in paragraph:
        advance = char_width(char, size)
        if line and width + advance > max_width and char != " " and char not in _NO_LINE_START:
            if 0 < break_at < len(line):
                head, tail = line[:break_at], line[break_at:]
            else:
                head, tail = line, ""
            lines.append(head.rstrip())
            line = tail.lstrip()
            width = text_width(line, size)
            break_at = -1
        line += char
        width += advance
        if char in " -/" or _is_wide(char):
            break_at = len(line)
        elif len(line) > 1 and _is_wide(line[-2]) and char not in _NO_LINE_START:
            break_at = len(line) - 1
    if line.strip() or not lines:
        lines.append(line.strip())
    return lines


def wrap(text: str, max_width: float, size: float, max_lines: int | None = None) -> list[str]:
    """Lines of ``text`` that fit ``max_width`` px at ``size`` px; explicit line breaks are kept.

    With ``max_lines``, extra lines are dropped and the last kept line ends with an ellipsis.
    """
    max_width = max(max_width, size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _wrap_paragraph(paragraph.strip(), max_width, size)
    while lines and not lines[-1]:
        lines.pop()
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[: max(max_lines, 1)]
        last = lines[-1]
        while last and text_width(last + _ELLIPSIS, size) > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + _ELLIPSIS
    return lines
