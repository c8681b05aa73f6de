"""API endpoints of the troubles app (same conventions as shinrai/progress/api.py).

Reads through the selectors, writes through the services, every object looked up through
``shinrai.core.access``: what the caller may not see answers 404 (a customer sees disclosed troubles only,
a partner vendor those shared with partners); what they may see but not change answers 403; bad input 422;
an update made from a stale ``version`` answers 409. Internal notes are never part of the API.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Project, User

from . import selectors, services
from .models import Trouble

router = Router(tags=["troubles"])


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
    quality_impact: str
    cost_impact: int | None = Field(description="JPY")
    schedule_impact_days: int | None = Field(description="Business days")
    owner_name: str | None
    visibility: str
    version: int = Field(description="Send it back with an update; a stale one answers 409")
    options: list[OptionOut]
    decision: DecisionOut | None


class TroubleIn(_Input):
    kind: Trouble.Kind = Trouble.Kind.ISSUE
    title: str = Field(min_length=1, max_length=200)
    facts: str = Field(min_length=1)
    detected_at: datetime
    found_by: Trouble.FoundBy = Trouble.FoundBy.VENDOR
    severity: Trouble.Severity = Trouble.Severity.MEDIUM
    probability: Trouble.Probability | None = None
    quality_impact: str = ""
    cost_impact: int | None = Field(None, ge=0)
    schedule_impact_days: int | None = None
    owner_id: int | None = None


class TroublePatch(_Input):
    version: int = Field(description="The version you read")
    kind: Trouble.Kind = Field(None)
    title: str = Field(None, min_length=1, max_length=200)
    facts: str = Field(None, min_length=1)
    detected_at: datetime = Field(None)
    found_by: Trouble.FoundBy = Field(None)
    severity: Trouble.Severity = Field(None)
    probability: Trouble.Probability | None = Field(None)
    quality_impact: str = Field(None)
    cost_impact: int | None = Field(None, ge=0)
    schedule_impact_days: int | None = Field(None)
    owner_id: int | None = Field(None)


def _require(role, perm: Perm) -> None:
    if perm not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")


def _out(trouble: Trouble, options=None) -> dict:
    decision = getattr(trouble, "decision", None) if hasattr(trouble, "decision") else None
    options = trouble.options.all() if options is None else options
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
        "disclosure_overdue": trouble.disclosure_overdue(),
        "quality_impact": trouble.quality_impact,
        "cost_impact": None if trouble.cost_impact is None else int(trouble.cost_impact),
        "schedule_impact_days": trouble.schedule_impact_days,
        "owner_name": trouble.owner.display_name if trouble.owner else None,
        "visibility": trouble.visibility,
        "version": trouble.version,
        "options": [
            {
                "id": o.pk,
                "label": o.label,
                "description": o.description,
                "pros": o.pros,
                "cons": o.cons,
                "cost": None if o.cost is None else int(o.cost),
                "time_days": o.time_days,
                "schedule_effect_days": o.schedule_effect_days,
            }
            for o in options
        ],
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
    }


def _trouble_by_id(user, pk: int) -> tuple[Project, str, Trouble]:
    """The trouble with its project and the user's role; 404 when missing or not visible, alike."""
    try:
        project_id = Trouble.objects.values_list("project_id", flat=True).get(pk=pk)
    except Trouble.DoesNotExist:
        raise Http404 from None
    project, role = access.project_for(user, project_id)
    return project, role, selectors.trouble_detail(user=user, project=project, pk=pk, internal=False)


def _owner(project, owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, organization=project.vendor_org_id, is_active=True).first()
    if owner is None:
        raise ValidationError({"owner_id": _("Choose a person of the vendor as the owner.")})
    return owner


@router.get(
    "/projects/{int:project_id}/troubles",
    response=list[TroubleOut],
    summary="The troubles of a project you may see (customers: disclosed ones), newest first",
)
@paginate(LimitOffsetPagination)
def list_troubles(request, project_id: int):
    user = request.auth
    project, _role = access.project_for(user, project_id)
    rows = (
        selectors.troubles_for(user=user, project=project)
        .select_related("decision")
        .prefetch_related("options")
        .order_by("-number")
    )
    return [_out(t) for t in rows]


@router.get(
    "/troubles/{int:trouble_id}", response=TroubleOut, summary="One trouble with its options and decision"
)
def get_trouble(request, trouble_id: int):
    _project, _role, trouble = _trouble_by_id(request.auth, trouble_id)
    return _out(trouble)


@router.post(
    "/projects/{int:project_id}/troubles",
    response={201: TroubleOut},
    summary="Record a trouble (vendor roles; it starts undisclosed)",
)
def create_trouble(request, project_id: int, payload: TroubleIn):
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    data = payload.model_dump()
    data["owner"] = _owner(project, data.pop("owner_id"))
    data["probability"] = data["probability"] or ""
    trouble = services.trouble_create(by=user, project=project, **data)
    return Status(201, _out(trouble, options=[]))


@router.patch(
    "/troubles/{int:trouble_id}",
    response=TroubleOut,
    summary="Change a trouble's facts and figures; send the version you read (409 when stale)",
)
def update_trouble(request, trouble_id: int, payload: TroublePatch):
    user = request.auth
    project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.CONTRIBUTE)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    if "owner_id" in data:
        data["owner"] = _owner(project, data.pop("owner_id"))
    if "probability" in data:
        data["probability"] = data["probability"] or ""
    try:
        services.trouble_update(by=user, trouble=trouble, version=version, **data)
    except services.StaleEdit as error:
        raise HttpError(409, " ".join(error.messages)) from error
    return _out(Trouble.objects.select_related("owner").get(pk=trouble.pk))
