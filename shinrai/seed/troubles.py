"""Troubles: risks, issues and incidents over a project's life, most disclosed, a few found by the customer.

About 20 per project at every scale (DESIGN.md: 20,000 at the large scale). How fast a trouble is told to the
customer and how often the customer finds it first depends on the project's health, so the trust indicators
(median time to disclose, disclosed before the customer found it) differ between projects. Old troubles are
closed; recent ones are open, being analysed or in follow-up. Risks are not always disclosed.

Audit events written: none (the trouble pages read the troubles themselves). The disclosed troubles are left
in ``plan.shared["disclosed_troubles"]`` for the notifications (:mod:`.notifications`).
"""

from __future__ import annotations

from datetime import timedelta

from shinrai.troubles.models import Trouble

from .base import ProjectPlan, Seeder, at_tokyo

TITLES = (
    ("夜間バッチの処理時間超過", "夜間バッチが予定の6時までに終わらず、朝の業務開始が30分遅れた。"),
    ("テスト環境の性能不足", "結合テスト環境の応答が本番想定の3倍遅く、性能試験の結果が判断に使えない。"),
    ("要員の交代", "設計担当者が体調不良で長期離脱する見込みとなった。"),
    ("外部APIの仕様変更", "連携先の決済APIが来月から認証方式を変更すると通知があった。"),
    ("データ移行の不整合", "移行リハーサルで取引先マスタ約1,200件の住所が欠落した。"),
    ("画面表示の不具合", "帳票画面で合計金額が1円ずれるケースがある。"),
    ("要件の認識違い", "承認フローの差戻し先について、顧客と当社の理解が異なっていた。"),
    ("ライセンス費用の増加", "ミドルウェアの価格改定で年間費用が見積より増える見込み。"),
    ("本番障害: ログイン不可", "朝8時から20分間、全利用者がログインできなかった。"),
    ("セキュリティ診断の指摘", "外部診断でセッション管理に関する中リスクの指摘が2件あった。"),
)
KINDS = (("risk", 40), ("issue", 45), ("incident", 15))
SEVERITIES = (("low", 30), ("medium", 45), ("high", 20), ("critical", 5))
# Hours from detection to disclosure, and the chance the customer found it first, by project health.
DISCLOSE_HOURS = {"good": (0.5, 10), "shaky": (2, 40), "troubled": (6, 120)}
CUSTOMER_FOUND = {"good": 0.04, "shaky": 0.1, "troubled": 0.25}


def _weighted(rng, choices):
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def seed_troubles(s: Seeder, plan: ProjectPlan) -> None:
    rng = s.rng("troubles", plan.index)
    first = plan.start
    last = min(s.today, plan.end)
    if last <= first:
        return
    span = (last - first).days
    count = max(1, round(rng.uniform(0.5, 1.5) * 26 * min(1.0, span / 365)))
    low, high = DISCLOSE_HOURS[plan.health]
    vendor_people = [plan.pm, *plan.vendor_members]
    disclosed_troubles = plan.shared.setdefault("disclosed_troubles", [])  # the notifications tell of them
    for number in range(1, count + 1):
        kind = _weighted(rng, KINDS)
        title, facts = rng.choice(TITLES)
        day = first + timedelta(days=rng.randint(0, span))
        detected = min(s.now - timedelta(hours=1), at_tokyo(day, rng.randint(8, 19), rng.randint(0, 59)))
        disclose = kind != "risk" or rng.random() < 0.6
        disclosed = None
        if disclose:
            disclosed = min(s.now, detected + timedelta(hours=rng.uniform(low, high)))
        found_by = "customer" if disclose and rng.random() < CUSTOMER_FOUND[plan.health] else "vendor"
        age = (s.today - day).days
        if age > 60:
            status = "closed"
        else:
            status = rng.choice(
                ["open", "analysing", "decided", "follow_up"] if disclose else ["open", "analysing"]
            )
        closed_at = min(s.now, detected + timedelta(days=rng.randint(3, 40))) if status == "closed" else None
        visibility = "internal" if disclosed is None else ("partners" if rng.random() < 0.1 else "customer")
        trouble = s.add(
            Trouble(
                project_id=plan.id,
                number=number,
                kind=kind,
                title=title,
                facts=facts,
                detected_at=detected,
                disclosed_at=disclosed,
                found_by=found_by,
                severity=_weighted(rng, SEVERITIES),
                probability=rng.choice(["low", "medium", "high"]) if kind == "risk" else "",
                owner_id=rng.choice(vendor_people),
                status=status,
                visibility=visibility,
                closed_at=closed_at,
                created_by_id=plan.pm,
                created_at=detected,
                updated_at=closed_at or disclosed or detected,
            )
        )
        if disclosed is not None:
            disclosed_troubles.append(trouble)
