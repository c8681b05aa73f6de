"""Reads of the partnership check, always through ``shinrai.core.access``.

Who sees it (the one rule, used by the pages, the API and the account page's card): the people who keep the
account — the vendor managers of the vendor, and the vendor PMs of one of the account's projects
(``access.can_edit_account``, through ``access.account_for(..., edit=True)``). They may also write it.
Everyone else answers 404 on every page and endpoint: customer and partner users (who never see accounts),
vendor members (who see the account page but not how we rate the customer), and any other vendor, which
only ever sees its own checks of the same customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from shinrai.accounts import selectors as account_selectors
from shinrai.accounts.signals import RelationshipSummary, relationship_summaries
from shinrai.core import access
from shinrai.core.models import Organization, User

from . import facts as facts_module
from . import rules
from .models import CODES, QUESTIONS, SHORT_LABELS, Assessment, fiscal_quarter_of, quarter_label


def account_for(user: User, customer_pk) -> Organization:
    """The customer of an account whose partnership check the user may read and write; 404 otherwise."""
    return access.account_for(user, customer_pk, edit=True)


def can_see(user: User, customer: Organization) -> bool:
    return access.can_edit_account(user, customer)


def assessments_of(*, user: User, customer: Organization) -> QuerySet[Assessment]:
    """The user's vendor's checks of this customer, oldest period first (another vendor's never)."""
    return (
        Assessment.objects.filter(vendor_org_id=user.organization_id, customer_org=customer)
        .select_related("assessed_by", "updated_by")
        .order_by("fiscal_year", "quarter")
    )


def assessment_for(*, user: User, customer: Organization, pk) -> Assessment:
    try:
        return assessments_of(user=user, customer=customer).get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_ids(*, user: User, customer: Organization) -> list[int]:
    """The account's projects the user may open (a vendor manager: all of them)."""
    return list(account_selectors.account_projects(user=user, customer=customer).values_list("pk", flat=True))


def facts_for(*, user: User, customer: Organization, today: date) -> facts_module.Facts:
    return facts_module.compute(project_ids=project_ids(user=user, customer=customer), today=today)


# --- Trend ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    assessment: Assessment
    label: str
    scores: list[int]  # in the order of QUESTIONS
    overall: float
    change: float | None  # overall minus the previous check's (None for the first)


def trend_rows(assessments: list[Assessment]) -> list[TrendRow]:
    rows, before = [], None
    for a in assessments:
        rows.append(
            TrendRow(
                assessment=a,
                label=a.period_label,
                scores=[getattr(a, code) for code in CODES],
                overall=a.overall,
                change=None if before is None else round(a.overall - before.overall, 1),
            )
        )
        before = a
    return rows


def question_labels() -> list[str]:
    return [str(question) for _code, question, _help in QUESTIONS]


def short_labels() -> list[str]:
    return [str(SHORT_LABELS[code]) for code in CODES]


# --- Both sides -------------------------------------------------------------------------------------------


def our_side(*, user: User, customer: Organization) -> tuple[list, list[str]]:
    """The account's early warnings and the names of its red indicators, from the trust dashboard."""
    from shinrai.accounts.trust_selectors import account_trust_cached

    trust = account_trust_cached(user=user, customer_id=customer.pk)
    if trust is None:
        return [], []
    red = [str(figure.definition.name) for figure in trust.figures.values() if figure.status == "red"]
    return list(trust.warnings), red


def summary_of(*, user: User, customer: Organization, today: date) -> RelationshipSummary:
    return relationship_summaries(vendor_org=user.organization, customer_ids=[customer.pk], today=today)[
        customer.pk
    ]


@dataclass
class CheckPage:
    customer: Organization
    today: date
    assessments: list[Assessment]
    trend: list[TrendRow]
    facts: facts_module.Facts
    health: rules.Health
    summary: RelationshipSummary
    current_year: int
    current_quarter: int
    current: Assessment | None  # this quarter's check, when there is one

    @property
    def latest(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None

    @property
    def current_label(self) -> str:
        return quarter_label(self.current_year, self.current_quarter)


def check_page(*, user: User, customer: Organization, today: date) -> CheckPage:
    """Everything the check page (and the API's summary) shows."""
    assessments = list(assessments_of(user=user, customer=customer))
    facts = facts_for(user=user, customer=customer, today=today)
    summary = summary_of(user=user, customer=customer, today=today)
    warnings, red = our_side(user=user, customer=customer)
    latest = assessments[-1] if assessments else None
    previous = assessments[-2] if len(assessments) > 1 else None
    health = rules.assess(
        latest=latest, previous=previous, facts=facts, summary=summary, warnings=warnings, red=red
    )
    year, quarter = fiscal_quarter_of(today)
    current = next((a for a in assessments if (a.fiscal_year, a.quarter) == (year, quarter)), None)
    return CheckPage(
        customer=customer,
        today=today,
        assessments=assessments,
        trend=trend_rows(assessments),
        facts=facts,
        health=health,
        summary=summary,
        current_year=year,
        current_quarter=quarter,
        current=current,
    )
