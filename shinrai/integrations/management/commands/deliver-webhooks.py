import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from shinrai.integrations import webhooks


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due: first attempts when no task worker runs, and retries "
        "(after 1 min, 5 min, 30 min, 2 h, 6 h). Run it from cron every minute, or keep it running "
        "with --every."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="attempt at most this many deliveries")
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="keep running and look again every SECONDS (make run does this with 15); 0: once",
        )

    def handle(self, *args, limit: int = 500, every: int = 0, **options):
        if every < 0:
            raise CommandError("--every must be 0 or more seconds")
        while True:
            counts = webhooks.deliver_due(limit=limit)
            if not every or any(counts.values()):
                self.stdout.write(
                    f"delivered {counts['delivered']}, retrying later {counts['retrying']}, "
                    f"failed {counts['failed']}"
                )
            if not every:
                return
            close_old_connections()  # a long-running loop: do not hold one connection forever
            time.sleep(every)
