from django.core.management.base import BaseCommand

from shinrai.troubles import services


class Command(BaseCommand):
    help = (
        "E-mail the vendor managers about every trouble still not disclosed to the customer past its target "
        "(by severity). Each trouble is escalated once. Run it hourly from cron, or enqueue "
        "shinrai.troubles.tasks.escalate_undisclosed on the worker."
    )

    def handle(self, *args, **options):
        count = services.escalate_overdue_disclosures()
        self.stdout.write(f"Overdue undisclosed troubles escalated: {count}.")
