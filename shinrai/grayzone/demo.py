"""Demo data of the gray-zone app: a few gray-zone items and one shared anticipated question.

The online supermarket project MDR-2026-01 has a partner vendor (株式会社クラウドパートナーズ, which runs the
cloud platform): an open item between the vendors about the slow payment API (shared with the partner, with
a comment from each side), an item offered to the customer, one the partner took on, and the position the PM
wrote for the next weekly meeting, shared with the customer and the partner and revised once (two versions).
YMD-2026-01 has a vendor-only item nobody has taken for weeks. Written through the services like the people
would, then backdated (when each item was marked) so that the ages on the boards mean something.
Idempotent: nothing happens for a project that already has gray-zone items (or positions).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shinrai.core.models import Organization, Project, User, Visibility
from shinrai.troubles.models import Trouble

from . import services
from .models import GrayZoneItem, Position

MDR, YMD = "MDR-2026-01", "YMD-2026-01"
PM = "pm@sample-systems.example.jp"
VIEWER = "viewer@cloud-partners.example.jp"
PARTNER = "株式会社クラウドパートナーズ"


def _marked(item: GrayZoneItem, days: int) -> None:
    """Backdate when the item was marked (demo only: the boards show ages)."""
    when = timezone.now() - timedelta(days=days)
    GrayZoneItem.objects.filter(pk=item.pk).update(created_at=when)


def _mdr(project: Project, pm: User, viewer: User, partner: Organization) -> int:
    customer = project.customer_org
    trouble = Trouble.objects.filter(project=project, title__startswith="負荷試験で決済API").first()
    between = services.item_create(
        by=pm,
        project=project,
        title="決済APIタイムアウト時の再試行と監視を誰が持つか",
        reason=GrayZoneItem.Reason.SEVERAL_VENDORS,
        description=(
            "決済代行のAPIが遅いとき、アプリ側の再試行(当社)、基盤側のタイムアウト設定と監視(クラウドパートナーズ)、"
            "決済代行との窓口(お客様)のどれで受け持つかが決まっていません。"
        ),
        source=GrayZoneItem.Source.TROUBLE if trouble else GrayZoneItem.Source.ACTION,
        source_object=trouble,
    )
    services.item_share(by=pm, item=between, visibility=Visibility.PARTNERS, partners=[partner])
    services.comment_add(
        by=viewer,
        item=between,
        body="基盤側のタイムアウトは30秒固定です。監視はできますが、再試行の判断はアプリ側でお願いしたいです。",
    )
    services.comment_add(
        by=pm, item=between, body="再試行はアプリ側で持つ案で社内調整します。監視の通知先を決めましょう。"
    )
    _marked(between, 12)

    batch = services.item_create(
        by=pm,
        project=project,
        title="店舗在庫連携バッチの夜間監視の担当",
        reason=GrayZoneItem.Reason.NO_OWNER,
        description="夜間バッチが止まったとき、翌朝までに誰が気づき、誰に連絡するかが決まっていません。",
    )
    services.item_share(by=pm, item=batch, visibility=Visibility.CUSTOMER)
    services.item_offer(
        by=pm,
        item=batch,
        organization=customer,
        note="店舗システムの運用チームでの受け持ちをご検討ください。",
    )
    _marked(batch, 4)

    certificate = services.item_create(
        by=pm,
        project=project,
        title="本番環境のSSL証明書の更新手配",
        reason=GrayZoneItem.Reason.SEVERAL_VENDORS,
    )
    services.item_share(by=pm, item=certificate, visibility=Visibility.PARTNERS, partners=[partner])
    services.item_offer(by=pm, item=certificate, organization=partner, person=viewer)
    services.item_accept(by=pm, item=certificate, note="12/1の定例会でクラウドパートナーズ様が引き受け。")
    _marked(certificate, 9)

    position = services.position_create(
        by=pm,
        project=project,
        question="負荷試験で決済APIの応答が遅い件は、リリース日に影響しますか？",
        meeting="週次定例会",
        meeting_on=timezone.localdate() + timedelta(days=3),
        facts="同時1,000注文で決済APIの応答が平均3.4秒(目標2秒)。原因は決済代行側の接続数の上限と見ています。",
        options=(
            "A: 接続数の上限を引き上げてもらう(決済代行との調整、1週間)\n"
            "B: アプリ側で決済をキューに入れ、画面はすぐ返す(当社で5営業日)\n"
            "C: リリース後にピーク時の様子を見る"
        ),
        recommendation="Aを依頼しつつBを進めます。リリース日は変えずに済む見込みです。",
    )
    services.position_share(by=pm, position=position, visibility=Visibility.PARTNERS, partners=[partner])
    services.position_update(
        by=pm,
        position=position,
        recommendation="Aを依頼しつつBを進めます。Bは12/10までに結合試験を終え、リリース日は変えません。",
        note="Bの完了日を追記",
    )
    return 3


def _ymd(project: Project, pm: User) -> int:
    item = services.item_create(
        by=pm,
        project=project,
        title="旧生産管理システムのデータ移行時の文字コード変換",
        reason=GrayZoneItem.Reason.NO_OWNER,
        description="外字を含む品名の変換表を誰が作るか(当社か、旧システムの保守会社か)が決まっていません。",
    )
    _marked(item, 25)
    return 1


@transaction.atomic
def load_grayzone_demo() -> dict[str, int]:
    """Create the demo's gray-zone items and position where missing. Returns how many items were created."""
    pm = User.objects.filter(email=PM).first()
    viewer = User.objects.filter(email=VIEWER).first()
    partner = Organization.objects.filter(name=PARTNER).first()
    created = 0
    mdr = Project.objects.filter(code=MDR).select_related("customer_org").first()
    fresh = mdr is not None and not (
        GrayZoneItem.objects.filter(project=mdr).exists() or Position.objects.filter(project=mdr).exists()
    )
    if fresh and pm and viewer and partner:
        created += _mdr(mdr, pm, viewer, partner)
    ymd = Project.objects.filter(code=YMD).first()
    if ymd and pm and not GrayZoneItem.objects.filter(project=ymd).exists():
        created += _ymd(ymd, pm)
    return {"grayzone_items": created}
