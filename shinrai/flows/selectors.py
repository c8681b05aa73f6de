"""Reads of the flows app, always through :mod:`shinrai.core.access`.

A flow carries a ``visibility`` like other project items: vendor users see every flow, customer users the
flows shared with the customer, partner vendors only flows shared with partners. Linked requirements are
filtered by the requirements' own visibility, so a link never reveals a requirement the reader may not see.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.http import Http404

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Project, Role, User
from shinrai.requirements.models import Requirement

from .bpmn import parse
from .bpmn.model import ACTIVITY_KINDS
from .bpmn.render import RENDERER_VERSION, render_svg
from .models import BusinessFlow, FlowDiagram, FlowStep, FlowVersion, StepComment, StepRequirementLink

# Vendor members and customer members alike may upload, link and comment; partner vendors only read.
EDITOR_ROLES = frozenset(
    {Role.VENDOR_MANAGER, Role.VENDOR_PM, Role.VENDOR_MEMBER, Role.CUSTOMER_SPONSOR, Role.CUSTOMER_MEMBER}
)
# Steps that do work, and so should serve at least one requirement (events and gateways need none).
STEPS_NEEDING_REQUIREMENTS = ACTIVITY_KINDS
SVG_CACHE_SECONDS = 60 * 60 * 24  # drawings with marks; the key names the renderer version


def can_edit(role: Role | None) -> bool:
    return role in EDITOR_ROLES


def editable_project_for(user: User, pk) -> tuple[Project, Role]:
    """The project for an upload, link or comment: 404 when hidden or when the role only reads."""
    project, role = access.project_for(user, pk, Perm.VIEW)
    if not can_edit(role):
        raise Http404
    return project, role


def flows_for(*, user: User, project: Project) -> QuerySet[BusinessFlow]:
    queryset = access.items_visible_to(user, BusinessFlow.objects.filter(project=project))
    return queryset.select_related("current_version", "current_version__uploaded_by").annotate(
        version_count=Count("versions", distinct=True)
    )


def flow_for(*, user: User, project: Project, pk) -> BusinessFlow:
    try:
        return (
            access.items_visible_to(user, BusinessFlow.objects.filter(project=project))
            .select_related("current_version", "project")
            .get(pk=pk)
        )
    except (BusinessFlow.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def flow_by_id(*, user: User, pk) -> tuple[BusinessFlow, Role]:
    """A flow found by id alone (API /flows/{id}) with the user's role in its project; 404 when hidden."""
    try:
        flow = (
            access.items_visible_to(user, BusinessFlow.objects.all())
            .select_related("current_version", "project__vendor_org", "project__customer_org")
            .get(pk=pk)
        )
    except (BusinessFlow.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    role = access.role_in(user, flow.project)
    if role is None:
        raise Http404
    return flow, role


def versions_for(flow: BusinessFlow) -> QuerySet[FlowVersion]:
    return flow.versions.defer("source").select_related("uploaded_by").order_by("-number")


def version_for(flow: BusinessFlow, number) -> FlowVersion:
    try:
        return flow.versions.select_related("uploaded_by").get(number=number)
    except (FlowVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def diagrams_for(version: FlowVersion) -> QuerySet[FlowDiagram]:
    return version.diagrams.order_by("index")


def diagram_for(version: FlowVersion, index) -> FlowDiagram:
    try:
        return version.diagrams.get(index=index)
    except (FlowDiagram.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def steps_for(version: FlowVersion) -> QuerySet[FlowStep]:
    return version.steps.order_by("position")


def step_for(flow: BusinessFlow, element_id: str) -> FlowStep:
    """A step of the flow's current version; 404 for ids that are not (or no longer) a step."""
    if flow.current_version_id is None:
        raise Http404
    try:
        return FlowStep.objects.get(version_id=flow.current_version_id, element_id=element_id)
    except FlowStep.DoesNotExist:
        raise Http404 from None


def visible_requirements(*, user: User, project: Project) -> QuerySet[Requirement]:
    return access.items_visible_to(user, Requirement.objects.filter(project=project))


def links_for(
    *, user: User, flow: BusinessFlow, element_id: str | None = None
) -> QuerySet[StepRequirementLink]:
    queryset = flow.links.filter(requirement__in=visible_requirements(user=user, project=flow.project))
    if element_id is not None:
        queryset = queryset.filter(element_id=element_id)
    return queryset.select_related("requirement", "linked_by").order_by("element_id", "requirement__number")


def link_for(*, user: User, flow: BusinessFlow, pk) -> StepRequirementLink:
    try:
        return links_for(user=user, flow=flow).get(pk=pk)
    except (StepRequirementLink.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def comments_for(*, flow: BusinessFlow, element_id: str) -> QuerySet[StepComment]:
    return flow.comments.filter(element_id=element_id).select_related("author__organization")


def steps_serving(*, user: User, requirement: Requirement) -> list[tuple[BusinessFlow, FlowStep]]:
    """From a requirement: the flow steps (current versions of visible flows) it is linked to."""
    flows = flows_for(user=user, project=requirement.project)
    links = StepRequirementLink.objects.filter(requirement=requirement, flow__in=flows).select_related("flow")
    by_key = {(link.flow.current_version_id, link.element_id): link.flow for link in links}
    steps = FlowStep.objects.filter(
        version_id__in={version for version, _ in by_key}, element_id__in={element for _, element in by_key}
    )
    return [
        (by_key[(step.version_id, step.element_id)], step)
        for step in steps
        if (step.version_id, step.element_id) in by_key
    ]


@dataclass(frozen=True)
class Gaps:
    """What both sides should discuss: work steps no requirement serves, and requirements no step needs."""

    unlinked_steps: list[tuple[BusinessFlow, FlowStep]]
    unlinked_requirements: list[Requirement]


def gaps_for(*, user: User, project: Project) -> Gaps:
    """Four queries whatever the size: visible flows' current steps, their links, visible requirements."""
    flows = {
        flow.current_version_id: flow
        for flow in flows_for(user=user, project=project)
        if flow.current_version_id
    }
    requirements = list(
        visible_requirements(user=user, project=project)
        .exclude(status=Requirement.Status.WITHDRAWN)
        .order_by("number")
    )
    linked = set(
        StepRequirementLink.objects.filter(
            flow__current_version_id__in=flows, requirement__in=[r.pk for r in requirements]
        ).values_list("flow__current_version_id", "element_id", "requirement_id")
    )
    steps = list(FlowStep.objects.filter(version_id__in=flows).order_by("version_id", "position"))
    current = {(step.version_id, step.element_id) for step in steps}
    # A link to a step that the newest upload no longer has does not count: that step is gone.
    linked = {row for row in linked if (row[0], row[1]) in current}
    linked_steps = {(version, element) for version, element, _ in linked}
    linked_requirements = {requirement for _, _, requirement in linked}
    return Gaps(
        unlinked_steps=[
            (flows[step.version_id], step)
            for step in steps
            if step.kind in STEPS_NEEDING_REQUIREMENTS
            and (step.version_id, step.element_id) not in linked_steps
        ],
        unlinked_requirements=[r for r in requirements if r.pk not in linked_requirements],
    )


def link_counts(*, user: User, flow: BusinessFlow) -> dict[str, int]:
    """Element id → number of visible requirements linked to it (for the step list and the diagram)."""
    rows = links_for(user=user, flow=flow).order_by().values("element_id").annotate(n=Count("pk"))
    return {row["element_id"]: row["n"] for row in rows}


def step_counts(version_ids) -> dict[int, int]:
    """Version id → number of steps, for a list of flows (one query)."""
    versions = [version for version in version_ids if version]
    rows = FlowStep.objects.filter(version_id__in=versions).values("version_id").annotate(n=Count("pk"))
    return {row["version_id"]: row["n"] for row in rows}


def comment_counts(flow: BusinessFlow) -> dict[str, int]:
    """Element id → number of comments on that step (one query)."""
    rows = flow.comments.order_by().values("element_id").annotate(n=Count("pk"))
    return {row["element_id"]: row["n"] for row in rows}


def marked_svg(version: FlowVersion, index: int, marks: dict[str, str]) -> str:
    """A diagram drawn with highlights, rendered from the stored file on demand and cached.

    A version never changes after upload: (renderer, version, diagram, marks) names the picture for good.
    """
    digest = hashlib.sha256(json.dumps(sorted(marks.items())).encode()).hexdigest()[:24]
    key = f"flows:svg:r{RENDERER_VERSION}:{version.pk}:{index}:{digest}"
    svg = cache.get(key)
    if svg is None:
        svg = render_svg(parse(bytes(version.source)), index, marks=marks)
        cache.set(key, svg, SVG_CACHE_SECONDS)
    return svg
