"""Models of the ledger app: the append-only, hash-chained record of what was agreed on a project.

Every project has one chain of :class:`Entry` rows, numbered ``seq`` 1, 2, 3 ... Each entry stores the
SHA-256 ``hash`` of its canonical serialisation (see :func:`shinrai.ledger.chain.canonical`), which
includes the previous entry's hash (``prev_hash``; the first entry's is 64 zeros). Changing, removing or
reordering any stored entry breaks every hash from that point on, which ``shinrai verify-ledger`` and
the project pages report. Entries are never changed or deleted; a mistake is answered by a new entry of
kind ``correction`` that ``refers_to`` the old one.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import AppendOnlyModel, Project, User

GENESIS_HASH = "0" * 64


class Entry(AppendOnlyModel):
    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        AGREEMENT = "agreement", _("Agreement")
        SIGN_OFF = "sign_off", _("Sign-off")
        CUSTOMER_REQUEST = "customer_request", _("Customer request")
        CHANGE_REQUEST = "change_request", _("Change request")
        CORRECTION = "correction", _("Correction")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("project")
    )
    seq = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    refers_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["project", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="ledger_entry_project_seq_unique"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledger_entry_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}#{self.seq} {self.kind} {self.subject}"


class CustomerRequest(models.Model):
    """Something the customer asked the vendor for, with a due time, e.g. 「明日中に資料を提出して」.

    open → acknowledged → answered → closed (the vendor may answer or close without acknowledging first).
    Every step is also appended to the ledger (kind ``customer_request``).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the vendor")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="customer_requests", verbose_name=_("project")
    )
    title = models.CharField(_("what is asked"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    due_at = models.DateTimeField(_("due"))
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer request")
        verbose_name_plural = _("customer requests")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.answered_at is not None or self.status == self.Status.CLOSED

    def is_overdue(self, now=None) -> bool:
        """Not answered and past due (an answer after the due time is late, not overdue)."""
        return (
            self.answered_at is None
            and self.status != self.Status.CLOSED
            and (now or timezone.now()) > self.due_at
        )

    @property
    def answered_late(self) -> bool:
        return self.answered_at is not None and self.answered_at > self.due_at


class ChangeRequest(models.Model):
    """A change to the agreed scope: its reason and its impact on cost (yen) and schedule (days).

    draft → proposed → approved / rejected (by the customer sponsor) or withdrawn (by the vendor).
    Proposing and every decision are appended to the ledger (kind ``change_request``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Waiting for the customer's decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="change_requests", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what changes"))
    reason = models.TextField(_("reason"))
    cost_impact = models.BigIntegerField(_("cost impact (JPY)"), default=0)
    schedule_impact_days = models.IntegerField(_("schedule impact (days)"), default=0)
    requested_by = models.CharField(_("requested by"), max_length=200)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("comment on the decision"), blank=True)
    #: The project's contract value right after this change was approved (kept for the history).
    value_after = models.BigIntegerField(_("contract value after approval (JPY)"), null=True, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
