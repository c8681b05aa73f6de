"""Write operations of the flows app: one function per business action, transactional, audited.

An upload is parsed and rendered completely before anything is written, so a refused or broken file stores
nothing; the version number is taken under a row lock on the flow, so two uploads at once get 1 and 2.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shinrai.core.models import Project, User, Visibility
from shinrai.core.services import audit_record
from shinrai.requirements.models import Requirement

from .bpmn import BpmnRejected, Model, parse
from .bpmn.render import render_svg
from .models import BusinessFlow, FlowDiagram, FlowStep, FlowVersion, StepComment, StepRequirementLink
from .rejections import message_for

MAX_COMMENT = 4000


def parse_upload(data: bytes) -> Model:
    """Parse an uploaded file or raise ValidationError({"file": …}) with the reason in the user's language."""
    try:
        return parse(data)
    except BpmnRejected as error:
        raise ValidationError({"file": message_for(error)}) from None


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the flow a title.")})
    if len(title) > 200:
        raise ValidationError({"title": _("The title can be at most 200 characters.")})
    return title


def _clean_visibility(visibility: str) -> str:
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who may see the flow.")})
    return visibility


def _customer_visibility(by: User, visibility: str) -> str:
    # A customer user cannot hide a flow from themselves: "vendor only" becomes "vendor and customer".
    if by.organization.kind != "vendor" and visibility == Visibility.INTERNAL:
        return Visibility.CUSTOMER
    return visibility


@transaction.atomic
def flow_create(
    *,
    by: User,
    project: Project,
    title: str,
    data: bytes,
    filename: str,
    description: str = "",
    visibility: str = Visibility.CUSTOMER,
    note: str = "",
) -> BusinessFlow:
    """A new flow with its first version (the file is checked before the flow is created)."""
    title = _clean_title(title)
    visibility = _customer_visibility(by, _clean_visibility(visibility))
    model = parse_upload(data)
    flow = BusinessFlow.objects.create(
        project=project, title=title, description=description or "", visibility=visibility, created_by=by
    )
    audit_record(actor=by, action="flow.create", obj=flow, project=project, after={"title": title})
    _store_version(by=by, flow=flow, model=model, data=data, filename=filename, note=note)
    return flow


@transaction.atomic
def flow_update(
    *, by: User, flow: BusinessFlow, title: str, description: str, visibility: str
) -> BusinessFlow:
    before = {"title": flow.title, "visibility": flow.visibility}
    flow.title = _clean_title(title)
    flow.description = description or ""
    flow.visibility = _customer_visibility(by, _clean_visibility(visibility))
    flow.save(update_fields=["title", "description", "visibility", "updated_at"])
    audit_record(
        actor=by,
        action="flow.update",
        obj=flow,
        project=flow.project,
        before=before,
        after={"title": flow.title, "visibility": flow.visibility},
    )
    return flow


@transaction.atomic
def version_upload(
    *, by: User, flow: BusinessFlow, data: bytes, filename: str, note: str = ""
) -> FlowVersion:
    """A new version of an existing flow; the older versions stay as they were."""
    model = parse_upload(data)
    locked = BusinessFlow.objects.select_for_update().get(pk=flow.pk)
    version = _store_version(by=by, flow=locked, model=model, data=data, filename=filename, note=note)
    flow.current_version = version  # the caller's copy shows the new version too
    return version


def _store_version(
    *, by: User, flow: BusinessFlow, model: Model, data: bytes, filename: str, note: str
) -> FlowVersion:
    # Render every diagram first: a renderer failure must leave nothing behind (the transaction rolls back).
    rendered = [
        (index, diagram.name, render_svg(model, index)) for index, diagram in enumerate(model.diagrams)
    ]
    number = (flow.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = FlowVersion.objects.create(
        flow=flow,
        number=number,
        filename=(filename or "diagram.bpmn")[-255:],
        source=data,
        sha256=hashlib.sha256(data).hexdigest(),
        note=(note or "").strip()[:300],
        uploaded_by=by,
    )
    FlowDiagram.objects.bulk_create(
        FlowDiagram(version=version, index=index, name=name[:500], svg=svg) for index, name, svg in rendered
    )
    lanes = model.lane_of()
    FlowStep.objects.bulk_create(
        FlowStep(
            version=version,
            element_id=element.id[:255],
            kind=element.kind,
            name=element.name,
            lane=lanes.get(element.id, ""),
            diagram_index=model.diagram_of(element.id),
            position=position,
        )
        for position, element in enumerate(model.steps())
    )
    flow.current_version = version
    flow.save(update_fields=["current_version", "updated_at"])
    audit_record(
        actor=by,
        action="flow.version_upload",
        obj=version,
        project=flow.project,
        after={"number": number, "filename": version.filename, "sha256": version.sha256},
    )
    return version


@transaction.atomic
def link_add(
    *, by: User, flow: BusinessFlow, element_id: str, requirement: Requirement
) -> StepRequirementLink:
    """Attach a requirement to a step of the current version; linking twice is harmless."""
    if requirement.project_id != flow.project_id:
        raise ValidationError({"requirement": _("Choose a requirement of this project.")})
    if (
        flow.current_version_id is None
        or not FlowStep.objects.filter(version_id=flow.current_version_id, element_id=element_id).exists()
    ):
        raise ValidationError({"element_id": _("This step is not in the newest version of the flow.")})
    link, created = StepRequirementLink.objects.get_or_create(
        flow=flow, element_id=element_id, requirement=requirement, defaults={"linked_by": by}
    )
    if created:
        audit_record(
            actor=by,
            action="flow.link_add",
            obj=link,
            project=flow.project,
            after={"step": element_id, "requirement": requirement.ref},
        )
    return link


@transaction.atomic
def link_remove(*, by: User, link: StepRequirementLink) -> None:
    audit_record(
        actor=by,
        action="flow.link_remove",
        obj=link,
        project=link.flow.project,
        before={"step": link.element_id, "requirement": link.requirement.ref},
    )
    link.delete()


@transaction.atomic
def comment_add(*, by: User, flow: BusinessFlow, element_id: str, body: str) -> StepComment:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    if len(body) > MAX_COMMENT:
        raise ValidationError({"body": _("A comment can be at most %(n)s characters.") % {"n": MAX_COMMENT}})
    if (
        flow.current_version_id is None
        or not FlowStep.objects.filter(version_id=flow.current_version_id, element_id=element_id).exists()
    ):
        raise ValidationError({"element_id": _("This step is not in the newest version of the flow.")})
    comment = StepComment.objects.create(flow=flow, element_id=element_id, author=by, body=body)
    audit_record(actor=by, action="flow.comment_add", obj=comment, project=flow.project)
    return comment


@transaction.atomic
def version_rerender(version: FlowVersion) -> int:
    """Redraw a stored version's diagrams with the current renderer (after an upgrade changed the drawing).

    The file itself is unchanged; returns the number of diagrams redrawn.
    """
    model = parse(bytes(version.source))
    stored = {diagram.index: diagram for diagram in version.diagrams.all()}
    for index in range(len(model.diagrams)):
        diagram = stored.get(index)
        if diagram is not None:
            diagram.svg = render_svg(model, index)
    FlowDiagram.objects.bulk_update(stored.values(), ["svg"])
    return len(stored)
