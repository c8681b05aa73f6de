"""Computed relationship signals per account (read by the account pages and the trust dashboard).

Definitions (documented in docs/ACCOUNTS.md) — everything is "as of ``today``": signals dated after
``today`` and key people met after ``today`` are ignored, so the same function gives past values for trends.

- last meaningful contact: the latest date among signals of a kind in ``models.CONTACT_KINDS`` (a meaningful
  meeting, being consulted before an RFP) and every key person's ``last_met_on`` in the account's plan;
- days since contact: ``today - last contact`` in calendar days (None when there never was one);
- silent: never contacted, or more than ``SILENCE_DAYS`` (60) days since the last contact;
- share won without competition: ``without / (without + in)`` over all recorded wins (None with no wins);
- latest RFP signal: the latest of "consulted before the RFP" / "learned only from the RFP" by date
  (on the same day, the one recorded last);
- competitor quotes in the last year: signals "competitor quotes requested" dated ``today - 364 days``
  to ``today`` inclusive (365 calendar days).

These are not Django signals (``django.dispatch``); the name is the product's word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Max, Q, Window
from django.db.models.functions import RowNumber

from .models import CONTACT_KINDS, KeyPerson, RelationshipSignal

SILENCE_DAYS = 60
QUOTES_WINDOW_DAYS = 365

Kind = RelationshipSignal.Kind
RFP_KINDS = (Kind.CONSULTED_BEFORE_RFP, Kind.LEARNED_FROM_RFP)


@dataclass(frozen=True)
class RelationshipSummary:
    customer_id: int
    last_contact_on: date | None  # latest meaningful contact
    days_since_contact: int | None  # today - last_contact_on; None when never
    wins_without_competition: int  # signals WON_WITHOUT_COMPETITION (all time)
    wins_in_competition: int  # signals WON_IN_COMPETITION (all time)
    share_without_competition: float | None  # without / (without + in); None when no wins recorded
    latest_rfp_kind: str | None  # the most recent of CONSULTED_BEFORE_RFP / LEARNED_FROM_RFP, by date
    latest_rfp_on: date | None
    competitor_quotes_last_year: int  # COMPETITOR_QUOTES in the 365 days up to today
    silent: bool  # never contacted, or days_since_contact > SILENCE_DAYS

    @property
    def share_percent(self) -> int | None:
        """The share won without competition in whole percent (half up), for display."""
        if self.share_without_competition is None:
            return None
        return int(self.share_without_competition * 100 + 0.5)

    @property
    def latest_rfp_label(self) -> str | None:
        return str(Kind(self.latest_rfp_kind).label) if self.latest_rfp_kind else None

    @property
    def rfp_learned_late(self) -> bool:
        """The latest RFP signal says we learned of it only from the RFP."""
        return self.latest_rfp_kind == Kind.LEARNED_FROM_RFP


def _latest(*dates: date | None) -> date | None:
    present = [d for d in dates if d is not None]
    return max(present) if present else None


def summarize(
    *,
    customer_id: int,
    today: date,
    signal_contact_on: date | None = None,
    key_person_met_on: date | None = None,
    wins_without: int = 0,
    wins_in: int = 0,
    rfp_kind: str | None = None,
    rfp_on: date | None = None,
    quotes_last_year: int = 0,
) -> RelationshipSummary:
    """The summary from its raw figures (plain arithmetic, no database)."""
    last = _latest(signal_contact_on, key_person_met_on)
    days = (today - last).days if last is not None else None
    wins = wins_without + wins_in
    return RelationshipSummary(
        customer_id=customer_id,
        last_contact_on=last,
        days_since_contact=days,
        wins_without_competition=wins_without,
        wins_in_competition=wins_in,
        share_without_competition=(wins_without / wins) if wins else None,
        latest_rfp_kind=rfp_kind,
        latest_rfp_on=rfp_on,
        competitor_quotes_last_year=quotes_last_year,
        silent=days is None or days > SILENCE_DAYS,
    )


def relationship_summaries(*, vendor_org, customer_ids, today: date) -> dict[int, RelationshipSummary]:
    """Constant number of queries (aggregates grouped by customer), one entry per given customer id.

    ``vendor_org`` is the vendor Organization (or its pk). Three queries whatever the number of customers
    and signals; none when ``customer_ids`` is empty.
    """
    ids = sorted({int(pk) for pk in customer_ids})
    if not ids:
        return {}
    signals = RelationshipSignal.objects.filter(
        vendor_org=vendor_org, customer_org_id__in=ids, occurred_on__lte=today
    )
    quotes_from = today - timedelta(days=QUOTES_WINDOW_DAYS - 1)
    figures = {
        row["customer_org_id"]: row
        for row in signals.order_by()
        .values("customer_org_id")
        .annotate(
            contact_on=Max("occurred_on", filter=Q(kind__in=CONTACT_KINDS)),
            wins_without=Count("id", filter=Q(kind=Kind.WON_WITHOUT_COMPETITION)),
            wins_in=Count("id", filter=Q(kind=Kind.WON_IN_COMPETITION)),
            quotes=Count("id", filter=Q(kind=Kind.COMPETITOR_QUOTES, occurred_on__gte=quotes_from)),
        )
    }
    latest_rfp = {
        row["customer_org_id"]: (row["kind"], row["occurred_on"])
        for row in signals.filter(kind__in=RFP_KINDS)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("customer_org_id")],
                order_by=[F("occurred_on").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .values("customer_org_id", "kind", "occurred_on")
    }
    met = dict(
        KeyPerson.objects.filter(
            plan__vendor_org=vendor_org, plan__customer_org_id__in=ids, last_met_on__lte=today
        )
        .order_by()
        .values("plan__customer_org_id")
        .annotate(met_on=Max("last_met_on"))
        .values_list("plan__customer_org_id", "met_on")
    )
    result = {}
    for pk in ids:
        row = figures.get(pk, {})
        rfp_kind, rfp_on = latest_rfp.get(pk, (None, None))
        result[pk] = summarize(
            customer_id=pk,
            today=today,
            signal_contact_on=row.get("contact_on"),
            key_person_met_on=met.get(pk),
            wins_without=row.get("wins_without", 0),
            wins_in=row.get("wins_in", 0),
            rfp_kind=rfp_kind,
            rfp_on=rfp_on,
            quotes_last_year=row.get("quotes", 0),
        )
    return result
