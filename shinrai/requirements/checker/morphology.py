"""Japanese vague wording found by part of speech (UniDic features) rather than by a word list.

The regular-expression lexicon (terms.py) only knows the words it lists. Quality words, however, form open
classes that UniDic tags reliably, so four general families are found from the tokens:

- evaluative adjectives (形容詞): 遅い, 細かい, 厳しい, 少ない … — a degree or judgement with no number;
- evaluative adjectival nouns (形状詞, and nouns that may be used as one) before な/に/だ/さ: 軽微な, 重要な,
  明確に, 正確な, 円滑に …;
- 〜的 adjectival nouns before な/に/だ/で: 継続的に, 積極的な, 計画的に, 網羅的に …;
- an abstract quality noun in 〜性 as the object of an assurance verb: 安全性を確保, 整合性を担保 ….

Each family has a short stop list of *descriptive* words of the same part of speech (正しい, 新しい, 必須,
一意, 自動的, 具体的 …) that name a checkable property rather than a judgement. What remains is reported with
the family's Term, so the precision rule of the engine (a criterion in the same clause excuses the word)
applies.
"""

from __future__ import annotations

from .rules import baseline_in_condition
from .terms import JA_POS_TERMS, Term
from .tokens import Tokens

Hit = tuple[int, int, Term]

# Adjectives that describe rather than judge: a correct password, the new value, the same code, no data.
_DESCRIPTIVE_ADJECTIVES = frozenset(
    {
        "正しい", "新しい", "古い", "同じ", "等しい", "無い", "ない", "欲しい", "赤い", "青い", "白い",
        "黒い", "黄色い", "丸い", "四角い", "若い", "親しい", "珍しい",
    }
)  # fmt: skip
# Adjectives measuring a dimension are "unquantified" (a number fixes them); the rest are judgements.
_DIMENSION_ADJECTIVES = frozenset(
    {
        "高い", "低い", "多い", "少ない", "短い", "長い", "大きい", "小さい", "速い", "早い", "遅い", "重い",
        "軽い", "広い", "狭い", "近い", "遠い", "細かい", "太い", "細い", "薄い", "厚い", "強い", "弱い",
        "素早い", "手早い", "幅広い", "数多い",
    }
)  # fmt: skip
# Adjectival nouns that state a checkable property: required, optional, unique, valid, same, automatic ….
_DESCRIPTIVE_ADJECTIVAL_NOUNS = frozenset(
    {
        "可能", "不可能", "不可", "可", "不要", "必須", "任意", "一意", "同一", "同じ", "別", "個別",
        "有効", "無効", "不正", "正常", "異常", "同時", "複数", "単一", "最新", "最大", "最小", "最終",
        "独自", "共通", "固有", "特定", "無料", "有料", "無償", "有償", "均等", "平等", "連続", "手動",
        "自動", "空", "不明", "直接", "間接", "可変", "固定", "正式", "公式", "非公開", "公開", "逆", "同様",
        "同等", "未定", "不在",
        "不足", "過去", "別途", "全", "一括", "既定", "所定", "指定", "未", "オンライン", "オフライン",
        "リアルタイム", "ランダム", "ユニーク", "オプション", "フリー", "必要", "よう", "そう", "同然",
        "確か", "明らか", "完全", "部分", "一時", "無関係", "有用", "無用", "不変", "一様", "様", "ため",
    }
)  # fmt: skip
# Adjectival nouns measuring an amount or degree: "unquantified" rather than "subjective".
_DIMENSION_ADJECTIVAL_NOUNS = frozenset(
    {
        "大量", "多量", "膨大", "大規模", "小規模", "大幅", "わずか", "僅か", "微量", "多大",
        "過大", "過度", "過剰", "頻繁", "高速", "低速", "迅速", "長期", "短期", "広範", "広範囲", "大容量",
        "少量", "多数", "少数", "大型", "小型", "高額", "低額", "安価", "高価",
    }
)  # fmt: skip
# 〜的 words that name a property or a method: 自動的に (automatically), 具体的には (namely), 物理的に ….
_DESCRIPTIVE_TEKI = frozenset(
    {
        "自動", "具体", "物理", "論理", "技術", "法", "強制", "排他", "同期", "非同期", "最終", "人", "機械",
        "優先", "個別", "定量", "客観", "数値", "統計", "地理", "電子", "暗号", "形式", "私", "公", "内部",
        "外部", "試験", "実験", "部分",
    }
)  # fmt: skip
# 〜的 words about time or pace (継続的に, 段階的に, 一時的に): "vague_time".
_TIME_TEKI = frozenset(
    {"継続", "段階", "恒常", "日常", "一時", "暫定", "将来", "長期", "短期", "恒久", "永続", "断続", "定常"}
)  # fmt: skip
# Verbs that promise a quality without saying how it is measured when their object is an abstract 〜性.
_ASSURANCE_VERBS = frozenset(
    {"確保", "維持", "担保", "保証", "実現", "重視", "保つ", "図る"}
)  # 向上/強化/高める/考慮/配慮 are words of the lexicon already (comparative, loophole).
# 高画質, 高精度, 低コスト, 超高速: a prefix of degree on a noun, with no number for the degree.
_DEGREE_PREFIXES = frozenset({"高", "低", "超", "極"})
# Named classes, not degrees: 高優先度 (a priority class defined elsewhere).
_CLASS_NOUNS = frozenset({"優先", "優先度", "重要度", "リスク", "電圧", "気圧", "学年", "学歴"})
_COPULA_AFTER = frozenset({"な", "に", "だ", "です", "で"})
_CONDITION_HEADS = frozenset({"場合", "とき", "時", "際"})
_SORT_ORDER = frozenset({"順", "もの順", "方", "ほう"})


def candidates(tokens: Tokens) -> list[Hit]:
    """Part-of-speech candidates of a Japanese text, in token order."""
    hits: list[Hit] = []
    for index in range(len(tokens)):
        pos = tokens.pos[index]
        if pos.startswith("形容詞,一般"):
            hit = _adjective(tokens, index)
        elif pos.startswith("形状詞,一般") or pos.startswith("名詞,普通名詞,形状詞可能"):
            hit = _adjectival_noun(tokens, index)
        elif pos.startswith("接尾辞,形状詞的") and tokens.surfaces[index] == "的":
            hit = _teki(tokens, index)
        elif pos.startswith("接尾辞,名詞的") and tokens.surfaces[index] == "性":
            hit = _quality_noun(tokens, index)
        elif pos.startswith("接頭辞") and tokens.surfaces[index] in _DEGREE_PREFIXES:
            hit = _degree_prefix(tokens, index)
        else:
            continue
        if hit is not None:
            hits.append(hit)
    return hits


def _lemma(tokens: Tokens, index: int) -> str:
    fields = tokens.pos[index].split(",", 8)
    return fields[7] if len(fields) > 7 and fields[7] != "*" else tokens.surfaces[index]


def _adjective(tokens: Tokens, index: int) -> Hit | None:
    lemma = _lemma(tokens, index)
    surface = tokens.surfaces[index]
    if lemma in _DESCRIPTIVE_ADJECTIVES or surface in _DESCRIPTIVE_ADJECTIVES:
        return None
    if tokens.surface(index + 1) in _SORT_ORDER:  # 優先度が高い順: a sort order, not a level
        return None
    if baseline_in_condition(tokens, index):
        return None
    if lemma in _DIMENSION_ADJECTIVES or _dimension_surface(surface):
        if tokens.surface(index + 1) == "さ" and tokens.has_pos(index + 1, "接尾辞"):
            return None  # 速さ, 長さ, 大きさ name the scale (待ち時間の長さを表示), they do not judge it
        return tokens.starts[index], tokens.ends[index], JA_POS_TERMS["dimension_adjective"]
    return tokens.starts[index], tokens.ends[index], JA_POS_TERMS["evaluative_adjective"]


def _dimension_surface(surface: str) -> bool:
    # The lemma of an adjective may be written in kana or kanji (早い/はやい); the first kanji decides.
    return surface[:1] in "高低多少短長大小速早遅重軽広狭近遠細太薄厚強弱"


def _adjectival_noun(tokens: Tokens, index: int) -> Hit | None:
    surface = tokens.surfaces[index]
    following = tokens.surface(index + 1)
    if following not in _COPULA_AFTER and not (following == "さ" and tokens.has_pos(index + 1, "接尾辞")):
        return None
    if following == "で" and not tokens.has_pos(index + 1, "助動詞"):
        return None  # 手動で / 高速で as an instrument case is handled by the lexicon, not here
    if surface == "必要":
        return _necessary(tokens, index)
    if surface in _DESCRIPTIVE_ADJECTIVAL_NOUNS or _lemma(tokens, index) in _DESCRIPTIVE_ADJECTIVAL_NOUNS:
        return None
    if tokens.has_pos(index - 1, "名詞") and not tokens.has_pos(index - 1, "名詞,普通名詞,副詞可能"):
        return None  # part of a compound (業務上必要, 処理可能): the compound is the word
    end = tokens.ends[index + 1] if following in ("な", "に") else tokens.ends[index]
    dimension = surface in _DIMENSION_ADJECTIVAL_NOUNS
    family = "dimension_adjectival_noun" if dimension else "evaluative_adjectival_noun"
    return tokens.starts[index], end, JA_POS_TERMS[family]


def _necessary(tokens: Tokens, index: int) -> Hit | None:
    """必要な + noun leaves open what is needed (必要な帳票); 確認が必要な商品 names a property of an item."""
    if tokens.surface(index + 1) != "な" or not tokens.has_pos(index + 2, "名詞"):
        return None
    if tokens.surface(index + 2) in _CONDITION_HEADS:
        return None
    if tokens.surface(index - 1) in ("が", "も", "の") or tokens.has_pos(index - 1, "名詞"):
        return None
    return tokens.starts[index], tokens.ends[index + 1], JA_POS_TERMS["necessary"]


def _teki(tokens: Tokens, index: int) -> Hit | None:
    if index == 0 or not tokens.has_pos(index - 1, "名詞"):
        return None
    stem = tokens.surfaces[index - 1]
    if stem in _DESCRIPTIVE_TEKI:
        return None
    following = tokens.surface(index + 1)
    if following not in ("な", "に", "で", "だ"):
        return None  # 的 before a noun (目的, 統計的手法) or a particle (具体的には) is not used as a quality
    start = tokens.starts[index - 1]
    end = tokens.ends[index + 1] if following in ("な", "に") else tokens.ends[index]
    family = "time_teki" if stem in _TIME_TEKI else "teki"
    return start, end, JA_POS_TERMS[family]


def _quality_noun(tokens: Tokens, index: int) -> Hit | None:
    """安全性を確保する / 整合性を担保する: an abstract quality promised with no measure."""
    if index == 0 or not tokens.has_pos(index - 1, "名詞"):
        return None
    particle = tokens.surface(index + 1)
    if particle not in ("を", "の"):
        return None
    verb = index + 2
    if particle == "の" and tokens.surface(verb) in _ASSURANCE_VERBS:  # 安全性の確保
        pass
    elif particle != "を":
        return None
    lemma = _lemma(tokens, verb)
    if tokens.surface(verb) not in _ASSURANCE_VERBS and lemma not in _ASSURANCE_VERBS:
        return None
    return tokens.starts[index - 1], tokens.ends[index], JA_POS_TERMS["quality_noun"]


def _degree_prefix(tokens: Tokens, index: int) -> Hit | None:
    noun = index + 1
    if not tokens.has_pos(noun, "名詞") or tokens.has_pos(noun, "名詞,数詞"):
        return None
    if tokens.surface(noun) in _CLASS_NOUNS:
        return None
    end = noun + 1 if tokens.surface(noun + 1) in ("度", "性") else noun  # 高解像|度, 高可用|性
    return tokens.starts[index], tokens.ends[end], JA_POS_TERMS["degree_prefix"]
