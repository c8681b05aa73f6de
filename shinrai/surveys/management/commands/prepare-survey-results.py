from django.core.management.base import BaseCommand, CommandError

from shinrai.core.models import Project
from shinrai.surveys import results_prepare


class Command(BaseCommand):
    help = (
        "Compute the survey results pages (every project with a sent survey, and each vendor's all-projects "
        "and account pages as its managers see them) into the shared cache, so that nobody's first view "
        "waits for the permutation tests. Run it after a deployment or a restore, or before a load test; "
        "pages already computed for the current data are skipped. With a task worker, answers keep them "
        "prepared."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--project", metavar="CODE", action="append", help="only this project (its code; repeatable)"
        )

    def handle(self, *args, project: list[str] | None = None, **options):
        if project:
            found = {p.code: p for p in Project.objects.filter(code__in=project)}
            if missing := [code for code in project if code not in found]:
                raise CommandError(f"No project has the code {', '.join(map(repr, missing))}.")
            for code in project:
                computed = results_prepare.prepare_project(found[code])
                self.stdout.write(f"{code}: {computed} page(s) computed.")
            return
        projects, computed = results_prepare.prepare_all()
        self.stdout.write(f"{projects} project(s) with surveys, {computed} page(s) computed.")
