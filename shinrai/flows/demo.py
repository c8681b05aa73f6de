"""Demo data of the flows app: one hand-written Japanese business flow (受注から出荷まで) in two versions.

It goes into the online supermarket project MDR-2026-01: the flow is its order-to-delivery back office. The
project gets a few requirements of its own here when it has none (the demo's YMD project is left empty on
purpose: the requirements journey test writes its REQ-001 there). Most steps are linked to requirements;
two work steps and two requirements are left unlinked, so the gap list has something to discuss.
Idempotent: nothing happens when the flow already exists.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from shinrai.core.models import Project, User, Visibility
from shinrai.requirements import services as requirement_services
from shinrai.requirements.models import Requirement

from . import services
from .models import BusinessFlow

PROJECT_CODE = "MDR-2026-01"
TITLE = "受注から出荷まで"
FILES = Path(__file__).resolve().parent / "demo"
PM = "pm@sample-systems.example.jp"
SPONSOR = "sponsor@midori-mart.example.jp"

# (text, priority, visibility, steps it serves)
REQUIREMENTS = [
    (
        "注文を受け付けたら、受注内容を5分以内に受注管理画面へ自動で取り込むこと。",
        "must",
        Visibility.CUSTOMER,
        ["Task_Enter"],
    ),
    (
        "受注ごとに顧客の与信枠を確認し、超過していれば担当者へ通知すること。",
        "must",
        Visibility.CUSTOMER,
        ["Task_Credit", "Task_Reject"],
    ),
    (
        "受注確定時に在庫を引き当て、引当結果を倉庫と営業の双方が確認できること。",
        "must",
        Visibility.CUSTOMER,
        ["Task_Allocate"],
    ),
    ("ピッキングリストを出荷便ごとに印刷できること。", "should", Visibility.CUSTOMER, ["Task_Pick"]),
    (
        "出荷したら、顧客へ出荷案内メールを自動で送ること。",
        "must",
        Visibility.CUSTOMER,
        ["Task_Ship", "Task_NotifyShip"],
    ),
    ("出荷確定の翌営業日までに請求書を発行すること。", "should", Visibility.CUSTOMER, ["Task_Invoice"]),
    ("返品の受付状況を店舗からも照会できること。", "could", Visibility.CUSTOMER, []),
    ("旧受注システムの過去3年分のデータを移行すること。", "should", Visibility.INTERNAL, []),
]
# Left without a requirement on purpose (the gaps): 入荷予定を連絡する, 検品・梱包する.


def load_flows_demo() -> dict[str, int]:
    """Create the demo flow when it is missing. Returns how many flows were created (0 or 1)."""
    project = Project.objects.filter(code=PROJECT_CODE).first()
    pm = User.objects.filter(email=PM).first()
    sponsor = User.objects.filter(email=SPONSOR).first()
    if project is None or pm is None or sponsor is None:
        return {"flows": 0}
    if BusinessFlow.objects.filter(project=project, title=TITLE).exists():
        return {"flows": 0}
    with transaction.atomic():
        requirements = _requirements(project, pm)
        flow = services.flow_create(
            by=pm,
            project=project,
            title=TITLE,
            description="ネットスーパーの注文を受けてから出荷・請求までの業務。営業と倉庫の分担を確認するための図です。",
            visibility=Visibility.PARTNERS,
            data=(FILES / "order_to_ship_v1.bpmn").read_bytes(),
            filename="受注から出荷まで_v1.bpmn",
            note="初版(業務ヒアリング後)",
        )
        services.version_upload(
            by=pm,
            flow=flow,
            data=(FILES / "order_to_ship_v2.bpmn").read_bytes(),
            filename="受注から出荷まで_v2.bpmn",
            note="ピッキングの手順名を修正、請求書の発行を追加",
        )
        flow.refresh_from_db()
        for requirement, (_text, _priority, _visibility, steps) in zip(
            requirements, REQUIREMENTS, strict=True
        ):
            for element_id in steps:
                services.link_add(by=pm, flow=flow, element_id=element_id, requirement=requirement)
        services.comment_add(
            by=pm,
            flow=flow,
            element_id="Task_Inspect",
            body="検品・梱包の要件がまだありません。次回の定例で、検品の基準を倉庫のご担当者に伺いたいです。",
        )
        services.comment_add(
            by=sponsor,
            flow=flow,
            element_id="Task_Backorder",
            body="欠品時の連絡は今は電話です。メールでも送れると助かります。",
        )
    return {"flows": 1}


def _requirements(project: Project, pm: User) -> list[Requirement]:
    existing = list(Requirement.objects.filter(project=project).order_by("number"))
    if len(existing) >= len(REQUIREMENTS):
        return existing[: len(REQUIREMENTS)]
    return [
        requirement_services.requirement_create(
            by=pm, project=project, text=text, priority=priority, visibility=visibility
        )
        for text, priority, visibility, _steps in REQUIREMENTS
    ]
