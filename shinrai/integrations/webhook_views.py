"""Webhook pages: the project's webhooks, their delivery log, and the PM's changes to them.

Vendor users of the project read (``Perm.SEE_INTERNAL``); the PM and the vendor manager change
(``Perm.EDIT``); everyone else gets 404, writes included.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shinrai.core import access, locking
from shinrai.core.access import Perm

from . import webhook_selectors as sel
from . import webhook_services as services
from . import webhooks
from .webhook_forms import WebhookForm


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _show_secret(request, project, webhook, *, created: bool) -> HttpResponse:
    # The secret is rendered into this one answer only: never stored in messages, never shown again.
    response = render(
        request,
        "integrations/webhook_secret.html",
        {"project": project, "webhook": webhook, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def webhook_list(request: HttpRequest, pk: int) -> HttpResponse:
    project, role = sel.webhook_project_for(request.user, pk)
    return render(
        request,
        "integrations/webhook_list.html",
        {
            "project": project,
            "can_edit": Perm.EDIT in access.ROLE_PERMS[role],
            "webhooks": sel.webhooks_for(project=project),
            "form": WebhookForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = sel.webhook_project_for(request.user, pk, Perm.EDIT)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook = services.webhook_create(by=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _show_secret(request, project, webhook, created=True)
    return render(
        request, "integrations/webhook_form.html", {"project": project, "form": form, "webhook": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int, webhook_id: int) -> HttpResponse:
    project, _role = sel.webhook_project_for(request.user, pk, Perm.EDIT)
    webhook = sel.webhook_for(project=project, pk=webhook_id)
    form = WebhookForm(request.POST) if request.method == "POST" else WebhookForm.for_webhook(webhook)
    if request.method == "POST" and form.is_valid():
        try:
            with locking.guard(webhook, form.lock_token):
                services.webhook_update(by=request.user, webhook=webhook, **form.cleaned_data)
        except locking.Stale as stale:
            context = {"project": project, "webhook": stale.current or webhook}
            template = "integrations/webhook_form.html"
            return locking.conflict(request, template, context, form=form, stale=stale)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("integrations:webhook_deliveries", pk=project.pk, webhook_id=webhook.pk)
    return render(
        request, "integrations/webhook_form.html", {"project": project, "form": form, "webhook": webhook}
    )


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int, webhook_id: int) -> HttpResponse:
    project, _role = sel.webhook_project_for(request.user, pk, Perm.EDIT)
    webhook = sel.webhook_for(project=project, pk=webhook_id)
    services.webhook_delete(by=request.user, webhook=webhook)
    messages.success(request, _("Webhook deleted."))
    return redirect("integrations:webhook_list", pk=project.pk)


@login_required
@require_POST
def webhook_secret(request: HttpRequest, pk: int, webhook_id: int) -> HttpResponse:
    project, _role = sel.webhook_project_for(request.user, pk, Perm.EDIT)
    webhook = sel.webhook_for(project=project, pk=webhook_id)
    webhook = services.webhook_secret_regenerate(by=request.user, webhook=webhook)
    return _show_secret(request, project, webhook, created=False)


@login_required
@require_POST
def webhook_test(request: HttpRequest, pk: int, webhook_id: int) -> HttpResponse:
    project, _role = sel.webhook_project_for(request.user, pk, Perm.EDIT)
    webhook = sel.webhook_for(project=project, pk=webhook_id)
    services.webhook_ping(by=request.user, webhook=webhook)
    messages.success(request, _("A test delivery was queued; its result is in the log below."))
    return redirect("integrations:webhook_deliveries", pk=project.pk, webhook_id=webhook.pk)


@login_required
def webhook_deliveries(request: HttpRequest, pk: int, webhook_id: int) -> HttpResponse:
    project, role = sel.webhook_project_for(request.user, pk)
    webhook = sel.webhook_for(project=project, pk=webhook_id)
    page = Paginator(sel.deliveries_for(webhook=webhook), 25).get_page(request.GET.get("page"))
    rows = [(delivery, json.dumps(delivery.payload, ensure_ascii=False, indent=2)) for delivery in page]
    return render(
        request,
        "integrations/webhook_deliveries.html",
        {
            "project": project,
            "webhook": webhook,
            "can_edit": Perm.EDIT in access.ROLE_PERMS[role],
            "event_labels": [webhooks.event_label(event) for event in webhook.events],
            "page": page,
            "rows": rows,
        },
    )


@login_required
@require_POST
def webhook_redeliver(request: HttpRequest, pk: int, webhook_id: int, delivery_id: int) -> HttpResponse:
    project, _role = sel.webhook_project_for(request.user, pk, Perm.EDIT)
    webhook = sel.webhook_for(project=project, pk=webhook_id)
    delivery = sel.delivery_for(webhook=webhook, pk=delivery_id)
    services.delivery_redeliver(by=request.user, delivery=delivery)
    messages.success(request, _("Queued again as a new delivery."))
    return redirect("integrations:webhook_deliveries", pk=project.pk, webhook_id=webhook.pk)
