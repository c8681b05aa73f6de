"""Writes of the partnership check: record a quarter's check, change one. Each in one transaction, audited.

Bad input raises ``ValidationError`` (messages in the caller's language) before anything is written; a caller
who may not keep the account raises ``PermissionError`` (pages and the API look the account up first and
answer 404 or 403). The caller holds the optimistic lock when changing a check (``locking.guard`` on pages,
``If-Match`` in the API): every write moves ``updated_at``.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shinrai.core import access
from shinrai.core.models import Organization, User
from shinrai.core.services import audit_record

from .models import CODES, SCORE_MAX, SCORE_MIN, Assessment, fiscal_quarter_of, quarter_label

NOTE_FIELDS = tuple(f"{code}_note" for code in CODES)
FIELDS = (*CODES, *NOTE_FIELDS, "notes", "assessed_on")


def _require(user: User, customer: Organization) -> None:
    if not access.can_edit_account(user, customer):
        raise PermissionError("only the account's keepers write its partnership check")


def _clean(fields: dict, *, today: date, errors: dict) -> dict:
    cleaned = {}
    for code in CODES:
        if code not in fields:
            continue
        value = fields[code]
        if isinstance(value, bool) or not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
            errors[code] = [_("Score it from 1 (not at all) to 5 (fully).")]
        else:
            cleaned[code] = value
    for name in (*NOTE_FIELDS, "notes"):
        if name in fields:
            cleaned[name] = (fields[name] or "").strip()
    if "assessed_on" in fields:
        day = fields["assessed_on"]
        if not isinstance(day, date):
            errors["assessed_on"] = [_("Enter the day of the check.")]
        elif day > today:
            errors["assessed_on"] = [_("The check cannot be dated in the future.")]
        else:
            cleaned["assessed_on"] = day
    return cleaned


def _check_period(fiscal_year, quarter, *, today: date, errors: dict) -> None:
    if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
        errors["quarter"] = [_("Choose a quarter from 1 to 4.")]
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int) or not 2000 <= fiscal_year <= 2100:
        errors["fiscal_year"] = [_("Enter a fiscal year between 2000 and 2100.")]
    period_ok = not errors.get("quarter") and not errors.get("fiscal_year")
    if period_ok and (fiscal_year, quarter) > fiscal_quarter_of(today):
        errors["quarter"] = [_("A quarter that has not started yet cannot be assessed.")]


def _audit(*, by: User, action: str, assessment: Assessment, before=None, after=None) -> None:
    audit_record(
        actor=by,
        action=action,
        obj=assessment,
        before=before or {},
        after=(after or {}) | {"customer": assessment.customer_org.name, "period": assessment.period_label},
    )


@transaction.atomic
def assessment_create(
    *, by: User, customer: Organization, fiscal_year: int, quarter: int, **fields
) -> Assessment:
    """Record the check of one fiscal quarter: the five scores (1–5), a note each, overall notes, and the
    day it was made (default today). One per account and quarter: a second one is refused."""
    _require(by, customer)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    today = timezone.localdate()
    errors: dict = {}
    _check_period(fiscal_year, quarter, today=today, errors=errors)
    fields.setdefault("assessed_on", today)
    cleaned = _clean(fields, today=today, errors=errors)
    for code in CODES:
        if code not in fields and code not in errors:
            errors[code] = [_("Score it from 1 (not at all) to 5 (fully).")]
    vendor = by.organization
    if (
        not errors
        and Assessment.objects.filter(
            vendor_org=vendor, customer_org=customer, fiscal_year=fiscal_year, quarter=quarter
        ).exists()
    ):
        errors["quarter"] = [
            _("%(period)s already has a partnership check: change that one.")
            % {"period": quarter_label(fiscal_year, quarter)}
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                vendor_org=vendor,
                customer_org=customer,
                fiscal_year=fiscal_year,
                quarter=quarter,
                assessed_by=by,
                updated_by=by,
                created_at=now,
                updated_at=now,
                **cleaned,
            )
    except IntegrityError:
        # Two people recording the same quarter at once: the second meets the constraint.
        raise ValidationError(
            {
                "quarter": _("%(period)s already has a partnership check: change that one.")
                % {"period": quarter_label(fiscal_year, quarter)}
            }
        ) from None
    _audit(
        by=by,
        action="partnership.create",
        assessment=assessment,
        after={code: getattr(assessment, code) for code in CODES},
    )
    return assessment


@transaction.atomic
def assessment_update(*, by: User, assessment: Assessment, **fields) -> Assessment:
    """Change a check's scores, notes or day (not its quarter). The audit event keeps what changed."""
    _require(by, assessment.customer_org)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    errors: dict = {}
    cleaned = _clean(fields, today=timezone.localdate(), errors=errors)
    if errors:
        raise ValidationError(errors)
    changed = {name: value for name, value in cleaned.items() if getattr(assessment, name) != value}
    before = {name: _plain(getattr(assessment, name)) for name in changed}
    for name, value in changed.items():
        setattr(assessment, name, value)
    assessment.updated_by = by
    assessment.updated_at = timezone.now()
    assessment.save(update_fields=[*changed, "updated_by", "updated_at"])
    _audit(
        by=by,
        action="partnership.update",
        assessment=assessment,
        before=before,
        after={name: _plain(value) for name, value in changed.items()},
    )
    return assessment


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value
