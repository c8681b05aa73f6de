"""Reads of the accounts app: the account list and one account's page, in a fixed number of queries.

Every read starts from ``shinrai.core.access`` (``account_customers_visible_to``, ``account_for``,
``projects_visible_to``) and is scoped to the user's own vendor organization.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shinrai.core import access
from shinrai.core.models import Organization, Project, User

from .models import AccountPlan, KeyPerson, RelationshipSignal, RoadmapStep
from .signals import RelationshipSummary, relationship_summaries

SIGNALS_SHOWN = 100  # the account page's timeline; the API pages through all of them


def fiscal_year_of(day: date) -> int:
    """Japanese fiscal year (April–March): FY2026 runs from 2026-04-01 to 2027-03-31."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(year: int) -> str:
    return _("FY%(year)d (April %(year)d – March %(next)d)") % {"year": year, "next": year + 1}


# --- The account list -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    customer: Organization
    projects_count: int
    plan_updated_at: datetime | None
    summary: RelationshipSummary


def account_rows(*, user: User, today: date) -> list[AccountRow]:
    """Every account the user may open, with its figures: 5 queries whatever the number of accounts."""
    customers = list(access.account_customers_visible_to(user))
    if not customers:
        return []
    ids = [c.pk for c in customers]
    vendor = user.organization
    counts = dict(
        access.projects_visible_to(user)
        .filter(vendor_org=vendor, customer_org_id__in=ids)
        .order_by()
        .values("customer_org_id")
        .annotate(n=Count("id"))
        .values_list("customer_org_id", "n")
    )
    updated = dict(
        AccountPlan.objects.filter(vendor_org=vendor, customer_org_id__in=ids).values_list(
            "customer_org_id", "updated_at"
        )
    )
    summaries = relationship_summaries(vendor_org=vendor, customer_ids=ids, today=today)
    return [
        AccountRow(
            customer=c,
            projects_count=counts.get(c.pk, 0),
            plan_updated_at=updated.get(c.pk),
            summary=summaries[c.pk],
        )
        for c in customers
    ]


# --- One account ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    person: KeyPerson
    days_since_met: int | None
    overdue: bool  # planned to meet every N days and it has been longer (or never met)


@dataclass(frozen=True)
class FiscalYearGroup:
    year: int
    label: str
    current: bool
    steps: list[RoadmapStep]


@dataclass
class AccountPage:
    customer: Organization
    plan: AccountPlan | None
    can_edit: bool
    today: date
    summary: RelationshipSummary
    projects: list[Project]
    roadmap: list[FiscalYearGroup]
    people: list[PersonRow]
    signals: list[RelationshipSignal]
    signals_more: bool
    visible_project_ids: set[int] = field(default_factory=set)

    @property
    def version(self) -> int:
        return self.plan.version if self.plan else 0


def person_row(person: KeyPerson, today: date) -> PersonRow:
    days = (today - person.last_met_on).days if person.last_met_on else None
    every = person.meet_every_days
    overdue = bool(every) and (days is None or days > every)
    return PersonRow(person=person, days_since_met=days, overdue=overdue)


def group_roadmap(steps: list[RoadmapStep], today: date) -> list[FiscalYearGroup]:
    current = fiscal_year_of(today)
    groups: dict[int, list[RoadmapStep]] = {}
    for step in steps:
        groups.setdefault(step.fiscal_year, []).append(step)
    return [
        FiscalYearGroup(year=year, label=fiscal_year_label(year), current=year == current, steps=groups[year])
        for year in sorted(groups)
    ]


def account_projects(*, user: User, customer: Organization) -> QuerySet[Project]:
    """The account's projects that the user may open (vendor managers: all of them)."""
    return (
        access.projects_visible_to(user)
        .filter(vendor_org=user.organization, customer_org=customer)
        .order_by("code")
    )


def plan_of(*, user: User, customer: Organization) -> AccountPlan | None:
    return (
        AccountPlan.objects.filter(vendor_org=user.organization, customer_org=customer)
        .select_related("updated_by")
        .first()
    )


def signals_of(*, user: User, customer: Organization) -> QuerySet[RelationshipSignal]:
    """The account's signals, newest first (another vendor's never)."""
    return (
        RelationshipSignal.objects.filter(vendor_org=user.organization, customer_org=customer)
        .select_related("project", "recorded_by")
        .order_by("-occurred_on", "-id")
    )


def account_page(*, user: User, customer: Organization, today: date) -> AccountPage:
    """Everything the account page shows: a fixed number of queries."""
    plan = plan_of(user=user, customer=customer)
    projects = list(account_projects(user=user, customer=customer))
    steps = list(plan.roadmap_steps.select_related("project")) if plan else []
    people = list(plan.key_people.all()) if plan else []
    signals = list(signals_of(user=user, customer=customer)[: SIGNALS_SHOWN + 1])
    summary = relationship_summaries(vendor_org=user.organization, customer_ids=[customer.pk], today=today)[
        customer.pk
    ]
    return AccountPage(
        customer=customer,
        plan=plan,
        can_edit=access.can_edit_account(user, customer),
        today=today,
        summary=summary,
        projects=projects,
        roadmap=group_roadmap(steps, today),
        people=[person_row(p, today) for p in people],
        signals=signals[:SIGNALS_SHOWN],
        signals_more=len(signals) > SIGNALS_SHOWN,
        visible_project_ids={p.pk for p in projects},
    )


def roadmap_step_for(*, user: User, customer: Organization, pk) -> RoadmapStep:
    """A step of the user's vendor's plan for this customer; 404 otherwise."""
    try:
        return RoadmapStep.objects.select_related("plan__customer_org", "project").get(
            pk=pk, plan__vendor_org=user.organization, plan__customer_org=customer
        )
    except (RoadmapStep.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def key_person_for(*, user: User, customer: Organization, pk) -> KeyPerson:
    """A key person of the user's vendor's plan for this customer; 404 otherwise."""
    try:
        return KeyPerson.objects.select_related("plan__customer_org").get(
            pk=pk, plan__vendor_org=user.organization, plan__customer_org=customer
        )
    except (KeyPerson.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
