"""Realistic, deterministic data at the sizes of DESIGN.md's performance targets (`shinrai seed`).

``seed(scale, seed=N)`` fills an **empty** database in one transaction: organizations and people, projects
with members (:mod:`.core`), then for each project its requirements (:mod:`.requirements`) and its
milestones, WBS and weekly reports (:mod:`.progress`), its troubles (:mod:`.troubles`), satisfaction
surveys (:mod:`.surveys`), its promise ledger (:mod:`.ledger`: customer and change requests, agreements,
a valid hash chain), business flows for some projects (:mod:`.flows`) and the in-app notifications of the
last weeks (:mod:`.notifications`); last, per customer account, the account plan and relationship signals
(:mod:`.accounts`). Every area draws from its own random source per
project (``Seeder.rng``), so the same seed and day give the same data, and a later area (troubles, surveys:
add a module and a line to :data:`AREAS`) leaves the others unchanged.

Dates are relative to today (projects running now, reports up to last week), so the pages look current on
the day the data is made. Rows are written with ``bulk_create`` and explicit ids: no services run, but the
audit events the pages read are written alongside (see each module's docstring for what is and is not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from django.db import transaction

from shinrai.core.models import Organization, Project, User
from shinrai.progress import report_services

from . import accounts, core, flows, ledger, notifications, progress, requirements, surveys, troubles
from .base import SCALES, ProjectPlan, Scale, Seeder

__all__ = ["AREAS", "SCALES", "Scale", "SeedRefused", "SeedResult", "database_is_empty", "seed"]

PASSWORD = core.PASSWORD
CHUNK = 20  # projects generated and written together (bounds the memory used)

#: The generators run for each project, in order (each may read what the previous left in ``plan.shared``).
AREAS: list[tuple[str, Callable[[Seeder, ProjectPlan, core.Tenancy], None]]] = [
    ("requirements", lambda s, plan, tenancy: requirements.seed_requirements(s, plan)),
    ("progress", lambda s, plan, tenancy: progress.seed_progress(s, plan, emails=tenancy.emails)),
    ("troubles", lambda s, plan, tenancy: troubles.seed_troubles(s, plan)),
    ("surveys", lambda s, plan, tenancy: surveys.seed_surveys(s, plan)),
    ("ledger", lambda s, plan, tenancy: ledger.seed_ledger(s, plan, names=tenancy.names)),
    ("flows", lambda s, plan, tenancy: flows.seed_flows(s, plan)),
    ("notifications", lambda s, plan, tenancy: notifications.seed_notifications(s, plan)),
]


class SeedRefused(Exception):
    """The database already holds data: seeding only ever fills an empty one."""


@dataclass(frozen=True)
class SeedResult:
    scale: Scale
    counts: dict[str, int]  # model label → rows written
    logins: dict[str, str]  # what → e-mail
    password: str
    seconds: float


def database_is_empty() -> bool:
    return not (Organization.objects.exists() or User.objects.exists() or Project.objects.exists())


def seed(
    scale: Scale | str,
    *,
    seed: int = 1,
    now: datetime | None = None,
    out: TextIO | None = None,
) -> SeedResult:
    """Fill an empty database with generated data; all or nothing (one transaction).

    Raises :class:`SeedRefused` when the database already holds organizations, users or projects.
    """
    scale = SCALES[scale] if isinstance(scale, str) else scale
    if not database_is_empty():
        raise SeedRefused(
            "The database already holds data. `shinrai seed` only fills an empty database: "
            "point DATABASE_URL (or SHINRAI_VAR_DIR) at a new one and run `shinrai migrate` first."
        )
    with transaction.atomic():
        s = Seeder(scale, seed=seed, now=now, out=out)
        s.log(f"seeding scale {scale.name} (seed {seed}, today {s.today})")
        tenancy = core.seed_tenancy(s)
        plans = core.seed_projects(s, tenancy)
        s.flush()
        for vendor in tenancy.vendors:
            report_services.plain_terms_ensure_defaults(vendor_org=Organization.objects.get(pk=vendor.org_id))
        s.log(f"{len(tenancy.emails)} users, {len(plans)} projects")
        for first in range(0, len(plans), CHUNK):
            for plan in plans[first : first + CHUNK]:
                for _name, generate in AREAS:
                    generate(s, plan, tenancy)
            s.flush()
            done = min(first + CHUNK, len(plans))
            if done == len(plans) or done % (CHUNK * 10) == 0:
                s.log(f"{done}/{len(plans)} projects, {sum(s.counts.values()):,} rows")
        accounts.seed_accounts(s, tenancy, plans)
        s.flush()
        s.reset_sequences(s.models)
    s.log(f"done: {sum(s.counts.values()):,} rows")
    return SeedResult(scale, dict(s.counts), tenancy.logins, PASSWORD, s.elapsed)
