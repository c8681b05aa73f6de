"""Gray-zone pages: the vendor's board per project and across the portfolio, the item page with its steps;
the portal's list and item page for the customer and the partner vendors it is shared with.

Every page looks the project up through ``shinrai.core.access`` and the item through the selectors: what the
user may not see, or may not do, answers 404 (missing and forbidden look the same).
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
from shinrai.core.models import Organization

from . import selectors, services
from .forms import (
    AcceptForm,
    CommentForm,
    DecideForm,
    DeclineForm,
    EscalateForm,
    ItemForm,
    OfferForm,
    ShareForm,
    add_errors,
    messages_of,
)
from .models import GrayZoneItem


def _filters(request: HttpRequest) -> dict:
    min_age = request.GET.get("min_age", "")
    return {
        "state": request.GET.get("state", ""),
        "reason": request.GET.get("reason", ""),
        "source": request.GET.get("source", ""),
        "min_age": int(min_age) if min_age.isdigit() and len(min_age) < 5 else None,
    }


def _choices() -> dict:
    return {
        "states": [
            ("open", _("Without an owner")),
            ("owned", _("With an owner")),
            *GrayZoneItem.State.choices,
        ],
        "reasons": GrayZoneItem.Reason.choices,
        "sources": GrayZoneItem.Source.choices,
    }


# --- Vendor workspace ---------------------------------------------------------------------------------------


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's gray zones: open items first, oldest first, with their age in business days."""
    project, role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    filters = _filters(request)
    return render(
        request,
        "grayzone/board.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "board": selectors.board(user=request.user, project=project, **filters),
            "filters": filters,
            **_choices(),
        },
    )


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """Gray zones across every project the vendor user may open (all of the vendor's, for a manager)."""
    if not access.is_vendor_user(request.user):
        raise Http404
    filters = _filters(request)
    state = filters["state"] or "open"
    return render(
        request,
        "grayzone/portfolio.html",
        {
            "board": selectors.portfolio_board(
                user=request.user, state=state, reason=filters["reason"], min_age=filters["min_age"]
            ),
            "filters": filters | {"state": state},
            **_choices(),
        },
    )


@login_required
def new(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark something as a gray zone: a trouble, a follow-up, a customer request, a task, or a new action."""
    project, role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    choices = selectors.source_choices(user=request.user, project=project)
    form = ItemForm(request.POST or None, choices=choices, initial={"source": request.GET.get("source", "")})
    if request.method == "POST" and form.is_valid():
        source, source_id = form.source_parts()
        obj = (
            selectors.source_object(user=request.user, project=project, source=source, pk=source_id)
            if source_id is not None
            else None
        )
        try:
            item = services.item_create(
                by=request.user,
                project=project,
                title=form.cleaned_data["title"],
                reason=form.cleaned_data["reason"],
                description=form.cleaned_data["description"],
                source=source,
                source_object=obj,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(ref)s was marked as a gray zone.") % {"ref": item.ref})
            return redirect("grayzone:detail", pk=project.pk, item_id=item.pk)
    return render(
        request,
        "grayzone/item_form.html",
        {"project": project, "perms": access.ROLE_PERMS[role], "form": form, "item": None},
    )


def _vendor_item(request, pk: int, item_id: int, perm: Perm = Perm.SEE_INTERNAL):
    project, role = access.project_for(request.user, pk, perm)
    return project, role, selectors.item_for(user=request.user, project=project, pk=item_id)


@login_required
def edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project, role, item = _vendor_item(request, pk, item_id, Perm.CONTRIBUTE)
    initial = {"title": item.title, "reason": item.reason, "description": item.description}
    form = ItemForm(request.POST or None, initial=initial, lock_of=item)
    context = {"project": project, "perms": access.ROLE_PERMS[role], "item": item}
    if request.method == "POST" and form.is_valid():
        try:
            with locking.guard(item, form.lock_token):
                services.item_update(
                    by=request.user,
                    item=item,
                    **{name: form.cleaned_data[name] for name in services.ITEM_FIELDS},
                )
        except locking.Stale as stale:
            form.add_error(None, stale)
            current = selectors.item_for(user=request.user, project=project, pk=item.pk)
            return locking.conflict(
                request,
                "grayzone/item_form.html",
                context | {"item": current},
                form=form,
                stale=stale,
                current=current,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The item was saved."))
            return redirect("grayzone:detail", pk=project.pk, item_id=item.pk)
    return render(request, "grayzone/item_form.html", context | {"form": form})


def _detail_context(request, project, role, item) -> dict:
    perms = access.ROLE_PERMS[role]
    shared = [share.organization for share in item.shares.all()]
    return {
        "project": project,
        "perms": perms,
        "item": item,
        "age": item.age_days(),
        "source_label": selectors._source_label(item)
        if (item.source, item.source_id) in selectors.visible_sources(user=request.user, items=[item])
        else "",
        "partners": shared,
        "comments": selectors.comments_for(user=request.user, item=item),
        "comment_form": CommentForm(vendor=access.is_vendor_user(request.user), auto_id="comment_%s"),
        "can_respond": selectors.can_respond(request.user, item),
        "accept_form": AcceptForm(auto_id="accept_%s"),
        "decline_form": DeclineForm(auto_id="decline_%s"),
    }


@login_required
def detail(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project, role, item = _vendor_item(request, pk, item_id)
    context = _detail_context(request, project, role, item)
    context |= {
        "share_form": ShareForm(
            project=project,
            initial={
                "visibility": item.visibility if item.visibility != "internal" else "customer",
                "partners": context["partners"],
            },
            auto_id="share_%s",
        ),
        "offer_form": OfferForm(project=project, auto_id="offer_%s"),
        "escalate_form": EscalateForm(auto_id="escalate_%s"),
    }
    return render(request, "grayzone/detail.html", context)


def _back(request, item: GrayZoneItem) -> HttpResponse:
    if access.is_vendor_user(request.user):
        return redirect("grayzone:detail", pk=item.project_id, item_id=item.pk)
    return redirect("grayzone:portal_detail", pk=item.project_id, item_id=item.pk)


def _step(request, item: GrayZoneItem, form, action, success: str) -> HttpResponse:
    """Run one step from a form posted on the item page; show a refusal as a message."""
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(request, item)
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, messages_of(error))
    else:
        messages.success(request, success)
    return _back(request, item)


@login_required
@require_POST
def share(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project, _role, item = _vendor_item(request, pk, item_id, Perm.EDIT)
    return _step(
        request,
        item,
        ShareForm(request.POST, project=project),
        lambda data: services.item_share(
            by=request.user, item=item, visibility=data["visibility"], partners=list(data["partners"])
        ),
        _("Sharing saved."),
    )


@login_required
@require_POST
def offer(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project, _role, item = _vendor_item(request, pk, item_id, Perm.EDIT)
    return _step(
        request,
        item,
        OfferForm(request.POST, project=project),
        lambda data: services.item_offer(
            by=request.user,
            item=item,
            organization=data["organization"],
            person=data["person"],
            note=data["note"],
        ),
        _("The item was offered."),
    )


def _responding_item(request, pk: int, item_id: int) -> GrayZoneItem:
    """The item whose offer the user answers; 404 unless they may (see selectors.may_answer)."""
    project, _role = access.project_for(request.user, pk)
    item = selectors.item_for(user=request.user, project=project, pk=item_id)
    if not selectors.may_answer(request.user, item):
        raise Http404
    return item


@login_required
@require_POST
def accept(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    item = _responding_item(request, pk, item_id)
    return _step(
        request,
        item,
        AcceptForm(request.POST),
        lambda data: services.item_accept(by=request.user, item=item, note=data["note"]),
        _("Accepted: the item has an owner."),
    )


@login_required
@require_POST
def decline(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    item = _responding_item(request, pk, item_id)
    return _step(
        request,
        item,
        DeclineForm(request.POST),
        lambda data: services.item_decline(by=request.user, item=item, reason=data["reason"]),
        _("Declined: the item has no owner again."),
    )


@login_required
@require_POST
def escalate(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    _project, _role, item = _vendor_item(request, pk, item_id, Perm.EDIT)
    return _step(
        request,
        item,
        EscalateForm(request.POST),
        lambda data: services.item_escalate(by=request.user, item=item, note=data["note"]),
        _("Escalated: the customer sponsor is asked to decide the owner."),
    )


@login_required
@require_POST
def comment(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """A comment from whoever sees the item: vendor roles, the customer, partner vendors it is shared with."""
    project, _role = access.project_for(request.user, pk)
    item = selectors.item_for(user=request.user, project=project, pk=item_id)
    return _step(
        request,
        item,
        CommentForm(request.POST, vendor=access.is_vendor_user(request.user)),
        lambda data: services.comment_add(
            by=request.user, item=item, body=data["body"], vendor_only=data.get("vendor_only", False)
        ),
        _("The comment was added."),
    )


# --- Customer portal ----------------------------------------------------------------------------------------


@login_required
def portal_list(request: HttpRequest, pk: int) -> HttpResponse:
    """What the customer (or a partner vendor) sees: the items shared with them, oldest open first."""
    project, role = access.project_for(request.user, pk)
    return render(
        request,
        "grayzone/portal_list.html",
        {
            "project": project,
            "role": role,
            "board": selectors.board(user=request.user, project=project, shared_only=True),
            "is_preview": access.is_vendor_user(request.user),
            "is_partner": request.user.organization.kind == Organization.Kind.PARTNER,
        },
    )


@login_required
def portal_detail(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project, role = access.project_for(request.user, pk)
    item = selectors.item_for(user=request.user, project=project, pk=item_id)
    if access.is_vendor_user(request.user) and item.visibility == "internal":
        raise Http404  # the preview shows what the customer sees: not a vendor-only item
    context = _detail_context(request, project, role, item)
    context["is_preview"] = access.is_vendor_user(request.user)
    if Perm.DECIDE in context["perms"] and item.state == GrayZoneItem.State.ESCALATED:
        context["decide_form"] = DecideForm(project=project, auto_id="decide_%s")
    return render(request, "grayzone/portal_detail.html", context)


@login_required
@require_POST
def portal_decide(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """The customer sponsor decides who owns an escalated item; recorded in the ledger."""
    project, _role = access.project_for(request.user, pk, Perm.DECIDE)
    item = selectors.item_for(user=request.user, project=project, pk=item_id)
    return _step(
        request,
        item,
        DecideForm(request.POST, project=project),
        lambda data: services.item_decide(
            by=request.user,
            item=item,
            organization=data["organization"],
            person=data["person"],
            rationale=data["rationale"],
        ),
        _("Thank you. Your decision was recorded in the ledger."),
    )
