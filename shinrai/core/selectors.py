"""Read queries of the core app. Each starts from what the user may see and has a fixed query count."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Case, Exists, Min, OuterRef, QuerySet, Subquery, When
from django.utils import timezone

from . import access
from .models import ApiToken, AuditEvent, Project, ProjectMember, User


def portfolio_projects(*, user: User) -> QuerySet[Project]:
    """The vendor workspace's project list: every visible project with its customer."""
    return access.projects_visible_to(user).select_related("customer_org", "vendor_org").order_by("code")


# --- The vendor's portfolio: report punctuality -----------------------------------------------------------

PUNCTUALITY_WEEKS = 8


@dataclass(frozen=True)
class PortfolioRow:
    """One project on the vendor's portfolio, with its weekly-report punctuality (a trust indicator).

    ``last_week_state``: "on_time", "late" (published after the deadline), "missing" (deadline passed, not
    published), "due" (not published, deadline not passed yet) or "" (the week is outside the project).
    """

    project: Project
    latest_report_id: int | None  # the newest week's latest published version
    latest_status: str | None  # green, amber, red
    latest_week: date | None
    last_week: date
    last_week_state: str
    due_weeks: int  # weeks whose report was due, of the last PUNCTUALITY_WEEKS
    on_time_weeks: int  # of those, published by the deadline

    @property
    def punctuality(self) -> int | None:
        """Percent of the due weeks published on time, half up; None when nothing was due yet."""
        if not self.due_weeks:
            return None
        return (self.on_time_weeks * 200 + self.due_weeks) // (self.due_weeks * 2)


def _last_week(now: datetime) -> date:
    """The Monday of the week before ``now``'s (Japan time): the week whose report is checked."""
    from shinrai.progress import reports

    today = timezone.localtime(now, reports.TOKYO).date()
    return reports.monday_of(today) - timedelta(days=7)


def _in_period(week: date, *, start_date: date | None, created_at: datetime, end_date: date | None) -> bool:
    """Whether a week belongs to the project: from its start date (or creation) to its end date."""
    from shinrai.progress import reports

    start = start_date or timezone.localtime(created_at, reports.TOKYO).date()
    return week >= reports.monday_of(start) and (end_date is None or week <= end_date)


def _last_week_state(week: date, *, in_period: bool, published: datetime | None, now: datetime) -> str:
    from shinrai.progress import reports

    if not in_period:
        return ""
    if published is not None:
        return "late" if reports.is_late(week, published, now) else "on_time"
    return "missing" if reports.is_late(week, None, now) else "due"


def portfolio_rows(
    *, user: User, now: datetime | None = None, project_ids: Collection[int] | None = None
) -> list[PortfolioRow]:
    """The portfolio with report punctuality: two queries, however many projects and reports.

    ``project_ids`` narrows it to some of the visible projects (one page of the portfolio).

    A week's report is due by the following Monday 12:00 JST (the rule of the vendor's report list).
    "Last week" is the week before the current one; the rate covers the last ``PUNCTUALITY_WEEKS`` weeks
    whose deadline has passed, within the project's period (its start date, or creation, to its end date).
    On time means the first version was published by the deadline: a later correction does not make it late.
    """
    # Imported here: core is the base the other apps build on and must not import them at module level.
    from shinrai.progress import reports
    from shinrai.progress.models import WeeklyReport

    now = now or timezone.now()
    last_week = _last_week(now)
    window_start = last_week - timedelta(days=7 * PUNCTUALITY_WEEKS)
    latest = WeeklyReport.objects.filter(project=OuterRef("pk"), state=WeeklyReport.State.PUBLISHED).order_by(
        "-week_start", "-version"
    )
    projects = portfolio_projects(user=user)
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    projects = list(
        projects.annotate(
            latest_report_id=Subquery(latest.values("pk")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_week=Subquery(latest.values("week_start")[:1]),
        )
    )
    first_published: dict[tuple[int, date], datetime] = {
        (row["project_id"], row["week_start"]): row["first"]
        for row in access.items_visible_to(
            user,
            WeeklyReport.objects.filter(
                project__in=[p.pk for p in projects],
                state=WeeklyReport.State.PUBLISHED,
                week_start__gte=window_start,
            ),
            visibility_field=None,
        )
        .values("project_id", "week_start")
        .annotate(first=Min("published_at"))
    }
    rows = []
    for project in projects:
        period = {
            "start_date": project.start_date,
            "created_at": project.created_at,
            "end_date": project.end_date,
        }
        start = project.start_date or timezone.localtime(project.created_at, reports.TOKYO).date()
        due = [
            week
            for week in reports.weeks_due(max(reports.monday_of(start), window_start), now)
            if _in_period(week, **period)
        ]
        due = due[:PUNCTUALITY_WEEKS]
        on_time = sum(
            1 for week in due if not reports.is_late(week, first_published.get((project.pk, week)), now)
        )
        state = _last_week_state(
            last_week,
            in_period=_in_period(last_week, **period),
            published=first_published.get((project.pk, last_week)),
            now=now,
        )
        rows.append(
            PortfolioRow(
                project=project,
                latest_report_id=project.latest_report_id,
                latest_status=project.latest_status,
                latest_week=project.latest_week,
                last_week=last_week,
                last_week_state=state,
                due_weeks=len(due),
                on_time_weeks=on_time,
            )
        )
    return rows


# 25 rows a page (Redmine's default too): at 50 the vendor manager's page measured ~28 ms on the large
# dataset, over the 25 ms target, most of it rendering the rows (bench/results/2026-11-24-pages-sqlite.md).
PORTFOLIO_PAGE_SIZE = 25


@dataclass(frozen=True)
class PortfolioPage:
    """One page of the portfolio, and the figures of the whole portfolio above it."""

    rows: list[PortfolioRow]
    page: Page  # of project ids, for the pager
    total: int  # every project the user can see
    overdue: int  # of those, the ones whose last week's report is late or missing
    last_week: date


def portfolio_page(
    *, user: User, page: str | int | None = 1, attention: bool = False, now: datetime | None = None
) -> PortfolioPage:
    """A page of ``PORTFOLIO_PAGE_SIZE`` projects in code order; three queries, however many projects.

    A light pass over every visible project (its period and whether last week's report came on time) gives
    the total, the overdue count and, with ``attention``, the projects to list: only those whose last
    week's report is late or missing. Only the page's projects get the full row (``portfolio_rows``).
    """
    from shinrai.progress import reports
    from shinrai.progress.models import WeeklyReport

    now = now or timezone.now()
    last_week = _last_week(now)
    deadline = reports.publication_deadline(last_week)
    # Late or missing (reports.is_late) ⇔ the week is in the project's period, its deadline has passed and no
    # version was published by then. Booleans, not dates: this pass reads every project the user can see.
    on_time = WeeklyReport.objects.filter(
        project=OuterRef("pk"),
        state=WeeklyReport.State.PUBLISHED,
        week_start=last_week,
        published_at__lte=deadline,
    )
    overdue_ids, ids = [], []
    for pk, start_date, end_date, created_at, reported in (
        portfolio_projects(user=user)
        .annotate(
            # The creation time is only needed without a start date (read as the start).
            created=Case(When(start_date__isnull=True, then="created_at")),
            reported=Exists(on_time),
        )
        .values_list("pk", "start_date", "end_date", "created", "reported")
    ):
        ids.append(pk)
        if (
            now > deadline
            and not reported
            and _in_period(last_week, start_date=start_date, created_at=created_at, end_date=end_date)
        ):
            overdue_ids.append(pk)
    paginator = Paginator(overdue_ids if attention else ids, PORTFOLIO_PAGE_SIZE)
    current = paginator.get_page(page)
    rows = portfolio_rows(user=user, now=now, project_ids=current.object_list) if current.object_list else []
    return PortfolioPage(
        rows=rows, page=current, total=len(ids), overdue=len(overdue_ids), last_week=last_week
    )


def portal_projects(*, user: User) -> QuerySet[Project]:
    """The customer portal's project list: no internal fields are loaded at all."""
    return (
        access.projects_visible_to(user)
        .select_related("customer_org", "vendor_org")
        .only(
            "id",
            "code",
            "name",
            "summary",
            "phase",
            "start_date",
            "end_date",
            "customer_org__name",
            "vendor_org__name",
        )
        .order_by("-start_date", "code")
    )


def project_members(*, project: Project) -> QuerySet[ProjectMember]:
    """Members of a project the caller already looked up through access control."""
    return (
        ProjectMember.objects.filter(project=project)
        .select_related("user__organization")
        .order_by("role", "user__display_name")
    )


def project_audit_events(*, project: Project) -> QuerySet[AuditEvent]:
    """Writes on a project, newest first, for vendor roles (callers check SEE_INTERNAL)."""
    return AuditEvent.objects.filter(project=project).select_related("actor").order_by("-at", "-id")


def project_recent_audit(*, project: Project, limit: int = 10) -> list[AuditEvent]:
    """The latest writes, as the project page lists them."""
    return list(project_audit_events(project=project)[:limit])


def user_api_tokens(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
