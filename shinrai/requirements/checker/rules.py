"""Context rules: a candidate word is kept only if its rule accepts it (and may widen its span).

Each rule gets the sentence, its tokens (Japanese only, else None) and the candidate span, and returns the
span to report or None to drop the candidate.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .context import Sentence
from .tokens import Tokens

Span = tuple[int, int]
Rule = Callable[[Sentence, "Tokens | None", int, int], "Span | None"]

# Nouns after which 最高/十分/安全/改善 are still the vague word, not part of a term (最高水準, not 最高気温).
_VAGUE_HEADS = frozenset({"水準", "レベル", "品質", "性能", "クラス", "化", "性", "的", "さ"})


def _token_at_end(tokens: Tokens, end: int) -> int | None:
    return tokens.index_ending_at(end)


def is_numeric_token(tokens: Tokens, index: int) -> bool:
    """A numeral (10, 数) or a counter (秒, 件, か月)."""
    if not 0 <= index < len(tokens):
        return False
    part_of_speech = tokens.pos[index].split(",", 4)[:4]
    return part_of_speech[:2] == ["名詞", "数詞"] or any("助数詞" in part for part in part_of_speech)


def after_number(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """程度/前後/くらい/ほど after a number hedge it (10秒程度); elsewhere (影響の程度, 前後の画面) not."""
    index = tokens.index_starting_at(start) if tokens else None
    if index is None or index == 0:
        return None
    previous = index - 1
    if is_numeric_token(tokens, previous) or tokens.surface(previous) in ("%", "％"):
        return start, end
    return None


def prefix(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """約 as a prefix (約3秒, 約半数); 約 inside 契約/約款 is never a token of its own."""
    index = tokens.index_starting_at(start) if tokens else None
    return (start, end) if index is not None and tokens.has_pos(index, "接頭辞") else None


def list_marker(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """など as a particle, 等 as a suffix (帳票等); not 等 in 等級/同等/平等."""
    index = tokens.index_starting_at(start) if tokens else None
    if index is None:
        return None
    if tokens.has_pos(index, "助詞") or tokens.has_pos(index, "接尾辞"):
        return start, end
    return None


_ENUMERATION = re.compile(r"[、,・や]|及び|および|並びに|ならびに")


def in_enumeration(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """その他 that closes a list (発注、入荷その他の機能) is open-ended; その他の項目 on its own is not."""
    clause_start, _ = sentence.clause(start)
    before = sentence.folded[max(clause_start, start - 20) : start]
    return (start, end) if _ENUMERATION.search(before) else None


def not_compound(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """Drop the word when it heads a compound term: 最高気温, 安全在庫, 改善要望, 十分以内 (ten minutes)."""
    index = _token_at_end(tokens, end) if tokens else None
    if index is None:
        return None
    if tokens.has_pos(index, "助動詞") or tokens.has_pos(index, "助詞") or tokens.has_pos(index, "動詞"):
        return start, end  # 十分な / 最高の / 配慮する: the word is already used as a modifier or verb.
    following = index + 1
    if tokens.has_pos(following, "名詞") and tokens.surface(following) not in _VAGUE_HEADS:
        return None
    return start, end


def not_sort_order(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """高い/多い before 順 name a sort order (優先度が高い順), not a vague level."""
    index = _token_at_end(tokens, end) if tokens else None
    if index is not None and tokens.surface(index + 1) in ("順", "もの順", "方"):
        return None
    return start, end


def vague_numeral(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """数秒 / 数百件 / 数日: the numeral 数 stands for an unknown number; 件数, 複数 are other words."""
    index = tokens.index_starting_at(start) if tokens else None
    if index is None or not tokens.has_pos(index, "名詞,数詞"):
        return None
    if not tokens.surfaces[index].startswith("数"):
        return None
    return tokens.starts[index], tokens.ends[index]


def verb_suffix(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """使いやすい / 分かりにくい: report the verb and the suffix together."""
    index = tokens.index_starting_at(start) if tokens else None
    if index is None or index == 0 or not tokens.has_pos(index, "接尾辞,形容詞的"):
        return None
    if not tokens.has_pos(index - 1, "動詞"):
        return None
    return tokens.starts[index - 1], tokens.ends[index]


def adverb_yori(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """より as an adverb (より速く, より使いやすく) compares with nothing; 現行より is a stated baseline."""
    index = tokens.index_starting_at(start) if tokens else None
    if index is None or not tokens.has_pos(index, "副詞"):
        return None
    last = index + 1
    if last >= len(tokens) or tokens.has_pos(last, "補助記号"):
        return None
    # Include a following suffix: より使い|やすく.
    if tokens.has_pos(last + 1, "接尾辞"):
        last += 1
    return start, tokens.ends[last]


_CONDITION = re.compile(r"\b(?:if|when|unless|whether)\b", re.IGNORECASE)


def not_conditional(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """ "If no errors are found, …" is a condition, not a promise that errors never happen."""
    clause_start, _ = sentence.clause(start)
    return None if _CONDITION.search(sentence.folded, clause_start, start) else (start, end)
