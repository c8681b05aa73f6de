"""Read queries of the core app. Each starts from what the user may see and has a fixed query count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Min, OuterRef, QuerySet, Subquery
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


def portfolio_rows(*, user: User, now: datetime | None = None) -> list[PortfolioRow]:
    """The portfolio with report punctuality: two queries, however many projects and reports.

    A week's report is due by the following Monday 12:00 JST (the rule of the vendor's report list).
    "Last week" is the week before the current one; the rate covers the last ``PUNCTUALITY_WEEKS`` weeks
    whose deadline has passed, within the project's period (its start date, or creation, to its end date).
    On time means the first version was published by the deadline: a later correction does not make it late.
    """
    # Imported here: core is the base the other apps build on and must not import them at module level.
    from shinrai.progress import reports
    from shinrai.progress.models import WeeklyReport

    now = now or timezone.now()
    today = timezone.localtime(now, reports.TOKYO).date()
    last_week = reports.monday_of(today) - timedelta(days=7)
    window_start = last_week - timedelta(days=7 * PUNCTUALITY_WEEKS)
    latest = WeeklyReport.objects.filter(project=OuterRef("pk"), state=WeeklyReport.State.PUBLISHED).order_by(
        "-week_start", "-version"
    )
    projects = list(
        portfolio_projects(user=user).annotate(
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
        start = project.start_date or timezone.localtime(project.created_at, reports.TOKYO).date()
        first_week = reports.monday_of(start)

        def in_period(week: date, project=project, first_week=first_week) -> bool:
            return week >= first_week and (project.end_date is None or week <= project.end_date)

        due = [week for week in reports.weeks_due(max(first_week, window_start), now) if in_period(week)]
        due = due[:PUNCTUALITY_WEEKS]
        on_time = sum(
            1 for week in due if not reports.is_late(week, first_published.get((project.pk, week)), now)
        )
        published = first_published.get((project.pk, last_week))
        if not in_period(last_week):
            state = ""
        elif published is not None:
            state = "late" if reports.is_late(last_week, published, now) else "on_time"
        else:
            state = "missing" if reports.is_late(last_week, None, now) else "due"
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
