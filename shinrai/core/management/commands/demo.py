from django.core.management.base import BaseCommand

from shinrai.core.demo import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo organizations, users and projects (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, logins: bool = False, **options):
        if not logins:
            created = load_demo()
            summary = ", ".join(f"{count} {what}" for what, count in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data ready (created now: {summary})."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for user in USERS:
            self.stdout.write(f"  {user.email:<36} {user.name}  — {user.what}")
