"""The vendor's view of each customer relationship: account plans, key people and relationship signals.

An *account* is one customer organization as seen by one vendor organization; everything here is
vendor-internal and never shown to customer or partner users (``shinrai.core.access.account_for``).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Organization, Project, User


class AccountPlan(models.Model):
    """What we know of the customer's business and what we are trying to do together."""

    vendor_org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="account_plans")
    customer_org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    business = models.TextField(_("their business"), blank=True)
    market = models.TextField(_("market and competitors"), blank=True)
    environment = models.TextField(_("management environment"), blank=True)
    concerns = models.TextField(_("concerns of the people we work with"), blank=True)
    strategy = models.TextField(_("their strategy"), blank=True)
    as_is = models.TextField(_("as-is"), blank=True)
    to_be = models.TextField(_("to-be"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        constraints = [
            models.UniqueConstraint(fields=["vendor_org", "customer_org"], name="account_plan_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_org} ({self.vendor_org})"


class RoadmapStep(models.Model):
    """One step of the multi-year roadmap from as-is to to-be, drawn with the customer."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="roadmap_steps")
    fiscal_year = models.PositiveIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("step"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IDEA)
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("project")
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("roadmap step")
        verbose_name_plural = _("roadmap steps")
        ordering = ["plan", "fiscal_year", "position", "id"]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.title}"


class KeyPerson(models.Model):
    """Someone at the customer who matters to the relationship, and how often we mean to meet them."""

    class Influence(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        USER = "user", _("User of our work")

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="key_people")
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    influence = models.CharField(_("influence"), max_length=16, choices=Influence.choices, blank=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    meet_every_days = models.PositiveIntegerField(
        _("meet every (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    last_met_on = models.DateField(_("last met on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key people")
        ordering = ["plan", "name", "id"]

    def __str__(self) -> str:
        return self.name


class RelationshipSignal(models.Model):
    """Something that happened in the relationship, recorded by the vendor."""

    class Kind(models.TextChoices):
        CONSULTED_BEFORE_RFP = "consulted_before_rfp", _("Consulted before the RFP")
        LEARNED_FROM_RFP = "learned_from_rfp", _("Learned of it only from the RFP")
        COMPETITOR_QUOTES = "competitor_quotes", _("Competitor quotes requested")
        WON_WITHOUT_COMPETITION = "won_without_competition", _("New project without competition")
        WON_IN_COMPETITION = "won_in_competition", _("New project won against competitors")
        LOST_TO_COMPETITOR = "lost_to_competitor", _("Lost to a competitor")
        MEETING = "meeting", _("Meaningful meeting")
        LONG_SILENCE = "long_silence", _("Long silence")

    vendor_org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer_org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what happened"), max_length=32, choices=Kind.choices)
    occurred_on = models.DateField(_("on"))
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("project")
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("relationship signal")
        verbose_name_plural = _("relationship signals")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["vendor_org", "customer_org", "kind", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "consulted_before_rfp",
                        "learned_from_rfp",
                        "competitor_quotes",
                        "won_without_competition",
                        "won_in_competition",
                        "lost_to_competitor",
                        "meeting",
                        "long_silence",
                    ]
                ),
                name="relationship_signal_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


# Kinds that count as a meaningful contact (for "days since last meaningful contact").
CONTACT_KINDS = (RelationshipSignal.Kind.MEETING, RelationshipSignal.Kind.CONSULTED_BEFORE_RFP)
# Kinds that say how a new project was won (for "share of projects won without competition").
WIN_KINDS = (RelationshipSignal.Kind.WON_WITHOUT_COMPETITION, RelationshipSignal.Kind.WON_IN_COMPETITION)


class ProjectIndicators(models.Model):
    """A project's trust-indicator tallies as of ``computed_at``: a cached aggregate of the dashboard.

    What ``trust_selectors`` gathers per project (milestones, tasks, requests, troubles, report questions and
    survey responses in the current and previous windows) in ``trust_cache``'s JSON form. A row serves the
    boards of the hour (Japan time) it was computed in, as the windows move with time; every audited write on
    the project drops it (``trust_cache.drop_after_write``), and a board recomputes the rows it misses.
    ``shinrai recompute-indicators`` refills them all, and with ``--check`` compares them with the data.
    """

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("project")
    )
    computed_at = models.DateTimeField(_("computed at"))
    tallies = models.JSONField(_("tallies"), default=dict)
    customer_found = models.PositiveIntegerField(_("troubles the customer found first"), default=0)

    class Meta:
        verbose_name = _("project trust indicators")
        verbose_name_plural = _("project trust indicators")

    def __str__(self) -> str:
        return f"{self.project_id} @ {self.computed_at:%Y-%m-%d %H:%M}"
