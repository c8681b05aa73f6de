"""What another system needs to keep a copy in step: ``updated_since`` on lists, ETag and If-Match on objects.

- ``since(queryset, updated_since)`` keeps the rows changed at or after the given time, oldest change first,
  so that a client can remember the newest ``updated_at`` it saw and ask again from there (``>=``, so a row
  changed in the same microsecond is sent twice rather than missed).
- ``etag(obj)`` names the state of one object: it changes whenever the object's ``updated_at`` (or, for
  objects without one, what is stored of it: ``shinrai.core.locking.state``) changes. Detail and update
  answers carry it in the ``ETag`` header.
- ``if_match(request, obj)`` wraps an update: when the request sends ``If-Match`` and the object has changed
  since, it answers 412 and the update does not run. The row is locked while the check and the update run,
  so two clients sending the same ETag cannot both win.
- ``not_modified(request, obj)`` answers a conditional GET (``If-None-Match``) with 304.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query
from ninja.errors import HttpError

from shinrai.core import locking

UPDATED_SINCE_HELP = (
    "Only objects changed at or after this time (ISO 8601; without an offset it is Japan time), "
    "oldest change first. Send the newest updated_at you have seen to fetch what changed since."
)


def stale_message() -> str:
    return _("This was changed by someone else after you read it. Read it again and redo your change.")


def updated_since_param():
    """The query parameter, with its description in the OpenAPI document."""
    return Query(None, description=UPDATED_SINCE_HELP)


def since(queryset, updated_since: datetime | None, field: str = "updated_at"):
    if updated_since is None:
        return queryset
    if timezone.is_naive(updated_since):
        updated_since = timezone.make_aware(updated_since)
    return queryset.filter(**{f"{field}__gte": updated_since}).order_by(field, "pk")


def keep_since(rows, updated_since: datetime | None, field: str = "updated_at") -> list:
    """The same rule for lists already read (selectors that compute statuses return lists, not querysets)."""
    if updated_since is None:
        return list(rows)
    if timezone.is_naive(updated_since):
        updated_since = timezone.make_aware(updated_since)
    kept = [row for row in rows if _field(row, field) >= updated_since]
    return sorted(kept, key=lambda row: (_field(row, field), _field(row, "pk")))


def _field(row, name):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def etag(obj) -> str:
    """The quoted ``locking.token`` of ``obj``: the same state the edit pages' hidden ``lock`` carries (its
    ``updated_at``, else a fingerprint of what is stored, see ``shinrai.core.locking``)."""
    return '"' + locking.token(obj) + '"'


def _matches(header: str, tag: str) -> bool:
    candidates = [part.strip() for part in header.split(",")]
    return "*" in candidates or tag in candidates or f"W/{tag}" in candidates


def set_etag(response: HttpResponse, obj) -> None:
    response["ETag"] = etag(obj)


def not_modified(request, obj) -> HttpResponse | None:
    """A 304 answer when the client's copy (If-None-Match) is current, else None."""
    header = request.headers.get("If-None-Match")
    if header and _matches(header, etag(obj)):
        response = HttpResponse(status=304)
        response["ETag"] = etag(obj)
        return response
    return None


@contextmanager
def if_match(request, obj, *, current_etag: Callable[[], str] | None = None):
    """Run the update inside only if the client's If-Match still names the stored state (else 412).

    ``current_etag`` is for objects whose tag covers more than their own row (a trouble's tag includes its
    options and follow-ups): it is called with the row locked and gives the tag as the detail answer has it.
    """
    header = request.headers.get("If-Match")
    with transaction.atomic():
        if header:
            # Its project first, then the row: the order every locked save takes (see locking.lock).
            current = locking.lock(obj)
            if current is None:
                raise HttpError(412, stale_message())
            tag = current_etag() if current_etag is not None else etag(current)
            if not _matches(header, tag):
                raise HttpError(412, stale_message())
        yield
