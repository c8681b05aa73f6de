from django.core.management.base import BaseCommand

from shinrai.integrations import notifications


class Command(BaseCommand):
    help = (
        "Tell the vendor PMs (in Shinrai and by e-mail, as each prefers) about every customer request not "
        "yet "
        "answered that is due within two business days. Each request is notified at most once a day (Japan "
        "time), so running it again the same day does nothing. Run it daily from cron, or enqueue "
        "shinrai.integrations.notification_tasks.notify_due_requests on the worker."
    )

    def handle(self, *args, **options):
        count = notifications.due_requests_notify()
        self.stdout.write(f"Customer requests due soon notified: {count}.")
