"""API: the Redmine import. Starting one and listing the recent runs are for vendor administrators (403 for
everyone else); a run can be read by the administrators of the vendor that started it (404 for everyone
else). The same rule as the import page (``services.is_import_admin`` and ``services.runs_visible_to``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from shinrai.api.pagination import Pagination
from shinrai.api.types import RowId

from .redmine import services
from .redmine.client import RedmineError

router = Router(tags=["redmine"])


class ImportIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    url: str = Field(max_length=300)
    api_key: str = Field(min_length=1, max_length=100, description="Used for this import only; never stored")
    projects: list[str] = Field(default_factory=list, description="Redmine identifiers; empty: all")
    trouble_trackers: list[str] = Field(default_factory=list)
    customer_id: RowId | None = None
    into_code: str | None = None
    dry_run: bool = False


class ImportRunOut(Schema):
    id: int
    status: str
    base_url: str
    projects: list[str]
    dry_run: bool
    summary: dict[str, Any]
    error: str
    started_at: datetime
    finished_at: datetime | None


def _out(run) -> dict:
    return {name: getattr(run, name) for name in ImportRunOut.model_fields}


def _require_import_admin(user) -> None:
    if not services.is_import_admin(user):
        raise HttpError(403, _("Only vendor administrators may import from Redmine."))


@router.get(
    "/redmine/imports",
    response=list[ImportRunOut],
    summary="Recent import runs of your vendor organization, newest first (vendor administrators; 403 for "
    "everyone else)",
)
@paginate(Pagination)
def list_redmine_imports(request):
    """The import page's "Recent imports", every page of them. A run whose worker died is failed first."""
    _require_import_admin(request.auth)
    return services.runs_visible_to(request.auth)  # a queryset: only the asked page is read


@router.post(
    "/redmine/imports",
    response={202: ImportRunOut},
    summary="Start an import from Redmine; the API key is used for this run only, never stored (vendor "
    "administrators; 403 for everyone else)",
)
def start_redmine_import(request, payload: ImportIn):
    user = request.auth
    _require_import_admin(user)
    customer = None
    if payload.customer_id is not None:
        customer = services.customers_for(user).filter(pk=payload.customer_id).first()
        if customer is None:
            raise ValidationError({"customer_id": _("Choose a customer of your vendor.")})
    into = None
    if payload.into_code:
        into = services.projects_for(user).filter(code=payload.into_code).first()
        if into is None:
            raise ValidationError({"into_code": _("Choose a project of your vendor by its code.")})
        if len(payload.projects) != 1:
            raise ValidationError(
                {"into_code": _("Importing into an existing project needs exactly one Redmine project.")}
            )
    try:
        run = services.import_start(
            by=user,
            base_url=payload.url,
            api_key=payload.api_key,
            projects=payload.projects,
            trouble_trackers=payload.trouble_trackers,
            customer=customer,
            into=into,
            dry_run=payload.dry_run,
        )
    except (RedmineError, ValidationError) as error:
        raise ValidationError(str(error)) from None
    return Status(202, _out(run))


@router.get(
    "/redmine/imports/{run_id}",
    response=ImportRunOut,
    summary="One import run and its summary (administrators of the vendor that started it; 404 for everyone "
    "else)",
)
def get_redmine_import(request, run_id: int):
    return _out(services.run_for(request.auth, run_id))
