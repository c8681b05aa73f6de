"""Survey results computed before anyone asks: after a project's data changes (with a task worker) and from
``shinrai prepare-survey-results`` (cron, after a deployment, or before a load test).

A scope whose survey data changed is computed on its next view (``results_selectors._compute``): the grouped
queries and the permutation tests of the periods that changed. For the vendor-wide results over 10,000
responses that is seconds (the first time, every period's test), far over the page targets. Preparing computes
what the pages will show into the shared cache (``results_selectors.CACHE``: Redis with
``SHINRAI_CACHE_URL``, files under var/cache/charts in production without it), rendered parts included
(``results_pages``):

* a project's results (the same for every vendor user of the project), in the languages its vendor members
  and the vendor managers read;
* per vendor, what the vendor managers see: all projects, and each account (customer), in the managers'
  languages. Other vendor users see only the projects they are members of: a smaller scope of their own,
  computed on their first view.

**After a write**, with a task worker (``SHINRAI_TASK_BACKEND=database|redis``), every audited write on a
project (a survey answer too) queues one :func:`~shinrai.surveys.tasks.prepare_survey_results` once its
transaction commits: the project, its account and its vendor (one per project and transaction; a write that
changed no survey data finds them in the cache and costs a few queries). With the in-process backend nothing
is queued: preparing inside the writer's request would make every answer slow, so the first view computes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import translation

from shinrai.core.models import VENDOR_ROLES, Project, ProjectMember, User

from . import results_pages
from . import results_selectors as selectors
from .models import Survey

LANGUAGES = ("ja", "en")  # the languages the pages are prepared in


def languages_of(users: Iterable[User]) -> list[str]:
    """The page languages these people read (Japanese when nobody chose English)."""
    chosen = {user.language or "" for user in users}
    wanted = [language for language in LANGUAGES if any(c.startswith(language) for c in chosen)]
    return wanted or [LANGUAGES[0]]


def _managers(vendor_id: int) -> list[User]:
    return list(
        User.objects.filter(organization_id=vendor_id, is_vendor_manager=True, is_active=True).order_by("pk")
    )


def _prepare(results_of: Callable[[], selectors.Results], languages: list[str]) -> int:
    """One scope in each language: its figures and its page's parts; how many had to be computed."""
    computed = 0
    for language in languages:
        with translation.override(language):
            try:
                results = results_of()
            except Http404:  # the scope is gone (a project or account no longer there)
                return computed
            results_pages.figures_html(results)
            results_pages.comments_html(results)
            computed += results.computed
    return computed


def prepare_project(project: Project) -> int:
    """Prepare one project's results page; returns how many (languages) had to be computed."""
    members = [
        member.user
        for member in ProjectMember.objects.filter(
            project=project, role__in=VENDOR_ROLES, user__is_active=True
        ).select_related("user")
    ]
    readers = _managers(project.vendor_org_id) + members
    if not readers:
        return 0  # nobody could open the page
    user = readers[0]  # the project's figures are the same for every vendor user who may see it
    return _prepare(
        lambda: selectors.project_results(user=user, project_pk=project.pk), languages_of(readers)
    )


def prepare_vendor(vendor_id: int, *, customer_ids: Iterable[int] | None = None) -> int:
    """Prepare the vendor managers' pages: all projects, and each account (or those of ``customer_ids``)."""
    managers = _managers(vendor_id)
    if not managers:
        return 0
    user, languages = managers[0], languages_of(managers)
    computed = _prepare(lambda: selectors.vendor_results(user=user), languages)
    if customer_ids is None:
        customer_ids = Project.objects.filter(vendor_org=vendor_id).values_list("customer_org", flat=True)
    for customer_id in sorted(set(customer_ids)):
        computed += _prepare(
            lambda customer_id=customer_id: selectors.account_results(user=user, customer_pk=customer_id),
            languages,
        )
    return computed


def prepare_all() -> tuple[int, int]:
    """Every project with a sent survey, and every vendor's managers' pages; returns (projects, computed)."""
    projects = list(
        Project.objects.filter(pk__in=Survey.objects.filter(sent_at__isnull=False).values("project"))
        .select_related("vendor_org")
        .order_by("pk")
    )
    computed = sum(prepare_project(project) for project in projects)
    for vendor_id in sorted({project.vendor_org_id for project in projects}):
        computed += prepare_vendor(vendor_id)
    return len(projects), computed


def prepare_after_write(project_id: int) -> int:
    """What a write on a project can change: its page, its account's and its vendor's (managers' view)."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    return prepare_project(project) + prepare_vendor(
        project.vendor_org_id, customer_ids=[project.customer_org_id]
    )


class _QueueAfterCommit:
    """The on-commit callback queueing one project's preparation (one pending per project and transaction)."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.done = False
        self.__qualname__ = "survey_results_queue_after_commit"  # named in the log if it fails

    def __call__(self) -> None:
        from .tasks import prepare_survey_results

        self.done = True
        prepare_survey_results.enqueue(project_id=self.project_id)


def queue_after_write(sender, *, project_id: int, **kwargs) -> None:
    """``core.services.project_written`` receiver: queue the preparation once the write commits (with a
    worker only)."""
    if settings.TASK_BACKEND == "immediate":
        return
    pending = {
        callback.project_id
        for _savepoints, callback, _robust in transaction.get_connection().run_on_commit
        if isinstance(callback, _QueueAfterCommit) and not callback.done
    }
    if project_id not in pending:
        transaction.on_commit(_QueueAfterCommit(project_id), robust=True)
