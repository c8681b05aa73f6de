from django.core.management.base import BaseCommand, CommandError

from shinrai.core.models import Project
from shinrai.progress import chart_drawing


class Command(BaseCommand):
    help = (
        "Draw the charts (Gantt, burndown, schedule summary) of every project that is not closed and has "
        "tasks into the chart cache, for today (Asia/Tokyo), so that nobody's first view waits for a "
        "drawing. Run it daily just after midnight (charts are kept per day). Charts already drawn are "
        "skipped."
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
                drawn = chart_drawing.draw_project_charts(found[code])
                self.stdout.write(f"{code}: {drawn} chart(s) drawn.")
            return
        projects, drawn = chart_drawing.draw_active_projects()
        self.stdout.write(f"{projects} project(s), {drawn} chart(s) drawn.")
