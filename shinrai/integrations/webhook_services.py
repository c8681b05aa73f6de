"""Writes for project webhooks: each one a transaction with its audit event; posts start after commit."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinrai.core.models import Project, User
from shinrai.core.services import audit_record

from . import webhooks
from .models import Event, Webhook, WebhookDelivery

AUDITED = ("name", "kind", "url", "events", "active")


def _audited(webhook: Webhook) -> dict:
    values = {name: getattr(webhook, name) for name in AUDITED}
    values["events"] = ", ".join(values["events"])  # the audit log keeps flat values
    return values


def new_secret() -> str:
    return secrets.token_hex(32)  # 64 hex characters, the column's size


def _clean(*, name: str, kind: str, url: str, events: list[str]) -> dict:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the webhook a name.")]
    elif len(name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    if kind not in Webhook.Kind.values:
        errors["kind"] = [_("Choose Slack, Microsoft Teams or generic JSON.")]
    url = (url or "").strip()
    problem = webhooks.url_problem(url, resolve=False) if url else _("Enter the address to post to.")
    if not problem:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            problem = " ".join(error.messages)
    if "\x00" in name or "\x00" in url:
        errors["name" if "\x00" in name else "url"] = [_("Null characters are not allowed.")]
    elif problem:
        errors["url"] = [problem]
    elif len(url) > 500:
        errors["url"] = [_("At most 500 characters.")]
    unknown = sorted(set(events) - set(Event.values))
    if unknown:
        errors["events"] = [_("Unknown events: %(names)s") % {"names": ", ".join(unknown)}]
    elif not events:
        errors["events"] = [_("Choose at least one event.")]
    if errors:
        raise ValidationError(errors)
    ordered = [value for value in Event.values if value in set(events)]
    return {"name": name, "kind": kind, "url": url, "events": ordered}


@transaction.atomic
def webhook_create(
    *, by: User, project: Project, name: str, kind: str, url: str, events: list[str], active: bool = True
) -> Webhook:
    """Create a webhook with a fresh secret; the caller shows ``webhook.secret`` once and never again."""
    fields = _clean(name=name, kind=kind, url=url, events=events)
    webhook = Webhook.objects.create(
        project=project, created_by=by, secret=new_secret(), active=active, **fields
    )
    audit_record(
        actor=by,
        action="webhook.create",
        obj=webhook,
        project=project,
        after=_audited(webhook),
    )
    return webhook


@transaction.atomic
def webhook_update(*, by: User, webhook: Webhook, **changes) -> Webhook:
    """Change the fields given (name, kind, url, events, active); the secret stays."""
    webhook = Webhook.objects.select_for_update().select_related("project").get(pk=webhook.pk)
    before = _audited(webhook)
    merged = {k: getattr(webhook, k) for k in AUDITED} | {
        k: v for k, v in changes.items() if k in AUDITED and v is not None
    }
    fields = _clean(
        name=merged["name"], kind=merged["kind"], url=merged["url"], events=list(merged["events"])
    )
    fields["active"] = bool(merged["active"])
    for key, value in fields.items():
        setattr(webhook, key, value)
    webhook.save(update_fields=list(fields))
    after = _audited(webhook)
    changed = [k for k in AUDITED if before[k] != after[k]]
    if changed:
        audit_record(
            actor=by,
            action="webhook.update",
            obj=webhook,
            project=webhook.project,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return webhook


@transaction.atomic
def webhook_delete(*, by: User, webhook: Webhook) -> None:
    """Delete a webhook and its delivery log."""
    audit_record(
        actor=by, action="webhook.delete", obj=webhook, project=webhook.project, before={"name": webhook.name}
    )
    webhook.delete()


@transaction.atomic
def webhook_secret_regenerate(*, by: User, webhook: Webhook) -> Webhook:
    """Replace the signing secret; the old one stops working at once (shown once, like at creation)."""
    webhook.secret = new_secret()
    webhook.save(update_fields=["secret"])
    audit_record(actor=by, action="webhook.secret", obj=webhook, project=webhook.project)
    return webhook


@transaction.atomic
def webhook_ping(*, by: User, webhook: Webhook) -> WebhookDelivery:
    """Queue a 'ping' delivery, so the receiver can be checked without waiting for a real event."""
    now = timezone.now()
    payload = webhooks.build_payload(
        webhook,
        event=webhooks.PING,
        subject=lambda: str(gettext_lazy("Test delivery from Shinrai")),
        facts={"sent_by": by.display_name},
        url=webhook.project.get_absolute_url(),
        at=now,
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event=webhooks.PING, payload=payload, next_attempt_at=now
    )
    webhooks._queue([delivery.pk])
    return delivery


@transaction.atomic
def delivery_redeliver(*, by: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a logged delivery again as a new delivery (same body, new id, fresh attempts)."""
    copy = WebhookDelivery.objects.create(
        webhook_id=delivery.webhook_id,
        event=delivery.event,
        payload=delivery.payload,
        next_attempt_at=timezone.now(),
    )
    webhooks._queue([copy.pk])
    return copy


def retention_days() -> int:
    """How long finished deliveries are kept: ``SHINRAI_WEBHOOK_DELIVERY_RETENTION_DAYS`` (90 by default)."""
    return int(getattr(settings, "SHINRAI_WEBHOOK_DELIVERY_RETENTION_DAYS", 90))


@transaction.atomic
def deliveries_prune(*, days: int | None = None) -> int:
    """Delete delivered and failed deliveries created more than ``days`` days ago; how many were deleted.

    Waiting deliveries are never deleted, however old: they still have an attempt to make.
    """
    days = retention_days() if days is None else days
    if days < 1:
        raise ValueError("days must be at least 1")
    before = timezone.now() - timedelta(days=days)
    deleted, _per_model = WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED], created_at__lt=before
    ).delete()
    return deleted
