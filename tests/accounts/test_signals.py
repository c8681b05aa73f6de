"""relationship_summaries: the computed relationship signals, checked against figures worked out by hand."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.accounts.models import AccountPlan, KeyPerson, RelationshipSignal
from shinrai.accounts.signals import SILENCE_DAYS, relationship_summaries, summarize
from tests.factories import OrganizationFactory

Kind = RelationshipSignal.Kind
TODAY = date(2026, 11, 9)


def signal(cast, kind, on, customer=None, vendor=None):
    return RelationshipSignal.objects.create(
        vendor_org=vendor or cast.vendor, customer_org=customer or cast.customer, kind=kind, occurred_on=on
    )


def test_hand_checked_summary(cast):
    # Contacts: a meeting on 2026-08-20, consulted before an RFP on 2026-09-01, a key person met 2026-09-25.
    signal(cast, Kind.MEETING, date(2026, 8, 20))
    signal(cast, Kind.CONSULTED_BEFORE_RFP, date(2026, 9, 1))
    plan = AccountPlan.objects.create(vendor_org=cast.vendor, customer_org=cast.customer)
    KeyPerson.objects.create(plan=plan, name="佐藤", last_met_on=date(2026, 9, 25))
    KeyPerson.objects.create(plan=plan, name="鈴木", last_met_on=date(2026, 6, 1))
    # Not contacts: learned of an RFP later, competitor quotes, a long-silence note.
    signal(cast, Kind.LEARNED_FROM_RFP, date(2026, 10, 15))
    signal(cast, Kind.LONG_SILENCE, date(2026, 10, 20))
    # Wins: 3 without competition, 1 in competition -> 3 / 4 = 0.75.
    for on in (date(2023, 4, 1), date(2024, 4, 1), date(2025, 4, 1)):
        signal(cast, Kind.WON_WITHOUT_COMPETITION, on)
    signal(cast, Kind.WON_IN_COMPETITION, date(2026, 4, 1))
    signal(cast, Kind.LOST_TO_COMPETITOR, date(2026, 5, 1))
    # Competitor quotes: window is 2025-11-10 .. 2026-11-09 (365 days) -> 2 inside, 1 a day too early.
    signal(cast, Kind.COMPETITOR_QUOTES, date(2025, 11, 9))
    signal(cast, Kind.COMPETITOR_QUOTES, date(2025, 11, 10))
    signal(cast, Kind.COMPETITOR_QUOTES, date(2026, 11, 9))
    # Another vendor's signals about the same customer never count.
    signal(cast, Kind.MEETING, date(2026, 11, 8), vendor=cast.other_vendor)
    signal(cast, Kind.WON_WITHOUT_COMPETITION, date(2026, 11, 8), vendor=cast.other_vendor)

    summary = relationship_summaries(vendor_org=cast.vendor, customer_ids=[cast.customer.pk], today=TODAY)[
        cast.customer.pk
    ]

    assert summary.customer_id == cast.customer.pk
    assert summary.last_contact_on == date(2026, 9, 25)  # the key person, later than both signals
    assert summary.days_since_contact == 45  # 5 days of September + 31 + 9
    assert summary.silent is False
    assert summary.wins_without_competition == 3
    assert summary.wins_in_competition == 1
    assert summary.share_without_competition == 0.75
    assert summary.latest_rfp_kind == Kind.LEARNED_FROM_RFP
    assert summary.latest_rfp_on == date(2026, 10, 15)
    assert summary.competitor_quotes_last_year == 2


def test_silence_threshold_is_more_than_60_days(cast):
    other = cast.other_customer
    signal(cast, Kind.MEETING, date(2026, 9, 10))  # 60 days before 2026-11-09: not yet silent
    signal(cast, Kind.MEETING, date(2026, 9, 9), customer=other)  # 61 days: silent
    result = relationship_summaries(
        vendor_org=cast.vendor, customer_ids=[cast.customer.pk, other.pk], today=TODAY
    )
    assert SILENCE_DAYS == 60
    assert (result[cast.customer.pk].days_since_contact, result[cast.customer.pk].silent) == (60, False)
    assert (result[other.pk].days_since_contact, result[other.pk].silent) == (61, True)


def test_never_contacted_and_no_wins(cast):
    result = relationship_summaries(vendor_org=cast.vendor, customer_ids=[cast.customer.pk], today=TODAY)
    summary = result[cast.customer.pk]
    assert summary.last_contact_on is None
    assert summary.days_since_contact is None
    assert summary.silent is True
    assert summary.share_without_competition is None
    assert summary.latest_rfp_kind is None and summary.latest_rfp_on is None
    assert (summary.wins_without_competition, summary.wins_in_competition) == (0, 0)
    assert summary.competitor_quotes_last_year == 0


def test_signals_after_today_are_ignored(cast):
    # Computed "as of today": a trend can ask for a past date and get the figures of that day.
    signal(cast, Kind.MEETING, date(2026, 8, 1))
    signal(cast, Kind.MEETING, date(2026, 10, 1))
    signal(cast, Kind.WON_IN_COMPETITION, date(2026, 10, 2))
    signal(cast, Kind.CONSULTED_BEFORE_RFP, date(2026, 7, 1))
    signal(cast, Kind.LEARNED_FROM_RFP, date(2026, 10, 3))
    summary = relationship_summaries(
        vendor_org=cast.vendor, customer_ids=[cast.customer.pk], today=date(2026, 9, 1)
    )[cast.customer.pk]
    assert summary.last_contact_on == date(2026, 8, 1)
    assert summary.days_since_contact == 31
    assert summary.share_without_competition is None
    assert summary.latest_rfp_kind == Kind.CONSULTED_BEFORE_RFP


def test_latest_rfp_same_day_takes_the_one_recorded_last(cast):
    signal(cast, Kind.LEARNED_FROM_RFP, date(2026, 10, 1))
    signal(cast, Kind.CONSULTED_BEFORE_RFP, date(2026, 10, 1))
    summary = relationship_summaries(vendor_org=cast.vendor, customer_ids=[cast.customer.pk], today=TODAY)[
        cast.customer.pk
    ]
    assert summary.latest_rfp_kind == Kind.CONSULTED_BEFORE_RFP


def test_key_people_of_another_vendors_plan_do_not_count(cast):
    plan = AccountPlan.objects.create(vendor_org=cast.other_vendor, customer_org=cast.customer)
    KeyPerson.objects.create(plan=plan, name="他社の人", last_met_on=date(2026, 11, 1))
    summary = relationship_summaries(vendor_org=cast.vendor, customer_ids=[cast.customer.pk], today=TODAY)[
        cast.customer.pk
    ]
    assert summary.last_contact_on is None


def test_summarize_is_plain_arithmetic():
    s = summarize(customer_id=1, today=TODAY, signal_contact_on=date(2026, 11, 1), wins_without=1, wins_in=2)
    assert s.days_since_contact == 8
    assert s.share_without_competition == pytest.approx(1 / 3)


def test_constant_queries(cast):
    def count(n_customers):
        customers = [OrganizationFactory() for _ in range(n_customers)]
        for c in customers:
            plan = AccountPlan.objects.create(vendor_org=cast.vendor, customer_org=c)
            KeyPerson.objects.create(plan=plan, name="x", last_met_on=date(2026, 10, 1))
            for kind in Kind.values:
                signal(cast, kind, date(2026, 10, 1), customer=c)
        with CaptureQueriesContext(connection) as ctx:
            result = relationship_summaries(
                vendor_org=cast.vendor, customer_ids=[c.pk for c in customers], today=TODAY
            )
        assert len(result) == n_customers
        return len(ctx.captured_queries)

    assert count(1) == count(6) == 3
    assert relationship_summaries(vendor_org=cast.vendor, customer_ids=[], today=TODAY) == {}
