"""The trouble register's rows and disclosure figures, rendered once per data version and cached.

Rendering the register's rows is most of the page's time (a few dozen template nodes per trouble). The rows
(the ``<tbody>`` fragment) and :class:`~shinrai.troubles.selectors.DisclosureStats` are kept together in
``caches["default"]`` under a key made of:

* the project, the reader's organization kind and the visibilities it may read (``access.visibilities_for``):
  a customer or partner never gets the vendor's rows, whatever else matches;
* the filters (kind, status), the active language and time zone, the URL prefix and the disclosure targets;
* the **data fingerprint**: one query over the troubles the reader may see (``selectors.troubles_for``, no
  filter) that returns each row's id, ``version``, ``updated_at``, severity, status, detection and disclosure
  times and the owner's id and display name. Every service that changes a trouble (edit, disclose, status
  steps, owner, cost impact, close and reopen, also those of the Redmine import) goes through
  ``services._save`` or an UPDATE that bumps ``version`` and sets ``updated_at``; a new trouble adds a row,
  a deleted one removes it, and renaming an owner changes the display name read here (users have no change
  stamp of their own);
* **time**: a row reads "Not disclosed: over the target" once ``disclosure_due_at`` has passed, without any
  write. The ids of the rows overdue *now* (undisclosed, not closed, past their target) are computed from the
  same query and are part of the key, so the fragment changes the moment a target passes.

On a hit the page makes one query for all of this (instead of two, plus the rendering); on a miss it renders
the rows and computes the figures as before. tests/troubles/test_register_cache.py checks that every kind of
change shows on the next view.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import caches
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from shinrai.core import access
from shinrai.core.models import Project, User

from . import selectors
from .models import Trouble, disclosure_hours

CACHE = "default"
CACHE_SECONDS = 24 * 60 * 60  # keyed by the data and the overdue rows: never stale, only unused
CACHE_VERSION = 1  # raise it when the fragment's template or DisclosureStats change shape

_FINGERPRINT_FIELDS = (
    "pk",
    "version",
    "updated_at",
    "severity",
    "status",
    "detected_at",
    "disclosed_at",
    "owner_id",
    "owner__display_name",
)


@dataclass(frozen=True)
class RegisterPage:
    rows_html: SafeString  # the rows of the register's table (inside <tbody>)
    stats: selectors.DisclosureStats


def _normalised_filters(kind: str, status: str) -> tuple[str, str]:
    """The filters as ``selectors.register`` applies them (anything else means no filter)."""
    kind = kind if kind in Trouble.Kind.values else ""
    status = status if status == "active" or status in Trouble.Status.values else ""
    return kind, status


def _overdue_ids(rows, *, now: datetime, hours: dict[str, int]) -> tuple[int, ...]:
    """The rows overdue at ``now``, exactly as ``Trouble.disclosure_overdue`` decides."""
    return tuple(
        pk
        for pk, _version, _updated, severity, status, detected_at, disclosed_at, _owner, _name in rows
        if disclosed_at is None
        and status != Trouble.Status.CLOSED
        and now > detected_at + timedelta(hours=hours[severity])
    )


def register_key(*, user: User, project: Project, kind: str, status: str, now: datetime) -> str:
    """The cache key of the register as ``user`` sees it at ``now`` (runs the fingerprint query)."""
    hours = disclosure_hours()
    rows = list(
        selectors.troubles_for(user=user, project=project).order_by("pk").values_list(*_FINGERPRINT_FIELDS)
    )
    source = repr(
        (
            project.pk,
            user.organization.kind,
            access.visibilities_for(user),
            kind,
            status,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            get_script_prefix(),
            sorted(hours.items()),
            rows,
            _overdue_ids(rows, now=now, hours=hours),
        )
    )
    digest = hashlib.sha256(source.encode()).hexdigest()[:32]
    return f"shinrai:troubles:register:v{CACHE_VERSION}:{project.pk}:{digest}"


def register_page(
    *, user: User, project: Project, kind: str = "", status: str = "", now: datetime | None = None
) -> RegisterPage:
    """The register's rows (filtered) and the project's disclosure figures as ``user`` sees them.

    The caller has checked access (``access.project_for``); the rows still come through
    ``selectors.troubles_for``, so the access rule applies as everywhere else.
    """
    now = now or timezone.now()
    kind, status = _normalised_filters(kind, status)
    cache = caches[CACHE]
    key = register_key(user=user, project=project, kind=kind, status=status, now=now)
    cached = cache.get(key)
    if cached is not None:
        rows_html, stats = cached
        return RegisterPage(rows_html=mark_safe(rows_html), stats=stats)  # noqa: S308 (our own rendering)
    troubles = selectors.register(user=user, project=project, kind=kind, status=status)
    rows_html = render_to_string(
        "troubles/_register_rows.html", {"troubles": troubles, "project": project, "now": now}
    )
    stats = selectors.disclosure_stats(user=user, project=project, now=now)
    cache.set(key, (str(rows_html), stats), CACHE_SECONDS)
    return RegisterPage(rows_html=mark_safe(rows_html), stats=stats)  # noqa: S308 (our own rendering)
