"""Write operations of the progress app: one function per business action, transactional, audited.

Tree edits (create, move, delete) lock the project row first, so that two people rearranging the same WBS
at once cannot create a cycle or give two siblings the same position.

Every change of a task's figures (estimate, plan, progress, actual hours, visibility, place in the tree)
also records today's progress snapshot once its transaction commits (``snapshot_after_commit``): the history
the burndown and earned-value charts are drawn from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Project, User, Visibility
from shinrai.core.services import audit_record
from shinrai.requirements.models import Requirement

from . import snapshots, workdays
from .models import Milestone, ProgressSnapshot, Task

MILESTONE_FIELDS = (
    "name",
    "description",
    "deliverables",
    "criteria",
    "baseline_date",
    "forecast_date",
    "scope_note",
    "known_risks",
    "position",
    "visibility",
)
TASK_FIELDS = (
    "name",
    "parent",
    "owner",
    "planned_start",
    "planned_finish",
    "estimate_hours",
    "milestone",
    "visibility",
)
# How widely an item is shared; a sub-task is never shared more widely than its parent.
_BREADTH = {Visibility.INTERNAL: 0, Visibility.CUSTOMER: 1, Visibility.PARTNERS: 2}


def _assign(obj, fields: tuple[str, ...], values: dict) -> dict:
    """Set the given fields; return {field: (before, after)} for those that changed."""
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    changed = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changed[name] = (before, value)
            setattr(obj, name, value)
    return changed


def _audit_changes(*, by, action, obj, project, changed: dict, extra: dict | None = None) -> None:
    audit_record(
        actor=by,
        action=action,
        obj=obj,
        project=project,
        before={k: v[0] for k, v in changed.items()},
        after={k: v[1] for k, v in changed.items()} | (extra or {}),
    )


def _lock(project: Project) -> None:
    Project.objects.select_for_update().filter(pk=project.pk).first()


# --- Milestones ------------------------------------------------------------------------------------------


def _slip(milestone: Milestone) -> int | None:
    expected = milestone.actual_date or milestone.forecast_date
    if milestone.baseline_date is None or expected is None:
        return None
    return workdays.business_days_between(milestone.baseline_date, expected, inclusive=False)


@transaction.atomic
def milestone_save(
    *, by: User, project: Project, milestone: Milestone | None = None, reason: str = "", **fields
) -> Milestone:
    """Create or update a milestone.

    The baseline date is the promise: once set it never changes (refused), so that a slip always shows as
    baseline vs forecast. Without a forecast the milestone is expected on its baseline date. A change of the
    forecast is audited as ``milestone.reforecast`` with before/after, the slip in business days and the
    ``reason`` given.
    """
    is_new = milestone is None
    fixed_baseline = None
    if not is_new:
        # The stored value decides, not the (possibly already changed) instance passed in.
        fixed_baseline = (
            Milestone.objects.select_for_update()
            .filter(pk=milestone.pk)
            .values_list("baseline_date", flat=True)
        ).first()
    if fields.get("position") is None:
        fields.pop("position", None)
    milestone = milestone or Milestone(project=project)
    if fixed_baseline is not None and "baseline_date" in fields and fields["baseline_date"] != fixed_baseline:
        raise ValidationError(
            {"baseline_date": _("The baseline date is fixed once set. Change the forecast date instead.")}
        )
    changed = _assign(milestone, MILESTONE_FIELDS, fields)
    if milestone.forecast_date is None and milestone.baseline_date is not None:
        changed["forecast_date"] = (changed.get("forecast_date", (None,))[0], milestone.baseline_date)
        milestone.forecast_date = milestone.baseline_date
        if not is_new and changed["forecast_date"][0] == changed["forecast_date"][1]:
            del changed["forecast_date"]
    if is_new and "position" not in fields:
        last = Milestone.objects.filter(project=project).aggregate(last=Max("position"))["last"]
        milestone.position = 0 if last is None else last + 1
    milestone.full_clean()
    if not (is_new or changed):
        return milestone
    milestone.updated_at = timezone.now()
    if is_new:
        milestone.save()
    else:
        milestone.save(update_fields=[*changed, "updated_at"])
    action = "milestone.create" if is_new else "milestone.update"
    extra = {}
    if not is_new and changed.get("forecast_date", (None,))[0] is not None:
        action = "milestone.reforecast"
        extra = {"slip_business_days": _slip(milestone), "reason": reason.strip()}
    _audit_changes(by=by, action=action, obj=milestone, project=project, changed=changed, extra=extra)
    return milestone


@transaction.atomic
def milestone_record_actual(*, by: User, milestone: Milestone, actual_date: date) -> Milestone:
    """Record the day a milestone was reached (or correct it). The day cannot be in the future."""
    if actual_date is None:
        raise ValidationError({"actual_date": _("Give the date the milestone was reached.")})
    if actual_date > timezone.localdate():
        raise ValidationError({"actual_date": _("A milestone cannot be reached in the future.")})
    before = milestone.actual_date
    if before == actual_date:
        return milestone
    milestone.actual_date = actual_date
    milestone.updated_at = timezone.now()
    milestone.save(update_fields=["actual_date", "updated_at"])
    audit_record(
        actor=by,
        action="milestone.achieve",
        obj=milestone,
        project=milestone.project,
        before={"actual_date": before},
        after={"actual_date": actual_date, "slip_business_days": _slip(milestone)},
    )
    return milestone


# --- Tasks -----------------------------------------------------------------------------------------------


def _parent_map(project: Project) -> dict[int, int | None]:
    return dict(Task.objects.filter(project=project).values_list("id", "parent_id"))


def _descendants(parents: dict[int, int | None], task_id: int) -> set[int]:
    below: dict[int | None, list[int]] = {}
    for child, parent in parents.items():
        below.setdefault(parent, []).append(child)
    found, todo = set(), [task_id]
    while todo:
        for child in below.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _siblings(project: Project, parent_id: int | None, *, without: int | None = None) -> list[Task]:
    queryset = Task.objects.filter(project=project, parent_id=parent_id).only("id", "position")
    if without is not None:
        queryset = queryset.exclude(pk=without)
    return list(queryset.order_by("position", "id"))


def _renumber(tasks: list[Task]) -> None:
    """Positions 0, 1, 2 … in the given order; writes only the rows that moved."""
    moved = []
    for index, task in enumerate(tasks):
        if task.position != index:
            task.position = index
            moved.append(task)
    Task.objects.bulk_update(moved, ["position"])


def _check_parent(task: Task, parent: Task | None) -> None:
    if parent is None:
        return
    if parent.project_id != task.project_id:
        raise ValidationError({"parent": _("Choose a parent task of this project.")})
    if task.pk is not None and (
        parent.pk == task.pk or parent.pk in _descendants(_parent_map(task.project), task.pk)
    ):
        raise ValidationError({"parent": _("A task cannot be placed under itself or one of its sub-tasks.")})
    if _BREADTH[task.visibility] > _BREADTH[parent.visibility]:
        raise ValidationError(
            {"visibility": _("A sub-task cannot be shared more widely than its parent task.")}
        )


def _check_links(project: Project, task: Task, requirements: list[Requirement] | None) -> None:
    if task.milestone is not None and task.milestone.project_id != project.id:
        raise ValidationError({"milestone": _("Choose a milestone of this project.")})
    if task.owner is not None and not access.has_perm(task.owner, Perm.CONTRIBUTE, project):
        raise ValidationError({"owner": _("Choose a vendor member of this project as the owner.")})
    if requirements is not None and any(r.project_id != project.id for r in requirements):
        raise ValidationError({"requirements": _("Choose requirements of this project.")})


def _check_dates(task: Task) -> None:
    if task.planned_start and task.planned_finish and task.planned_finish < task.planned_start:
        raise ValidationError({"planned_finish": _("The planned finish cannot be before the planned start.")})


def _finish_from_duration(task: Task, duration_days, finish_given: date | None) -> date:
    """The last business day of ``duration_days`` of work from the planned start (holidays skipped)."""
    if task.planned_start is None:
        raise ValidationError(
            {"duration_days": _("Give a planned start to compute the finish from a duration.")}
        )
    try:
        finish = workdays.finish_date(task.planned_start, Decimal(str(duration_days)))
    except (ValueError, ArithmeticError):
        raise ValidationError({"duration_days": _("Enter a duration of zero or more days.")}) from None
    if finish_given is not None and finish_given != finish:
        raise ValidationError(
            {"duration_days": _("The duration does not match the planned finish. Clear one of them.")}
        )
    return finish


def _refresh_place(task: Task) -> None:
    """Read the task's parent and position again under the lock: moving siblings renumbers them."""
    task.parent_id, task.position = Task.objects.filter(pk=task.pk).values_list("parent_id", "position").get()


def _make_room(task: Task, position: int | None) -> list[Task]:
    """Give ``task`` its place among its (new) siblings: ``position``, or the end when None.

    Returns the siblings whose position changes; the caller saves them after the task.
    """
    siblings = _siblings(task.project, task.parent_id, without=task.pk)
    index = len(siblings) if position is None else max(0, min(position, len(siblings)))
    task.position = index
    moved = []
    for i, sibling in enumerate(siblings):
        wanted = i if i < index else i + 1
        if sibling.position != wanted:
            sibling.position = wanted
            moved.append(sibling)
    return moved


def _refs(requirements: Iterable[Requirement]) -> str:
    return ", ".join(sorted(requirement.ref for requirement in requirements))


@transaction.atomic
def task_save(
    *,
    by: User,
    project: Project,
    task: Task | None = None,
    requirements: Iterable[Requirement] | None = None,
    duration_days: Decimal | int | None = None,
    position: int | None = None,
    **fields,
) -> Task:
    """Create or change a task of the WBS.

    * ``duration_days`` (person-days of one full-time person) sets the planned finish from the planned start
      in Japanese business days (weekends and public holidays skipped, see ``workdays.finish_date``); when a
      finish is given too, both must agree.
    * ``parent`` must be a task of the same project, neither the task itself nor one below it; ``position``
      is the place among the siblings (0 first; the end by default). A new parent moves the task with its
      sub-tasks.
    * A sub-task is never shared more widely than its parent; narrowing a task's visibility narrows its
      sub-tasks too (the audit event counts them).
    * ``requirements``, ``milestone`` and ``owner`` must belong to the project (the owner must be able to
      contribute to it).
    """
    _lock(project)
    is_new = task is None
    task = task or Task(project=project)
    if not is_new:
        _refresh_place(task)
    old_parent_id, old_position = task.parent_id, task.position
    finish_given = fields.get("planned_finish")
    changed = _assign(task, TASK_FIELDS, fields)
    if duration_days is not None:
        finish = _finish_from_duration(task, duration_days, finish_given)
        if task.planned_finish != finish:
            changed["planned_finish"] = (changed.get("planned_finish", (task.planned_finish,))[0], finish)
            task.planned_finish = finish
    _check_dates(task)
    _check_parent(task, task.parent)
    requirements = list(requirements) if requirements is not None else None
    _check_links(project, task, requirements)
    task.full_clean(exclude=["position"])

    reparented = task.parent_id != old_parent_id
    moved_siblings = []
    if is_new or reparented or (position is not None and position != old_position):
        moved_siblings = _make_room(task, position)
        if not is_new and task.position != old_position:
            changed["position"] = (old_position, task.position)
    if requirements is not None:
        old = [] if is_new else list(task.requirements.only("number"))
        if {r.pk for r in old} != {r.pk for r in requirements}:
            changed["requirements"] = (_refs(old), _refs(requirements))
    if not (is_new or changed):
        return task

    task.updated_at = timezone.now()
    if is_new:
        task.save()
    else:
        # Only what this action changed: a progress report saved meanwhile must not be overwritten.
        task.save(update_fields=[name for name in changed if name != "requirements"] + ["updated_at"])
    Task.objects.bulk_update(moved_siblings, ["position"])
    if not is_new and reparented:
        _renumber(_siblings(project, old_parent_id))
    narrowed = _narrow_subtasks(task) if not is_new and "visibility" in changed else 0
    if "requirements" in changed:
        task.requirements.set(requirements)
    if is_new:
        audit_record(
            actor=by,
            action="task.create",
            obj=task,
            project=project,
            after={name: getattr(task, name) for name in TASK_FIELDS}
            | {"position": task.position, "requirements": _refs(requirements or [])},
        )
    else:
        extra = {"narrowed_subtasks": narrowed} if narrowed else {}
        _audit_changes(by=by, action="task.update", obj=task, project=project, changed=changed, extra=extra)
    snapshot_after_commit(project)
    return task


def _narrow_subtasks(task: Task) -> int:
    """Make every sub-task at most as widely shared as ``task``; returns how many changed."""
    below = _descendants(_parent_map(task.project), task.pk)
    wider = [v for v, breadth in _BREADTH.items() if breadth > _BREADTH[task.visibility]]
    if not below or not wider:
        return 0
    return Task.objects.filter(pk__in=below, visibility__in=wider).update(visibility=task.visibility)


@transaction.atomic
def task_move(*, by: User, task: Task, parent: Task | None, position: int | None = None) -> Task:
    """Move a task (with its sub-tasks) under ``parent`` (None: top level) at ``position`` (default: last).

    Refuses a parent of another project, and the task itself or any task below it (a cycle).
    """
    project = task.project
    _lock(project)
    _refresh_place(task)
    old_parent_id, old_position = task.parent_id, task.position
    old_parent_name = str(task.parent) if task.parent_id else None
    task.parent = parent
    _check_parent(task, parent)
    if task.parent_id == old_parent_id and (position is None or position == old_position):
        return task
    moved_siblings = _make_room(task, position)
    task.updated_at = timezone.now()
    task.save(update_fields=["parent", "position", "updated_at"])
    Task.objects.bulk_update(moved_siblings, ["position"])
    if task.parent_id != old_parent_id:
        _renumber(_siblings(project, old_parent_id))
    audit_record(
        actor=by,
        action="task.move",
        obj=task,
        project=project,
        before={"parent": old_parent_name, "position": old_position},
        after={"parent": str(parent) if parent else None, "position": task.position},
    )
    snapshot_after_commit(project)  # a leaf that gets a sub-task becomes a summary: its figures stop counting
    return task


@transaction.atomic
def task_update_progress(
    *,
    by: User,
    task: Task,
    progress: int | None = None,
    actual_hours: Decimal | None = None,
    status: str | None = None,
    at: datetime | None = None,
) -> Task:
    """Report progress on a task without sub-tasks: percent complete, actual hours to date, status.

    Done means 100 % (a different percent with "done" is refused) and stamps ``completed_at`` with ``at``
    (when the work was finished; default now, never in the future); reopening clears it. Reporting progress
    on a task that has not started marks it in progress.
    A summary task's figures are computed from its sub-tasks and cannot be reported directly.
    """
    if Task.objects.filter(parent=task).exists():
        raise ValidationError(_("The progress of a task with sub-tasks is computed from its sub-tasks."))
    if progress is not None and (isinstance(progress, bool) or not 0 <= progress <= 100):
        raise ValidationError({"progress": _("Enter a progress between 0 and 100 %.")})
    if actual_hours is not None and Decimal(actual_hours) < 0:
        raise ValidationError({"actual_hours": _("Actual hours cannot be negative.")})
    if status is not None and status not in Task.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    now = timezone.now()
    if at is not None and at > now:
        raise ValidationError({"completed_at": _("Work cannot be finished in the future.")})

    new_status = status or task.status
    if status is None and task.status == Task.Status.NOT_STARTED and progress:
        new_status = Task.Status.IN_PROGRESS
    new_progress = task.progress if progress is None else progress
    if new_status == Task.Status.DONE:
        if progress is not None and progress != 100 and status is not None:
            raise ValidationError({"progress": _("A finished task must be complete (100 percent).")})
        new_progress = 100
    values = {
        "progress": new_progress,
        "actual_hours": task.actual_hours if actual_hours is None else Decimal(actual_hours),
        "status": new_status,
        "completed_at": (task.completed_at or at or now) if new_status == Task.Status.DONE else None,
    }
    changed = {
        name: (getattr(task, name), value) for name, value in values.items() if getattr(task, name) != value
    }
    if not changed:
        return task
    for name, (_before, value) in changed.items():
        setattr(task, name, value)
    task.updated_at = timezone.now()
    task.full_clean(exclude=["position"])
    task.save(update_fields=[*changed, "updated_at"])
    _audit_changes(by=by, action="task.progress", obj=task, project=task.project, changed=changed)
    snapshot_after_commit(task.project)
    return task


@transaction.atomic
def task_delete(*, by: User, task: Task) -> None:
    """Delete a task without sub-tasks (delete or move those first), and close the gap among its siblings.

    Only leaves: deleting a whole branch at once would silently drop estimates and actual hours that the
    earned value and the weekly reports were built on; leaf by leaf, every deletion is deliberate and
    audited with what the task carried.
    """
    project = task.project
    _lock(project)
    if Task.objects.filter(parent=task).exists():
        raise ValidationError(_("This task has sub-tasks. Delete or move them first."))
    audit_record(
        actor=by,
        action="task.delete",
        obj=task,
        project=project,
        before={
            "name": task.name,
            "parent": str(task.parent) if task.parent_id else None,
            "estimate_hours": task.estimate_hours,
            "actual_hours": task.actual_hours,
            "progress": task.progress,
            "status": task.status,
        },
    )
    parent_id = task.parent_id
    task.delete()
    _renumber(_siblings(project, parent_id))
    snapshot_after_commit(project)


# --- Progress history ------------------------------------------------------------------------------------


@transaction.atomic
def snapshot_take(*, project: Project, day: date | None = None) -> bool:
    """Record the project's progress figures of ``day`` (default today, Asia/Tokyo), one row per audience.

    Today's snapshot is replaced with the figures of now (one upsert). A past day's snapshot is never
    rewritten: when it is missing it is filled in with the figures of now (the latest known state; use this
    only shortly after that day, e.g. from a nightly job); when it exists nothing changes. A day in the
    future is refused. Returns whether rows were written. Two queries: the tasks, then the rows.
    """
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise ValidationError({"date": _("A progress snapshot cannot be taken for a day in the future.")})
    if day < today and ProgressSnapshot.objects.filter(project=project, date=day).exists():
        return False
    rows = snapshots.rows_for(project, snapshots.task_states(project), day)
    if day == today:
        ProgressSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["project", "audience", "date"],
            update_fields=[
                "bac_hours",
                "pv_hours",
                "ev_hours",
                "ac_hours",
                "work_hours",
                "remaining_hours",
                "tasks_total",
                "tasks_done",
                "taken_at",
            ],
        )
    else:
        ProgressSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
    return True


# A report published this many days after its week ended still records the week's last day (today's figures
# stand in for Sunday's); later than that they would be another week's figures under an old date.
WEEK_END_SNAPSHOT_GRACE_DAYS = 2


def snapshot_week_end(*, project: Project, week_start: date) -> bool:
    """The snapshot of the last day (Sunday) of a report week, when it is missing and the week ended at
    most WEEK_END_SNAPSHOT_GRACE_DAYS ago; today's if the week has not ended yet (replaced, as always for
    today)."""
    today = timezone.localdate()
    week_end = week_start + timedelta(days=6)
    if week_end < today - timedelta(days=WEEK_END_SNAPSHOT_GRACE_DAYS):
        return False
    return snapshot_take(project=project, day=min(week_end, today))


def snapshot_projects() -> list[Project]:
    """The projects worth a daily snapshot: not closed, with at least one task."""
    has_tasks = Exists(Task.objects.filter(project=OuterRef("pk")))
    return list(Project.objects.exclude(phase=Project.Phase.CLOSED).filter(has_tasks).order_by("pk"))


def snapshots_take_all(*, day: date | None = None) -> int:
    """``snapshot_take`` for every active project, each in its own transaction; returns how many wrote."""
    return sum(snapshot_take(project=project, day=day) for project in snapshot_projects())


class _SnapshotAfterCommit:
    """The on-commit callback that records today's snapshot of one project (one pending per project)."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.done = False
        self.__qualname__ = "snapshot_after_commit"  # named in the log if it fails

    def __call__(self) -> None:
        self.done = True
        project = Project.objects.filter(pk=self.project_id).first()
        if project is not None:  # deleted meanwhile: nothing to record
            snapshot_take(project=project)


def snapshot_after_commit(project: Project) -> None:
    """Record today's snapshot of ``project`` once the current transaction commits (committed data only).

    Many changes in one transaction (an import, a form that saves several tasks) record one snapshot: a
    callback already waiting for this project is enough, since any pending callback survives every rollback
    this one would survive. Robust: a failed snapshot is logged and never undoes or fails the change itself.
    """
    connection = transaction.get_connection()
    for _savepoints, callback, _robust in connection.run_on_commit:
        if (
            isinstance(callback, _SnapshotAfterCommit)
            and callback.project_id == project.pk
            and not callback.done
        ):
            return
    transaction.on_commit(_SnapshotAfterCommit(project.pk), robust=True)
