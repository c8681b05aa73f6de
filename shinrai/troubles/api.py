"""API endpoints of the troubles app (same conventions as shinrai/progress/api.py).

Reads through the selectors, writes through the services, every object looked up through
``shinrai.core.access``: what the caller may not see answers 404 (a customer sees disclosed troubles only,
a partner vendor those shared with partners); what they may see but not change answers 403; bad input 422;
an update or action made from a stale ``version`` answers 409.

This module holds the trouble itself (list, read, record, change); ``api_workflow`` adds its lifecycle
(disclose, analyse, options, decision, follow-ups, close) and the vendor-only internal notes, on the same
router. Internal notes are never part of a trouble's representation: they have their own endpoints, which
answer 404 to customer and partner roles.

A trouble's ``updated_at`` and ETag cover everything shown with it (options, decision, follow-ups,
post-mortem) and the moment its disclosure became overdue, so that a client keeping a copy sees every change.
"""

from contextlib import contextmanager
from datetime import date, datetime
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination
from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Project, Role, User

from . import selectors, services
from .models import FollowUp, Option, Prevention, Trouble

router = Router(tags=["troubles"])

MAX_ID = 2**63 - 1  # ids and versions from a body: beyond this SQLite cannot compare them (500)
MAX_YEN = 10**14 - 1  # the money fields hold 14 digits
MAX_DAYS = 100_000  # business days, far beyond any project
UPDATED_SINCE = sync.updated_since_param()


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class OptionOut(Schema):
    id: int
    label: str = Field(examples=["A"])
    description: str
    pros: str
    cons: str
    cost: int | None = Field(description="JPY")
    time_days: int | None
    schedule_effect_days: int | None


class DecisionOut(Schema):
    option_id: int
    how: str = Field(description="portal or meeting")
    decided_by: str
    attendees: str
    meeting_at: datetime | None
    rationale: str
    at: datetime


class FollowUpOut(Schema):
    id: int
    action: str
    owner_name: str | None = Field(description="Vendor roles only (null for others, as in the portal)")
    due: date | None
    done_at: datetime | None
    created_at: datetime


class RootCauseOut(Schema):
    whys: list[str] = Field(description="The 5 whys, in order")
    summary: str
    what_worked: str
    at: datetime


class PreventionOut(Schema):
    id: int
    measure: str
    owner_name: str | None
    due: date | None
    done_at: datetime | None


class TroubleOut(Schema):
    id: int
    ref: str = Field(examples=["T-001"])
    kind: str
    title: str
    facts: str
    status: str
    severity: str
    probability: str
    detected_at: datetime
    disclosed_at: datetime | None
    found_by: str = Field(description="vendor: we found it; customer: the customer found it first")
    hours_to_disclose: float | None = Field(description="disclosed_at − detected_at in hours")
    disclosure_due_at: datetime = Field(description="detected_at + the vendor's target for the severity")
    disclosure_overdue: bool
    became_issue_at: datetime | None = Field(description="When a risk became an issue or incident")
    closed_at: datetime | None
    quality_impact: str
    cost_impact: int | None = Field(description="JPY")
    schedule_impact_days: int | None = Field(description="Business days")
    owner_name: str | None
    visibility: str
    version: int = Field(description="Send it back with an update or action; a stale one answers 409")
    updated_at: datetime = Field(
        description="The latest change of the trouble or of what is shown with it (options, decision, "
        "follow-ups, post-mortem), or the moment its disclosure became overdue"
    )
    options: list[OptionOut]
    decision: DecisionOut | None
    follow_ups: list[FollowUpOut]
    root_cause: RootCauseOut | None = Field(description="Written on closing (the post-mortem)")
    preventions: list[PreventionOut]


class TroubleIn(_Input):
    kind: Trouble.Kind = Trouble.Kind.ISSUE
    title: str = Field(min_length=1, max_length=200)
    facts: str = Field(min_length=1)
    detected_at: datetime
    found_by: Trouble.FoundBy = Trouble.FoundBy.VENDOR
    severity: Trouble.Severity = Trouble.Severity.MEDIUM
    probability: Trouble.Probability | None = None
    quality_impact: str = ""
    cost_impact: int | None = Field(None, ge=0, le=MAX_YEN)
    schedule_impact_days: int | None = Field(None, ge=-MAX_DAYS, le=MAX_DAYS)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)


class TroublePatch(_Input):
    version: int = Field(ge=1, le=MAX_ID, description="The version you read")
    kind: Trouble.Kind = Field(None)
    title: str = Field(None, min_length=1, max_length=200)
    facts: str = Field(None, min_length=1)
    detected_at: datetime = Field(None)
    found_by: Trouble.FoundBy = Field(None)
    severity: Trouble.Severity = Field(None)
    probability: Trouble.Probability | None = Field(None)
    quality_impact: str = Field(None)
    cost_impact: int | None = Field(None, ge=0, le=MAX_YEN)
    schedule_impact_days: int | None = Field(None, ge=-MAX_DAYS, le=MAX_DAYS)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)


def _require(role, perm: Perm) -> None:
    if perm not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")


# What a trouble is shown with, loaded in a fixed number of queries for one trouble or a whole list.
_SHOWN = (
    Prefetch("options", queryset=Option.objects.order_by("position", "id")),
    Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner")),
    Prefetch("preventions", queryset=Prevention.objects.select_related("owner")),
)


def _decision(trouble: Trouble):
    return trouble.decision if hasattr(trouble, "decision") else None


def _root_cause(trouble: Trouble):
    return trouble.root_cause if hasattr(trouble, "root_cause") else None


def _changed_at(trouble: Trouble, now: datetime) -> datetime:
    """The latest change of the trouble or of anything shown with it. Adding an option, a follow-up or
    marking one done does not touch the trouble's row, and ``disclosure_overdue`` turns true with time."""
    stamps = [trouble.updated_at]
    stamps += [option.created_at for option in trouble.options.all()]
    for item in trouble.follow_ups.all():
        stamps += [item.created_at, item.done_at]
    stamps += [item.done_at for item in trouble.preventions.all()]
    decision, root_cause = _decision(trouble), _root_cause(trouble)
    stamps += [decision.at if decision else None, root_cause.created_at if root_cause else None]
    if trouble.disclosure_overdue(now):
        stamps.append(trouble.disclosure_due_at)
    return max(stamp for stamp in stamps if stamp is not None)


def _state(data: dict) -> Trouble:
    """What the ETag names: the trouble at the time of its latest change as shown (see _changed_at)."""
    return Trouble(pk=data["id"], updated_at=data["updated_at"])


def _yen(value) -> int | None:
    return None if value is None else int(value)


def _option_out(option: Option) -> dict:
    return {
        "id": option.pk,
        "label": option.label,
        "description": option.description,
        "pros": option.pros,
        "cons": option.cons,
        "cost": _yen(option.cost),
        "time_days": option.time_days,
        "schedule_effect_days": option.schedule_effect_days,
    }


def _follow_up_out(item: FollowUp, *, role: Role) -> dict:
    # The portal shows the customer what is done and when, not who of the vendor does it.
    internal = Perm.SEE_INTERNAL in access.ROLE_PERMS[role]
    return {
        "id": item.pk,
        "action": item.action,
        "owner_name": item.owner.display_name if internal and item.owner else None,
        "due": item.due,
        "done_at": item.done_at,
        "created_at": item.created_at,
    }


def _prevention_out(item: Prevention) -> dict:
    return {
        "id": item.pk,
        "measure": item.measure,
        "owner_name": item.owner.display_name if item.owner else None,
        "due": item.due,
        "done_at": item.done_at,
    }


def _out(trouble: Trouble, *, role: Role, now: datetime | None = None) -> dict:
    """The trouble as the detail page shows it to the role (with _SHOWN loaded); never internal notes."""
    now = now or timezone.now()
    decision, root_cause = _decision(trouble), _root_cause(trouble)
    return {
        "id": trouble.pk,
        "ref": trouble.ref,
        "kind": trouble.kind,
        "title": trouble.title,
        "facts": trouble.facts,
        "status": trouble.status,
        "severity": trouble.severity,
        "probability": trouble.probability,
        "detected_at": trouble.detected_at,
        "disclosed_at": trouble.disclosed_at,
        "found_by": trouble.found_by,
        "hours_to_disclose": trouble.hours_to_disclose,
        "disclosure_due_at": trouble.disclosure_due_at,
        "disclosure_overdue": trouble.disclosure_overdue(now),
        "became_issue_at": trouble.became_issue_at,
        "closed_at": trouble.closed_at,
        "quality_impact": trouble.quality_impact,
        "cost_impact": _yen(trouble.cost_impact),
        "schedule_impact_days": trouble.schedule_impact_days,
        "owner_name": trouble.owner.display_name if trouble.owner else None,
        "visibility": trouble.visibility,
        "version": trouble.version,
        "updated_at": _changed_at(trouble, now),
        "options": [_option_out(option) for option in trouble.options.all()],
        "decision": None
        if decision is None
        else {
            "option_id": decision.option_id,
            "how": decision.how,
            "decided_by": decision.decided_by_name,
            "attendees": decision.attendees,
            "meeting_at": decision.meeting_at,
            "rationale": decision.rationale,
            "at": decision.at,
        },
        "follow_ups": [_follow_up_out(item, role=role) for item in trouble.follow_ups.all()],
        "root_cause": None
        if root_cause is None
        else {
            "whys": root_cause.whys,
            "summary": root_cause.summary,
            "what_worked": root_cause.what_worked,
            "at": root_cause.created_at,
        },
        "preventions": [_prevention_out(item) for item in trouble.preventions.all()],
    }


def _trouble_by_id(user, pk: int) -> tuple[Project, Role, Trouble]:
    """The trouble with its project and the user's role; 404 when missing or not visible, alike."""
    try:
        project_id = Trouble.objects.values_list("project_id", flat=True).get(pk=pk)
    except Trouble.DoesNotExist:
        raise Http404 from None
    project, role = access.project_for(user, project_id)
    return project, role, selectors.trouble_detail(user=user, project=project, pk=pk, internal=False)


def _answer(response: HttpResponse, user, trouble_id: int) -> dict:
    """The trouble as stored now, with its ETag: what every write on it answers."""
    _project, role, trouble = _trouble_by_id(user, trouble_id)
    data = _out(trouble, role=role)
    sync.set_etag(response, _state(data))
    return data


@contextmanager
def stale_is_409():
    """A write made from a stale ``version`` answers 409 (not the 422 of other refusals)."""
    try:
        yield
    except services.StaleEdit as error:
        raise HttpError(409, " ".join(error.messages)) from error


@contextmanager
def _if_match(request, user, trouble_id: int):
    """``sync.if_match`` for a trouble: its ETag covers what is shown with it (see _changed_at), which
    ``sync.if_match`` (the row's ``updated_at`` only) would not match. The row is locked while it runs."""

    def current_etag() -> str:
        _project, role, current = _trouble_by_id(user, trouble_id)
        return sync.etag(_state(_out(current, role=role)))

    with sync.if_match(request, Trouble(pk=trouble_id), current_etag=current_etag):
        yield


def owner_in(project, owner_id: int | None, *, field: str = "owner_id") -> User | None:
    """A person of the project's vendor (as the pages offer), or None; 422 for anyone else."""
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, organization=project.vendor_org_id, is_active=True).first()
    if owner is None:
        raise ValidationError({field: _("Choose a person of the vendor as the owner.")})
    return owner


@router.get(
    "/projects/{int:project_id}/troubles",
    response=list[TroubleOut],
    summary="The troubles of a project you may see (customers: disclosed ones), newest first",
)
@paginate(Pagination)
def list_troubles(request, project_id: int, updated_since: datetime | None = UPDATED_SINCE):
    """Newest first; with ``updated_since``, the troubles whose ``updated_at`` is at or after it, oldest
    change first."""
    user = request.auth
    project, role = access.project_for(user, project_id)
    rows = (
        selectors.troubles_for(user=user, project=project)
        .select_related("decision", "root_cause")
        .prefetch_related(*_SHOWN)
        .order_by("-number")
    )
    now = timezone.now()
    shown = [_out(trouble, role=role, now=now) for trouble in rows]
    if updated_since is None:
        return shown
    stamped = [SimpleNamespace(pk=data["id"], updated_at=data["updated_at"], data=data) for data in shown]
    return [item.data for item in sync.keep_since(stamped, updated_since)]


@router.get(
    "/troubles/{int:trouble_id}",
    response=TroubleOut,
    summary="One trouble with its options, decision, follow-ups and post-mortem",
)
def get_trouble(request, response: HttpResponse, trouble_id: int):
    """404 when not visible. The ``ETag`` header names what is shown (``If-None-Match`` answers 304); send
    it back in ``If-Match`` on a PATCH."""
    _project, role, trouble = _trouble_by_id(request.auth, trouble_id)
    data = _out(trouble, role=role)
    if unchanged := sync.not_modified(request, _state(data)):
        return unchanged
    sync.set_etag(response, _state(data))
    return data


@router.post(
    "/projects/{int:project_id}/troubles",
    response={201: TroubleOut},
    summary="Record a trouble (vendor roles; it starts undisclosed)",
)
def create_trouble(request, response: HttpResponse, project_id: int, payload: TroubleIn):
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    data = payload.model_dump()
    data["owner"] = owner_in(project, data.pop("owner_id"))
    data["probability"] = data["probability"] or ""
    trouble = services.trouble_create(by=user, project=project, **data)
    return Status(201, _answer(response, user, trouble.pk))


@router.patch(
    "/troubles/{int:trouble_id}",
    response=TroubleOut,
    summary="Change a trouble's facts and figures (vendor roles); send the version you read (409 when stale)",
)
def update_trouble(request, response: HttpResponse, trouble_id: int, payload: TroublePatch):
    """The same change as the edit page. 404 when not visible; 403 for roles that may not contribute;
    409 when ``version`` is stale; 412 when ``If-Match`` names a state that has changed since."""
    user = request.auth
    project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.CONTRIBUTE)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    if "owner_id" in data:
        data["owner"] = owner_in(project, data.pop("owner_id"))
    if "probability" in data:
        data["probability"] = data["probability"] or ""
    with _if_match(request, user, trouble.pk), stale_is_409():
        services.trouble_update(by=user, trouble=trouble, version=version, **data)
    return _answer(response, user, trouble.pk)


# The lifecycle routes register on the same router (imported last: they use the helpers above).
from . import api_workflow  # noqa: E402, F401
