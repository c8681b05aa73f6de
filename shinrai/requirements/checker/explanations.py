"""What each finding category means and how to rewrite it, in Japanese and English.

A finding is shown in the language of the requirement, but the web UI may show it in the user's language, so
every message and suggestion exists in both. Suggestions are rewrite patterns: 〇〇, △, □ are placeholders.
"""

from __future__ import annotations

# Stable codes: stored with findings and used by the UI; never rename one.
CATEGORIES: tuple[str, ...] = (
    "subjective",
    "unquantified",
    "loophole",
    "open_ended",
    "comparative",
    "vague_time",
    "vague_reference",
    "unverifiable_negative",
    "hedge",
)

_MESSAGES: dict[str, dict[str, str]] = {
    "subjective": {
        "ja": "「{term}」は主観的な表現で、合否を客観的に判定できません。",
        "en": "“{term}” is subjective: nobody can decide objectively whether it is met.",
    },
    "unquantified": {
        "ja": "「{term}」には数値の基準がなく、どれだけ速い・多ければ合格か判定できません。",
        "en": "“{term}” gives no number: how fast or how much is not defined.",
    },
    "loophole": {
        "ja": "「{term}」は例外や判断の余地を残す表現で、実施しなくても要件違反になりません。",
        "en": "“{term}” is a loophole: the requirement can be skipped without breaking it.",
    },
    "open_ended": {
        "ja": "「{term}」で対象が閉じておらず、どこまで実装すれば完了か判定できません。",
        "en": "“{term}” leaves the list open: nobody can tell when it is complete.",
    },
    "comparative": {
        "ja": "「{term}」は比較の基準値と目標値がなく、どれだけ良くなれば合格か判定できません。",
        "en": "“{term}” compares without a stated baseline and target number.",
    },
    "vague_time": {
        "ja": "「{term}」は期限・頻度・期間が数値で示されていません。",
        "en": "“{term}” gives no deadline, frequency or period in numbers.",
    },
    "vague_reference": {
        "ja": "「{term}」の参照先が文中で特定されておらず、この要件だけでは内容を確認できません。",
        "en": "“{term}” refers to something the requirement does not name.",
    },
    "unverifiable_negative": {
        "ja": "「{term}」は範囲や期間の限定がない否定で、起こらないことを試験で証明できません。",
        "en": "“{term}” is an unbounded negative: no test can prove that it never happens.",
    },
    "hedge": {
        "ja": "「{term}」はぼかした表現で、許容される範囲が分かりません。",
        "en": "“{term}” is a hedge: the acceptable range is unclear.",
    },
}

# (category, topic) -> suggestion; topic "" is the category's default.
_SUGGESTIONS: dict[tuple[str, str], dict[str, str]] = {
    ("subjective", ""): {
        "ja": "「〇〇は△△(測定できる基準: 数値と単位、または準拠する規格)を満たすこと」",
        "en": "“〇〇 meets △△ (a measurable criterion: number and unit, or a named standard)”",
    },
    ("subjective", "usability"): {
        "ja": "「初めて利用する〇〇の90%が、研修なしで△△の操作を□分以内に完了できること」",
        "en": "“90% of first-time 〇〇 complete △△ within □ minutes without training”",
    },
    ("subjective", "flexibility"): {
        "ja": "「〇〇(変更内容)は、プログラム修正なしに設定画面から□分以内に変更できること」",
        "en": "“〇〇 (what changes) can be changed on the settings screen within □ minutes, without code”",
    },
    ("subjective", "reliability"): {
        "ja": "「〇〇の稼働率は計画停止を除き月間△%以上、障害からの復旧時間は□時間以内であること」",
        "en": "“〇〇 is available ≥ △% per month excluding planned maintenance and recovers within □ hours”",
    },
    ("subjective", "security"): {
        "ja": "「〇〇は△△(例: ISO/IEC 27001、OWASP ASVS レベル2)の要求事項に準拠すること」",
        "en": "“〇〇 complies with △△ (e.g. ISO/IEC 27001, OWASP ASVS level 2)”",
    },
    ("subjective", "accessibility"): {
        "ja": "「〇〇はJIS X 8341-3:2016 の適合レベルAAに準拠すること」",
        "en": "“〇〇 conforms to WCAG 2.1 Level AA”",
    },
    ("subjective", "quality"): {
        "ja": "「〇〇の場合、△△(具体的な値または「」で囲んだ表示文言)を□すること」",
        "en": "“When 〇〇, the system □ △△ (an exact value or the quoted message text)”",
    },
    ("subjective", "level"): {
        "ja": "「〇〇は△(数値と単位)以上であること」",
        "en": "“〇〇 is at least △ (number and unit)”",
    },
    ("unquantified", ""): {
        "ja": "「〇〇は△(数値と単位)以上/以下であること」",
        "en": "“〇〇 is at least/at most △ (number and unit)”",
    },
    ("unquantified", "speed"): {
        "ja": "「〇〇は95パーセンタイルで△秒以内に応答すること」",
        "en": "“〇〇 responds within △ s at the 95th percentile”",
    },
    ("unquantified", "volume"): {
        "ja": "「〇〇は同時接続△ユーザーで、1時間あたり□件以上を処理できること」",
        "en": "“〇〇 processes at least □ records per hour with △ concurrent users”",
    },
    ("unquantified", "availability"): {
        "ja": "「〇〇の稼働率は計画停止を除き月間△%以上であること」",
        "en": "“〇〇 is available at least △% per month, excluding planned maintenance”",
    },
    ("unquantified", "level"): {
        "ja": "「〇〇は△(数値と単位)以上/以下であること」",
        "en": "“〇〇 is at least/at most △ (number and unit)”",
    },
    ("loophole", ""): {
        "ja": "「〇〇の場合は△△すること。例外は□□に限る」(条件と例外を列挙し、判断の余地をなくす)",
        "en": "“When 〇〇, the system shall △△; the only exceptions are □□” (list conditions and exceptions)",
    },
    ("open_ended", ""): {
        "ja": "「対象は〇〇、△△、□□の3種類とする(これ以外は対象外)」",
        "en": "“The supported 〇〇 are exactly: △, □ and ◇ (nothing else)”",
    },
    ("comparative", ""): {
        "ja": "「〇〇を現行(△秒)より□%以上短縮すること」(基準値と目標値を示す)",
        "en": "“〇〇 is at least □% faster than the current △ s” (state baseline and target)",
    },
    ("vague_time", ""): {
        "ja": "「〇〇は△△の発生から□分以内に行うこと」",
        "en": "“〇〇 happens within □ minutes of △△”",
    },
    ("vague_time", "period"): {
        "ja": "「〇〇は毎日△時に実行すること」",
        "en": "“〇〇 runs every day at △:00”",
    },
    ("vague_time", "duration"): {
        "ja": "「〇〇は△日間保管すること」/「□分間操作がない場合は〇〇すること」",
        "en": "“〇〇 is kept for △ days” / “after □ minutes without input, 〇〇”",
    },
    ("vague_reference", ""): {
        "ja": "「〇〇は要件REQ-△△(□□)のとおりとする」(参照先を名前かIDで明記する)",
        "en": "“〇〇 is as specified in REQ-△△ (□□)” (name what is referred to)",
    },
    ("unverifiable_negative", ""): {
        "ja": "「〇〇(計測期間と条件)において、△△の発生件数が□件以下であること」",
        "en": "“During 〇〇 (period and conditions), △△ occurs at most □ times”",
    },
    ("unquantified", "growth"): {
        "ja": "「〇〇は、利用者△人・1日あたり□件(現行の◇倍)まで、サーバ追加のみで処理できること」",
        "en": "“〇〇 handles up to △ users and □ records per day (◇× today) by adding servers only”",
    },
    ("unverifiable_negative", "prevention"): {
        "ja": "「〇〇を防ぐため、△△(具体的な対策: 例 5回連続で認証に失敗したら30分ロック)を行うこと」",
        "en": "“To prevent 〇〇, the system △△ (a concrete control, e.g. lock 30 min after 5 failures)”",
    },
    ("loophole", "effort"): {
        "ja": "「〇〇を△(期限)までに実施し、結果を□□に記載すること」(努力ではなく行う内容と完了条件を書く)",
        "en": "“〇〇 is done by △ (deadline) and recorded in □□” (state the action and its end, not effort)",
    },
    ("loophole", "reference"): {
        "ja": "「〇〇は△△(文書名と版)の第□章に従うこと」(参考ではなく、従う範囲を特定する)",
        "en": "“〇〇 follows chapter □ of △△ (document and version)” (name what must be followed)",
    },
    ("subjective", "consistency"): {
        "ja": "「〇〇は△△(名前と版を示した規約: 例 画面設計標準 第□版)に従うこと」",
        "en": "“〇〇 follows △△ (a named guideline and version, e.g. UI standard v□)”",
    },
    ("vague_time", "schedule"): {
        "ja": "「〇〇は△年□月までに◇(対象と件数)へ拡大すること」(段階ごとの期日と範囲を示す)",
        "en": "“〇〇 covers ◇ (scope and count) by △ (date)” (give each stage a date and a scope)",
    },
    ("open_ended", "selection"): {
        "ja": "「〇〇は△、□、◇とする」(「必要な」「主要な」ではなく対象を列挙する)",
        "en": "“The 〇〇 are exactly: △, □ and ◇” (list them instead of “necessary” or “key”)",
    },
    ("hedge", ""): {
        "ja": "「〇〇は△(上限値と単位)以内であること」(「約」「程度」を使わず許容範囲を示す)",
        "en": "“〇〇 is at most △ (upper bound and unit)” (state the tolerance instead of hedging)",
    },
}


def explain(category: str, lang: str, *, term: str = "", topic: str = "") -> tuple[str, str]:
    """The (message, suggestion) for a finding of ``category`` about ``term``, in ``lang`` ("ja" or "en")."""
    lang = "ja" if lang.startswith("ja") else "en"
    message = _MESSAGES[category][lang].format(term=term)
    suggestion = _SUGGESTIONS.get((category, topic)) or _SUGGESTIONS[(category, "")]
    return message, suggestion[lang]
