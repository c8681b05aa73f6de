"""Survey results pages and their PDF and .xlsx exports: per project, per account (customer) and vendor-wide.

Vendor roles only: everyone else gets a 404 (the selectors ask :mod:`shinrai.core.access`). Views stay thin:
look up through the selector, render or export. A page's figures (cards, questions, trend table and chart) and
its comments are rendered once per cached figures (and commenters' names) and kept beside them in the cache:
with a thousand projects' answers behind it, a page is then a few queries and a small template.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from shinrai.core.xlsx import XLSX_CONTENT_TYPE

from . import results_pages, results_pdf, results_xlsx
from . import results_selectors as selectors


def _page(request: HttpRequest, results: selectors.Results, exports: dict) -> HttpResponse:
    return render(
        request,
        "surveys/results_page.html",
        {
            "results": results,
            "scope_label": selectors.scope_label(results),
            "periods_label": selectors.periods_label(results),
            # Our own templates, rendered (and escaped) by render_to_string; only the cache was in between.
            "figures_html": mark_safe(results_pages.figures_html(results)),  # noqa: S308
            "comments_html": mark_safe(results_pages.comments_html(results)),  # noqa: S308
            "exports": exports,
            "nps_formula": results_pdf.nps_formula(),
            "anonymity": results_pdf.anonymity_sentence(),
        },
    )


def _download(content: bytes, content_type: str, name: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    filename = f"{name}_survey_results_{timezone.localdate():%Y%m%d}.{extension}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _pdf(results: selectors.Results, name: str) -> HttpResponse:
    return _download(
        results_pdf.results_pdf(results, language=results_pages.language()), "application/pdf", name, "pdf"
    )


def _xlsx(results: selectors.Results, name: str) -> HttpResponse:
    return _download(results_xlsx.results_xlsx(results), XLSX_CONTENT_TYPE, name, "xlsx")


# --- Project -----------------------------------------------------------------------------------------------


@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    results = selectors.project_results(user=request.user, project_pk=pk)
    return _page(
        request,
        results,
        {
            "pdf": reverse("survey_results:project_pdf", args=[pk]),
            "xlsx": reverse("survey_results:project_xlsx", args=[pk]),
        },
    )


@login_required
def project_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    results = selectors.project_results(user=request.user, project_pk=pk, comment_limit=None)
    return _pdf(results, results.subject.code)


@login_required
def project_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    results = selectors.project_results(user=request.user, project_pk=pk, comment_limit=None)
    return _xlsx(results, results.subject.code)


# --- Account -----------------------------------------------------------------------------------------------


@login_required
def account(request: HttpRequest, customer_id: int) -> HttpResponse:
    results = selectors.account_results(user=request.user, customer_pk=customer_id)
    return _page(
        request,
        results,
        {
            "pdf": reverse("survey_results:account_pdf", args=[customer_id]),
            "xlsx": reverse("survey_results:account_xlsx", args=[customer_id]),
        },
    )


@login_required
def account_pdf(request: HttpRequest, customer_id: int) -> HttpResponse:
    results = selectors.account_results(user=request.user, customer_pk=customer_id, comment_limit=None)
    return _pdf(results, f"account{customer_id}")


@login_required
def account_xlsx(request: HttpRequest, customer_id: int) -> HttpResponse:
    results = selectors.account_results(user=request.user, customer_pk=customer_id, comment_limit=None)
    return _xlsx(results, f"account{customer_id}")


# --- Vendor ------------------------------------------------------------------------------------------------


@login_required
def vendor(request: HttpRequest) -> HttpResponse:
    results = selectors.vendor_results(user=request.user)
    return _page(
        request,
        results,
        {"pdf": reverse("survey_results:vendor_pdf"), "xlsx": reverse("survey_results:vendor_xlsx")},
    )


@login_required
def vendor_pdf(request: HttpRequest) -> HttpResponse:
    return _pdf(selectors.vendor_results(user=request.user, comment_limit=None), "vendor")


@login_required
def vendor_xlsx(request: HttpRequest) -> HttpResponse:
    return _xlsx(selectors.vendor_results(user=request.user, comment_limit=None), "vendor")
