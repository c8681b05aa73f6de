from django.core.management.base import BaseCommand, CommandError

from shinrai import seed as seeding


class Command(BaseCommand):
    help = (
        "Fill an empty database with realistic, deterministic data for benchmarks and trials "
        "(sizes of DESIGN.md's performance targets at --scale large)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(seeding.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed and day: same data).")

    def handle(self, *args, scale: str, seed: int, **options):
        try:
            result = seeding.seed(scale, seed=seed, out=self.stdout)
        except seeding.SeedRefused as error:
            raise CommandError(str(error)) from None
        rows = sum(result.counts.values())
        self.stdout.write(
            self.style.SUCCESS(f"Seeded scale {scale}: {rows:,} rows in {result.seconds:.0f} s.")
        )
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label:<40} {count:>10,}")
        self.stdout.write(f"Logins (password for all: {result.password}):")
        for what, email in result.logins.items():
            self.stdout.write(f"  {email:<40} {what}")
