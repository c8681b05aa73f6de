"""Read queries of the progress app. Every query starts from what the user may see; none grows with the data.

``wbs_outline`` turns a project's tasks into the WBS as the user may see it: a flat list in tree order with
each task's depth, WBS code and rolled-up figures, in a fixed number of queries whatever the size of the tree,
kept in the cache until a task changes. ``wbs_rows`` adds the task objects for the lines a page shows;
``wbs_for`` does both for the whole tree.
``project_schedule_summary`` answers "are we on schedule?" from the milestones and earned value.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.cache import caches
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
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
# The outline cache: the version changes when WbsLine does; entries are replaced by any change anyway.
WBS_CACHE_VERSION = 1
WBS_CACHE_SECONDS = 24 * 60 * 60
# Outlines last read by this process, in front of the shared cache: unpickling a 1,600-line outline takes
# ~10 ms, more than the rest of a WBS page. Keys carry the tasks' stamp, so an entry is never stale.
WBS_LOCAL_ENTRIES = 64

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


class WbsLine(NamedTuple):
    """One line of the WBS outline: its place and rolled-up figures, without model objects (cached)."""

    task_id: int
    parent_id: int | None
    depth: int
    code: str
    is_summary: bool
    estimate_hours: Decimal
    actual_hours: Decimal
    progress: Decimal  # 0–100; a summary's is the estimate-weighted average of its sub-tasks, to 0.1
    planned_start: date | None
    planned_finish: date | None
    status: str
    changed_at: datetime  # the latest change of the task or of a task below it the reader may see


@dataclass(frozen=True)
class WbsOutline:
    """The WBS as one reader may see it, in tree order, and the cache key it is kept under."""

    key: str
    lines: tuple[WbsLine, ...]

    def __len__(self) -> int:
        return len(self.lines)

    def position_of(self, task_id: int) -> int | None:
        """The index of a task's line, or None when the reader does not see it."""
        return next((i for i, line in enumerate(self.lines) if line.task_id == task_id), None)


@dataclass(frozen=True)
class WbsRow:
    """One line of the WBS with its task (owner and milestone loaded) and the requirements it serves."""

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
    changed_at: datetime | None = None  # see WbsLine

    @property
    def task_id(self) -> int:
        return self.task.pk

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


def _tasks_stamp(user: User, project: Project) -> tuple | None:
    """What the outline is computed from, in one query that also applies the access rule: the number,
    latest ``updated_at`` and highest id of the project's tasks. None when the user may not see the project.

    Every service that changes a task's place or figures sets its ``updated_at`` (sibling renumbering moves
    the task that caused it), a deletion lowers the count and an addition raises the highest id."""
    tasks = Task.objects.filter(project=OuterRef("pk")).order_by().values("project")
    stats = {
        name: Subquery(tasks.annotate(value=function).values("value")[:1])
        for name, function in (
            ("tasks_n", Count("pk")),
            ("tasks_at", Max("updated_at")),
            ("tasks_id", Max("pk")),
        )
    }
    return (
        access.projects_visible_to(user).filter(pk=project.pk).annotate(**stats).values_list(*stats).first()
    )


_local: OrderedDict[str, object] = OrderedDict()
_local_lock = threading.Lock()


def _cached(key: str):
    """The value under ``key``: from this process's recent ones, else from the shared cache."""
    with _local_lock:
        if key in _local:
            _local.move_to_end(key)
            return _local[key]
    value = caches["default"].get(key)
    if value is not None:
        _remember(key, value)
    return value


def _cache(key: str, value) -> None:
    caches["default"].set(key, value, WBS_CACHE_SECONDS)
    _remember(key, value)


def _remember(key: str, value) -> None:
    with _local_lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > WBS_LOCAL_ENTRIES:
            _local.popitem(last=False)


def forget_outlines() -> None:
    """Empty this process's outlines (tests: a rolled-back database reuses ids and, with a pinned clock,
    timestamps; the shared cache is cleared with ``cache.clear()``)."""
    with _local_lock:
        _local.clear()


def _outline_key(user: User, project: Project, visibilities: Collection[str] | None) -> str | None:
    """The cache key of the outline ``user`` sees (one query, see ``wbs_outline``); None when the user may
    not see the project."""
    stamp = _tasks_stamp(user, project)
    if stamp is None:
        return None
    readable = sorted(access.visibilities_for(user))
    if visibilities is not None:
        readable = sorted(set(readable) & set(visibilities))
    count, latest, highest = stamp
    return ":".join(
        (
            f"shinrai:wbs:v{WBS_CACHE_VERSION}",
            str(project.pk),
            ",".join(readable),
            f"{count}-{latest.isoformat() if latest else '-'}-{highest}",
        )
    )


def wbs_outline(*, user: User, project: Project, visibilities: Collection[str] | None = None) -> WbsOutline:
    """The WBS as ``user`` may see it, without model objects: 1 query when cached, 3 otherwise.

    Kept in the default cache (and in this process, see ``_cached``) under the project, the visibilities
    the reader's kind of organization may see (narrowed by ``visibilities``), and the tasks' stamp
    (``_tasks_stamp``): any change is seen on the next read, and a reader who may not see the project gets
    an empty outline of their own.
    """
    key = _outline_key(user, project, visibilities)
    if key is None:
        return WbsOutline(key="", lines=())
    lines = _cached(key)
    if lines is None:
        visible = tasks_for(user=user, project=project, visibilities=visibilities).values_list(
            *_OUTLINE_FIELDS
        )
        lines = _outline(project, {values[0]: values for values in visible})
        _cache(key, lines)
    return WbsOutline(key=key, lines=lines)


_OUTLINE_FIELDS = (
    "id",
    "parent_id",
    "estimate_hours",
    "actual_hours",
    "progress",
    "planned_start",
    "planned_finish",
    "status",
    "updated_at",
)


def _outline(project: Project, visible: dict[int, tuple]) -> tuple[WbsLine, ...]:
    """The outline of the ``visible`` tasks (id → their ``_OUTLINE_FIELDS``): 1 query for the tree's shape.

    * Siblings are ordered by ``position`` (then id); codes count them from 1: 1, 1.1, 1.2, 1.2.1 …
    * Codes come from the whole tree, so that a code means the same task to the vendor and to the customer
      in a meeting; a customer may therefore see a gap where a vendor-only task sits.
    * A task is shown only with its parent: a sub-task is never listed below a task the user cannot see.
    * A summary's estimate and actual hours are the sums of its visible sub-tasks; its progress is their
      estimate-weighted average (a plain average when none has an estimate); its dates span theirs.
      Nothing of a task hidden from the user is rolled into the figures they see.
    """
    if not visible:
        return ()
    skeleton = Task.objects.filter(project=project).values_list("id", "parent_id", "position")
    children: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for task_id, parent_id, position in skeleton:
        children[parent_id].append((position, task_id))

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
    below_of: dict[int, list[int]] = defaultdict(list)
    for task_id, _depth, _code in order:
        parent_id = visible[task_id][1]
        if parent_id in shown:
            below_of[parent_id].append(task_id)
    rolled: dict[int, tuple] = {}
    for task_id, _depth, _code in reversed(order):
        _id, _parent, estimate, actual, progress, start, finish, status, changed_at = visible[task_id]
        kids = [rolled[kid] for kid in below_of.get(task_id, ())]
        if not kids:
            rolled[task_id] = (estimate, actual, Decimal(progress), start, finish, status, changed_at)
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
            max([changed_at, *(kid[6] for kid in kids)]),
        )

    lines = []
    for task_id, depth, code in order:
        estimate, actual, progress, start, finish, status, changed_at = rolled[task_id]
        lines.append(
            WbsLine(
                task_id=task_id,
                parent_id=visible[task_id][1],
                depth=depth,
                code=code,
                is_summary=bool(below_of.get(task_id)),
                estimate_hours=estimate,
                actual_hours=actual,
                progress=evm.round_half_up(progress, 1),
                planned_start=start,
                planned_finish=finish,
                status=status,
                changed_at=changed_at,
            )
        )
    return tuple(lines)


# Reading a page's tasks by id is cheaper than reading the whole project up to about this many lines.
_BY_ID_LIMIT = 500


def wbs_rows(
    *, user: User, project: Project, lines: Sequence[WbsLine], visibilities: Collection[str] | None = None
) -> list[WbsRow]:
    """``lines`` of an outline with their tasks (owner, milestone) and the visible requirements they serve:
    2 queries, for a page of lines or for all of them. A task deleted since the outline was read is left out.
    """
    if not lines:
        return []
    ids = [line.task_id for line in lines]
    tasks = _with_owner_and_milestone(tasks_for(user=user, project=project, visibilities=visibilities))
    if len(ids) <= _BY_ID_LIMIT:
        tasks = tasks.filter(pk__in=ids)
    return _rows(
        user, project, lines, {task.pk: task for task in tasks}, ids if len(ids) <= _BY_ID_LIMIT else None
    )


def _with_owner_and_milestone(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Every field of the tasks, and of their owner and milestone what the WBS shows (the rest of a user's
    and a milestone's columns doubled the time of reading a page of tasks)."""
    return tasks.select_related("owner", "milestone").only(
        *(field.name for field in Task._meta.concrete_fields),
        "owner__display_name",
        "owner__email",
        "milestone__name",
        "milestone__project_id",
        "milestone__visibility",
    )


def _rows(
    user: User, project: Project, lines: Sequence[WbsLine], tasks: dict[int, Task], ids: list[int] | None
) -> list[WbsRow]:
    """The rows of ``lines`` with their ``tasks`` and the requirements they serve (1 query: of the tasks
    ``ids``, or of the whole project)."""
    # One flat query for the links instead of a prefetch, which builds a model instance and a queryset per
    # task (15 ms of a 288-task page). Filtered by project too: without it the database reads every
    # requirement of every project the user may see before matching the tasks.
    linked: dict[int, list[LinkedRequirement]] = defaultdict(list)
    links = Task.requirements.through.objects.filter(
        task__project=project,
        requirement__in=access.items_visible_to(user, Requirement.objects.filter(project=project)),
    )
    if ids is not None:
        links = links.filter(task__in=ids)
    links = links.order_by("requirement__number").values_list(
        "task_id", "requirement_id", "requirement__number"
    )
    for task_id, requirement_id, number in links if tasks else ():
        linked[task_id].append(LinkedRequirement(requirement_id, number))
    return [
        WbsRow(
            task=tasks[line.task_id],
            depth=line.depth,
            code=line.code,
            is_summary=line.is_summary,
            estimate_hours=line.estimate_hours,
            actual_hours=line.actual_hours,
            progress=line.progress,
            planned_start=line.planned_start,
            planned_finish=line.planned_finish,
            status=line.status,
            requirements=tuple(linked.get(line.task_id, ())),
            changed_at=line.changed_at,
        )
        for line in lines
        if line.task_id in tasks
    ]


def wbs_for(*, user: User, project: Project, visibilities: Collection[str] | None = None) -> list[WbsRow]:
    """The whole WBS as ``user`` may see it, flat in tree order, with codes, rollups and requirements.

    ``visibilities`` narrows what the user may see further (the customer's view previewed by a vendor).
    3 queries with the outline cached (its key, the tasks, the requirement links), 4 otherwise (the tasks
    read once serve both). Pages of a big WBS read ``wbs_outline``, then ``wbs_rows`` for the lines they show.
    """
    key = _outline_key(user, project, visibilities)
    if key is None:
        return []
    lines = _cached(key)
    if lines is not None:
        return wbs_rows(user=user, project=project, lines=lines, visibilities=visibilities)
    tasks = {
        task.pk: task
        for task in _with_owner_and_milestone(
            tasks_for(user=user, project=project, visibilities=visibilities)
        )
    }
    lines = _outline(
        project, {pk: tuple(getattr(task, name) for name in _OUTLINE_FIELDS) for pk, task in tasks.items()}
    )
    _cache(key, lines)
    return _rows(user, project, lines, tasks, None)


def wbs_row(*, user: User, task: Task) -> WbsRow:
    """The WBS line of one task (code, depth, rollups) as ``user`` sees it, or 404."""
    outline = wbs_outline(user=user, project=task.project)
    position = outline.position_of(task.pk)
    rows = (
        [] if position is None else wbs_rows(user=user, project=task.project, lines=[outline.lines[position]])
    )
    if not rows:
        raise Http404
    return rows[0]


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
    rows: Sequence[WbsRow] | WbsOutline | None = None,
    today: date | None = None,
    visibilities: Collection[str] | None = None,
) -> ScheduleSummary:
    """The schedule as ``user`` may see it; pass ``rows`` (from ``wbs_for``, or the ``wbs_outline``) when
    the page has them already.

    ``visibilities`` narrows it further, e.g. to the customer's view when a vendor previews the portal.
    With an outline, the earned value figures are kept in the cache beside it for the day.
    """
    today = today or timezone.localdate()
    statuses = milestone_statuses(
        milestones_for(user=user, project=project, visibilities=visibilities), today=today
    )
    if rows is None:
        rows = wbs_outline(user=user, project=project, visibilities=visibilities)
    if isinstance(rows, WbsOutline):
        key = f"{rows.key}:evm:{today.isoformat()}"
        figures = _cached(key) if rows.key else None
        if figures is None:
            figures = _earned_value(rows.lines, today)
            if rows.key:
                _cache(key, figures)
    else:
        figures = _earned_value(rows, today)
    leaves = sum(1 for row in (rows.lines if isinstance(rows, WbsOutline) else rows) if not row.is_summary)
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
        unplanned_tasks=leaves - figures.planned_tasks,
    )


@dataclass(frozen=True)
class _EarnedValue:
    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal
    spi: Decimal | None
    planned_tasks: int  # leaves with both planned dates


def _earned_value(rows: Sequence[WbsRow] | Sequence[WbsLine], today: date) -> _EarnedValue:
    """Earned value over the leaves with planned dates (summaries take their figures from them)."""
    planned = [
        row
        for row in rows
        if not row.is_summary and row.planned_start is not None and row.planned_finish is not None
    ]
    figures = evm.evaluate(
        [
            evm.PlannedTask(row.task_id, row.estimate_hours, row.planned_start, row.planned_finish)
            for row in planned
        ],
        today,
        {row.task_id: (row.progress, row.actual_hours) for row in planned},
    )
    return _EarnedValue(figures.bac, figures.pv, figures.ev, figures.ac, figures.spi, len(planned))
