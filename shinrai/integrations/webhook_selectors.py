"""Reads for project webhooks, always through the project the user may see (shinrai.core.access)."""

from __future__ import annotations

from django.db.models import Count, Max, QuerySet
from django.http import Http404

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Project, Role, User

from .models import Webhook, WebhookDelivery


def webhook_project_for(user: User, pk, perm: Perm = Perm.SEE_INTERNAL) -> tuple[Project, Role]:
    """The project whose webhooks the user may read (vendor roles) or change (``Perm.EDIT``); else 404."""
    return access.project_for(user, pk, perm)


def webhooks_for(*, project: Project) -> QuerySet[Webhook]:
    return (
        Webhook.objects.filter(project=project)
        .select_related("created_by")
        .annotate(delivery_count=Count("deliveries"), last_delivery_at=Max("deliveries__created_at"))
        .order_by("name", "pk")
    )


def webhook_for(*, project: Project, pk) -> Webhook:
    try:
        return Webhook.objects.select_related("project", "created_by").get(project=project, pk=pk)
    except (Webhook.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def deliveries_for(*, webhook: Webhook) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-pk")


def delivery_for(*, webhook: Webhook, pk) -> WebhookDelivery:
    try:
        return WebhookDelivery.objects.select_related("webhook").get(webhook=webhook, pk=pk)
    except (WebhookDelivery.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
