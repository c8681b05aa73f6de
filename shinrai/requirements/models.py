"""Stakeholders, goals, requirements with acceptance criteria, customer reviews and signed-off baselines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import AppendOnlyModel, Project, Visibility, visibility_field


class Stakeholder(models.Model):
    class Category(models.TextChoices):
        EXECUTIVE = "executive", _("Executive")
        FIELD_STAFF = "field_staff", _("Field staff")
        END_USER = "end_user", _("End user")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(_("name"), max_length=100)
    organization_name = models.CharField(_("organization or department"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    expectations = models.TextField(_("what they expect"), blank=True)
    concerns = models.TextField(_("their concerns"), blank=True)
    heard_on = models.DateField(_("interviewed on"), null=True, blank=True)
    hearing_notes = models.TextField(_("interview notes"), blank=True)
    visibility = visibility_field()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_heard(self) -> bool:
        return self.heard_on is not None


class Goal(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    to_be = models.TextField(_("to-be state"), blank=True)
    success_definition = models.TextField(_("definition of success (in the customer's words)"))
    visibility = visibility_field()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class SuccessMeasure(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    metric = models.CharField(_("metric"), max_length=200)
    target = models.CharField(_("target"), max_length=100)
    due_date = models.DateField(_("by"), null=True, blank=True)

    class Meta:
        verbose_name = _("success measure")
        verbose_name_plural = _("success measures")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.metric}: {self.target}"


class RequirementQuerySet(models.QuerySet):
    def agreed_scope(self):
        """What the customer reviews and approves: in scope and shared with the customer (not vendor-only)."""
        return self.exclude(status=Requirement.Status.WITHDRAWN).exclude(visibility=Visibility.INTERNAL)


class Requirement(models.Model):
    class Kind(models.TextChoices):
        FUNCTIONAL = "functional", _("Functional")
        NON_FUNCTIONAL = "non_functional", _("Non-functional")

    class Category(models.TextChoices):
        """Non-functional categories, grouped like the Japanese non-functional requirement grades."""

        AVAILABILITY = "availability", _("Availability")
        PERFORMANCE = "performance", _("Performance and scalability")
        OPERABILITY = "operability", _("Operability and maintainability")
        MIGRATION = "migration", _("Migration")
        SECURITY = "security", _("Security")
        ENVIRONMENT = "environment", _("System environment")

    class Priority(models.TextChoices):
        MUST = "must", _("Must")
        SHOULD = "should", _("Should")
        COULD = "could", _("Could")
        WONT = "wont", _("Won't (this time)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In customer review")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="requirements")
    # Stable per project, never reused: REQ-012 stays REQ-012 after others are withdrawn.
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("requirement"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FUNCTIONAL)
    category = models.CharField(
        _("non-functional category"), max_length=16, choices=Category.choices, blank=True
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.MUST)
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("goal"),
    )
    sources = models.ManyToManyField(
        Stakeholder, blank=True, related_name="requirements", verbose_name=_("source stakeholders")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    visibility = visibility_field()
    # The verifiability checker's findings, computed by the services on every save (never typed by hand),
    # so that lists and the project score need no re-analysis per page view.
    findings = models.JSONField(default=list, blank=True)
    is_verifiable = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RequirementQuerySet.as_manager()

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="requirement_number_unique"),
            models.CheckConstraint(
                condition=Q(kind="functional", category="") | Q(kind="non_functional") & ~Q(category=""),
                name="requirement_category_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.text[:40]}"

    @property
    def ref(self) -> str:
        return f"REQ-{self.number:03d}"


class AcceptanceCriterion(models.Model):
    class Operator(models.TextChoices):
        LTE = "lte", "≤"
        LT = "lt", "<"
        GTE = "gte", "≥"
        GT = "gt", ">"
        EQ = "eq", "="
        BETWEEN = "between", _("between")

    # What makes a criterion what it is (compared for changes, fixed in baselines, exported).
    CONTENT_FIELDS = ("metric", "operator", "threshold", "threshold_high", "unit", "condition", "method")

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="criteria")
    metric = models.CharField(_("metric"), max_length=200)
    operator = models.CharField(_("operator"), max_length=8, choices=Operator.choices)
    threshold = models.CharField(_("threshold"), max_length=50)
    threshold_high = models.CharField(_("upper threshold"), max_length=50, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    condition = models.CharField(
        _("condition"),
        max_length=300,
        blank=True,
        help_text=_(
            "The situation it applies to, as a noun phrase, e.g. 同時利用者300人 / 300 concurrent users."
        ),
    )
    method = models.CharField(_("measurement method"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(operator="between") | ~Q(threshold_high=""),
                name="criterion_between_has_upper_bound",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.get_operator_display()} {self.threshold}{self.unit}"


class Review(models.Model):
    """One round of customer review of a project's requirements, ending in approval (a baseline)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the customer")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="requirement_reviews")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    message = models.TextField(_("message to the customer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("requirements review")
        verbose_name_plural = _("requirements reviews")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status="open"),
                name="one_open_requirements_review_per_project",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} review {self.submitted_at:%Y-%m-%d}"


class ReviewComment(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="review_comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]


class Baseline(AppendOnlyModel):
    """An immutable, customer-approved snapshot of a project's requirements, with the hash of its content."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="requirement_baselines")
    version = models.PositiveIntegerField(_("version"))
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="baseline")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="baseline_version_unique")]

    def __str__(self) -> str:
        return f"{self.project.code} v{self.version}"
