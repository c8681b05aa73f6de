"""Find vague wording in one requirement sentence.

Candidates come from regular expressions, are confirmed by token boundaries (Japanese) or word boundaries
(English) and by each term's context rule, and are then excused when the clause states an objective criterion.
Japanese sentences also get part-of-speech candidates (morphology.py: adjectives, adjectival nouns, 〜的,
〜性を確保, 高〜/低〜) wherever no listed term already covers the span; the same excuses apply to them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from . import morphology
from . import terms as lexicon
from .context import Sentence, Span, inside, last_non_space
from .explanations import explain
from .terms import Term
from .tokens import Tokens

_JAPANESE_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_LATIN_LETTERS = re.compile(r"[A-Za-z]")
_CAPABILITY = {
    "ja": re.compile(r"でき(?:る|ます)|可能と(?:する|なる)|可能であ|行える"),
    "en": re.compile(r"\b(?:can|may|(?:be|is|are) able to)\b", re.IGNORECASE),
}
_CONDITION_BEFORE = re.compile(r"場合|とき|際|[、,]")
# How a prevention is achieved: …ことで防止する / by disabling the button / through rate limiting.
_MECHANISM = {
    "ja": re.compile(r"により|によって|ことで|を用いて|を使用して|を利用して|(?:のみ|だけ)で"),
    "en": re.compile(
        r"\b(?:by\s+\w+ing|by means of|through|using|via|with (?:a|an|the)\s+\w+)\b", re.IGNORECASE
    ),
}
_CLOSED_COUNT = re.compile(
    r"\s*(?:の)?\s*(?:全|計|合計)?\s*\d+\s*(?:種類|種|件|項目|帳票|形式|区分|画面|つ|点|機能|通り|パターン|段階)"
)

_JA_PATTERN, _JA_SINGLE = lexicon.compile_terms(lexicon.JAPANESE, english=False)
_EN_PATTERN, _EN_SINGLE = lexicon.compile_terms(lexicon.ENGLISH, english=True)


@dataclass(frozen=True)
class Finding:
    """One vague span of a requirement. ``message``/``suggestion`` are in the requirement's language; the
    ``*_ja``/``*_en`` fields carry both languages for a UI shown in the reader's language."""

    start: int
    end: int
    category: str
    message: str
    suggestion: str
    message_ja: str = ""
    message_en: str = ""
    suggestion_ja: str = ""
    suggestion_en: str = ""

    def localized(self, lang: str) -> tuple[str, str]:
        """(message, suggestion) in ``lang``."""
        if lang.startswith("ja"):
            return self.message_ja, self.suggestion_ja
        return self.message_en, self.suggestion_en


def detect_language(text: str) -> str:
    """Return "ja" when the text is mostly Japanese (kana/kanji outweigh Latin letters), else "en"."""
    japanese = len(_JAPANESE_CHARS.findall(text))
    if not japanese:
        return "en"
    # Japanese needs fewer characters per word: 「APIはHTTP 401を返すこと」 is Japanese.
    return "ja" if japanese * 4 >= len(_LATIN_LETTERS.findall(text)) else "en"


def check(text: str) -> list[Finding]:
    """The vague wording in ``text``, sorted by position, without overlaps."""
    if not text or not text.strip():
        return []
    lang = detect_language(text)
    sentence, candidates = _candidates(text, lang)
    hits = [(start, end, term) for start, end, term in candidates if not _excused(sentence, term, start, end)]
    return [_finding(text, lang, start, end, term) for start, end, term in hits]


def is_verifiable(text: str) -> bool:
    """True when ``check`` finds nothing."""
    return not check(text)


def _candidates(text: str, lang: str) -> tuple[Sentence, list[tuple[int, int, Term]]]:
    if lang == "ja":
        pattern, singles, terms = _JA_PATTERN, _JA_SINGLE, lexicon.JAPANESE
    else:
        pattern, singles, terms = _EN_PATTERN, _EN_SINGLE, lexicon.ENGLISH
    sentence = Sentence(text, lang)
    folded = sentence.folded
    tokens: Tokens | None = None
    if lang == "ja":
        # Every Japanese sentence is tokenized: the part-of-speech families need the tags anyway.
        tokens = Tokens(text)
        sentence = Sentence(text, lang, comma_breaks=tokens.clause_breaks())
    found: list[tuple[int, int, Term]] = []
    position = 0
    while match := pattern.search(folded, position):
        index = int(match.lastgroup[1:])
        accepted = _accept(sentence, tokens, terms[index], match.start(), match.end())
        # Another term may still match at the same place: 高速化要件 is no comparative, but 高速 is.
        while accepted is None and (index := index + 1) < len(terms):
            retry = singles[index].match(folded, match.start())
            if retry:
                accepted = _accept(sentence, tokens, terms[index], retry.start(), retry.end())
        if accepted is None:
            position = match.start() + 1
            continue
        found.append(accepted)
        position = max(accepted[1], match.start() + 1)
    if tokens is not None:
        found.extend(_pos_candidates(sentence, tokens, found))
    return sentence, _without_overlaps(found)


def _pos_candidates(
    sentence: Sentence, tokens: Tokens, listed: list[tuple[int, int, Term]]
) -> list[tuple[int, int, Term]]:
    """The part-of-speech candidates that no listed term already covers (the lexicon knows better)."""
    # Overlap with a listed span: one that starts before ``end`` and reaches past ``start``. Sorted by start,
    # with the furthest end so far, that is one bisection per candidate (not a scan of every listed span).
    spans = sorted((l_start, l_end) for l_start, l_end, _ in listed)
    starts = [l_start for l_start, _ in spans]
    reach = list(accumulate((l_end for _, l_end in spans), max))
    kept = []
    for start, end, term in morphology.candidates(tokens):
        if inside(start, sentence.quotes):
            continue
        before_end = bisect_left(starts, end)
        if before_end and reach[before_end - 1] > start:
            continue
        kept.append((start, end, term))
    return kept


def _accept(
    sentence: Sentence, tokens: Tokens | None, term: Term, start: int, end: int
) -> tuple[int, int, Term] | None:
    if start == end or inside(start, sentence.quotes):
        return None
    if tokens is not None and not tokens.is_word(start, end):
        return None
    if sentence.lang == "en" and _is_proper_name(sentence.text, start):
        return None
    if term.rule is not None:
        span = term.rule(sentence, tokens, start, end)
        if span is None:
            return None
        start, end = span
    return start, end, term


def _is_proper_name(text: str, start: int) -> bool:
    """A capitalised word inside an English sentence names something: the "Secure" cookie attribute, the
    "Quick Order" screen. All-capital words (ASAP) and sentence starts are ordinary words."""
    if not (text[start].isupper() and text[start + 1 : start + 2].islower()):
        return False
    before = last_non_space(text, start)
    return before > 0 and text[before - 1] not in '.!?:;"“(「'


def _without_overlaps(found: list[tuple[int, int, Term]]) -> list[tuple[int, int, Term]]:
    kept: list[tuple[int, int, Term]] = []
    for start, end, term in sorted(found, key=lambda hit: (hit[0], -hit[1])):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, term))
    return kept


def _excused(sentence: Sentence, term: Term, start: int, end: int) -> bool:
    """Whether the requirement states an objective criterion that makes this vague word harmless."""
    if sentence.in_purpose_clause(start):
        return True
    clause = sentence.clause(start)
    return any(_EXCUSES[excuse](sentence, start, end, clause) for excuse in term.excuses)


def _criterion_in_clause(sentence: Sentence, start: int, end: int, clause: Span) -> bool:
    return any(sentence.has_anchor(kind, *clause) for kind in ("quantity", "status", "standard", "quote"))


def _frequency_in_clause(sentence: Sentence, start: int, end: int, clause: Span) -> bool:
    return sentence.has_anchor("frequency", *clause)


def _standard_in_sentence(sentence: Sentence, start: int, end: int, clause: Span) -> bool:
    return sentence.has_anchor("standard")


def _bounded_sentence(sentence: Sentence, start: int, end: int, clause: Span) -> bool:
    return sentence.has_anchor("quantity") or sentence.has_anchor("test_scope")


def _count_follows(sentence: Sentence, start: int, end: int, clause: Span) -> bool:
    return bool(_CLOSED_COUNT.match(sentence.folded, end, clause[1]))


def _grants_capability(sentence: Sentence, start: int, end: int, clause: Span) -> bool:
    return sentence.search_clause(_CAPABILITY[sentence.lang], clause)


def _condition_before(sentence: Sentence, start: int, end: int, clause: Span) -> bool:
    return sentence.matches_within(_CONDITION_BEFORE, 0, start)


def _mechanism_in_clause(sentence: Sentence, start: int, end: int, clause: Span) -> bool:
    return sentence.search_clause(_MECHANISM[sentence.lang], clause)


# The excuse names used by terms.DEFAULT_EXCUSES and Term.excused_by.
_EXCUSES: dict[str, Callable[[Sentence, int, int, Span], bool]] = {
    "quantity": _criterion_in_clause,
    "frequency": _frequency_in_clause,
    "standard": _standard_in_sentence,
    "bounded": _bounded_sentence,
    "closed": _count_follows,
    "capability": _grants_capability,
    "antecedent": _condition_before,
    "mechanism": _mechanism_in_clause,
}


def _finding(text: str, lang: str, start: int, end: int, term: Term) -> Finding:
    word = text[start:end]
    message_ja, suggestion_ja = explain(term.category, "ja", term=word, topic=term.topic)
    message_en, suggestion_en = explain(term.category, "en", term=word, topic=term.topic)
    own = (message_ja, suggestion_ja) if lang == "ja" else (message_en, suggestion_en)
    return Finding(start, end, term.category, *own, message_ja, message_en, suggestion_ja, suggestion_en)
