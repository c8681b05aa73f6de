"""The promise ledger: customer requests with due times, change requests with their cost, and the agreements,
decisions and sign-offs the vendor records, each step appended to the project's hash chain.

About 5 to 40 entries per project, more for older projects: a kick-off agreement, decisions and agreements
now and then, the requirements sign-off (when the baseline was approved) and the acceptance of a finished
project, customer requests (asked, acknowledged, answered, some closed; answered late or still overdue more
often on troubled projects) and change requests (proposed, then approved, rejected or withdrawn; recent ones
still wait for the sponsor; approved ones move the contract value). One project in twelve corrects an earlier
decision. Entry subjects and payloads are those of ``ledger.services`` for a Japanese user.

The chain: entries are numbered in time order and each entry's hash is computed by the ledger app's own
:func:`shinrai.ledger.chain.entry_hash` over the payload as it reads back from the database (a JSON round
trip, as the services store it), so ``shinrai verify-ledger`` passes on the seeded data.

Audit events written, shaped as the services write them: ``customer_request.create / acknowledge / answer /
close``, ``change_request.create / propose / approve / reject / withdraw`` and ``ledger.record``. Left in
``plan.shared`` for the notifications: ``customer_requests`` (all) and ``proposed_changes``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import translation
from django.utils.translation import gettext as _

from shinrai.ledger.chain import entry_hash, iso_utc
from shinrai.ledger.models import GENESIS_HASH, ChangeRequest, CustomerRequest, Entry

from .base import ProjectPlan, Seeder, at_tokyo

# (what is asked, details)
REQUESTS = (
    ("定例会議の議事録を送付してください", "先週の定例会議の議事録を、社内共有のため送ってください。"),
    ("テスト計画書の最新版を提出してください", "結合テストの範囲と日程が分かる版をお願いします。"),
    ("移行手順書のレビュー版を共有してください", "本番移行の手順と切り戻しの条件を確認したいです。"),
    (
        "画面イメージの修正案を提示してください",
        "入力画面の項目順について、現場の意見を反映した案をください。",
    ),
    ("障害報告書を提出してください", "先日のログイン障害の原因と再発防止策をまとめてください。"),
    ("見積の内訳を説明してください", "追加開発分の工数の内訳を、工程ごとに示してください。"),
    ("操作マニュアルの初版を送ってください", "利用部門への説明会で使うため、初版で構いません。"),
    ("来月の作業計画を共有してください", "当社側で対応が必要な作業と日程を知りたいです。"),
    ("性能試験の結果を報告してください", "応答時間の95パーセンタイルと、目標との差を教えてください。"),
    ("帳票のサンプルを出力してください", "月次集計表を実データに近い内容で3部出力してください。"),
    (
        "アクセス権限の一覧を提出してください",
        "監査部門への説明に使います。部署別の権限が分かる形でお願いします。",
    ),
    ("説明会の資料を準備してください", "利用部門向け説明会（約40名）の資料をお願いします。"),
)
ANSWERS = (
    "資料をお送りしました。ご確認ください。",
    "共有フォルダに格納しました。変更点は赤字で示しています。",
    "本日の打合せでご説明し、資料もお送りしました。",
    "修正版を作成しました。ご不明な点があればお知らせください。",
    "ご指摘の点を反映した版をお送りします。",
)
# (title, what changes, reason, lowest cost, highest cost in yen (negative: a reduction), schedule days)
CHANGES = (
    (
        "帳票を2種類追加",
        "月次の売上集計表と部門別の原価表を追加する。",
        "経営会議の報告様式が変わったため（お客様のご依頼）。",
        800_000,
        2_400_000,
        (5, 15),
    ),
    (
        "CSV一括登録機能の追加",
        "取引先マスタをCSVファイルで一括登録できるようにする。",
        "稼働後の手作業の登録が月200件を超える見込みのため。",
        1_200_000,
        3_000_000,
        (5, 20),
    ),
    (
        "承認段階の追加",
        "5万円以上の申請に部長承認を追加する。",
        "社内規程の改定への対応。",
        600_000,
        1_500_000,
        (3, 10),
    ),
    (
        "スマートフォン表示への対応",
        "照会画面をスマートフォンの画面幅でも使えるようにする。",
        "外出の多い営業担当者からの要望。",
        1_500_000,
        4_500_000,
        (10, 25),
    ),
    (
        "外部API認証方式の変更対応",
        "連携先APIの認証をOAuth 2.0に切り替える。",
        "連携先の仕様変更（外部要因）。",
        900_000,
        2_000_000,
        (5, 10),
    ),
    (
        "移行対象データの拡大",
        "過去5年分の履歴データも移行の対象に含める。",
        "監査対応で過去データの照会が必要になったため。",
        2_000_000,
        6_000_000,
        (10, 30),
    ),
    (
        "検索条件の削減",
        "利用頻度の低い検索条件6項目を削除する。",
        "予算内に収めるための範囲の見直し。",
        -900_000,
        -300_000,
        (-5, 0),
    ),
    (
        "同時利用者数の引き上げ",
        "性能要件の同時利用者数を300人から500人に引き上げる。",
        "利用部門の拡大が決まったため。",
        1_000_000,
        3_500_000,
        (5, 15),
    ),
)
DECISION_NOTES = {
    "approved": ("予算内で対応可能なため承認します。", "稼働日を守ることを条件に承認します。", ""),
    "rejected": ("今期の予算では対応できないため、次期に再検討します。", "運用で回避できるため見送ります。"),
}
# (kind, subject, details) recorded by the vendor during the project
RECORDS = (
    (
        "decision",
        "画面デザインは標準テンプレートを採用",
        "独自デザインは費用と期間の増加が大きいため、標準テンプレートを使う。",
    ),
    ("agreement", "定例会議を毎週火曜10時に変更", "参加者の都合により、定例会議の曜日と時刻を変更する。"),
    ("decision", "帳票はPDFを正本とする", "Excel出力は参考とし、保存と回覧はPDFで行う。"),
    (
        "agreement",
        "テストデータは本番データのマスキング版を使用",
        "個人情報は氏名・電話番号・住所を置き換える。",
    ),
    (
        "decision",
        "旧システムとの並行稼働期間を1か月とする",
        "月次締めを1回、新旧両方で確認してから旧システムを止める。",
    ),
    (
        "agreement",
        "問い合わせ窓口を情報システム部に一本化",
        "利用部門からの問い合わせは情報システム部経由で受ける。",
    ),
    ("decision", "移行リハーサルを2回実施", "1回目で手順を確認し、2回目で所要時間を計測する。"),
    (
        "agreement",
        "受入テストの観点と合否基準に合意",
        "受入テスト仕様書の観点一覧と合否基準をお客様と確認した。",
    ),
    ("decision", "リリース日を確定", "稼働判定会議の結果、予定どおりのリリースとする。"),
    (
        "agreement",
        "保守体制と連絡ルートに合意",
        "稼働後3か月は当社の要員2名が常駐し、その後はリモート対応とする。",
    ),
)
KICKOFF = (
    "agreement",
    "キックオフ：プロジェクト計画書と体制に合意",
    "スケジュール、体制、会議体（週次定例・月次報告）を確認した。",
)
REQUIREMENTS_SIGN_OFF = (
    "sign_off",
    "要件定義書 第1版の承認",
    "要件定義書（ベースライン1）をお客様に承認いただいた。",
)
ACCEPTANCE = ("sign_off", "納品物の検収完了", "検収書を受領した。瑕疵担保期間は検収日から1年。")
CORRECTION = "記録の訂正：日付の誤り"
# Answered after the due time / never answered (overdue), by project health.
LATE = {"good": 0.05, "shaky": 0.15, "troubled": 0.3}
FORGOTTEN = {"good": 0.01, "shaky": 0.04, "troubled": 0.1}


@dataclass
class Step:
    """One ledger entry to be: numbered and chained once all of the project's steps are known."""

    at: datetime
    kind: str
    subject: str
    payload: dict
    actor: int
    corrects: Step | None = None
    record: bool = False  # recorded through record_entry (writes the ledger.record audit event)
    entry: Entry | None = field(default=None, repr=False)


def _stored(payload: dict) -> dict:
    """The payload as it reads back from the database (as ``ledger.services`` normalises it)."""
    return json.loads(json.dumps(payload, default=str, ensure_ascii=False))


def _business_time(s: Seeder, rng, first: date, last: date, hours=(9, 18)) -> datetime:
    day = s.calendar.day(rng.randint(s.calendar.index(first), s.calendar.index(last)))
    return at_tokyo(day, rng.randint(*hours), rng.randint(0, 59))


def seed_ledger(s: Seeder, plan: ProjectPlan, *, names: dict[int, str]) -> None:
    plan.shared["customer_requests"], plan.shared["proposed_changes"] = [], []
    first, last = plan.start, min(s.today, plan.end)
    kickoff_at = at_tokyo(plan.start, 15)
    if kickoff_at > s.now:
        return  # not started yet: nothing agreed
    rng = s.rng("ledger", plan.index)
    weeks = max(0, (last - first).days) / 7
    sponsor = plan.sponsors[0]
    customers = plan.sponsors + plan.customer_members
    vendor_people = [plan.pm, *plan.vendor_members]
    steps: list[Step] = []

    def record(at: datetime, kind: str, subject: str, details: str, by: int) -> Step:
        payload = {"details": details, "agreed_with": f"{names.get(sponsor, '')} 様".strip()}
        step = Step(at, kind, subject, payload, by, record=True)
        steps.append(step)
        return step

    kind, subject, details = KICKOFF
    record(kickoff_at, kind, subject, details, plan.pm)
    decisions = []
    if weeks >= 2:
        count = min(len(RECORDS), max(1, round(weeks / 12 * rng.uniform(0.6, 1.4))))
        for kind, subject, details in rng.sample(RECORDS, count):
            at = _business_time(s, rng, first + timedelta(days=7), last, (10, 19))
            if at <= s.now:
                step = record(at, kind, subject, details, rng.choice(vendor_people))
                if kind == "decision":
                    decisions.append(step)
    _name, _kind, _first, req_last = plan.phases[0]
    requirements_end = s.calendar.day(req_last)
    if requirements_end < s.today and plan.kind != "starting":  # as seed.requirements approves baseline 1
        kind, subject, details = REQUIREMENTS_SIGN_OFF
        record(at_tokyo(requirements_end, 16, 30), kind, subject, details, plan.pm)
    if plan.kind == "finished" and at_tokyo(plan.end, 17) <= s.now:
        kind, subject, details = ACCEPTANCE
        record(at_tokyo(plan.end, 17), kind, subject, details, plan.pm)
    if decisions and rng.random() < 1 / 12:
        wrong = rng.choice(decisions)
        at = min(s.now, wrong.at + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 5)))
        step = record(at, "correction", CORRECTION, f"「{wrong.subject}」の決定日を訂正する。", wrong.actor)
        step.corrects = wrong

    if weeks >= 1 and customers:
        count = min(7, max(1, round(weeks / 12 * rng.uniform(0.5, 1.5))))
        for _ in range(count):
            _request(s, plan, rng, steps, first, last, customers)
        if plan.kind == "running":  # and what the customer asked in the last days, not answered yet
            recent = max(first, s.calendar.day(s.today_index - 5))
            for _ in range(rng.choices((0, 1, 2, 3), (20, 35, 30, 15))[0]):
                _request(s, plan, rng, steps, recent, last, customers, waiting=True)
    if weeks >= 6:
        count = min(3, round(weeks / 30 * rng.uniform(0.5, 1.5)))
        changes = [_change(s, plan, rng, first + timedelta(days=21), last, names) for _ in range(count)]
        if plan.kind == "running" and rng.random() < 0.6:  # one in the making: a draft or with the sponsor
            earliest = max(first + timedelta(days=21), s.today - timedelta(days=21))
            changes.append(_change(s, plan, rng, earliest, last, names, pending=True))
        _changes(s, plan, steps, changes)

    _chain(s, plan, steps)


# --- Customer requests ----------------------------------------------------------------------------------


def _request(s, plan, rng, steps, first, last, customers, waiting=False) -> None:
    """A request asked in [first, last] and how the vendor handled it so far (``waiting``: not answered)."""
    asked = _business_time(s, rng, first, last)
    if asked > s.now - timedelta(hours=1):
        return
    title, body = rng.choice(REQUESTS)
    asker = rng.choice(customers)
    due_day = s.calendar.day(s.calendar.index(asked.date()) + rng.randint(1, 7))
    due = at_tokyo(due_day, rng.choice((12, 17, 17, 18)))
    request = s.add(
        CustomerRequest(
            project_id=plan.id,
            title=title,
            body=body,
            due_at=due,
            requested_by_id=asker,
            created_at=asked,
            status=CustomerRequest.Status.OPEN,
        )
    )
    plan.shared["customer_requests"].append(request)
    common = {"object_type": "ledger.customerrequest", "object_id": request.pk, "project": plan.id}
    s.audit(at=asked, actor=asker, action="customer_request.create", after={"title": title}, **common)

    def step(at: datetime, name: str, subject: str, by: int, **extra) -> None:
        payload = {"request_id": request.pk, "step": name, "title": title, "due_at": iso_utc(due), **extra}
        steps.append(Step(at, "customer_request", subject, payload, by))

    with translation.override("ja"):
        step(asked, "asked", _("Request: %(t)s") % {"t": title}, asker)
        pm = plan.pm
        if rng.random() < 0.04 and not waiting:  # no longer needed: the vendor closes it unanswered
            closed = asked + timedelta(hours=rng.randint(2, 72))
            if closed <= s.now:
                request.status, request.closed_at = CustomerRequest.Status.CLOSED, closed
                s.audit(at=closed, actor=pm, action="customer_request.close", **common)
                step(closed, "closed", _("Request closed: %(t)s") % {"t": title}, pm)
                return
        acknowledged = asked + timedelta(minutes=rng.randint(20, 24 * 60))
        if (
            rng.random() < {"good": 0.9, "shaky": 0.8, "troubled": 0.65}[plan.health]
            and acknowledged <= s.now
        ):
            request.status = CustomerRequest.Status.ACKNOWLEDGED
            request.acknowledged_at, request.acknowledged_by_id = acknowledged, pm
            s.audit(at=acknowledged, actor=pm, action="customer_request.acknowledge", **common)
            step(acknowledged, "acknowledged", _("Request acknowledged: %(t)s") % {"t": title}, pm)
        start = request.acknowledged_at or asked
        if waiting or rng.random() < FORGOTTEN[plan.health]:
            answered = None  # slipped through: overdue until someone notices
        elif rng.random() < LATE[plan.health]:
            answered = due + timedelta(minutes=rng.randint(60, 3 * 24 * 60))
        else:
            # In business hours, mostly towards the due time; right away when acknowledged after it already.
            first_day, due_day = s.calendar.index(start.date()), s.calendar.index(due.date())
            day = s.calendar.day(rng.randint(first_day + (due_day - first_day) * 4 // 10, due_day))
            answered = min(due, at_tokyo(day, rng.randint(9, 18), rng.randint(0, 59)))
            if answered <= start:
                answered = start + timedelta(minutes=rng.randint(30, 180))
        if answered is None or answered > s.now:
            return  # still waiting for the answer
        answer = rng.choice(ANSWERS)
        request.status, request.answer = CustomerRequest.Status.ANSWERED, answer
        request.answered_at, request.answered_by_id = answered, pm
        if request.acknowledged_at is None:
            request.acknowledged_at, request.acknowledged_by_id = answered, pm
        s.audit(at=answered, actor=pm, action="customer_request.answer", **common)
        step(
            answered,
            "answered",
            _("Request answered: %(t)s") % {"t": title},
            pm,
            answer=answer,
            on_time=answered <= due,
        )
        closed = answered + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6))
        if closed <= s.now - timedelta(days=14) and rng.random() < 0.5:
            request.status, request.closed_at = CustomerRequest.Status.CLOSED, closed
            s.audit(at=closed, actor=pm, action="customer_request.close", **common)
            step(closed, "closed", _("Request closed: %(t)s") % {"t": title}, pm)


# --- Change requests ------------------------------------------------------------------------------------


def _change(s, plan, rng, earliest, last, names, pending=False) -> tuple[ChangeRequest, datetime | None]:
    """A change request written in [earliest, last] as it stands now (``pending``: not decided yet), and when
    it was withdrawn (if it was: withdrawing keeps no time on the row)."""
    title, description, reason, low, high, (fewest, most) = rng.choice(CHANGES)
    created = _business_time(s, rng, earliest, last)
    by_customer = rng.random() < 0.7
    asker = rng.choice(plan.sponsors + plan.customer_members) if by_customer else plan.pm
    change = ChangeRequest(
        project_id=plan.id,
        title=title,
        description=description,
        reason=reason,
        cost_impact=int(round(rng.uniform(low, high), -4)),
        schedule_impact_days=rng.randint(fewest, most),
        requested_by=names.get(asker, ""),
        created_by_id=plan.pm,
        created_at=created,
        status=ChangeRequest.Status.DRAFT,
    )
    proposed = at_tokyo(s.calendar.day(s.calendar.index(created.date()) + rng.randint(1, 5)), 11)
    if proposed <= s.now and created <= s.now:
        change.status, change.proposed_at = ChangeRequest.Status.PROPOSED, proposed
        decided = proposed + timedelta(days=rng.randint(2, 15), hours=rng.randint(1, 6))
        if decided <= s.now and not pending:
            roll = rng.random()
            if roll < 0.65:
                change.status = ChangeRequest.Status.APPROVED
            elif roll < 0.88:
                change.status = ChangeRequest.Status.REJECTED
            else:
                change.status = ChangeRequest.Status.WITHDRAWN
            if change.status == ChangeRequest.Status.WITHDRAWN:
                return change, decided
            change.decided_by_id, change.decided_at = plan.sponsors[0], decided
            change.decision_note = rng.choice(DECISION_NOTES[change.status])
    return change, None


def _change_payload(change: ChangeRequest, step: str, **extra) -> dict:
    """As ``ledger.services`` writes a change request's step into the ledger."""
    return {
        "change_request_id": change.pk,
        "step": step,
        "title": change.title,
        "description": change.description,
        "reason": change.reason,
        "cost_impact": change.cost_impact,
        "schedule_impact_days": change.schedule_impact_days,
        "requested_by": change.requested_by,
        **extra,
    }


def _changes(s, plan, steps, changes: list[tuple[ChangeRequest, datetime | None]]) -> None:
    value = plan.shared.get("contract_amount")
    approved = sorted(
        (c for c, _w in changes if c.status == ChangeRequest.Status.APPROVED), key=lambda c: c.decided_at
    )
    before = {}
    for change in approved:  # the contract value moves in the order the sponsor approved the changes
        before[id(change)] = value
        value = None if value is None else value + change.cost_impact
        change.value_after = value
    pm, S = plan.pm, ChangeRequest.Status
    for change, withdrawn_at in sorted(changes, key=lambda pair: pair[0].created_at):
        if change.created_at > s.now:
            continue
        s.add(change)
        common = {"object_type": "ledger.changerequest", "object_id": change.pk, "project": plan.id}
        s.audit(
            at=change.created_at,
            actor=pm,
            action="change_request.create",
            after={"title": change.title},
            **common,
        )
        if change.proposed_at is None:
            continue
        if change.status == S.PROPOSED:
            plan.shared["proposed_changes"].append(change)

        with translation.override("ja"):
            s.audit(at=change.proposed_at, actor=pm, action="change_request.propose", **common)
            subject = _("Change proposed: %(t)s") % {"t": change.title}
            steps.append(
                Step(change.proposed_at, "change_request", subject, _change_payload(change, "proposed"), pm)
            )
            if withdrawn_at is not None:
                s.audit(at=withdrawn_at, actor=pm, action="change_request.withdraw", **common)
                subject = _("Change withdrawn: %(t)s") % {"t": change.title}
                steps.append(
                    Step(withdrawn_at, "change_request", subject, _change_payload(change, "withdrawn"), pm)
                )
            elif change.status in (S.APPROVED, S.REJECTED):
                approve = change.status == S.APPROVED
                extra = {"note": change.decision_note}
                if approve:
                    extra |= {
                        "contract_value_before": before[id(change)],
                        "contract_value_after": change.value_after,
                    }
                sponsor = change.decided_by_id
                action = "change_request.approve" if approve else "change_request.reject"
                s.audit(at=change.decided_at, actor=sponsor, action=action, **common)
                subject = (_("Change approved: %(t)s") if approve else _("Change rejected: %(t)s")) % {
                    "t": change.title
                }
                step = _change_payload(change, "approved" if approve else "rejected", **extra)
                steps.append(Step(change.decided_at, "change_request", subject, step, sponsor))


# --- The chain ------------------------------------------------------------------------------------------


def _chain(s: Seeder, plan: ProjectPlan, steps: list[Step]) -> None:
    """Number the steps in time order and link them, hashing each entry with the ledger app's function."""
    prev = GENESIS_HASH
    for seq, step in enumerate(
        sorted(steps, key=lambda step: step.at), start=1
    ):  # stable: same-time order kept
        entry = Entry(
            project_id=plan.id,
            seq=seq,
            kind=step.kind,
            subject=step.subject[:300],
            payload=_stored(step.payload),
            actor_id=step.actor,
            created_at=step.at,
            refers_to_id=step.corrects.entry.pk if step.corrects else None,
            prev_hash=prev,
        )
        entry.pk = s.next_id(Entry)
        entry.hash = prev = entry_hash(entry)
        s.add(entry)
        step.entry = entry
        if step.record:
            s.audit(
                at=step.at,
                actor=step.actor,
                action="ledger.record",
                object_type="ledger.entry",
                object_id=entry.pk,
                project=plan.id,
                after={"seq": seq, "kind": step.kind},
            )
