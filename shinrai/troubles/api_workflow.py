"""API endpoints of a trouble's lifecycle, the same actions as the trouble page and the portal's choice.

Each route checks the permission its page checks (``views.py``) and calls the same service, which checks it
again; the summary says who may. Open → analysing → options proposed →
decided → follow-up → closed: an action the state does not allow answers 422 with the service's message.
Internal notes are vendor-only: customer and partner roles get 404, as if the notes did not exist.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from shinrai.api.pagination import Pagination
from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Visibility

from . import selectors, services
from .api import (
    MAX_DAYS,
    MAX_ID,
    MAX_YEN,
    FollowUpOut,
    OptionOut,
    PreventionOut,
    TroubleOut,
    _answer,
    _follow_up_out,
    _Input,
    _option_out,
    _prevention_out,
    _require,
    _trouble_by_id,
    owner_in,
    router,
    stale_is_409,
)
from .models import Decision, FollowUp, InternalNote, Option, Prevention, Trouble

_VERSION = Field(ge=1, le=MAX_ID, description="The version you read; a stale one answers 409")


class VersionIn(_Input):
    version: int = _VERSION


class DiscloseIn(_Input):
    version: int = _VERSION
    visibility: Literal["customer", "partners"] = Field(
        Visibility.CUSTOMER.value, description="customer: the customer; partners: also partner vendors"
    )


class OptionIn(_Input):
    description: str = Field(min_length=1)
    pros: str = ""
    cons: str = ""
    cost: int | None = Field(None, ge=0, le=MAX_YEN, description="JPY")
    time_days: int | None = Field(None, ge=0, le=MAX_DAYS, description="Business days needed")
    schedule_effect_days: int | None = Field(
        None, ge=-MAX_DAYS, le=MAX_DAYS, description="Effect on the schedule in business days"
    )


class ChoiceIn(_Input):
    version: int = _VERSION
    option_id: int = Field(ge=1, le=MAX_ID)
    rationale: str = Field(min_length=1, description="Why this option")


class MeetingDecisionIn(ChoiceIn):
    decided_by_name: str = Field(min_length=1, max_length=200, description="Who decided in the meeting")
    attendees: str = ""
    meeting_at: datetime = Field(description="When the meeting was held (not in the future)")


class FollowUpIn(_Input):
    action: str = Field(min_length=1, max_length=300)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID, description="A person of the vendor")
    due: date | None = None


class PreventionIn(_Input):
    measure: str = Field(min_length=1, max_length=300)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID, description="A person of the vendor")
    due: date | None = None


class CloseIn(_Input):
    version: int = _VERSION
    whys: list[str] = Field([], max_length=10, description="Why? Why? Why? One answer per item, in order")
    root_cause: str = Field(min_length=1)
    what_worked: str = ""
    preventions: list[PreventionIn] = Field(min_length=1, max_length=10)


class NoteIn(_Input):
    body: str = Field(min_length=1)


class NoteOut(Schema):
    id: int
    author_name: str | None
    body: str
    created_at: datetime


def _option_of(trouble, option_id: int) -> Option:
    option = Option.objects.filter(pk=option_id, trouble=trouble).first()
    if option is None:
        raise ValidationError({"option_id": _("Choose one of the options of this trouble.")})
    return option


@router.post(
    "/troubles/{int:trouble_id}/disclose",
    response=TroubleOut,
    summary="Disclose a trouble to the customer, or change who sees it (vendor managers and PMs)",
)
def disclose_trouble(request, response: HttpResponse, trouble_id: int, payload: DiscloseIn):
    """``disclosed_at`` is set on the first disclosure and never moves; the customer's people (and, when
    shared with partners, the partner vendors) are told."""
    user = request.auth
    _project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.EDIT)
    with stale_is_409():
        services.trouble_disclose(
            by=user, trouble=trouble, version=payload.version, visibility=payload.visibility
        )
    return _answer(response, user, trouble.pk)


@router.post(
    "/troubles/{int:trouble_id}/analyse",
    response=TroubleOut,
    summary="Start the analysis of an open trouble (vendor roles)",
)
def start_trouble_analysis(request, response: HttpResponse, trouble_id: int, payload: VersionIn):
    user = request.auth
    _project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.CONTRIBUTE)
    with stale_is_409():
        services.trouble_start_analysis(by=user, trouble=trouble, version=payload.version)
    return _answer(response, user, trouble.pk)


@router.post(
    "/troubles/{int:trouble_id}/options",
    response={201: OptionOut},
    summary="Add an option to a trouble not yet decided (vendor roles)",
)
def add_trouble_option(request, trouble_id: int, payload: OptionIn):
    """Options are labelled A, B, C… in the order they are added. There is no edit or removal (nor on the
    page): once proposed, the customer chooses among what they were shown."""
    user = request.auth
    _project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.CONTRIBUTE)
    option = services.option_add(by=user, trouble=trouble, **payload.model_dump())
    return Status(201, _option_out(option))


@router.post(
    "/troubles/{int:trouble_id}/propose",
    response=TroubleOut,
    summary="Propose the options to the customer sponsor (vendor managers and PMs)",
)
def propose_trouble_options(request, response: HttpResponse, trouble_id: int, payload: VersionIn):
    """The trouble must be disclosed, open or under analysis, and have at least one option (else 422)."""
    user = request.auth
    _project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.EDIT)
    with stale_is_409():
        services.trouble_propose(by=user, trouble=trouble, version=payload.version)
    return _answer(response, user, trouble.pk)


@router.post(
    "/troubles/{int:trouble_id}/choice",
    response=TroubleOut,
    summary="Choose one of the proposed options, with why (the customer sponsor)",
)
def choose_trouble_option(request, response: HttpResponse, trouble_id: int, payload: ChoiceIn):
    """The portal's choice: recorded as the decision and appended to the project's ledger."""
    user = request.auth
    _project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.DECIDE)
    with stale_is_409():
        services.trouble_decide(
            by=user,
            trouble=trouble,
            option=_option_of(trouble, payload.option_id),
            rationale=payload.rationale,
            version=payload.version,
        )
    return _answer(response, user, trouble.pk)


@router.post(
    "/troubles/{int:trouble_id}/decision",
    response=TroubleOut,
    summary="Record a decision the customer made in a meeting (vendor managers and PMs)",
)
def record_trouble_decision(request, response: HttpResponse, trouble_id: int, payload: MeetingDecisionIn):
    """Who decided, who attended, when and why; appended to the project's ledger like a portal choice."""
    user = request.auth
    _project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.EDIT)
    with stale_is_409():
        services.trouble_decide(
            by=user,
            trouble=trouble,
            option=_option_of(trouble, payload.option_id),
            rationale=payload.rationale,
            version=payload.version,
            how=Decision.How.MEETING,
            decided_by_name=payload.decided_by_name,
            attendees=payload.attendees,
            meeting_at=payload.meeting_at,
        )
    return _answer(response, user, trouble.pk)


@router.post(
    "/troubles/{int:trouble_id}/follow-ups",
    response={201: FollowUpOut},
    summary="Add a follow-up action to a decided trouble (vendor roles)",
)
def add_trouble_follow_up(request, trouble_id: int, payload: FollowUpIn):
    """The first one moves the trouble from decided into follow-up."""
    user = request.auth
    project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.CONTRIBUTE)
    owner = owner_in(project, payload.owner_id)
    item = services.followup_add(
        by=user, trouble=trouble, action=payload.action, owner=owner, due=payload.due
    )
    return Status(201, _follow_up_out(item, role=role))


@router.post(
    "/troubles/{int:trouble_id}/follow-ups/{int:follow_up_id}/done",
    response=FollowUpOut,
    summary="Mark a follow-up action as done (vendor roles)",
)
def mark_follow_up_done(request, trouble_id: int, follow_up_id: int):
    """Marking it again changes nothing (the first time done stays)."""
    user = request.auth
    _project, role, trouble = _trouble_by_id(user, trouble_id)
    item = FollowUp.objects.select_related("owner").filter(pk=follow_up_id, trouble=trouble).first()
    if item is None:
        raise Http404
    _require(role, Perm.CONTRIBUTE)
    return _follow_up_out(services.followup_done(by=user, follow_up=item), role=role)


@router.post(
    "/troubles/{int:trouble_id}/close",
    response=TroubleOut,
    summary="Close a trouble with its root cause and prevention measures (vendor managers and PMs)",
)
def close_trouble(request, response: HttpResponse, trouble_id: int, payload: CloseIn):
    """Only a trouble in follow-up with every follow-up action done. The post-mortem (the whys, the root
    cause, what worked, the prevention measures) is then shown to the customer."""
    user = request.auth
    project, role, trouble = _trouble_by_id(user, trouble_id)
    _require(role, Perm.EDIT)
    preventions = [
        {
            "measure": item.measure,
            "owner": owner_in(project, item.owner_id, field=f"preventions.{index}.owner_id"),
            "due": item.due,
        }
        for index, item in enumerate(payload.preventions)
    ]
    with stale_is_409():
        services.trouble_close(
            by=user,
            trouble=trouble,
            version=payload.version,
            root_cause=payload.root_cause,
            whys=payload.whys,
            what_worked=payload.what_worked,
            preventions=preventions,
        )
    return _answer(response, user, trouble.pk)


@router.post(
    "/troubles/{int:trouble_id}/preventions/{int:prevention_id}/done",
    response=PreventionOut,
    summary="Mark a prevention measure as done (vendor roles)",
)
def mark_prevention_done(request, trouble_id: int, prevention_id: int):
    """Marking it again changes nothing (the first time done stays)."""
    user = request.auth
    _project, role, trouble = _trouble_by_id(user, trouble_id)
    item = Prevention.objects.select_related("owner").filter(pk=prevention_id, trouble=trouble).first()
    if item is None:
        raise Http404
    _require(role, Perm.CONTRIBUTE)
    return _prevention_out(services.prevention_done(by=user, prevention=item))


# --- Internal notes: vendor roles only ----------------------------------------------------------------------


def _trouble_for_vendor(user, trouble_id: int):
    """The trouble with its internal notes for a role that sees internal information; 404 for everyone
    else, as on the page (the selector refuses them too)."""
    try:
        project_id = Trouble.objects.values_list("project_id", flat=True).get(pk=trouble_id)
    except Trouble.DoesNotExist:
        raise Http404 from None
    project, role = access.project_for(user, project_id, Perm.SEE_INTERNAL)
    return role, selectors.trouble_detail(user=user, project=project, pk=trouble_id, internal=True)


def _note_out(note: InternalNote) -> dict:
    return {
        "id": note.pk,
        "author_name": note.author.display_name if note.author else None,
        "body": note.body,
        "created_at": note.created_at,
    }


@router.get(
    "/troubles/{int:trouble_id}/notes",
    response=list[NoteOut],
    summary="The internal notes of a trouble, oldest first (vendor roles only; 404 for others)",
)
@paginate(Pagination)
def list_trouble_notes(request, trouble_id: int):
    _role, trouble = _trouble_for_vendor(request.auth, trouble_id)
    return [_note_out(note) for note in trouble.internal_notes.all()]


@router.post(
    "/troubles/{int:trouble_id}/notes",
    response={201: NoteOut},
    summary="Add an internal note to a trouble (vendor roles only; 404 for others)",
)
def create_trouble_note(request, trouble_id: int, payload: NoteIn):
    user = request.auth
    role, trouble = _trouble_for_vendor(user, trouble_id)
    _require(role, Perm.CONTRIBUTE)
    return Status(201, _note_out(services.note_add(by=user, trouble=trouble, body=payload.body)))
