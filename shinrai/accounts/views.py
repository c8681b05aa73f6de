"""Account pages (vendor-internal): the account list, one account, and editing its plan, roadmap, key people
and relationship signals. Customer and partner users get 404 on every one of them."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import access, locking

from . import selectors, services
from .forms import KeyPersonForm, PlanForm, RoadmapStepForm, SignalForm
from .signals import SILENCE_DAYS


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)


def _to_account(customer, anchor: str = "") -> HttpResponse:
    response = redirect("accounts:detail", customer_id=customer.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    if not access.is_vendor_user(request.user):
        raise Http404
    rows = selectors.account_rows(user=request.user, today=timezone.localdate())
    return render(request, "accounts/list.html", {"rows": rows, "silence_days": SILENCE_DAYS})


@login_required
def account_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = access.account_for(request.user, customer_id)
    today = timezone.localdate()
    page = selectors.account_page(user=request.user, customer=customer, today=today)
    context = {
        "page": page,
        "customer": customer,
        "silence_days": SILENCE_DAYS,
        "shown": selectors.SIGNALS_SHOWN,
    }
    if page.can_edit:
        context["signal_form"] = SignalForm(user=request.user, customer=customer, auto_id="signal_%s")
    return render(request, "accounts/detail.html", context)


@login_required
def plan_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Write the plan. A stale save keeps the user's text in the form, beside what the other person saved."""
    customer = access.account_for(request.user, customer_id, edit=True)
    plan = selectors.plan_of(user=request.user, customer=customer)
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            fields = {name: data[name] for name in services.PLAN_FIELDS}
            try:
                services.plan_save(by=request.user, customer=customer, version=data["version"], **fields)
            except services.StalePlan as error:
                # Keep their text beside what is saved now; the hidden version becomes the current one, so
                # saving again is a deliberate overwrite.
                plan = selectors.plan_of(user=request.user, customer=customer)
                form.add_error(None, error)
                return locking.conflict(
                    request,
                    "accounts/plan_form.html",
                    {"customer": customer, "plan": plan},
                    form=form,
                    stale=error,
                    current=plan,
                    new_token=str(plan.version if plan else 0),
                    token_field="version",
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The account plan was saved."))
                return _to_account(customer, "plan")
    else:
        form = PlanForm(instance=plan, initial={"version": plan.version if plan else 0})
    return render(request, "accounts/plan_form.html", {"customer": customer, "form": form, "plan": plan})


def _edit_context(*, customer, form, title, delete_url=None) -> dict:
    return {"customer": customer, "form": form, "title": title, "delete_url": delete_url}


def _edit_page(request, **context) -> HttpResponse:
    return render(request, "accounts/edit.html", _edit_context(**context))


def _save_posted(
    request, form, customer, *, obj, fields, save, anchor: str, message: str, title: str, delete_url=None
) -> HttpResponse | None:
    """Save a valid posted form through ``save(**fields)`` and go back to the account page; None when there
    is nothing to save or the service refused it (its errors are then on the form). A save from a stale
    copy of ``obj`` answers the conflict page (409) and writes nothing."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        with locking.guard(obj, form.lock_token):
            save(**{name: form.cleaned_data[name] for name in fields})
    except locking.Stale as stale:
        context = _edit_context(customer=customer, form=form, title=title, delete_url=delete_url)
        return locking.conflict(request, "accounts/edit.html", context, form=form, stale=stale)
    except ValidationError as error:
        _add_errors(form, error)
        return None
    messages.success(request, message)
    return _to_account(customer, anchor)


@login_required
def step_edit(request: HttpRequest, customer_id: int, step_id: int | None = None) -> HttpResponse:
    customer = access.account_for(request.user, customer_id, edit=True)
    step = None
    if step_id is not None:
        step = selectors.roadmap_step_for(user=request.user, customer=customer, pk=step_id)
    form = RoadmapStepForm(request.POST or None, instance=step, user=request.user, customer=customer)
    if step is None:
        save = partial(services.roadmap_step_create, by=request.user, customer=customer)
    else:
        save = partial(services.roadmap_step_update, by=request.user, step=step)
    title = _("Change a roadmap step") if step else _("Add a roadmap step")
    delete_url = reverse("accounts:step_delete", args=[customer.pk, step.pk]) if step else None
    saved = _save_posted(
        request,
        form,
        customer,
        obj=step,
        fields=services.STEP_FIELDS,
        save=save,
        anchor="roadmap",
        message=_("The roadmap step was saved."),
        title=title,
        delete_url=delete_url,
    )
    if saved is not None:
        return saved
    return _edit_page(request, customer=customer, form=form, title=title, delete_url=delete_url)


@login_required
@require_POST
def step_delete(request: HttpRequest, customer_id: int, step_id: int) -> HttpResponse:
    customer = access.account_for(request.user, customer_id, edit=True)
    step = selectors.roadmap_step_for(user=request.user, customer=customer, pk=step_id)
    services.roadmap_step_delete(by=request.user, step=step)
    messages.success(request, _("The roadmap step was removed."))
    return _to_account(customer, "roadmap")


@login_required
def person_edit(request: HttpRequest, customer_id: int, person_id: int | None = None) -> HttpResponse:
    customer = access.account_for(request.user, customer_id, edit=True)
    person = None
    if person_id is not None:
        person = selectors.key_person_for(user=request.user, customer=customer, pk=person_id)
    form = KeyPersonForm(request.POST or None, instance=person)
    if person is None:
        save = partial(services.key_person_create, by=request.user, customer=customer)
    else:
        save = partial(services.key_person_update, by=request.user, person=person)
    title = _("Change a key person") if person else _("Add a key person")
    delete_url = reverse("accounts:person_delete", args=[customer.pk, person.pk]) if person else None
    saved = _save_posted(
        request,
        form,
        customer,
        obj=person,
        fields=services.PERSON_FIELDS,
        save=save,
        anchor="people",
        message=_("The key person was saved."),
        title=title,
        delete_url=delete_url,
    )
    if saved is not None:
        return saved
    return _edit_page(request, customer=customer, form=form, title=title, delete_url=delete_url)


@login_required
@require_POST
def person_delete(request: HttpRequest, customer_id: int, person_id: int) -> HttpResponse:
    customer = access.account_for(request.user, customer_id, edit=True)
    person = selectors.key_person_for(user=request.user, customer=customer, pk=person_id)
    services.key_person_delete(by=request.user, person=person)
    messages.success(request, _("The key person was removed."))
    return _to_account(customer, "people")


@login_required
@require_POST
def person_met(request: HttpRequest, customer_id: int, person_id: int) -> HttpResponse:
    """The quick "met today" button."""
    customer = access.account_for(request.user, customer_id, edit=True)
    person = selectors.key_person_for(user=request.user, customer=customer, pk=person_id)
    services.key_person_met(by=request.user, person=person)
    messages.success(request, _("Recorded: you met %(name)s today.") % {"name": person.name})
    return _to_account(customer, "people")


@login_required
def signal_new(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = access.account_for(request.user, customer_id, edit=True)
    form = SignalForm(request.POST or None, user=request.user, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.signal_record(by=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The relationship signal was recorded."))
            return _to_account(customer, "signals")
    return _edit_page(request, customer=customer, form=form, title=_("Record a relationship signal"))
