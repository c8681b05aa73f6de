from django.core.management.base import BaseCommand, CommandError

from shinrai.integrations import webhook_services


class Command(BaseCommand):
    help = (
        "Delete webhook deliveries that were delivered or failed for good more than --days days ago "
        "(default: SHINRAI_WEBHOOK_DELIVERY_RETENTION_DAYS, 90). Deliveries still waiting for an attempt are "
        "kept. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="days of log to keep (1 or more)")

    def handle(self, *args, days: int | None = None, **options):
        days = webhook_services.retention_days() if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = webhook_services.deliveries_prune(days=days)
        self.stdout.write(f"Webhook deliveries older than {days} days deleted: {deleted}.")
