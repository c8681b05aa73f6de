"""Background work for the progress app. Tasks take plain values and call a service."""

from datetime import date

from django_tasks import task

from . import services


@task()
def snapshot_progress(*, day: str | None = None) -> int:
    """Record the progress snapshot of every active project for ``day`` (ISO date; default today, Tokyo).

    Returns how many projects got rows. For a daily run on the worker; ``shinrai snapshot-progress`` does
    the same from cron.
    """
    return services.snapshots_take_all(day=date.fromisoformat(day) if day else None)


@task()
def draw_charts(*, project_id: int) -> int:
    """Draw one project's charts into the shared cache after a write (see ``chart_drawing``).

    Returns how many were drawn (0 when all were cached already or the project is gone).
    """
    from shinrai.core.models import Project

    from .chart_drawing import draw_project_charts

    project = Project.objects.filter(pk=project_id).first()
    return draw_project_charts(project) if project is not None else 0
