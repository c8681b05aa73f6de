"""Trouble pages: the vendor's register and trouble page; the customer's list, detail and choice in the
portal."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import access, locking
from shinrai.core.access import Perm
from shinrai.core.models import PARTNER_ROLES

from . import exports, pdf, register_cache, selectors, services
from .forms import (
    ChooseForm,
    CloseForm,
    DiscloseForm,
    FollowUpForm,
    MeetingDecisionForm,
    NoteForm,
    OptionForm,
    TroubleForm,
    VersionForm,
)
from .models import Decision, FollowUp, Prevention, Trouble


def _messages_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip()
        for f, e in form.errors.items()
    )


def _to_detail(trouble: Trouble) -> HttpResponse:
    return redirect("troubles:detail", pk=trouble.project_id, trouble_id=trouble.pk)


def _vendor(request, pk: int, trouble_id: int, perm: Perm):
    project, role = access.project_for(request.user, pk, perm)
    return project, role, selectors.trouble_for(user=request.user, project=project, pk=trouble_id)


def _run(request, trouble: Trouble, action, success: str) -> HttpResponse:
    """Call a service for a one-button POST; show its refusal as a message."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, success)
    return _to_detail(trouble)


# --- Vendor workspace ---------------------------------------------------------------------------------------


@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """The trouble register: filters by kind and status, time to disclose, overdue disclosures highlighted."""
    project, role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    return render(
        request,
        "troubles/register.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "register": register_cache.register_page(
                user=request.user, project=project, kind=kind, status=status
            ),
            "kinds": Trouble.Kind.choices,
            "statuses": Trouble.Status.choices,
            "kind": kind,
            "status": status,
        },
    )


def _export_rows(request, pk: int):
    project, _role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    troubles = selectors.register(
        user=request.user,
        project=project,
        kind=request.GET.get("kind", ""),
        status=request.GET.get("status", ""),
        full=True,
    )
    return project, troubles


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The register as a 課題管理表 workbook (the filters of the register page apply)."""
    project, troubles = _export_rows(request, pk)
    return _download(
        exports.register_xlsx(troubles, project=project),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{project.code}_troubles_{timezone.localdate():%Y%m%d}.xlsx",
    )


@login_required
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    project, troubles = _export_rows(request, pk)
    return _download(
        exports.register_csv(troubles),
        "text/csv; charset=utf-8",
        f"{project.code}_troubles_{timezone.localdate():%Y%m%d}.csv",
    )


@login_required
def edit(request: HttpRequest, pk: int, trouble_id: int | None = None) -> HttpResponse:
    project, role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    trouble = None
    if trouble_id is not None:
        trouble = selectors.trouble_for(user=request.user, project=project, pk=trouble_id)
    initial = {} if trouble else {"detected_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = TroubleForm(request.POST or None, instance=trouble, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.TROUBLE_FIELDS}
        try:
            if trouble is None:
                trouble = services.trouble_create(by=request.user, project=project, **fields)
            else:
                services.trouble_update(
                    by=request.user, trouble=trouble, version=form.cleaned_data.get("version") or 0, **fields
                )
        except services.StaleEdit as stale:
            # Their input stays in the form, beside what is saved now; the hidden version becomes the
            # current one, so saving again is a deliberate overwrite.
            current = selectors.trouble_for(user=request.user, project=project, pk=trouble.pk)
            form.add_error(None, stale)
            return locking.conflict(
                request,
                "troubles/edit.html",
                {"project": project, "perms": access.ROLE_PERMS[role], "trouble": current},
                form=form,
                stale=stale,
                current=current,
                new_token=str(current.version),
                token_field="version",
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The trouble was saved."))
            return _to_detail(trouble)
    return render(
        request,
        "troubles/edit.html",
        {"project": project, "perms": access.ROLE_PERMS[role], "trouble": trouble, "form": form},
    )


@login_required
def detail(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    project, role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    trouble = selectors.trouble_detail(user=request.user, project=project, pk=trouble_id, internal=True)
    return render(
        request,
        "troubles/detail.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "trouble": trouble,
            "decision": trouble.decision if hasattr(trouble, "decision") else None,
            "root_cause": trouble.root_cause if hasattr(trouble, "root_cause") else None,
            "disclose_form": DiscloseForm(initial={"version": trouble.version}, auto_id="disclose_%s"),
            "version_form": VersionForm(initial={"version": trouble.version}, auto_id=False),
            "note_form": NoteForm(auto_id="note_%s"),
            "option_form": OptionForm(auto_id="option_%s"),
            "meeting_form": MeetingDecisionForm(trouble=trouble, auto_id="meeting_%s"),
            "follow_up_form": FollowUpForm(project=project, auto_id="followup_%s"),
            "similar": selectors.similar_troubles(user=request.user, trouble=trouble),
            "options_open": trouble.status in services.OPEN_FOR_OPTIONS,
            "can_propose": trouble.status in (Trouble.Status.OPEN, Trouble.Status.ANALYSING),
            "can_mark_prevention": Perm.CONTRIBUTE in access.ROLE_PERMS[role],
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def disclose(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    _project, _role, trouble = _vendor(request, pk, trouble_id, Perm.EDIT)
    form = DiscloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who to share the trouble with."))
        return _to_detail(trouble)
    return _run(
        request,
        trouble,
        lambda: services.trouble_disclose(
            by=request.user,
            trouble=trouble,
            version=form.cleaned_data["version"],
            visibility=form.cleaned_data["visibility"],
        ),
        _("The trouble was disclosed to the customer."),
    )


@login_required
@require_POST
def analyse(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    _project, _role, trouble = _vendor(request, pk, trouble_id, Perm.CONTRIBUTE)
    version = VersionForm(request.POST)
    return _run(
        request,
        trouble,
        lambda: services.trouble_start_analysis(
            by=request.user,
            trouble=trouble,
            version=version.cleaned_data["version"] if version.is_valid() else 0,
        ),
        _("Analysis started."),
    )


@login_required
@require_POST
def note(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    _project, _role, trouble = _vendor(request, pk, trouble_id, Perm.CONTRIBUTE)
    form = NoteForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    return _run(
        request,
        trouble,
        lambda: services.note_add(by=request.user, trouble=trouble, body=body),
        _("The note was added."),
    )


@login_required
@require_POST
def option(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    _project, _role, trouble = _vendor(request, pk, trouble_id, Perm.CONTRIBUTE)
    form = OptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form) or _("Check the option."))
        return _to_detail(trouble)
    return _run(
        request,
        trouble,
        lambda: services.option_add(by=request.user, trouble=trouble, **form.cleaned_data),
        _("The option was added."),
    )


@login_required
@require_POST
def propose(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    _project, _role, trouble = _vendor(request, pk, trouble_id, Perm.EDIT)
    version = VersionForm(request.POST)
    return _run(
        request,
        trouble,
        lambda: services.trouble_propose(
            by=request.user,
            trouble=trouble,
            version=version.cleaned_data["version"] if version.is_valid() else 0,
        ),
        _("The options were proposed to the customer."),
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    """Record a decision the customer made in a meeting: who decided, who attended, when, and why."""
    _project, _role, trouble = _vendor(request, pk, trouble_id, Perm.EDIT)
    form = MeetingDecisionForm(request.POST, trouble=trouble)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_detail(trouble)
    data = form.cleaned_data
    return _run(
        request,
        trouble,
        lambda: services.trouble_decide(
            by=request.user,
            trouble=trouble,
            option=data["option"],
            rationale=data["rationale"],
            version=data["version"],
            how=Decision.How.MEETING,
            decided_by_name=data["decided_by_name"],
            attendees=data["attendees"],
            meeting_at=data["meeting_at"],
        ),
        _("The decision was recorded in the ledger."),
    )


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    project, _role, trouble = _vendor(request, pk, trouble_id, Perm.CONTRIBUTE)
    form = FollowUpForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_detail(trouble)
    return _run(
        request,
        trouble,
        lambda: services.followup_add(by=request.user, trouble=trouble, **form.cleaned_data),
        _("The follow-up action was added."),
    )


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int, trouble_id: int, follow_up_id: int) -> HttpResponse:
    _project, _role, trouble = _vendor(request, pk, trouble_id, Perm.CONTRIBUTE)
    item = get_object_or_404(FollowUp, pk=follow_up_id, trouble=trouble)
    return _run(
        request,
        trouble,
        lambda: services.followup_done(by=request.user, follow_up=item),
        _("Marked as done."),
    )


@login_required
@require_POST
def prevention_done(request: HttpRequest, pk: int, trouble_id: int, prevention_id: int) -> HttpResponse:
    _project, _role, trouble = _vendor(request, pk, trouble_id, Perm.CONTRIBUTE)
    item = get_object_or_404(Prevention, pk=prevention_id, trouble=trouble)
    return _run(
        request,
        trouble,
        lambda: services.prevention_done(by=request.user, prevention=item),
        _("Marked as done."),
    )


@login_required
def close(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    """Close with the root cause (5 whys) and prevention measures: the customer's post-mortem."""
    project, role, trouble = _vendor(request, pk, trouble_id, Perm.EDIT)
    if trouble.status == Trouble.Status.CLOSED:
        return _to_detail(trouble)
    form = CloseForm(request.POST or None, trouble=trouble)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.trouble_close(
                by=request.user,
                trouble=trouble,
                version=data["version"],
                root_cause=data["root_cause"],
                whys=data["whys"].splitlines(),
                what_worked=data["what_worked"],
                preventions=form.preventions(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The trouble was closed. The customer can read the post-mortem."))
            return _to_detail(trouble)
    return render(
        request,
        "troubles/close.html",
        {"project": project, "perms": access.ROLE_PERMS[role], "trouble": trouble, "form": form},
    )


# --- Customer portal ----------------------------------------------------------------------------------------


def _portal_trouble(request, pk: int, trouble_id: int, perm: Perm = Perm.VIEW):
    project, role = access.project_for(request.user, pk, perm)
    trouble = selectors.trouble_detail(user=request.user, project=project, pk=trouble_id, internal=False)
    if trouble.disclosed_at is None:
        raise Http404
    return project, role, trouble


@login_required
def portal_list(request: HttpRequest, pk: int) -> HttpResponse:
    project, role = access.project_for(request.user, pk)
    troubles = [t for t in selectors.register(user=request.user, project=project) if t.disclosed_at]
    return render(
        request,
        "troubles/portal_list.html",
        {
            "project": project,
            "troubles": troubles,
            "is_preview": access.is_vendor_user(request.user),
            "is_partner": role in PARTNER_ROLES,
        },
    )


@login_required
def portal_detail(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    project, role, trouble = _portal_trouble(request, pk, trouble_id)
    can_choose = Perm.DECIDE in access.ROLE_PERMS[role] and trouble.status == Trouble.Status.OPTIONS_PROPOSED
    return render(
        request,
        "troubles/portal_detail.html",
        {
            "project": project,
            "trouble": trouble,
            "decision": trouble.decision if hasattr(trouble, "decision") else None,
            "root_cause": trouble.root_cause if hasattr(trouble, "root_cause") else None,
            "choose_form": ChooseForm(trouble=trouble) if can_choose else None,
            "is_preview": access.is_vendor_user(request.user),
        },
    )


@login_required
@require_POST
def portal_choose(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    """The customer sponsor chooses an option: recorded as the decision and appended to the ledger."""
    project, _role, trouble = _portal_trouble(request, pk, trouble_id, Perm.DECIDE)
    back = redirect("troubles:portal_detail", pk=project.pk, trouble_id=trouble.pk)
    form = ChooseForm(request.POST, trouble=trouble)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return back
    try:
        services.trouble_decide(
            by=request.user,
            trouble=trouble,
            option=form.cleaned_data["option"],
            rationale=form.cleaned_data["rationale"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("Thank you. Your choice was recorded."))
    return back


@login_required
def portal_pdf(request: HttpRequest, pk: int, trouble_id: int) -> HttpResponse:
    """The trouble report as PDF: what the portal page shows (never internal notes)."""
    project, _role, trouble = _portal_trouble(request, pk, trouble_id)
    return _download(pdf.trouble_pdf(trouble), "application/pdf", f"{project.code}_{trouble.ref}.pdf")
