"""Background work of the integrations app: tasks take ids, and the webhooks module does the work."""

from django_tasks import task

from . import webhook_services, webhooks


@task()
def deliver_webhook(*, delivery_id: int) -> str:
    """Post one webhook delivery if it is due; a failure schedules its retry (webhooks.delivery_attempt)."""
    delivery = webhooks.delivery_attempt(delivery_id)
    return "skipped" if delivery is None else delivery.status


@task()
def deliver_due_webhooks() -> dict[str, int]:
    """Send every webhook delivery that is due: retries, and first attempts when no worker runs (cron)."""
    return webhooks.deliver_due()


@task()
def prune_webhook_deliveries() -> int:
    """Delete finished webhook deliveries past their retention (`shinrai prune-webhook-deliveries`)."""
    return webhook_services.deliveries_prune()
