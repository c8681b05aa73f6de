"""The trust dashboard's cached aggregate: each project's tallies, stored in ``ProjectIndicators``.

Gathering a project's tallies scans its milestones, tasks, requests, troubles, report questions and survey
responses of the last 180 days (``trust_selectors._gather``); for a vendor with a thousand projects that is
most of a cold board. So the tallies are kept per project, as of ``computed_at``:

* a row serves the boards of the hour (Japan time) it was computed in: the windows move with time, and the
  board cache (``trust_selectors.board_key``) lets figures move at the next hour too;
* every audited write on a project drops its row, in the write's transaction and again once it commits
  (``drop_after_write``, listening to ``core.services.project_written``, which ``audit_event`` sends, bulk
  imports included) — a later board recomputes it;
* a board computes the rows it misses in one go (the same grouped queries, over those projects only) and
  stores them (``stored_tallies``).

Writes outside the services (admin, raw SQL, the seed generator) are not seen before the next hour, as for
the board cache. ``shinrai recompute-indicators`` refills every row; with ``--check`` it recomputes each row
as of its own ``computed_at`` and reports the ones that differ (``differences``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shinrai.core.models import Project
from shinrai.progress.reports import TOKYO

from .indicators import Tally
from .models import ProjectIndicators

# tallies[indicator_id] = [current Tally, previous Tally] (one project's part of trust_selectors.Tallies)
ProjectTallies = dict[str, list[Tally]]


# --- The JSON form -------------------------------------------------------------------------------------


def _number(value):
    # Sums of hours come back as Decimal (estimate accuracy): kept exact, as a string.
    return {"decimal": str(value)} if isinstance(value, Decimal) else value


def _from_number(value):
    return Decimal(value["decimal"]) if isinstance(value, dict) else value


def encode(tallies: ProjectTallies) -> dict:
    return {
        indicator_id: [
            [_number(t.num), _number(t.den), _number(t.extra), list(t.values), t.anonymous, t.count]
            for t in pair
        ]
        for indicator_id, pair in sorted(tallies.items())
    }


def decode(data: dict) -> ProjectTallies:
    return {
        indicator_id: [
            Tally(
                num=_from_number(num),
                den=_from_number(den),
                extra=_from_number(extra),
                values=list(values),
                anonymous=anonymous,
                count=count,
            )
            for num, den, extra, values, anonymous, count in pair
        ]
        for indicator_id, pair in data.items()
    }


# --- Reading and refreshing ------------------------------------------------------------------------------


def hour_of(moment: datetime) -> datetime:
    return timezone.localtime(moment, TOKYO).replace(minute=0, second=0, microsecond=0)


def compute(project_ids: list[int], *, now: datetime, scope=None) -> tuple[dict, dict[int, int]]:
    """The tallies and customer-found counts of ``project_ids`` as of ``now`` (7 queries), not stored.

    ``scope``: a Q factory selecting exactly these projects (``trust_selectors._scope_for``), cheaper than a
    list of ids when it is all of a vendor's projects."""
    from . import trust_selectors  # the selectors read this module; imported here to avoid a cycle

    if scope is None:
        ids = list(project_ids)

        def scope(prefix: str) -> Q:
            return Q(**{f"{prefix}id__in": ids})

    tallies = trust_selectors._new_tallies()
    windows = trust_selectors.Windows(now=now, today=timezone.localtime(now, TOKYO).date())
    customer_found = trust_selectors._gather(tallies, scope, windows)
    return tallies, customer_found


def store(project_ids, tallies, customer_found: dict[int, int], *, now: datetime) -> None:
    """Keep the tallies of ``project_ids`` (those without any data too: their row says so) — one upsert.

    Not those of projects written to in the current, uncommitted transaction: their rows are dropped when it
    commits anyway, and leaving them out lets ``drop_after_write`` drop once per project and transaction."""
    written = _written_in_this_transaction()
    rows = [
        ProjectIndicators(
            project_id=pk,
            computed_at=now,
            tallies=encode(tallies.get(pk, {})),
            customer_found=customer_found.get(pk, 0),
        )
        for pk in project_ids
        if pk not in written
    ]
    ProjectIndicators.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=["computed_at", "tallies", "customer_found"],
    )


def stored_tallies(tallies, project_ids: list[int], *, now: datetime, scope) -> dict[int, int]:
    """Fill ``tallies`` (trust_selectors.Tallies) for ``project_ids`` from their rows of ``now``'s hour;
    compute and store the missing ones. Returns the troubles the customer found first per project.

    One query when every row is there, 7 + 2 more when some are not (whatever their number)."""
    hour = hour_of(now)
    customer_found: dict[int, int] = defaultdict(int)
    missing = set(project_ids)
    for pk, computed_at, data, found in ProjectIndicators.objects.filter(
        project_id__in=project_ids
    ).values_list("project_id", "computed_at", "tallies", "customer_found"):
        if hour_of(computed_at) == hour:
            tallies[pk].update(decode(data))
            customer_found[pk] = found
            missing.discard(pk)
    if missing:
        missing_ids = sorted(missing)
        fresh, found = compute(
            missing_ids, now=now, scope=scope if len(missing) == len(project_ids) else None
        )
        with transaction.atomic():
            store(missing_ids, fresh, found, now=now)
        for pk in missing_ids:
            tallies[pk].update(fresh.get(pk, {}))
            customer_found[pk] = found.get(pk, 0)
    return customer_found


# --- Keeping them correct --------------------------------------------------------------------------------


class _DropAfterCommit:
    """The on-commit callback dropping one project's row again (one pending per project and transaction)."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.done = False
        self.__qualname__ = "indicators_drop_after_commit"  # named in the log if it fails

    def __call__(self) -> None:
        self.done = True
        ProjectIndicators.objects.filter(project_id=self.project_id).delete()


def _written_in_this_transaction() -> set[int]:
    """Projects whose drop waits for the current transaction's commit."""
    return {
        callback.project_id
        for _savepoints, callback, _robust in transaction.get_connection().run_on_commit
        if isinstance(callback, _DropAfterCommit) and not callback.done
    }


def drop_after_write(sender, *, project_id: int, **kwargs) -> None:
    """Drop the project's indicators now (in the write's transaction) and once the write commits.

    The second drop removes a row that a board computed from the data before the commit and stored in the
    meantime. Many writes in one transaction (an import) drop once: a pending callback for the project means
    the first drop is still part of the transaction (a rollback would have removed both), and ``store``
    stores nothing for the project until it commits.
    """
    if project_id in _written_in_this_transaction():
        return
    ProjectIndicators.objects.filter(project_id=project_id).delete()
    transaction.on_commit(_DropAfterCommit(project_id), robust=True)


def recompute_all(*, now: datetime | None = None) -> int:
    """Recompute and store every project's indicators as of ``now``; returns how many projects."""
    now = now or timezone.now()
    project_ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    tallies, customer_found = compute(project_ids, now=now, scope=lambda prefix: Q())
    with transaction.atomic():
        ProjectIndicators.objects.exclude(project_id__in=project_ids).delete()
        store(project_ids, tallies, customer_found, now=now)
    return len(project_ids)


def _same(stored: list[Tally] | None, expected: list[Tally] | None) -> bool:
    """Equal tallies. PostgreSQL adds and lists rows in no fixed order: float sums (survey scores) may differ
    in the last bits, so they compare within 1e-9, and median inputs compare as sorted lists."""
    if stored is None or expected is None:
        return stored is expected
    if len(stored) != len(expected):
        return False
    for mine, theirs in zip(stored, expected, strict=True):
        for name in ("num", "den", "extra"):
            a, b = getattr(mine, name), getattr(theirs, name)
            if isinstance(a, float) or isinstance(b, float):
                if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif a != b:
                return False
        # ``values`` feed medians: their order is the database's row order, which PostgreSQL does not fix.
        if (sorted(mine.values), mine.anonymous, mine.count) != (
            sorted(theirs.values),
            theirs.anonymous,
            theirs.count,
        ):
            return False
    return True


def differences() -> list[str]:
    """The stored rows that differ from their project's data, each recomputed as of its own ``computed_at``
    (7 queries per distinct ``computed_at``); empty when every row is right."""
    by_time: dict[datetime, list[ProjectIndicators]] = defaultdict(list)
    for row in ProjectIndicators.objects.select_related("project").order_by("project_id"):
        by_time[row.computed_at].append(row)
    found = []
    for computed_at, rows in sorted(by_time.items()):
        tallies, customer_found = compute([row.project_id for row in rows], now=computed_at)
        for row in rows:
            stored, expected = decode(row.tallies), dict(tallies.get(row.project_id, {}))
            wrong = sorted(
                k for k in set(stored) | set(expected) if not _same(stored.get(k), expected.get(k))
            )
            if row.customer_found != customer_found.get(row.project_id, 0):
                wrong.append("customer_found")
            if wrong:
                when = timezone.localtime(computed_at, TOKYO)
                found.append(f"{row.project.code}: {', '.join(wrong)} (as of {when:%Y-%m-%d %H:%M:%S} JST)")
    return found
