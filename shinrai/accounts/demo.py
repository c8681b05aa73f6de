"""The demo's satisfaction and relationship story (called by ``shinrai.core.demo.load_demo``).

- 株式会社山田製作所 is a partner: consulted before every RFP, projects won without competition, monthly
  meetings, pulse surveys with good and rising scores, and a full account plan.
- 株式会社みどりマート is drifting to "one of them": the first project came from an early talk, but the EC
  renewal arrived as an RFP and was won against competitors, they have asked competitors for quotes since,
  nobody has met them for three months, and the latest pulse survey shows the feelings (emotional score and
  NPS) falling while the results are still judged fair. The trust dashboard flags the account.
- 青葉市役所 has no account plan yet (the empty state).

Surveys go through the real services (sending, answering); their dates are then moved into the past so the
fixed-point observation has history. Only what is missing is created.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from shinrai.core.models import Organization, Project, User
from shinrai.progress.models import Milestone
from shinrai.surveys import services as survey_services
from shinrai.surveys.defaults import POST_DELIVERY_LINEAGE, PULSE_LINEAGE, ensure_shipped
from shinrai.surveys.models import Invitation, Response, Survey, SurveyTemplate

from . import services
from .models import AccountPlan, RelationshipSignal

TOKYO = ZoneInfo("Asia/Tokyo")
Kind = RelationshipSignal.Kind


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TOKYO)


# (project code, kind, title, sent on, extra e-mail addresses, answers per person: {code: value})
ROUNDS = [
    (
        "MDR-2025-03",
        "post_delivery",
        "店舗POS入替 納品後アンケート",
        date(2025, 12, 10),
        ("tencho1@midori-mart.example.jp", "tencho2@midori-mart.example.jp"),
        [
            {
                "A1": 4,
                "A2": 5,
                "A3": 4,
                "B1": 5,
                "B2": 4,
                "B3": 4,
                "C1": 5,
                "C2": 5,
                "C3": 4,
                "D1": 4,
                "D2": 4,
                "D3": 4,
                "NPS": 9,
                "COMMENT": "店舗の意見をよく聞いてもらえた。",
            },
            {
                "A1": 4,
                "A2": 4,
                "A3": 4,
                "B1": 4,
                "B2": 4,
                "B3": 5,
                "C1": 5,
                "C2": 4,
                "C3": 5,
                "D1": 4,
                "D2": 3,
                "D3": 4,
                "NPS": 9,
            },
            {
                "A1": 5,
                "A2": 4,
                "A3": 4,
                "B1": 4,
                "B2": 5,
                "B3": 4,
                "C1": 4,
                "C2": 5,
                "C3": 5,
                "D1": 4,
                "D2": 4,
                "D3": 5,
                "NPS": 10,
                "COMMENT": "切替当日の立会いが心強かった。",
            },
            {
                "A1": 4,
                "A2": 4,
                "A3": 3,
                "B1": 4,
                "B2": 4,
                "B3": 4,
                "C1": 4,
                "C2": 4,
                "C3": 4,
                "D1": 3,
                "D2": 4,
                "D3": 4,
                "NPS": 8,
            },
        ],
    ),
    (
        "MDR-2026-01",
        "pulse",
        "ECサイトリニューアル 要件定義後パルス",
        date(2026, 5, 20),
        ("tencho1@midori-mart.example.jp", "tencho2@midori-mart.example.jp"),
        [
            {"B1": 4, "B2": 4, "C1": 5, "NPS": 8},
            {"B1": 4, "B2": 4, "C1": 4, "NPS": 8},
            {"B1": 4, "B2": 5, "C1": 4, "NPS": 9},
            {"B1": 3, "B2": 4, "C1": 4, "NPS": 7},
        ],
    ),
    (
        "MDR-2026-01",
        "pulse",
        "ECサイトリニューアル 結合テスト中パルス",
        date(2026, 10, 28),
        ("tencho1@midori-mart.example.jp", "tencho2@midori-mart.example.jp"),
        [
            {"B1": 3, "B2": 2, "C1": 2, "NPS": 4, "COMMENT": "決済の遅延について、説明が後手に回っている。"},
            {"B1": 3, "B2": 2, "C1": 3, "NPS": 5},
            {"B1": 4, "B2": 2, "C1": 2, "NPS": 3, "COMMENT": "相談しても返事が遅い。"},
            {"B1": 3, "B2": 3, "C1": 2, "NPS": 6},
        ],
    ),
    (
        "YMD-2026-01",
        "pulse",
        "生産管理システム刷新 要件定義後パルス",
        date(2026, 6, 12),
        ("koujou@yamada-mfg.example.jp",),
        [
            {"B1": 4, "B2": 4, "C1": 4, "NPS": 8},
            {"B1": 4, "B2": 4, "C1": 5, "NPS": 8},
            {"B1": 4, "B2": 3, "C1": 4, "NPS": 7},
        ],
    ),
    (
        "YMD-2026-01",
        "pulse",
        "生産管理システム刷新 設計完了後パルス",
        date(2026, 9, 30),
        ("koujou@yamada-mfg.example.jp",),
        [
            {
                "B1": 5,
                "B2": 4,
                "C1": 5,
                "NPS": 9,
                "COMMENT": "工数超過の説明が早く、選択肢もわかりやすかった。",
            },
            {"B1": 4, "B2": 5, "C1": 5, "NPS": 9},
            {"B1": 5, "B2": 4, "C1": 4, "NPS": 10},
        ],
    ),
]

# (customer, project code or None, kind, day, note)
SIGNALS = [
    (
        "yamada",
        "YMD-2026-01",
        Kind.CONSULTED_BEFORE_RFP,
        date(2025, 11, 5),
        "中期計画の段階から相談を受けた。",
    ),
    ("yamada", "YMD-2026-01", Kind.WON_WITHOUT_COMPETITION, date(2026, 2, 20), "随意契約。"),
    ("yamada", "YMD-2026-02", Kind.CONSULTED_BEFORE_RFP, date(2026, 6, 1), "保全部門から直接相談。"),
    ("yamada", "YMD-2026-02", Kind.WON_WITHOUT_COMPETITION, date(2026, 8, 25), ""),
    ("yamada", None, Kind.MEETING, date(2026, 9, 18), "社長と中期計画の意見交換。"),
    ("yamada", None, Kind.MEETING, date(2026, 10, 20), "工場長と保全の課題を共有。"),
    ("yamada", None, Kind.MEETING, date(2026, 11, 13), "情報システム部と来期予算の相談。"),
    ("midori", "MDR-2025-03", Kind.CONSULTED_BEFORE_RFP, date(2025, 2, 10), "店舗運営部から相談。"),
    ("midori", "MDR-2025-03", Kind.WON_WITHOUT_COMPETITION, date(2025, 4, 18), ""),
    ("midori", "MDR-2026-01", Kind.LEARNED_FROM_RFP, date(2025, 10, 1), "RFPが届いて初めて知った。"),
    ("midori", "MDR-2026-01", Kind.WON_IN_COMPETITION, date(2025, 12, 12), "3社コンペ。"),
    ("midori", None, Kind.MEETING, date(2026, 8, 21), "EC事業部長と定例。"),
    (
        "midori",
        None,
        Kind.COMPETITOR_QUOTES,
        date(2026, 10, 15),
        "会員アプリの見積を他社にも依頼したと聞いた。",
    ),
    ("city", None, Kind.MEETING, date(2026, 10, 2), "情報政策課と次年度の計画。"),
]


def _roadmap(by: User, customer: Organization, projects: dict[str, Project], steps) -> None:
    """Roadmap steps (fiscal year, title, status, linked project code or None), in order."""
    for fiscal_year, title, status, code in steps:
        services.roadmap_step_create(
            by=by,
            customer=customer,
            fiscal_year=fiscal_year,
            title=title,
            status=status,
            project=projects.get(code) if code else None,
        )


def _people(by: User, customer: Organization, rows) -> None:
    """Key people: (name, position, influence, meet every N days, last met on)."""
    for name, position, influence, every, last in rows:
        services.key_person_create(
            by=by,
            customer=customer,
            name=name,
            position=position,
            influence=influence,
            meet_every_days=every,
            last_met_on=last,
        )


def _plans(vendor: Organization, customers: dict[str, Organization], pm: User, projects: dict[str, Project]):
    yamada = customers["yamada"]
    plan = services.plan_get_or_create(by=pm, customer=yamada)
    services.plan_save(
        by=pm,
        customer=yamada,
        version=plan.version,
        business="精密部品の受託製造。自動車・医療機器向けが売上の7割。国内2工場。",
        market="海外メーカーとの価格競争が激しい。競合ベンダーは大手SIerと地場の1社。",
        environment="2代目社長のもとDXを中期計画の柱に置き、情報システム部を3名から6名に増員中。",
        concerns="現場は入力の手間が増えることを心配。経営層は納期回答の速さを重視。",
        strategy="3年で生産・保全・品質のデータを一つにまとめ、納期回答を当日中にする。",
        as_is="生産計画はExcel、工程進捗は紙。納期回答に2〜3日かかる。",
        to_be="受注当日に納期回答。設備の故障兆候を朝のうちに把握。",
    )
    _roadmap(
        pm,
        yamada,
        projects,
        [
            (2025, "生産計画の標準化", "done", None),
            (2026, "生産管理システム刷新", "in_progress", "YMD-2026-01"),
            (2026, "設備保全IoTダッシュボード", "planned", "YMD-2026-02"),
            (2027, "品質データの統合", "idea", None),
            (2028, "取引先との受発注連携", "idea", None),
        ],
    )
    _people(
        pm,
        yamada,
        [
            ("山田 太一", "代表取締役社長", "decision_maker", 30, date(2026, 11, 13)),
            ("木村 浩二", "第一工場長", "influencer", 30, date(2026, 10, 20)),
        ],
    )
    midori = customers["midori"]
    plan = services.plan_get_or_create(by=pm, customer=midori)
    services.plan_save(
        by=pm,
        customer=midori,
        version=plan.version,
        business="首都圏の食品スーパー42店舗。ネットスーパーの売上が年20%伸びている。",
        market="大手ECと地域スーパーの宅配に挟まれている。競合ベンダーは大手EC構築会社2社。",
        environment="EC事業部が新設され、外部から招いた部長が主導。情報システム部との役割分担が曖昧。",
        concerns="EC事業部長はスピードを重視し、テスト期間の長さに不満がある。",
        strategy="会員アプリとネットスーパーを一体化し、店舗受取を伸ばす。",
        as_is="ネットスーパーのスマートフォン注文に平均8分かかり、離脱が多い。",
        to_be="スマートフォンから3分以内に注文完了。店舗受取を全店で。",
    )
    _roadmap(
        pm,
        midori,
        projects,
        [
            (2025, "店舗POS入替", "done", "MDR-2025-03"),
            (2026, "ECサイトリニューアル", "in_progress", "MDR-2026-01"),
            (2027, "会員アプリとネットスーパーの統合", "idea", None),
        ],
    )
    _people(pm, midori, [("小林 直樹", "EC事業部長", "decision_maker", 30, date(2026, 8, 21))])


@transaction.atomic
def load_trust_demo(
    *, orgs: dict[str, Organization], users: dict[str, User], vendor_name: str, customer_names: dict[str, str]
) -> dict[str, int]:
    """Signals, account plans and survey rounds of the demo; only what is missing. Returns counts."""
    created = {"signals": 0, "account_plans": 0, "surveys": 0, "survey_responses": 0}
    vendor = orgs[vendor_name]
    customers = {key: orgs[name] for key, name in customer_names.items()}
    pm = users["pm@sample-systems.example.jp"]
    manager = users["manager@sample-systems.example.jp"]
    projects = {p.code: p for p in Project.objects.filter(vendor_org=vendor)}
    if not RelationshipSignal.objects.filter(vendor_org=vendor).exists():
        for key, code, kind, day, note in SIGNALS:
            services.signal_record(
                by=manager,
                customer=customers[key],
                kind=kind,
                occurred_on=day,
                project=projects.get(code) if code else None,
                note=note,
            )
            created["signals"] += 1
    if not AccountPlan.objects.filter(vendor_org=vendor).exists():
        _plans(vendor, customers, manager, projects)
        created["account_plans"] = AccountPlan.objects.filter(vendor_org=vendor).count()
    if not Survey.objects.filter(project__vendor_org=vendor).exists():
        ensure_shipped()
        templates = {
            "post_delivery": SurveyTemplate.objects.get(lineage=POST_DELIVERY_LINEAGE, is_current=True),
            "pulse": SurveyTemplate.objects.get(lineage=PULSE_LINEAGE, is_current=True),
        }
        for code, kind, title, sent_on, extra, sheets in ROUNDS:
            created["survey_responses"] += _round(
                project=projects[code],
                by=pm,
                template=templates[kind],
                kind=kind,
                title=title,
                sent_on=sent_on,
                extra=extra,
                sheets=sheets,
            )
            created["surveys"] += 1
    return created


def _milestone_before(project: Project, day: date) -> Milestone | None:
    """The milestone a pulse round follows: the last one reached before it was sent."""
    return Milestone.objects.filter(project=project, actual_date__lte=day).order_by("-actual_date").first()


def _round(*, project, by, template, kind, title, sent_on, extra, sheets) -> int:
    """Send a round through the services, answer it, then move its dates back to ``sent_on``."""
    recipients = [m.user for m in project.members.select_related("user") if m.role.startswith("customer")]
    survey = survey_services.survey_send(
        by=by,
        project=project,
        template=template,
        kind=kind,
        title=title,
        answer_until=date.today() + timedelta(days=14),
        recipients=recipients,
        extra_emails=extra,
        milestone=_milestone_before(project, sent_on) if kind == "pulse" else None,
    )
    questions = list(template.questions.all())
    invitations = list(survey.invitations.order_by("pk"))
    answered = 0
    for invitation, sheet in zip(invitations, sheets, strict=False):
        response, errors = survey_services.response_submit(
            invitation=invitation, questions=questions, raw=sheet
        )
        if errors:
            raise ValueError(f"demo survey answers refused: {errors}")
        answered += 1
        at = _at(sent_on + timedelta(days=1 + answered), 9 + answered)
        Response.objects.filter(pk=response.pk).update(submitted_at=at)
        Invitation.objects.filter(pk=invitation.pk).update(responded_at=at, opened_at=at)
    closes = _at(sent_on + timedelta(days=14), 23)
    Invitation.objects.filter(survey=survey).update(
        sent_at=_at(sent_on), expires_at=closes, created_at=_at(sent_on)
    )
    Survey.objects.filter(pk=survey.pk).update(
        sent_at=_at(sent_on), created_at=_at(sent_on), closes_at=closes, closed_at=closes, status="closed"
    )
    return answered
