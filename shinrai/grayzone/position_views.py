"""Anticipated questions (想定問答): the vendor writes its position before a meeting, shares it with the
customer and chosen partner vendors; every edit after sharing is a new version, earlier ones stay readable.

Vendor pages under ``projects/<pk>/positions/``; the customer's and partners' under the portal. Looked up
through ``shinrai.core.access`` and the selectors: what the user may not see or do answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import access, locking
from shinrai.core.access import Perm

from . import selectors, services
from .forms import PositionForm, PositionShareForm, add_errors, messages_of

FIELDS = services.POSITION_FIELDS


@login_required
def position_list(request: HttpRequest, pk: int) -> HttpResponse:
    project, role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    return render(
        request,
        "positions/list.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "positions": selectors.position_list(user=request.user, project=project),
        },
    )


@login_required
def new(request: HttpRequest, pk: int) -> HttpResponse:
    project, role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    form = PositionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            position = services.position_create(
                by=request.user, project=project, **{name: form.cleaned_data[name] for name in FIELDS}
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The draft was saved. Only the vendor sees it until you share it."))
            return redirect("positions:detail", pk=project.pk, position_id=position.pk)
    return render(
        request,
        "positions/form.html",
        {"project": project, "perms": access.ROLE_PERMS[role], "form": form, "position": None},
    )


def _vendor_position(request, pk: int, position_id: int, perm: Perm = Perm.SEE_INTERNAL):
    project, role = access.project_for(request.user, pk, perm)
    return project, role, selectors.position_for(user=request.user, project=project, pk=position_id)


@login_required
def edit(request: HttpRequest, pk: int, position_id: int) -> HttpResponse:
    project, role, position = _vendor_position(request, pk, position_id, Perm.CONTRIBUTE)
    initial = {name: getattr(position, name) for name in FIELDS}
    form = PositionForm(request.POST or None, initial=initial, lock_of=position, shared=position.is_shared)
    context = {"project": project, "perms": access.ROLE_PERMS[role], "position": position}
    if request.method == "POST" and form.is_valid():
        try:
            with locking.guard(position, form.lock_token):
                services.position_update(
                    by=request.user,
                    position=position,
                    note=form.cleaned_data.get("note", ""),
                    **{name: form.cleaned_data[name] for name in FIELDS},
                )
        except locking.Stale as stale:
            form.add_error(None, stale)
            current = selectors.position_for(user=request.user, project=project, pk=position.pk)
            return locking.conflict(
                request,
                "positions/form.html",
                context | {"position": current},
                form=form,
                stale=stale,
                current=current,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if position.is_shared:
                messages.success(request, _("Saved as a new version; the earlier versions stay readable."))
            else:
                messages.success(request, _("The draft was saved."))
            return redirect("positions:detail", pk=project.pk, position_id=position.pk)
    return render(request, "positions/form.html", context | {"form": form})


@login_required
def detail(request: HttpRequest, pk: int, position_id: int) -> HttpResponse:
    project, role, position = _vendor_position(request, pk, position_id)
    partners = [share.organization for share in position.shares.all()]
    return render(
        request,
        "positions/detail.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "position": position,
            "partners": partners,
            "versions": list(selectors.versions_for(user=request.user, position=position)),
            "share_form": PositionShareForm(
                project=project,
                initial={
                    "visibility": position.visibility if position.is_shared else "customer",
                    "partners": partners,
                },
                auto_id="share_%s",
            ),
        },
    )


@login_required
@require_POST
def share(request: HttpRequest, pk: int, position_id: int) -> HttpResponse:
    project, _role, position = _vendor_position(request, pk, position_id, Perm.EDIT)
    form = PositionShareForm(request.POST, project=project)
    back = redirect("positions:detail", pk=project.pk, position_id=position.pk)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    try:
        services.position_share(
            by=request.user,
            position=position,
            visibility=form.cleaned_data["visibility"],
            partners=list(form.cleaned_data["partners"]),
        )
    except ValidationError as error:
        messages.error(request, messages_of(error))
    else:
        messages.success(request, _("Shared. Every edit from now on is kept as a new version."))
    return back


@login_required
def version(request: HttpRequest, pk: int, position_id: int, number: int) -> HttpResponse:
    project, role, position = _vendor_position(request, pk, position_id)
    shown = selectors.version_for(user=request.user, position=position, number=number)
    return render(
        request,
        "positions/version.html",
        {"project": project, "position": position, "version": shown, "portal": False},
    )


# --- Customer portal ----------------------------------------------------------------------------------------


def _portal_position(request, pk: int, position_id: int):
    project, role = access.project_for(request.user, pk)
    position = selectors.position_for(user=request.user, project=project, pk=position_id)
    if not position.is_shared:
        raise Http404  # a vendor's preview shows only what was shared
    return project, role, position


@login_required
def portal_list(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk)
    positions = [p for p in selectors.position_list(user=request.user, project=project) if p.is_shared]
    latest = {
        version.position_id: version
        for version in selectors.latest_versions(user=request.user, positions=positions)
    }
    return render(
        request,
        "positions/portal_list.html",
        {
            "project": project,
            "rows": [(position, latest.get(position.pk)) for position in positions if position.pk in latest],
            "is_preview": access.is_vendor_user(request.user),
        },
    )


@login_required
def portal_detail(request: HttpRequest, pk: int, position_id: int) -> HttpResponse:
    project, _role, position = _portal_position(request, pk, position_id)
    versions = list(selectors.versions_for(user=request.user, position=position))
    if not versions:
        raise Http404
    return render(
        request,
        "positions/portal_detail.html",
        {
            "project": project,
            "position": position,
            "latest": versions[0],
            "versions": versions,
            "is_preview": access.is_vendor_user(request.user),
        },
    )


@login_required
def portal_version(request: HttpRequest, pk: int, position_id: int, number: int) -> HttpResponse:
    project, _role, position = _portal_position(request, pk, position_id)
    shown = selectors.version_for(user=request.user, position=position, number=number)
    return render(
        request,
        "positions/version.html",
        {
            "project": project,
            "position": position,
            "version": shown,
            "portal": True,
            "is_preview": access.is_vendor_user(request.user),
        },
    )
