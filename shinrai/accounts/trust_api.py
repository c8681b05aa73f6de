"""API: Trust indicators (vendor users only; customers and partners get 404, as on the pages).

GET /trust (the portfolio: its figures and every account's, with their project ids),
GET /accounts/{customer_id}/trust, GET /projects/{project_id}/trust, GET /trust/definitions (how each
indicator is computed). Each indicator: id, name, value,
previous, delta, unit, status colour, trend and the URL of its definition; warnings as codes with a plain
sentence in the caller's language.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from ninja import Field, Router, Schema

from shinrai.core import access
from shinrai.core.access import Perm

from . import indicators as ind
from . import trust_selectors

router = Router(tags=["trust"])


class IndicatorOut(Schema):
    id: str
    name: str
    value: float | str | None = Field(
        description="None when there is nothing to count (or too few anonymous answers)"
    )
    previous: float | str | None = Field(description="The same indicator in the previous window")
    delta: float | None
    unit: str = Field(description="%, h, score (1–5), points (NPS), days, count; empty for the RFP signal")
    status: str = Field(description="green, amber, red or none")
    trend: str = Field(description="better, worse, same, or empty when there is no comparison")
    basis: int | None = Field(description="How many items the value is computed from")
    definition_url: str


class WarningOut(Schema):
    code: str = Field(description="rfp, satisfaction_drop, punctuality, no_contact, customer_found_first")
    sentence: str


class ProjectTrustOut(Schema):
    project_id: int
    code: str
    name: str
    customer_id: int
    indicators: list[IndicatorOut]
    warnings: list[WarningOut]


class AccountTrustOut(Schema):
    customer_id: int
    name: str
    drifting: bool = Field(description="2 or more early warnings: drifting to 'one of them'")
    indicators: list[IndicatorOut]
    warnings: list[WarningOut]
    projects: list[ProjectTrustOut]


class AccountSummaryOut(Schema):
    customer_id: int
    name: str
    drifting: bool
    indicators: list[IndicatorOut]
    warnings: list[WarningOut]
    project_ids: list[int] = Field(description="Each project's figures: GET /projects/{project_id}/trust")


class PortfolioTrustOut(Schema):
    as_of: str
    indicators: list[IndicatorOut]
    accounts: list[AccountSummaryOut] = Field(
        description="Drifting accounts first, then by number of warnings"
    )


def _indicators(request, figures: dict) -> list[dict]:
    base = request.build_absolute_uri(reverse("trust:definitions"))
    return [
        {
            "id": f.id,
            "name": str(f.definition.name),
            "value": f.value,
            "previous": f.previous,
            "delta": f.delta,
            "unit": f.definition.unit,
            "status": f.status,
            "trend": f.trend,
            "basis": f.basis,
            "definition_url": f"{base}#{f.definition.anchor}",
        }
        for f in (figures[d.id] for d in ind.DEFINITIONS if d.id in figures)
    ]


def _warnings(warnings) -> list[dict]:
    return [{"code": w.code, "sentence": w.sentence} for w in warnings]


def _project(request, trust) -> dict:
    project = trust.project
    return {
        "project_id": project.pk,
        "code": project.code,
        "name": project.name,
        "customer_id": project.customer_org_id,
        "indicators": _indicators(request, trust.figures),
        "warnings": _warnings(trust.warnings),
    }


def _account(request, account) -> dict:
    return {
        "customer_id": account.customer.pk,
        "name": account.customer.name,
        "drifting": account.drifting,
        "indicators": _indicators(request, account.figures),
        "warnings": _warnings(account.warnings),
        "projects": [_project(request, p) for p in account.projects],
    }


@router.get("/trust", response=PortfolioTrustOut, summary="Trust indicators of your portfolio (vendor users)")
def trust_portfolio(request):
    user = request.auth
    if not access.is_vendor_user(user):
        raise Http404
    board = trust_selectors.trust_board_cached(user=user)
    return {
        "as_of": board.now.isoformat(),
        "indicators": _indicators(request, board.figures),
        "accounts": [
            {
                "customer_id": a.customer.pk,
                "name": a.customer.name,
                "drifting": a.drifting,
                "indicators": _indicators(request, a.figures),
                "warnings": _warnings(a.warnings),
                "project_ids": [p.project.pk for p in a.projects],
            }
            for a in board.accounts
        ],
    }


@router.get(
    "/accounts/{int:customer_id}/trust",
    response=AccountTrustOut,
    summary="Trust indicators and early warnings of one account (vendor users)",
)
def account_trust(request, customer_id: int):
    user = request.auth
    customer = access.account_for(user, customer_id)
    account = trust_selectors.account_trust_cached(user=user, customer_id=customer.pk)
    if account is None:
        raise Http404
    return _account(request, account)


@router.get(
    "/projects/{int:project_id}/trust",
    response=ProjectTrustOut,
    summary="Trust indicators and early warnings of one project (vendor roles)",
)
def project_trust(request, project_id: int):
    user = request.auth
    project, _role = access.project_for(user, project_id, Perm.SEE_INTERNAL)
    trust, _account = trust_selectors.project_trust_cached(user=user, project_id=project.pk)
    if trust is None:
        raise Http404
    return _project(request, trust)


class DefinitionOut(Schema):
    id: str
    group: str = Field(description="reliability, transparency, responsiveness, satisfaction or relationship")
    group_label: str
    name: str
    name_ja: str
    definition: str
    formula: str
    window: str
    unit: str
    better: str = Field(description="higher, lower, closer_to_100, or category (the RFP signal)")
    green: float | None = Field(description="higher: green at ≥; lower: at ≤; closer_to_100: within ±")
    amber: float | None
    account_only: bool = Field(description="Shown for accounts and the portfolio, not for one project")


@router.get(
    "/trust/definitions",
    response=list[DefinitionOut],
    summary="How every trust indicator is computed, with its thresholds, as on the definitions page "
    "(vendor users)",
)
def trust_definitions(request):
    if not access.is_vendor_user(request.auth):
        raise Http404
    return [
        {
            "id": d.id,
            "group": d.group,
            "group_label": str(ind.GROUPS[d.group]),
            "name": str(d.name),
            "name_ja": d.name_ja,
            "definition": str(d.definition),
            "formula": str(d.formula),
            "window": str(d.window),
            "unit": d.unit,
            "better": d.better,
            "green": d.green,
            "amber": d.amber,
            "account_only": d.account_only,
        }
        for d in ind.DEFINITIONS
    ]
