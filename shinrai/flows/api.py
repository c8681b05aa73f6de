"""API: business flows — upload, versions, SVG, step links and comments, gaps, comparison.

Same conventions as shinrai/ledger/api.py: every flow and project is looked up through
``shinrai.core.access`` and :mod:`shinrai.flows.selectors`, so what the caller may not see answers 404; what
they may see but not change (partner viewers) answers 403; bad input, including a refused .bpmn file,
answers 422 with the shape of shinrai/api/urls.py. Uploads are multipart forms; their fields are all
optional in the signature so that access is decided before the input is checked (a hidden project answers
404 whatever was sent).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination
from shinrai.api.types import RowId
from shinrai.core import access
from shinrai.core.models import Role, Visibility
from shinrai.requirements.models import Requirement

from . import selectors, services
from .bpmn import BpmnRejected, Limits
from .bpmn.compare import StepRef, compare_steps
from .models import BusinessFlow, FlowDiagram
from .rejections import message_for

router = Router(tags=["flows"])
UPDATED_SINCE = sync.updated_since_param()

MAX_UPLOAD = Limits().max_bytes
# The stored SVG is our own sanitized output; the headers make sure a browser opening it directly runs
# nothing and guesses no other type.
SVG_HEADERS = {"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"}


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class FlowOut(Schema):
    id: int
    project: int
    title: str
    description: str
    visibility: str
    current_version: int | None = Field(description="Number of the newest version")
    version_count: int
    updated_at: datetime


class DiagramOut(Schema):
    index: int = Field(description="0-based; use it in …/diagrams/{index}.svg")
    name: str


class VersionOut(Schema):
    number: int
    filename: str
    sha256: str
    note: str
    uploaded_by: str
    uploaded_at: datetime
    diagrams: list[DiagramOut]


class FlowDetailOut(FlowOut):
    can_edit: bool
    versions: list[VersionOut]


class RequirementRef(Schema):
    id: int
    ref: str


class StepOut(Schema):
    element_id: str
    kind: str
    name: str
    lane: str
    diagram_index: int | None
    requirements: list[RequirementRef] = Field(description="Linked requirements the caller may see")


class LinkOut(Schema):
    id: int
    element_id: str
    requirement_id: int
    requirement_ref: str
    linked_by: str
    linked_at: datetime


class LinkIn(_Input):
    element_id: str = Field(min_length=1, max_length=255)
    requirement_id: RowId


class FlowPatch(_Input):
    """Only the fields sent are changed."""

    # Defaults are not validated: an omitted field stays unset while an explicit null is refused.
    title: str = Field(None, min_length=1, max_length=200)
    description: str = Field(None, max_length=20000)
    visibility: Visibility = Field(
        None, description='Customers cannot choose "internal": they would hide the flow from themselves'
    )


class CommentOut(Schema):
    id: int
    element_id: str
    author: str
    organization: str
    body: str
    created_at: datetime


class CommentIn(_Input):
    body: str = Field(min_length=1, max_length=services.MAX_COMMENT)


class GapStepOut(Schema):
    flow_id: int
    flow_title: str
    element_id: str
    kind: str
    name: str
    lane: str


class GapRequirementOut(Schema):
    id: int
    ref: str
    text: str


class GapsOut(Schema):
    unlinked_steps: list[GapStepOut]
    unlinked_requirements: list[GapRequirementOut]


class CompareStepOut(Schema):
    element_id: str
    kind: str
    name: str


class RenamedOut(Schema):
    element_id: str
    kind: str
    old_name: str
    new_name: str


class CompareOut(Schema):
    from_version: int
    to_version: int
    added: list[CompareStepOut]
    removed: list[CompareStepOut]
    renamed: list[RenamedOut]


# --- Lookups ---------------------------------------------------------------------------------------------


def _flow(user, flow_id: int) -> tuple[BusinessFlow, Role]:
    """A flow the caller may see, with their role in its project; 404 when missing or hidden."""
    return selectors.flow_by_id(user=user, pk=flow_id)


def _require_editor(role: Role) -> None:
    if not selectors.can_edit(role):
        raise HttpError(403, "Forbidden")


def _flow_out(flow: BusinessFlow, version_count: int) -> dict:
    return {
        "id": flow.pk,
        "project": flow.project_id,
        "title": flow.title,
        "description": flow.description,
        "visibility": flow.visibility,
        "current_version": flow.current_version.number if flow.current_version else None,
        "version_count": version_count,
        "updated_at": flow.updated_at,
    }


def _detail_out(flow: BusinessFlow, role: Role) -> dict:
    versions = list(
        selectors.versions_for(flow).prefetch_related(
            Prefetch("diagrams", queryset=FlowDiagram.objects.only("id", "version_id", "index", "name"))
        )
    )
    return _flow_out(flow, len(versions)) | {
        "can_edit": selectors.can_edit(role),
        "versions": [
            {
                "number": version.number,
                "filename": version.filename,
                "sha256": version.sha256,
                "note": version.note,
                "uploaded_by": version.uploaded_by.get_full_name(),
                "uploaded_at": version.uploaded_at,
                "diagrams": [{"index": d.index, "name": d.name} for d in version.diagrams.all()],
            }
            for version in versions
        ],
    }


def _read_upload(file: UploadedFile | None) -> tuple[bytes, str]:
    """The uploaded file's bytes; the size is checked before anything is read."""
    if file is None:
        raise ValidationError({"file": _("Choose a .bpmn file to upload.")})
    if file.size is not None and file.size > MAX_UPLOAD:
        raise ValidationError({"file": message_for(BpmnRejected("too_large", limit=MAX_UPLOAD // 2**20))})
    data = file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:  # a client that lied about the size
        raise ValidationError({"file": message_for(BpmnRejected("too_large", limit=MAX_UPLOAD // 2**20))})
    return data, file.name or ""


def _link_out(link) -> dict:
    return {
        "id": link.pk,
        "element_id": link.element_id,
        "requirement_id": link.requirement_id,
        "requirement_ref": link.requirement.ref,
        "linked_by": link.linked_by.get_full_name(),
        "linked_at": link.linked_at,
    }


def _comment_out(comment) -> dict:
    return {
        "id": comment.pk,
        "element_id": comment.element_id,
        "author": comment.author.get_full_name(),
        "organization": comment.author.organization.name,
        "body": comment.body,
        "created_at": comment.created_at,
    }


# --- Flows and versions ----------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/flows",
    response=list[FlowOut],
    url_name="flows",
    summary="The project's business flows the caller may see, by title",
)
@paginate(Pagination)
def list_flows(request, project_id: int, updated_since: datetime | None = UPDATED_SINCE):
    user = request.auth
    project, _role = access.project_for(user, project_id)
    flows = sync.since(selectors.flows_for(user=user, project=project), updated_since)
    return [_flow_out(flow, flow.version_count) for flow in flows]


@router.post(
    "/projects/{int:project_id}/flows",
    response={201: FlowDetailOut},
    url_name="flow_create",
    summary="Upload a .bpmn file as a new flow (multipart: title, description, visibility, note, file); "
    "partner viewers get 403, a refused file 422 and nothing stored",
)
def create_flow(
    request,
    project_id: int,
    title: Form[str] = "",
    description: Form[str] = "",
    visibility: Form[str] = Visibility.CUSTOMER,
    note: Form[str] = "",
    file: File[UploadedFile] = None,
):
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require_editor(role)
    data, filename = _read_upload(file)
    flow = services.flow_create(
        by=user,
        project=project,
        title=title,
        description=description,
        visibility=visibility,
        note=note,
        data=data,
        filename=filename,
    )
    flow, role = _flow(user, flow.pk)
    return Status(201, _detail_out(flow, role))


@router.get(
    "/flows/{int:flow_id}", response=FlowDetailOut, url_name="flow", summary="A flow and its versions"
)
def get_flow(request, response: HttpResponse, flow_id: int):
    """The ``ETag`` header names this state, a new version included (``If-None-Match`` answers 304)."""
    flow, role = _flow(request.auth, flow_id)
    if unchanged := sync.not_modified(request, flow):
        return unchanged
    sync.set_etag(response, flow)
    return _detail_out(flow, role)


@router.patch(
    "/flows/{int:flow_id}",
    response=FlowDetailOut,
    url_name="flow_update",
    summary="Change a flow's title, description or who may see it (vendor and customer members; partner "
    "viewers get 403)",
)
def update_flow(request, response: HttpResponse, flow_id: int, payload: FlowPatch):
    """As the flow's edit page: the fields not sent keep their values. 412 when ``If-Match`` names a state
    that has changed since (nothing is stored)."""
    user = request.auth
    flow, role = _flow(user, flow_id)
    _require_editor(role)
    data = payload.model_dump(exclude_unset=True)
    if data.get("visibility") == Visibility.INTERNAL and not access.is_vendor_user(user):
        # The edit page does not offer it to customers (flows.forms.visibility_choices).
        raise ValidationError({"visibility": _("Choose who may see the flow.")})
    values = {"title": flow.title, "description": flow.description, "visibility": flow.visibility} | data
    with sync.if_match(request, flow):
        services.flow_update(by=user, flow=flow, **values)
    flow, role = _flow(user, flow.pk)  # 404 if the caller narrowed it out of their own sight
    sync.set_etag(response, flow)
    return _detail_out(flow, role)


@router.post(
    "/flows/{int:flow_id}/versions",
    response={201: VersionOut},
    url_name="flow_version_upload",
    summary="Upload a new version of a flow (multipart: note, file); older versions stay",
)
def upload_version(request, flow_id: int, note: Form[str] = "", file: File[UploadedFile] = None):
    user = request.auth
    flow, role = _flow(user, flow_id)
    _require_editor(role)
    data, filename = _read_upload(file)
    version = services.version_upload(by=user, flow=flow, data=data, filename=filename, note=note)
    return Status(
        201,
        {
            "number": version.number,
            "filename": version.filename,
            "sha256": version.sha256,
            "note": version.note,
            "uploaded_by": user.get_full_name(),
            "uploaded_at": version.uploaded_at,
            "diagrams": [{"index": d.index, "name": d.name} for d in selectors.diagrams_for(version)],
        },
    )


def _svg_response(flow: BusinessFlow, number: int, index) -> HttpResponse:
    diagram = selectors.diagram_for(selectors.version_for(flow, number), index)
    response = HttpResponse(diagram.svg, content_type="image/svg+xml; charset=utf-8")
    for header, value in SVG_HEADERS.items():
        response[header] = value
    return response


@router.get(
    "/flows/{int:flow_id}/versions/{int:number}/diagrams/{int:index}.svg",
    url_name="flow_diagram_svg",
    summary="One diagram of a version as SVG (index from the version's diagrams, 0-based)",
)
def get_diagram_svg(request, flow_id: int, number: int, index: int):
    flow, _role = _flow(request.auth, flow_id)
    return _svg_response(flow, number, index)


@router.get(
    "/flows/{int:flow_id}/versions/{int:number}/svg",
    url_name="flow_svg",
    summary="A diagram of a version as SVG, chosen with ?diagram=N (default 0)",
)
def get_svg(request, flow_id: int, number: int, diagram: int = Query(0, ge=0, le=2**31 - 1)):
    flow, _role = _flow(request.auth, flow_id)
    return _svg_response(flow, number, diagram)


@router.get(
    "/flows/{int:flow_id}/versions/{int:number}/source",
    url_name="flow_source",
    summary="The .bpmn file exactly as it was uploaded (download)",
)
def get_source(request, flow_id: int, number: int):
    flow, _role = _flow(request.auth, flow_id)
    version = selectors.version_for(flow, number)
    response = HttpResponse(bytes(version.source), content_type="application/octet-stream")
    response["Content-Disposition"] = _attachment(version.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(filename: str) -> str:
    return content_disposition_header(as_attachment=True, filename=filename or "diagram.bpmn")


# --- Steps, links, comments --------------------------------------------------------------------------------


@router.get(
    "/flows/{int:flow_id}/steps",
    response=list[StepOut],
    url_name="flow_steps",
    summary="The steps of the newest version, with the linked requirements the caller may see",
)
def list_steps(request, flow_id: int):
    user = request.auth
    flow, _role = _flow(user, flow_id)
    if flow.current_version is None:
        return []
    linked: dict[str, list[dict]] = {}
    for link in selectors.links_for(user=user, flow=flow):
        linked.setdefault(link.element_id, []).append(
            {"id": link.requirement_id, "ref": link.requirement.ref}
        )
    return [
        {
            "element_id": step.element_id,
            "kind": step.kind,
            "name": step.name,
            "lane": step.lane,
            "diagram_index": step.diagram_index,
            "requirements": linked.get(step.element_id, []),
        }
        for step in selectors.steps_for(flow.current_version)
    ]


@router.get(
    "/flows/{int:flow_id}/links",
    response=list[LinkOut],
    url_name="flow_links",
    summary="Step → requirement links (only requirements the caller may see)",
)
def list_links(request, flow_id: int):
    user = request.auth
    flow, _role = _flow(user, flow_id)
    return [_link_out(link) for link in selectors.links_for(user=user, flow=flow)]


@router.post(
    "/flows/{int:flow_id}/links",
    response={201: LinkOut},
    url_name="flow_link_add",
    summary="Link a requirement to a step of the newest version (404 for a requirement the caller may "
    "not see, 422 for one of another project or a step that is not in the newest version)",
)
def add_link(request, flow_id: int, payload: LinkIn):
    user = request.auth
    flow, role = _flow(user, flow_id)
    _require_editor(role)
    try:
        requirement = access.items_visible_to(user, Requirement.objects.all()).get(pk=payload.requirement_id)
    except Requirement.DoesNotExist:
        raise Http404 from None
    link = services.link_add(by=user, flow=flow, element_id=payload.element_id, requirement=requirement)
    return Status(201, _link_out(selectors.link_for(user=user, flow=flow, pk=link.pk)))


@router.delete(
    "/flows/{int:flow_id}/links/{int:link_id}",
    response={204: None},
    url_name="flow_link_delete",
    summary="Remove a link",
)
def delete_link(request, flow_id: int, link_id: int):
    user = request.auth
    flow, role = _flow(user, flow_id)
    link = selectors.link_for(user=user, flow=flow, pk=link_id)
    _require_editor(role)
    services.link_remove(by=user, link=link)
    return Status(204, None)


@router.get(
    "/flows/{int:flow_id}/steps/{element_id}/comments",
    response=list[CommentOut],
    url_name="flow_step_comments",
    summary="Comments on one step, oldest first",
)
def list_comments(request, flow_id: int, element_id: str):
    flow, _role = _flow(request.auth, flow_id)
    return [_comment_out(c) for c in selectors.comments_for(flow=flow, element_id=element_id)]


@router.post(
    "/flows/{int:flow_id}/steps/{element_id}/comments",
    response={201: CommentOut},
    url_name="flow_comment_add",
    summary="Comment on a step of the newest version (vendor and customer members; partners get 403)",
)
def add_comment(request, flow_id: int, element_id: str, payload: CommentIn):
    user = request.auth
    flow, role = _flow(user, flow_id)
    _require_editor(role)
    comment = services.comment_add(by=user, flow=flow, element_id=element_id, body=payload.body)
    return Status(201, _comment_out(comment))


# --- Project-wide views ------------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/flow-gaps",
    response=GapsOut,
    url_name="flow_gaps",
    summary="Work steps no visible requirement serves, and visible requirements no step needs",
)
def get_flow_gaps(request, project_id: int):
    user = request.auth
    project, _role = access.project_for(user, project_id)
    gaps = selectors.gaps_for(user=user, project=project)
    return {
        "unlinked_steps": [
            {
                "flow_id": flow.pk,
                "flow_title": flow.title,
                "element_id": step.element_id,
                "kind": step.kind,
                "name": step.name,
                "lane": step.lane,
            }
            for flow, step in gaps.unlinked_steps
        ],
        "unlinked_requirements": [
            {"id": r.pk, "ref": r.ref, "text": r.text} for r in gaps.unlinked_requirements
        ],
    }


def _step_refs(version) -> list[StepRef]:
    return [StepRef(s.element_id, s.kind, s.name) for s in selectors.steps_for(version)]


@router.get(
    "/flows/{int:flow_id}/compare",
    response=CompareOut,
    url_name="flow_compare",
    summary="Steps added, removed and renamed between two versions (?from=N&to=M), matched by element id; "
    "without them, the newest version against the one before",
)
def compare_versions(
    request,
    flow_id: int,
    from_: int | None = Query(
        None, alias="from", ge=0, le=2**31 - 1, description="Older version; default: the one before `to`"
    ),
    to: int | None = Query(None, ge=0, le=2**31 - 1, description="Newer version; default: the newest"),
):
    flow, _role = _flow(request.auth, flow_id)
    newest = flow.current_version.number if flow.current_version else 0
    to = newest if to is None else to
    from_ = max(to - 1, 1) if from_ is None else from_
    old, new = selectors.version_for(flow, from_), selectors.version_for(flow, to)
    result = compare_steps(_step_refs(old), _step_refs(new))

    def out(step: StepRef) -> dict:
        return {"element_id": step.element_id, "kind": step.kind, "name": step.name}

    return {
        "from_version": old.number,
        "to_version": new.number,
        "added": [out(s) for s in result.added],
        "removed": [out(s) for s in result.removed],
        "renamed": [
            {"element_id": n.element_id, "kind": n.kind, "old_name": o.name, "new_name": n.name}
            for o, n in result.renamed
        ],
    }
