"""Context rules: a candidate word is kept only if its rule accepts it (and may widen its span).

Each rule gets the sentence, its tokens (Japanese only, else None) and the candidate span, and returns the
span to report or None to drop the candidate.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .context import Sentence, last_non_space
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
    """高い/多い before 順 name a sort order (優先度が高い順), not a vague level; 発注点より少ない品目
    compares with a named baseline."""
    index = _token_at_end(tokens, end) if tokens else None
    if index is not None and tokens.surface(index + 1) in ("順", "もの順", "方"):
        return None
    if index is not None and baseline_in_condition(tokens, index):
        return None
    return start, end


# A comparison baseline in a condition is exact: 発注点より少ない場合 (fewer than the reorder point).
_CONDITION_HEADS = frozenset({"場合", "とき", "時", "際", "品目", "もの", "明細", "データ", "件", "商品"})
_VAGUE_BASELINES = frozenset({"現行", "従来", "現状", "今", "現在", "これまで", "以前", "他社"})


def baseline_in_condition(tokens: Tokens, index: int) -> bool:
    """Token ``index`` is an adjective after 〜より naming a baseline and heads a condition or a selection."""
    if tokens.surface(index - 1) != "より" or not tokens.has_pos(index - 1, "助詞"):
        return False
    if tokens.surface(index - 2) in _VAGUE_BASELINES:
        return False
    return tokens.surface(index + 1) in _CONDITION_HEADS


def vague_numeral(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """数秒 / 数百件 / 数日: the numeral 数 stands for an unknown number; 件数, 複数 are other words."""
    index = tokens.index_starting_at(start) if tokens else None
    if index is None or not tokens.has_pos(index, "名詞,数詞"):
        return None
    if not tokens.surfaces[index].startswith("数"):
        return None
    return tokens.starts[index], tokens.ends[index]


def verb_suffix(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """使いやすい / 分かりにくい / 推測されにくい: report the verb (with its passive or causative ending) and
    the suffix together."""
    index = tokens.index_starting_at(start) if tokens else None
    if index is None or index == 0 or not tokens.has_pos(index, "接尾辞,形容詞的"):
        return None
    verb = index - 1
    while verb > 0 and tokens.has_pos(verb, "助動詞") and tokens.surface(verb) in _VOICE_ENDINGS:
        verb -= 1
    if not tokens.has_pos(verb, "動詞"):
        return None
    light_verb = tokens.pos[verb].startswith("動詞,非自立可能")  # する after a verbal noun
    if verb > 0 and light_verb and tokens.has_pos(verb - 1, "名詞,普通名詞,サ変"):
        verb -= 1  # 推測|さ|れ|にくい: the verbal noun is the verb
    return tokens.starts[verb], tokens.ends[index]


_VOICE_ENDINGS = frozenset({"れ", "られ", "せ", "させ", "れる", "られる"})


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
    return None if sentence.matches_within(_CONDITION, clause_start, start) else (start, end)


_WORD = re.compile(r"[A-Za-z][\w'-]*")
# Words after which an adjective is not attributive: "is necessary", "if necessary", "not important".
_PREDICATIVE_BEFORE = frozenset(
    {"is", "are", "be", "been", "was", "were", "if", "as", "where", "when", "not", "deemed", "strictly",
     "absolutely", "become", "becomes", "unless", "whenever", "wherever"}
)  # fmt: skip
# Words that cannot be the noun an attributive adjective modifies.
_FUNCTION_WORDS = frozenset(
    {"to", "for", "if", "when", "that", "than", "and", "or", "as", "in", "of", "by", "with", "because",
     "shall", "should", "must", "will", "may", "can", "is", "are", "be", "was", "were", "the", "a", "an",
     "on", "at"}
)  # fmt: skip
_DETERMINERS = frozenset(
    {"the", "all", "any", "our", "its", "their", "these", "those", "each", "every", "other", "only", "some",
     "of", "with", "on", "for", "include", "includes", "including", "provide", "provides", "show", "shows",
     "display", "displays"}
)  # fmt: skip


def _word_before(text: str, start: int) -> str | None:
    """The word right before ``start``, lower-cased; None at the start of a sentence or after punctuation."""
    end = last_non_space(text, start)
    if not end or not (text[end - 1].isalnum() or text[end - 1] in "'-"):
        return None
    words = _WORD.findall(text[max(0, end - 40) : end])
    return words[-1].lower() if words else None


def _word_after(text: str, end: int) -> str | None:
    match = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    return match.group().lower() if match else None


def attributive(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """ "the necessary KPIs" leaves open which ones; "if necessary" and "is necessary to" do not select."""
    following = _word_after(sentence.folded, end)
    if following is None or following in _FUNCTION_WORDS:
        return None
    return None if _word_before(sentence.folded, start) in _PREDICATIVE_BEFORE else (start, end)


def after_determiner(sentence: Sentence, tokens: Tokens | None, start: int, end: int) -> Span | None:
    """ "Key reports" / "all important screens" select an unnamed subset; "the API key" and "primary key" name
    a thing, so the word must open its noun phrase (sentence start or a determiner before it)."""
    following = _word_after(sentence.folded, end)
    if following is None or following in _FUNCTION_WORDS:
        return None
    before = _word_before(sentence.folded, start)
    return (start, end) if before is None or before in _DETERMINERS else None
