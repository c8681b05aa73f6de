"""Ledger pages: the vendor's ledger, requests and change requests; the customer's page in the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import access
from shinrai.core.access import Perm

from . import exports, services
from . import selectors as sel
from .forms import AnswerForm, ChangeForm, DecisionForm, RecordForm, RequestForm


def _messages_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label}: {' '.join(errs)}" if name in form.fields else " ".join(errs)
        for name, errs in form.errors.items()
    )


def _common(request, project, role) -> dict:
    requests = list(sel.requests_for(user=request.user, project=project))
    return {
        "project": project,
        "role": role,
        "perms": access.ROLE_PERMS[role],
        "state": sel.chain_state(project),
        "contract": sel.contract_value(project),
        "requests": requests,
        "indicators": sel.request_indicators(requests),
        "now": timezone.now(),
    }


# --- Vendor pages -----------------------------------------------------------------------------------------


@login_required
def ledger_index(request: HttpRequest, pk: int) -> HttpResponse:
    project, role = sel.ledger_project_for(request.user, pk, Perm.SEE_INTERNAL)
    context = _common(request, project, role)
    context["entries"] = sel.entries_for(user=request.user, project=project)
    context["record_form"] = RecordForm()
    return render(request, "ledger/index.html", context)


@login_required
@require_POST
def ledger_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an agreement, sign-off or decision made outside the app, or a correction (PM and manager)."""
    project, _role = sel.ledger_project_for(request.user, pk, Perm.EDIT)
    form = RecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("ledger:index", pk=project.pk)
    try:
        entry = services.record_entry(by=request.user, project=project, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("Recorded as entry #%(n)d.") % {"n": entry.seq})
    return redirect("ledger:index", pk=project.pk)


@login_required
def request_list(request: HttpRequest, pk: int) -> HttpResponse:
    project, role = sel.ledger_project_for(request.user, pk, Perm.SEE_INTERNAL)
    context = _common(request, project, role) | {"answer_form": AnswerForm()}
    return render(request, "ledger/requests.html", context)


def _vendor_request(request, pk, request_id):
    project, _role = sel.ledger_project_for(request.user, pk, Perm.CONTRIBUTE)
    return project, sel.request_for(user=request.user, project=project, pk=request_id)


def _request_step(request, pk, request_id, step) -> HttpResponse:
    project, item = _vendor_request(request, pk, request_id)
    try:
        if step == "acknowledge":
            services.request_acknowledge(by=request.user, request=item)
        elif step == "answer":
            form = AnswerForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Write the answer."))
            services.request_answer(by=request.user, request=item, answer=form.cleaned_data["answer"])
        else:
            services.request_close(by=request.user, request=item)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("Saved and recorded in the ledger."))
    return redirect("ledger:requests", pk=project.pk)


@login_required
@require_POST
def request_acknowledge(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    return _request_step(request, pk, request_id, "acknowledge")


@login_required
@require_POST
def request_answer(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    return _request_step(request, pk, request_id, "answer")


@login_required
@require_POST
def request_close(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    return _request_step(request, pk, request_id, "close")


@login_required
def change_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change request of the project, and (POST, vendor contributors) a new draft."""
    perm = Perm.CONTRIBUTE if request.method == "POST" else Perm.SEE_INTERNAL
    project, role = sel.ledger_project_for(request.user, pk, perm)
    form = ChangeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.change_create(by=request.user, project=project, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, _messages_of(error))
            else:
                messages.success(request, _("The change request was saved as a draft."))
                return redirect("ledger:changes", pk=project.pk)
        else:
            messages.error(request, _form_errors(form))
    context = _common(request, project, role) | {
        "changes": sel.changes_for(user=request.user, project=project),
        "form": form,
    }
    return render(request, "ledger/changes.html", context)


def _change_step(request, pk, change_id, step) -> HttpResponse:
    project, _role = sel.ledger_project_for(request.user, pk, Perm.EDIT)
    change = sel.change_for(user=request.user, project=project, pk=change_id)
    try:
        if step == "propose":
            services.change_propose(by=request.user, change=change)
        else:
            services.change_withdraw(by=request.user, change=change)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("Saved and recorded in the ledger."))
    return redirect("ledger:changes", pk=project.pk)


@login_required
@require_POST
def change_propose(request: HttpRequest, pk: int, change_id: int) -> HttpResponse:
    return _change_step(request, pk, change_id, "propose")


@login_required
@require_POST
def change_withdraw(request: HttpRequest, pk: int, change_id: int) -> HttpResponse:
    return _change_step(request, pk, change_id, "withdraw")


# --- Downloads (vendor and portal) ------------------------------------------------------------------------


def _download(request, pk, perm, extension) -> HttpResponse:
    project, _role = sel.ledger_project_for(request.user, pk, perm)
    entries = list(sel.entries_for(user=request.user, project=project))
    state = sel.chain_state(project)
    if extension == "json":
        content, content_type = (
            exports.ledger_json(project=project, entries=entries, state=state),
            ("application/json; charset=utf-8"),
        )
    else:
        content, content_type = (
            exports.ledger_pdf(project=project, entries=entries, state=state),
            "application/pdf",
        )
    response = HttpResponse(content, content_type=content_type)
    safe_code = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in project.code)
    response["Content-Disposition"] = f'attachment; filename="ledger_{safe_code}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _requests_download(request, pk, perm, extension) -> HttpResponse:
    from shinrai.core.xlsx import XLSX_CONTENT_TYPE

    project, _role = sel.ledger_project_for(request.user, pk, perm)
    requests = sel.requests_for(user=request.user, project=project)
    if extension == "xlsx":
        response = HttpResponse(exports.requests_xlsx(requests), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.requests_csv(requests), content_type="text/csv; charset=utf-8")
    safe_code = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in project.code)
    response["Content-Disposition"] = f'attachment; filename="requests_{safe_code}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def requests_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _requests_download(request, pk, Perm.SEE_INTERNAL, "xlsx")


@login_required
def requests_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return _requests_download(request, pk, Perm.SEE_INTERNAL, "csv")


@login_required
def portal_requests_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _requests_download(request, pk, Perm.VIEW, "xlsx")


@login_required
def portal_requests_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return _requests_download(request, pk, Perm.VIEW, "csv")


@login_required
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, Perm.SEE_INTERNAL, "json")


@login_required
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, Perm.SEE_INTERNAL, "pdf")


@login_required
def portal_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, Perm.VIEW, "json")


@login_required
def portal_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, Perm.VIEW, "pdf")


# --- Portal -----------------------------------------------------------------------------------------------


@login_required
def portal(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's page: requests and due times, changes to decide, the contract value, the record."""
    project, role = sel.ledger_project_for(request.user, pk, Perm.VIEW)
    context = _common(request, project, role) | {
        "entries": sel.entries_for(user=request.user, project=project),
        "changes": sel.changes_for(user=request.user, project=project),
        "request_form": RequestForm(),
        "decision_form": DecisionForm(),
        "is_preview": request.user.is_vendor,
    }
    return render(request, "ledger/portal.html", context)


def _to_portal(project) -> HttpResponse:
    return redirect("ledger:portal", pk=project.pk)


@login_required
@require_POST
def portal_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = sel.ledger_project_for(request.user, pk, Perm.COMMENT)
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_portal(project)
    try:
        services.request_create(
            by=request.user,
            project=project,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            due_at=form.due_at(),
        )
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("Your request was sent to the project team."))
    return _to_portal(project)


def _decide(request, pk, change_id, approve: bool) -> HttpResponse:
    project, _role = sel.ledger_project_for(request.user, pk, Perm.DECIDE)
    change = sel.change_for(user=request.user, project=project, pk=change_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.change_decide(by=request.user, change=change, approve=approve, note=note)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("The change was approved.") if approve else _("The change was rejected."))
    return _to_portal(project)


@login_required
@require_POST
def portal_change_approve(request: HttpRequest, pk: int, change_id: int) -> HttpResponse:
    return _decide(request, pk, change_id, approve=True)


@login_required
@require_POST
def portal_change_reject(request: HttpRequest, pk: int, change_id: int) -> HttpResponse:
    return _decide(request, pk, change_id, approve=False)
