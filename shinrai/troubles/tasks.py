"""Background work for the troubles app. Tasks take plain values and call a service."""

from datetime import datetime

from django_tasks import task

from . import services


@task()
def escalate_undisclosed(*, now: str | None = None) -> int:
    """E-mail the vendor managers about troubles still undisclosed past their target (ISO ``now`` for
    tests; default the current time). Run it hourly on the worker or from cron."""
    return services.escalate_overdue_disclosures(now=datetime.fromisoformat(now) if now else None)
