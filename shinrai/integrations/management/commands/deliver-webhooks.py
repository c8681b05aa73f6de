from django.core.management.base import BaseCommand

from shinrai.integrations import webhooks


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries whose next attempt is due "
        "(retries after 1 min, 5 min, 30 min, 2 h, 6 h). Run it from cron every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="attempt at most this many deliveries")

    def handle(self, *args, limit: int = 500, **options):
        counts = webhooks.deliver_due(limit=limit)
        self.stdout.write(
            f"delivered {counts['delivered']}, retrying later {counts['retrying']}, failed {counts['failed']}"
        )
