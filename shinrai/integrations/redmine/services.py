"""Starting an import from the page or the API, and finding the runs an administrator may see."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shinrai.core.models import Organization, Project, User

from ..models import ImportRun
from . import secret
from .client import normalise_base_url

# A run still "running" this long after it started lost its worker (crashed, killed, machine restarted): the
# sealed API key it carries is valid one hour, and an import of thousands of issues takes minutes, not hours.
STALE_AFTER = timedelta(hours=3)


def is_import_admin(user) -> bool:
    """Vendor administrators (staff of a vendor organization) may import; nobody else sees the page."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.organization.kind == Organization.Kind.VENDOR
    )


def import_start(
    *,
    by: User,
    base_url: str,
    api_key: str,
    projects: list[str],
    trouble_trackers: list[str],
    customer: Organization | None,
    into: Project | None,
    dry_run: bool,
) -> ImportRun:
    """Record a run and queue it; the API key goes to the worker sealed and is never stored in the run."""
    from .tasks import redmine_import_run

    fail_stale_runs()
    run = ImportRun.objects.create(
        started_by=by, base_url=normalise_base_url(base_url), projects=projects, dry_run=dry_run
    )
    kwargs = {
        "run_id": run.pk,
        "sealed_key": secret.seal(api_key),
        "trouble_trackers": trouble_trackers,
        "customer_id": customer.pk if customer else None,
        "into_id": into.pk if into else None,
    }
    transaction.on_commit(lambda: redmine_import_run.enqueue(**kwargs))
    return run


def fail_stale_runs(*, now: datetime | None = None) -> int:
    """Mark runs that have been "running" longer than ``STALE_AFTER`` as failed; returns how many.

    A worker that dies never finishes its run, and nothing else would: this is called when a run starts and
    whenever runs are shown (page and API), so a dead run does not show "running" forever.
    """
    now = now or timezone.now()
    return ImportRun.objects.filter(status=ImportRun.Status.RUNNING, started_at__lt=now - STALE_AFTER).update(
        status=ImportRun.Status.FAILED,
        finished_at=now,
        error=_(
            "The import stopped without finishing (its worker was probably interrupted); start it again."
        ),
    )


def runs_visible_to(user) -> QuerySet[ImportRun]:
    """Runs started by anyone of the administrator's vendor organization (dead runs failed first)."""
    if not is_import_admin(user):
        return ImportRun.objects.none()
    fail_stale_runs()
    return ImportRun.objects.filter(started_by__organization=user.organization).select_related("started_by")


def run_for(user, pk) -> ImportRun:
    try:
        return runs_visible_to(user).get(pk=pk)
    except (ImportRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def customers_for(user) -> QuerySet[Organization]:
    """Customers the administrator may pick: those of their vendor's projects (no other vendor's)."""
    return Organization.objects.filter(
        kind=Organization.Kind.CUSTOMER, customer_projects__vendor_org=user.organization
    ).distinct()


def projects_for(user) -> QuerySet[Project]:
    return Project.objects.filter(vendor_org=user.organization).order_by("code")
