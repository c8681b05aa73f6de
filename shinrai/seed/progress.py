"""Milestones, the WBS, weekly reports with acknowledgements and questions, and their audit events.

Everything is planned on business days (weekends and Japanese public holidays off) from the project's
phases, and judged against today: work planned before today is mostly done (some of it late), work around
today is in progress, later work has not started. Milestones slip now and then, with a reason, and the slip
is kept as baseline vs forecast like the services do.

Weekly reports: every week whose deadline (the next Monday 12:00) has passed has a report, published on
Friday evening or Monday morning — a few late, a few missing (more for a "sloppy" PM); the week not due yet
was published on Friday or has a draft (most running projects have one for the current week). The text is
written by the report generator itself (``progress.reports.generate``) from the week's completed and next
tasks, so it reads like the real drafts. Customers acknowledge most reports and ask a question now and
then; the vendor answers most questions.

Audit events written (what the pages read): ``task.create`` for every task; ``task.progress`` when a task was
finished and once for every task in progress (within the last two weeks: the current week's draft reads them);
milestone create / reforecast / achieve; report create / publish / correct / acknowledge / ask / answer.
Not written: the earlier progress updates of finished tasks (one event per task instead of one per week).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shinrai.progress import reports, workdays
from shinrai.progress.models import (
    Milestone,
    ReportAcknowledgement,
    ReportComment,
    Task,
    WeeklyReport,
)

from . import words
from .base import ProjectPlan, Seeder, at_tokyo, hours

SHARED = ("customer", "partners")
RAG_ODDS = {"good": (90, 9, 1), "shaky": (70, 25, 5), "troubled": (45, 40, 15)}


@dataclass
class Leaf:
    id: int
    name: str
    start: date
    finish: date
    status: str
    progress: int
    completed_at: datetime | None
    visibility: str


def _narrower(rng, parent: str) -> str:
    """A sub-task's visibility: never wider than its parent's (as the services insist)."""
    if parent == "internal":
        return "internal"
    if parent == "customer":
        return "internal" if rng.random() < 0.06 else "customer"
    return rng.choices(("partners", "customer", "internal"), (75, 20, 5))[0]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def seed_progress(s: Seeder, plan: ProjectPlan, *, emails: dict[int, str]) -> None:
    rng = s.rng("progress", plan.index)
    milestones = _milestones(s, plan, rng)
    plan.shared["milestones"] = milestones  # surveys are sent after reached milestones
    leaves = _wbs(s, plan, rng, milestones)
    _reports(s, plan, rng, leaves, milestones, emails)


# --- Milestones ------------------------------------------------------------------------------------------


@dataclass
class MilestoneInfo:
    id: int
    name: str
    baseline: date
    forecast: date
    actual: date | None
    visibility: str
    phase: str


def _milestones(s: Seeder, plan: ProjectPlan, rng) -> list[MilestoneInfo]:
    cal, today = s.calendar, s.today
    partner_phases = set()
    if plan.partner_viewers:
        candidates = [p[0] for p in plan.phases if p[1] in ("build", "test", "release")]
        partner_phases = set(rng.sample(candidates, min(len(candidates), rng.randint(1, 2))))
    plan.shared["partner_phases"] = partner_phases
    slip_odds = {"good": 0.15, "shaky": 0.3, "troubled": 0.5}[plan.health]
    rows = [(phase, *words.MILESTONE_NAMES[phase[0]]) for phase in plan.phases]
    build = next((i for i, (phase, *_rest) in enumerate(rows) if phase[1] == "build"), None)
    if build is not None and len(rows) < 8 and rng.random() < 0.15:
        rows.insert(
            build + 1,
            (
                rows[build][0],
                "社内品質レビュー（出荷判定）",
                "品質報告書（社内向け）",
                "重大な指摘がないこと",
            ),
        )
    result = []
    for position, ((phase, _kind, _first, last), name, deliverables, criteria) in enumerate(rows):
        internal = name.startswith("社内")
        visibility = "internal" if internal else ("partners" if phase in partner_phases else "customer")
        baseline = cal.day(last)
        forecast, actual, reason, reforecast_at = baseline, None, "", None
        if baseline < today:
            slip = rng.choice((0, 0, 0, 0, 0, 0, -1, 1, 2, 3, 5, 8)) if rng.random() < slip_odds * 2 else 0
            when = cal.day(last + slip)
            if plan.health == "troubled" and rng.random() < 0.15 and plan.kind == "running":
                pass  # overdue: the forecast date has passed and the milestone is not reached
            elif when <= today:
                actual = when
                forecast = when if slip else baseline
            else:
                forecast = when
            if forecast != baseline:
                reason = rng.choice(words.SLIP_REASONS)
                reforecast_at = at_tokyo(cal.day(last - rng.randint(3, 10)), 17, 30)
        elif rng.random() < slip_odds:
            forecast = cal.day(last + rng.randint(1, 12))
            reason = rng.choice(words.SLIP_REASONS)
            # Said during the last eight weeks (never in the future).
            reforecast_at = at_tokyo(cal.day(s.today_index - rng.randint(1, 40)), 17, 30)
        created = plan.created_at + timedelta(minutes=30 + position)
        updated = max(created, reforecast_at or created)
        if actual:
            updated = max(updated, min(s.now, at_tokyo(actual, 18)))
        milestone = s.add(
            Milestone(
                project_id=plan.id,
                name=name,
                deliverables=deliverables,
                criteria=criteria,
                baseline_date=baseline,
                forecast_date=forecast,
                actual_date=actual,
                position=position,
                visibility=visibility,
                created_at=created,
                updated_at=updated,
            )
        )
        s.audit(
            at=created,
            actor=plan.pm,
            action="milestone.create",
            object_type="progress.milestone",
            object_id=milestone.pk,
            project=plan.id,
            after={
                "name": name,
                "baseline_date": baseline,
                "forecast_date": baseline,
                "visibility": visibility,
            },
        )
        if reforecast_at is not None:
            reforecast_at = max(created, min(s.now, reforecast_at))
            s.audit(
                at=reforecast_at,
                actor=plan.pm,
                action="milestone.reforecast",
                object_type="progress.milestone",
                object_id=milestone.pk,
                project=plan.id,
                before={"forecast_date": baseline},
                after={
                    "forecast_date": forecast,
                    "slip_business_days": workdays.business_days_between(baseline, forecast, inclusive=False),
                    "reason": reason,
                },
            )
        if actual:
            s.audit(
                at=max(created, min(s.now, at_tokyo(actual, 18))),
                actor=plan.pm,
                action="milestone.achieve",
                object_type="progress.milestone",
                object_id=milestone.pk,
                project=plan.id,
                before={"actual_date": None},
                after={"actual_date": actual},
            )
        result.append(MilestoneInfo(milestone.pk, name, baseline, forecast, actual, visibility, phase))
    return result


# --- WBS -------------------------------------------------------------------------------------------------


def _task_audit(s: Seeder, plan: ProjectPlan, task: Task, *, parent: str | None) -> None:
    s.audit(
        at=task.created_at,
        actor=plan.pm,
        action="task.create",
        object_type="progress.task",
        object_id=task.pk,
        project=plan.id,
        after={
            "name": task.name,
            "parent": parent,
            "planned_start": task.planned_start,
            "planned_finish": task.planned_finish,
            "estimate_hours": task.estimate_hours,
            "visibility": task.visibility,
            "position": task.position,
        },
    )


def _wbs(s: Seeder, plan: ProjectPlan, rng, milestones: list[MilestoneInfo]) -> list[Leaf]:
    """Phases → work packages → tasks (three levels), about ``tasks_per_project`` rows in all."""
    cal, now = s.calendar, s.now
    target = max(3, round(s.scale.tasks_per_project * rng.uniform(0.6, 1.4)))
    weights = {name: weight for (name, _k), weight in zip(words.PHASES, words.PHASE_WEIGHTS, strict=True)}
    total_weight = sum(weights[p[0]] for p in plan.phases)
    milestone_of = {m.phase: m.id for m in milestones if m.visibility != "internal"}
    requirement_ids = plan.shared.get("requirements", [])
    people = [plan.pm, *plan.vendor_members]
    leaves: list[Leaf] = []

    def created_for(first: int) -> datetime:
        # A phase is planned in detail about three weeks before it starts (never after now).
        return min(now, max(plan.created_at, at_tokyo(cal.day(first - 15), 10)))

    for phase_position, (phase, kind, first, last) in enumerate(plan.phases):
        visibility = "partners" if phase in plan.shared["partner_phases"] else "customer"
        created = created_for(first)
        phase_task = s.add(
            Task(
                project_id=plan.id,
                position=phase_position,
                name=phase,
                owner_id=plan.pm,
                planned_start=cal.day(first),
                planned_finish=cal.day(last),
                visibility=visibility,
                created_at=created,
                updated_at=created,
            )
        )
        _task_audit(s, plan, phase_task, parent=None)
        budget = target * weights[phase] / total_weight - 1
        package_count = max(1, min(6, round(budget / 7)))
        span = last - first + 1
        last_leaf: Task | None = None
        for package_position, package in enumerate(rng.sample(words.PACKAGES, package_count)):
            p_first = first + rng.randint(0, span // 4)
            p_last = max(p_first, last - rng.randint(0, span // 5))
            package_visibility = _narrower(rng, visibility) if rng.random() < 0.4 else visibility
            if visibility == "customer" and rng.random() < 0.05:
                package_visibility = "internal"
            package_task = s.add(
                Task(
                    project_id=plan.id,
                    parent_id=phase_task.pk,
                    position=package_position,
                    name=package,
                    owner_id=plan.pm,
                    planned_start=cal.day(p_first),
                    planned_finish=cal.day(p_last),
                    visibility=package_visibility,
                    created_at=created,
                    updated_at=created,
                )
            )
            _task_audit(s, plan, package_task, parent=phase)
            count = max(1, round(budget / package_count) - 1 + rng.randint(-1, 1))
            activities = words.ACTIVITIES[kind]
            if count <= len(activities):
                names = [activities[i] for i in sorted(rng.sample(range(len(activities)), count))]
            else:
                names = [
                    activities[i % len(activities)]
                    + ("" if i < len(activities) else f"（{i // len(activities) + 1}回目）")
                    for i in range(count)
                ]
            slot = (p_last - p_first + 1) / count
            for position, activity in enumerate(names):
                l_first = p_first + int(position * slot)
                l_last = min(p_last, l_first + max(1, round(slot * rng.uniform(0.8, 1.6))) - 1)
                leaf, task = _leaf(
                    s,
                    plan,
                    rng,
                    parent=package_task,
                    position=position,
                    name=f"{activity}（{package}）",
                    first=l_first,
                    last=l_last,
                    owner=rng.choice(people),
                    visibility=_narrower(rng, package_visibility),
                    created=created,
                )
                leaves.append(leaf)
                last_leaf = task if task.visibility != "internal" else last_leaf
                if requirement_ids and kind in ("design", "build") and rng.random() < 0.25:
                    s.add(
                        Task.requirements.through(task_id=task.pk, requirement_id=rng.choice(requirement_ids))
                    )
        if last_leaf is not None and phase in milestone_of:
            last_leaf.milestone_id = milestone_of[phase]
    return leaves


def _leaf(s: Seeder, plan, rng, *, parent, position, name, first, last, owner, visibility, created):
    """One task without sub-tasks, with its state as of today and its progress audit event."""
    cal, today, now = s.calendar, s.today, s.now
    start, finish = cal.day(first), cal.day(last)
    business_days = last - first + 1
    estimate = max(4, round(business_days * 8 * rng.uniform(0.35, 0.9) / 4) * 4)
    status, progress, completed_at, actual = Task.Status.NOT_STARTED, 0, None, 0.0
    event_at, before = None, 0
    if finish < today:
        if rng.random() < 0.92:
            done_day = cal.day(last + rng.choice((-2, -1, 0, 0, 0, 0, 1, 2, 3, 5)))
            done_day = max(start, min(done_day, today))
            completed_at = min(now, at_tokyo(done_day, rng.randint(16, 19), rng.randint(0, 59)))
            status, progress = Task.Status.DONE, 100
            actual = estimate * rng.uniform(0.85, 1.35)
            event_at, before = completed_at, rng.choice((50, 60, 70, 80, 90))
        else:  # late: past its planned finish, not done
            status, progress = Task.Status.IN_PROGRESS, rng.randint(8, 19) * 5
    elif start <= today:
        roll = rng.random()
        share = (s.today_index - first + 1) / business_days
        if roll < 0.08:
            pass  # not started although it should have: drawn "at risk"
        elif roll < 0.11:
            status, progress = Task.Status.ON_HOLD, rng.randint(2, 10) * 5
        else:
            status = Task.Status.IN_PROGRESS
            progress = max(5, min(95, round(share * rng.uniform(0.7, 1.2) * 20) * 5))
    if status != Task.Status.DONE and progress:
        actual = estimate * progress / 100 * rng.uniform(0.8, 1.4)
        since = max(first, s.today_index - 10)
        event_at = min(now, at_tokyo(cal.day(rng.randint(since, s.today_index)), rng.randint(9, 18)))
        event_at = max(event_at, created + timedelta(minutes=1))
        before = max(0, progress - rng.choice((5, 10, 10, 20)))
    task = s.add(
        Task(
            project_id=plan.id,
            parent_id=parent.pk,
            position=position,
            name=name,
            owner_id=owner,
            planned_start=start,
            planned_finish=finish,
            estimate_hours=hours(estimate),
            actual_hours=hours(actual),
            progress=progress,
            status=status,
            visibility=visibility,
            completed_at=completed_at,
            created_at=created,
            updated_at=max(created, event_at or created),
        )
    )
    _task_audit(s, plan, task, parent=parent.name)
    if event_at is not None:
        s.audit(
            at=max(created, event_at),
            actor=owner,
            action="task.progress",
            object_type="progress.task",
            object_id=task.pk,
            project=plan.id,
            before={"progress": before, "status": "in_progress" if before else "not_started"},
            after={"progress": progress, "status": status, "actual_hours": task.actual_hours}
            | ({"completed_at": completed_at} if completed_at else {}),
        )
    return Leaf(task.pk, name, start, finish, status, progress, completed_at, visibility), task


# --- Weekly reports --------------------------------------------------------------------------------------


def _reports(s: Seeder, plan, rng, leaves: list[Leaf], milestones: list[MilestoneInfo], emails) -> None:
    today, now = s.today, s.now
    if plan.start > today:
        return
    completed, starting, finishing, active = (defaultdict(list) for _ in range(4))
    for leaf in leaves:
        if leaf.visibility not in SHARED:
            continue  # reports are written for the customer
        if leaf.completed_at is not None:
            day = leaf.completed_at.astimezone(reports.TOKYO).date()
            completed[_monday(day)].append(reports.TaskDone(leaf.name, day))
        starting[_monday(leaf.start)].append(reports.TaskDue(leaf.name, leaf.start))
        finishing[_monday(leaf.finish)].append(reports.TaskDue(leaf.name, leaf.finish))
        week = _monday(leaf.start)
        while week <= leaf.finish and week <= today:
            active[week].append(leaf)
            week += timedelta(days=7)
    shared_milestones = [m for m in milestones if m.visibility in SHARED]
    customers = plan.sponsors + plan.customer_members
    late_odds = 0.25 if plan.sloppy else 0.05
    missing_odds = 0.08 if plan.sloppy else 0.02

    week = _monday(plan.start)
    last_week = min(_monday(plan.end), _monday(today))
    while week <= last_week:
        deadline = reports.publication_deadline(week)
        due = deadline < now
        publish_at: datetime | None = None
        if due:
            roll = rng.random()
            if roll < missing_odds:
                week += timedelta(days=7)
                continue
            if roll < missing_odds + late_odds:
                publish_at = at_tokyo(
                    week + timedelta(days=7 + rng.randint(0, 2)), rng.randint(13, 18), rng.randint(0, 59)
                )
            elif rng.random() < 0.6:
                publish_at = at_tokyo(week + timedelta(days=4), rng.randint(16, 19), rng.randint(0, 59))
            else:
                publish_at = at_tokyo(week + timedelta(days=7), rng.randint(8, 11), rng.randint(0, 59))
            if publish_at > now:
                week += timedelta(days=7)
                continue  # would be published later than now: not yet
        elif week + timedelta(days=4) <= today and rng.random() < 0.6:
            publish_at = at_tokyo(week + timedelta(days=4), rng.randint(16, 19), rng.randint(0, 59))
            publish_at = publish_at if publish_at <= now else None
        elif rng.random() >= 0.35 and plan.kind == "running":
            pass  # a draft for this week
        else:
            week += timedelta(days=7)
            continue
        _report(
            s,
            plan,
            rng,
            week,
            publish_at,
            completed,
            starting,
            finishing,
            active,
            shared_milestones,
            customers,
            emails,
        )
        week += timedelta(days=7)


def _week_data(week, completed, starting, finishing, active, milestones, rng) -> reports.WeekData:
    next_week = week + timedelta(days=7)
    week_end = week + timedelta(days=6)
    done = completed.get(week, [])
    done_names = {t.name for t in done}
    progressed = []
    for leaf in rng.sample(active.get(week, []), min(3, len(active.get(week, [])))):
        if leaf.name in done_names or leaf.status == Task.Status.NOT_STARTED:
            continue
        after = rng.randint(2, 18) * 5
        progressed.append(reports.ProgressChange(leaf.name, max(0, after - 20), after))
    upcoming = [
        m
        for m in milestones
        if (m.actual or m.forecast) > week_end and not (m.actual and m.actual <= week_end)
    ]
    reached = [
        reports.MilestoneReached(m.name, m.actual, None)
        for m in milestones
        if m.actual and week <= m.actual <= week_end
    ]
    return reports.WeekData(
        week_start=week,
        completed=done[:8],
        progressed=progressed,
        reached=reached,
        starting_next_week=starting.get(next_week, [])[:5],
        finishing_next_week=finishing.get(next_week, [])[:5],
        next_milestone=(
            reports.MilestoneAhead(upcoming[0].name, upcoming[0].forecast, None) if upcoming else None
        ),
    )


def _report(
    s, plan, rng, week, publish_at, completed, starting, finishing, active, milestones, customers, emails
):
    now = s.now
    draft = reports.generate(_week_data(week, completed, starting, finishing, active, milestones, rng), "ja")
    status = rng.choices(("green", "amber", "red"), RAG_ODDS[plan.health])[0]
    reason = rng.choice(words.STATUS_REASONS[status]) if status != "green" else ""
    problem = draft.problem if draft.problem != reports.PHRASES["ja"]["none"] else rng.choice(words.PROBLEMS)
    created = min(now, at_tokyo(week + timedelta(days=3), rng.randint(10, 17)))
    published = publish_at is not None
    report = s.add(
        WeeklyReport(
            project_id=plan.id,
            week_start=week,
            status=status,
            status_reason=reason,
            done=draft.done,
            problem=problem,
            next_action=draft.next_action,
            schedule_outlook=draft.schedule_outlook,
            state=WeeklyReport.State.PUBLISHED if published else WeeklyReport.State.DRAFT,
            version=1 if published else None,
            published_at=publish_at,
            published_by_id=plan.pm if published else None,
            created_by_id=plan.pm,
            created_at=min(created, publish_at or created),
            updated_at=publish_at or created,
        )
    )
    common = {"object_type": "progress.weeklyreport", "project": plan.id}
    s.audit(
        at=report.created_at,
        actor=plan.pm,
        action="report.create",
        object_id=report.pk,
        after={"week_start": week, "status": status},
        **common,
    )
    if not published:
        return
    s.audit(
        at=publish_at,
        actor=plan.pm,
        action="report.publish",
        object_id=report.pk,
        after={"week_start": week, "version": 1, "status": status},
        **common,
    )
    versions = [report]
    if rng.random() < 0.015:
        corrected_at = publish_at + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5))
        if corrected_at <= now:
            note = rng.choice(words.CORRECTION_NOTES)
            correction = s.add(
                WeeklyReport(
                    project_id=plan.id,
                    week_start=week,
                    status="green",
                    status_reason="",
                    done=report.done,
                    problem=report.problem,
                    next_action=report.next_action,
                    schedule_outlook=report.schedule_outlook,
                    state=WeeklyReport.State.PUBLISHED,
                    version=2,
                    corrects_id=report.pk,
                    correction_note=note,
                    published_at=corrected_at,
                    published_by_id=plan.pm,
                    created_by_id=plan.pm,
                    created_at=corrected_at,
                    updated_at=corrected_at,
                )
            )
            s.audit(
                at=corrected_at,
                actor=plan.pm,
                action="report.correct",
                object_id=correction.pk,
                before={"version": 1},
                after={"version": 2, "fields": "status", "note": note},
                **common,
            )
            versions.append(correction)
    # Published versions, for the notifications (:mod:`.notifications`): (id, week, version, published at).
    plan.shared.setdefault("published_reports", []).extend(
        (v.pk, v.week_start, v.version, v.published_at) for v in versions
    )
    for version in versions:
        for user in customers:
            odds = 0.85 if user in plan.sponsors else 0.35
            if rng.random() >= odds:
                continue
            at = version.published_at + timedelta(minutes=rng.randint(20, 60 * rng.choice((3, 24, 72))))
            if at > now:
                continue
            s.add(ReportAcknowledgement(report_id=version.pk, user_id=user, at=at))
            s.audit(
                at=at,
                actor=user,
                action="report.acknowledge",
                object_id=version.pk,
                after={"version": version.version, "user": emails[user]},
                **common,
            )
    if rng.random() < 0.05:
        asker = rng.choice(customers)
        asked = publish_at + timedelta(minutes=rng.randint(60, 48 * 60))
        if asked <= now:
            question = s.add(
                ReportComment(
                    report_id=report.pk, author_id=asker, body=rng.choice(words.QUESTIONS), created_at=asked
                )
            )
            s.audit(
                at=asked,
                actor=asker,
                action="report.ask",
                object_type="progress.reportcomment",
                object_id=question.pk,
                project=plan.id,
                after={"report": report.pk, "version": 1},
            )
            answered = asked + timedelta(minutes=rng.randint(30, 30 * 60))
            if rng.random() < 0.85 and answered <= now:
                answer = s.add(
                    ReportComment(
                        report_id=report.pk,
                        author_id=plan.pm,
                        body=rng.choice(words.ANSWERS),
                        parent_id=question.pk,
                        created_at=answered,
                    )
                )
                s.audit(
                    at=answered,
                    actor=plan.pm,
                    action="report.answer",
                    object_type="progress.reportcomment",
                    object_id=answer.pk,
                    project=plan.id,
                    after={"report": report.pk, "version": 1},
                )
