"""Non-functional requirement templates a PM can pick and fill in.

Grouped like the six categories of the Japanese non-functional requirement grades (非機能要求グレード):
availability, performance/scalability, operability/maintainability, migration, security, system environment.
Each template is a measurable sentence with placeholders (〇〇, △) and the acceptance criteria that make it
verifiable. Plain data: no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CriterionTemplate:
    metric_ja: str
    metric_en: str
    operator: str
    threshold: str
    unit: str
    condition_ja: str
    condition_en: str
    method_ja: str
    method_en: str
    threshold_high: str = ""


@dataclass(frozen=True)
class NfrTemplate:
    code: str
    category: str
    title_ja: str
    title_en: str
    text_ja: str
    text_en: str
    criteria: tuple[CriterionTemplate, ...] = field(default=())

    def title(self, language: str) -> str:
        return self.title_ja if language.startswith("ja") else self.title_en

    def text(self, language: str) -> str:
        return self.text_ja if language.startswith("ja") else self.text_en

    def criteria_values(self, language: str) -> list[dict]:
        ja = language.startswith("ja")
        return [
            {
                "metric": c.metric_ja if ja else c.metric_en,
                "operator": c.operator,
                "threshold": c.threshold,
                "threshold_high": c.threshold_high,
                "unit": c.unit,
                "condition": c.condition_ja if ja else c.condition_en,
                "method": c.method_ja if ja else c.method_en,
            }
            for c in self.criteria
        ]


C = CriterionTemplate

TEMPLATES: tuple[NfrTemplate, ...] = (
    # 可用性 Availability
    NfrTemplate(
        "A.1.1",
        "availability",
        "稼働率",
        "Service availability",
        "〇〇サービスの月間稼働率は、計画停止を除き99.5%以上であること。",
        "The 〇〇 service is available at least 99.5% of each month, planned maintenance excluded.",
        (
            C(
                "月間稼働率",
                "monthly availability",
                "gte",
                "99.5",
                "%",
                "計画停止を除く",
                "planned maintenance excluded",
                "監視ツールの死活監視記録(1分間隔)",
                "uptime monitoring log (1-minute checks)",
            ),
        ),
    ),
    NfrTemplate(
        "A.1.2",
        "availability",
        "運用時間",
        "Service hours",
        "〇〇は平日△時から△時まで利用できること(日本の祝日を除く)。",
        "〇〇 is usable on weekdays from △ to △ (Japanese public holidays excluded).",
        (
            C(
                "サービス提供時間",
                "service hours",
                "eq",
                "9:00-18:00",
                "",
                "平日(祝日を除く)",
                "weekdays, public holidays excluded",
                "運用手順書と監視記録の確認",
                "operations manual and monitoring log",
            ),
        ),
    ),
    NfrTemplate(
        "A.4.1",
        "availability",
        "復旧目標 (RTO/RPO)",
        "Recovery objectives (RTO/RPO)",
        "障害発生時、〇〇は△時間以内に復旧し、失われるデータは直近△時間分以内であること。",
        "After a failure, 〇〇 is restored within △ hours, losing at most the last △ hours of data.",
        (
            C(
                "目標復旧時間 (RTO)",
                "recovery time objective (RTO)",
                "lte",
                "4",
                "時間",
                "サーバー1台の障害時",
                "one server fails",
                "復旧訓練での実測",
                "measured in a recovery drill",
            ),
            C(
                "目標復旧時点 (RPO)",
                "recovery point objective (RPO)",
                "lte",
                "24",
                "時間",
                "サーバー1台の障害時",
                "one server fails",
                "バックアップ取得間隔の確認と復元試験",
                "backup interval and restore test",
            ),
        ),
    ),
    # 性能・拡張性 Performance and scalability
    NfrTemplate(
        "B.2.1",
        "performance",
        "オンライン応答時間",
        "Online response time",
        "〇〇画面は、同時利用者△人のとき、95パーセンタイルで△秒以内に表示されること。",
        "The 〇〇 screen is shown within △ s at the 95th percentile with △ concurrent users.",
        (
            C(
                "画面表示時間 (95パーセンタイル)",
                "page response time (95th percentile)",
                "lte",
                "2",
                "秒",
                "同時利用者300人",
                "300 concurrent users",
                "負荷試験ツールによる計測",
                "measured with a load-testing tool",
            ),
        ),
    ),
    NfrTemplate(
        "B.2.2",
        "performance",
        "バッチ処理時間",
        "Batch processing time",
        "〇〇の夜間バッチは、△件のデータを△時までに処理を終えること。",
        "The nightly 〇〇 batch finishes processing △ records by △.",
        (
            C(
                "夜間バッチの処理時間",
                "nightly batch duration",
                "lte",
                "120",
                "分",
                "1日あたり10万件",
                "100,000 records a day",
                "本番相当データでの実行ログ",
                "run log on production-sized data",
            ),
        ),
    ),
    NfrTemplate(
        "B.1.1",
        "performance",
        "データ量の増加",
        "Data growth",
        "〇〇は、△年後に想定されるデータ量△件で、B.2.1の応答時間を満たすこと。",
        "〇〇 meets the B.2.1 response times with the △ records expected after △ years.",
        (
            C(
                "保持データ件数",
                "records held",
                "gte",
                "5000000",
                "件",
                "5年後の想定",
                "expected after 5 years",
                "試験データを投入した負荷試験",
                "load test with generated data",
            ),
        ),
    ),
    # 運用・保守性 Operability and maintainability
    NfrTemplate(
        "C.1.1",
        "operability",
        "バックアップ",
        "Backups",
        "〇〇のデータは毎日△時にバックアップし、△世代保管すること。",
        "〇〇 data is backed up every day at △ and △ generations are kept.",
        (
            C(
                "バックアップ保管世代数",
                "backup generations kept",
                "gte",
                "7",
                "世代",
                "日次バックアップ",
                "daily backup",
                "バックアップ一覧の確認",
                "backup listing",
            ),
        ),
    ),
    NfrTemplate(
        "C.2.1",
        "operability",
        "障害の通知",
        "Failure notification",
        "〇〇の停止を検知したら、△分以内に運用担当者へ通知すること。",
        "When 〇〇 stops, the operators are notified within △ minutes.",
        (
            C(
                "停止検知から通知までの時間",
                "time from outage to notification",
                "lte",
                "5",
                "分",
                "24時間365日",
                "at any time",
                "擬似障害による試験",
                "simulated outage test",
            ),
        ),
    ),
    NfrTemplate(
        "C.4.1",
        "operability",
        "問い合わせ対応",
        "Support response",
        "〇〇に関する問い合わせには、受付から△営業時間以内に一次回答すること。",
        "Questions about 〇〇 get a first answer within △ business hours.",
        (
            C(
                "一次回答までの時間",
                "time to first answer",
                "lte",
                "4",
                "営業時間",
                "平日9時〜18時(祝日を除く)",
                "weekdays 9:00-18:00, holidays excluded",
                "問い合わせ管理台帳の記録",
                "support ticket log",
            ),
        ),
    ),
    # 移行性 Migration
    NfrTemplate(
        "D.1.1",
        "migration",
        "移行時のシステム停止",
        "Cut-over downtime",
        "現行システムから〇〇への切替えによる業務停止は△時間以内であること。",
        "Switching from the current system to 〇〇 stops the business for at most △ hours.",
        (
            C(
                "切替えによる業務停止時間",
                "business downtime at cut-over",
                "lte",
                "8",
                "時間",
                "本番切替え当日",
                "on cut-over day",
                "リハーサルでの実測",
                "measured in the cut-over rehearsal",
            ),
        ),
    ),
    NfrTemplate(
        "D.2.1",
        "migration",
        "データ移行",
        "Data migration",
        "現行システムの〇〇データ△件を移行し、件数と金額の合計が一致すること。",
        "The △ 〇〇 records of the current system are migrated; counts and amount totals match.",
        (
            C(
                "移行後の件数差異",
                "record count difference after migration",
                "eq",
                "0",
                "件",
                "全移行対象データ",
                "all data in scope",
                "移行元と移行先の件数・合計金額の照合",
                "count and total reconciliation",
            ),
        ),
    ),
    # セキュリティ Security
    NfrTemplate(
        "E.5.1",
        "security",
        "認証",
        "Authentication",
        "〇〇へのログインには、10文字以上のパスワードと多要素認証を必須とすること。",
        "Logging in to 〇〇 requires a password of at least 10 characters and multi-factor authentication.",
        (
            C(
                "パスワードの最小文字数",
                "minimum password length",
                "gte",
                "10",
                "文字",
                "全利用者",
                "all users",
                "設定値の確認とログイン試験",
                "configuration review and login test",
            ),
        ),
    ),
    NfrTemplate(
        "E.7.1",
        "security",
        "操作ログの保管",
        "Audit log retention",
        "〇〇の操作ログは△年間保管し、改ざんを検知できること。",
        "〇〇 audit logs are kept for △ years and tampering is detectable.",
        (
            C(
                "操作ログ保管期間",
                "audit log retention",
                "gte",
                "1",
                "年",
                "全操作",
                "all operations",
                "ログ保管設定と改ざん検知試験",
                "retention settings and tamper-detection test",
            ),
        ),
    ),
    NfrTemplate(
        "E.4.1",
        "security",
        "脆弱性診断",
        "Vulnerability assessment",
        "本番公開前に第三者による脆弱性診断を行い、重大度「高」以上の指摘が0件であること。",
        "Before go-live a third party tests for vulnerabilities and no 'high' or worse finding remains.",
        (
            C(
                "重大度「高」以上の未対応指摘",
                "open findings of severity high or above",
                "eq",
                "0",
                "件",
                "本番公開前",
                "before go-live",
                "第三者診断報告書",
                "third-party assessment report",
            ),
        ),
    ),
    # システム環境・エコロジー System environment
    NfrTemplate(
        "F.1.1",
        "environment",
        "対応ブラウザ",
        "Supported browsers",
        "〇〇は、Microsoft Edge、Google Chrome、Safari の最新版と1つ前の版で利用できること。",
        "〇〇 works in the current and previous versions of Microsoft Edge, Google Chrome and Safari.",
        (
            C(
                "主要業務シナリオの成功率",
                "success rate of the main scenarios",
                "eq",
                "100",
                "%",
                "対象ブラウザ6種",
                "the six browser versions",
                "ブラウザ別の受入試験",
                "acceptance test per browser",
            ),
        ),
    ),
    NfrTemplate(
        "F.2.1",
        "environment",
        "アクセシビリティ",
        "Accessibility",
        "〇〇の画面は JIS X 8341-3:2016 の適合レベルAAに準拠すること。",
        "〇〇 screens conform to JIS X 8341-3:2016 (WCAG 2.0) level AA.",
        (
            C(
                "適合レベルAAの未達項目",
                "unmet level AA criteria",
                "eq",
                "0",
                "項目",
                "全画面",
                "all screens",
                "試験実施(JIS X 8341-3 の試験方法)",
                "conformance test (JIS X 8341-3 method)",
            ),
        ),
    ),
)

CATEGORY_ORDER = ("availability", "performance", "operability", "migration", "security", "environment")


def by_code(code: str) -> NfrTemplate | None:
    return next((template for template in TEMPLATES if template.code == code), None)


def grouped() -> list[tuple[str, list[NfrTemplate]]]:
    return [(category, [t for t in TEMPLATES if t.category == category]) for category in CATEGORY_ORDER]
