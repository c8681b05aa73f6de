"""Background work of notifications: the daily "request due soon" round (what `shinrai notify-due-requests`
does from cron). Kept beside notifications.py; the task only calls the service."""

from datetime import datetime

from django_tasks import task

from . import notifications


@task()
def notify_due_requests(*, now: str | None = None) -> int:
    """Tell the vendor PMs about customer requests due within two business days (ISO ``now`` for tests)."""
    return notifications.due_requests_notify(now=datetime.fromisoformat(now) if now else None)
