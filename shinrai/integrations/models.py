"""Integrations: notifications (in-app and e-mail, per-user preferences), project webhooks with a delivery
log, and the Redmine importer's record of what it brought in (external ids, import runs).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Project


class Event(models.TextChoices):
    """What people can be told about; the same names are used for notifications and webhooks."""

    REPORT_PUBLISHED = "report_published", _("Weekly report published")
    DECISION_NEEDED = "decision_needed", _("Decision needed")
    REQUEST_DUE = "request_due", _("Request due soon")
    TROUBLE_DISCLOSED = "trouble_disclosed", _("Trouble disclosed")
    SURVEY_INVITATION = "survey_invitation", _("Survey invitation")


# --- Notifications ----------------------------------------------------------------------------------------


class Notification(models.Model):
    """One in-app notification for one person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=32, choices=Event.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path inside Shinrai, never an outside address
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one person wants to hear about one kind of event; no row means both channels on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=32, choices=Event.choices)
    email = models.BooleanField(_("e-mail"), default=True)
    in_app = models.BooleanField(_("in Shinrai"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}"


# --- Webhooks ---------------------------------------------------------------------------------------------


class Webhook(models.Model):
    class Kind(models.TextChoices):
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"
        JSON = "json", _("Generic JSON (signed)")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    url = models.URLField(_("URL"), max_length=500)
    # Signs generic JSON deliveries (HMAC-SHA256); kept in clear because signing needs it.
    secret = models.CharField(max_length=64)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.webhook_id} {self.event} {self.status}"


# --- Redmine import ---------------------------------------------------------------------------------------


class ExternalRef(models.Model):
    """Which Shinrai object came from which Redmine object: a second import updates instead of duplicating."""

    source = models.CharField(max_length=16, default="redmine")
    base_url = models.CharField(max_length=300)
    kind = models.CharField(max_length=16)  # project, version, issue, journal, user
    external_id = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # The remote object's updated_on, to skip unchanged objects on the next run.
    remote_updated_at = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "base_url", "kind", "external_id"], name="external_ref_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="external_ref_target")]

    def __str__(self) -> str:
        return f"{self.source}:{self.kind}:{self.external_id}"


class ImportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16, default="redmine")
    base_url = models.CharField(max_length=300)
    projects = models.JSONField(default=list)  # identifiers asked for; empty = all visible to the key
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    summary = models.JSONField(
        default=dict
    )  # per project: created / updated / unchanged counts, or its error
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.base_url} {self.started_at:%Y-%m-%d %H:%M}"
