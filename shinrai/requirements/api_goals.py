"""API endpoints for stakeholders and goals (with their success measures): the first half of the
requirements workspace. Part of ``api.router`` (imported by ``shinrai.requirements.api``).

The pages decide who may do what, and so does this module:
- stakeholders (who was heard, what they expect, interview notes) are on the vendor's workspace only:
  vendor roles read and write them; customers and partners who can see the project get 403;
- goals are in the customer's portal too: everyone on the project reads those their visibility allows,
  without the vendor's "to-be" notes (``to_be`` is null for them, as the portal does not show it);
  vendor roles write them.
Stakeholders and goals are never removed on the pages, so not here either.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404, HttpResponse
from ninja import Field, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from shinrai.api import sync
from shinrai.api.pagination import Pagination
from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Visibility

from . import selectors, services
from .api import _Input, _require, router
from .models import Goal, Stakeholder

# --- Schemas -------------------------------------------------------------------------------------------


class StakeholderIn(_Input):
    name: str = Field(min_length=1, max_length=100)
    organization_name: str = Field("", max_length=200, description="Organization or department")
    category: Stakeholder.Category
    expectations: str = ""
    concerns: str = ""
    heard_on: date | None = Field(None, description="When they were interviewed; null while not heard yet")
    hearing_notes: str = ""
    visibility: Visibility = Visibility.CUSTOMER


class StakeholderPatch(_Input):
    """Only the fields sent are changed."""

    # Defaults are not validated, so an omitted field stays unset while an explicit null is refused.
    name: str = Field(None, min_length=1, max_length=100)
    organization_name: str = Field(None, max_length=200)
    category: Stakeholder.Category = None
    expectations: str = None
    concerns: str = None
    heard_on: date | None = None
    hearing_notes: str = None
    visibility: Visibility = None


class StakeholderOut(Schema):
    id: int
    name: str
    organization_name: str
    category: str
    expectations: str
    concerns: str
    heard_on: date | None
    is_heard: bool
    hearing_notes: str
    visibility: str
    created_at: datetime


class MeasureIn(_Input):
    metric: str = Field(min_length=1, max_length=200)
    target: str = Field(min_length=1, max_length=100)
    due_date: date | None = None


class MeasureOut(Schema):
    metric: str
    target: str
    due_date: date | None


class GoalIn(_Input):
    title: str = Field(min_length=1, max_length=200)
    to_be: str = Field("", description="The to-be state (vendor notes; not shown to the customer)")
    success_definition: str = Field(
        min_length=1, description="Definition of success, in the customer's words"
    )
    visibility: Visibility = Visibility.CUSTOMER
    measures: list[MeasureIn] = Field(default_factory=list, description="How success is measured")


class GoalPatch(_Input):
    """Only the fields sent are changed; ``measures``, when sent, replace all success measures."""

    title: str = Field(None, min_length=1, max_length=200)
    to_be: str = None
    success_definition: str = Field(None, min_length=1)
    visibility: Visibility = None
    measures: list[MeasureIn] = None


class GoalOut(Schema):
    id: int
    title: str
    to_be: str | None = Field(description="Null for customers and partners, who do not see it on the portal")
    success_definition: str
    visibility: str
    measures: list[MeasureOut]
    created_at: datetime


# --- Helpers -------------------------------------------------------------------------------------------


def _stakeholder(user, stakeholder_id: int, perm: Perm) -> Stakeholder:
    """A stakeholder the user may see (else 404) and may ``perm`` (else 403)."""
    found = access.items_visible_to(user, Stakeholder.objects.select_related("project"))
    stakeholder = found.filter(pk=stakeholder_id).first()
    if stakeholder is None:
        raise Http404
    _require(access.role_in(user, stakeholder.project), perm)
    return stakeholder


def _goal(user, goal_id: int) -> tuple[Goal, frozenset[Perm]]:
    """A goal the user may see (else 404), with the user's permissions in its project."""
    found = access.items_visible_to(user, Goal.objects.select_related("project"))
    goal = found.filter(pk=goal_id).first()
    if goal is None:
        raise Http404
    return goal, access.perms_in(user, goal.project)


def _goal_out(goal: Goal, perms: frozenset[Perm]) -> dict:
    data = GoalOut.from_orm(goal).model_dump()
    if Perm.SEE_INTERNAL not in perms:
        data["to_be"] = None
    return data


def _reloaded_goal(user, goal: Goal) -> Goal:
    # Measures were replaced by the service: read them again.
    return selectors.goals_for(user=user, project=goal.project).get(pk=goal.pk)


# --- Stakeholders --------------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/stakeholders",
    response=list[StakeholderOut],
    summary="Stakeholders of a project (vendor roles; 403 for others who can see the project)",
)
@paginate(Pagination)
def list_stakeholders(request, project_id: int):
    project, role = access.project_for(request.auth, project_id)
    _require(role, Perm.SEE_INTERNAL)
    return selectors.stakeholders_for(user=request.auth, project=project)


@router.get(
    "/stakeholders/{int:stakeholder_id}",
    response=StakeholderOut,
    summary="One stakeholder (vendor roles)",
)
def get_stakeholder(request, response: HttpResponse, stakeholder_id: int):
    """The ``ETag`` header names this state; send it back as ``If-Match`` when changing it."""
    stakeholder = _stakeholder(request.auth, stakeholder_id, Perm.SEE_INTERNAL)
    sync.set_etag(response, stakeholder)
    return stakeholder


@router.post(
    "/projects/{int:project_id}/stakeholders",
    response={201: StakeholderOut},
    summary="Add a stakeholder (vendor roles)",
)
def create_stakeholder(request, project_id: int, payload: StakeholderIn):
    """Like "add a stakeholder" on the requirements page. 403 for customers and partners."""
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    stakeholder = services.stakeholder_save(by=user, project=project, **payload.model_dump())
    return Status(201, stakeholder)


@router.patch(
    "/stakeholders/{int:stakeholder_id}",
    response=StakeholderOut,
    summary="Change some fields of a stakeholder (vendor roles)",
)
def update_stakeholder(request, response: HttpResponse, stakeholder_id: int, payload: StakeholderPatch):
    """412 when ``If-Match`` names an older state (someone changed it since it was read); nothing is saved."""
    user = request.auth
    stakeholder = _stakeholder(user, stakeholder_id, Perm.CONTRIBUTE)
    with sync.if_match(request, stakeholder):
        services.stakeholder_save(
            by=user,
            project=stakeholder.project,
            stakeholder=stakeholder,
            **payload.model_dump(exclude_unset=True),
        )
    stakeholder = _stakeholder(user, stakeholder_id, Perm.SEE_INTERNAL)
    sync.set_etag(response, stakeholder)
    return stakeholder


# --- Goals and definition of success -------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/goals",
    response=list[GoalOut],
    summary="Goals of a project with their definition of success and measures",
)
@paginate(Pagination)
def list_goals(request, project_id: int):
    project, role = access.project_for(request.auth, project_id)
    perms = access.ROLE_PERMS[role]
    return [_goal_out(goal, perms) for goal in selectors.goals_for(user=request.auth, project=project)]


@router.get("/goals/{int:goal_id}", response=GoalOut, summary="One goal")
def get_goal(request, response: HttpResponse, goal_id: int):
    """The ``ETag`` header names this state (with its measures); send it back as ``If-Match`` to change it."""
    goal, perms = _goal(request.auth, goal_id)
    sync.set_etag(response, goal)
    return _goal_out(_reloaded_goal(request.auth, goal), perms)


@router.post(
    "/projects/{int:project_id}/goals",
    response={201: GoalOut},
    summary="Add a goal with its definition of success (vendor roles)",
)
def create_goal(request, project_id: int, payload: GoalIn):
    """Like "add a goal" on the requirements page. 403 for customers and partners."""
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    goal = services.goal_save(by=user, project=project, **payload.model_dump())
    return Status(201, _goal_out(_reloaded_goal(user, goal), access.ROLE_PERMS[role]))


@router.patch("/goals/{int:goal_id}", response=GoalOut, summary="Change some fields of a goal (vendor roles)")
def update_goal(request, response: HttpResponse, goal_id: int, payload: GoalPatch):
    """Change the fields sent; ``measures``, when sent, replace all success measures. 412 when ``If-Match``
    names an older state (someone changed it since it was read); nothing is saved."""
    user = request.auth
    goal, perms = _goal(user, goal_id)
    if Perm.CONTRIBUTE not in perms:
        raise HttpError(403, "Forbidden")
    fields = payload.model_dump(exclude_unset=True)
    with sync.if_match(request, goal):
        goal = services.goal_save(by=user, project=goal.project, goal=goal, **fields)
    goal, _perms = _goal(user, goal_id)
    sync.set_etag(response, goal)
    return _goal_out(_reloaded_goal(user, goal), perms)
