"""Partnership check pages: the check of an account (trend, facts, both sides, suggestions), recording a
quarter's check and changing one. Every page looks the account up through ``selectors.account_for``
(``shinrai.core.access``): anyone but the account's keepers gets 404, missing and forbidden alike."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shinrai.core import locking

from . import charts, facts, rules, selectors, services
from .forms import AssessmentForm, add_errors


def trend_chart(page: selectors.CheckPage) -> str:
    """The inline SVG of the trend ("" without checks)."""
    if not page.trend:
        return ""
    names = selectors.short_labels()
    return charts.trend_svg(
        periods=tuple(row.label for row in page.trend),
        series=tuple(tuple(row.scores[i] for row in page.trend) for i in range(len(names))),
        names=tuple(names),
        overall=tuple(row.overall for row in page.trend),
        overall_name=_("Overall (mean of the five)"),
        axis=_("Score (1–5)"),
        description=_("Partnership check over time"),
    )


@login_required
def check(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.account_for(request.user, customer_id)
    page = selectors.check_page(user=request.user, customer=customer, today=timezone.localdate())
    context = {
        "customer": customer,
        "page": page,
        "questions": list(zip(selectors.short_labels(), selectors.question_labels(), strict=True)),
        "chart_svg": trend_chart(page),
        "window_days": facts.WINDOW_DAYS,
        "short_notice_days": facts.SHORT_NOTICE_DAYS,
        "rules": rules,
    }
    return render(request, "partnership/check.html", context)


def _to_check(customer) -> HttpResponse:
    return redirect("partnership:check", customer_id=customer.pk)


@login_required
def new(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.account_for(request.user, customer_id)
    today = timezone.localdate()
    form = AssessmentForm(request.POST or None, today=today, initial={"assessed_on": today})
    if request.method == "POST" and form.is_valid():
        year, quarter = form.period_parts()
        data = {name: form.cleaned_data[name] for name in services.FIELDS}
        try:
            services.assessment_create(
                by=request.user, customer=customer, fiscal_year=year, quarter=quarter, **data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The partnership check was recorded."))
            return _to_check(customer)
    return render(request, "partnership/form.html", {"customer": customer, "form": form, "assessment": None})


@login_required
def edit(request: HttpRequest, customer_id: int, assessment_id: int) -> HttpResponse:
    """Change a check. A save from a stale page answers 409 with the conflict view; nothing is written."""
    customer = selectors.account_for(request.user, customer_id)
    assessment = selectors.assessment_for(user=request.user, customer=customer, pk=assessment_id)
    initial = {name: getattr(assessment, name) for name in services.FIELDS}
    form = AssessmentForm(request.POST or None, initial=initial, lock_of=assessment)
    context = {"customer": customer, "assessment": assessment}
    if request.method == "POST" and form.is_valid():
        try:
            with locking.guard(assessment, form.lock_token):
                services.assessment_update(
                    by=request.user,
                    assessment=assessment,
                    **{name: form.cleaned_data[name] for name in services.FIELDS},
                )
        except locking.Stale as stale:
            form.add_error(None, stale)
            current = selectors.assessment_for(user=request.user, customer=customer, pk=assessment.pk)
            return locking.conflict(
                request,
                "partnership/form.html",
                context | {"assessment": current},
                form=form,
                stale=stale,
                current=current,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The partnership check was saved."))
            return _to_check(customer)
    return render(request, "partnership/form.html", context | {"form": form})
