"""API endpoints of gray-zone items (same conventions as shinrai/troubles/api.py).

Reads through the selectors, writes through the services, every object looked up through
``shinrai.core.access``: what the caller may not see answers 404 (a customer sees the items shared with
the customer, a partner vendor those whose share list names its organization); what they may see but not do
answers 403; bad input and a step the item's state does not allow answer 422. Lists take ``updated_since``;
an item's answer carries its ``ETag`` (from ``updated_at``), and every write on an item honours ``If-Match``
(412 when the item changed since). Comments are listed as the reader may see them (their own audience).
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
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
from shinrai.core.models import Organization, User

from . import selectors, services
from .models import GrayZoneItem

router = Router(tags=["gray zones"])
UPDATED_SINCE = sync.updated_since_param()
MAX_PARTNERS = 50


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class OrgRef(Schema):
    id: int
    name: str
    kind: str


class PersonRef(Schema):
    id: int
    name: str


class ItemOut(Schema):
    id: int
    project_id: int
    ref: str = Field(examples=["GZ-001"])
    title: str
    description: str
    reason: str = Field(description="no_owner or several_vendors")
    source: str = Field(description="action (stands alone), trouble, follow_up, customer_request or task")
    trouble_id: int | None = Field(description="The source, when it is a trouble you may open")
    follow_up_id: int | None
    customer_request_id: int | None
    task_id: int | None
    source_label: str = Field(description="What the source is called; empty when you may not see it")
    state: str = Field(description="unowned, offered, escalated, accepted or decided")
    age_days: int = Field(description="Business days without an owner (until owned, or until today)")
    visibility: str = Field(description="internal (vendor only), customer, or partners")
    shared_with: list[OrgRef] = Field(
        description="Partner vendors it is shared with (yours only, for a partner)"
    )
    offered_to: OrgRef | None
    offered_to_person: PersonRef | None
    offered_at: datetime | None
    offer_note: str
    escalated_at: datetime | None
    escalation_note: str
    owner: OrgRef | None
    owner_person: PersonRef | None
    owned_at: datetime | None
    owner_note: str = Field(description="The acceptance note, or the customer's rationale for the owner")
    decided_by: str | None
    ledger_seq: int | None = Field(description="The ledger entry (number) of the customer's decision")
    can_answer_offer: bool = Field(description="Whether you may accept or decline the pending offer")
    created_at: datetime
    updated_at: datetime


class ItemIn(_Input):
    title: str = Field(min_length=1, max_length=200)
    reason: GrayZoneItem.Reason
    description: str = ""
    trouble_id: RowId | None = Field(None, description="Mark this trouble (at most one source)")
    follow_up_id: RowId | None = Field(None, description="… or this follow-up action")
    customer_request_id: RowId | None = Field(None, description="… or this customer request")
    task_id: RowId | None = Field(None, description="… or this task; none: an action that stands alone")


class ItemPatch(_Input):
    title: str = Field(None, min_length=1, max_length=200)
    reason: GrayZoneItem.Reason = Field(None)
    description: str = Field(None)


class ShareIn(_Input):
    visibility: Literal["customer", "partners"] = Field(
        description="customer: the customer; partners: the customer and the partner vendors listed"
    )
    partner_ids: list[RowId] = Field([], max_length=MAX_PARTNERS, description="Partner vendor organizations")


class OfferIn(_Input):
    organization_id: RowId = Field(description="The vendor, the customer or a partner vendor of the project")
    person_id: RowId | None = Field(None, description="A person of that organization on the project")
    note: str = ""


class AcceptIn(_Input):
    note: str = ""


class DeclineIn(_Input):
    reason: str = Field(min_length=1)


class EscalateIn(_Input):
    note: str = Field(min_length=1, description="What the customer sponsor is asked to decide")


class DecideIn(_Input):
    organization_id: RowId
    person_id: RowId | None = None
    rationale: str = Field(min_length=1)


class CommentIn(_Input):
    body: str = Field(min_length=1, max_length=5000)
    vendor_only: bool = Field(False, description="Vendor users: keep the comment to the vendor")


class CommentOut(Schema):
    id: int
    author_name: str | None
    author_organization: str | None
    body: str
    visibility: str = Field(description="The audience it was written for")
    created_at: datetime


def _require(role, perm: Perm) -> None:
    if perm not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")


def _org(org: Organization | None) -> dict | None:
    return None if org is None else {"id": org.pk, "name": org.name, "kind": org.kind}


def _person(user: User | None) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def _out(item: GrayZoneItem, *, user: User, visible: set, today, perms: frozenset | None = None) -> dict:
    shown = (item.source, item.source_id) in visible
    return {
        "id": item.pk,
        "project_id": item.project_id,
        "ref": item.ref,
        "title": item.title,
        "description": item.description,
        "reason": item.reason,
        "source": item.source,
        "trouble_id": item.trouble_id if shown else None,
        "follow_up_id": item.follow_up_id if shown else None,
        "customer_request_id": item.customer_request_id if shown else None,
        "task_id": item.task_id if shown else None,
        "source_label": selectors._source_label(item) if shown else "",
        "state": item.state,
        "age_days": item.age_days(today),
        "visibility": item.visibility,
        "shared_with": [_org(share.organization) for share in item.shares.all()],
        "offered_to": _org(item.offered_to_org),
        "offered_to_person": _person(item.offered_to_user),
        "offered_at": item.offered_at,
        "offer_note": item.offer_note,
        "escalated_at": item.escalated_at,
        "escalation_note": item.escalation_note,
        "owner": _org(item.owner_org),
        "owner_person": _person(item.owner_user),
        "owned_at": item.owned_at,
        "owner_note": item.owner_note,
        "decided_by": item.decided_by.display_name if item.decided_by_id else None,
        "ledger_seq": item.ledger_entry.seq if item.ledger_entry_id else None,
        "can_answer_offer": selectors.can_respond(user, item, perms),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def _rows(queryset, user: User) -> list[dict]:
    items = list(
        selectors._with_shares(queryset.select_related(*selectors._ROWS, "decided_by", "ledger_entry"), user)
    )
    visible = selectors.visible_sources(user=user, items=items)
    today = timezone.localdate()
    perms: dict[int, frozenset] = {}  # asked once per project with an offer pending
    for item in items:
        if item.state == GrayZoneItem.State.OFFERED and item.project_id not in perms:
            perms[item.project_id] = access.perms_in(user, item.project)
    return [
        _out(item, user=user, visible=visible, today=today, perms=perms.get(item.project_id))
        for item in items
    ]


def _answer(response: HttpResponse, user: User, item_id: int) -> dict:
    """The item as stored now, with its ETag: what every read and write of one item answers."""
    _project, _role, item = selectors.item_by_id(user=user, pk=item_id)
    [data] = _rows(GrayZoneItem.objects.filter(pk=item.pk), user)
    sync.set_etag(response, item)
    return data


def _organization(pk: int | None, field: str) -> Organization | None:
    """The organization a body names; a missing one and one of another tenant are refused alike (by the
    service: neither is an owner of the project)."""
    if pk is None:
        return None
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise ValidationError(
            {field: _("Choose the vendor, the customer or a partner vendor of this project.")}
        )
    return org


def _person_in(pk: int | None) -> User | None:
    if pk is None:
        return None
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise ValidationError(
            {"person_id": _("Choose a person of that organization who works on this project.")}
        )
    return person


@router.get(
    "/projects/{int:project_id}/grayzone-items",
    response=list[ItemOut],
    summary="The gray-zone items of a project you may see, oldest first",
)
@paginate(Pagination)
def list_grayzone_items(
    request,
    project_id: int,
    state: Literal["open", "owned", "unowned", "offered", "escalated", "accepted", "decided"] | None = None,
    updated_since: datetime | None = UPDATED_SINCE,
):
    """``state=open`` lists the items without an owner (unowned, offered, escalated)."""
    user = request.auth
    project, _role = access.project_for(user, project_id)
    queryset = selectors._filtered(selectors.items_for(user=user, project=project), state=state or "")
    queryset = sync.since(queryset.order_by("created_at", "id"), updated_since)
    return _rows(queryset, user)


@router.get(
    "/grayzone-items",
    response=list[ItemOut],
    summary="Gray-zone items of every project you may open (the portfolio's board), oldest first",
)
@paginate(Pagination)
def list_portfolio_grayzone_items(
    request,
    state: Literal["open", "owned", "unowned", "offered", "escalated", "accepted", "decided"] | None = "open",
    updated_since: datetime | None = UPDATED_SINCE,
):
    user = request.auth
    queryset = access.items_shared_with(user, GrayZoneItem.objects.all())
    queryset = selectors._filtered(queryset, state=state or "")
    queryset = sync.since(queryset.order_by("created_at", "id"), updated_since)
    return _rows(queryset, user)


@router.get("/grayzone-items/{int:item_id}", response=ItemOut, summary="One gray-zone item")
def get_grayzone_item(request, response: HttpResponse, item_id: int):
    """404 when not visible. The ``ETag`` header names its state (``If-None-Match`` answers 304)."""
    _project, _role, item = selectors.item_by_id(user=request.auth, pk=item_id)
    if unchanged := sync.not_modified(request, item):
        return unchanged
    return _answer(response, request.auth, item_id)


@router.post(
    "/projects/{int:project_id}/grayzone-items",
    response={201: ItemOut},
    summary="Mark something as a gray zone (vendor roles; it starts vendor-only and without an owner)",
)
def create_grayzone_item(request, response: HttpResponse, project_id: int, payload: ItemIn):
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    data = payload.model_dump()
    given = [(name, data.pop(f"{name}_id")) for name in ("trouble", "follow_up", "customer_request", "task")]
    given = [(name, pk) for name, pk in given if pk is not None]
    if len(given) > 1:
        raise ValidationError({"source_id": _("Name at most one source.")})
    source, obj = GrayZoneItem.Source.ACTION, None
    if given:
        source, pk = given[0]
        obj = selectors.source_object(user=user, project=project, source=source, pk=pk)
        if obj is None:
            raise ValidationError({f"{source}_id": _("Choose one of this project's items as the source.")})
    item = services.item_create(by=user, project=project, source=source, source_object=obj, **data)
    return Status(201, _answer(response, user, item.pk))


def _writable(request, item_id: int, perm: Perm | None):
    user = request.auth
    project, role, item = selectors.item_by_id(user=user, pk=item_id)
    if perm is not None:
        _require(role, perm)
    return user, project, item


@router.patch(
    "/grayzone-items/{int:item_id}",
    response=ItemOut,
    summary="Change an item's title, description or reason (vendor roles); If-Match → 412 when stale",
)
def update_grayzone_item(request, response: HttpResponse, item_id: int, payload: ItemPatch):
    user, _project, item = _writable(request, item_id, Perm.CONTRIBUTE)
    with sync.if_match(request, item):
        services.item_update(by=user, item=item, **payload.model_dump(exclude_unset=True))
    return _answer(response, user, item_id)


@router.post(
    "/grayzone-items/{int:item_id}/share",
    response=ItemOut,
    summary="Share an item with the customer, or with the customer and chosen partner vendors (PM, manager)",
)
def share_grayzone_item(request, response: HttpResponse, item_id: int, payload: ShareIn):
    user, project, item = _writable(request, item_id, Perm.EDIT)
    ids = list(dict.fromkeys(payload.partner_ids))
    partners = list(Organization.objects.filter(pk__in=ids))
    if len(partners) != len(ids):
        raise ValidationError({"partner_ids": _("Choose partner vendors of this project.")})
    with sync.if_match(request, item):
        services.item_share(by=user, item=item, visibility=payload.visibility, partners=partners)
    return _answer(response, user, item_id)


@router.post(
    "/grayzone-items/{int:item_id}/offer",
    response=ItemOut,
    summary="Offer an item without an owner to an organization or person of the project (PM, manager)",
)
def offer_grayzone_item(request, response: HttpResponse, item_id: int, payload: OfferIn):
    user, _project, item = _writable(request, item_id, Perm.EDIT)
    organization = _organization(payload.organization_id, "organization_id")
    person = _person_in(payload.person_id)
    with sync.if_match(request, item):
        services.item_offer(by=user, item=item, organization=organization, person=person, note=payload.note)
    return _answer(response, user, item_id)


def _answering(request, item_id: int):
    user, project, item = _writable(request, item_id, None)
    if not selectors.may_answer(user, item):
        raise HttpError(403, "Forbidden")
    return user, item


@router.post(
    "/grayzone-items/{int:item_id}/accept",
    response=ItemOut,
    summary="Accept the offer: the one it was offered to becomes the owner (them, or a PM recording it)",
)
def accept_grayzone_item(request, response: HttpResponse, item_id: int, payload: AcceptIn):
    user, item = _answering(request, item_id)
    with sync.if_match(request, item):
        services.item_accept(by=user, item=item, note=payload.note)
    return _answer(response, user, item_id)


@router.post(
    "/grayzone-items/{int:item_id}/decline",
    response=ItemOut,
    summary="Decline the offer, with the reason: the item has no owner again",
)
def decline_grayzone_item(request, response: HttpResponse, item_id: int, payload: DeclineIn):
    user, item = _answering(request, item_id)
    with sync.if_match(request, item):
        services.item_decline(by=user, item=item, reason=payload.reason)
    return _answer(response, user, item_id)


@router.post(
    "/grayzone-items/{int:item_id}/escalate",
    response=ItemOut,
    summary="Ask the customer sponsor to decide the owner (PM, manager; shares the item with the customer)",
)
def escalate_grayzone_item(request, response: HttpResponse, item_id: int, payload: EscalateIn):
    user, _project, item = _writable(request, item_id, Perm.EDIT)
    with sync.if_match(request, item):
        services.item_escalate(by=user, item=item, note=payload.note)
    return _answer(response, user, item_id)


@router.post(
    "/grayzone-items/{int:item_id}/decide",
    response=ItemOut,
    summary="The customer sponsor decides who owns an escalated item (appended to the ledger)",
)
def decide_grayzone_item(request, response: HttpResponse, item_id: int, payload: DecideIn):
    user, _project, item = _writable(request, item_id, Perm.DECIDE)
    organization = _organization(payload.organization_id, "organization_id")
    person = _person_in(payload.person_id)
    with sync.if_match(request, item):
        services.item_decide(
            by=user, item=item, organization=organization, person=person, rationale=payload.rationale
        )
    return _answer(response, user, item_id)


def _comment_out(comment) -> dict:
    author = comment.author
    return {
        "id": comment.pk,
        "author_name": author.display_name if author else None,
        "author_organization": author.organization.name if author else None,
        "body": comment.body,
        "visibility": comment.visibility,
        "created_at": comment.created_at,
    }


@router.get(
    "/grayzone-items/{int:item_id}/comments",
    response=list[CommentOut],
    summary="The comments on an item written for an audience you belong to, oldest first",
)
@paginate(Pagination)
def list_grayzone_comments(request, item_id: int, updated_since: datetime | None = UPDATED_SINCE):
    user = request.auth
    _project, _role, item = selectors.item_by_id(user=user, pk=item_id)
    comments = sync.since(selectors.comments_for(user=user, item=item), updated_since, field="created_at")
    return [_comment_out(comment) for comment in comments]


@router.post(
    "/grayzone-items/{int:item_id}/comments",
    response={201: CommentOut},
    summary="Comment on an item (everyone who sees it, partner vendors on its share list included)",
)
def create_grayzone_comment(request, item_id: int, payload: CommentIn):
    user = request.auth
    _project, _role, item = selectors.item_by_id(user=user, pk=item_id)
    comment = services.comment_add(by=user, item=item, body=payload.body, vendor_only=payload.vendor_only)
    return Status(201, _comment_out(comment))


# The positions' routes register on the same router (imported last: they use the helpers above).
from . import position_api  # noqa: E402, F401
