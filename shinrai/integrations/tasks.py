"""Background work of the integrations app: tasks take ids, and the webhooks module does the work."""

from django_tasks import task

from . import webhooks


@task()
def deliver_webhook(*, delivery_id: int) -> str:
    """Post one webhook delivery if it is due; a failure schedules its retry (webhooks.delivery_attempt)."""
    delivery = webhooks.delivery_attempt(delivery_id)
    return "skipped" if delivery is None else delivery.status


@task()
def deliver_due_webhooks() -> dict[str, int]:
    """Send every webhook retry that is due (what `shinrai deliver-webhooks` does from cron)."""
    return webhooks.deliver_due()
