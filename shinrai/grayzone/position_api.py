"""API endpoints of anticipated questions (positions), on the gray-zone router.

Vendor roles read every position, drafts included, as stored; a customer or a partner vendor reads what was
shared with them: the newest version written for their audience (``text_version`` says which), and the list
of those versions. 404 for what the caller may not see, 403 for what they may see but not do, 422 for bad
input. ``PATCH`` honours ``If-Match`` (412 when the position changed since); after sharing, each change is a
new version.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from shinrai.api import sync
from shinrai.api.pagination import Pagination
from shinrai.api.types import RowId
from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Organization, User

from . import selectors, services
from .api import MAX_PARTNERS, OrgRef, _Input, _org, _require, router
from .models import Position, PositionVersion

UPDATED_SINCE = sync.updated_since_param()


class PositionOut(Schema):
    id: int
    project_id: int
    ref: str = Field(examples=["Q-001"])
    question: str
    meeting: str
    meeting_on: date | None
    facts: str
    options: str
    recommendation: str
    version: int = Field(description="0: a draft (vendor only); then the number of the latest version")
    text_version: int = Field(description="The version whose text is shown (0: the draft)")
    visibility: str
    shared_with: list[OrgRef]
    shared_at: datetime | None
    author_name: str | None
    created_at: datetime
    updated_at: datetime


class PositionIn(_Input):
    question: str = Field(min_length=1, max_length=300)
    meeting: str = Field("", max_length=200)
    meeting_on: date | None = None
    facts: str = Field(min_length=1)
    options: str = ""
    recommendation: str = Field(min_length=1)


class PositionPatch(_Input):
    question: str = Field(None, min_length=1, max_length=300)
    meeting: str = Field(None, max_length=200)
    meeting_on: date | None = Field(None)
    facts: str = Field(None, min_length=1)
    options: str = Field(None)
    recommendation: str = Field(None, min_length=1)
    note: str = Field("", max_length=300, description="What changed (kept with the new version)")


class PositionShareIn(_Input):
    visibility: Literal["customer", "partners"]
    partner_ids: list[RowId] = Field([], max_length=MAX_PARTNERS)


class VersionOut(Schema):
    number: int
    question: str
    meeting: str
    meeting_on: date | None
    facts: str
    options: str
    recommendation: str
    note: str
    visibility: str = Field(description="Who it was shared with when written: customer or partners")
    written_by: str | None
    created_at: datetime


TEXT = ("question", "meeting", "meeting_on", "facts", "options", "recommendation")


def _out(position: Position, *, user: User, latest: PositionVersion | None) -> dict:
    """Vendor roles: the position as stored. Others: the text of ``latest`` (their newest version)."""
    text = position if access.is_vendor_user(user) else latest
    return {
        "id": position.pk,
        "project_id": position.project_id,
        "ref": position.ref,
        **{name: getattr(text, name) for name in TEXT},
        "version": position.version if text is position else latest.number,
        "text_version": position.version if text is position else latest.number,
        "visibility": position.visibility,
        "shared_with": [_org(share.organization) for share in position.shares.all()],
        "shared_at": position.shared_at,
        "author_name": position.author.display_name if position.author_id else None,
        "created_at": position.created_at,
        "updated_at": position.updated_at,
    }


def _visible(user: User, positions: list[Position]) -> list[dict]:
    if access.is_vendor_user(user):
        return [_out(p, user=user, latest=None) for p in positions]
    latest = {v.position_id: v for v in selectors.latest_versions(user=user, positions=positions)}
    return [_out(p, user=user, latest=latest[p.pk]) for p in positions if p.pk in latest]


def _position(user: User, position_id: int):
    project, role, position = selectors.position_by_id(user=user, pk=position_id)
    [data] = _visible(user, [position]) or [None]
    if data is None:
        raise Http404
    return project, role, position, data


def _answer(response: HttpResponse, user: User, position_id: int) -> dict:
    _project, _role, position, data = _position(user, position_id)
    sync.set_etag(response, position)
    return data


@router.get(
    "/projects/{int:project_id}/positions",
    response=list[PositionOut],
    summary="Anticipated questions of a project: all for vendor roles, the shared ones for others",
)
@paginate(Pagination)
def list_positions(request, project_id: int, updated_since: datetime | None = UPDATED_SINCE):
    user = request.auth
    project, _role = access.project_for(user, project_id)
    queryset = selectors.positions_for(user=user, project=project).order_by("-number")
    queryset = sync.since(queryset, updated_since)
    # A partner vendor sees only its own organization on the share list.
    shares = Prefetch("shares", queryset=selectors.position_shares(user))
    return _visible(user, list(queryset.prefetch_related(shares)))


@router.get("/positions/{int:position_id}", response=PositionOut, summary="One anticipated question")
def get_position(request, response: HttpResponse, position_id: int):
    user = request.auth
    _project, _role, position, data = _position(user, position_id)
    if unchanged := sync.not_modified(request, position):
        return unchanged
    sync.set_etag(response, position)
    return data


@router.post(
    "/projects/{int:project_id}/positions",
    response={201: PositionOut},
    summary="Write an anticipated question (vendor roles; a vendor-only draft until shared)",
)
def create_position(request, response: HttpResponse, project_id: int, payload: PositionIn):
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    position = services.position_create(by=user, project=project, **payload.model_dump())
    return Status(201, _answer(response, user, position.pk))


@router.patch(
    "/positions/{int:position_id}",
    response=PositionOut,
    summary="Change a position (vendor roles); once shared, each change is a new version",
)
def update_position(request, response: HttpResponse, position_id: int, payload: PositionPatch):
    user = request.auth
    _project, role, position, _data = _position(user, position_id)
    _require(role, Perm.CONTRIBUTE)
    fields = payload.model_dump(exclude_unset=True)
    note = fields.pop("note", "")
    with sync.if_match(request, position):
        services.position_update(by=user, position=position, note=note, **fields)
    return _answer(response, user, position_id)


@router.post(
    "/positions/{int:position_id}/share",
    response=PositionOut,
    summary="Share a position with the customer, or also with chosen partner vendors (PM, manager)",
)
def share_position(request, response: HttpResponse, position_id: int, payload: PositionShareIn):
    user = request.auth
    _project, role, position, _data = _position(user, position_id)
    _require(role, Perm.EDIT)
    ids = list(dict.fromkeys(payload.partner_ids))
    partners = list(Organization.objects.filter(pk__in=ids))
    if len(partners) != len(ids):
        raise ValidationError({"partner_ids": _("Choose partner vendors of this project.")})
    with sync.if_match(request, position):
        services.position_share(by=user, position=position, visibility=payload.visibility, partners=partners)
    return _answer(response, user, position_id)


def _version_out(version: PositionVersion) -> dict:
    return {
        **{name: getattr(version, name) for name in TEXT},
        "number": version.number,
        "note": version.note,
        "visibility": version.visibility,
        "written_by": version.written_by.display_name if version.written_by_id else None,
        "created_at": version.created_at,
    }


@router.get(
    "/positions/{int:position_id}/versions",
    response=list[VersionOut],
    summary="The shared versions of a position you may read, newest first",
)
@paginate(Pagination)
def list_position_versions(request, position_id: int):
    user = request.auth
    _project, _role, position, _data = _position(user, position_id)
    return [_version_out(v) for v in selectors.versions_for(user=user, position=position)]


@router.get(
    "/positions/{int:position_id}/versions/{int:number}",
    response=VersionOut,
    summary="One shared version of a position",
)
def get_position_version(request, position_id: int, number: int):
    user = request.auth
    _project, _role, position, _data = _position(user, position_id)
    return _version_out(selectors.version_for(user=user, position=position, number=number))
