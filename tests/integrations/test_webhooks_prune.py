"""`shinrai prune-webhook-deliveries`: finished deliveries past the retention go; waiting ones stay."""

# ruff: noqa: F811 (the clock fixture is imported, then named as an argument)

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from shinrai.integrations.models import Webhook, WebhookDelivery
from shinrai.integrations.tasks import prune_webhook_deliveries

from ..clock import clock  # noqa: F401 (a fixture)


@pytest.fixture
def log(cast, clock):
    """Deliveries of every status, 200, 91, 89 and 0 days old (created_at follows the clock)."""
    webhook = Webhook.objects.create(
        project=cast.own,
        name="hook",
        kind=Webhook.Kind.JSON,
        url="https://hooks.example.com/x",
        secret="k" * 64,
        events=["report_published"],
        created_by=cast.users["vendor_pm"],
    )
    now = clock.at
    rows = {}
    for days in (200, 91, 89, 0):
        clock.at = now - timedelta(days=days)
        for status in ("pending", "delivered", "failed"):
            rows[status, days] = WebhookDelivery.objects.create(
                webhook=webhook, event="report_published", payload={}, status=status
            ).pk
    clock.at = now
    return rows


def _left(log) -> set:
    kept = set(WebhookDelivery.objects.values_list("pk", flat=True))
    return {key for key, pk in log.items() if pk in kept}


ALL = {(status, days) for status in ("pending", "delivered", "failed") for days in (200, 91, 89, 0)}


def test_the_default_keeps_90_days_and_every_waiting_delivery(log, capsys):
    call_command("prune-webhook-deliveries")
    assert _left(log) == ALL - {("delivered", 200), ("failed", 200), ("delivered", 91), ("failed", 91)}
    assert capsys.readouterr().out.strip() == "Webhook deliveries older than 90 days deleted: 4."


def test_days_from_the_option(log):
    call_command("prune-webhook-deliveries", "--days", "1")
    assert _left(log) == {
        ("pending", 200),
        ("pending", 91),
        ("pending", 89),
        *((status, 0) for status in ("pending", "delivered", "failed")),
    }


def test_days_from_the_setting(log, settings):
    settings.SHINRAI_WEBHOOK_DELIVERY_RETENTION_DAYS = 100
    call_command("prune-webhook-deliveries")
    assert _left(log) == ALL - {("delivered", 200), ("failed", 200)}


@pytest.mark.parametrize("days", ["0", "-5"])
def test_days_must_be_positive(log, days):
    with pytest.raises(CommandError, match="--days must be at least 1"):
        call_command("prune-webhook-deliveries", "--days", days)
    assert _left(log) == ALL


def test_the_task_prunes_with_the_setting(log, settings):
    settings.SHINRAI_WEBHOOK_DELIVERY_RETENTION_DAYS = 150
    result = prune_webhook_deliveries.enqueue()
    assert result.return_value == 2
    assert _left(log) == ALL - {("delivered", 200), ("failed", 200)}
