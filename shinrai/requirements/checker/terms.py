"""The vague wording the checker looks for, per language, with the context each term needs.

Order matters: where two patterns match at the same position, the first one whose rule accepts wins, so longer
phrases come before the words inside them (可及的速やかに before 速やか, "as soon as possible" before "soon").

Besides single words, the tables hold phrase families that generalise: preventing a class of threat
(不正アクセスを防止 / prevent unauthorised access) unless the clause says how, coping with growth or change
(業務拡大に対応 / accommodate growth), asking only for an effort (検討する / strive to, try to), roll-outs
with no dates (順次拡大 / gradually), attributive selectors (the necessary KPIs, key reports), manner adverbs
and degree adjectives with no number (accurately, carefully, high, little). JA_POS_TERMS are the Terms
reported for the Japanese part-of-speech families of morphology.py, which need no list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import rules
from .rules import Rule

# What excuses a category by default (see Term.excused_by):
#   quantity  - a number with a unit, an HTTP status, a named standard or a quoted message in the same clause
#   frequency - 毎日/daily/every N … in the same clause
#   standard  - a named standard (ISO/IEC 27001, WCAG 2.1 AA …) anywhere in the requirement
#   bounded   - a number with a unit or a test scope anywhere in the requirement (bounds a negative)
#   closed    - a count right after the list marker (…などの3種類)
#   capability - the clause grants a capability (…できること / can): 随時照会できる is the user's choice
#   antecedent - 当該 after a condition in the same sentence (失敗した場合、当該アカウントを…)
#   mechanism - the clause says how (…を非活性化することで防止 / by locking the account): a prevention
#               becomes a testable control
DEFAULT_EXCUSES: dict[str, tuple[str, ...]] = {
    "subjective": (),
    "unquantified": ("quantity",),
    "loophole": (),
    "open_ended": ("closed",),
    "comparative": ("quantity",),
    "vague_time": ("quantity", "frequency"),
    "vague_reference": (),
    "unverifiable_negative": ("bounded",),
    "hedge": (),
}


@dataclass(frozen=True)
class Term:
    pattern: str
    category: str
    topic: str = ""  # picks a more specific rewrite suggestion (speed, volume, …)
    rule: Rule | None = None
    excused_by: tuple[str, ...] | None = None  # None: the category's default

    @property
    def excuses(self) -> tuple[str, ...]:
        return DEFAULT_EXCUSES[self.category] if self.excused_by is None else self.excused_by


def alt(*alternatives: str) -> str:
    """A regular-expression alternation, one alternative per argument so that long lists read item by item."""
    return "|".join(alternatives)


def _terms(category: str, *entries: str | tuple) -> list[Term]:
    """Terms of one category: a pattern string, or a tuple (pattern, topic, rule, excused_by)."""
    result = []
    for entry in entries:
        if isinstance(entry, str):
            result.append(Term(entry, category))
        else:
            pattern, topic, *rest = entry
            rule = rest[0] if rest else None
            excused_by = rest[1] if len(rest) > 1 else None
            result.append(Term(pattern, category, topic, rule, excused_by))
    return result


# The tables below are data: alternatives are packed several to a line, which the formatter would
# spread one per line.
# fmt: off
_NOT_CONDITION = r"(?!場合|とき|時|限り)"  # 「エラーが発生しない場合は…」 is a condition, not a promise
_FAILURES = alt(
    "エラー", "障害", "不具合", "バグ", "故障", "停止", "ダウン", "消失", "損失", "欠損", "漏洩", "漏えい",
    "遅延", "異常", "問題", "誤り", "ミス", "トラブル", "文字化け", "取りこぼし", "改ざん", "漏れ", "不整合",
    "矛盾", "欠落", "齟齬", "破損",
)
_DEFECTS = alt(
    "エラー", "不具合", "バグ", "障害", "問題", "誤り", "ミス", "取りこぼし", "漏れ", "欠損", "不整合",
    "矛盾", "欠落", "齟齬",
)
# Classes of threat or failure: preventing a whole class (不正アクセスを防止) promises an unbounded negative.
_THREATS = alt(
    "不正", "攻撃", "侵入", "漏洩", "漏えい", "流出", "改ざん", "なりすまし", "盗聴", "盗難", "紛失",
    "誤操作", "誤入力", "誤登録", "誤発注", "誤出荷", "ミス", "事故", "被害", "ウイルス", "マルウェア",
    "感染", "再発", "不具合", "障害", "トラブル", "脅威", "欠品",
)
# Growth or change that a system should "cope with" (業務拡大に対応): how much is the missing number.
_GROWTH = alt("拡大", "増加", "増大", "拡張", "成長", "変化", "多様化", "増減", "伸び")
_PREVENTION = ("prevention", None, ("bounded", "standard", "mechanism"))

JAPANESE: list[Term] = [
    *_terms(
        "unverifiable_negative",
        (rf"(?:{_THREATS})[^、。,を]{{0,12}}を(?:未然に)?(?:防止|防ぐ|防ぎ|防御|阻止|抑止)", *_PREVENTION),
        (rf"(?:{_THREATS})[^、。,]{{0,12}}から(?:保護|守る|守り)", *_PREVENTION),
        (r"(?:発生し|生じ|起き|起こら)(?:ない|ず)よう(?:に)?", "", None, ("bounded", "mechanism")),
        rf"(?:{_FAILURES})(?:は|が|も)?(?:一切|絶対に|決して|全く)?(?:発生し|起き|起こら|生じ|出)(?:ない|ず){_NOT_CONDITION}",
        rf"(?:{_DEFECTS})(?:は|が|も)?(?:一切|全く)?(?:ない|無い|なし){_NOT_CONDITION}",
        # not 追加できないようにする: disabling an action is testable
        r"(?<!でき)(?<!られ)(?<!行え)(?:ない|ず)よう(?:に)?(?:する|すること|努め)",
        rf"(?:停止|ダウン|消失|漏洩|漏えい|遅延|改ざん|破損|故障|損失)(?:し|され)(?:ない|ず){_NOT_CONDITION}",
        rf"(?:止まら|落ち|壊れ|失われ|漏れ)(?:ない|ず){_NOT_CONDITION}",
        r"(?:問題|支障|滞り)(?:なく|無く)",
        alt(
            "絶対に", "決して", "無停止", "ノンストップ", "(?:障害|不具合|エラー|バグ)ゼロ",
            "ゼロダウンタイム",
        ),
    ),
    *_terms(
        "loophole",
        r"原則(?:として|的に|(?=[、,]))",
        alt(
            "(?:可能な|できる|出来る)限り", "(?:できる|出来る)だけ", "なるべく", "極力",
            "(?:可能な|できる|出来る)範囲(?:内)?で",
        ),
        (alt("(?:必要|状況)に応じ(?:て)?", "場合によって(?:は)?"), "", None, ("capability",)),
        (r"に応じ(?:て)?", "", None, ("quantity", "capability")),
        alt("可能であれば", "可能なら(?:ば)?", "できれば", "基本的に(?:は)?"),
        alt("努め(?:る|ること)?", "努力(?:する)?", "望ましい", "目指(?:す|し)", "目標とする"),
        (r"(?:配慮|考慮|留意|意識)(?:する|した|し)?", "", rules.not_compound, ("standard",)),
        # Asking only for an effort or a study: 検討すること, 推進する, 工夫する.
        (
            r"(?:検討|推進|促進|尽力|工夫)(?:する|して|し|を行う|を行い|の上|のうえ)",
            "effort",
            None,
            ("standard",),
        ),
        (r"心(?:が|掛)け(?:る|ること)?", "effort"),
        (r"参考に(?:して|する|し)?", "reference", None, ("standard",)),
    ),
    *_terms(
        "vague_time",
        alt("可及的(?:速やか|すみやか)に?", "(?:速やか|すみやか)(?:に|な)?"),
        alt("(?:早急|至急|即座|早期|早め)(?:に|な|の)?", "直ちに", "すぐ(?:に)?", "遅滞なく", "早く"),
        alt("事前に", "前もって", "後日", "常に最新"),
        (alt("適宜", "適時", "時々", "ときどき", "頻繁に", "定期的(?:に|な)?"), "period"),
        (r"随時|常時", "period", None, ("quantity", "frequency", "capability")),
        (r"(?<!の)都度", "period"),  # 入荷の都度 is bound to an event; 都度 alone is not
        (alt("一定(?:時間|期間)", "(?:長|短)期間", "しばらく"), "duration"),
        # A roll-out with no dates: 順次拡大する, 徐々に移行する, 段階的に導入する.
        (
            alt(
                "順次(?=拡大|拡充|対応|移行|展開|追加|導入|実施|公開|切り?替)", "徐々に", "次第に",
                "段階的(?:に|な)",
            ),
            "schedule",
        ),
    ),
    *_terms(
        "comparative",
        (r"より", "", rules.adverb_yori),
        r"(?:高|低|多|少な|短|長|速|早|軽|小さ|大き)くする",
        alt(
            "(?:高|強|早|速)め(?:る|ること)", "(?:上|下)げる", "増やす", "減らす", "伸ばす", "抑える",
            "抑制(?:する)?", "最小化", "最大化",
        ),
        (
            alt(
                "改善", "向上", "短縮", "削減", "効率化", "最適化", "高速化", "強化", "軽減", "低減", "増強",
                "拡充",
            ),
            "",
            rules.not_compound,
        ),
        alt("最適(?:な|に)?", "最善(?:の)?", "最良(?:の)?", "ベスト(?:な)?"),
        (r"最高(?:の|な|に)?", "", rules.not_compound),
        r"(?:現行|従来|現状)(?:システム)?(?:と同等)?以上",
    ),
    *_terms(
        "open_ended",
        alt(
            "等々", "といった", "主な", "主要な", "代表的な", "各種", "様々な", "さまざまな", "いろいろな",
            "色々な",
        ),
        (r"など|等", "", rules.list_marker),
        (r"その他", "", rules.in_enumeration),
    ),
    *_terms(
        "vague_reference",
        alt("上記", "前述", "上述", "先述", "前記", "後述", "同上"),
        (r"当該", "", None, ("antecedent",)),
        alt("同様(?:に|の)?", "(?:現行|従来|現状)(?:どおり|通り|踏襲)"),
        (r"同等(?:の|に|と)?", "", None, ("quantity",)),
    ),
    *_terms(
        "unquantified",
        (r"(?:ある|一定)程度(?:の)?", "level"),
        (alt("可用性(?:の|が)?(?:高い|高く)", "高可用(?:性)?"), "availability"),
        (
            alt(
                "(?:迅速|高速|即時|瞬時|短時間)(?:に|な|で|性)?", "(?:素早|すばや|速)く",
                "リアルタイム(?:に|で|な)?",
            ),
            "speed",
        ),
        (alt("(?:大量|多量|多数|膨大|大規模|大幅|少量|少数)(?:に|な|の)?", "多く(?:の)?"), "volume"),
        (alt("アクセス集中", "高負荷", "耐え(?:られる|うる|得る|る)"), "volume"),
        (rf"(?:{_GROWTH})(?:に|へ)(?:は|も)?(?:柔軟に|十分に)?(?:対応|耐え|備え|追随|追従)", "growth"),
        (r"(?:将来|今後)(?:的に|的な|の|は|も|に(?:わた|渡)って)?", "growth"),
        (r"(?:最小限|最低限|最大限)(?:に|の)?", "level"),
        (
            alt("(?:高|低|多|少な|短|長|大き|小さ)(?:い|く)", "大きな", "小さな"),
            "level",
            rules.not_sort_order,
        ),
        (alt("著しく", "かなり", "相当(?:数|量)?", "適度(?:な|に)?"), "level"),
    ),
    *_terms(
        "hedge",
        (r"約", "", rules.prefix),
        (alt("程度", "前後", "くらい", "ぐらい", "ほど"), "", rules.after_number),
        alt(
            "概ね", "おおむね", "ほぼ", "およそ", "おおよそ", "大体", "だいたい", "目安(?:として|は|で)",
            "を目安に",
        ),
        (r"数(?:十|百|千|万)?", "", rules.vague_numeral),
        alt(
            "いくつか(?:の)?", "若干(?:名|の)?", "多少(?:の)?", "一部(?:の)?", "大半(?:の)?",
            "ほとんど(?:の)?",
        ),
    ),
    *_terms(
        "subjective",
        (r"(?:やす|にく|づら)(?:い|く|さ|かっ|けれ)", "usability", rules.verb_suffix),
        (
            alt(
                "(?:利便|操作|視認|使用)性(?:の|が)?(?:高い|高く|良い|よい|優れた)?",
                "使い勝手(?:の|が)?(?:良い|よい)?",
            ),
            "usability",
        ),
        (
            alt(
                "直感的(?:に|な)?", "ユーザー?フレンドリー(?:な|に)?", "迷(?:わず|うことなく)",
                "ストレス(?:なく|のない)",
            ),
            "usability",
        ),
        (
            alt(
                "(?:気にならない|支障のない|違和感のない|許容できる|満足できる|納得できる|理解できる)"
                "(?:程度|水準|レベル)?",
                "満足(?:度の高い|のいく)?", "見た目", "統一感", "自然な",
            ),
            "usability",
        ),
        (r"(?:快適|簡単|容易|簡便|シンプル|スムーズ|円滑|親切|丁寧)(?:に|な|さ)?", "usability"),
        (
            alt(
                "見栄え(?:の|が)?(?:良い|よい)?", "きれい(?:に|な)?", "美し[いく]", "洗練され(?:た|て)",
                "魅力的(?:な|に)?",
            ),
            "usability",
        ),
        (r"柔軟(?:性|に|な)?", "flexibility"),
        (alt("(?:堅牢|頑健|頑強)(?:性|に|な)?", "安定(?:的に|的な|して|した|性)?"), "reliability"),
        (alt("(?:拡張|保守|可読|汎用|移植|一貫|統一)性", "高性能", "高機能"), "quality"),
        (r"信頼性(?:の|が)?(?:高い|高く)?", "reliability", None, ("quantity",)),
        (
            alt(
                "しっかり(?:と)?", "きちんと", "確実(?:に|な)", "万全(?:な|の)?", "徹底(?:する|した|して)?",
                "(?:緊)?密に",
            ),
            "quality",
        ),
        (alt("(?:業務上|職務上)?必要な範囲", "必要最小限"), "level"),
        (alt("一般的(?:な|に)", "標準的(?:な|に)"), "quality"),
        (r"(?:十分|充分)(?:に|な)?", "level", rules.not_compound),
        (
            alt(
                "適切(?:に|な)?", "正常に(?=動作|稼働|機能|作動|利用|使用|処理)", "妥当(?:な|に)",
                "(?:効率|効果)的(?:に|な)?",
            ),
            "quality",
        ),
        (alt("高品質(?:な|の)?", "高度(?:な|に)"), "quality"),
        (r"(?:安全|セキュア)(?:性|に|な|で)?", "security", rules.not_compound, ("standard",)),
        (r"アクセシブル(?:な|に)?", "accessibility", None, ("standard",)),
        # 統一する with no target (全画面で統一する); 「YYYY/MM/DD形式に統一する」 names it.
        (r"(?<![にへ])統一(?:する|し|され|して|を図)", "consistency", None, ("quantity",)),
        (r"対策を(?:講じる|講じ|講ずる|実施|行う|行い|徹底)", "", None, ("quantity",)),
        # Coping with change without saying how (法改正に対応できること); 設定変更のみで対応 says how.
        (
            r"(?:変更|改正|改訂|見直し)(?:に|へ)(?:は|も)?(?:柔軟に)?(?:対応|追随|追従)",
            "flexibility",
            None,
            ("quantity", "mechanism"),
        ),
    ),
]

_EN_FAILURE_VERBS = alt(
    "fail(?:s|ed)?", "crash(?:es|ed)?", "go(?:es)? down", "los[et](?:s)?", "hang(?:s)?", "freez(?:e|es)",
    "stop(?:s)?", "break(?:s)?", "unavailable", "interrupted", "corrupt(?:ed)?", "leak(?:s|ed)?", "down",
    "miss(?:es|ed)?",
)
_EN_FAILURE_NOUNS = alt(
    "errors?", "failures?", "defects?", "bugs?", "downtime", "data loss", "outages?", "interruptions?",
    "problems", "issues", "crashes", "incidents", "inconsistenc(?:y|ies)", "discrepanc(?:y|ies)",
    "corruption",
)
_NUMBER_AHEAD = (
    r"(?=\s*(?:\d|(?:half|a third|a quarter|a half|a dozen|twice|a hundred|a thousand|one|two|three|"
    r"four|five|six|seven|eight|nine|ten)\b))"
)
_NOT_BY_AMOUNT = r"(?![^.;]*\bby (?:the|its|their|each)\b)"  # "reduced by the shipped quantity" is exact
_EN_THREATS = alt(
    "unauthori[sz]ed", "fraud(?:ulent)?", "malicious", "illegal", "illicit", "improper", "attacks?",
    "intrusions?", "leaks?", "leakage", "tamper(?:ing)?", "misuse", "abuse", "malware", "viruses", "errors?",
    "mistakes?", "accidents?", "incidents?", "recurrences?", "loss(?:es)?", "damage", "breach(?:es)?",
    "theft", "spoofing", "stock-?outs?", "overstock(?:ing)?", "threats?", "hacking", "phishing",
)
# "The system shall be clear"/"clear and concise": the adjective, not the verb (clear the cart).
_CLEAR = (
    r"(?:(?<=\bbe )|(?<=\bis )|(?<=\bare )|(?<=\ba )|(?<=\ban ))clear"
    r"(?!\s+(?:the|all|any|its|their|his|her|out|up|of|cache|data|fields?|screen|form|cart|button|text))"
    r"|clear(?=\s+and\b)"
)

ENGLISH: list[Term] = [
    *_terms(
        "unverifiable_negative",
        (
            rf"prevent(?:s|ed|ing)?\s+(?:the\s+|any\s+|all\s+)?(?:[\w-]+\s+){{0,2}}?(?:{_EN_THREATS})",
            "prevention",
            rules.not_conditional,
            ("bounded", "standard", "mechanism"),
        ),
        (
            rf"protect(?:s|ed|ing)?\s+(?:[\w'-]+\s+){{0,4}}?(?:from|against)\s+(?:[\w-]+\s+){{0,2}}?"
            rf"(?:{_EN_THREATS})",
            "prevention",
            rules.not_conditional,
            ("bounded", "standard", "mechanism"),
        ),
        (rf"never\s+(?:be\s+)?(?:\w+\s+)?(?:{_EN_FAILURE_VERBS})", "", rules.not_conditional),
        (
            r"(?:must|shall|should|will|does|do|may|can)(?:\s+not|n't)\s+(?:ever\s+)?"
            r"(?:fail|crash|go down|hang|freeze|break|lose|leak|"
            r"be (?:lost|leaked|corrupted|interrupted|unavailable|down))",
            "",
            rules.not_conditional,
        ),
        (rf"no\s+(?:[\w-]+\s+){{0,2}}?(?:{_EN_FAILURE_NOUNS})", "", rules.not_conditional),
        (
            alt(
                "(?:error|bug|defect|fault|trouble)[- ]free",
                r"zero\s+(?:defects?|downtime|errors?|bugs?|failures?|data loss|incidents?)",
                rf"without\s+(?:any\s+)?(?:{_EN_FAILURE_NOUNS})",
            ),
            "",
            rules.not_conditional,
        ),
        (
            alt(
                r"not\s+(?:introduce|cause|create|produce|result in|lead to)\s+"
                rf"(?:any\s+)?(?:{_EN_FAILURE_NOUNS})",
                r"ensures?\s+(?:that\s+)?(?:no|nothing|none)\b", r"\bis\s+ever", r"\bare\s+ever",
            ),
            "",
            rules.not_conditional,
        ),
        alt(
            r"100\s?%\s+(?:availab\w*|uptime|accura\w*|reliab\w*)",
            r"(?:availability|uptime|accuracy)\s+of\s+100\s?%",
        ),
        r"always\s+(?:be\s+)?(?:available|up|online|accessible|running|operational)",
        (
            rf"(?:{_EN_THREATS}|mis-?[a-z]+)\s+(?:shall|must|should|will)\s+(?:always\s+)?be\s+prevented",
            "prevention",
            rules.not_conditional,
            ("bounded", "standard", "mechanism"),
        ),
        (
            alt(
                r"neither\s+(?:[\w-]+\s+){1,3}?nor\s+(?:[\w-]+\s+){1,3}?(?:occurs?|happens?|arises?)",
                r"(?:shall|must|should|will|does|do|may)\s+not\s+(?:ever\s+)?(?:occur|happen|arise)",
            ),
            "",
            rules.not_conditional,
        ),
        alt("at all times", "under (?:any|all) circumstances"),
        alt(
            "(?:protect(?:s|ed)?|secured?|safe) (?:against|from) (?:all|any)", "prevent(?:s|ed)? (?:all|any)",
        ),
    ),
    *_terms(
        "vague_time",
        alt("as soon as (?:possible|practicable|feasible)", "asap", r"a\.s\.a\.p\.?"),
        alt(
            "in a timely (?:manner|fashion)", "timely", "promptly", "immediately", "without (?:undue )?delay",
        ),
        alt(
            "shortly", "soon", "eventually", "at a later (?:date|time|stage)", "in advance", "beforehand",
            "ahead of time", "up[- ]to[- ]date",
        ),
        (
            alt(
                "regularly", "periodically", "on a (?:regular|periodic) basis", "at regular intervals",
                "regular (?:basis|intervals?|backups?|checks?|reviews?|updates?|maintenance)", "periodic",
                "frequently", "frequent", "occasionally", "from time to time", "often", "sometimes", "seldom",
                "rarely", "early",
            ),
            "period",
        ),
        (
            alt(
                "(?:after|for|within) (?:a|some) (?:certain |limited |reasonable |short |long |fixed )?"
                "(?:period|amount)(?: of time)?",
                "(?:after|for) a (?:while|certain time)",
                "(?:for )?(?:an? )?(?:extended|prolonged|long|lengthy) (?:periods?|time)",
                "(?:for )?a long time", "long[- ]term",
            ),
            "duration",
        ),
        (
            alt(
                "gradually", "progressively", "incrementally", "step by step", "in (?:stages|phases)",
                "over time", "in (?:the )?(?:near )?future", "at some point", "in due course",
            ),
            "schedule",
        ),
        (alt("continuously", "continually", "constantly", "on an ongoing basis"), "period"),
    ),
    *_terms(
        "loophole",
        alt(
            "if (?:at all )?possible", "wherever possible", "where possible", "whenever possible",
            "when possible",
        ),
        alt("if feasible", "where(?:ver)? feasible", "when feasible", "if practical", "where practical"),
        alt(
            "as (?:far|much) as (?:possible|practicable|feasible)",
            "to the (?:extent|degree) (?:possible|practicable|feasible)",
            r"as (?!soon\b)(?:[\w-]+ ){1,3}as (?:possible|practicable|feasible)",
        ),
        alt(
            "as appropriate", "where appropriate", "if appropriate", "when appropriate", "where applicable",
            "if applicable", "where reasonable", "if reasonable", "when reasonable",
            r"with (?:[\w-]+ ){1,3}in mind",
        ),
        (
            "according to (?:their|its|the) (?:severity|priority|importance|urgency|needs?|situation)",
            "",
            None,
            ("quantity",),
        ),
        (
            alt(
                "as needed", "if needed", "when needed", "as necessary", "if necessary", "where necessary",
                "when necessary", r"as required(?!\s+by)", "where required", "if required",
            ),
            "",
            None,
            ("capability",),
        ),
        alt(
            "ideally", "in principle", "as a (?:general )?rule", "in general", "generally", "usually",
            "normally", "typically",
        ),
        alt(
            "preferabl[ey]", "desirabl[ey]", "best[- ]efforts?", "(?:make|makes|making) every effort",
            "strives? to", "endeavou?rs? to", "aims? to",
        ),
        (
            alt(
                "(?:try|tries|trying|attempt|attempts|attempting|seeks?|seeking|intends?|intending|hopes?|"
                "hoping) to",
                "do (?:its|their|our|his|her) (?:best|utmost)",
                "(?:make|makes|making) (?:reasonable |best )?efforts?",
                "(?:reasonable|best) efforts?",
            ),
            "effort",
            None,
            ("quantity",),
        ),
        (
            alt(
                "(?:shall|should|must|will|to) (?:also )?consider", "be mindful of",
                "pay (?:close )?attention to", "bear in mind", "keep in mind",
            ),
            "effort",
            None,
            ("standard",),
        ),
        (r"tak(?:e|es|en|ing) (?:[\w-]+ ){0,4}?into (?:account|consideration)", "", None, ("standard",)),
    ),
    *_terms(
        "comparative",
        r"more (?:efficient(?:ly)?|effective(?:ly)?|quickly|reliabl[ey]|stable|secure(?:ly)?|"
        r"user[- ]friendly|"
        r"intuitive|flexible|accurate(?:ly)?|responsive|scalable|robust|convenient)",
        r"(?:significantly|much|far|considerably|substantially|noticeably) "
        r"(?:better|faster|quicker|higher|lower|shorter|more \w+)",
        alt(
            "better", "faster", "quicker", "best", "optimal(?:ly)?", "optimum",
            "optimi[sz](?:e|es|ed|ing|ation)",
        ),
        alt(
            "improv(?:e|es|ed|ing)",
            r"improvements?(?!\s+(?:requests?|proposals?|plans?|tickets?|items?|suggestions?))",
        ),
        alt(
            "enhanc(?:e|es|ed|ement)", "state[- ]of[- ]the[- ]art", "cutting[- ]edge", "world[- ]class",
            "industry[- ]leading",
        ),
        alt(
            "ideal", "superior", r"(?:fastest|highest|lowest|greatest)(?!\s+(?:first|last)\b)",
            "maximi[sz](?:e|es|ed|ing)",
            "minimi[sz](?:e|es|ed|ing)",
        ),
        r"(?<!or )(?<!no )(?:higher|lower|greater|smaller|shorter|longer)",
        r"(?:shall|should|must|will)\s+(?:be\s+)?(?:increase|decrease|reduce|lower|raise|shorten|grow|rise|fall|"
        rf"drop|boost|speed up)(?:d)?{_NOT_BY_AMOUNT}",
        alt(
            r"(?<!no )(?!(?:oth|rath|wheth|eith|neith|numb|us|custom|ord|und|ov|aft)er\b)\w+er than",
            r"more \w+ than",
        ),
        r"(?:be|is|are|been)\s+(?:significantly\s+|greatly\s+|substantially\s+)?"
        r"(?:reduced|shortened|increased|decreased|lowered|raised|cut)(?!\s+by\s+(?:the|its|their|each))",
    ),
    *_terms(
        "open_ended",
        alt(
            r"etc\.?", "et cetera", "and so on", "and so forth", "or the like", "and the like",
            "including,? but not limited to",
        ),
        alt(
            "among others", "and more", "such as", "and/or other", r"(?:and|or) other(?=\s+\w)", "various",
            "a variety of",
        ),
        # "the necessary KPIs", "all key reports": which ones is left open.
        (r"necessary", "selection", rules.attributive, ("closed", "quantity")),
        (alt("key", "principal", "important"), "selection", rules.after_determiner, ("closed", "quantity")),
    ),
    *_terms(
        "vague_reference",
        alt(
            "the above(?:[- ]mentioned)?", "above[- ]mentioned",
            "as (?:mentioned|described|stated|noted|shown|specified) (?:above|earlier|before|previously)",
            "as mentioned", "as above", "as before", "as usual",
        ),
        alt(
            "aforementioned", "aforesaid", "the said", "similar(?:ly)?", "likewise",
            "in the same (?:way|manner)", "the former", "the latter", "(?:the )?relevant",
        ),
        (r"the same (?:[\w-]+ ){0,2}as", "", None, ("quantity",)),
        (
            alt(
                "(?:the )?(?:latest|newest|most recent) (?:versions?|releases?)",
                "(?:the )?existing "
                "(?:look and feel|design|layout|behaviou?r|format|screens?|system|process|style)",
            ),
            "",
            None,
            ("quantity",),
        ),
    ),
    *_terms(
        "hedge",
        rf"(?:about|around|nearly|almost|circa|up to about){_NUMBER_AHEAD}",
        alt(
            "approximately", r"approx\.?", "roughly", "several", "some", "a couple of", "more or less",
            "or so", "give or take",
        ),
        alt("(?<!at )(?<!the )most", "mostly", "the majority of", "largely", "mainly", "in most cases"),
        r"(?:in|on) the order of",
    ),
    *_terms(
        "unquantified",
        (
            alt(r"(?:a\s+)?large (?:numbers?|amounts?|volumes?|quantit(?:y|ies)) of", "(?:a )?lots? of"),
            "volume",
        ),
        (
            alt(
                "huge", "massive", "vast", "large", "many", "numerous", "(?:a )?few", "significant(?:ly)?",
                "substantial(?:ly)?",
            ),
            "volume",
        ),
        (
            alt(
                "(?:high|heavy|peak) (?:loads?|traffic|volumes?|demand)",
                "(?:traffic |load )?(?:spikes|surges|bursts)",
            ),
            "volume",
        ),
        (r"withstand|cope with", "volume"),
        (
            alt(
                "a (?:great |good |large |small )?number of", "plenty of", "a handful of", "countless",
                "a (?:great|good) deal of",
                "a (?:small|high|low|significant|large) "
                "(?:share|percentage|proportion|portion|part|fraction) of",
            ),
            "volume",
        ),
        (
            alt(
                "accommodat(?:e|es|ed|ing)",
                "future (?:business |data |user )?"
                "(?:growth|expansion|increases?|demand|needs|requirements|changes|extensions?|volumes?)",
                "(?:business|data|user|transaction|traffic|volume|sales) growth", "keep(?:s|ing)? up with",
                "adapt(?:s|ed|ing)? to (?:changes?|changing|new|future|growth|evolving)",
                "growing (?:numbers?|volumes?|demand)",
            ),
            "growth",
        ),
        (
            alt("near(?:by)?", "close to", "(?:is|are|be|becomes?|gets?|runs?) (?:too |very )?(?:low|high)"),
            "level",
        ),
        (alt("in (?:a )?short (?:amount of |period of )?time", "short[- ]term"), "speed"),
        (r"scal(?:e|es|ing) (?:up|out|to|with)", "availability"),
        (
            alt(
                "fast", "quick(?:ly)?", "rapid(?:ly)?", "speedy", "swift(?:ly)?",
                "instant(?:ly|aneous(?:ly)?)?", "real[- ]time", "high[- ]performance", "high[- ]speed",
                "low[- ]latency", "responsive", "in (?:a )?short time",
            ),
            "speed",
        ),
        (alt("highly (?:available|scalable)", "high availability", "scalab(?:le|ility)"), "availability"),
        (r"minimal(?:ly)?|minimum possible", "level"),
    ),
    *_terms(
        "subjective",
        (
            alt(
                "user[- ]friendly", "easy[- ]to[- ]use", "ease of use", "intuitive(?:ly)?",
                "eas(?:y|ily|ier)",
            ),
            "usability",
        ),
        (
            alt(
                "convenient(?:ly)?", "seamless(?:ly)?", "smooth(?:ly)?", "pleasant", "comfortable",
                "straightforward", "understandable", "clearly", "modern", "attractive", "nice", "elegant",
                r"consistent(?:ly)?(?!\s+with)", "graceful(?:ly)?",
            ),
            "usability",
        ),
        (
            alt(
                "comprehensive(?:ly)?", "maintainab(?:le|ility)", "extensib(?:le|ility)",
                "portab(?:le|ility)", "interoperab(?:le|ility)", "well[- ](?:designed|structured|documented)",
            ),
            "quality",
        ),
        (r"flexib(?:le|ly|ility)", "flexibility"),
        (r"robust(?:ly|ness)?", "reliability"),
        (alt("reliabl[ey]", "reliability", "stable", "stability"), "reliability", None, ("quantity",)),
        (r"sufficient(?:ly)?|adequate(?:ly)?", "level"),
        (
            alt(
                "(?:in)?appropriate(?:ly)?", "reasonabl[ey]", "acceptabl[ey]", "properly",
                # not "good quantity" (良品数)
                r"good(?!\s+(?:quantit(?:y|ies)|units?|parts?|pieces?|items?|products?))",
                "high[- ]quality", "efficient(?:ly)?",
                r"effective(?:ly)?(?!\s+(?:date|dates|from|as of|on|immediately))",
            ),
            "quality",
        ),
        (r"secure(?:ly)?|safe(?:ly)?", "security", None, ("standard",)),
        (r"accessible", "accessibility", None, ("standard",)),
        (
            alt(
                r"simple(?!\s+(?:search|interest|text|mode|mail|list|view))", "simply", _CLEAR,
                "plain (?:language|wording|english|japanese|terms|words)", "effortless(?:ly)?",
                "hassle[- ]free", "(?:hard|difficult) to",
                "without (?:any |much |undue )?"
                "(?:difficult(?:y|ies)|effort|hassle|stress|confusion|frustration|inconvenience)",
            ),
            "usability",
            None,
            ("quantity",),
        ),
        (
            alt(
                "accurate(?:ly)?", "precise(?:ly)?", "strict(?:ly)?", "tight(?:ly)?", "closely",
                "careful(?:ly)?", "thorough(?:ly)?", "proactive(?:ly)?", "diligent(?:ly)?", "actively",
                "suitabl[ey]", "proper", "satisfactor(?:y|ily)", "sensibl[ey]", "realistic(?:ally)?",
                "excessive(?:ly)?", "undue", "unduly",
                "unnecessar(?:y|ily)", "poor(?:ly)?", r"bad(?:ly)?(?!\s+request)", "highly", "suspicious",
                "durab(?:le|ility)",
                r"(?:minor|major)(?!\s+(?:versions?|releases?|revisions?|upgrades?|updates?|numbers?))",
            ),
            "quality",
            None,
            ("quantity",),
        ),
    ),
    # Degree adjectives with no number (high security standards, little effort, slow pages). Last, so that
    # the phrases above ("high quality", "high availability", "heavy load") keep their own category.
    *_terms(
        "unquantified",
        (
            alt(
                r"high(?![- ](?:priority|severity))", r"low(?![- ](?:priority|severity))", "small", "big",
                "heavy", r"strong(?!\s+(?:customer\s+)?authentication)", "weak", "slow(?:ly)?", "little",
                "tiny", r"light(?!\s+(?:mode|theme|sensors?|curtains?))",
                r"(?<!as )long(?!\s+(?:as|sides?|edges?)\b)",
                r"short(?![- ](?:names?|codes?|messages?|text|cuts?|sides?|edges?))",
                "wide(?:ly)?", "narrow",
            ),
            "level",
        ),
    ),
]
# fmt: on

# Terms for the Japanese part-of-speech families of morphology.py (no pattern: found from UniDic tags). A
# criterion in the same clause excuses them, as it does the listed words.
JA_POS_TERMS: dict[str, Term] = {
    "dimension_adjective": Term("", "unquantified", "level"),
    "evaluative_adjective": Term("", "subjective", "quality", excused_by=("quantity",)),
    "dimension_adjectival_noun": Term("", "unquantified", "level"),
    "evaluative_adjectival_noun": Term("", "subjective", "quality", excused_by=("quantity",)),
    "necessary": Term("", "open_ended", "selection", excused_by=("closed", "quantity")),
    "teki": Term("", "subjective", "quality", excused_by=("quantity",)),
    "time_teki": Term("", "vague_time", "period"),
    "quality_noun": Term("", "subjective", "quality", excused_by=("quantity",)),
    "degree_prefix": Term("", "unquantified", "level"),
}


def compile_terms(terms: list[Term], *, english: bool) -> tuple[re.Pattern[str], list[re.Pattern[str]]]:
    """One alternation over all terms (group tN is terms[N]) plus each term's own pattern for retries."""
    alternatives = "|".join(f"(?P<t{i}>{term.pattern})" for i, term in enumerate(terms))
    if english:
        # Whole words only ("fast" is not in "breakfast"); the boundary is tested once, not per alternative.
        # Every term starts with a word character: the (?=\w) gate skips punctuation, brackets and symbols
        # without trying each alternative there (a long run of them took seconds).
        combined = re.compile(rf"(?<![\w-])(?=\w)(?:{alternatives})(?![\w-])", re.IGNORECASE)
        single = [re.compile(rf"(?<![\w-])(?:{term.pattern})(?![\w-])", re.IGNORECASE) for term in terms]
        return combined, single
    # Most positions of a Japanese sentence cannot start any term: a one-character gate skips them cheaply.
    gate = _first_characters(alternatives)
    combined = re.compile(f"(?=[{re.escape(gate)}])(?:{alternatives})" if gate else alternatives)
    return combined, [re.compile(term.pattern) for term in terms]


def _first_characters(pattern: str) -> str | None:
    """The characters a match of ``pattern`` can start with, or None when that is not a small literal set."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]  # the stdlib's own regex parser

        first = _first_of(list(parser.parse(pattern)))
    except Exception:  # Any surprise in the private parser: go without the gate, only slower.
        return None
    return "".join(sorted(first)) if first else None


def _first_of(items: list) -> set[str] | None:
    """First characters of a parsed sequence; None when unbounded (ANY, categories, possibly empty)."""
    from re import _constants as c  # type: ignore[attr-defined]

    result: set[str] = set()
    for op, argument in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue  # zero width: look at what follows
        optional = False
        if op is c.LITERAL:
            first = {chr(argument)}
        elif op is c.IN:
            first = set()
            for kind, value in argument:
                if kind is c.LITERAL:
                    first.add(chr(value))
                elif kind is c.RANGE and value[1] - value[0] < 256:
                    first.update(chr(code) for code in range(value[0], value[1] + 1))
                else:
                    return None
        elif op is c.SUBPATTERN:
            first = _first_of(list(argument[-1]))
        elif op is c.BRANCH:
            branches = [_first_of(list(branch)) for branch in argument[1]]
            first = None if any(b is None for b in branches) else set().union(*branches)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            first, optional = _first_of(list(argument[2])), argument[0] == 0
        else:
            return None
        if first is None:
            return None
        result |= first
        if not optional:
            return result
    return None  # the whole sequence may match the empty string
