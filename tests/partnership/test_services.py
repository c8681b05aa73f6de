"""Recording and changing a partnership check: one per quarter, scores 1–5, audited, keepers only."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shinrai.core.models import AuditEvent
from shinrai.partnership import services
from shinrai.partnership.models import Assessment, fiscal_quarter_of, quarter_start

from .conftest import SCORES, make_check

pytestmark = pytest.mark.django_db


def test_fiscal_quarters_run_from_april():
    assert fiscal_quarter_of(date(2026, 4, 1)) == (2026, 1)
    assert fiscal_quarter_of(date(2026, 11, 24)) == (2026, 3)
    assert fiscal_quarter_of(date(2027, 3, 31)) == (2026, 4)
    assert quarter_start(2026, 4) == date(2027, 1, 1)
    assert quarter_start(2026, 2) == date(2026, 7, 1)


def test_a_check_is_recorded_and_audited(cast, clock):
    check = make_check(cast, notes="判断が遅い", decisions_note="部長不在")
    assert (check.vendor_org, check.customer_org, check.fiscal_year, check.quarter) == (
        cast.vendor,
        cast.customer,
        2026,
        2,
    )
    assert check.scores() == SCORES
    assert check.overall == 3.8  # (4 + 3 + 4 + 3 + 5) / 5
    assert check.assessed_on == date(2026, 11, 24)
    assert check.assessed_by == cast.users["vendor_manager"]
    event = AuditEvent.objects.get(action="partnership.create")
    assert event.object_id == str(check.pk)
    assert event.after["period"] == "FY2026 Q2"
    assert event.after["decisions"] == 3


def test_one_check_per_quarter(cast, clock):
    make_check(cast)
    with pytest.raises(ValidationError) as error:
        make_check(cast, by="vendor_pm")
    assert error.value.message_dict["quarter"] == [
        "FY2026 Q2 already has a partnership check: change that one."
    ]
    assert Assessment.objects.count() == 1
    # Another vendor keeps its own check of the same customer for the same quarter.
    other = cast.users["other_vendor_manager"]
    services.assessment_create(by=other, customer=cast.customer, fiscal_year=2026, quarter=2, **SCORES)
    assert Assessment.objects.count() == 2


def test_the_database_refuses_a_second_check_for_a_quarter(cast, clock):
    first = make_check(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            vendor_org=first.vendor_org,
            customer_org=first.customer_org,
            fiscal_year=2026,
            quarter=2,
            assessed_on=date(2026, 11, 1),
            **SCORES,
        )


def test_the_database_refuses_a_score_outside_1_to_5(cast, clock):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            vendor_org=cast.vendor,
            customer_org=cast.customer,
            fiscal_year=2026,
            quarter=1,
            assessed_on=date(2026, 6, 1),
            **(SCORES | {"scope": 6}),
        )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"learns": 0}, "learns", "Score it from 1 (not at all) to 5 (fully)."),
        ({"learns": 6}, "learns", "Score it from 1 (not at all) to 5 (fully)."),
        ({"quarter": 5}, "quarter", "Choose a quarter from 1 to 4."),
        ({"quarter": 4}, "quarter", "A quarter that has not started yet cannot be assessed."),
        ({"year": 1999}, "fiscal_year", "Enter a fiscal year between 2000 and 2100."),
        ({"assessed_on": date(2026, 11, 25)}, "assessed_on", "The check cannot be dated in the future."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(cast, clock, fields, field, message):
    with pytest.raises(ValidationError) as error:
        make_check(cast, **fields)
    assert error.value.message_dict[field] == [message]
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="partnership.").exists()


def test_a_missing_score_is_refused(cast, clock):
    scores = {k: v for k, v in SCORES.items() if k != "scope"}
    with pytest.raises(ValidationError) as error:
        services.assessment_create(
            by=cast.users["vendor_manager"], customer=cast.customer, fiscal_year=2026, quarter=2, **scores
        )
    assert list(error.value.message_dict) == ["scope"]


@pytest.mark.parametrize("role", ["vendor_member", "customer_sponsor", "partner_viewer", "outsider_customer"])
def test_only_the_accounts_keepers_write(cast, clock, role):
    with pytest.raises(PermissionError):
        make_check(cast, by=role)
    assert not Assessment.objects.exists()


def test_a_change_is_audited_with_what_changed(cast, clock):
    check = make_check(cast)
    before = check.updated_at
    clock.set(2026, 11, 24, 11, 0)
    services.assessment_update(by=cast.users["vendor_pm"], assessment=check, decisions=2, notes="  遅い  ")
    check.refresh_from_db()
    assert (check.decisions, check.notes, check.updated_by) == (2, "遅い", cast.users["vendor_pm"])
    assert check.updated_at > before
    event = AuditEvent.objects.get(action="partnership.update")
    assert (event.before, {k: event.after[k] for k in ("decisions", "notes")}) == (
        {"decisions": 3, "notes": ""},
        {"decisions": 2, "notes": "遅い"},
    )


def test_a_change_with_a_bad_score_writes_nothing(cast, clock):
    check = make_check(cast)
    with pytest.raises(ValidationError):
        services.assessment_update(by=cast.users["vendor_pm"], assessment=check, decisions=9, notes="x")
    check.refresh_from_db()
    assert (check.decisions, check.notes) == (3, "")
