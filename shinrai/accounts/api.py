"""API: account plans, roadmap steps, key people and relationship signals (vendor-internal).

Same conventions as shinrai/ledger/api.py: every account is looked up through ``access.account_for``, so a
customer the caller may not see (customer and partner users: every one) answers 404; an account the caller
may read but not keep (vendor members) answers 403 on writes; bad input answers 422; a plan saved from a
stale ``version`` answers 409 and writes nothing. The plan also carries an ``ETag`` (``If-None-Match`` answers
304, ``If-Match`` on its PUT answers 412 when it changed since); its ``updated_at`` also moves when a roadmap
step or key person changes, so the ETag does too.
"""

from contextlib import nullcontext
from datetime import date, datetime

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
from shinrai.core import access

from . import selectors, services
from .models import KeyPerson, RelationshipSignal, RoadmapStep
from .signals import RelationshipSummary

router = Router(tags=["accounts"])


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class SummaryOut(Schema):
    last_contact_on: date | None = Field(
        description="Latest meaningful contact: a meeting or consultation before an RFP, or a key person met"
    )
    days_since_contact: int | None = Field(description="today − last_contact_on in days; null when never")
    silent: bool = Field(description="Never contacted, or more than 60 days since the last contact")
    wins_without_competition: int
    wins_in_competition: int
    share_without_competition: float | None = Field(
        description="wins_without_competition / (wins_without_competition + wins_in_competition); "
        "null with no wins"
    )
    latest_rfp_kind: str | None = Field(description="consulted_before_rfp or learned_from_rfp, the latest")
    latest_rfp_on: date | None
    competitor_quotes_last_year: int = Field(description="competitor_quotes signals in the last 365 days")


class AccountListOut(Schema):
    customer_id: int
    name: str
    projects_count: int = Field(description="The account's projects the caller may open")
    plan_updated_at: datetime | None
    relationship: SummaryOut


class PlanOut(Schema):
    version: int = Field(description="Send it back with PUT …/plan; 0 when there is no plan yet")
    business: str
    market: str
    environment: str
    concerns: str
    strategy: str
    as_is: str
    to_be: str
    updated_at: datetime | None
    updated_by: str | None


class StepOut(Schema):
    id: int
    fiscal_year: int = Field(description="Japanese fiscal year: FY2026 runs from 2026-04-01 to 2027-03-31")
    title: str
    description: str
    status: str
    project_id: int | None
    position: int


class PersonOut(Schema):
    id: int
    name: str
    position: str
    influence: str
    meet_every_days: int | None
    last_met_on: date | None
    days_since_met: int | None
    overdue: bool = Field(description="meet_every_days is set and it has been longer (or never met)")
    notes: str


class ProjectRef(Schema):
    id: int
    code: str
    name: str


class AccountOut(Schema):
    customer_id: int
    name: str
    can_edit: bool
    plan: PlanOut
    roadmap: list[StepOut]
    key_people: list[PersonOut]
    relationship: SummaryOut
    projects: list[ProjectRef]


class SignalOut(Schema):
    id: int
    kind: str
    kind_label: str
    occurred_on: date
    project_id: int | None
    note: str
    recorded_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_recorded_by(obj) -> str | None:
        return obj.recorded_by.display_name if obj.recorded_by else None


_TEXT = Field("", max_length=services.TEXT_LIMIT)


class PlanIn(_Input):
    version: int = Field(ge=0, le=2**31 - 1, description="The version you read (0 when there was no plan)")
    business: str = _TEXT
    market: str = _TEXT
    environment: str = _TEXT
    concerns: str = _TEXT
    strategy: str = _TEXT
    as_is: str = _TEXT
    to_be: str = _TEXT


class StepIn(_Input):
    fiscal_year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    status: RoadmapStep.Status = RoadmapStep.Status.IDEA
    project_id: int | None = Field(None, ge=1, le=2**63 - 1, description="One of this account's projects")


class StepPatch(_Input):
    fiscal_year: int = Field(None, ge=2000, le=2100)
    title: str = Field(None, min_length=1, max_length=200)
    description: str = Field(None)
    status: RoadmapStep.Status = Field(None)
    project_id: int | None = Field(None, ge=1, le=2**63 - 1)


class PersonIn(_Input):
    name: str = Field(min_length=1, max_length=100)
    position: str = Field("", max_length=100)
    influence: KeyPerson.Influence | None = None
    meet_every_days: int | None = Field(None, ge=1, le=services.MEET_EVERY_MAX)
    last_met_on: date | None = Field(None, description="Not in the future")
    notes: str = ""


class PersonPatch(_Input):
    name: str = Field(None, min_length=1, max_length=100)
    position: str = Field(None, max_length=100)
    influence: KeyPerson.Influence | None = Field(None)
    meet_every_days: int | None = Field(None, ge=1, le=services.MEET_EVERY_MAX)
    last_met_on: date | None = Field(None)
    notes: str = Field(None)


class SignalIn(_Input):
    kind: RelationshipSignal.Kind
    occurred_on: date = Field(description="Not in the future")
    project_id: int | None = Field(None, ge=1, le=2**63 - 1, description="One of this account's projects")
    note: str = ""


def _summary_out(s: RelationshipSummary) -> dict:
    return {
        "last_contact_on": s.last_contact_on,
        "days_since_contact": s.days_since_contact,
        "silent": s.silent,
        "wins_without_competition": s.wins_without_competition,
        "wins_in_competition": s.wins_in_competition,
        "share_without_competition": s.share_without_competition,
        "latest_rfp_kind": s.latest_rfp_kind,
        "latest_rfp_on": s.latest_rfp_on,
        "competitor_quotes_last_year": s.competitor_quotes_last_year,
    }


def _plan_out(plan) -> dict:
    if plan is None:
        empty = dict.fromkeys(services.PLAN_FIELDS, "")
        return {"version": 0, **empty, "updated_at": None, "updated_by": None}
    return {
        "version": plan.version,
        **{name: getattr(plan, name) for name in services.PLAN_FIELDS},
        "updated_at": plan.updated_at,
        "updated_by": plan.updated_by.display_name if plan.updated_by else None,
    }


def _step_out(step: RoadmapStep) -> dict:
    return {
        "id": step.pk,
        "fiscal_year": step.fiscal_year,
        "title": step.title,
        "description": step.description,
        "status": step.status,
        "project_id": step.project_id,
        "position": step.position,
    }


def _person_out(person: KeyPerson, today: date) -> dict:
    row = selectors.person_row(person, today)
    return {
        "id": person.pk,
        "name": person.name,
        "position": person.position,
        "influence": person.influence,
        "meet_every_days": person.meet_every_days,
        "last_met_on": person.last_met_on,
        "days_since_met": row.days_since_met,
        "overdue": row.overdue,
        "notes": person.notes,
    }


def _require_edit(user, customer) -> None:
    if not access.can_edit_account(user, customer):
        raise HttpError(403, "Forbidden")


def _editable(user, customer_id: int):
    """The account for a write: 404 when the caller may not see it, 403 when they may not keep it."""
    customer = access.account_for(user, customer_id)
    _require_edit(user, customer)
    return customer


def _no_nulls(data: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if name in data and data[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})


def _project(user, customer, project_id: int | None):
    if project_id is None:
        return None
    project = selectors.account_projects(user=user, customer=customer).filter(pk=project_id).first()
    if project is None:
        raise ValidationError({"project_id": _("Choose one of this customer's projects.")})
    return project


def _with_project(user, customer, data: dict) -> dict:
    if "project_id" in data:
        data["project"] = _project(user, customer, data.pop("project_id"))
    return data


_UPDATED_SINCE = sync.updated_since_param()


def _plan_changed_since(rows, updated_since: datetime | None) -> list:
    """The rule of ``sync.keep_since`` on rows already read (no query). Not keep_since itself: rows have
    no ``pk``, and an account without a plan has no time to compare (it never matches)."""
    if updated_since is None:
        return rows
    with_plan = [row for row in rows if row.plan_updated_at is not None]
    if timezone.is_naive(updated_since):
        updated_since = timezone.make_aware(updated_since)
    kept = [row for row in with_plan if row.plan_updated_at >= updated_since]
    return sorted(kept, key=lambda row: (row.plan_updated_at, row.customer.pk))


@router.get(
    "/accounts/", response=list[AccountListOut], summary="The accounts (customers) the caller may open"
)
@paginate(Pagination)
def list_accounts(request, updated_since: datetime | None = _UPDATED_SINCE):
    """Vendor users only: every customer of the caller's projects (vendor managers: of all the vendor's
    projects), with its relationship figures. Customer and partner users get 404.

    ``updated_since`` compares with ``plan_updated_at``, which moves when the plan's text, its roadmap or its
    key people change; accounts without a plan never match. A new relationship signal does not move it:
    read those with GET /accounts/{customer_id}/signals."""
    if not access.is_vendor_user(request.auth):
        raise Http404
    rows = _plan_changed_since(
        selectors.account_rows(user=request.auth, today=timezone.localdate()), updated_since
    )
    return [
        {
            "customer_id": row.customer.pk,
            "name": row.customer.name,
            "projects_count": row.projects_count,
            "plan_updated_at": row.plan_updated_at,
            "relationship": _summary_out(row.summary),
        }
        for row in rows
    ]


@router.get(
    "/accounts/{int:customer_id}",
    response=AccountOut,
    summary="One account: the plan, roadmap, key people, relationship figures and projects",
)
def get_account(request, customer_id: int):
    user = request.auth
    customer = access.account_for(user, customer_id)
    today = timezone.localdate()
    page = selectors.account_page(user=user, customer=customer, today=today)
    return {
        "customer_id": customer.pk,
        "name": customer.name,
        "can_edit": page.can_edit,
        "plan": _plan_out(page.plan),
        "roadmap": [_step_out(step) for group in page.roadmap for step in group.steps],
        "key_people": [_person_out(row.person, today) for row in page.people],
        "relationship": _summary_out(page.summary),
        "projects": [{"id": p.pk, "code": p.code, "name": p.name} for p in page.projects],
    }


@router.get(
    "/accounts/{int:customer_id}/plan",
    response=PlanOut,
    summary="The account plan's text and version, with its ETag (vendor users who may open the account)",
)
def get_account_plan(request, response: HttpResponse, customer_id: int):
    user = request.auth
    customer = access.account_for(user, customer_id)
    plan = selectors.plan_of(user=user, customer=customer)
    if plan is not None:
        if unchanged := sync.not_modified(request, plan):
            return unchanged
        sync.set_etag(response, plan)
    return _plan_out(plan)


def _no_plan_to_match(request) -> None:
    # If-Match names a stored state; with no plan stored yet there is none it could name (RFC 9110 13.1.1).
    if request.headers.get("If-Match"):
        raise HttpError(
            412,
            _("This was changed by someone else after you read it. Read it again and redo your change."),
        )


@router.put(
    "/accounts/{int:customer_id}/plan",
    response=PlanOut,
    summary="Save the plan's text; send the version you read (409 when someone saved since; If-Match: 412) "
    "(vendor managers and the account's PMs; 403 for other vendor users)",
)
def update_account_plan(request, response: HttpResponse, customer_id: int, payload: PlanIn):
    user = request.auth
    customer = _editable(user, customer_id)
    data = payload.model_dump()
    version = data.pop("version")
    current = selectors.plan_of(user=user, customer=customer)
    if current is None:
        _no_plan_to_match(request)
    guard = nullcontext() if current is None else sync.if_match(request, current)
    try:
        with guard:
            plan = services.plan_save(by=user, customer=customer, version=version, **data)
    except services.StalePlan as error:
        raise HttpError(409, " ".join(error.messages)) from error
    sync.set_etag(response, plan)
    return _plan_out(plan)


@router.post(
    "/accounts/{int:customer_id}/roadmap",
    response={201: StepOut},
    summary="Add a roadmap step (vendor managers and the account's PMs; 403 for other vendor users)",
)
def create_account_roadmap_step(request, customer_id: int, payload: StepIn):
    user = request.auth
    customer = _editable(user, customer_id)
    data = _with_project(user, customer, payload.model_dump())
    return Status(201, _step_out(services.roadmap_step_create(by=user, customer=customer, **data)))


@router.patch(
    "/accounts/{int:customer_id}/roadmap/{int:step_id}",
    response=StepOut,
    summary="Change a roadmap step (the fields sent)",
)
def update_account_roadmap_step(
    request, response: HttpResponse, customer_id: int, step_id: int, payload: StepPatch
):
    """The answer's ``ETag`` names the saved state: send it as ``If-Match`` next time (412 when someone
    changed the step since; nothing is saved)."""
    user = request.auth
    customer = access.account_for(user, customer_id)
    step = selectors.roadmap_step_for(user=user, customer=customer, pk=step_id)
    _require_edit(user, customer)
    data = payload.model_dump(exclude_unset=True)
    _no_nulls(data, ("fiscal_year", "title", "status", "description"))
    data = _with_project(user, customer, data)
    with sync.if_match(request, step):
        services.roadmap_step_update(by=user, step=step, **data)
    step = selectors.roadmap_step_for(user=user, customer=customer, pk=step_id)
    sync.set_etag(response, step)
    return _step_out(step)


@router.delete(
    "/accounts/{int:customer_id}/roadmap/{int:step_id}", response={204: None}, summary="Remove a roadmap step"
)
def delete_account_roadmap_step(request, customer_id: int, step_id: int):
    user = request.auth
    customer = access.account_for(user, customer_id)
    step = selectors.roadmap_step_for(user=user, customer=customer, pk=step_id)
    _require_edit(user, customer)
    services.roadmap_step_delete(by=user, step=step)
    return Status(204, None)


@router.post(
    "/accounts/{int:customer_id}/key-people",
    response={201: PersonOut},
    summary="Add a key person (vendor managers and the account's PMs; 403 for other vendor users)",
)
def create_account_key_person(request, customer_id: int, payload: PersonIn):
    user = request.auth
    customer = _editable(user, customer_id)
    data = payload.model_dump()
    data["influence"] = data["influence"] or ""
    person = services.key_person_create(by=user, customer=customer, **data)
    return Status(201, _person_out(person, timezone.localdate()))


@router.patch(
    "/accounts/{int:customer_id}/key-people/{int:person_id}",
    response=PersonOut,
    summary="Change a key person (the fields sent); set last_met_on to record a meeting",
)
def update_account_key_person(
    request, response: HttpResponse, customer_id: int, person_id: int, payload: PersonPatch
):
    """The answer's ``ETag`` names the saved state: send it as ``If-Match`` next time (412 when someone
    changed the person since; nothing is saved)."""
    user = request.auth
    customer = access.account_for(user, customer_id)
    person = selectors.key_person_for(user=user, customer=customer, pk=person_id)
    _require_edit(user, customer)
    data = payload.model_dump(exclude_unset=True)
    _no_nulls(data, ("name", "position", "notes"))
    if "influence" in data:
        data["influence"] = data["influence"] or ""
    with sync.if_match(request, person):
        services.key_person_update(by=user, person=person, **data)
    person = selectors.key_person_for(user=user, customer=customer, pk=person_id)
    sync.set_etag(response, person)
    return _person_out(person, timezone.localdate())


@router.post(
    "/accounts/{int:customer_id}/key-people/{int:person_id}/met",
    response=PersonOut,
    summary="Record that you met the person today, like the page's “met today” button; an earlier "
    "last_met_on never moves back (vendor managers and the account's PMs; 403 for other vendor users)",
)
def mark_account_key_person_met(request, customer_id: int, person_id: int):
    user = request.auth
    customer = access.account_for(user, customer_id)
    person = selectors.key_person_for(user=user, customer=customer, pk=person_id)
    _require_edit(user, customer)
    person = services.key_person_met(by=user, person=person)
    return _person_out(person, timezone.localdate())


@router.delete(
    "/accounts/{int:customer_id}/key-people/{int:person_id}",
    response={204: None},
    summary="Remove a key person",
)
def delete_account_key_person(request, customer_id: int, person_id: int):
    user = request.auth
    customer = access.account_for(user, customer_id)
    person = selectors.key_person_for(user=user, customer=customer, pk=person_id)
    _require_edit(user, customer)
    services.key_person_delete(by=user, person=person)
    return Status(204, None)


@router.get(
    "/accounts/{int:customer_id}/signals",
    response=list[SignalOut],
    summary="The account's relationship signals, newest first",
)
@paginate(Pagination)
def list_account_signals(request, customer_id: int):
    user = request.auth
    customer = access.account_for(user, customer_id)
    return selectors.signals_of(user=user, customer=customer)


@router.post(
    "/accounts/{int:customer_id}/signals",
    response={201: SignalOut},
    summary="Record a relationship signal: not in the future; project_id one of this account's projects",
)
def create_account_signal(request, customer_id: int, payload: SignalIn):
    user = request.auth
    customer = _editable(user, customer_id)
    data = _with_project(user, customer, payload.model_dump())
    signal = services.signal_record(by=user, customer=customer, **data)
    return Status(201, signal)
