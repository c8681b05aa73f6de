"""Milestones as an iCalendar feed, for a person's calendar program (see ``shinrai.core.calendar_feed``).

Each milestone the person may see becomes one all-day event on the day it happened (actual date), else the
day it is expected (forecast), else the day first promised (baseline); milestones with none of these are
left out. The event says, in the person's language, what was planned, what is expected, the slip in
business days (the same sentence as on the portal's roadmap) and the deliverables, and links to the roadmap.

Calendar programs recognise an event across fetches by its UID (``milestone-<id>@<host>``, stable), and see
that it changed by LAST-MODIFIED and DTSTAMP (the milestone's ``updated_at``: every service sets it), so a
moved forecast moves the event. The body is built with the ``icalendar`` library (escaping, line folding).

Besides milestones the feed carries two kinds of deadline, as timed events (in UTC; calendars show local
time):

* weekly report due dates, for the project's vendor PMs only: a week's report is due the next Monday 12:00
  Asia/Tokyo (``reports.publication_deadline``, the rule the portfolio's "late" uses), for the report weeks
  whose deadline falls this Monday or in the 7 Mondays after, within the project's period, for projects that
  are not closed. UID ``report-due-<project>-<week start YYYYMMDD>@<host>``; once the week's report is
  published the event stays and says so.
* customer request deadlines (``ledger.CustomerRequest.due_at``), for the customer's and the vendor's people
  on the project (never partner vendors), while the request is open (not answered, not closed).
  UID ``request-<id>@<host>``; answering or closing it removes the event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration
from icalendar.enums import CLASS, TRANSP

from shinrai.core import access
from shinrai.core.models import Organization, Project, Role, User, Visibility
from shinrai.ledger.models import CustomerRequest

from . import reports
from .models import Milestone, WeeklyReport
from .selectors import MilestoneStatus, milestone_statuses

PRODID = "-//Shinrai//Milestones//JA"
# How many weekly report deadlines ahead a PM's feed shows (this Monday's included).
REPORT_WEEKS_AHEAD = 8
# A hint to calendar programs on how often to fetch again (most apply their own minimum anyway).
REFRESH = timedelta(hours=1)

_FIELDS = (
    "id",
    "name",
    "deliverables",
    "baseline_date",
    "forecast_date",
    "actual_date",
    "visibility",
    "position",
    "created_at",
    "updated_at",
    "project__id",
    "project__code",
    "project__name",
)


def feed_milestones(*, user: User, project: Project | None = None) -> QuerySet[Milestone]:
    """The milestones of the person's feed, through ``access`` as on their pages. One query.

    With ``project`` (already looked up with ``access.project_for``): that project's milestones the person
    may see. Without: every project they may see, except closed ones. Milestones without any date are left
    out; internal fields of the project are never loaded.
    """
    queryset = Milestone.objects.filter(
        Q(actual_date__isnull=False) | Q(forecast_date__isnull=False) | Q(baseline_date__isnull=False)
    )
    if project is not None:
        queryset = queryset.filter(project=project)
    else:
        queryset = queryset.exclude(project__phase=Project.Phase.CLOSED)
    return (
        access.items_visible_to(user, queryset)
        .select_related("project")
        .only(*_FIELDS)
        .order_by("project__code", "position", "id")
    )


@dataclass(frozen=True)
class ReportDue:
    """One weekly report deadline of a project: the report on ``week_start``'s week is due at ``due``."""

    project: Project
    week_start: date
    due: datetime
    published_at: datetime | None  # first publication of that week's report, if any


def feed_report_deadlines(
    *, user: User, project: Project | None = None, now: datetime | None = None
) -> list[ReportDue]:
    """The weekly report deadlines of the person's feed: only projects where they are the vendor PM.

    No query for people outside the vendor; else one for the projects and, when there are any, one for the
    reports already published for those weeks.
    """
    if not access.is_vendor_user(user):
        return []
    now = now or timezone.now()
    today = timezone.localtime(now, reports.TOKYO).date()
    # The report due this Monday noon is last week's; the feed shows it and the next ones.
    first_week = reports.monday_of(today) - timedelta(days=7)
    weeks = [first_week + timedelta(days=7 * n) for n in range(REPORT_WEEKS_AHEAD)]
    projects = (
        access.projects_visible_to(user)
        .filter(members__user=user, members__role=Role.VENDOR_PM)
        .exclude(phase=Project.Phase.CLOSED)
        .only("id", "code", "name", "start_date", "end_date", "created_at")
        .order_by("code", "id")
    )
    if project is not None:
        projects = projects.filter(pk=project.pk)
    projects = list(projects)
    if not projects:
        return []
    published = {
        (row["project_id"], row["week_start"]): row["first"]
        for row in WeeklyReport.objects.filter(
            project__in=projects, state=WeeklyReport.State.PUBLISHED, week_start__in=weeks
        )
        .values("project_id", "week_start")
        .annotate(first=Min("published_at"))
    }
    deadlines = []
    for item in projects:
        start = item.start_date or timezone.localtime(item.created_at, reports.TOKYO).date()
        for week in weeks:
            # Within the project's period, as in the portfolio's punctuality.
            if week < reports.monday_of(start) or (item.end_date is not None and week > item.end_date):
                continue
            deadlines.append(
                ReportDue(
                    project=item,
                    week_start=week,
                    due=reports.publication_deadline(week),
                    published_at=published.get((item.pk, week)),
                )
            )
    return deadlines


def feed_requests(*, user: User, project: Project | None = None) -> QuerySet[CustomerRequest]:
    """The open customer requests of the person's feed (the customer's and the vendor's people). One query,
    none for partner vendors."""
    if user.organization.kind == Organization.Kind.PARTNER:
        return CustomerRequest.objects.none()
    queryset = CustomerRequest.objects.filter(
        status__in=[CustomerRequest.Status.OPEN, CustomerRequest.Status.ACKNOWLEDGED],
        answered_at__isnull=True,
    )
    if project is not None:
        queryset = queryset.filter(project=project)
    else:
        queryset = queryset.exclude(project__phase=Project.Phase.CLOSED)
    return (
        access.items_visible_to(user, queryset, visibility_field=None)
        .select_related("project", "requested_by")
        .only(
            "id",
            "title",
            "body",
            "due_at",
            "status",
            "created_at",
            "acknowledged_at",
            "project__id",
            "project__name",
            "requested_by__id",
            "requested_by__display_name",
        )
        .order_by("due_at", "id")
    )


def _day(value: date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _description(status: MilestoneStatus, link: str) -> str:
    milestone = status.milestone
    lines = [f"{_('Planned for')}: {_day(milestone.baseline_date)}"]
    if milestone.actual_date:
        lines.append(f"{_('Reached on')}: {_day(milestone.actual_date)}")
    else:
        lines.append(f"{_('Expected on')}: {_day(milestone.forecast_date or milestone.baseline_date)}")
    lines.append(status.outlook)
    if milestone.visibility == Visibility.INTERNAL:
        lines.append(_("Vendor only"))
    if milestone.deliverables:
        lines += ["", f"{_('Deliverables')}:", milestone.deliverables.strip()]
    lines += ["", link]
    return "\n".join(lines)


def _event(status: MilestoneStatus, *, host: str, link: str) -> Event:
    milestone = status.milestone
    day = milestone.actual_date or milestone.forecast_date or milestone.baseline_date
    return Event.new(
        uid=f"milestone-{milestone.pk}@{host}",
        summary=f"[{milestone.project.name}] {milestone.name}",
        start=day,
        end=day + timedelta(days=1),  # all-day: DTEND is the next day, exclusive
        # Without METHOD, DTSTAMP is when the event was last revised in the store (RFC 5545 §3.8.7.2).
        stamp=milestone.updated_at,
        last_modified=milestone.updated_at,
        created=milestone.created_at,
        description=_description(status, link),
        url=link,
        # A milestone is a date, not a meeting: it does not make anyone busy.
        transparency=TRANSP.TRANSPARENT,
        # Vendor-only milestones (only in vendor people's feeds) stay private if the calendar is shared.
        classification=CLASS.PRIVATE if milestone.visibility == Visibility.INTERNAL else CLASS.PUBLIC,
    )


def _report_event(deadline: ReportDue, *, host: str, link: str) -> Event:
    week_end = deadline.week_start + timedelta(days=6)
    lines = [
        _("Weekly report for %(start)s – %(end)s, due by Monday 12:00 (Japan time).")
        % {"start": _day(deadline.week_start), "end": _day(week_end)}
    ]
    if deadline.published_at:
        lines.append(_("Published."))
    lines += ["", link]
    # Computed, never edited: it was last revised when its report was published, else when its week began.
    revised = deadline.published_at or reports.week_bounds(deadline.week_start)[0]
    return Event.new(
        uid=f"report-due-{deadline.project.pk}-{deadline.week_start:%Y%m%d}@{host}",
        summary="[{}] {}".format(deadline.project.name, _("Weekly report due")),
        # A deadline is a moment: DTSTART without DTEND (RFC 5545 §3.6.1).
        start=deadline.due.astimezone(UTC),
        stamp=revised.astimezone(UTC),
        last_modified=revised.astimezone(UTC),
        description="\n".join(lines),
        url=link,
        transparency=TRANSP.TRANSPARENT,
        # Report deadlines are the vendor's own business.
        classification=CLASS.PRIVATE,
    )


def _request_event(item: CustomerRequest, *, host: str, link: str) -> Event:
    lines = [
        f"{_('Asked by')}: {item.requested_by.display_name}",
        f"{_('Status')}: {item.get_status_display()}",
    ]
    if item.body:
        lines += ["", item.body.strip()]
    lines += ["", link]
    revised = max(filter(None, [item.created_at, item.acknowledged_at]))
    return Event.new(
        uid=f"request-{item.pk}@{host}",
        summary="[{}] {}: {}".format(item.project.name, _("Request due"), item.title),
        start=item.due_at.astimezone(UTC),
        stamp=revised.astimezone(UTC),
        last_modified=revised.astimezone(UTC),
        created=item.created_at.astimezone(UTC),
        description="\n".join(lines),
        url=link,
        transparency=TRANSP.TRANSPARENT,
        classification=CLASS.PUBLIC,
    )


def milestones_ical(
    *,
    user: User,
    milestones: Iterable[Milestone],
    project: Project | None = None,
    today: date | None = None,
    report_deadlines: Iterable[ReportDue] = (),
    requests: Iterable[CustomerRequest] = (),
) -> bytes:
    """The iCalendar document of ``milestones`` (from ``feed_milestones``) for ``user``, in their language,
    with the weekly report deadlines (``feed_report_deadlines``) and open customer requests
    (``feed_requests``) given.

    Links go to the vendor's pages for vendor people and to the portal's for everyone else.
    No queries beyond evaluating ``requests``.
    """
    site = settings.SITE_URL.rstrip("/")
    host = urlsplit(site).hostname or "shinrai"
    roadmap = "progress:roadmap" if access.is_vendor_user(user) else "progress:portal_roadmap"
    today = today or timezone.localdate()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        if project is None:
            name = _("Shinrai milestones")
            uid = f"milestones-user-{user.pk}@{host}"
        else:
            name = _("%(project)s milestones") % {"project": project.name}
            uid = f"milestones-user-{user.pk}-project-{project.pk}@{host}"
        calendar = Calendar.new(prodid=PRODID, name=name, uid=uid, calscale="GREGORIAN")
        # RFC 7986 requires VALUE=DURATION on REFRESH-INTERVAL (icalendar's setter leaves it out); Outlook
        # reads the older X-PUBLISHED-TTL instead.
        calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
        urls: dict[int, str] = {}
        for status in milestone_statuses(list(milestones), today=today):
            project_id = status.milestone.project_id
            if project_id not in urls:
                urls[project_id] = site + reverse(roadmap, args=[project_id])
            link = f"{urls[project_id]}#milestone-{status.milestone.pk}"
            calendar.add_component(_event(status, host=host, link=link))
        for deadline in report_deadlines:
            link = site + reverse("reports:list", args=[deadline.project.pk])
            calendar.add_component(_report_event(deadline, host=host, link=link))
        requests_page = "ledger:requests" if access.is_vendor_user(user) else "ledger:portal"
        for item in requests:
            link = site + reverse(requests_page, args=[item.project_id])
            calendar.add_component(_request_event(item, host=host, link=link))
        return calendar.to_ical()
