"""Background work of the Redmine import: re-read the run and its user, then call the importer."""

from django.core import signing
from django.utils.translation import gettext as _
from django_tasks import task

from shinrai.core.models import Organization, Project, User

from ..models import ImportRun
from . import importer, secret


@task()
def redmine_import_run(
    *,
    run_id: int,
    sealed_key: str,
    trouble_trackers: list[str],
    customer_id: int | None = None,
    into_id: int | None = None,
) -> str:
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.RUNNING:
        return run.status
    try:
        api_key = secret.unseal(sealed_key)
    except signing.BadSignature:
        run = importer._finish(
            run,
            status=ImportRun.Status.FAILED,
            summary={},
            error=_("The import waited too long to start; start it again."),
        )
        return run.status
    options = importer.Options(
        by=User.objects.select_related("organization").get(pk=run.started_by_id),
        base_url=run.base_url,
        api_key=api_key,
        projects=list(run.projects),
        trouble_trackers=trouble_trackers,
        customer=Organization.objects.filter(pk=customer_id).first() if customer_id else None,
        into=Project.objects.filter(pk=into_id).first() if into_id else None,
        dry_run=run.dry_run,
    )
    return importer.redmine_import(options=options, run=run).status
