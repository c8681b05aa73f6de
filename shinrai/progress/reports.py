"""Weekly reports without the database: the week's calendar, the generated draft and the plain-language check.

* ``week_bounds`` / ``publication_deadline`` / ``is_late``: a report week runs Monday 00:00 to the next Monday
  00:00 in Asia/Tokyo; it is due by the following Monday 12:00 (JST). Later, or not at all, is late.
* ``generate(week)``: the Done / Problem / Next Action text and a suggested RAG status with its reason, from
  a :class:`WeekData` of what really changed (gathered by ``report_selectors.week_data``). The text is report
  content, not UI: it is written in the PM's language from the phrase table below (Japanese or English), so
  that it does not depend on the state of the translation catalogue.
* ``check_plain(text, terms)``: jargon and abbreviations a non-technical customer may not know, used without
  an explanation, and vague wording (the requirements' verifiability checker).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
# Due by Monday noon after the week: the morning is enough to write up the week before the weekly meeting.
DEADLINE_TIME = time(12, 0)

# Suggested status: red for a slip of a working week or more or SPI < 0.9; amber for any slip or SPI < 0.95.
RED_SLIP_DAYS = 5
RED_SPI = Decimal("0.90")
AMBER_SPI = Decimal("0.95")


# --- The week --------------------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) in Asia/Tokyo, as aware datetimes."""
    start = datetime.combine(week_start, time.min, tzinfo=TOKYO)
    return start, start + timedelta(days=7)


def publication_deadline(week_start: date) -> datetime:
    """The report of a week is due by the following Monday 12:00 Asia/Tokyo."""
    return datetime.combine(week_start + timedelta(days=7), DEADLINE_TIME, tzinfo=TOKYO)


def is_late(week_start: date, published_at: datetime | None, now: datetime) -> bool:
    """Published after the deadline, or not published and the deadline has passed."""
    deadline = publication_deadline(week_start)
    if published_at is None:
        return now > deadline
    return published_at > deadline


def weeks_due(first_week: date, now: datetime) -> list[date]:
    """Mondays from ``first_week`` whose report is due by ``now`` (deadline passed), newest first."""
    weeks = []
    week = monday_of(first_week)
    while publication_deadline(week) < now:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks[::-1]


# --- The draft -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskDone:
    name: str
    completed_on: date


@dataclass(frozen=True)
class ProgressChange:
    name: str
    before: int
    after: int


@dataclass(frozen=True)
class FinishMoved:
    name: str
    before: date | None
    after: date | None


@dataclass(frozen=True)
class MilestoneReached:
    name: str
    on: date
    slip_days: int | None


@dataclass(frozen=True)
class Reforecast:
    name: str
    before: date | None
    after: date | None
    slip_days: int | None  # against the baseline, after the change
    reason: str


@dataclass(frozen=True)
class BaselineApproved:
    version: int
    requirements: int


@dataclass(frozen=True)
class TaskDue:
    name: str
    on: date
    progress: int = 0


@dataclass(frozen=True)
class MilestoneAhead:
    name: str
    expected: date | None
    slip_days: int | None
    overdue: bool = False


@dataclass(frozen=True)
class TroubleLine:
    """A trouble shared with the customer: still open at the week's end, or decided during the week."""

    title: str
    kind: str  # risk / issue / incident
    status: str = ""  # open / analysing / options_proposed / decided / follow_up
    option: str = ""  # the chosen option (decided troubles)


@dataclass(frozen=True)
class WeekData:
    """What changed in one week, and what is planned for the next, as the customer may see it."""

    week_start: date
    completed: list[TaskDone] = field(default_factory=list)
    progressed: list[ProgressChange] = field(default_factory=list)
    finish_moved: list[FinishMoved] = field(default_factory=list)
    reached: list[MilestoneReached] = field(default_factory=list)
    reforecasts: list[Reforecast] = field(default_factory=list)
    baselines: list[BaselineApproved] = field(default_factory=list)
    requirements_changed: list[str] = field(default_factory=list)  # refs, e.g. REQ-003
    overdue_tasks: list[TaskDue] = field(
        default_factory=list
    )  # planned to finish by the week's end, not done
    late_milestones: list[MilestoneAhead] = field(default_factory=list)  # open, expected late or overdue
    starting_next_week: list[TaskDue] = field(default_factory=list)
    finishing_next_week: list[TaskDue] = field(default_factory=list)
    next_milestone: MilestoneAhead | None = None
    spi: Decimal | None = None
    open_troubles: list[TroubleLine] = field(default_factory=list)
    decided_troubles: list[TroubleLine] = field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    done: str
    problem: str
    next_action: str
    status: str  # green / amber / red
    status_reason: str
    schedule_outlook: str


PHRASES = {
    "ja": {
        "none": "・特になし",
        "completed": "・「{name}」が完了しました（{date}）",
        "progressed": "・「{name}」の進捗: {before}% → {after}%",
        "reached": "・マイルストーン「{name}」を達成しました（{date}）",
        "reached_late": "・マイルストーン「{name}」を達成しました（{date}、計画より{days}営業日遅れ）",
        "baseline": "・要件（第{version}版、{count}件）をご承認いただきました",
        "requirements": "・要件を変更しました: {refs}",
        "reforecast": "・マイルストーン「{name}」の見込み日を {before} から {after} に変更しました",
        "slip_later": "（計画より{days}営業日遅れ）",
        "slip_earlier": "（計画より{days}営業日早い）",
        "slip_none": "（計画どおり）",
        "reason": "。理由: {reason}",
        "finish_moved": "・「{name}」の完了予定を {before} から {after} に変更しました",
        "overdue_task": "・「{name}」が完了予定日（{date}）を過ぎています（進捗 {progress}%）",
        "late_milestone": "・マイルストーン「{name}」は計画より{days}営業日遅れる見込みです（見込み {date}）",
        "overdue_milestone": "・マイルストーン「{name}」は見込み日（{date}）を過ぎ、未達成です",
        "behind": "・計画に対する進み具合（SPI）が {spi} です（1.0 が計画どおり）",
        "start": "・「{name}」を開始します（{date} 開始予定）",
        "finish": "・「{name}」を完了させます（{date} 完了予定）",
        "next_milestone": "・次のマイルストーン: 「{name}」（見込み {date}）",
        "undated": "未定",
        "reason_red_slip": "マイルストーン「{name}」が計画より{days}営業日遅れる見込みです。",
        "reason_overdue": "マイルストーン「{name}」が見込み日を過ぎ、未達成です。",
        "reason_slip": "マイルストーン「{name}」が計画より{days}営業日遅れる見込みです。",
        "reason_spi": "計画に対する進み具合（SPI）が {spi} です。",
        "outlook_on_plan": "すべてのマイルストーンが計画どおりの見込みです。",
        "outlook_late": "{count}件のマイルストーンが計画より遅れる見込みです。",
        "outlook_spi": "計画に対する進み具合（SPI）: {spi}",
        "trouble_open": "・{kind}「{title}」: {status}",
        "trouble_decided": "・{kind}「{title}」の対応方針が決まりました: {option}",
    },
    "en": {
        "none": "- Nothing to report",
        "completed": "- {name} was completed ({date})",
        "progressed": "- {name}: {before}% → {after}%",
        "reached": "- Milestone {name} was reached ({date})",
        "reached_late": "- Milestone {name} was reached ({date}, {days} business days later than planned)",
        "baseline": "- You approved the requirements (version {version}, {count} requirements)",
        "requirements": "- Requirements changed: {refs}",
        "reforecast": "- The expected date of milestone {name} moved from {before} to {after}",
        "slip_later": " ({days} business days later than planned)",
        "slip_earlier": " ({days} business days earlier than planned)",
        "slip_none": " (as planned)",
        "reason": ". Reason: {reason}",
        "finish_moved": "- The planned finish of {name} moved from {before} to {after}",
        "overdue_task": "- {name} is past its planned finish ({date}), {progress}% done",
        "late_milestone": "- Milestone {name} is expected {days} business days later than planned ({date})",
        "overdue_milestone": "- Milestone {name} is past its expected date ({date}) and not reached",
        "behind": "- Progress against the plan (SPI) is {spi} (1.0 means on plan)",
        "start": "- Start {name} (planned start {date})",
        "finish": "- Finish {name} (planned finish {date})",
        "next_milestone": "- Next milestone: {name} (expected {date})",
        "undated": "not fixed",
        "reason_red_slip": "Milestone {name} is expected {days} business days later than planned.",
        "reason_overdue": "Milestone {name} is past its expected date and not reached.",
        "reason_slip": "Milestone {name} is expected {days} business days later than planned.",
        "reason_spi": "Progress against the plan (SPI) is {spi}.",
        "outlook_on_plan": "Every milestone is expected on its planned date.",
        "outlook_late": "{count} milestone(s) expected later than planned.",
        "outlook_spi": "Progress against the plan (SPI): {spi}",
        "trouble_open": "- {kind}: {title} ({status})",
        "trouble_decided": "- {kind}: {title}: decided on {option}",
    },
}


# Trouble kinds and statuses in the report's language (report content, like PHRASES).
TROUBLE_WORDS = {
    "ja": {
        "risk": "リスク",
        "issue": "課題",
        "incident": "障害",
        "open": "状況を確認しています",
        "analysing": "原因と影響を調べています",
        "options_proposed": "対応案をお示ししています。ご判断をお願いします",
        "decided": "決まった方針で対応を始めます",
        "follow_up": "決まった方針で対応しています",
    },
    "en": {
        "risk": "Risk",
        "issue": "Issue",
        "incident": "Incident",
        "open": "being checked",
        "analysing": "cause and impact being analysed",
        "options_proposed": "options proposed, waiting for your decision",
        "decided": "starting on the decided course",
        "follow_up": "following up on the decided course",
    },
}


def _lang(language: str) -> str:
    return "ja" if language.startswith("ja") else "en"


def _day(value: date | None, words: dict) -> str:
    return f"{value.month}/{value.day}" if value else words["undated"]


def _lines(lines: list[str], words: dict) -> str:
    return "\n".join(lines) if lines else words["none"]


def suggest_status(week: WeekData, language: str = "ja") -> tuple[str, str]:
    """(status, reason): red for a slip of 5 business days or more (or overdue) or SPI < 0.9; amber for any
    slip or SPI < 0.95; else green with no reason."""
    words = PHRASES[_lang(language)]
    red, amber = [], []
    for milestone in week.late_milestones:
        days = milestone.slip_days or 0
        if milestone.overdue:
            red.append(words["reason_overdue"].format(name=milestone.name))
        elif days >= RED_SLIP_DAYS:
            red.append(words["reason_red_slip"].format(name=milestone.name, days=days))
        elif days > 0:
            amber.append(words["reason_slip"].format(name=milestone.name, days=days))
    if week.spi is not None and week.spi < AMBER_SPI:
        (red if week.spi < RED_SPI else amber).append(words["reason_spi"].format(spi=f"{week.spi:.2f}"))
    glue = "" if _lang(language) == "ja" else " "
    if red:
        return "red", glue.join(red + amber)
    if amber:
        return "amber", glue.join(amber)
    return "green", ""


def generate(week: WeekData, language: str = "ja") -> Draft:
    """The draft report of a week: bullet lines per section, a suggested status and a schedule outlook."""
    words = PHRASES[_lang(language)]

    def slip(days: int | None) -> str:
        if days is None:
            return ""
        if days > 0:
            return words["slip_later"].format(days=days)
        if days < 0:
            return words["slip_earlier"].format(days=-days)
        return words["slip_none"]

    done = [words["completed"].format(name=t.name, date=_day(t.completed_on, words)) for t in week.completed]
    done += [words["progressed"].format(name=p.name, before=p.before, after=p.after) for p in week.progressed]
    for m in week.reached:
        key = "reached_late" if (m.slip_days or 0) > 0 else "reached"
        done.append(words[key].format(name=m.name, date=_day(m.on, words), days=m.slip_days))
    done += [words["baseline"].format(version=b.version, count=b.requirements) for b in week.baselines]
    if week.requirements_changed:
        done.append(words["requirements"].format(refs=", ".join(week.requirements_changed)))

    problem = []
    for r in week.reforecasts:
        line = words["reforecast"].format(
            name=r.name, before=_day(r.before, words), after=_day(r.after, words)
        ) + slip(r.slip_days)
        problem.append(line + (words["reason"].format(reason=r.reason) if r.reason else ""))
    problem += [
        words["finish_moved"].format(name=f.name, before=_day(f.before, words), after=_day(f.after, words))
        for f in week.finish_moved
    ]
    reforecast_names = {r.name for r in week.reforecasts}
    for m in week.late_milestones:
        if m.name in reforecast_names:
            continue  # already said above, with the reason
        key = "overdue_milestone" if m.overdue else "late_milestone"
        problem.append(words[key].format(name=m.name, days=m.slip_days, date=_day(m.expected, words)))
    problem += [
        words["overdue_task"].format(name=t.name, date=_day(t.on, words), progress=t.progress)
        for t in week.overdue_tasks
    ]
    if week.spi is not None and week.spi < AMBER_SPI:
        problem.append(words["behind"].format(spi=f"{week.spi:.2f}"))
    trouble_words = TROUBLE_WORDS[_lang(language)]
    problem += [
        words["trouble_decided"].format(kind=trouble_words[t.kind], title=t.title, option=t.option)
        for t in week.decided_troubles
    ]
    problem += [
        words["trouble_open"].format(
            kind=trouble_words[t.kind], title=t.title, status=trouble_words[t.status]
        )
        for t in week.open_troubles
    ]

    next_action = [
        words["start"].format(name=t.name, date=_day(t.on, words)) for t in week.starting_next_week
    ]
    next_action += [
        words["finish"].format(name=t.name, date=_day(t.on, words)) for t in week.finishing_next_week
    ]
    if week.next_milestone is not None:
        m = week.next_milestone
        next_action.append(
            words["next_milestone"].format(name=m.name, date=_day(m.expected, words)) + slip(m.slip_days)
        )

    status, reason = suggest_status(week, language)
    outlook = [
        words["outlook_late"].format(count=len(week.late_milestones))
        if week.late_milestones
        else words["outlook_on_plan"]
    ]
    if week.spi is not None:
        outlook.append(words["outlook_spi"].format(spi=f"{week.spi:.2f}"))
    return Draft(
        done=_lines(done, words),
        problem=_lines(problem, words),
        next_action=_lines(next_action, words),
        status=status,
        status_reason=reason,
        schedule_outlook="\n".join(outlook),
    )


# --- Plain-language check --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    term: str
    plain_ja: str
    plain_en: str = ""


@dataclass(frozen=True)
class PlainFinding:
    """One place in a text a non-technical reader may stumble over."""

    start: int
    end: int
    text: str
    kind: str  # "jargon" (a glossary term), "abbreviation" (not in the glossary) or "vague"
    explanation: str  # the glossary's plain words, or the verifiability checker's message
    category: str = ""  # for "vague": the verifiability category


# The glossary a vendor starts with (seeded by migration 0003 and on a vendor's first report); they extend it.
DEFAULT_TERMS: list[Term] = [
    Term(
        "要件定義",
        "システムで実現することを、お客様と一緒に決めて文書にする作業",
        "agreeing in writing what the system must do",
    ),
    Term(
        "結合テスト",
        "別々に作った部分をつなげて、正しく連携するかを確かめる試験",
        "testing that separately built parts work together",
    ),
    Term(
        "UAT",
        "お客様ご自身が実際の業務に沿って行う受入テスト",
        "the customer's own acceptance test of the system",
    ),
    Term(
        "リリース",
        "完成したシステムや機能を使える状態にして公開すること",
        "making a finished system or feature available",
    ),
    Term(
        "デプロイ",
        "作ったプログラムをサーバーに配置して動かせる状態にすること",
        "installing the software on the servers",
    ),
    Term("本番環境", "実際の業務で使うシステム", "the system used for real work"),
    Term(
        "ステージング",
        "本番環境とほぼ同じ条件で最終確認をするための環境",
        "a copy of the live system for final checks",
    ),
    Term(
        "切り戻し",
        "問題が起きたときに、変更前の状態にシステムを戻すこと",
        "returning the system to its state before a change",
    ),
    Term(
        "バッチ",
        "夜間などにまとめて自動で行う処理",
        "work the system does automatically in bulk, e.g. at night",
    ),
    Term(
        "API",
        "システム同士がデータをやり取りするための接続口",
        "the connection through which systems exchange data",
    ),
    Term(
        "DB",
        "データを整理して保存しておく仕組み（データベース）",
        "where the system stores its data (database)",
    ),
    Term(
        "インフラ",
        "システムを動かすためのサーバーやネットワークなどの基盤",
        "servers and networks the system runs on",
    ),
    Term("工数", "作業に必要な人の手間（人数×時間）", "the amount of work, in person-hours"),
    Term("人日", "1人が1日で行う作業量を1とした作業量の単位", "work of one person for one day"),
    Term(
        "バッファ", "遅れに備えてあらかじめ確保した予備の期間や工数", "spare time kept in the plan for delays"
    ),
    Term(
        "クリティカルパス",
        "遅れるとプロジェクト全体の完了が遅れる一連の作業",
        "the chain of tasks that decides the end date",
    ),
    Term(
        "SPI",
        "計画に対して作業がどれだけ進んでいるかの指標（1.0で計画どおり）",
        "progress against the plan (1.0 = on plan)",
    ),
    Term(
        "CPI",
        "予定した費用に対して実際の費用がどうかの指標（1.0で予定どおり）",
        "cost against the budget (1.0 = on budget)",
    ),
    Term(
        "マイグレーション",
        "古いシステムから新しいシステムへデータなどを移すこと",
        "moving data from the old system to the new one",
    ),
    Term("ロールバック", "変更を取り消して元の状態に戻すこと", "undoing a change"),
    Term(
        "リファクタリング",
        "動きを変えずにプログラムの中身を整理して直しやすくすること",
        "tidying the code without changing what it does",
    ),
    Term("スプリント", "1〜2週間程度の区切られた開発期間", "a fixed development period of one or two weeks"),
    Term("チケット", "作業や問題を1件ずつ管理するための記録", "a record of one piece of work or one problem"),
    Term(
        "課題管理表",
        "未解決の問題と対応状況をまとめた一覧表",
        "the list of open problems and what is being done",
    ),
    Term(
        "WBS",
        "プロジェクトの作業を細かく分けて整理した一覧（作業分解図）",
        "the project's work broken down into tasks",
    ),
]

_OPEN = "(（"
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_ABBREVIATION = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,5}(?![A-Za-z0-9])")


def _explained(text: str, start: int, end: int) -> bool:
    """Followed by a parenthesised explanation — UAT（受入テスト）— or itself the parenthesised name of the
    plain words before it — 受入テスト（UAT）."""
    rest = text[end:].lstrip(" \u3000")
    if rest[:1] and rest[0] in _OPEN:
        return True
    return start > 1 and text[start - 1] in _OPEN


def _is_ascii(term: str) -> bool:
    return term.isascii()


def _term_matches(text: str, terms: list[Term]) -> list[tuple[int, int, Term]]:
    """Non-overlapping glossary matches, longest first at every position; ASCII terms only as whole words."""
    ordered = sorted(terms, key=lambda t: len(t.term), reverse=True)
    matches, i = [], 0
    while i < len(text):
        for term in ordered:
            word = term.term
            if not text.startswith(word, i):
                continue
            end = i + len(word)
            if _is_ascii(word) and (
                (i > 0 and _ASCII_WORD.match(text[i - 1]))
                or (end < len(text) and _ASCII_WORD.match(text[end]))
            ):
                continue
            matches.append((i, end, term))
            i = end
            break
        else:
            i += 1
    return matches


def check_plain(
    text: str, terms: list[Term], *, language: str = "ja", vague: bool = True
) -> list[PlainFinding]:
    """Words a non-technical customer may not know, used without an explanation, and vague wording.

    * A glossary term (longest match wins: 課題管理表 before 課題) is flagged once, at its first use, unless
      that use is explained in parentheses (either way round); later uses need no explanation again.
    * Any other ALL-CAPS word of 2–5 letters is an unexplained abbreviation, on the same terms.
    * Vague wording comes from the verifiability checker, line by line (each bullet is one statement).
    Findings are in text order.
    """
    findings: list[PlainFinding] = []
    seen: set[str] = set()
    covered: list[tuple[int, int]] = []
    for start, end, term in _term_matches(text, terms):
        covered.append((start, end))
        if term.term in seen:
            continue
        seen.add(term.term)
        if not _explained(text, start, end):
            plain = term.plain_ja if _lang(language) == "ja" or not term.plain_en else term.plain_en
            findings.append(PlainFinding(start, end, term.term, "jargon", plain))
    for match in _ABBREVIATION.finditer(text):
        start, end, word = match.start(), match.end(), match.group()
        if word in seen or any(s <= start < e for s, e in covered):
            continue
        seen.add(word)
        if not _explained(text, start, end):
            findings.append(PlainFinding(start, end, word, "abbreviation", ""))
    if vague:
        findings += _vague(text, language)
    return sorted(findings, key=lambda f: (f.start, f.end))


def _vague(text: str, language: str) -> list[PlainFinding]:
    from shinrai.requirements import verifiability

    found, offset = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            for finding in verifiability.check(line):
                message, _suggestion = finding.localized(language)
                found.append(
                    PlainFinding(
                        offset + finding.start,
                        offset + finding.end,
                        line[finding.start : finding.end],
                        "vague",
                        message,
                        finding.category,
                    )
                )
        offset += len(line)
    return found
