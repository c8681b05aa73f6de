from argparse import ArgumentTypeError
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shinrai.progress import services


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"give a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Record today's progress figures (the history of the burndown and earned-value charts) for every "
        "project that is not closed and has tasks. Run it daily, late in the evening (Asia/Tokyo). Today's "
        "snapshot is replaced; a past day's (--date) is only filled in when missing, with today's figures."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            dest="day",
            type=_day,
            metavar="YYYY-MM-DD",
            help="YYYY-MM-DD (default: today, Asia/Tokyo)",
        )

    def handle(self, *args, day: date | None = None, **options):
        day = day or timezone.localdate()
        if day > timezone.localdate():
            raise CommandError("A progress snapshot cannot be taken for a day in the future.")
        try:
            count = services.snapshots_take_all(day=day)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Progress snapshots of {day:%Y-%m-%d}: {count} project(s) recorded.")
