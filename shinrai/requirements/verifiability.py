"""Verifiability checker for requirement sentences, Japanese and English (plain Python, no Django).

``check(text)`` returns the vague spans of one requirement: each a :class:`Finding` with character offsets,
a stable category code, a short explanation and a rewrite pattern with placeholders. Categories:

- ``subjective``: 使いやすい, 分かりやすい, 十分な, user-friendly, intuitive, flexible, robust
- ``unquantified``: 迅速に, 高速に, 大量の, 多くの, fast, quickly, a large number of, minimal
- ``loophole``: 原則として, 可能な限り, できるだけ, 必要に応じて, if possible, as appropriate, ideally
- ``open_ended``: など, 等, 等々, その他, etc., and so on, including but not limited to
- ``comparative``: より速く, 改善, 最適な, 最高の, better, faster, best, optimal, improved (no target)
- ``vague_time``: 適宜, 定期的に, 随時, 速やかに, 早急に, regularly, as soon as possible, promptly
- ``vague_reference``: 上記, 前述の, 当該, 同様に, the above, as mentioned, aforementioned, similar
- ``unverifiable_negative``: エラーが発生しないこと, never fails, no errors, zero defects (unbounded)
- ``hedge``: 約3秒, 10秒程度, 概ね, 目安として, ほぼ, about 3 s, approximately, roughly, some, several

Beyond these word lists, general families catch unlisted wording. Japanese, from UniDic parts of speech:
evaluative adjectives (遅い, 細かい, 厳しい), adjectival nouns before な/に/だ (軽微な, 重要な, 明確に,
正確な), 〜的に/〜的な (継続的に → vague_time, 積極的に → subjective), 〜性を確保/担保/維持, degree
prefixes (高画質, 高精度, 低コスト), 必要な + noun (open_ended), each with a stop list of descriptive words
(正しい, 新しい, 必須, 一意, 自動的, 具体的 …). Both languages, as phrase families: prevention of a threat
class with no control named (不正アクセスを防止, prevent unauthorised access → unverifiable_negative), growth
or change to cope with (業務拡大に対応, 法改正に対応, accommodate growth → unquantified/subjective),
effort-only verbs (検討する, 参考に, try to, strive to, shall consider → loophole), roll-outs without dates
(順次拡大, gradually, continuously → vague_time), 統一する without a target (subjective), attributive
selectors (the necessary KPIs, key reports → open_ended), manner adverbs and degree adjectives (accurately,
carefully, minor, ideal, high, little, a number of).

Precision rule: a vague-looking word is excused when the same clause states an objective criterion for it —
a number with a unit (95パーセンタイルで2秒以内), an HTTP status, a named standard (ISO/IEC 27001, JIS X
8341-3, WCAG 2.1 AA, PCI DSS) or an exact quoted message — e.g. 「速やかに(15分以内に)」 is fine. A negative
is excused when the requirement bounds it by a measurable scope or period; a prevention is also excused when
the clause names the control (…を非活性化することで防止 / by disabling the button). Quoted text is never
checked.
Hedges (約3秒) are always reported: they blur the very number that would make the requirement testable.

Japanese is tokenized with MeCab (fugashi + UniDic-lite, loaded lazily once) so that 約 in 契約, 等 in 等級
or など inside another word are not reported and the part-of-speech families can be found; English uses
word-boundary patterns, case-insensitive.

Evaluation (``evaluate(path)``, command ``shinrai verifiability-eval``) on the labelled set
tests/requirements/verifiability_eval.tsv, per language, at sentence level with the positive class
"not verifiable" (the checker flags at least one finding):
precision = |flagged ∧ truly vague| / |flagged|, recall = |flagged ∧ truly vague| / |truly vague|.
Category accuracy (secondary) = share of sentences whose set of reported categories equals the labelled set
(an empty set for verifiable sentences).
"""

from __future__ import annotations

from .checker.engine import Finding, check, detect_language, is_verifiable
from .checker.evaluation import evaluate
from .checker.explanations import CATEGORIES, explain

__all__ = ["CATEGORIES", "Finding", "check", "detect_language", "evaluate", "explain", "is_verifiable"]
