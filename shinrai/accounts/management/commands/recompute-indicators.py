from django.core.management.base import BaseCommand, CommandError

from shinrai.accounts import trust_cache


class Command(BaseCommand):
    help = (
        "Recompute every project's stored trust indicators (the trust dashboard's cached aggregate) as of "
        "now. Run it hourly to keep the first dashboard of each hour fast. With --check, change nothing: "
        "recompute each stored row as of the time it was computed and exit with status 1 naming the rows "
        "that differ from the data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="compare the stored rows with the data; change nothing"
        )

    def handle(self, *args, check: bool = False, **options):
        if not check:
            count = trust_cache.recompute_all()
            self.stdout.write(f"Trust indicators recomputed for {count} project(s).")
            return
        wrong = trust_cache.differences()
        for line in wrong:
            self.stderr.write(line)
        if wrong:
            raise CommandError(
                f"{len(wrong)} project(s) have stored trust indicators that differ from the data."
            )
        self.stdout.write(self.style.SUCCESS("Every stored trust indicator matches the data."))
