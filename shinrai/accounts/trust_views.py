"""Pages of the trust dashboard (vendor users only: customers and partners get 404, never see warnings)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from shinrai.core import access
from shinrai.core.access import Perm

from . import indicators as ind
from . import trust_selectors

PROJECTS_PER_PAGE = 50


def _vendor_only(user) -> None:
    if not access.is_vendor_user(user):
        raise Http404


def _columns(ids) -> list[ind.Definition]:
    return [ind.BY_ID[i] for i in ids]


def _cells(figures: dict, ids) -> list:
    return [figures[i] for i in ids]


def _page_number(raw) -> int:
    return int(raw) if isinstance(raw, str) and raw.isdigit() and 0 < int(raw) <= 10_000 else 1


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """Accounts first (drifting ones at the top), then the projects, warnings first (paginated).

    The tables (thousands of figures) are rendered once per cached board, language and page and kept in the
    cache beside the board: they hold no per-request data (no CSRF token, no user name).
    """
    _vendor_only(request.user)
    number = _page_number(request.GET.get("page"))
    key = trust_selectors.board_key(user=request.user)

    def build():
        board = trust_selectors.trust_board_cached(user=request.user, key=key)
        projects = Paginator(board.projects, PROJECTS_PER_PAGE).get_page(number)
        tables = render_to_string(
            "accounts/trust_portfolio_tables.html",
            {
                "summary": _cells(board.figures, ind.PROJECT_IDS),
                "account_columns": _columns(ind.ACCOUNT_IDS),
                "accounts": [(a, _cells(a.figures, ind.ACCOUNT_IDS)) for a in board.accounts],
                "project_columns": _columns(ind.PROJECT_IDS),
                "projects": [(p, _cells(p.figures, ind.PROJECT_IDS)) for p in projects],
                "page": projects,
            },
        )
        return len(board.accounts), board.drifting_count, tables

    accounts, drifting, tables = trust_selectors.cached_piece(
        key, f"portfolio:{get_language()}:{number}", build
    )
    return render(
        request,
        "accounts/trust_portfolio.html",
        {
            "accounts": accounts,
            "drifting": drifting,
            # Our own template, rendered (and escaped) by render_to_string; only its cache was in between.
            "tables": mark_safe(tables),  # noqa: S308
        },
    )


@login_required
def account(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The account's warnings, figures and projects (the body is rendered once per board and language)."""
    customer = access.account_for(request.user, customer_id)
    key = trust_selectors.board_key(user=request.user)

    def build():
        trust = trust_selectors.account_trust_cached(user=request.user, customer_id=customer.pk, key=key)
        if trust is None:
            return None
        return render_to_string(
            "accounts/trust_account_body.html",
            {
                "account": trust,
                "groups": _grouped(trust.figures),
                "project_columns": _columns(ind.PROJECT_IDS),
                "projects": [(p, _cells(p.figures, ind.PROJECT_IDS)) for p in trust.projects],
            },
        )

    body = trust_selectors.cached_piece(key, f"a{customer.pk}:{get_language()}", build)
    if body is None:
        raise Http404
    # Our own template, rendered (and escaped) by render_to_string; only its cache was in between.
    return render(
        request,
        "accounts/trust_account.html",
        {"customer": customer, "body": mark_safe(body)},  # noqa: S308
    )


@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    trust, account = trust_selectors.project_trust_cached(user=request.user, project_id=project.pk)
    if trust is None:
        raise Http404
    return render(
        request,
        "accounts/trust_project.html",
        {"project": project, "trust": trust, "groups": _grouped(trust.figures), "account": account},
    )


@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    _vendor_only(request.user)
    groups = [
        (key, label, ind.GROUPS_JA[key], [d for d in ind.DEFINITIONS if d.group == key])
        for key, label in ind.GROUPS.items()
    ]
    return render(request, "accounts/trust_definitions.html", {"groups": groups, "ind": ind})


def _grouped(figures: dict) -> list[tuple[str, list]]:
    """[(group label, [Figure, …]), …] in the order of the definitions, for the indicators present."""
    return [
        (label, [figures[d.id] for d in ind.DEFINITIONS if d.group == key and d.id in figures])
        for key, label in ind.GROUPS.items()
        if any(d.group == key and d.id in figures for d in ind.DEFINITIONS)
    ]
