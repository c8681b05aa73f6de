"""Background work for the surveys app. Tasks take plain values and call a service."""

from datetime import datetime

from django_tasks import task

from . import services


@task()
def send_survey_reminders(*, now: str | None = None) -> int:
    """Remind everyone who has not answered an open survey 3 days after the last mail (at most 3 times),
    each with a new link. ISO ``now`` for tests; default the current time. Run it daily on the worker or
    from cron (``shinrai send-survey-reminders``)."""
    return services.reminders_send_due(now=datetime.fromisoformat(now) if now else None)


@task()
def prepare_survey_results(*, project_id: int) -> int:
    """Compute a project's survey results, its account's and its vendor's into the shared cache after a
    write (see ``results_prepare``). Returns how many pages had to be computed (0: all were cached)."""
    from .results_prepare import prepare_after_write

    return prepare_after_write(project_id)
