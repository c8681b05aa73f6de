"""Milestones as an iCalendar feed, for a person's calendar program (see ``shinrai.core.calendar_feed``).

Each milestone the person may see becomes one all-day event on the day it happened (actual date), else the
day it is expected (forecast), else the day first promised (baseline); milestones with none of these are
left out. The event says, in the person's language, what was planned, what is expected, the slip in
business days (the same sentence as on the portal's roadmap) and the deliverables, and links to the roadmap.

Calendar programs recognise an event across fetches by its UID (``milestone-<id>@<host>``, stable), and see
that it changed by LAST-MODIFIED and DTSTAMP (the milestone's ``updated_at``: every service sets it), so a
moved forecast moves the event. The body is built with the ``icalendar`` library (escaping, line folding).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration
from icalendar.enums import CLASS, TRANSP

from shinrai.core import access
from shinrai.core.models import Project, User, Visibility

from .models import Milestone
from .selectors import MilestoneStatus, milestone_statuses

PRODID = "-//Shinrai//Milestones//JA"
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


def milestones_ical(
    *,
    user: User,
    milestones: Iterable[Milestone],
    project: Project | None = None,
    today: date | None = None,
) -> bytes:
    """The iCalendar document of ``milestones`` (from ``feed_milestones``) for ``user``, in their language.

    Links go to the vendor's roadmap for vendor people and to the portal's roadmap for everyone else.
    No queries.
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
        return calendar.to_ical()
