from django.core.management.base import BaseCommand

from shinrai.surveys import services


class Command(BaseCommand):
    help = (
        "Send a reminder with a new link to everyone who has not answered an open survey, 3 days after "
        "the last mail, at most 3 times per person (the earlier link stops working). Run it daily from "
        "cron, or enqueue shinrai.surveys.tasks.send_survey_reminders on the worker."
    )

    def handle(self, *args, **options):
        count = services.reminders_send_due()
        self.stdout.write(f"Survey reminders sent: {count}.")
