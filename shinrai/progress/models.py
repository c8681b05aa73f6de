"""Milestones on the roadmap and the work breakdown structure (WBS) of tasks."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shinrai.core.models import Project, Visibility, visibility_field


class Milestone(models.Model):
    """A date the customer can hold us to, with what is delivered then and how it is judged met.

    The baseline date is the promise as first made and never moves (services refuse to change it once set);
    the forecast is today's honest expectation, and every change of it is audited with before and after.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("milestone"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    deliverables = models.TextField(_("deliverables"), blank=True)
    criteria = models.TextField(_("achievement criteria"), blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    forecast_date = models.DateField(_("forecast date"), null=True, blank=True)
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    # Expectation management: what is (not) included and what may go wrong, said at the start.
    scope_note = models.TextField(_("scope (what is and is not included)"), blank=True)
    known_risks = models.TextField(_("known risks"), blank=True)
    position = models.PositiveIntegerField(_("order on the roadmap"), default=0)
    visibility = visibility_field()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="milestone_visibility_valid"
            ),
        ]
        indexes = [models.Index(fields=["project", "position"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_achieved(self) -> bool:
        return self.actual_date is not None


class Task(models.Model):
    """One node of a project's WBS. A task with sub-tasks is a summary: its figures are rolled up.

    ``position`` orders siblings (0, 1, 2 …; kept dense by the services); the WBS code (1, 1.2, 1.2.3) is
    computed from it by ``selectors.wbs_for`` and never stored, so moving a task renumbers nothing else.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        ON_HOLD = "on_hold", _("On hold")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    # RESTRICT: a task with sub-tasks is never deleted on its own (see services.task_delete), while deleting
    # the whole project still takes its tasks with it.
    parent = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent task"),
    )
    position = models.PositiveIntegerField(_("position among its siblings"), default=0)
    name = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    estimate_hours = models.DecimalField(
        _("estimate (hours)"), max_digits=9, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    actual_hours = models.DecimalField(
        _("actual (hours)"), max_digits=9, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("milestone"),
    )
    requirements = models.ManyToManyField(
        "requirements.Requirement", blank=True, related_name="tasks", verbose_name=_("requirements")
    )
    visibility = visibility_field()
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="task_progress_0_100"
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_finish__isnull=True)
                | Q(planned_finish__gte=F("planned_start")),
                name="task_finish_not_before_start",
                violation_error_message=_("The planned finish cannot be before the planned start."),
            ),
            models.CheckConstraint(
                condition=Q(estimate_hours__gte=0, actual_hours__gte=0), name="task_hours_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "done", "on_hold"]),
                name="task_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="task_visibility_valid"
            ),
            # Done means finished: 100 % and a completion time; anything else has no completion time.
            models.CheckConstraint(
                condition=Q(status="done", progress=100, completed_at__isnull=False)
                | (~Q(status="done") & Q(completed_at__isnull=True)),
                name="task_done_is_complete",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="task_not_its_own_parent"),
        ]
        indexes = [models.Index(fields=["project", "parent", "position"])]

    def __str__(self) -> str:
        return self.name


# --- Weekly reports (週次報告) ----------------------------------------------------------------------------


class WeeklyReport(models.Model):
    """One version of a project's report for one week (Monday to Sunday, Asia/Tokyo).

    A draft has no version. Publishing makes it version 1; a correction after publication is a new row
    (version 2, 3 …) that ``corrects`` the previous version, is published at once and says why it was
    corrected — the published text itself is never changed, so what the customer read stays on record.
    """

    class Rag(models.TextChoices):
        GREEN = "green", _("Green: on track")
        AMBER = "amber", _("Amber: at risk")
        RED = "red", _("Red: off track")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="weekly_reports")
    week_start = models.DateField(_("week starting (Monday)"))
    status = models.CharField(_("status"), max_length=8, choices=Rag.choices, default=Rag.GREEN)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    # The fixed form of a weekly report: 完了したこと / 課題・リスク / 次のアクション.
    done = models.TextField(pgettext_lazy("weekly report", "Done"), blank=True)
    problem = models.TextField(pgettext_lazy("weekly report", "Problem"), blank=True)
    next_action = models.TextField(pgettext_lazy("weekly report", "Next Action"), blank=True)
    schedule_outlook = models.TextField(_("schedule outlook"), blank=True)
    cost_outlook = models.TextField(_("cost outlook"), blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    correction_note = models.TextField(_("what was corrected and why"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        ordering = ["-week_start", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["green", "amber", "red"]), name="weekly_report_status_valid"
            ),
            # Amber and red always say why.
            models.CheckConstraint(
                condition=Q(status="green") | ~Q(status_reason=""),
                name="weekly_report_reason_for_amber_red",
                violation_error_message=_("Give the reason for an amber or red status."),
            ),
            # A draft has no version and no publication; a published report has both.
            models.CheckConstraint(
                condition=Q(state="draft", version__isnull=True, published_at__isnull=True)
                | Q(state="published", version__gte=1, published_at__isnull=False),
                name="weekly_report_state_consistent",
            ),
            # A correction is a later version and says what was corrected.
            models.CheckConstraint(
                condition=Q(corrects__isnull=True, version__isnull=True)
                | Q(corrects__isnull=True, version=1)
                | (Q(corrects__isnull=False, version__gt=1) & ~Q(correction_note="")),
                name="weekly_report_correction_consistent",
            ),
            # One report per project and week (its corrections hang off it), one row per version.
            models.UniqueConstraint(
                fields=["project", "week_start"],
                condition=Q(corrects__isnull=True),
                name="weekly_report_one_per_week",
            ),
            models.UniqueConstraint(
                fields=["project", "week_start", "version"], name="weekly_report_version_unique"
            ),
        ]
        indexes = [models.Index(fields=["project", "week_start"])]

    def __str__(self) -> str:
        return f"{self.project.code} {self.week_start:%Y-%m-%d} v{self.version or '-'}"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None


class ReportAcknowledgement(models.Model):
    """A customer's "I have read this report" — once per person and report version."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        verbose_name = _("report acknowledgement")
        verbose_name_plural = _("report acknowledgements")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="report_acknowledgement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report} ✓ {self.user}"


class ReportComment(models.Model):
    """The question-and-answer thread under a published report: the customer asks, the vendor answers."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=4000)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report comment")
        verbose_name_plural = _("report comments")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="report_comment_not_blank")]

    def __str__(self) -> str:
        return self.body[:40]


class PlainLanguageTerm(models.Model):
    """A vendor's glossary entry: a word a non-technical customer may not know, and what it means."""

    vendor_org = models.ForeignKey(
        "core.Organization",
        on_delete=models.CASCADE,
        related_name="plain_terms",
        limit_choices_to={"kind": "vendor"},
        verbose_name=_("vendor"),
    )
    term = models.CharField(_("term"), max_length=64)
    plain_ja = models.CharField(_("plain explanation (Japanese)"), max_length=300)
    plain_en = models.CharField(_("plain explanation (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("plain-language term")
        verbose_name_plural = _("plain-language terms")
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["vendor_org", "term"], name="plain_term_unique_per_vendor"),
            models.CheckConstraint(condition=~Q(term=""), name="plain_term_not_blank"),
        ]

    def __str__(self) -> str:
        return self.term


# --- Progress history -------------------------------------------------------------------------------------


def _hours_field(verbose_name):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, default=0)


class ProgressSnapshot(models.Model):
    """A project's progress figures at the end of one day (Asia/Tokyo), as one audience sees the WBS.

    The history behind the burndown and earned-value charts: tasks keep only their current state, so the
    figures of a day are recorded that day (``services.snapshot_take``: after every change of a task, by the
    daily ``shinrai snapshot-progress`` and when a weekly report is published). Today's row is replaced
    while the day lasts; a past day's row is never rewritten.

    One row per audience, because the customer's and the partners' charts leave vendor-only tasks out and a
    summary whose sub-tasks are all hidden counts as a leaf there (as in ``selectors.wbs_for``). Hours are
    vendor data: outside the vendor audience they only ever serve to draw percentages.

    Earned value (``bac``, ``pv``, ``ev``, ``ac``) covers the leaf tasks with a planned start and finish, as
    ``evm.evaluate`` computes it for ``date``; the burndown's ``work`` and ``remaining`` cover every leaf
    task (remaining = estimate × (100 − progress) / 100). Hours to 0.01, half up.
    """

    class Audience(models.TextChoices):
        VENDOR = "vendor", _("Vendor")
        CUSTOMER = "customer", _("Customer")
        PARTNERS = "partners", _("Partner vendors")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_snapshots")
    date = models.DateField(_("date"))
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices)
    bac_hours = _hours_field(_("budget at completion (hours)"))
    pv_hours = _hours_field(_("planned value (hours)"))
    ev_hours = _hours_field(_("earned value (hours)"))
    ac_hours = _hours_field(_("actual hours"))
    work_hours = _hours_field(_("estimated work (hours)"))
    remaining_hours = _hours_field(_("remaining work (hours)"))
    tasks_total = models.PositiveIntegerField(_("tasks"), default=0)
    tasks_done = models.PositiveIntegerField(_("tasks done"), default=0)
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress snapshot")
        verbose_name_plural = _("progress snapshots")
        ordering = ["project", "date", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "audience", "date"], name="progress_snapshot_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["vendor", "customer", "partners"]),
                name="progress_snapshot_audience_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    bac_hours__gte=0,
                    pv_hours__gte=0,
                    ev_hours__gte=0,
                    ac_hours__gte=0,
                    work_hours__gte=0,
                    remaining_hours__gte=0,
                ),
                name="progress_snapshot_hours_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(tasks_done__lte=F("tasks_total")), name="progress_snapshot_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.date:%Y-%m-%d} {self.audience}"
