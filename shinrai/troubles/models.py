"""Troubles: risks, issues and incidents, the options offered to the customer, the decision, the follow-up,
and on closing the root cause and the prevention measures.

A trouble is *disclosed* when it is shared with the customer: ``visibility`` leaves ``internal`` and
``disclosed_at`` is set once (never moved). A risk that materialises becomes an issue on the same row, so
its history (options, notes, audit events) stays with it; ``became_issue_at`` records when.

``version`` is the optimistic lock: every write on a trouble goes through ``services`` and bumps it with a
conditional UPDATE, so an edit made from a stale page is refused instead of silently overwriting.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Project, User, Visibility, visibility_field

# Hours within which the vendor aims to tell the customer about a trouble, by severity. A deployment can
# override it with SHINRAI_TROUBLE_DISCLOSURE_HOURS in settings.
DEFAULT_DISCLOSURE_HOURS = {"critical": 4, "high": 24, "medium": 72, "low": 168}


def disclosure_hours() -> dict[str, int]:
    return {**DEFAULT_DISCLOSURE_HOURS, **getattr(settings, "SHINRAI_TROUBLE_DISCLOSURE_HOURS", {})}


class Trouble(models.Model):
    class Kind(models.TextChoices):
        RISK = "risk", _("Risk")
        ISSUE = "issue", _("Issue")
        INCIDENT = "incident", _("Incident")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANALYSING = "analysing", _("Analysing")
        OPTIONS_PROPOSED = "options_proposed", _("Options proposed")
        DECIDED = "decided", _("Decided")
        FOLLOW_UP = "follow_up", _("In follow-up")
        CLOSED = "closed", _("Closed")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class FoundBy(models.TextChoices):
        VENDOR = "vendor", _("We found it")
        CUSTOMER = "customer", _("The customer found it first")

    class Probability(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="troubles")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ISSUE)
    title = models.CharField(_("title"), max_length=200)
    facts = models.TextField(_("facts (what happened, objectively)"))
    detected_at = models.DateTimeField(_("detected at"))
    disclosed_at = models.DateTimeField(_("disclosed to the customer at"), null=True, blank=True)
    # Trust indicator: the share of troubles we told the customer about before they found them.
    found_by = models.CharField(_("found by"), max_length=8, choices=FoundBy.choices, default=FoundBy.VENDOR)
    quality_impact = models.TextField(_("impact on quality"), blank=True)
    cost_impact = models.DecimalField(
        _("cost impact (JPY)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    schedule_impact_days = models.IntegerField(_("schedule impact (business days)"), null=True, blank=True)
    probability = models.CharField(
        _("probability (risks)"), max_length=8, choices=Probability.choices, blank=True
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    visibility = visibility_field()
    visibility.default = (
        Visibility.INTERNAL
    )  # undisclosed until the vendor shares it (services.trouble_disclose)
    became_issue_at = models.DateTimeField(_("became an issue at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("overdue disclosure escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("trouble")
        verbose_name_plural = _("troubles")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="trouble_number_unique"),
            models.CheckConstraint(
                condition=Q(cost_impact__isnull=True) | Q(cost_impact__gte=0),
                name="trouble_cost_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(disclosed_at__isnull=True) | Q(disclosed_at__gte=models.F("detected_at")),
                name="trouble_disclosed_after_detected",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"]),
            models.Index(fields=["disclosed_at", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"T-{self.number:03d}"

    @property
    def is_disclosed(self) -> bool:
        return self.disclosed_at is not None and self.visibility != Visibility.INTERNAL

    @property
    def target_hours(self) -> int:
        return disclosure_hours()[self.severity]

    @property
    def disclosure_due_at(self) -> datetime:
        return self.detected_at + timedelta(hours=self.target_hours)

    @property
    def hours_to_disclose(self) -> float | None:
        """disclosed_at − detected_at in hours (one decimal, rounded half up); None while undisclosed."""
        if self.disclosed_at is None:
            return None
        seconds = Decimal(int((self.disclosed_at - self.detected_at).total_seconds()))
        return float((seconds / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def disclosure_overdue(self, now: datetime | None = None) -> bool:
        """Still undisclosed past the target (an open trouble the customer should already know about)."""
        if self.disclosed_at is not None or self.status == self.Status.CLOSED:
            return False
        return (now or timezone.now()) > self.disclosure_due_at

    @property
    def disclosed_late(self) -> bool:
        return self.disclosed_at is not None and self.disclosed_at > self.disclosure_due_at


class InternalNote(models.Model):
    """A vendor-only note on a trouble. Never loaded for customer or partner views."""

    trouble = models.ForeignKey(Trouble, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("internal note (vendor only)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.trouble_id}: {self.body[:40]}"


class Option(models.Model):
    trouble = models.ForeignKey(Trouble, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField(_("position"), default=0)
    description = models.TextField(_("description"))
    pros = models.TextField(_("pros"), blank=True)
    cons = models.TextField(_("cons"), blank=True)
    cost = models.DecimalField(_("cost (JPY)"), max_digits=14, decimal_places=0, null=True, blank=True)
    time_days = models.PositiveIntegerField(_("time needed (business days)"), null=True, blank=True)
    schedule_effect_days = models.IntegerField(
        _("effect on the schedule (business days)"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["trouble", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="option_cost_non_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.description[:40]}"

    @property
    def label(self) -> str:
        return chr(ord("A") + self.position) if self.position < 26 else str(self.position + 1)


class Decision(models.Model):
    class How(models.TextChoices):
        PORTAL = "portal", _("Chosen in the portal")
        MEETING = "meeting", _("Decided in a meeting")

    trouble = models.OneToOneField(Trouble, on_delete=models.CASCADE, related_name="decision")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="+", verbose_name=_("option"))
    how = models.CharField(_("how it was decided"), max_length=8, choices=How.choices)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_by_name = models.CharField(_("decided by (name)"), max_length=200, blank=True)
    attendees = models.TextField(_("meeting attendees"), blank=True)
    meeting_at = models.DateTimeField(_("meeting held at"), null=True, blank=True)
    rationale = models.TextField(_("rationale"))
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("decided at"), default=timezone.now)
    ledger_entry_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.trouble_id}: {self.option_id} ({self.how})"


class FollowUp(models.Model):
    trouble = models.ForeignKey(Trouble, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    due = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["trouble", "due", "id"]

    def __str__(self) -> str:
        return self.action


class RootCause(models.Model):
    """Written on closing: the 5-whys chain and the root cause, shared with the customer as a post-mortem."""

    trouble = models.OneToOneField(Trouble, on_delete=models.CASCADE, related_name="root_cause")
    whys = models.JSONField(_("why, why, why (5 whys)"), default=list, blank=True)
    summary = models.TextField(_("root cause"))
    what_worked = models.TextField(_("what worked"), blank=True)
    written_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")

    def __str__(self) -> str:
        return self.summary[:60]


class Prevention(models.Model):
    trouble = models.ForeignKey(Trouble, on_delete=models.CASCADE, related_name="preventions")
    measure = models.CharField(_("prevention measure"), max_length=300)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    due = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("prevention measure")
        verbose_name_plural = _("prevention measures")
        ordering = ["trouble", "due", "id"]

    def __str__(self) -> str:
        return self.measure
