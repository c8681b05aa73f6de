"""Read queries of the progress app. Every query starts from what the user may see; none grows with the data.

``wbs_for`` turns a project's tasks into the WBS as the user may see it: a flat list in tree order with each
task's depth, WBS code and rolled-up figures, in a fixed number of queries whatever the size of the tree.
``project_schedule_summary`` answers "are we on schedule?" from the milestones and earned value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shinrai.core import access
from shinrai.core.models import VENDOR_ROLES, Project, User
from shinrai.requirements.models import Requirement

from . import evm, workdays
from .models import Milestone, Task

# A slip of a working week or more is shown in red; shorter slips in amber.
SLIP_RED_BUSINESS_DAYS = 5
# Earned value below 95 % of the planned value counts as behind schedule (SPI < 0.95).
SPI_TOLERANCE = Decimal("0.95")
# Deeper levels are indented like this one; the code (1.2.3.4…) still shows the real depth.
MAX_INDENT = 8

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def _narrowed(queryset: QuerySet, visibilities: Collection[str] | None) -> QuerySet:
    return queryset if visibilities is None else queryset.filter(visibility__in=list(visibilities))


# --- Milestones ------------------------------------------------------------------------------------------


def milestones_for(
    *, user: User, project: Project, visibilities: Collection[str] | None = None
) -> QuerySet[Milestone]:
    """The project's milestones the user may see, in roadmap order.

    ``visibilities`` narrows them further (never widens): e.g. a vendor previewing the customer's view.
    """
    return _narrowed(access.items_visible_to(user, Milestone.objects.filter(project=project)), visibilities)


def milestone_for(*, user: User, project: Project, pk) -> Milestone:
    """One milestone of the project the user may see, or 404."""
    try:
        return milestones_for(user=user, project=project).get(pk=pk)
    except (Milestone.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Tasks -----------------------------------------------------------------------------------------------


def tasks_for(*, user: User, project: Project, visibilities: Collection[str] | None = None) -> QuerySet[Task]:
    """The project's tasks the user may see, narrowed to ``visibilities`` when given."""
    return _narrowed(access.items_visible_to(user, Task.objects.filter(project=project)), visibilities)


def owner_candidates(*, project: Project) -> QuerySet[User]:
    """Who may own a task: the project's vendor members and the vendor's managers (active people only)."""
    return (
        User.objects.filter(organization=project.vendor_org_id, is_active=True)
        .filter(
            Q(is_vendor_manager=True) | Q(memberships__project=project, memberships__role__in=VENDOR_ROLES)
        )
        .distinct()
        .order_by("display_name")
    )


def task_for(*, user: User, pk, project: Project | None = None) -> Task:
    """One task the user may see (of ``project`` when given), or 404."""
    queryset = access.items_visible_to(user, Task.objects.select_related("project"))
    if project is not None:
        queryset = queryset.filter(project=project)
    try:
        return queryset.get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class LinkedRequirement:
    """A requirement a task serves, as the WBS lists it."""

    id: int
    number: int

    ref = property(Requirement.ref.fget)  # the same "REQ-007" as the requirement's own


@dataclass(frozen=True)
class WbsRow:
    """One line of the WBS. Figures of a summary task (one with sub-tasks) are rolled up from them."""

    task: Task
    depth: int
    code: str
    is_summary: bool
    estimate_hours: Decimal
    actual_hours: Decimal
    progress: Decimal  # 0–100; a summary's is the estimate-weighted average of its sub-tasks, to 0.1
    planned_start: date | None
    planned_finish: date | None
    status: str
    requirements: tuple[LinkedRequirement, ...] = ()  # the visible requirements the task serves, by number

    @property
    def indent(self) -> int:
        return min(self.depth, MAX_INDENT)

    @property
    def status_label(self) -> str:
        return str(Task.Status(self.status).label)

    @property
    def percent(self) -> int:
        """Progress as a whole percent for a progress bar (half up: 33.3 → 33, 66.7 → 67)."""
        return int(evm.round_half_up(self.progress, 0))


def _summary_status(statuses: list[str]) -> str:
    distinct = set(statuses)
    if len(distinct) == 1:
        return statuses[0]
    if distinct <= {Task.Status.NOT_STARTED, Task.Status.ON_HOLD}:
        return Task.Status.ON_HOLD if Task.Status.NOT_STARTED not in distinct else Task.Status.NOT_STARTED
    return Task.Status.IN_PROGRESS


def wbs_for(*, user: User, project: Project, visibilities: Collection[str] | None = None) -> list[WbsRow]:
    """The WBS as ``user`` may see it, flat in tree order, with codes, rollups and requirements. 3 queries.

    ``visibilities`` narrows what the user may see further (the customer's view previewed by a vendor).

    * Siblings are ordered by ``position`` (then id); codes count them from 1: 1, 1.1, 1.2, 1.2.1 …
    * Codes come from the whole tree, so that a code means the same task to the vendor and to the customer
      in a meeting; a customer may therefore see a gap where a vendor-only task sits.
    * A task is shown only with its parent: a sub-task is never listed below a task the user cannot see.
    * A summary's estimate and actual hours are the sums of its visible sub-tasks; its progress is their
      estimate-weighted average (a plain average when none has an estimate); its dates span theirs.
      Nothing of a task hidden from the user is rolled into the figures they see.
    """
    skeleton = Task.objects.filter(project=project).values_list("id", "parent_id", "position")
    children: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for task_id, parent_id, position in skeleton:
        children[parent_id].append((position, task_id))
    visible = {
        task.id: task
        for task in tasks_for(user=user, project=project, visibilities=visibilities).select_related(
            "owner", "milestone"
        )
    }
    # One flat query for the links instead of a prefetch, which builds a model instance and a queryset per
    # task (15 ms of a 288-task page). Filtered by project too: without it the database reads every
    # requirement of every project the user may see before matching the tasks.
    linked: dict[int, list[LinkedRequirement]] = defaultdict(list)
    links = (
        Task.requirements.through.objects.filter(
            task__project=project,
            requirement__in=access.items_visible_to(user, Requirement.objects.filter(project=project)),
        )
        .order_by("requirement__number")
        .values_list("task_id", "requirement_id", "requirement__number")
    )
    for task_id, requirement_id, number in links if visible else ():
        linked[task_id].append(LinkedRequirement(requirement_id, number))

    # Pre-order walk with an explicit stack (no recursion limit on deep trees). Children are pushed last
    # first, so that the first child is the next one popped.
    order: list[tuple[int, int, str]] = []  # (task id, depth, code)
    stack = [
        (task_id, 0, str(i)) for i, (_p, task_id) in reversed(list(enumerate(sorted(children[None]), 1)))
    ]
    while stack:
        task_id, depth, code = stack.pop()
        if task_id not in visible:
            continue  # hidden, and so is everything below it
        order.append((task_id, depth, code))
        below = enumerate(sorted(children.get(task_id, ())), 1)
        stack.extend((child_id, depth + 1, f"{code}.{i}") for i, (_p, child_id) in reversed(list(below)))

    # Roll up from the leaves: in reversed pre-order every task comes after all of its descendants.
    shown = {task_id for task_id, _d, _c in order}
    rolled: dict[int, tuple[Decimal, Decimal, Decimal, date | None, date | None, str]] = {}
    below_of: dict[int, list[int]] = defaultdict(list)
    for task_id, _depth, _code in order:
        parent_id = visible[task_id].parent_id
        if parent_id in shown:
            below_of[parent_id].append(task_id)
    for task_id, _depth, _code in reversed(order):
        task = visible[task_id]
        kids = [rolled[kid] for kid in below_of.get(task_id, ())]
        if not kids:
            rolled[task_id] = (
                task.estimate_hours,
                task.actual_hours,
                Decimal(task.progress),
                task.planned_start,
                task.planned_finish,
                task.status,
            )
            continue
        estimate = sum((kid[0] for kid in kids), _ZERO)
        actual = sum((kid[1] for kid in kids), _ZERO)
        if estimate:
            progress = sum((kid[0] * kid[2] for kid in kids), _ZERO) / estimate
        else:
            progress = sum((kid[2] for kid in kids), _ZERO) / len(kids)
        starts = [kid[3] for kid in kids if kid[3] is not None]
        finishes = [kid[4] for kid in kids if kid[4] is not None]
        rolled[task_id] = (
            estimate,
            actual,
            progress,
            min(starts) if starts else None,
            max(finishes) if finishes else None,
            _summary_status([kid[5] for kid in kids]),
        )

    rows = []
    for task_id, depth, code in order:
        estimate, actual, progress, start, finish, status = rolled[task_id]
        rows.append(
            WbsRow(
                task=visible[task_id],
                depth=depth,
                code=code,
                is_summary=bool(below_of.get(task_id)),
                estimate_hours=estimate,
                actual_hours=actual,
                progress=evm.round_half_up(progress, 1),
                planned_start=start,
                planned_finish=finish,
                status=status,
                requirements=tuple(linked.get(task_id, ())),
            )
        )
    return rows


def wbs_row(*, user: User, task: Task) -> WbsRow:
    """The WBS line of one task (code, depth, rollups) as ``user`` sees it, or 404."""
    for row in wbs_for(user=user, project=task.project):
        if row.task.pk == task.pk:
            return row
    raise Http404


# --- Schedule summary ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneStatus:
    """A milestone with its slip: business days between the baseline and the forecast (or actual) date."""

    milestone: Milestone
    slip_days: int | None  # > 0 later than the baseline, < 0 earlier; None without a baseline date
    is_overdue: bool  # not reached, and the date we expect it has passed
    is_next: bool  # the first milestone not reached yet: "where we are"

    @property
    def expected_date(self) -> date | None:
        return self.milestone.actual_date or self.milestone.forecast_date or self.milestone.baseline_date

    @property
    def days_off(self) -> int:
        """How many business days early or late, without the sign."""
        return abs(self.slip_days or 0)

    @property
    def is_late(self) -> bool:
        """Not reached and either expected later than promised or overdue."""
        return not self.milestone.is_achieved and (self.is_overdue or (self.slip_days or 0) > 0)

    @property
    def severity(self) -> str:
        """ "red", "amber" or "" — how a slip is shown (never hidden)."""
        if self.is_overdue or (self.slip_days or 0) >= SLIP_RED_BUSINESS_DAYS:
            return "red"
        if (self.slip_days or 0) > 0:
            return "amber"
        return ""

    @property
    def outlook(self) -> str:
        """One plain sentence for the customer, e.g. "Expected 3 business days later than planned."."""
        days = self.days_off
        if self.milestone.is_achieved:
            when = date_format(self.milestone.actual_date, "SHORT_DATE_FORMAT")
            if self.slip_days is None or self.slip_days == 0:
                return _("Reached on %(date)s, as planned.") % {"date": when}
            if self.slip_days > 0:
                return ngettext(
                    "Reached on %(date)s, %(days)d business day later than planned.",
                    "Reached on %(date)s, %(days)d business days later than planned.",
                    days,
                ) % {"date": when, "days": days}
            return ngettext(
                "Reached on %(date)s, %(days)d business day earlier than planned.",
                "Reached on %(date)s, %(days)d business days earlier than planned.",
                days,
            ) % {"date": when, "days": days}
        if self.is_overdue:
            return _(
                "The expected date has passed and this is not reached yet. We will tell you the new date."
            )
        if self.slip_days is None:
            return _("The date is not fixed yet.")
        if self.slip_days > 0:
            return ngettext(
                "Expected %(days)d business day later than planned.",
                "Expected %(days)d business days later than planned.",
                days,
            ) % {"days": days}
        if self.slip_days < 0:
            return ngettext(
                "Expected %(days)d business day earlier than planned.",
                "Expected %(days)d business days earlier than planned.",
                days,
            ) % {"days": days}
        return _("Expected on the planned date.")


@dataclass(frozen=True)
class ScheduleSummary:
    """Are we on schedule? Milestones against their baseline, and earned value on estimated hours."""

    status_date: date
    milestones: list[MilestoneStatus]
    next_milestone: MilestoneStatus | None
    late_milestones: int  # not reached and expected later than promised, or overdue
    bac: Decimal  # hours: the estimate of every planned leaf task
    pv: Decimal  # hours planned to be done by the end of the status date
    ev: Decimal  # hours earned: estimate × progress
    ac: Decimal  # actual hours
    spi: Decimal | None
    percent_planned: Decimal | None  # PV / BAC, to 0.1
    percent_complete: Decimal | None  # EV / BAC, to 0.1
    unplanned_tasks: int  # leaf tasks left out of earned value: no planned start or finish yet

    @property
    def is_behind(self) -> bool:
        return self.spi is not None and self.spi < SPI_TOLERANCE

    @property
    def on_schedule(self) -> bool:
        return self.late_milestones == 0 and not self.is_behind


def milestone_statuses(milestones, *, today: date) -> list[MilestoneStatus]:
    """Slip and "where we are" for milestones in roadmap order (no queries)."""
    statuses = []
    next_found = False
    for milestone in milestones:
        expected = milestone.actual_date or milestone.forecast_date
        slip = None
        if milestone.baseline_date is not None:
            slip = workdays.business_days_between(
                milestone.baseline_date, expected or milestone.baseline_date, inclusive=False
            )
        open_ = not milestone.is_achieved
        expected_open = milestone.forecast_date or milestone.baseline_date
        is_next = open_ and not next_found
        next_found = next_found or is_next
        statuses.append(
            MilestoneStatus(
                milestone=milestone,
                slip_days=slip,
                is_overdue=open_ and expected_open is not None and expected_open < today,
                is_next=is_next,
            )
        )
    return statuses


def project_schedule_summary(
    *,
    user: User,
    project: Project,
    rows: list[WbsRow] | None = None,
    today: date | None = None,
    visibilities: Collection[str] | None = None,
) -> ScheduleSummary:
    """The schedule as ``user`` may see it; pass ``rows`` from ``wbs_for`` when the page has them already.

    ``visibilities`` narrows it further, e.g. to the customer's view when a vendor previews the portal.
    """
    today = today or timezone.localdate()
    statuses = milestone_statuses(
        milestones_for(user=user, project=project, visibilities=visibilities), today=today
    )
    if rows is None:
        rows = wbs_for(user=user, project=project, visibilities=visibilities)
    leaves = [row for row in rows if not row.is_summary]
    planned = [row for row in leaves if row.planned_start is not None and row.planned_finish is not None]
    figures = evm.evaluate(
        [
            evm.PlannedTask(row.task.pk, row.estimate_hours, row.planned_start, row.planned_finish)
            for row in planned
        ],
        today,
        {row.task.pk: (row.progress, row.actual_hours) for row in planned},
    )
    bac = figures.bac
    return ScheduleSummary(
        status_date=today,
        milestones=statuses,
        next_milestone=next((status for status in statuses if status.is_next), None),
        late_milestones=sum(1 for status in statuses if status.is_late),
        bac=bac,
        pv=figures.pv,
        ev=figures.ev,
        ac=figures.ac,
        spi=figures.spi,
        percent_planned=evm.round_half_up(figures.pv * _HUNDRED / bac, 1) if bac else None,
        percent_complete=evm.round_half_up(figures.ev * _HUNDRED / bac, 1) if bac else None,
        unplanned_tasks=len(leaves) - len(planned),
    )
