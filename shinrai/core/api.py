"""API endpoints of the core app: projects, read through the access-control layer."""

from datetime import date, datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination

from . import access, selectors
from .models import AuditEvent

router = Router(tags=["projects"])
# The list filter of shinrai/api/sync.py, made once (a call in an argument default runs once anyway).
UPDATED_SINCE = sync.updated_since_param()


class OrganizationOut(Schema):
    id: int
    name: str


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    summary: str
    phase: str
    phase_label: str
    start_date: date | None
    end_date: date | None
    updated_at: datetime
    vendor: OrganizationOut = Field(alias="vendor_org")
    customer: OrganizationOut = Field(alias="customer_org")

    model_config = ConfigDict(populate_by_name=True)


class MemberOut(Schema):
    user_id: int
    name: str
    organization: OrganizationOut
    role: str = Field(description="vendor_manager, vendor_pm, vendor_member, customer_sponsor, …")
    role_label: str = Field(description="The role in the request's language")


class ActivityOut(Schema):
    id: int
    at: datetime
    action: str = Field(examples=["member.add"], description="What was done, as the audit log names it")
    action_label: str = Field(description="The action in the request's language")
    actor_id: int | None = Field(description="Null when the system did it (an import, a scheduled job)")
    actor_name: str | None = Field(description="Who did it; null when the system did it")
    member: str | None = Field(
        description="The person a member change is about (their e-mail address), when the event names one"
    )
    changed_fields: list[str] = Field(
        description="For a change of the project's details: the changed fields' names in the request's "
        "language; otherwise empty"
    )

    # Only what the project page's "Recent changes" shows of an event: never its before/after values.
    @staticmethod
    def resolve_actor_name(event: AuditEvent) -> str | None:
        return event.actor.display_name if event.actor else None

    @staticmethod
    def resolve_member(event: AuditEvent) -> str | None:
        user = event.after.get("user") if isinstance(event.after, dict) else None
        return str(user) if user else None

    @staticmethod
    def resolve_changed_fields(event: AuditEvent) -> list[str]:
        return event.changed_field_labels if event.action == "project.update" else []


class ProjectDetailOut(ProjectOut):
    role: str
    contract_amount: int | None = None
    internal_note: str | None = None


@router.get("/projects/", response=list[ProjectOut], summary="Projects you may see")
@paginate(Pagination)
def list_projects(request, updated_since: datetime | None = UPDATED_SINCE):
    return sync.since(selectors.portfolio_projects(user=request.auth), updated_since)


@router.get(
    "/projects/{int:project_id}", response=ProjectDetailOut, summary="One project (404 if not visible)"
)
def get_project(request, response: HttpResponse, project_id: int):
    """404 when not visible. The ``ETag`` header names this state (``If-None-Match`` answers 304)."""
    project, role = access.project_for(request.auth, project_id)
    if unchanged := sync.not_modified(request, project):
        return unchanged
    sync.set_etag(response, project)
    perms = access.ROLE_PERMS[role]
    # Built field by field from the list schema, so that vendor-only fields stay out unless granted.
    data = ProjectOut.from_orm(project).model_dump() | {"role": role.value}
    if access.Perm.SEE_INTERNAL in perms:
        data["internal_note"] = project.internal_note
    if role != access.Role.PARTNER_VIEWER:
        # The contract value is shared between vendor and customer, never with third-party vendors.
        amount = project.contract_amount
        data["contract_amount"] = int(amount) if amount is not None else None
    return data


@router.get(
    "/projects/{int:project_id}/members",
    response=list[MemberOut],
    summary="Who is on a project, with their organization and role (vendor and customer roles; partner "
    "vendors get 403)",
)
@paginate(Pagination)
def list_project_members(request, project_id: int):
    """As the project's page (vendor roles) and the portal's "People on this project" (customers) list
    them, by role then name. The portal does not show the members to partner vendors: 403 for them."""
    project, role = access.project_for(request.auth, project_id)
    if role == access.Role.PARTNER_VIEWER:
        raise HttpError(403, "Forbidden")
    return [
        {
            "user_id": member.user_id,
            "name": member.user.display_name,
            "organization": member.user.organization,
            "role": member.role,
            "role_label": str(member.get_role_display()),
        }
        for member in selectors.project_members(project=project)
    ]


@router.get(
    "/projects/{int:project_id}/activity",
    response=list[ActivityOut],
    summary="The project's recent changes, newest first (vendor roles; 403 for others who can see the "
    "project)",
)
@paginate(Pagination)
def list_project_activity(request, project_id: int):
    """The audit events of the project, as its page's "Recent changes" lists them (the page shows the latest
    ten): every write on the project by anyone, vendor-only items included. That page is the vendor's; the
    customer's and partners' portal shows no such list, so they get 403."""
    project, role = access.project_for(request.auth, project_id)
    if access.Perm.SEE_INTERNAL not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")
    # The page's selector (project_recent_audit) slices to ten; the API pages through the whole history.
    return selectors.project_audit_events(project=project)
