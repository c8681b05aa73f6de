"""Read queries for weekly reports. Every one starts from the access rule; none grows with the data.

Reports are shared with the customer and never with partner vendors: a partner viewer gets 404 on every report
page and endpoint, like for anything they may not see. Customers see published versions only; vendor roles
see drafts too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import PARTNER_ROLES, AuditEvent, Organization, Project, Role, User, Visibility
from shinrai.requirements.models import Requirement

from . import reports, selectors
from .models import PlainLanguageTerm, ReportComment, Task, WeeklyReport

# What a report may mention: items the customer can see (never vendor-only tasks or milestones).
SHARED = (Visibility.CUSTOMER, Visibility.PARTNERS)
WEEK_ACTIONS = (
    "task.progress",
    "task.update",
    "milestone.reforecast",
    "baseline.approve",
    "requirement.update",
)


def reports_project_for(user: User, pk, perm: Perm = Perm.VIEW) -> tuple[Project, Role]:
    """The project for a report page: like ``access.project_for``, and 404 for partner vendors."""
    project, role = access.project_for(user, pk, perm)
    if role in PARTNER_ROLES:
        raise Http404
    return project, role


def reports_for(*, user: User, project: Project) -> QuerySet[WeeklyReport]:
    """The project's reports the user may see: every version for vendor roles, published ones for customers,
    none for partner vendors. Annotated with ``ack_count``."""
    queryset = access.items_visible_to(
        user, WeeklyReport.objects.filter(project=project), visibility_field=None
    )
    kind = user.organization.kind if user.is_authenticated else None
    if kind == Organization.Kind.PARTNER:
        return queryset.none()
    if kind != Organization.Kind.VENDOR:
        queryset = queryset.filter(state=WeeklyReport.State.PUBLISHED)
    return queryset.annotate(ack_count=Count("acknowledgements")).select_related("published_by", "corrects")


def report_for(*, user: User, project: Project, pk) -> WeeklyReport:
    try:
        return reports_for(user=user, project=project).get(pk=pk)
    except (WeeklyReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def report_by_id(*, user: User, pk) -> WeeklyReport:
    """A report by id alone (the API), through the same rule; 404 when missing or not visible."""
    try:
        report = WeeklyReport.objects.select_related("project").get(pk=pk)
    except (WeeklyReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    reports_project_for(user, report.project_id)
    return report_for(user=user, project=report.project, pk=pk)


# --- The vendor's list: every week, with late and missing ones -------------------------------------------


@dataclass(frozen=True)
class WeekRow:
    week_start: date
    versions: list[WeeklyReport]  # newest first; empty when nothing was written
    late: bool

    @property
    def current(self) -> WeeklyReport | None:
        return self.versions[0] if self.versions else None

    @property
    def first_published_at(self) -> datetime | None:
        published = [r.published_at for r in self.versions if r.published_at]
        return min(published) if published else None

    @property
    def missing(self) -> bool:
        return self.late and self.first_published_at is None


LIST_DEFERRED = ("status_reason", "done", "problem", "next_action", "schedule_outlook", "cost_outlook")


def report_weeks(*, user: User, project: Project, now: datetime | None = None) -> list[WeekRow]:
    """Every week of the project, newest first: the report's versions and whether it was late or is missing.

    Weeks run from the project's start (its creation when it has no start date) to its end date; a week's
    report is late when it was not published by the next Monday 12:00 JST. Two queries.
    """
    now = now or timezone.now()
    by_week: dict[date, list[WeeklyReport]] = defaultdict(list)
    # The list shows dates, state, status and counts: the report texts and the corrected version stay unread.
    listed = (
        reports_for(user=user, project=project)
        .select_related(None)
        .select_related("published_by")
        .defer(*LIST_DEFERRED)
        .order_by("-week_start", "-version")
    )
    for report in listed:
        by_week[report.week_start].append(report)
    first = project.start_date or timezone.localtime(project.created_at, reports.TOKYO).date()
    due = reports.weeks_due(first, now)
    if project.end_date:
        due = [week for week in due if week <= project.end_date]
    weeks = sorted(set(due) | set(by_week), reverse=True)
    rows = []
    for week in weeks:
        versions = by_week.get(week, [])
        published = [r.published_at for r in versions if r.published_at]
        rows.append(
            WeekRow(
                week_start=week,
                versions=versions,
                late=reports.is_late(week, min(published) if published else None, now),
            )
        )
    return rows


def portal_reports(*, user: User, project: Project) -> list[WeeklyReport]:
    """Published reports, newest week first, each week once in its latest version."""
    latest: dict[date, WeeklyReport] = {}
    for report in reports_for(user=user, project=project).order_by("-week_start", "-version"):
        latest.setdefault(report.week_start, report)
    return list(latest.values())


def report_versions(*, user: User, report: WeeklyReport) -> list[WeeklyReport]:
    """Every visible version of the report's week, newest first."""
    return list(
        reports_for(user=user, project=report.project)
        .filter(week_start=report.week_start)
        .order_by("-version")
    )


def report_thread(*, report: WeeklyReport) -> list[ReportComment]:
    """The customer's questions, oldest first, each with the vendor's answers prefetched (two queries)."""
    return list(
        ReportComment.objects.filter(report=report, parent=None)
        .select_related("author__organization")
        .prefetch_related(
            Prefetch("answers", queryset=ReportComment.objects.select_related("author__organization"))
        )
    )


def acknowledged_by(*, report: WeeklyReport) -> list:
    return list(report.acknowledgements.select_related("user"))


# --- The glossary ----------------------------------------------------------------------------------------


def plain_terms_for(*, vendor_org_id: int) -> list[reports.Term]:
    return [
        reports.Term(term, plain_ja, plain_en)
        for term, plain_ja, plain_en in PlainLanguageTerm.objects.filter(
            vendor_org_id=vendor_org_id
        ).values_list("term", "plain_ja", "plain_en")
    ]


def report_findings(*, report: WeeklyReport, language: str) -> dict[str, list[reports.PlainFinding]]:
    """The plain-language check of every text field of a report, with the vendor's glossary."""
    terms = plain_terms_for(vendor_org_id=report.project.vendor_org_id)
    return {
        name: findings
        for name in ("status_reason", "done", "problem", "next_action", "schedule_outlook", "cost_outlook")
        if (findings := reports.check_plain(getattr(report, name), terms, language=language))
    }


# --- What changed in a week ------------------------------------------------------------------------------


def _day(value) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def week_data(
    *, user: User, project: Project, week_start: date, today: date | None = None
) -> reports.WeekData:
    """What really changed in [week_start, week_start + 7 days) Asia/Tokyo, and what is planned next week.

    Only what the customer may see is gathered (vendor-only tasks, milestones and requirements are left out):
    the draft is written for the customer. Earned value (SPI) is the whole project's as ``user`` sees it, on
    the week's last day (or today, when the week is not over). Troubles disclosed to the customer and open at
    the week's end, or decided during it, go to the Problem section. Nine queries whatever the data.
    """
    start, end = reports.week_bounds(week_start)
    week_end_day = week_start + timedelta(days=6)
    status_date = min(week_end_day, today or timezone.localdate())
    rows = selectors.wbs_for(user=user, project=project)  # 3 queries
    summary = selectors.project_schedule_summary(  # 1 query
        user=user, project=project, rows=rows, today=status_date
    )
    shared_milestones = [s for s in summary.milestones if s.milestone.visibility in SHARED]
    milestone_names = {s.milestone.pk: s.milestone.name for s in shared_milestones}

    completed = list(
        Task.objects.filter(
            project=project, visibility__in=SHARED, completed_at__gte=start, completed_at__lt=end
        )
        .order_by("completed_at", "id")
        .values_list("id", "name", "completed_at")
    )
    completed_ids = {task_id for task_id, _n, _c in completed}
    events = list(
        AuditEvent.objects.filter(project=project, at__gte=start, at__lt=end, action__in=WEEK_ACTIONS)
        .order_by("at", "id")
        .values_list("action", "object_id", "before", "after")
    )
    task_ids = {int(oid) for action, oid, _b, _a in events if action.startswith("task.")}
    requirement_ids = {int(oid) for action, oid, _b, _a in events if action == "requirement.update"}
    task_names = dict(
        Task.objects.filter(pk__in=task_ids, project=project, visibility__in=SHARED).values_list("id", "name")
    )
    refs = {
        r.pk: r.ref
        for r in Requirement.objects.filter(pk__in=requirement_ids, project=project)
        .exclude(visibility=Visibility.INTERNAL)
        .only("id", "number")
    }

    progress: dict[int, list[int]] = {}  # task id -> [first before, last after]
    finish: dict[int, list] = {}
    reforecasts, baselines, changed_refs = [], [], set()
    for action, object_id, before, after in events:
        oid = int(object_id)
        if action.startswith("task.") and oid in task_names:
            if "progress" in after:
                progress.setdefault(oid, [before.get("progress", after["progress"]), None])[1] = after[
                    "progress"
                ]
            if action == "task.update" and "planned_finish" in after:
                finish.setdefault(oid, [_day(before.get("planned_finish")), None])[1] = _day(
                    after["planned_finish"]
                )
        elif action == "milestone.reforecast" and oid in milestone_names:
            reforecasts.append(
                reports.Reforecast(
                    name=milestone_names[oid],
                    before=_day(before.get("forecast_date")),
                    after=_day(after.get("forecast_date")),
                    slip_days=after.get("slip_business_days"),
                    reason=after.get("reason", ""),
                )
            )
        elif action == "baseline.approve":
            baselines.append(reports.BaselineApproved(after.get("version", 0), after.get("requirements", 0)))
        elif action == "requirement.update" and oid in refs:
            changed_refs.add(refs[oid])

    leaves = [
        r for r in rows if not r.is_summary and r.task.visibility in SHARED and r.status != Task.Status.DONE
    ]
    next_start, next_end = week_start + timedelta(days=7), week_start + timedelta(days=13)
    open_milestones = [s for s in shared_milestones if not s.milestone.is_achieved]
    from shinrai.troubles.selectors import week_troubles

    open_troubles, decided_troubles = week_troubles(project=project, start=start, end=end)  # 1 query
    return reports.WeekData(
        week_start=week_start,
        completed=[
            reports.TaskDone(name, timezone.localtime(at, reports.TOKYO).date()) for _i, name, at in completed
        ],
        progressed=[
            reports.ProgressChange(task_names[oid], first, last)
            for oid, (first, last) in progress.items()
            if oid not in completed_ids and first != last
        ],
        finish_moved=[
            reports.FinishMoved(task_names[oid], first, last)
            for oid, (first, last) in finish.items()
            if first != last
        ],
        reached=[
            reports.MilestoneReached(s.milestone.name, s.milestone.actual_date, s.slip_days)
            for s in shared_milestones
            if s.milestone.actual_date and week_start <= s.milestone.actual_date <= week_end_day
        ],
        reforecasts=reforecasts,
        baselines=baselines,
        requirements_changed=sorted(changed_refs),
        overdue_tasks=[
            reports.TaskDue(r.task.name, r.planned_finish, r.percent)
            for r in leaves
            if r.planned_finish and r.planned_finish <= week_end_day
        ],
        late_milestones=[
            reports.MilestoneAhead(s.milestone.name, s.expected_date, s.slip_days, s.is_overdue)
            for s in open_milestones
            if s.is_late
        ],
        starting_next_week=[
            reports.TaskDue(r.task.name, r.planned_start)
            for r in leaves
            if r.planned_start and next_start <= r.planned_start <= next_end
        ],
        finishing_next_week=[
            reports.TaskDue(r.task.name, r.planned_finish)
            for r in leaves
            if r.planned_finish and next_start <= r.planned_finish <= next_end
        ],
        next_milestone=(
            reports.MilestoneAhead(
                open_milestones[0].milestone.name,
                open_milestones[0].expected_date,
                open_milestones[0].slip_days,
            )
            if open_milestones
            else None
        ),
        spi=summary.spi,
        open_troubles=[reports.TroubleLine(t.title, t.kind, t.status) for t in open_troubles],
        decided_troubles=[
            reports.TroubleLine(
                t.title, t.kind, option=f"{t.decision.option.label}. {t.decision.option.description}"
            )
            for t in decided_troubles
        ],
    )
