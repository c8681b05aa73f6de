"""The partnership check (パートナーシップ): the vendor's own, periodic view of how a customer works with it.

Vendor-internal, like the rest of an account (``shinrai.accounts``): an *account* is one customer organization
as seen by one vendor organization, and an **assessment** is that vendor's answer, once per Japanese fiscal
quarter, to five questions about the customer, each scored 1 (not at all) to 5 (fully) with a note:

- does the customer do its own part on time (``own_part``);
- give decisions when they are needed (``decisions``);
- treat us as an equal partner (``equal_partner``);
- learn with us (``learns``);
- respect the agreed scope (``scope``).

One assessment per account and quarter (a database constraint); editing it uses the optimistic lock
(``updated_at``: ``shinrai.core.locking``). The measured facts beside it (decision latency, short-notice
requests, overdue customer-side tasks) are computed from the projects, never stored: ``facts.py``.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Organization, User

AUDIT_LABELS = {
    "partnership.create": _("Partnership check recorded"),
    "partnership.update": _("Partnership check changed"),
}

#: The five questions, in the order they are asked and shown: (code, question, what a 5 means).
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "own_part",
        _("Does the customer do its own part on time?"),
        _("Their tasks, answers, data and reviews arrive when agreed."),
    ),
    (
        "decisions",
        _("Does the customer give decisions when they are needed?"),
        _("Options put before them are decided in time; someone with authority decides."),
    ),
    (
        "equal_partner",
        _("Does the customer treat us as an equal partner?"),
        _("We are consulted, heard and trusted — not treated as an order-taker (「業者A」)."),
    ),
    (
        "learns",
        _("Does the customer learn with us?"),
        _("They join retrospectives, take up lessons and share what they learn."),
    ),
    (
        "scope",
        _("Does the customer respect the agreed scope?"),
        _("Changes come as change requests, not as extra work slipped in."),
    ),
)
CODES: tuple[str, ...] = tuple(code for code, _question, _help in QUESTIONS)
#: Short names of the questions, for table headings and the chart's legend.
SHORT_LABELS = {
    "own_part": _("Own part on time"),
    "decisions": _("Decisions when needed"),
    "equal_partner": _("Equal partner"),
    "learns": _("Learns with us"),
    "scope": _("Respects the scope"),
}
SCORE_MIN, SCORE_MAX = 1, 5


def fiscal_quarter_of(day: date) -> tuple[int, int]:
    """(Japanese fiscal year, quarter): FY2026 Q1 is April–June 2026, Q4 is January–March 2027."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, (day.month - 4) % 12 // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    month = 4 + (quarter - 1) * 3
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def quarter_label(year: int, quarter: int) -> str:
    return str(_("FY%(year)d Q%(quarter)d")) % {"year": year, "quarter": quarter}


class Assessment(models.Model):
    """One vendor's partnership check of one customer for one fiscal quarter."""

    vendor_org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer_org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    own_part = models.PositiveSmallIntegerField(_("does its own part on time"))
    own_part_note = models.TextField(_("note: own part"), blank=True)
    decisions = models.PositiveSmallIntegerField(_("gives decisions when needed"))
    decisions_note = models.TextField(_("note: decisions"), blank=True)
    equal_partner = models.PositiveSmallIntegerField(_("treats us as an equal partner"))
    equal_partner_note = models.TextField(_("note: equal partner"), blank=True)
    learns = models.PositiveSmallIntegerField(_("learns with us"))
    learns_note = models.TextField(_("note: learning"), blank=True)
    scope = models.PositiveSmallIntegerField(_("respects the agreed scope"))
    scope_note = models.TextField(_("note: scope"), blank=True)
    notes = models.TextField(_("overall notes"), blank=True)
    assessed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_on = models.DateField(_("assessed on"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("partnership check")
        verbose_name_plural = _("partnership checks")
        ordering = ["vendor_org", "customer_org", "fiscal_year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor_org", "customer_org", "fiscal_year", "quarter"],
                name="partnership_one_per_quarter",
                violation_error_message=_("This quarter already has a partnership check: change that one."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="partnership_quarter_1_4"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100), name="partnership_year_range"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{code}__gte": SCORE_MIN, f"{code}__lte": SCORE_MAX}),
                    name=f"partnership_{code}_1_5",
                )
                for code in CODES
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_org} {self.period_label}"

    @property
    def period_label(self) -> str:
        return quarter_label(self.fiscal_year, self.quarter)

    @property
    def period_start(self) -> date:
        return quarter_start(self.fiscal_year, self.quarter)

    def scores(self) -> dict[str, int]:
        return {code: getattr(self, code) for code in CODES}

    @property
    def overall(self) -> float:
        """The mean of the five scores, to one decimal (half up)."""
        total = sum(self.scores().values())
        return int(total * 10 / len(CODES) + 0.5) / 10

    def rows(self) -> list[tuple[str, str, int, str]]:
        """(code, question, score, note) in the order of ``QUESTIONS``."""
        return [
            (code, str(q), getattr(self, code), getattr(self, f"{code}_note")) for code, q, _h in QUESTIONS
        ]
