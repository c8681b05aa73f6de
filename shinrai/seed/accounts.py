"""Account plans, key people and relationship signals for every (vendor, customer) pair with projects.

Runs once after the projects (it needs all of an account's projects). Every project gets a signal saying how
it was won, and most an earlier one saying whether we were consulted before the RFP. Meetings are recorded
every few weeks. "Drifting" customers (:func:`.surveys.drifting`) learn of RFPs elsewhere, ask competitors for
quotes and have not met us for months — what the trust dashboard should flag. Four accounts in five have
a plan.

Nothing is written to the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from shinrai.accounts.models import AccountPlan, KeyPerson, RelationshipSignal, RoadmapStep

from . import words
from .base import ProjectPlan, Seeder
from .core import Tenancy, _person
from .surveys import drifting

ROADMAP = (
    ("基幹システム刷新", "老朽化したオンプレミスの基幹システムをクラウドへ移行する。"),
    ("データ活用基盤", "販売・在庫データを一か所に集め、経営会議で使える指標を毎朝更新する。"),
    ("現場のペーパーレス化", "紙の点検票をタブレット入力に置き換える。"),
    ("取引先ポータル", "受発注と請求を取引先とオンラインでやり取りする。"),
    ("運用の内製化支援", "保守の一部を顧客の情報システム部門へ移管し、教育を行う。"),
)


def seed_accounts(s: Seeder, tenancy: Tenancy, plans: list[ProjectPlan]) -> None:
    by_account: dict[tuple[int, int], list[ProjectPlan]] = defaultdict(list)
    for plan in plans:
        by_account[(plan.vendor_id, plan.customer_id)].append(plan)
    sponsors = {staff.org_id: staff.sponsors for staff in tenancy.customers}
    for (vendor_id, customer_id), projects in sorted(by_account.items()):
        rng = s.rng("accounts", vendor_id, customer_id)
        drifts = drifting(s, customer_id)
        first_pm = projects[0].pm
        _signals(s, rng, vendor_id, customer_id, projects, drifts)
        if rng.random() > 0.8:
            continue
        industry = rng.choice(list(words.INDUSTRIES.values()))
        plan = s.add(
            AccountPlan(
                vendor_org_id=vendor_id,
                customer_org_id=customer_id,
                business=f"{industry}。国内に拠点を持ち、主要取引先は大手量販店。",
                market="同業大手2社と価格競争が続く。競合ベンダーは大手SIer1社と地元企業1社。",
                environment="中期経営計画でDX推進を掲げ、情報システム部門を増員中。",
                concerns="現場は入力の手間が増えることを心配している。経営層は投資対効果を重視。",
                strategy="3年で業務の標準化とデータ活用を進め、意思決定を速くする。",
                as_is="部門ごとにExcelと紙で管理し、月次の数字が揃うまで10営業日かかる。",
                to_be="翌営業日に全社の数字が見え、現場の入力は1日5分以内。",
                updated_by_id=first_pm,
                updated_at=s.now - timedelta(days=rng.randint(5, 200)),
            )
        )
        fiscal_year = s.today.year if s.today.month >= 4 else s.today.year - 1
        for position, (title, description) in enumerate(rng.sample(ROADMAP, rng.randint(3, 5))):
            year = fiscal_year - 1 + position
            status = "done" if year < fiscal_year else "in_progress" if year == fiscal_year else "planned"
            s.add(
                RoadmapStep(
                    plan_id=plan.pk,
                    fiscal_year=year,
                    title=title,
                    description=description,
                    status=status,
                    position=position,
                )
            )
        people = sponsors.get(customer_id, [])
        for number in range(rng.randint(2, 4)):
            every = rng.choice([30, 60, 90])
            late = rng.randint(100, 200) if drifts else rng.randint(0, every + 20)
            s.add(
                KeyPerson(
                    plan_id=plan.pk,
                    name=_person(rng),
                    position=["代表取締役", "情報システム部長", "業務部長", "経営企画課長"][number],
                    influence=["decision_maker", "decision_maker", "influencer", "user"][number],
                    user_id=people[number] if number < len(people) else None,
                    meet_every_days=every,
                    last_met_on=s.today - timedelta(days=late),
                )
            )


def _signals(s: Seeder, rng, vendor_id: int, customer_id: int, projects: list[ProjectPlan], drifts: bool):
    def signal(kind: str, day, project: ProjectPlan | None = None, note: str = "") -> None:
        s.add(
            RelationshipSignal(
                vendor_org_id=vendor_id,
                customer_org_id=customer_id,
                kind=kind,
                occurred_on=min(day, s.today),
                project_id=project.id if project else None,
                note=note,
                recorded_by_id=project.pm if project else projects[0].pm,
                created_at=s.now,
            )
        )

    recent = s.today - timedelta(days=365)
    for project in projects:
        won = project.created_at.date()
        late_in_life = drifts and won >= recent
        if late_in_life or rng.random() < 0.25:
            signal("learned_from_rfp", won - timedelta(days=40), project, "RFPが届いて初めて案件を知った。")
        else:
            signal("consulted_before_rfp", won - timedelta(days=90), project, "構想段階から相談を受けた。")
        without = rng.random() < (0.2 if late_in_life else 0.55)
        signal("won_without_competition" if without else "won_in_competition", won, project)
    first = min(p.start for p in projects) - timedelta(days=60)
    stop = s.today - timedelta(days=rng.randint(75, 140)) if drifts else s.today
    day = max(first, s.today - timedelta(days=720))
    while day <= stop:
        signal("meeting", day, note="定例の情報交換")
        day += timedelta(days=rng.randint(20, 50))
    if drifts:
        signal(
            "competitor_quotes",
            s.today - timedelta(days=rng.randint(20, 150)),
            note="他社にも見積依頼が出ている。",
        )
