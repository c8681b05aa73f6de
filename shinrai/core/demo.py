"""Demo data: a Japanese vendor, its customers and a partner vendor, six projects, a user for every role.

Idempotent: running it again changes nothing that is already there (passwords of existing users included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from . import services
from .models import Organization, Project, Role, User

DEMO_PASSWORD = "shinrai-demo-2026"

VENDOR = "株式会社サンプルシステムズ"
MANUFACTURER = "株式会社山田製作所"
RETAILER = "株式会社みどりマート"
CITY = "青葉市役所"
PARTNER = "株式会社クラウドパートナーズ"

ORGANIZATIONS = [
    (VENDOR, Organization.Kind.VENDOR, "情報サービス業"),
    (MANUFACTURER, Organization.Kind.CUSTOMER, "製造業(精密部品)"),
    (RETAILER, Organization.Kind.CUSTOMER, "小売業(食品スーパー)"),
    (CITY, Organization.Kind.CUSTOMER, "地方公共団体"),
    (PARTNER, Organization.Kind.PARTNER, "クラウド基盤構築"),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    org: str
    what: str  # shown in README and by `shinrai demo`
    is_vendor_manager: bool = False
    is_admin: bool = False


USERS = [
    DemoUser(
        "admin@sample-systems.example.jp",
        "管理 太郎",
        VENDOR,
        "vendor administrator (admin site)",
        is_admin=True,
    ),
    DemoUser(
        "manager@sample-systems.example.jp",
        "佐藤 一郎",
        VENDOR,
        "vendor manager (all projects)",
        is_vendor_manager=True,
    ),
    DemoUser("pm@sample-systems.example.jp", "鈴木 花子", VENDOR, "vendor PM (4 projects)"),
    DemoUser("pm2@sample-systems.example.jp", "高橋 健", VENDOR, "vendor PM (2 projects), member of 1"),
    DemoUser("dev@sample-systems.example.jp", "田中 誠", VENDOR, "vendor member"),
    DemoUser("sponsor@yamada-mfg.example.jp", "山田 太一", MANUFACTURER, "customer sponsor, manufacturer"),
    DemoUser(
        "staff@yamada-mfg.example.jp",
        "中村 美咲",
        MANUFACTURER,
        "customer member (field staff), manufacturer",
    ),
    DemoUser("sponsor@midori-mart.example.jp", "小林 直樹", RETAILER, "customer sponsor, retailer"),
    DemoUser(
        "staff@midori-mart.example.jp", "加藤 さくら", RETAILER, "customer member (store staff), retailer"
    ),
    DemoUser("sponsor@city-aoba.example.jp", "伊藤 修", CITY, "customer sponsor, city office"),
    DemoUser("staff@city-aoba.example.jp", "渡辺 由美", CITY, "customer member (counter staff), city office"),
    DemoUser("viewer@cloud-partners.example.jp", "松本 亮", PARTNER, "partner vendor viewer (2 projects)"),
]


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    customer: str
    phase: str
    start: date | None
    end: date | None
    amount: int | None
    summary: str
    internal_note: str
    members: tuple[tuple[str, str], ...]


def _m(local: str, domain: str) -> str:
    return f"{local}@{domain}"


V, Y, M, C, P = (
    "sample-systems.example.jp",
    "yamada-mfg.example.jp",
    "midori-mart.example.jp",
    "city-aoba.example.jp",
    "cloud-partners.example.jp",
)

PROJECTS = [
    DemoProject(
        "YMD-2026-01",
        "生産管理システム刷新",
        MANUFACTURER,
        Project.Phase.BUILD,
        date(2026, 4, 1),
        date(2027, 3, 31),
        48_000_000,
        "紙とExcelで管理している生産計画・工程進捗を一つのシステムにまとめ、納期回答を当日中に出せるようにする。",
        "見積時の工数が設計で20%超過。次回の定例で説明予定。",
        (
            (_m("pm", V), Role.VENDOR_PM),
            (_m("dev", V), Role.VENDOR_MEMBER),
            (_m("sponsor", Y), Role.CUSTOMER_SPONSOR),
            (_m("staff", Y), Role.CUSTOMER_MEMBER),
        ),
    ),
    DemoProject(
        "YMD-2026-02",
        "設備保全IoTダッシュボード",
        MANUFACTURER,
        Project.Phase.REQUIREMENTS,
        date(2026, 10, 1),
        date(2027, 6, 30),
        12_000_000,
        "工場設備の稼働データを集め、故障の兆候を保全担当者が朝のうちに確認できるようにする。",
        "センサー機器の調達先が未定。",
        (
            (_m("pm2", V), Role.VENDOR_PM),
            (_m("sponsor", Y), Role.CUSTOMER_SPONSOR),
            (_m("staff", Y), Role.CUSTOMER_MEMBER),
        ),
    ),
    DemoProject(
        "MDR-2026-01",
        "ECサイトリニューアル",
        RETAILER,
        Project.Phase.TEST,
        date(2026, 1, 15),
        date(2026, 12, 25),
        35_000_000,
        "ネットスーパーのサイトを作り直し、スマートフォンからの注文を3分以内に完了できるようにする。",
        "負荷試験で決済APIの応答遅延あり。協力会社と原因調査中。",
        (
            (_m("pm", V), Role.VENDOR_PM),
            (_m("dev", V), Role.VENDOR_MEMBER),
            (_m("sponsor", M), Role.CUSTOMER_SPONSOR),
            (_m("staff", M), Role.CUSTOMER_MEMBER),
            (_m("viewer", P), Role.PARTNER_VIEWER),
        ),
    ),
    DemoProject(
        "MDR-2025-03",
        "店舗POS入替",
        RETAILER,
        Project.Phase.OPERATION,
        date(2025, 6, 1),
        date(2026, 3, 31),
        60_000_000,
        "全32店舗のPOSレジを入れ替え、売上データを翌朝ではなく当日中に本部へ届ける。",
        "保守契約の更新交渉を1月に開始。",
        ((_m("pm", V), Role.VENDOR_PM), (_m("sponsor", M), Role.CUSTOMER_SPONSOR)),
    ),
    DemoProject(
        "AOB-2026-01",
        "電子申請システム導入",
        CITY,
        Project.Phase.DESIGN,
        date(2026, 7, 1),
        date(2027, 9, 30),
        80_000_000,
        "住民票の写しなど12の手続きをオンラインで申請できるようにし、窓口の待ち時間を減らす。",
        "ガバメントクラウド移行方針の確認待ち。",
        (
            (_m("pm", V), Role.VENDOR_PM),
            (_m("pm2", V), Role.VENDOR_MEMBER),
            (_m("sponsor", C), Role.CUSTOMER_SPONSOR),
            (_m("staff", C), Role.CUSTOMER_MEMBER),
            (_m("viewer", P), Role.PARTNER_VIEWER),
        ),
    ),
    DemoProject(
        "AOB-2027-P1",
        "庁内ネットワーク更改(提案)",
        CITY,
        Project.Phase.PROPOSAL,
        date(2027, 1, 4),
        None,
        None,
        "庁内ネットワーク機器の保守期限切れに合わせた更改の提案。RFP前の相談段階。",
        "競合2社も情報提供依頼を受けている模様。",
        ((_m("pm2", V), Role.VENDOR_PM), (_m("sponsor", C), Role.CUSTOMER_SPONSOR)),
    ),
]


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create whatever part of the demo is missing. Returns how many objects were created."""
    created = {"organizations": 0, "users": 0, "projects": 0}
    orgs: dict[str, Organization] = {}
    for name, kind, industry in ORGANIZATIONS:
        orgs[name], new = Organization.objects.get_or_create(
            name=name, defaults={"kind": kind, "industry": industry}
        )
        created["organizations"] += new

    users: dict[str, User] = {}
    for demo in USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = User.objects.create_user(
                demo.email,
                DEMO_PASSWORD,
                display_name=demo.name,
                organization=orgs[demo.org],
                is_vendor_manager=demo.is_vendor_manager,
                is_staff=demo.is_admin,
                is_superuser=demo.is_admin,
            )
            created["users"] += 1
        users[demo.email] = user

    admin = users[USERS[0].email]
    for demo in PROJECTS:
        project = Project.objects.filter(code=demo.code).first()
        if project is None:
            project = services.project_create(
                by=admin,
                vendor_org=orgs[VENDOR],
                customer_org=orgs[demo.customer],
                code=demo.code,
                name=demo.name,
                summary=demo.summary,
                phase=demo.phase,
                start_date=demo.start,
                end_date=demo.end,
                contract_amount=Decimal(demo.amount) if demo.amount is not None else None,
                internal_note=demo.internal_note,
            )
            created["projects"] += 1
        for email, role in demo.members:
            services.member_add(by=admin, project=project, user=users[email], role=role)
    return created
