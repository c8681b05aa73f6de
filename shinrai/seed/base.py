"""What every area's generator shares: the sizes, the calendar, explicit ids and the batched writer.

Rows are built in memory with explicit primary keys and written with ``bulk_create`` in batches, inside the
one transaction of :func:`shinrai.seed.seed`. Explicit keys let the generators link rows (a task's parent,
an audit event's object) without reading anything back; foreign keys are checked at commit (Django creates
them deferrable on SQLite and PostgreSQL), so the order of the batches does not matter. PostgreSQL's
sequences are moved past the written keys at the end (:meth:`Seeder.reset_sequences`).
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TextIO
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model

from shinrai.progress import workdays

TOKYO = ZoneInfo("Asia/Tokyo")
BATCH = 2000  # rows per bulk_create call (the backend splits further when it must)


@dataclass(frozen=True)
class Scale:
    """How much to generate. Projects keep the same size at every scale; there are more of them."""

    name: str
    customers: int  # customer organizations
    partners: int  # partner vendor organizations
    projects: int
    users: int
    tasks_per_project: int  # on average (projects vary from 0.6× to 1.4×)
    reports_per_project: int  # weeks reported, on average (follows from the projects' ages)
    requirements_per_project: int

    def but(self, **changes) -> Scale:
        """A copy with some sizes changed, e.g. ``SCALES["small"].but(projects=3)`` for a quick test."""
        return replace(self, **changes)


SCALES: dict[str, Scale] = {
    # DESIGN.md "Performance targets": 100 customers, 1,000 projects, 200,000 tasks, 50,000 weekly reports,
    # 20,000 requirements, 2,000 users. Medium is a tenth, small about a hundredth.
    "large": Scale("large", 100, 10, 1000, 2000, 200, 50, 20),
    "medium": Scale("medium", 10, 3, 100, 200, 200, 50, 20),
    "small": Scale("small", 3, 1, 10, 30, 200, 50, 20),
}


class Calendar:
    """Japanese business days (weekends and public holidays off) as a numbered list, for fast arithmetic.

    ``index(d)`` is the number of the first business day on or after ``d``; ``day(i)`` the date of number i.
    """

    def __init__(self, first: date, last: date) -> None:
        self.first = first
        self.days: list[date] = []
        self._index: dict[date, int] = {}
        pending: list[date] = []
        day = first
        while day <= last or pending:
            pending.append(day)
            if workdays.is_business_day(day):
                for waiting in pending:
                    self._index[waiting] = len(self.days)
                pending = []
                self.days.append(day)
            day += timedelta(days=1)

    def index(self, day: date) -> int:
        return self._index[day]

    def day(self, index: int) -> date:
        return self.days[max(0, min(index, len(self.days) - 1))]

    def between(self, first: date, last: date) -> int:
        """Business days in [first, last]."""
        return self.index(last + timedelta(days=1)) - self.index(first) if last >= first else 0


@contextmanager
def explicit_times(model: type[Model]):
    """Let ``bulk_create`` keep the times the generator set on ``auto_now``/``auto_now_add`` fields.

    Django fills those fields with the current time on every insert; seeded rows carry their own past times
    (a flow uploaded a year ago). A generator must set every such field of its rows: an unset one is null and
    the insert fails. The flags are restored afterwards, whatever happens.
    """
    fields = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def at_tokyo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


def jsonable(value):
    """As the audit log stores values (``core.services.audit_record``): dates and decimals as strings."""
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def hours(value: float) -> Decimal:
    return Decimal(str(round(value * 4) / 4)).quantize(Decimal("0.01"))


@dataclass
class ProjectPlan:
    """What the core generator decided about a project, read by the other areas' generators."""

    index: int
    id: int
    code: str
    vendor_id: int
    customer_id: int
    kind: str  # "running", "finished" or "starting"
    start: date
    end: date
    created_at: datetime
    phases: list[tuple[str, str, int, int]]  # (name, kind, first business day index, last index)
    pm: int
    vendor_members: list[int]
    sponsors: list[int]
    customer_members: list[int]
    partner_viewers: list[int]
    health: str  # "good", "shaky", "troubled": how often reports are amber or red
    sloppy: bool  # the PM often publishes late
    shared: dict = field(default_factory=dict)  # what one area leaves for the next (e.g. requirement ids)


class Seeder:
    """The state of one seeding run: sizes, random sources, today, ids, buffers and timings."""

    def __init__(
        self, scale: Scale, *, seed: int = 1, now: datetime | None = None, out: TextIO | None = None
    ) -> None:
        from django.utils import timezone

        self.scale = scale
        self.seed = seed
        self.now = now or timezone.now()
        self.today = self.now.astimezone(TOKYO).date()
        self.out = out or sys.stdout
        # Projects reach back about two and a half years and forward about two.
        self.calendar = Calendar(self.today - timedelta(days=3 * 366), self.today + timedelta(days=3 * 366))
        self.today_index = self.calendar.index(self.today)
        self._next_id: dict[type[Model], int] = {}
        self._buffers: dict[type[Model], list[Model]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.models: set[type[Model]] = set()
        self.started = time.perf_counter()

    def rng(self, *parts) -> random.Random:
        """An independent random source per purpose, e.g. ``rng("progress", project_index)``.

        Each area draws from its own sources, so adding an area (troubles, surveys) later leaves the data of
        the others unchanged for the same seed.
        """
        return random.Random(":".join(map(str, (self.seed, *parts))))  # noqa: S311 (test data, not secrets)

    def next_id(self, model: type[Model]) -> int:
        if model not in self._next_id:
            self._next_id[model] = (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        value = self._next_id[model]
        self._next_id[model] = value + 1
        return value

    def add(self, obj: Model) -> Model:
        """Queue a row; it is written by the next :meth:`flush` (until then it may still be changed)."""
        if obj.pk is None:
            obj.pk = self.next_id(type(obj))
        self._buffers[type(obj)].append(obj)
        return obj

    def audit(
        self,
        *,
        at: datetime,
        actor: int | None,
        action: str,
        object_type: str,
        object_id: int,
        project: int | None,
        before: dict | None = None,
        after: dict | None = None,
    ) -> None:
        """Queue an audit event shaped like the services' (``core.services.audit_record``)."""
        from shinrai.core.models import AuditEvent

        self.add(
            AuditEvent(
                at=at,
                actor_id=actor,
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                project_id=project,
                before={k: jsonable(v) for k, v in (before or {}).items()},
                after={k: jsonable(v) for k, v in (after or {}).items()},
            )
        )

    def _write(self, model: type[Model]) -> None:
        rows = self._buffers.pop(model, [])
        if rows:
            with explicit_times(model):
                model.objects.bulk_create(rows, batch_size=BATCH)
            self.counts[model._meta.label] += len(rows)
            self.models.add(model)

    def flush(self) -> None:
        for model in list(self._buffers):
            self._write(model)

    def reset_sequences(self, models: Iterable[type[Model]]) -> None:
        """Move the database's id sequences past the explicit ids (PostgreSQL; nothing to do on SQLite)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(models))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def log(self, message: str) -> None:
        self.out.write(f"[{self.elapsed:6.1f}s] {message}\n")
        self.out.flush()
