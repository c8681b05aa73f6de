"""What surrounds a vague word: quoted text, clauses and the objective criteria ("anchors") in them.

The precision rule of the checker lives here: a vague-looking word is excused when the requirement gives an
objective criterion for it — a number with a unit, an HTTP status, a named standard, an exact quoted message —
in the same clause. Everything works on character offsets of the original text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cached_property

Span = tuple[int, int]

# Full-width ASCII (Ａ, １, ％, （) and the ideographic space map one-to-one onto ASCII, so patterns can be
# written once in ASCII while offsets stay those of the original text.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def to_half_width(text: str) -> str:
    """``text`` with full-width ASCII folded to ASCII; same length, so offsets are unchanged."""
    return text.translate(_HALF_WIDTH)


# Exact text in quotes is a criterion, never vague wording: 「必須項目を入力してください」, "Order accepted".
_QUOTED = re.compile(r"「[^「」]*」|『[^『』]*』|“[^“”]*”|\"[^\"]*\"")

_NUMBER = r"(?<![A-Za-z])\d+(?:,\d{3})*(?:\.\d+)?(?:万|千|百|億)?"
_JA_UNITS = (
    "ミリ秒|マイクロ秒|秒間|秒|分間|分|時間|時|営業日|日間|日|週間|週|か月|ヶ月|カ月|ケ月|箇月|年間|年|件|人|名|回|"
    "世代|倍|円|文字|桁|行|台|画面|帳票|項目|種類|区分|段階|ポイント|ページ|ユーザー|ユーザ|アクセス|リクエスト|"
    "トランザクション|拠点|店舗|便|度|℃|%|パーセント|パーセンタイル|トン|キロ|メートル|ミリ|ピクセル|mm|cm|km|kg|同時"
)
_EN_UNITS = (
    r"ms|milliseconds?|s|secs?|seconds?|min|mins|minutes?|h|hrs?|hours?|(?:business |working )?days?|weeks?|"
    r"months?|years?|%|percent|(?:st|nd|rd|th)(?: percentile)?|percentile|x|times|requests?|req/s|rps|tps|"
    r"transactions?|users?|sessions?|records?|orders?|items?|rows?|characters?|chars|digits?|generations?|"
    r"[kmgt]b|[kmg]bps|attempts?|pages?|yen|jpy|usd|eur|stores?|terminals?|files?|concurrent|steps?|errors?|"
    r"incidents?|tickets?|calls?|clicks?|lines?|retries|px|pixels?|dpi|pt|kg|t|tons?|°c|mm|cm|km|m"
)
# Years and months are dates, not measurements: 「12月」 bounds nothing. Durations use か月/months.
_QUANTITY = re.compile(
    rf"{_NUMBER}\s*(?:{_JA_UNITS})|{_NUMBER}[\s-]?(?:{_EN_UNITS})(?![a-z])|\d{{1,2}}:\d{{2}}",
    re.IGNORECASE,
)
_HTTP_STATUS = re.compile(
    r"HTTP\s*(?:ステータス(?:コード)?\s*|status(?:\s+code)?\s*)?[1-5](?:\d\d|xx)(?!\d)|"
    r"(?:ステータスコード|status\s+code)\s*[1-5]\d\d(?!\d)",
    re.IGNORECASE,
)
_STANDARD = re.compile(
    r"ISO(?:/IEC)?\s?\d{4,5}|IEC\s?\d{4,5}|JIS\s?[A-Z]\s?\d{4}|WCAG\s?\d|PCI[\s-]?DSS|SOC\s?[12]\b|"
    r"NIST\s?(?:SP\s?)?800|FIPS\s?\d{3}|RFC\s?\d{3,4}|TLS\s?1\.\d|OWASP|ASVS|ISMAP|FISC|HIPAA|GDPR",
    re.IGNORECASE,
)
# Frequencies bound "regularly"/定期的に as well as a number does.
_FREQUENCY = re.compile(
    r"毎(?:日|週|月|年|時|晩|朝|夜|営業日)|日次|週次|月次|年次|24時間365日|"
    r"\b(?:daily|weekly|monthly|yearly|annually|hourly|nightly)\b|\bevery\s+(?:day|night|week|month|year|hour|"
    r"minute|business day|\d)|\beach\s+(?:day|night|week|month|business day)\b|\b24\s?[/x]\s?7\b",
    re.IGNORECASE,
)
_TEST_SCOPE = re.compile(r"試験|テスト|\btest(?:s|ing)?\b|\btrials?\b", re.IGNORECASE)

_JA_SENTENCE_END = re.compile(r"[。！？；;!?\n]")
_EN_CLAUSE_BREAK = re.compile(
    r"[;!?\n]|\.(?=\s|$)|,\s+(?:and|but|or|while|whereas|so)\b|\s(?:and|but)\s+(?=(?:the|a|an|all|each|every|it|"
    r"they|this|these|users?|customers?|operators?|administrators?)\b)|\b(?:while|whereas)\b",
    re.IGNORECASE,
)
# A purpose clause gives the reason, not the requirement: 待ち時間を短くするため、予約機能を設けること /
# "To reduce waiting times, the system shall offer reservations".
_JA_PURPOSE_END = re.compile(r"(?:ため|よう)に?[、,]\s*$")
_EN_PURPOSE_START = re.compile(r"\s*(?:in order to|to|so that|so as to)\b", re.IGNORECASE)
_OPENING = "(（[【"
_CLOSING = ")）]】"


def quoted_spans(text: str) -> list[Span]:
    return [match.span() for match in _QUOTED.finditer(text)]


def inside(position: int, spans: list[Span]) -> bool:
    """Whether ``position`` lies in one of ``spans`` (sorted and not overlapping, as finditer gives them)."""
    index = bisect_right(spans, position, key=lambda span: span[0]) - 1
    return index >= 0 and position < spans[index][1]


def last_non_space(text: str, position: int) -> int:
    """The end of ``text[:position].rstrip()``, found without copying the text before ``position``."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position


def _outside_parentheses(text: str, positions: list[int]) -> list[int]:
    # A bound in parentheses belongs to the clause around it: 速やかに(15分以内に、電話で).
    depth, kept, i = 0, [], 0
    for index, char in enumerate(text):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING and depth:
            depth -= 1
        while i < len(positions) and positions[i] == index:
            if depth == 0:
                kept.append(index)
            i += 1
    return kept


class Sentence:
    """One requirement being checked, with lazily computed context shared by all its candidate findings."""

    def __init__(self, text: str, lang: str, comma_breaks: list[int] | None = None):
        self.text = text
        self.lang = lang
        self.folded = to_half_width(text)
        self._comma_breaks = comma_breaks or []
        # Per-clause and per-pattern answers: a long clause holds many candidates, and scanning it again
        # for each would make the check quadratic in the text's length.
        self._purpose: dict[Span, bool] = {}
        self._matches: dict[re.Pattern[str], list[Span]] = {}
        self._clause_search: dict[tuple[re.Pattern[str], Span], bool] = {}

    @cached_property
    def quotes(self) -> list[Span]:
        return quoted_spans(self.folded)

    @cached_property
    def clause_starts(self) -> list[int]:
        if self.lang == "ja":
            breaks = [m.start() for m in _JA_SENTENCE_END.finditer(self.folded)] + self._comma_breaks
        else:
            breaks = [m.start() for m in _EN_CLAUSE_BREAK.finditer(self.folded)]
        breaks = _outside_parentheses(self.folded, sorted(set(breaks)))
        return [0, *(position + 1 for position in breaks)]

    def clause(self, position: int) -> Span:
        """The clause (start, end) containing ``position``."""
        starts = self.clause_starts
        index = bisect_right(starts, position) - 1
        end = starts[index + 1] if index + 1 < len(starts) else len(self.text)
        return starts[index], end

    def in_purpose_clause(self, position: int) -> bool:
        """Whether ``position`` lies in a clause that states the purpose of the requirement."""
        span = self.clause(position)
        if span not in self._purpose:
            self._purpose[span] = self._is_purpose(*span)
        return self._purpose[span]

    def _is_purpose(self, start: int, end: int) -> bool:
        clause = self.folded[start:end]
        if self.lang == "ja":
            return bool(_JA_PURPOSE_END.search(clause))
        if start == 0:
            return bool(_EN_PURPOSE_START.match(clause)) and end < len(self.text)
        return clause.lstrip(" ,").lower().startswith("so that")

    def matches(self, pattern: re.Pattern[str]) -> list[Span]:
        """Where ``pattern`` matches in the folded text (found once per sentence)."""
        if pattern not in self._matches:
            self._matches[pattern] = [match.span() for match in pattern.finditer(self.folded)]
        return self._matches[pattern]

    def matches_within(self, pattern: re.Pattern[str], start: int, end: int) -> bool:
        """Whether one of ``pattern``'s matches lies within [start, end)."""
        return _within(self.matches(pattern), start, end)

    def search_clause(self, pattern: re.Pattern[str], clause: Span) -> bool:
        """``pattern.search`` within one clause, answered once per clause."""
        key = (pattern, clause)
        if key not in self._clause_search:
            self._clause_search[key] = bool(pattern.search(self.folded, *clause))
        return self._clause_search[key]

    @cached_property
    def _anchors(self) -> dict[str, list[Span]]:
        folded = self.folded
        return {
            "quantity": [m.span() for m in _QUANTITY.finditer(folded)],
            "status": [m.span() for m in _HTTP_STATUS.finditer(folded)],
            "standard": [m.span() for m in _STANDARD.finditer(folded)],
            "frequency": [m.span() for m in _FREQUENCY.finditer(folded)],
            "quote": self.quotes,
            "test_scope": [m.span() for m in _TEST_SCOPE.finditer(folded)],
        }

    def has_anchor(self, kind: str, start: int = 0, end: int | None = None) -> bool:
        """Whether an anchor of ``kind`` lies within [start, end)."""
        end = len(self.text) if end is None else end
        return _within(self._anchors[kind], start, end)


def _within(spans: list[Span], start: int, end: int) -> bool:
    """Whether one of ``spans`` (sorted, not overlapping) lies within [start, end): the first one starting at
    or after ``start`` ends first."""
    index = bisect_left(spans, start, key=lambda span: span[0])
    return index < len(spans) and spans[index][1] <= end
