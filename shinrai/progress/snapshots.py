"""What a progress snapshot holds, computed from the state of a project's tasks (see ``ProgressSnapshot``).

:func:`figures` is plain arithmetic on :class:`TaskState` values: it narrows the WBS to an audience the way
``selectors.wbs_for`` does (a task is seen only with its parent; a task whose sub-tasks are all hidden is a
leaf), then takes earned value from :func:`shinrai.progress.evm.evaluate` and the burndown's remaining work
from the leaves. :func:`task_states` reads a project's tasks in one query. The writes are
``services.snapshot_take``; the charts read the rows in ``chart_data``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from shinrai.core.models import Project, Visibility

from . import evm
from .models import ProgressSnapshot, Task

Audience = ProgressSnapshot.Audience

#: What each audience sees (``None``: every task). ``chart_data.VISIBILITIES`` is this mapping.
VISIBILITIES: dict[str, tuple[str, ...] | None] = {
    Audience.VENDOR: None,
    Audience.CUSTOMER: (Visibility.CUSTOMER, Visibility.PARTNERS),
    Audience.PARTNERS: (Visibility.PARTNERS,),
}

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_CENT = 2  # hours are stored to 0.01


@dataclass(frozen=True, slots=True)
class TaskState:
    """What a snapshot needs of one task, as it stands (or stood) on some day."""

    id: int
    parent_id: int | None
    visibility: str
    estimate_hours: Decimal
    actual_hours: Decimal
    progress: Decimal  # 0–100
    status: str
    planned_start: date | None = None
    planned_finish: date | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """One audience's figures at the end of ``day``: the fields of a ``ProgressSnapshot`` row."""

    day: date
    bac_hours: Decimal
    pv_hours: Decimal
    ev_hours: Decimal
    ac_hours: Decimal
    work_hours: Decimal
    remaining_hours: Decimal
    tasks_total: int
    tasks_done: int

    def row(self, *, project: Project, audience: str, taken_at: datetime) -> ProgressSnapshot:
        return ProgressSnapshot(
            project=project,
            date=self.day,
            audience=audience,
            bac_hours=self.bac_hours,
            pv_hours=self.pv_hours,
            ev_hours=self.ev_hours,
            ac_hours=self.ac_hours,
            work_hours=self.work_hours,
            remaining_hours=self.remaining_hours,
            tasks_total=self.tasks_total,
            tasks_done=self.tasks_done,
            taken_at=taken_at,
        )


def leaves(states: Iterable[TaskState], visibilities: Collection[str] | None) -> list[TaskState]:
    """The leaf tasks of the WBS as an audience sees it (``visibilities``; ``None``: every task).

    As in ``selectors.wbs_for``: a task is seen only when it and every task above it are visible, and a task
    none of whose sub-tasks is seen is a leaf (its own estimate, actual hours and progress count).
    """
    states = list(states)
    below: dict[int | None, list[TaskState]] = defaultdict(list)
    for state in states:
        below[state.parent_id].append(state)
    found: list[TaskState] = []
    todo = list(below[None])
    while todo:
        state = todo.pop()
        if visibilities is not None and state.visibility not in visibilities:
            continue  # hidden, and so is everything below it
        children = [
            kid for kid in below.get(state.id, ()) if visibilities is None or kid.visibility in visibilities
        ]
        if children:
            todo.extend(children)
        else:
            found.append(state)
    return sorted(found, key=lambda state: state.id)


def figures(states: Iterable[TaskState], day: date, visibilities: Collection[str] | None = None) -> Figures:
    """The figures of the WBS seen with ``visibilities`` at the end of ``day``, from the tasks' ``states``.

    Earned value counts the leaves with a planned start and finish (as the EVM chart and the schedule
    summary do); the estimated and remaining work count every leaf. No rounding but the storage's 0.01 h.
    """
    seen = leaves(states, visibilities)
    planned = [
        state for state in seen if state.planned_start is not None and state.planned_finish is not None
    ]
    result = evm.evaluate(
        [evm.PlannedTask(s.id, s.estimate_hours, s.planned_start, s.planned_finish) for s in planned],
        day,
        {s.id: (s.progress, s.actual_hours) for s in planned},
    )
    work = sum((state.estimate_hours for state in seen), _ZERO)
    remaining = sum((state.estimate_hours * (_HUNDRED - state.progress) / _HUNDRED for state in seen), _ZERO)

    def hours(value: Decimal) -> Decimal:
        return evm.round_half_up(value, _CENT)

    return Figures(
        day=day,
        bac_hours=hours(result.bac),
        pv_hours=hours(result.pv),
        ev_hours=hours(result.ev),
        ac_hours=hours(result.ac),
        work_hours=hours(work),
        remaining_hours=hours(remaining),
        tasks_total=len(seen),
        tasks_done=sum(1 for state in seen if state.status == Task.Status.DONE),
    )


def task_states(project: Project) -> list[TaskState]:
    """Every task of ``project`` as it stands now, in one query."""
    columns = (
        "id",
        "parent_id",
        "visibility",
        "estimate_hours",
        "actual_hours",
        "progress",
        "status",
        "planned_start",
        "planned_finish",
        "completed_at",
    )
    return [
        TaskState(
            id=row[0],
            parent_id=row[1],
            visibility=row[2],
            estimate_hours=row[3],
            actual_hours=row[4],
            progress=Decimal(row[5]),
            status=row[6],
            planned_start=row[7],
            planned_finish=row[8],
            completed_at=row[9],
        )
        for row in Task.objects.filter(project=project).order_by().values_list(*columns)
    ]


def rows_for(
    project: Project, states: list[TaskState], day: date, *, taken_at: datetime | None = None
) -> list[ProgressSnapshot]:
    """One unsaved snapshot row per audience for ``day``, taken now (or at ``taken_at``)."""
    taken_at = taken_at or timezone.now()
    return [
        figures(states, day, visibilities).row(project=project, audience=audience, taken_at=taken_at)
        for audience, visibilities in VISIBILITIES.items()
    ]
