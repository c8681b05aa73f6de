"""API endpoints of the progress app: milestones and the WBS (read for everyone on the project, write for
vendor roles).

Same conventions as the requirements API: reads through the selectors, writes through the services, every
object looked up through ``shinrai.core.access``. What the caller may not see answers 404; what they may see
but not change answers 403 (customers can already read the project's tasks at the same URL); bad input
answers 422 with ``{"detail": [{"field": ..., "message": ...}]}``.

Hours (estimate and actual) are the vendor's effort and cost data: they are filled in only for roles that
see internal information, and are null for customers and partner vendors (fail closed). Progress, dates
and status are shared.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination
from shinrai.api.types import RowId
from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Role, Visibility
from shinrai.requirements import selectors as requirement_selectors

from . import selectors, services
from .models import Milestone, Task

router = Router(tags=["progress"])
# The list filter of shinrai/api/sync.py, made once (a call in an argument default runs once anyway).
UPDATED_SINCE = sync.updated_since_param()


# --- Schemas -------------------------------------------------------------------------------------------


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class MilestoneOut(Schema):
    id: int
    name: str
    description: str
    deliverables: str
    criteria: str = Field(description="Achievement criteria: how the milestone is judged met")
    baseline_date: date | None = Field(description="The date promised at the start; never changes")
    forecast_date: date | None = Field(description="The date expected now")
    actual_date: date | None = Field(description="The date it was reached")
    slip_business_days: int | None = Field(
        description="Business days from the baseline to the forecast (or actual) date; > 0 is late"
    )
    late: bool = Field(description="Not reached, and expected after the baseline date or overdue")
    overdue: bool = Field(description="Not reached, and the expected date has passed")
    scope_note: str
    known_risks: str
    position: int
    visibility: str
    updated_at: datetime


# Input bounds the database and the business-day calendar can hold: beyond them a query or a date
# computation would fail (500) instead of the input being refused (422).
PlanDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class MilestoneIn(_Input):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    deliverables: str = ""
    criteria: str = Field("", description="Achievement criteria: how the milestone is judged met")
    baseline_date: PlanDate | None = Field(None, description="The promise; cannot be changed once set")
    forecast_date: PlanDate | None = Field(None, description="Empty: the baseline date")
    scope_note: str = ""
    known_risks: str = ""
    position: int | None = Field(
        None, ge=0, le=1_000_000, description="Place on the roadmap, 0 first; default last"
    )
    visibility: Visibility = Visibility.CUSTOMER


class MilestonePatch(_Input):
    """Only the fields sent are changed. Moving the forecast needs a ``reason`` (kept in the history)."""

    # Defaults are not validated: an omitted field stays unset, an explicit null for a text is refused.
    name: str = Field(None, min_length=1, max_length=200)
    description: str = Field(None)
    deliverables: str = Field(None)
    criteria: str = Field(None)
    baseline_date: PlanDate | None = Field(
        None, description="Only while not set yet: the promise never moves"
    )
    forecast_date: PlanDate | None = Field(None, description="null: the baseline date")
    reason: str = Field("", max_length=500, description="Why the forecast moves; required when it does")
    actual_date: PlanDate | None = Field(None, description="The day it was reached (not in the future)")
    scope_note: str = Field(None)
    known_risks: str = Field(None)
    position: int = Field(None, ge=0, le=1_000_000)
    visibility: Visibility = Field(None)


class TaskOut(Schema):
    id: int
    code: str = Field(examples=["1.2.3"], description="WBS code from the tasks' positions")
    depth: int = Field(description="0 for top-level tasks")
    parent_id: int | None
    position: int
    name: str
    owner_id: int | None
    owner_name: str | None
    planned_start: date | None = Field(description="For a summary task: the earliest of its sub-tasks")
    planned_finish: date | None = Field(description="For a summary task: the latest of its sub-tasks")
    progress: float = Field(description="0–100; for a summary task, weighted by the sub-tasks' estimates")
    status: str
    is_summary: bool = Field(description="Has sub-tasks: figures are rolled up from them")
    milestone_id: int | None
    requirement_ids: list[int]
    visibility: str
    completed_at: datetime | None
    estimate_hours: float | None = Field(None, description="Vendor roles only (null for others)")
    actual_hours: float | None = Field(None, description="Vendor roles only (null for others)")
    updated_at: datetime = Field(
        description="The latest change of this task or of a sub-task you may see (its figures are rolled "
        "up from them)"
    )


class TaskIn(_Input):
    name: str = Field(min_length=1, max_length=200)
    parent_id: RowId | None = None
    position: int | None = Field(
        None, ge=0, le=1_000_000, description="Place among the siblings, 0 first; default last"
    )
    owner_id: RowId | None = None
    planned_start: PlanDate | None = None
    planned_finish: PlanDate | None = None
    duration_days: Decimal | None = Field(
        None,
        description="Person-days from the planned start; the finish skips weekends and Japanese holidays",
        json_schema_extra={"minimum": 0},
    )
    estimate_hours: Decimal = Field(
        Decimal(0), max_digits=9, decimal_places=2, json_schema_extra={"minimum": 0}
    )
    milestone_id: RowId | None = None
    requirement_ids: list[RowId] = Field(default_factory=list)
    visibility: Visibility = Visibility.CUSTOMER


class TaskProgressPatch(_Input):
    """Only the fields sent are changed. Status "done" sets progress to 100."""

    # Defaults are not validated, so an omitted field stays unset while an explicit null is refused.
    # Ranges are checked by the service, which says so in the reader's language.
    progress: int = Field(None, json_schema_extra={"minimum": 0, "maximum": 100})
    actual_hours: Decimal = Field(None, max_digits=9, decimal_places=2, json_schema_extra={"minimum": 0})
    status: Task.Status = None


# --- Helpers -------------------------------------------------------------------------------------------


def _require(role, perm: Perm) -> None:
    """The caller can see the project (or they would have had a 404); refuse what their role may not do."""
    if perm not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")


def _task_out(row: selectors.WbsRow, *, role: Role, milestone_ids: set[int]) -> dict:
    """Field by field, so that vendor-only figures stay out unless the role sees internal information."""
    task = row.task
    shares_people = role != Role.PARTNER_VIEWER
    data = {
        "id": task.pk,
        "code": row.code,
        "depth": row.depth,
        "parent_id": task.parent_id,
        "position": task.position,
        "name": task.name,
        "owner_id": task.owner_id if shares_people else None,
        "owner_name": task.owner.display_name if shares_people and task.owner else None,
        "planned_start": row.planned_start,
        "planned_finish": row.planned_finish,
        "progress": float(row.progress),
        "status": row.status,
        "is_summary": row.is_summary,
        "milestone_id": task.milestone_id if task.milestone_id in milestone_ids else None,
        "requirement_ids": [requirement.id for requirement in row.requirements],
        "visibility": task.visibility,
        "completed_at": task.completed_at,
        # A summary's figures are rolled up from its sub-tasks: it counts as changed when one of them did.
        "updated_at": row.changed_at,
    }
    if Perm.SEE_INTERNAL in access.ROLE_PERMS[role]:
        data["estimate_hours"] = float(row.estimate_hours)
        data["actual_hours"] = float(row.actual_hours)
    return data


def _visible_milestone_ids(user, project) -> set[int]:
    return set(selectors.milestones_for(user=user, project=project).values_list("id", flat=True))


def _one_task(user, task: Task, role: Role) -> dict:
    row = selectors.wbs_row(user=user, task=task)  # 404 below a task the user may not see
    return _task_out(row, role=role, milestone_ids=_visible_milestone_ids(user, task.project))


class _LazyTaskList(Sequence):
    """The task list as the paginator reads it: its length from the outline, then the one slice it asks
    for, built into items (the tasks of a page are read, not the whole tree's)."""

    def __init__(self, build: Callable[[Sequence[selectors.WbsLine]], list[dict]], lines) -> None:
        self._build = build
        self._lines = lines

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._build(self._lines[index])
        return self._build([self._lines[index]])[0]


def _relations(user, project, data: dict) -> dict:
    """Turn the ``*_id`` fields into objects of this project that the user may see."""
    fields = {}
    if (parent_id := data.pop("parent_id", None)) is not None:
        parent = selectors.tasks_for(user=user, project=project).filter(pk=parent_id).first()
        if parent is None:
            raise ValidationError({"parent_id": _("Choose a parent task of this project.")})
        fields["parent"] = parent
    if (owner_id := data.pop("owner_id", None)) is not None:
        owner = selectors.owner_candidates(project=project).filter(pk=owner_id).first()
        if owner is None:
            raise ValidationError({"owner_id": _("Choose a vendor member of this project as the owner.")})
        fields["owner"] = owner
    if (milestone_id := data.pop("milestone_id", None)) is not None:
        milestone = selectors.milestones_for(user=user, project=project).filter(pk=milestone_id).first()
        if milestone is None:
            raise ValidationError({"milestone_id": _("Choose a milestone of this project.")})
        fields["milestone"] = milestone
    requirement_ids = set(data.pop("requirement_ids", ()))
    requirements = list(
        requirement_selectors.requirements_for(user=user, project=project).filter(pk__in=requirement_ids)
    )
    if len(requirements) != len(requirement_ids):
        raise ValidationError({"requirement_ids": _("Choose requirements of this project.")})
    fields["requirements"] = requirements
    return fields


def _renamed(error: ValidationError) -> ValidationError:
    """Name the services' fields as this API does."""
    if not hasattr(error, "error_dict"):
        return error
    names = {
        "parent": "parent_id",
        "owner": "owner_id",
        "milestone": "milestone_id",
        "requirements": "requirement_ids",
    }
    return ValidationError({names.get(field, field): errors for field, errors in error.error_dict.items()})


# --- Milestones ----------------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/milestones",
    response=list[MilestoneOut],
    summary="Milestones of a project in roadmap order, with their slip against the baseline",
)
@paginate(Pagination)
def list_milestones(request, project_id: int, updated_since: datetime | None = UPDATED_SINCE):
    user = request.auth
    project, _role = access.project_for(user, project_id)
    milestones = sync.since(selectors.milestones_for(user=user, project=project), updated_since)
    statuses = selectors.milestone_statuses(milestones, today=timezone.localdate())
    return [_milestone_out(status) for status in statuses]


def _milestone_out(status: selectors.MilestoneStatus) -> dict:
    milestone = status.milestone
    return {
        "id": milestone.pk,
        "name": milestone.name,
        "description": milestone.description,
        "deliverables": milestone.deliverables,
        "criteria": milestone.criteria,
        "baseline_date": milestone.baseline_date,
        "forecast_date": milestone.forecast_date,
        "actual_date": milestone.actual_date,
        "slip_business_days": status.slip_days,
        "late": status.is_late,
        "overdue": status.is_overdue,
        "scope_note": milestone.scope_note,
        "known_risks": milestone.known_risks,
        "position": milestone.position,
        "visibility": milestone.visibility,
        "updated_at": milestone.updated_at,
    }


def _milestone_by_id(user, pk: int) -> Milestone:
    """One milestone the user may see (project and visibility), or 404."""
    try:
        return access.items_visible_to(user, Milestone.objects.select_related("project")).get(pk=pk)
    except Milestone.DoesNotExist:
        raise Http404 from None


def _one_milestone(milestone: Milestone) -> dict:
    [status] = selectors.milestone_statuses([milestone], today=timezone.localdate())
    return _milestone_out(status)


@router.get(
    "/milestones/{int:milestone_id}",
    response=MilestoneOut,
    summary="One milestone with its slip (everyone on the project, as far as its visibility allows)",
)
def get_milestone(request, response: HttpResponse, milestone_id: int):
    """404 when the milestone is not visible. The ``ETag`` header names its stored state: send it back in
    ``If-Match`` on a PATCH. There is no 304 here: ``late`` and ``overdue`` follow today's date, which the
    stored state does not name."""
    milestone = _milestone_by_id(request.auth, milestone_id)
    sync.set_etag(response, milestone)
    return _one_milestone(milestone)


@router.post(
    "/projects/{int:project_id}/milestones",
    response={201: MilestoneOut},
    summary="Add a milestone to the roadmap (vendor roles; 403 for others who can see the project)",
)
def create_milestone(request, project_id: int, payload: MilestoneIn):
    """Add a milestone. Without a forecast date it is expected on its baseline date.

    404 when the project is not visible; 403 when it is but the role may not contribute; 422 on bad input.
    """
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    milestone = services.milestone_save(by=user, project=project, **payload.model_dump())
    return Status(201, _one_milestone(milestone))


@router.patch(
    "/milestones/{int:milestone_id}",
    response=MilestoneOut,
    summary="Change a milestone: details, a new forecast with its reason, the day it was reached",
)
def update_milestone(request, response: HttpResponse, milestone_id: int, payload: MilestonePatch):
    """Change the fields sent, through the same services as the roadmap pages, all or nothing.

    The baseline date cannot change once set (422: move the forecast instead). A new forecast date needs
    ``reason``; it is audited as a reforecast with the slip in business days. ``actual_date`` records the day
    the milestone was reached. 404 when the milestone is not visible; 403 when the role may not contribute;
    412 when ``If-Match`` names a state that has changed since (nothing is stored).
    """
    user = request.auth
    milestone = _milestone_by_id(user, milestone_id)
    role = access.role_in(user, milestone.project)
    _require(role, Perm.CONTRIBUTE)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "").strip()
    has_actual = "actual_date" in data
    actual_date = data.pop("actual_date", None)
    if "forecast_date" in data:
        # What the service will store: an empty forecast means the baseline date.
        new_forecast = data["forecast_date"] or data.get("baseline_date", milestone.baseline_date)
        if milestone.forecast_date is not None and new_forecast != milestone.forecast_date and not reason:
            raise ValidationError(
                {"reason": _("Say why the forecast date moves. It is kept in the history with both dates.")}
            )
    with sync.if_match(request, milestone):
        if data:
            milestone = services.milestone_save(
                by=user, project=milestone.project, milestone=milestone, reason=reason, **data
            )
        if has_actual:
            milestone = services.milestone_record_actual(
                by=user, milestone=milestone, actual_date=actual_date
            )
    sync.set_etag(response, milestone)
    return _one_milestone(milestone)


# --- Tasks ---------------------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/tasks",
    response=list[TaskOut],
    summary="The WBS of a project: tasks in tree order with codes and rolled-up figures",
)
@paginate(Pagination)
def list_tasks(request, project_id: int, updated_since: datetime | None = UPDATED_SINCE):
    """In tree order; with ``updated_since``, the tasks changed since, oldest change first. A summary task
    counts as changed when a sub-task you may see changed. A deleted task is not listed: compare ids with
    a full read now and then to find those (and codes that moved with them)."""
    user = request.auth
    project, role = access.project_for(user, project_id)
    lines = selectors.wbs_outline(user=user, project=project).lines
    if updated_since is not None:
        stamped = [SimpleNamespace(pk=line.task_id, updated_at=line.changed_at, line=line) for line in lines]
        lines = [item.line for item in sync.keep_since(stamped, updated_since)]

    def build(page: Sequence[selectors.WbsLine]) -> list[dict]:
        milestone_ids = _visible_milestone_ids(user, project)
        rows = selectors.wbs_rows(user=user, project=project, lines=page)
        return [_task_out(row, role=role, milestone_ids=milestone_ids) for row in rows]

    return _LazyTaskList(build, lines)


@router.get(
    "/tasks/{int:task_id}",
    response=TaskOut,
    summary="One task of the WBS with its code and rolled-up figures",
)
def get_task(request, response: HttpResponse, task_id: int):
    """404 when the task is not visible. The ``ETag`` header names the task's stored state: send it back in
    ``If-Match`` on a PATCH. There is no 304 here: the code and a summary's figures follow other tasks."""
    user = request.auth
    task = selectors.task_for(user=user, pk=task_id)
    sync.set_etag(response, task)
    return _one_task(user, task, access.role_in(user, task.project))


@router.post(
    "/projects/{int:project_id}/tasks",
    response={201: TaskOut},
    summary="Add a task to the WBS (vendor roles; 403 for others who can see the project)",
)
def create_task(request, project_id: int, payload: TaskIn):
    """Add a task. Without ``planned_finish``, ``duration_days`` computes it in Japanese business days.

    404 when the project is not visible; 403 when it is but the role may not contribute; 422 on bad input.
    """
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    data = payload.model_dump()
    fields = _relations(user, project, data)
    try:
        task = services.task_save(by=user, project=project, **fields, **data)
    except ValidationError as error:
        raise _renamed(error) from error
    return Status(201, _one_task(user, task, role))


@router.patch(
    "/tasks/{int:task_id}",
    response=TaskOut,
    summary="Report progress on a task: percent complete, actual hours, status",
)
def update_task_progress(request, response: HttpResponse, task_id: int, payload: TaskProgressPatch):
    """Change the fields sent. "done" means 100 %; a summary task's figures come from its sub-tasks (422).

    The same action as the quick progress form on the WBS page. 404 when the task is not visible; 403 when
    it is but the role may not contribute; 412 when ``If-Match`` names a state that has changed since.
    """
    user = request.auth
    task = selectors.task_for(user=user, pk=task_id)
    role = access.role_in(user, task.project)
    _require(role, Perm.CONTRIBUTE)
    with sync.if_match(request, task):
        services.task_update_progress(by=user, task=task, **payload.model_dump(exclude_unset=True))
    sync.set_etag(response, task)
    return _one_task(user, task, role)


@router.put(
    "/tasks/{int:task_id}",
    response=TaskOut,
    summary="Replace a task's plan, as the task edit page does (vendor roles; 403 for others who can see it)",
)
def replace_task_plan(request, response: HttpResponse, task_id: int, payload: TaskIn):
    """The whole plan, as the edit page sends it: a field left out takes its default (no parent = top level,
    no owner, no milestone, no requirements). A new parent moves the task with its sub-tasks; narrowing the
    visibility narrows the sub-tasks too. Progress and actual hours are not part of the plan (PATCH them).

    404 when the task is not visible; 403 when the role may not contribute; 422 on bad input; 412 when
    ``If-Match`` names a state that has changed since.
    """
    user = request.auth
    task = selectors.task_for(user=user, pk=task_id)
    project = task.project
    role = access.role_in(user, project)
    _require(role, Perm.CONTRIBUTE)
    data = payload.model_dump()
    fields = {"parent": None, "owner": None, "milestone": None} | _relations(user, project, data)
    with sync.if_match(request, task):
        try:
            task = services.task_save(by=user, project=project, task=task, **fields, **data)
        except ValidationError as error:
            raise _renamed(error) from error
    sync.set_etag(response, task)
    return _one_task(user, task, role)


@router.delete(
    "/tasks/{int:task_id}",
    response={204: None},
    summary="Delete a task without sub-tasks (delete or move those first)",
)
def delete_task(request, task_id: int):
    """Delete a leaf task, as on the WBS page; a task with sub-tasks answers 422.

    404 when the task is not visible; 403 when it is but the role may not contribute.
    """
    user = request.auth
    task = selectors.task_for(user=user, pk=task_id)
    _require(access.role_in(user, task.project), Perm.CONTRIBUTE)
    services.task_delete(by=user, task=task)
    return Status(204, None)


# The chart data are routes of this router kept in their own module; imported last, once the router exists.
from . import chart_api  # noqa: E402, F401
