"""Pages of the flows app (thin: parse the request, call a selector or service, render).

Reading needs Perm.VIEW on the project and a flow whose visibility the user may see; every write goes through
``selectors.editable_project_for`` so partner viewers (read-only) get 404, like the other apps' pages.
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import access, locking
from shinrai.core.access import Perm
from shinrai.requirements.models import Requirement

from . import pdf, services
from . import selectors as sel
from .bpmn.compare import StepRef, compare_steps
from .forms import AttachForm, CommentForm, CompareForm, FlowCreateForm, FlowEditForm, VersionForm

STEP_URL_PLACEHOLDER = "__step__"


def _errors_into(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields (or at the top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _messages_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _flow_page(request, pk, flow_id):
    project, role = access.project_for(request.user, pk, Perm.VIEW)
    flow = sel.flow_for(user=request.user, project=project, pk=flow_id)
    return project, role, flow


def _editable_flow(request, pk, flow_id):
    project, role = sel.editable_project_for(request.user, pk)
    flow = sel.flow_for(user=request.user, project=project, pk=flow_id)
    return project, role, flow


def _safe_svg(svg: str) -> str:
    # The SVG comes from our own renderer (shinrai.flows.bpmn.render), never from the uploaded file: it
    # writes every element itself and escapes every text and attribute taken from the file, so it carries no
    # script and no foreign markup. That is what makes it safe to put inline.
    return mark_safe(svg)  # noqa: S308


def _step_url_template(project, flow) -> str:
    return reverse("flows:step", args=[project.pk, flow.pk, STEP_URL_PLACEHOLDER])


def _safe_filename(name: str, default: str) -> str:
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
    return cleaned.strip("._") or default


# --- List and new flow ------------------------------------------------------------------------------------


@login_required
def flow_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's flows; POST (editors) uploads a new flow with its first version."""
    if request.method == "POST":
        project, role = sel.editable_project_for(request.user, pk)
    else:
        project, role = access.project_for(request.user, pk, Perm.VIEW)
    form = FlowCreateForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            flow = services.flow_create(
                by=request.user,
                project=project,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                visibility=form.cleaned_data["visibility"],
                data=upload.read(),
                filename=upload.name,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("The flow was uploaded as version 1."))
            return redirect("flows:detail", pk=project.pk, flow_id=flow.pk)
    flows = list(sel.flows_for(user=request.user, project=project))
    step_counts = sel.step_counts(flow.current_version_id for flow in flows)
    gaps = sel.gaps_for(user=request.user, project=project)
    gap_counts: dict[int, int] = defaultdict(int)
    for flow, _step in gaps.unlinked_steps:
        gap_counts[flow.pk] += 1
    rows = [
        {
            "flow": flow,
            "steps": step_counts.get(flow.current_version_id, 0),
            "gaps": gap_counts.get(flow.pk, 0),
        }
        for flow in flows
    ]
    context = {
        "project": project,
        "role": role,
        "rows": rows,
        "form": form,
        "can_edit": sel.can_edit(role),
        "unlinked_requirements": len(gaps.unlinked_requirements),
    }
    return render(request, "flows/list.html", context)


# --- One flow ---------------------------------------------------------------------------------------------


def _detail_context(request, project, role, flow, *, version_form=None, compare_form=None) -> dict:
    version = flow.current_version
    diagrams = list(sel.diagrams_for(version)) if version else []
    try:
        index = int(request.GET.get("diagram", 0))
    except ValueError:
        index = 0
    diagram = next((d for d in diagrams if d.index == index), diagrams[0] if diagrams else None)
    steps = list(sel.steps_for(version)) if version else []
    link_counts = sel.link_counts(user=request.user, flow=flow)
    comment_counts = sel.comment_counts(flow)
    unlinked = [
        step.element_id
        for step in steps
        if step.kind in sel.STEPS_NEEDING_REQUIREMENTS and not link_counts.get(step.element_id)
    ]
    return {
        "project": project,
        "role": role,
        "flow": flow,
        "version": version,
        "versions": list(sel.versions_for(flow)),
        "diagrams": diagrams,
        "diagram": diagram,
        "svg": _safe_svg(diagram.svg) if diagram else "",
        "steps": steps,
        "link_counts": link_counts,
        "comment_counts": comment_counts,
        "unlinked_count": len(unlinked),
        "unlinked_ids": set(unlinked),
        "step_ids_json": json.dumps([step.element_id for step in steps]),
        "unlinked_json": json.dumps(unlinked),
        "step_url_template": _step_url_template(project, flow),
        "step_url_placeholder": STEP_URL_PLACEHOLDER,
        "can_edit": sel.can_edit(role),
        "version_form": version_form or VersionForm(),
        "compare_form": compare_form,
    }


@login_required
def flow_detail(request: HttpRequest, pk: int, flow_id: int) -> HttpResponse:
    project, role, flow = _flow_page(request, pk, flow_id)
    return render(request, "flows/detail.html", _detail_context(request, project, role, flow))


@login_required
@require_POST
def version_new(request: HttpRequest, pk: int, flow_id: int) -> HttpResponse:
    """Upload a new version; a refused file re-shows the flow page with the reason next to the field."""
    project, role, flow = _editable_flow(request, pk, flow_id)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.version_upload(
                by=request.user,
                flow=flow,
                data=upload.read(),
                filename=upload.name,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Version %(n)s was uploaded.") % {"n": version.number})
            return redirect("flows:detail", pk=project.pk, flow_id=flow.pk)
    context = _detail_context(request, project, role, flow, version_form=form)
    return render(request, "flows/detail.html", context)


@login_required
def flow_edit(request: HttpRequest, pk: int, flow_id: int) -> HttpResponse:
    project, role, flow = _editable_flow(request, pk, flow_id)
    initial = {"title": flow.title, "description": flow.description, "visibility": flow.visibility}
    form = FlowEditForm(request.POST or None, initial=initial, user=request.user, lock_of=flow)
    if request.method == "POST" and form.is_valid():
        try:
            with locking.guard(flow, form.lock_token):
                services.flow_update(by=request.user, flow=flow, **form.cleaned_data)
        except locking.Stale as stale:
            context = {"project": project, "role": role, "flow": stale.current or flow}
            return locking.conflict(request, "flows/edit.html", context, form=form, stale=stale)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("flows:detail", pk=project.pk, flow_id=flow.pk)
    return render(request, "flows/edit.html", {"project": project, "role": role, "flow": flow, "form": form})


@login_required
def version_download(request: HttpRequest, pk: int, flow_id: int, number: int) -> HttpResponse:
    """The original file as uploaded, as an attachment (never shown inline: it is untrusted XML)."""
    _project, _role, flow = _flow_page(request, pk, flow_id)
    version = sel.version_for(flow, number)
    response = HttpResponse(bytes(version.source), content_type="application/xml")
    filename = _safe_filename(version.filename, f"flow-{flow.pk}-v{version.number}.bpmn")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def flow_pdf(request: HttpRequest, pk: int, flow_id: int) -> HttpResponse:
    project, _role, flow = _flow_page(request, pk, flow_id)
    version = flow.current_version
    if version is None:
        messages.error(request, _("This flow has no version yet."))
        return redirect("flows:detail", pk=project.pk, flow_id=flow.pk)
    links = defaultdict(list)
    for link in sel.links_for(user=request.user, flow=flow):
        links[link.element_id].append(link.requirement.ref)
    content = pdf.flow_pdf(
        project=project,
        flow=flow,
        version=version,
        diagrams=list(sel.diagrams_for(version)),
        steps=list(sel.steps_for(version)),
        links=dict(links),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="flow-{flow.pk}-v{version.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Compare ----------------------------------------------------------------------------------------------


@login_required
def flow_compare(request: HttpRequest, pk: int, flow_id: int) -> HttpResponse:
    project, role, flow = _flow_page(request, pk, flow_id)
    form = CompareForm({"from_number": request.GET.get("from"), "to_number": request.GET.get("to")})
    if not form.is_valid():
        context = _detail_context(request, project, role, flow, compare_form=form)
        return render(request, "flows/detail.html", context)
    old = sel.version_for(flow, form.cleaned_data["from_number"])
    new = sel.version_for(flow, form.cleaned_data["to_number"])

    def refs(version):
        return [StepRef(s.element_id, s.kind, s.name) for s in sel.steps_for(version)]

    comparison = compare_steps(refs(old), refs(new))

    def pictures(version, marks):
        return [
            (diagram, _safe_svg(sel.marked_svg(version, diagram.index, marks)))
            for diagram in sel.diagrams_for(version)
        ]

    context = {
        "project": project,
        "role": role,
        "flow": flow,
        "old": old,
        "new": new,
        "comparison": comparison,
        "old_pictures": pictures(old, comparison.marks_for_old()),
        "new_pictures": pictures(new, comparison.marks_for_new()),
    }
    return render(request, "flows/compare.html", context)


# --- Steps: links and comments ----------------------------------------------------------------------------


def _attachable(request, project, flow, element_id):
    linked = sel.links_for(user=request.user, flow=flow, element_id=element_id).values("requirement_id")
    return (
        sel.visible_requirements(user=request.user, project=project)
        .exclude(status=Requirement.Status.WITHDRAWN)
        .exclude(pk__in=linked)
        .order_by("number")
    )


@login_required
def step_detail(request: HttpRequest, pk: int, flow_id: int, element_id: str) -> HttpResponse:
    project, role, flow = _flow_page(request, pk, flow_id)
    step = sel.step_for(flow, element_id)
    version = flow.current_version
    svg = sel.marked_svg(version, step.diagram_index or 0, {step.element_id: "selected"})
    context = {
        "project": project,
        "role": role,
        "flow": flow,
        "version": version,
        "step": step,
        "svg": _safe_svg(svg),
        "links": list(sel.links_for(user=request.user, flow=flow, element_id=step.element_id)),
        "comments": list(sel.comments_for(flow=flow, element_id=step.element_id)),
        "can_edit": sel.can_edit(role),
        "is_vendor": access.is_vendor_user(request.user),
        "attach_form": AttachForm(requirements=_attachable(request, project, flow, step.element_id)),
        "comment_form": CommentForm(),
        "needs_requirement": step.kind in sel.STEPS_NEEDING_REQUIREMENTS,
    }
    return render(request, "flows/step.html", context)


def _to_step(project, flow, element_id) -> HttpResponse:
    return redirect("flows:step", pk=project.pk, flow_id=flow.pk, element_id=element_id)


@login_required
@require_POST
def link_new(request: HttpRequest, pk: int, flow_id: int, element_id: str) -> HttpResponse:
    project, _role, flow = _editable_flow(request, pk, flow_id)
    step = sel.step_for(flow, element_id)
    form = AttachForm(request.POST, requirements=_attachable(request, project, flow, step.element_id))
    if not form.is_valid():
        messages.error(request, _("Choose one of this project's requirements."))
        return _to_step(project, flow, step.element_id)
    try:
        services.link_add(
            by=request.user,
            flow=flow,
            element_id=step.element_id,
            requirement=form.cleaned_data["requirement"],
        )
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(
            request, _("%(ref)s is now linked to this step.") % {"ref": form.cleaned_data["requirement"].ref}
        )
    return _to_step(project, flow, step.element_id)


@login_required
@require_POST
def link_delete(request: HttpRequest, pk: int, flow_id: int, link_id: int) -> HttpResponse:
    project, _role, flow = _editable_flow(request, pk, flow_id)
    link = sel.link_for(user=request.user, flow=flow, pk=link_id)
    element_id = link.element_id
    services.link_remove(by=request.user, link=link)
    messages.success(request, _("The link was removed."))
    return _to_step(project, flow, element_id)


@login_required
@require_POST
def comment_new(request: HttpRequest, pk: int, flow_id: int, element_id: str) -> HttpResponse:
    project, _role, flow = _editable_flow(request, pk, flow_id)
    step = sel.step_for(flow, element_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first."))
        return _to_step(project, flow, step.element_id)
    try:
        services.comment_add(
            by=request.user, flow=flow, element_id=step.element_id, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("Your comment was added."))
    return _to_step(project, flow, step.element_id)


# --- Gaps -------------------------------------------------------------------------------------------------


@login_required
def gaps(request: HttpRequest, pk: int) -> HttpResponse:
    """Work steps no requirement serves, and requirements no step needs: what both sides should discuss."""
    project, role = access.project_for(request.user, pk, Perm.VIEW)
    found = sel.gaps_for(user=request.user, project=project)
    by_flow: dict[int, tuple] = {}
    for flow, step in found.unlinked_steps:
        by_flow.setdefault(flow.pk, (flow, []))[1].append(step)
    context = {
        "project": project,
        "role": role,
        "groups": list(by_flow.values()),
        "unlinked_steps": len(found.unlinked_steps),
        "unlinked_requirements": found.unlinked_requirements,
        "can_open_requirement": Perm.CONTRIBUTE in access.ROLE_PERMS[role],
    }
    return render(request, "flows/gaps.html", context)
