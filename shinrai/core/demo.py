"""Demo data: a Japanese vendor, its customers and a partner vendor, six projects, a user for every role.

Two projects also have a plan: YMD-2026-01 (in development) and MDR-2026-01 (in testing) get milestones
(one slipped by a few business days, with the reason) and a WBS with owners, estimates, actual hours and
progress as of late November 2026, written through the progress services like a PM would. YMD-2026-01 also
has one published weekly report (week of 2026-11-16), drafted by the generator and published by its PM.
Both get a few weeks of progress history (snapshots), reconstructed from their tasks, so that the burndown
and earned-value charts have a past.

Idempotent: running it again changes nothing that is already there (passwords of existing users included;
a project's plan is written only while the project has no milestones and no tasks; the weekly report only
while that week has none; troubles only while the project has none; customer and change requests only while
it has none of either).

YMD-2026-01 also has troubles (a closed incident with its post-mortem, an issue whose options wait for the
sponsor's choice, a vendor-only risk), customer requests and change requests (one approved, which changed
the contract value, one waiting for the sponsor) and so a ledger; MDR-2026-01 has one disclosed issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from shinrai.ledger import services as ledger_services
from shinrai.ledger.models import ChangeRequest, CustomerRequest
from shinrai.progress import evm, report_services, snapshots, workdays
from shinrai.progress import services as progress_services
from shinrai.progress.models import Milestone, ProgressSnapshot, Task, WeeklyReport
from shinrai.troubles import services as trouble_services
from shinrai.troubles.models import Trouble

from . import services
from .models import Organization, Project, Role, User, Visibility

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


# --- Plans (milestones and WBS) ------------------------------------------------------------------------

TOKYO = ZoneInfo("Asia/Tokyo")
INTERNAL, SHARED, PARTNERS = Visibility.INTERNAL, Visibility.CUSTOMER, Visibility.PARTNERS


@dataclass(frozen=True)
class DemoMilestone:
    name: str
    baseline: date
    deliverables: str = ""
    criteria: str = ""
    reached: date | None = None
    forecast: date | None = None  # a forecast moved away from the baseline (a slip) …
    reason: str = ""  # … and why, as the PM wrote it
    visibility: str = SHARED


@dataclass(frozen=True)
class DemoTask:
    """A WBS task; one with ``children`` is a summary (its figures are rolled up, never reported)."""

    name: str
    owner: str = ""  # local part of a demo e-mail of the vendor: "pm", "dev", "manager"
    start: date | None = None
    days: int = 0  # business days (weekends and Japanese public holidays skipped)
    hours: int = 0  # estimate
    actual: float = 0
    progress: int = 0
    done_on: date | None = None  # finished on this day (status done)
    milestone: str = ""  # name of the milestone the task delivers
    visibility: str = SHARED
    children: tuple[DemoTask, ...] = field(default_factory=tuple)


def _t(name, owner, start, days, hours, actual=0, progress=0, done_on=None, **more) -> DemoTask:
    return DemoTask(name, owner, start, days, hours, actual, progress, done_on, **more)


def _phase(name, *children, milestone="", visibility=SHARED) -> DemoTask:
    return DemoTask(name, milestone=milestone, visibility=visibility, children=children)


D = date
PLANS: dict[str, tuple[list[DemoMilestone], list[DemoTask]]] = {
    # Manufacturer, in development: design ran 20 % over (see the internal note); one screen grew by a
    # change agreed on 11/10, so the build milestone moved by three business days.
    "YMD-2026-01": (
        [
            DemoMilestone(
                "要件定義完了",
                D(2026, 5, 29),
                "要件定義書、業務フロー図（生産計画・工程進捗・出荷）",
                "要件定義書を山田様に承認いただくこと",
                reached=D(2026, 5, 28),
            ),
            DemoMilestone(
                "設計完了",
                D(2026, 9, 30),
                "基本設計書（画面・帳票・外部連携）、詳細設計書、DB定義書",
                "設計レビューの指摘事項がすべて対応済みであること",
                reached=D(2026, 9, 30),
            ),
            DemoMilestone(
                "製造・単体テスト完了",
                D(2026, 12, 18),
                "全機能のプログラム、単体テスト結果報告書",
                "単体テストの不合格項目がゼロであること",
                forecast=D(2026, 12, 23),
                reason="工程進捗画面に設備停止理由の入力を追加（11/10 の仕様変更合意）したため",
            ),
            DemoMilestone(
                "社内品質レビュー（出荷判定）",
                D(2026, 12, 24),
                "品質報告書（社内向け）",
                "重大な指摘がないこと",
                visibility=INTERNAL,
            ),
            DemoMilestone(
                "結合テスト完了",
                D(2027, 2, 5),
                "結合テスト仕様書・結果報告書",
                "納期回答の当日処理（500件）が30分以内に終わること",
            ),
            DemoMilestone(
                "本番稼働",
                D(2027, 3, 15),
                "本番環境、操作マニュアル、移行済みデータ",
                "全工場で生産計画を新システムで作成できること",
            ),
        ],
        [
            _phase(
                "要件定義",
                _t(
                    "現行業務ヒアリング（生産計画・工程管理）",
                    "pm",
                    D(2026, 4, 1),
                    8,
                    48,
                    52,
                    done_on=D(2026, 4, 10),
                ),
                _t("要件定義書の作成", "pm", D(2026, 4, 13), 14, 96, 104, done_on=D(2026, 5, 1)),
                _t(
                    "要件定義レビュー・承認",
                    "pm",
                    D(2026, 5, 7),
                    12,
                    32,
                    30,
                    done_on=D(2026, 5, 28),
                    milestone="要件定義完了",
                ),
            ),
            _phase(
                "設計",
                _t(
                    "画面設計（生産計画・工程進捗・出荷）",
                    "dev",
                    D(2026, 6, 1),
                    20,
                    120,
                    150,
                    done_on=D(2026, 6, 30),
                ),
                _t(
                    "帳票設計（作業指示書・出荷予定表）",
                    "dev",
                    D(2026, 6, 15),
                    10,
                    48,
                    56,
                    done_on=D(2026, 6, 26),
                ),
                _t(
                    "外部インターフェース設計（基幹システム連携）",
                    "pm",
                    D(2026, 6, 29),
                    15,
                    64,
                    80,
                    done_on=D(2026, 7, 22),
                ),
                _t("DB・詳細設計", "dev", D(2026, 7, 21), 35, 200, 236, done_on=D(2026, 9, 10)),
                _t(
                    "設計レビュー",
                    "pm",
                    D(2026, 9, 14),
                    10,
                    24,
                    28,
                    done_on=D(2026, 9, 30),
                    milestone="設計完了",
                ),
            ),
            _phase(
                "製造・単体テスト",
                _t("生産計画画面の製造", "dev", D(2026, 10, 1), 15, 120, 128, done_on=D(2026, 10, 23)),
                _t(
                    "工程進捗画面の製造（設備停止理由の入力を追加）", "dev", D(2026, 10, 13), 20, 160, 150, 70
                ),
                _t("MRP計算バッチの製造", "dev", D(2026, 10, 22), 25, 200, 120, 55),
                _t("帳票出力の製造", "dev", D(2026, 11, 9), 15, 96, 30, 30),
                _t("基幹システム連携の製造", "pm", D(2026, 11, 16), 15, 120),
                _t("単体テスト", "dev", D(2026, 11, 30), 14, 80, milestone="製造・単体テスト完了"),
                _t("社内コードレビュー", "manager", D(2026, 11, 2), 30, 40, 16, 40, visibility=INTERNAL),
                _t(
                    "工数見積差異の分析と再見積",
                    "manager",
                    D(2026, 11, 16),
                    3,
                    8,
                    10,
                    done_on=D(2026, 11, 18),
                    visibility=INTERNAL,
                ),
            ),
            _phase(
                "結合テスト",
                _t("結合テスト仕様書の作成", "pm", D(2026, 12, 1), 12, 64),
                _t("結合テストの実施", "dev", D(2027, 1, 6), 20, 160),
                _t("性能テスト（納期回答の当日処理）", "dev", D(2027, 1, 20), 10, 48),
                _t("結合テスト結果報告", "pm", D(2027, 2, 4), 2, 8, milestone="結合テスト完了"),
            ),
            _phase(
                "移行・本番稼働",
                _t("マスタデータ移行（品目・工程・設備）", "dev", D(2027, 2, 8), 10, 80),
                _t("現場リーダー向け操作研修", "pm", D(2027, 2, 24), 8, 32),
                _t("本番切替・稼働立ち上げ支援", "pm", D(2027, 3, 8), 10, 64, milestone="本番稼働"),
            ),
        ],
    ),
    # Retailer, in testing: the load test found slow payment API responses; the partner vendor (payment
    # and cloud work is shared with them) and the vendor investigate, so the system test moved.
    "MDR-2026-01": (
        [
            DemoMilestone(
                "要件定義完了",
                D(2026, 3, 13),
                "要件定義書、画面遷移図",
                "要件定義書を小林様に承認いただくこと",
                reached=D(2026, 3, 12),
            ),
            DemoMilestone(
                "設計完了",
                D(2026, 5, 29),
                "画面デザイン、注文・決済フロー設計書",
                "スマートフォンでの注文手順が3分以内で終わる設計であること",
                reached=D(2026, 5, 29),
            ),
            DemoMilestone(
                "製造完了",
                D(2026, 9, 18),
                "全機能のプログラム",
                "全機能がテスト環境で動くこと",
                reached=D(2026, 9, 18),
            ),
            DemoMilestone(
                "総合テスト・負荷試験完了",
                D(2026, 11, 27),
                "総合テスト結果報告書、負荷試験結果報告書",
                "同時1,000注文で決済の応答が2秒以内であること",
                forecast=D(2026, 12, 2),
                reason="負荷試験で決済APIの応答遅延が見つかり、協力会社と原因を調べて再試験するため",
                visibility=PARTNERS,
            ),
            DemoMilestone(
                "受入テスト完了",
                D(2026, 12, 11),
                "受入テスト結果（お客様作成）",
                "お客様の受入テストで重大な不具合がないこと",
            ),
            DemoMilestone(
                "本番公開",
                D(2026, 12, 21),
                "新しいネットスーパーサイト",
                "本番環境で注文から配送手配まで通して動くこと",
            ),
        ],
        [
            _phase(
                "要件定義",
                _t("現行サイトのアクセス解析", "dev", D(2026, 1, 15), 8, 40, 38, done_on=D(2026, 1, 26)),
                _t("要件定義書の作成", "pm", D(2026, 1, 27), 20, 120, 132, done_on=D(2026, 2, 25)),
                _t(
                    "要件定義レビュー",
                    "pm",
                    D(2026, 2, 26),
                    10,
                    24,
                    22,
                    done_on=D(2026, 3, 12),
                    milestone="要件定義完了",
                ),
            ),
            _phase(
                "設計",
                _t(
                    "画面デザイン（スマートフォン優先）",
                    "dev",
                    D(2026, 3, 16),
                    20,
                    120,
                    118,
                    done_on=D(2026, 4, 14),
                ),
                _t("注文・決済フロー設計", "pm", D(2026, 4, 1), 15, 80, 90, done_on=D(2026, 4, 21)),
                _t(
                    "商品検索・在庫連携設計",
                    "dev",
                    D(2026, 4, 22),
                    20,
                    96,
                    100,
                    done_on=D(2026, 5, 27),
                    milestone="設計完了",
                ),
            ),
            _phase(
                "製造",
                _t("会員登録・ログイン機能", "dev", D(2026, 6, 1), 20, 120, 126, done_on=D(2026, 6, 26)),
                _t("商品検索・一覧画面", "dev", D(2026, 6, 29), 25, 160, 150, done_on=D(2026, 8, 3)),
                _t("カート・注文機能", "dev", D(2026, 7, 13), 30, 200, 214, done_on=D(2026, 8, 26)),
                _t(
                    "決済API連携",
                    "pm",
                    D(2026, 8, 3),
                    30,
                    160,
                    196,
                    done_on=D(2026, 9, 18),
                    milestone="製造完了",
                    visibility=PARTNERS,
                ),
                visibility=PARTNERS,
            ),
            _phase(
                "テスト",
                _t("結合テスト", "dev", D(2026, 9, 24), 20, 120, 128, done_on=D(2026, 10, 23)),
                _t("総合テスト（注文から配送手配までの通し確認）", "pm", D(2026, 10, 26), 20, 120, 96, 80),
                _t(
                    "負荷試験（決済API・同時1,000注文）",
                    "dev",
                    D(2026, 11, 2),
                    10,
                    64,
                    70,
                    60,
                    milestone="総合テスト・負荷試験完了",
                    visibility=PARTNERS,
                ),
                _t("セキュリティ診断", "manager", D(2026, 11, 9), 8, 40, 40, done_on=D(2026, 11, 19)),
                _t("受入テスト支援", "pm", D(2026, 11, 30), 10, 48, milestone="受入テスト完了"),
                _t(
                    "負荷試験の遅延原因の分析", "manager", D(2026, 11, 16), 8, 32, 20, 50, visibility=INTERNAL
                ),
                visibility=PARTNERS,
            ),
            _phase(
                "公開準備",
                _t("本番環境構築（クラウド）", "dev", D(2026, 11, 16), 10, 64, 30, 40, visibility=PARTNERS),
                _t("会員・商品データ移行", "dev", D(2026, 12, 1), 10, 64),
                _t("本番公開・切替", "pm", D(2026, 12, 15), 5, 24, milestone="本番公開"),
                visibility=PARTNERS,
            ),
        ],
    ),
}


REPORT_PROJECT = "YMD-2026-01"
REPORT_WEEK = date(2026, 11, 16)  # a Monday: the last completed week of the demo plan


def _load_report(project: Project, pm: User) -> int:
    """The PM's weekly report of REPORT_WEEK, drafted from the week's changes and published (1 if created)."""
    if timezone.localdate() < REPORT_WEEK:
        return 0
    if WeeklyReport.objects.filter(project=project, week_start=REPORT_WEEK).exists():
        return 0
    report = report_services.report_create_draft(by=pm, project=project, week_start=REPORT_WEEK)
    edits = {}
    if report.status != WeeklyReport.Rag.GREEN and not report.status_reason.strip():
        edits["status_reason"] = "基本設計の工数超過により、製造工程の一部で着手が数日遅れています。"
    if report.done.strip() in ("", "・特になし"):
        # The demo's progress is loaded in one go today, so the generator finds no shared change dated in
        # REPORT_WEEK (the one task finished then is vendor-only); the PM writes what the week brought, as a
        # real PM edits the draft.
        edits["done"] = (
            "・工程進捗画面の製造：設備停止理由の入力欄を追加し、進捗は70%になりました。\n"
            "・MRP計算バッチの製造：部品展開の処理を実装し、進捗は55%になりました。"
        )
    if edits:
        report = report_services.report_update(by=pm, report=report, **edits)
    report_services.report_publish(by=pm, report=report)
    # The PM published it on the Friday of that week (loading the demo later must not make it late).
    published = min(timezone.now(), _tokyo(REPORT_WEEK + timedelta(days=4), 17))
    WeeklyReport.objects.filter(pk=report.pk).update(published_at=published, updated_at=published)
    return 1


# Earlier weeks' reports, for the punctuality the portfolio and the trust dashboard show: the manufacturer's
# PM publishes every Friday; the retailer's reports slipped this autumn (late, one missing) — part of the
# story of an account drifting to "one of them" (see shinrai/accounts/demo.py).
HISTORY_REPORTS = {
    "YMD-2026-01": {},
    "YMD-2026-02": {},
    "AOB-2026-01": {},
    "MDR-2026-01": {
        date(2026, 10, 5): "late",
        date(2026, 10, 19): "late",
        date(2026, 11, 2): "missing",
        date(2026, 11, 9): "late",
        date(2026, 11, 16): "late",
    },
}
HISTORY_REPORT_WEEKS = 16


def _load_report_history(project: Project, pm: User) -> int:
    """Published reports of the weeks before REPORT_WEEK (REPORT_WEEK too for projects other than
    REPORT_PROJECT), dated when they were published. Returns how many were created."""
    if timezone.localdate() < REPORT_WEEK:
        return 0
    created = 0
    states = HISTORY_REPORTS[project.code]
    first = 1 if project.code == REPORT_PROJECT else 0
    for weeks_back in range(first, HISTORY_REPORT_WEEKS + 1):
        week = REPORT_WEEK - timedelta(weeks=weeks_back)
        state = states.get(week, "on_time")
        if state == "missing" or (project.start_date and week + timedelta(days=6) < project.start_date):
            continue
        if WeeklyReport.objects.filter(project=project, week_start=week).exists():
            continue
        report = report_services.report_create_draft(by=pm, project=project, week_start=week)
        report = report_services.report_update(
            by=pm,
            report=report,
            status=WeeklyReport.Rag.GREEN,
            status_reason="",
            done="・計画どおり作業を進め、定例会で進捗と課題を報告しました。",
        )
        report_services.report_publish(by=pm, report=report)
        # Friday 17:00 of the week when on time; the following Tuesday morning when late.
        published = (
            _tokyo(week + timedelta(days=4), 17)
            if state == "on_time"
            else _tokyo(week + timedelta(days=8), 10)
        )
        WeeklyReport.objects.filter(pk=report.pk).update(published_at=published, updated_at=published)
        created += 1
    return created


def _finished_at(day: date) -> datetime:
    """6 p.m. in Tokyo on ``day``, never later than now (the services refuse the future)."""
    return min(datetime.combine(day, time(18, 0), tzinfo=TOKYO), timezone.now())


def _load_plan(project: Project, pm: User, vendor: dict[str, User]) -> tuple[int, int]:
    """Milestones and WBS of a demo project, through the services. Returns (milestones, tasks) created."""
    milestones_data, wbs = PLANS[project.code]
    today = timezone.localdate()
    milestones: dict[str, Milestone] = {}
    for data in milestones_data:
        milestone = progress_services.milestone_save(
            by=pm,
            project=project,
            name=data.name,
            baseline_date=data.baseline,
            deliverables=data.deliverables,
            criteria=data.criteria,
            visibility=data.visibility,
        )
        if data.forecast:
            progress_services.milestone_save(
                by=pm, project=project, milestone=milestone, forecast_date=data.forecast, reason=data.reason
            )
        if data.reached and data.reached <= today:
            progress_services.milestone_record_actual(by=pm, milestone=milestone, actual_date=data.reached)
        milestones[data.name] = milestone

    count = 0

    def add(data: DemoTask, parent: Task | None) -> None:
        nonlocal count
        fields = {}
        if data.start is not None:
            fields["planned_start"] = workdays.add_business_days(data.start, 0)
            fields["duration_days"] = data.days
        task = progress_services.task_save(
            by=pm,
            project=project,
            name=data.name,
            parent=parent,
            owner=vendor.get(data.owner),
            estimate_hours=Decimal(data.hours),
            milestone=milestones.get(data.milestone),
            visibility=data.visibility,
            **fields,
        )
        count += 1
        for child in data.children:
            add(child, task)
        if data.done_on is not None and data.done_on <= today:
            progress_services.task_update_progress(
                by=vendor.get(data.owner, pm),
                task=task,
                actual_hours=Decimal(str(data.actual)),
                status=Task.Status.DONE,
                at=_finished_at(data.done_on),
            )
        elif data.progress or data.actual:
            progress_services.task_update_progress(
                by=vendor.get(data.owner, pm),
                task=task,
                progress=data.progress,
                actual_hours=Decimal(str(data.actual)),
            )

    for phase in wbs:
        add(phase, None)
    return len(milestones), count


# --- Troubles, customer requests and change requests -------------------------------------------------------


def _ago(at: datetime, *, hours: float) -> datetime:
    """``at`` (a fixed time of the demo story), but never later than ``hours`` before now: the services refuse
    the future, and times derived from it (a disclosure a few hours later) must stay in the past too."""
    return min(at, timezone.now() - timedelta(hours=hours))


def _tokyo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO)


def _trouble(pm: User, project: Project, *, detected: datetime, disclosed_after: timedelta | None, **fields):
    trouble = trouble_services.trouble_create(by=pm, project=project, detected_at=detected, **fields)
    if disclosed_after is not None:
        trouble = trouble_services.trouble_disclose(
            by=pm, trouble=trouble, version=trouble.version, at=detected + disclosed_after
        )
    return trouble


def _options(pm: User, trouble: Trouble, options: list[dict]) -> Trouble:
    trouble = trouble_services.trouble_start_analysis(by=pm, trouble=trouble, version=trouble.version)
    for option in options:
        trouble_services.option_add(by=pm, trouble=trouble, **option)
    return trouble_services.trouble_propose(by=pm, trouble=trouble, version=trouble.version)


def _load_troubles_ymd(project: Project, users: dict[str, User]) -> int:
    """A closed incident with its post-mortem, an issue waiting for the sponsor, a vendor-only risk."""
    pm, dev, sponsor = users[_m("pm", V)], users[_m("dev", V)], users[_m("sponsor", Y)]
    # (a) An incident: the test environment's nightly batch overwrote the customer's test data. Found at
    # 9:30, told to the customer at 12:45 (3.25 hours; the target for "high" is 24 hours).
    detected = _ago(_tokyo(D(2026, 11, 4), 9, 30), hours=24 * 14)
    incident = _trouble(
        pm,
        project,
        detected=detected,
        disclosed_after=timedelta(hours=3, minutes=15),
        kind=Trouble.Kind.INCIDENT,
        title="テスト環境の生産計画データが夜間バッチで上書きされた",
        facts=(
            "11月4日 朝、山田製作所様が検証用に登録した生産計画データ（約300件）が、"
            "夜間のMRP計算バッチにより初期データで上書きされていることを確認しました。"
            "本番環境への影響はありません。"
        ),
        quality_impact="お客様の検証作業が1日止まりました。",
        cost_impact=Decimal(0),
        schedule_impact_days=1,
        severity=Trouble.Severity.HIGH,
        owner=pm,
    )
    incident = _options(
        pm,
        incident,
        [
            {
                "description": "前日のバックアップから復元し、バッチの対象をテスト用データに限定する",
                "pros": "半日で元に戻せる",
                "cons": "11月3日の夕方以降の入力は再登録が必要",
                "cost": Decimal(0),
                "time_days": 1,
                "schedule_effect_days": 0,
            },
            {
                "description": "お客様の入力履歴から当社がデータを再作成する",
                "pros": "お客様の再入力が不要",
                "cons": "3日かかり、その間検証が止まる",
                "cost": Decimal(0),
                "time_days": 3,
                "schedule_effect_days": 2,
            },
            {
                "description": "検証用の環境を別に用意し、バッチの環境と分ける",
                "pros": "再発の心配がなくなる",
                "cons": "環境の準備に1週間かかる",
                "cost": Decimal(300_000),
                "time_days": 5,
                "schedule_effect_days": 3,
            },
        ],
    )
    option_a = incident.options.order_by("position").first()
    trouble_services.trouble_decide(
        by=sponsor,
        trouble=incident,
        option=option_a,
        rationale="検証を早く再開したいため。再入力は当社の現場担当で対応します。",
    )
    for action, owner, due in (
        ("前日のバックアップからテスト環境のデータを復元する", dev, D(2026, 11, 5)),
        ("夜間バッチの対象をテスト用データに限定する設定に変更する", dev, D(2026, 11, 6)),
    ):
        follow_up = trouble_services.followup_add(
            by=pm, trouble=incident, action=action, owner=owner, due=due
        )
        trouble_services.followup_done(by=dev, follow_up=follow_up)
    incident.refresh_from_db()
    trouble_services.trouble_close(
        by=pm,
        trouble=incident,
        version=incident.version,
        root_cause="バッチの実行対象がテスト環境の設定ファイルで分けられておらず、手順書にも確認項目がなかった。",
        whys=[
            "なぜデータが上書きされたか：夜間バッチが検証用データも初期化の対象にしていた",
            "なぜ対象になっていたか：バッチの対象が環境ごとの設定で分かれていなかった",
            "なぜ分かれていなかったか：開発初期に一つの環境しかなく、その設定のまま使っていた",
            "なぜ見直されなかったか：お客様の検証開始時の確認手順に、バッチ設定の項目がなかった",
            "なぜ項目がなかったか：環境の利用開始チェックリストが整備されていなかった",
        ],
        what_worked="発見から3時間あまりでお客様にお知らせし、選択肢を示して当日中に方針を決められた。",
        preventions=[
            {"measure": "環境の利用開始チェックリストを作り、バッチ設定の確認を必須にする", "owner": pm},
            {"measure": "夜間バッチの実行前に対象データ件数を通知する仕組みを入れる", "owner": dev},
        ],
    )
    # (b) An issue disclosed to the customer: the core system's interface files arrive in Shift_JIS with
    # characters outside it; three options wait for the sponsor's choice.
    detected = _ago(_tokyo(D(2026, 11, 18), 14, 0), hours=24 * 4)
    issue = _trouble(
        pm,
        project,
        detected=detected,
        disclosed_after=timedelta(hours=20),
        kind=Trouble.Kind.ISSUE,
        title="基幹システムの連携ファイルで一部の品名が文字化けする",
        facts=(
            "基幹システムから受け取る品目マスタのうち、旧字体や丸数字を含む品名（約40件）が"
            "文字化けして取り込まれることを連携テストで確認しました。"
        ),
        quality_impact="該当品目の作業指示書で品名が正しく表示されません。",
        cost_impact=Decimal(400_000),
        schedule_impact_days=3,
        severity=Trouble.Severity.MEDIUM,
        owner=pm,
    )
    _options(
        pm,
        issue,
        [
            {
                "description": "取り込み時に文字を置き換える変換表を当社で作る",
                "pros": "基幹システム側の変更が不要",
                "cons": "新しい品名が増えるたびに変換表の更新が必要",
                "cost": Decimal(400_000),
                "time_days": 5,
                "schedule_effect_days": 3,
            },
            {
                "description": "基幹システムの出力をUTF-8に変更していただく",
                "pros": "根本的に解決する",
                "cons": "基幹システムの保守会社様への依頼が必要で、時期が読めない",
                "cost": Decimal(0),
                "time_days": 15,
                "schedule_effect_days": 10,
            },
            {
                "description": "該当する約40品目の品名をマスタ上で修正していただく",
                "pros": "費用がかからない",
                "cons": "現場で使い慣れた品名が変わる",
                "cost": Decimal(0),
                "time_days": 3,
                "schedule_effect_days": 0,
            },
        ],
    )
    # (c) A vendor-only risk, not disclosed yet.
    _trouble(
        pm,
        project,
        detected=_ago(_tokyo(D(2026, 11, 19), 11, 0), hours=24 * 3),
        disclosed_after=None,
        kind=Trouble.Kind.RISK,
        title="MRP計算バッチの担当者が12月に2週間不在になる",
        facts="MRP計算バッチの主担当が12月中旬に2週間の研修に参加する予定。代わりの担当者はまだ決まっていない。",
        probability=Trouble.Probability.MEDIUM,
        severity=Trouble.Severity.MEDIUM,
        schedule_impact_days=5,
        owner=users[_m("manager", V)],
    )
    return 3


def _load_troubles_mdr(project: Project, users: dict[str, User]) -> int:
    """One issue shared with the customer and the partner vendor, still being analysed."""
    pm = users[_m("pm", V)]
    detected = _ago(_tokyo(D(2026, 11, 10), 16, 0), hours=24 * 10)
    trouble = _trouble(
        pm,
        project,
        detected=detected,
        disclosed_after=None,
        kind=Trouble.Kind.ISSUE,
        title="負荷試験で決済APIの応答が2秒を超える",
        facts="同時1,000注文の負荷試験で、決済APIの応答時間が平均3.4秒となり、目標の2秒を超えました。",
        quality_impact="ピーク時に注文完了までの時間が延びるおそれがあります。",
        schedule_impact_days=3,
        severity=Trouble.Severity.HIGH,
        owner=pm,
    )
    trouble = trouble_services.trouble_disclose(
        by=pm, trouble=trouble, version=trouble.version, visibility=PARTNERS, at=detected + timedelta(hours=5)
    )
    trouble_services.trouble_start_analysis(by=pm, trouble=trouble, version=trouble.version)
    return 1


def _load_requests(project: Project, users: dict[str, User]) -> tuple[int, int]:
    """Two customer requests (one answered on time, one open) and two change requests (one approved by the
    sponsor, one waiting for the sponsor). Due dates are set from today so that the open one is due soon."""
    pm, sponsor, staff = users[_m("pm", V)], users[_m("sponsor", Y)], users[_m("staff", Y)]
    today = timezone.localdate()
    answered = ledger_services.request_create(
        by=sponsor,
        project=project,
        title="作業指示書の印刷レイアウト案を見せてほしい",
        body="現場リーダーに事前に見せたいので、A4横の案を1つお願いします。",
        due_at=_tokyo(today + timedelta(days=3), 17),
    )
    ledger_services.request_acknowledge(by=pm, request=answered)
    ledger_services.request_answer(
        by=pm,
        request=answered,
        answer="A4横のレイアウト案をお送りしました（作業指示書_レイアウト案_v1.pdf）。ご意見をお待ちしています。",
    )
    ledger_services.request_create(
        by=staff,
        project=project,
        title="設備停止理由の選択肢一覧を確認したい",
        body="工程進捗画面で選べる停止理由の一覧（案）を、現場で確認できる形でいただけますか。",
        due_at=_tokyo(today + timedelta(days=4), 17),
    )
    approved = ledger_services.change_create(
        by=pm,
        project=project,
        title="工程進捗画面に設備停止理由の入力を追加",
        description="工程進捗画面で、設備が止まったときの理由（段取り替え・故障・材料待ちなど）を選んで入力できるようにする。",
        reason="11月10日の定例で、停止理由を集計したいとのご要望をいただいたため。",
        cost_impact=1_200_000,
        schedule_impact_days=3,
        requested_by="山田 太一（山田製作所）",
    )
    approved = ledger_services.change_propose(by=pm, change=approved)
    ledger_services.change_decide(
        by=sponsor, change=approved, approve=True, note="集計は来期の改善活動に使うため、追加をお願いします。"
    )
    waiting = ledger_services.change_create(
        by=pm,
        project=project,
        title="出荷予定表のExcel出力を追加",
        description="出荷予定表を画面で見るだけでなく、Excel形式で出力できるようにする。",
        reason="物流担当の方から、運送会社への連絡に使いたいとのご要望をいただいたため。",
        cost_impact=600_000,
        schedule_impact_days=2,
        requested_by="中村 美咲（山田製作所）",
    )
    ledger_services.change_propose(by=pm, change=waiting)
    return 2, 2


TROUBLES = {"YMD-2026-01": _load_troubles_ymd, "MDR-2026-01": _load_troubles_mdr}
REQUESTS_PROJECT = "YMD-2026-01"

HISTORY_WEEKS = 6  # backdated progress snapshots: the Fridays of the last weeks before today


def _state_on(state: snapshots.TaskState, day: date, today: date) -> snapshots.TaskState:
    """A task as it stood at the end of ``day``, reconstructed from its state of ``today``.

    Finished by then: as it is now (complete, final hours). Otherwise its progress and actual hours grow in
    step with the business days from its planned start to its completion (or to today, if unfinished).
    """
    finished = timezone.localtime(state.completed_at).date() if state.completed_at else None
    if finished is not None and finished <= day:
        return state
    start = state.planned_start
    if start is None or day < start:
        share = Decimal(0)
    else:
        end = finished or today
        share = min(
            Decimal(1),
            Decimal(workdays.business_days_between(start, day))
            / max(1, workdays.business_days_between(start, end)),
        )
    progress = evm.round_half_up((Decimal(100) if finished else state.progress) * share, 0)
    return replace(
        state,
        progress=progress,
        actual_hours=evm.round_half_up(state.actual_hours * share, 1),
        status=Task.Status.IN_PROGRESS if progress else Task.Status.NOT_STARTED,
        completed_at=None,
    )


def _load_history(project: Project) -> None:
    """Progress snapshots of the last HISTORY_WEEKS Fridays, from the tasks' reconstructed past states.

    Today's snapshot is taken by the services when the demo's transaction commits.
    """
    today = timezone.localdate()
    states = snapshots.task_states(project)
    rows = []
    for day in evm.weekly_dates(today - timedelta(weeks=HISTORY_WEEKS), today - timedelta(days=1)):
        past = [_state_on(state, day, today) for state in states]
        rows += snapshots.rows_for(project, past, day, taken_at=_finished_at(day))
    ProgressSnapshot.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create whatever part of the demo is missing. Returns how many objects were created."""
    created = {
        "organizations": 0,
        "users": 0,
        "projects": 0,
        "milestones": 0,
        "tasks": 0,
        "reports": 0,
        "troubles": 0,
        "customer_requests": 0,
        "change_requests": 0,
    }
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
        has_plan = (
            Milestone.objects.filter(project=project).exists()
            or Task.objects.filter(project=project).exists()
        )
        if demo.code in PLANS and not has_plan:
            vendor = {email.split("@")[0]: users[email] for email in users if email.endswith(f"@{V}")}
            milestones, tasks = _load_plan(project, users[_m("pm", V)], vendor)
            created["milestones"] += milestones
            created["tasks"] += tasks
            _load_history(project)
        if demo.code == REPORT_PROJECT:
            created["reports"] += _load_report(project, users[_m("pm", V)])
        if demo.code in HISTORY_REPORTS:
            pm_email = next(email for email, role in demo.members if role == Role.VENDOR_PM)
            created["reports"] += _load_report_history(project, users[pm_email])
        if demo.code in TROUBLES and not Trouble.objects.filter(project=project).exists():
            created["troubles"] += TROUBLES[demo.code](project, users)
        has_requests = (
            CustomerRequest.objects.filter(project=project).exists()
            or ChangeRequest.objects.filter(project=project).exists()
        )
        if demo.code == REQUESTS_PROJECT and not has_requests:
            requests, changes = _load_requests(project, users)
            created["customer_requests"] += requests
            created["change_requests"] += changes
    # Imported here: core is the base the other apps build on (see core/views.py).
    from shinrai.accounts.demo import load_trust_demo

    created |= load_trust_demo(
        orgs=orgs,
        users=users,
        vendor_name=VENDOR,
        customer_names={"yamada": MANUFACTURER, "midori": RETAILER, "city": CITY},
    )
    from shinrai.flows.demo import load_flows_demo

    load_flows_demo()  # not counted in ``created``: its keys are pinned by tests/core/test_demo.py
    from shinrai.grayzone.demo import load_grayzone_demo

    load_grayzone_demo()  # not counted in ``created`` either
    from shinrai.partnership.demo import load_partnership_demo

    load_partnership_demo()  # not counted either
    return created
