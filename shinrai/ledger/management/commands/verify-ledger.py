from django.core.management.base import BaseCommand, CommandError

from shinrai.core.models import Project
from shinrai.ledger.chain import verify_project

REASONS = {
    "numbering": "entry numbers are not 1, 2, 3 ... (an entry is missing or duplicated)",
    "link": "prev_hash does not match the previous entry's hash",
    "hash": "the stored hash does not match the entry's contents (the entry was changed)",
}


class Command(BaseCommand):
    help = (
        "Check the hash chain of every project's ledger (or one project's with --project CODE). Exits with "
        "status 1 naming the first broken entry (project code and entry number) when a chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", metavar="CODE", help="check only the project with this code")

    def handle(self, *args, project: str | None = None, **options):
        projects = Project.objects.order_by("code")
        if project:
            projects = projects.filter(code=project)
            if not projects.exists():
                raise CommandError(f"No project has the code {project!r}.")
        broken = []
        for item in projects:
            state = verify_project(item)
            if state.ok:
                if options["verbosity"] >= 1 and state.count:
                    self.stdout.write(f"{item.code}: OK ({state.count} entries)")
            else:
                broken.append(f"{item.code} #{state.broken_seq}")
                self.stderr.write(
                    f"{item.code}: BROKEN at entry #{state.broken_seq}: {REASONS[state.reason]}"
                )
        if broken:
            raise CommandError(f"Ledger broken: first broken entry {broken[0]} ({len(broken)} project(s))")
        self.stdout.write(self.style.SUCCESS("Every ledger chain is intact."))
