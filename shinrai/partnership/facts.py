"""Measured facts of an account: how the customer's side of the work goes, computed from the projects.

Everything is counted over the account's projects that the reader may open (``selectors.account_projects``:
a vendor manager all of them, a PM the ones they are on), in two windows of ``WINDOW_DAYS`` (180) calendar
days in Japan time: the *current* one ends today (today − 179 … today) and the *previous* one just before it
(today − 359 … today − 180). Durations are **business days** as the progress app counts them
(``progress/workdays.py``: weekends and Japanese public holidays skipped), from the day (Japan time) something
started, not counted, to the day it ended, counted — the rule of the gray-zone age: started on Friday and
ended on Monday is 1; the same day is 0.

- **Decision latency on troubles** (``trouble_decisions``): for each decision on a trouble whose decision day
  falls in the window, from the moment the options were put before the customer to the decision. "Put
  before" is the latest ``trouble.propose`` audit event at or before the decision; a trouble without one
  (imported, or older data) starts at the later of its disclosure and its newest option. The decision is
  its meeting time when it was decided in a meeting (recorded afterwards by the PM), else when it was
  recorded in the portal.
- **Decision latency on change requests** (``change_decisions``): approved or rejected change requests
  whose decision day falls in the window, from ``proposed_at`` (submitted to the customer) to
  ``decided_at``.
- **Short-notice requests** (``short_notice``): customer requests asked in the window whose due day is
  fewer than ``SHORT_NOTICE_DAYS`` (2) business days after the day they were asked — due the same day or
  the next business day (「明日中に」 on a Friday for Monday counts). The median is of the notice of every
  request asked in the window; the items are the short-notice ones.
- **Overdue customer-side tasks** (``overdue_tasks``): WBS tasks without sub-tasks whose owner belongs to
  the project's customer organization, not done at the end of the window's last day (today; the previous
  window's last day for the previous value) and whose planned finish is before that day. Days late: from
  the planned finish to that day.

Medians are of the items' days (the mean of the two middle ones for an even count); None with no items.
Also listed, not windowed: what waits for the customer's decision today (troubles with options proposed,
change requests proposed), with the business days waited so far.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from shinrai.core.models import AuditEvent
from shinrai.ledger.models import ChangeRequest, CustomerRequest
from shinrai.progress import workdays
from shinrai.progress.models import Task
from shinrai.troubles.models import Decision, Trouble

TOKYO = ZoneInfo("Asia/Tokyo")
WINDOW_DAYS = 180
SHORT_NOTICE_DAYS = 2


def day_of(moment: datetime) -> date:
    return timezone.localtime(moment, TOKYO).date()


def business_days(start: date, end: date) -> int:
    """Business days from ``start`` (not counted) to ``end`` (counted); 0 when ``end`` is not after it."""
    if end <= start:
        return 0
    return workdays.business_days_between(start, end, inclusive=False)


@dataclass(frozen=True)
class Window:
    first: date  # both ends included, Japan dates
    last: date

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=TOKYO)

    @property
    def ends_before(self) -> datetime:
        """The first moment after the window."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=TOKYO)


def windows(today: date) -> tuple[Window, Window]:
    current = Window(today - timedelta(days=WINDOW_DAYS - 1), today)
    previous = Window(current.first - timedelta(days=WINDOW_DAYS), current.first - timedelta(days=1))
    return current, previous


@dataclass(frozen=True)
class Item:
    """One thing behind a figure, with where to open it."""

    kind: str  # trouble, change_request, customer_request, task
    project_id: int
    project_code: str
    ref: str
    title: str
    url: str
    start: date
    end: date
    days: int


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


@dataclass
class Measure:
    items: list[Item] = field(default_factory=list)
    #: For short-notice requests: the notice of every request in the window (the items are the short ones).
    basis: list[int] | None = None

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def total(self) -> int:
        return len(self.basis) if self.basis is not None else len(self.items)

    @property
    def median(self) -> float | None:
        return median(self.basis if self.basis is not None else [item.days for item in self.items])


@dataclass
class Pair:
    current: Measure
    previous: Measure


@dataclass
class Facts:
    today: date
    current: Window
    previous: Window
    trouble_decisions: Pair
    change_decisions: Pair
    short_notice: Pair
    overdue_tasks: Pair
    waiting: list[Item]  # waiting for the customer's decision today (not windowed)

    def measures(self) -> list[tuple[str, Pair]]:
        return [
            ("trouble_decisions", self.trouble_decisions),
            ("change_decisions", self.change_decisions),
            ("short_notice", self.short_notice),
            ("overdue_tasks", self.overdue_tasks),
        ]


def _split(items: list[Item], current: Window, previous: Window) -> Pair:
    ordered = sorted(items, key=lambda item: (-item.days, item.end, item.project_code, item.ref))
    return Pair(
        Measure([item for item in ordered if item.end in current]),
        Measure([item for item in ordered if item.end in previous]),
    )


def _trouble_decisions(project_ids, current: Window, previous: Window) -> list[Item]:
    ended = Q(
        meeting_at__isnull=False, meeting_at__gte=previous.starts_at, meeting_at__lt=current.ends_before
    )
    ended |= Q(meeting_at__isnull=True, at__gte=previous.starts_at, at__lt=current.ends_before)
    decisions = list(
        Decision.objects.filter(ended, trouble__project_id__in=project_ids)
        .select_related("trouble__project")
        .annotate(last_option_at=Max("trouble__options__created_at"))
        .order_by("id")
    )
    proposed: dict[str, list[datetime]] = defaultdict(list)
    for object_id, at in AuditEvent.objects.filter(
        action="trouble.propose",
        object_type="troubles.trouble",
        object_id__in=[str(d.trouble_id) for d in decisions],
    ).values_list("object_id", "at"):
        proposed[object_id].append(at)
    items = []
    for decision in decisions:
        trouble = decision.trouble
        decided = decision.meeting_at or decision.at
        before = [at for at in proposed.get(str(trouble.pk), []) if at <= decided]
        if before:
            start = max(before)
        else:
            known = [at for at in (trouble.disclosed_at, decision.last_option_at) if at is not None]
            if not known:
                continue
            start = max(known)
        items.append(
            Item(
                kind="trouble",
                project_id=trouble.project_id,
                project_code=trouble.project.code,
                ref=trouble.ref,
                title=trouble.title,
                url=reverse("troubles:detail", args=[trouble.project_id, trouble.pk]),
                start=day_of(start),
                end=day_of(decided),
                days=business_days(day_of(start), day_of(decided)),
            )
        )
    return items


def _change_url(change: ChangeRequest) -> str:
    return reverse("ledger:changes", args=[change.project_id]) + f"#change-{change.pk}"


def _change_decisions(project_ids, current: Window, previous: Window) -> list[Item]:
    changes = (
        ChangeRequest.objects.filter(
            project_id__in=project_ids,
            status__in=[ChangeRequest.Status.APPROVED, ChangeRequest.Status.REJECTED],
            proposed_at__isnull=False,
            decided_at__gte=previous.starts_at,
            decided_at__lt=current.ends_before,
        )
        .select_related("project")
        .order_by("id")
    )
    return [
        Item(
            kind="change_request",
            project_id=change.project_id,
            project_code=change.project.code,
            ref=f"CR-{change.pk}",
            title=change.title,
            url=_change_url(change),
            start=day_of(change.proposed_at),
            end=day_of(change.decided_at),
            days=business_days(day_of(change.proposed_at), day_of(change.decided_at)),
        )
        for change in changes
    ]


def _short_notice(project_ids, current: Window, previous: Window) -> Pair:
    requests = (
        CustomerRequest.objects.filter(
            project_id__in=project_ids,
            created_at__gte=previous.starts_at,
            created_at__lt=current.ends_before,
        )
        .select_related("project")
        .order_by("created_at", "id")
    )
    pair = Pair(Measure(basis=[]), Measure(basis=[]))
    for request in requests:
        asked, due = day_of(request.created_at), day_of(request.due_at)
        notice = business_days(asked, due)
        measure = pair.current if asked in current else pair.previous
        measure.basis.append(notice)
        if notice < SHORT_NOTICE_DAYS:
            measure.items.append(
                Item(
                    kind="customer_request",
                    project_id=request.project_id,
                    project_code=request.project.code,
                    ref=f"R-{request.pk}",
                    title=request.title,
                    url=reverse("ledger:requests", args=[request.project_id]) + f"#request-{request.pk}",
                    start=asked,
                    end=due,
                    days=notice,
                )
            )
    for measure in (pair.current, pair.previous):
        measure.items.sort(key=lambda item: (item.days, item.start, item.ref))
    return pair


def _overdue_tasks(project_ids, as_of: date) -> Measure:
    """Customer-side leaf tasks not done at the end of ``as_of`` whose planned finish is before it."""
    after = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=TOKYO)
    tasks = (
        Task.objects.filter(
            project_id__in=project_ids,
            owner__organization_id=F("project__customer_org_id"),
            planned_finish__lt=as_of,
            created_at__lt=after,
        )
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=after))
        .filter(~Exists(Task.objects.filter(parent=OuterRef("pk"))))
        .select_related("project", "owner")
        .order_by("planned_finish", "id")
    )
    items = [
        Item(
            kind="task",
            project_id=task.project_id,
            project_code=task.project.code,
            ref=task.owner.display_name if task.owner_id else "",
            title=task.name,
            url=reverse("progress:task_edit", args=[task.project_id, task.pk]),
            start=task.planned_finish,
            end=as_of,
            days=business_days(task.planned_finish, as_of),
        )
        for task in tasks
    ]
    items.sort(key=lambda item: (-item.days, item.start, item.project_code, item.title))
    return Measure(items)


def _waiting(project_ids, today: date) -> list[Item]:
    troubles = (
        Trouble.objects.filter(project_id__in=project_ids, status=Trouble.Status.OPTIONS_PROPOSED)
        .select_related("project")
        .order_by("id")
    )
    proposed = dict(
        AuditEvent.objects.filter(
            action="trouble.propose",
            object_type="troubles.trouble",
            object_id__in=[str(t.pk) for t in troubles],
        )
        .values("object_id")
        .annotate(last=Max("at"))
        .values_list("object_id", "last")
    )
    items = []
    for trouble in troubles:
        start = proposed.get(str(trouble.pk)) or trouble.disclosed_at or trouble.created_at
        items.append(
            Item(
                kind="trouble",
                project_id=trouble.project_id,
                project_code=trouble.project.code,
                ref=trouble.ref,
                title=trouble.title,
                url=reverse("troubles:detail", args=[trouble.project_id, trouble.pk]),
                start=day_of(start),
                end=today,
                days=business_days(day_of(start), today),
            )
        )
    changes = ChangeRequest.objects.filter(
        project_id__in=project_ids, status=ChangeRequest.Status.PROPOSED, proposed_at__isnull=False
    ).select_related("project")
    for change in changes.order_by("id"):
        items.append(
            Item(
                kind="change_request",
                project_id=change.project_id,
                project_code=change.project.code,
                ref=f"CR-{change.pk}",
                title=change.title,
                url=_change_url(change),
                start=day_of(change.proposed_at),
                end=today,
                days=business_days(day_of(change.proposed_at), today),
            )
        )
    items.sort(key=lambda item: (-item.days, item.project_code, item.ref))
    return items


def compute(*, project_ids: list[int], today: date) -> Facts:
    """The facts over ``project_ids`` (already scoped to what the reader may open), as of ``today``.

    A fixed number of queries whatever the number of projects and items (nine)."""
    current, previous = windows(today)
    ids = list(project_ids)
    return Facts(
        today=today,
        current=current,
        previous=previous,
        trouble_decisions=_split(_trouble_decisions(ids, current, previous), current, previous),
        change_decisions=_split(_change_decisions(ids, current, previous), current, previous),
        short_notice=_short_notice(ids, current, previous),
        overdue_tasks=Pair(_overdue_tasks(ids, current.last), _overdue_tasks(ids, previous.last)),
        waiting=_waiting(ids, today),
    )
