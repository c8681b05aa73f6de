import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run background tasks: the database-backed queue (SHINRAI_TASK_BACKEND=database) "
        "or, scaled out, an RQ worker on Redis (SHINRAI_TASK_BACKEND=redis)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="default")
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")

    def handle(self, *args, queue: str, batch: bool, **options):
        backend = settings.TASK_BACKEND
        if backend == "database":
            worker_args = ["--queue-name", queue]
            if batch:
                worker_args.append("--batch")
            call_command("db_worker", *worker_args)
        elif backend == "redis":
            # Jobs must be read back with django-tasks' job class to report their results.
            worker_args = [queue, "--job-class", "django_tasks_rq.backend.Job"]
            if batch:
                worker_args.append("--burst")
            call_command("rqworker", *worker_args)
        else:
            raise CommandError(
                "Tasks run in-process (SHINRAI_TASK_BACKEND=immediate); set SHINRAI_TASK_BACKEND=database "
                "or redis to use a worker. "
                f"Current environment: {os.environ.get('SHINRAI_TASK_BACKEND', 'unset')}"
            )
