"""Charts drawn before anyone asks for them: after a project's data changes, and at the start of each day.

A drawn chart is cached per data version and day (``chart_data.ProjectCharts.key``), so without this the
first view after a change, and every project's first view after midnight, draws it: a Gantt of 300 tasks
takes a few hundred milliseconds, far over the page targets.

* **After a write**, with a task worker (``SHINRAI_TASK_BACKEND=database|redis``): every audited write on a
  project queues one :func:`~shinrai.progress.tasks.draw_charts` once its transaction commits (one per project
  and transaction). With the in-process backend nothing is queued: drawing inside the writer's request would
  make every save slow, so the first view draws, as before.
* **Each morning**, ``shinrai draw-charts`` (cron, shortly after midnight Asia/Tokyo) draws the charts of
  every project that is not closed and has tasks, for the new day.

What is drawn is what the pages show: for every audience the project has (vendor; customer; partners when a
partner vendor is a member), the Gantt by week and by month, the burndown (and for the vendor earned value)
and the schedule summary, in every language its members read. A chart already in the cache is not drawn
again, so repeated writes cost one drawing per data version.

This only helps where the app servers read the cache the drawing fills: the ``charts`` cache is Redis with
``SHINRAI_CACHE_URL``, files under ``var/cache/charts`` in production without it (see settings.py).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from shinrai.core.models import PARTNER_ROLES, VENDOR_ROLES, Project, ProjectMember

from .chart_data import ZOOMS, Audience, ProjectCharts
from .services import snapshot_projects

LANGUAGES = ("ja", "en")  # the languages charts are drawn in (chart_data.chart_language)


def audiences_of(project: Project) -> list[Audience]:
    """Who looks at this project's charts: the vendor, the customer, and partners when it has any."""
    audiences = [Audience.VENDOR, Audience.CUSTOMER]
    if ProjectMember.objects.filter(project=project, role__in=PARTNER_ROLES).exists():
        audiences.append(Audience.PARTNERS)
    return audiences


def languages_of(project: Project) -> list[str]:
    """The chart languages the project's members read (Japanese when nobody chose English)."""
    chosen = set(ProjectMember.objects.filter(project=project).values_list("user__language", flat=True))
    wanted = [language for language in LANGUAGES if any((c or "").startswith(language) for c in chosen)]
    return wanted or [LANGUAGES[0]]


def drawing_user(project: Project):
    """A vendor member whose view, narrowed to an audience's visibilities, is that audience's view."""
    member = (
        ProjectMember.objects.filter(project=project, role__in=VENDOR_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return member.user if member else None


def draw_project_charts(project: Project, *, today: date | None = None) -> int:
    """Draw into the cache what the project's pages will show; returns how many charts were drawn."""
    user = drawing_user(project)
    if user is None:
        return 0  # nobody on the vendor side yet: nothing anyone reads
    cache = caches["charts"]
    drawn = 0
    for language in languages_of(project):
        for audience in audiences_of(project):
            charts = ProjectCharts(
                user=user, project=project, audience=audience, today=today, language=language
            )
            for zoom in ZOOMS:
                if not cache.has_key(charts.key("gantt", zoom)):
                    charts.gantt(zoom=zoom)
                    drawn += 1
            if not cache.has_key(charts.key("progress")):
                charts.progress()
                drawn += 1
            if not cache.has_key(charts.key("schedule")):
                charts.schedule_summary()
                drawn += 1
    return drawn


def draw_active_projects(*, today: date | None = None) -> tuple[int, int]:
    """Draw the charts of every project not closed and with tasks; returns (projects, charts drawn)."""
    projects = snapshot_projects()
    return len(projects), sum(draw_project_charts(project, today=today) for project in projects)


class _QueueAfterCommit:
    """The on-commit callback queueing one project's drawing (one pending per project and transaction)."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.done = False
        self.__qualname__ = "charts_queue_after_commit"  # named in the log if it fails

    def __call__(self) -> None:
        from .tasks import draw_charts

        self.done = True
        draw_charts.enqueue(project_id=self.project_id)


def queue_after_write(sender, *, project_id: int, **kwargs) -> None:
    """``core.services.project_written`` receiver: queue the drawing once the write commits (worker only)."""
    if settings.TASK_BACKEND == "immediate":
        return
    pending = {
        callback.project_id
        for _savepoints, callback, _robust in transaction.get_connection().run_on_commit
        if isinstance(callback, _QueueAfterCommit) and not callback.done
    }
    if project_id not in pending:
        transaction.on_commit(_QueueAfterCommit(project_id), robust=True)
