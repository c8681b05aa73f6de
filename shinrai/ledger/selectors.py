"""Reads of the ledger app, always through :mod:`shinrai.core.access`.

The ledger is the record shared by the vendor and the customer: vendor roles and customer roles of a project
see all of its entries (no entry kind is vendor-internal). Partner vendors see nothing of it (404).
"""

from __future__ import annotations

import hashlib
import json
import statistics
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import PARTNER_ROLES, Project, Role, User

from .chain import ChainState, verify_entries
from .models import ChangeRequest, CustomerRequest, Entry


def ledger_project_for(user: User, pk, perm: Perm = Perm.VIEW) -> tuple[Project, Role]:
    """Like ``access.project_for``; partner vendors get 404 (the ledger is between vendor and customer)."""
    project, role = access.project_for(user, pk, perm)
    if role in PARTNER_ROLES:
        raise Http404
    return project, role


def entries_for(*, user: User, project: Project) -> QuerySet[Entry]:
    queryset = access.items_visible_to(user, Entry.objects.filter(project=project), visibility_field=None)
    if user.organization.kind == "partner":
        return queryset.none()
    return queryset.select_related("actor", "refers_to").order_by("seq")


CHAIN_CACHE_SECONDS = 24 * 60 * 60  # keyed by the stored entries themselves: never stale, only unused
_CHAIN_COLUMNS = ("seq", "kind", "subject", "actor_id", "created_at", "refers_to_id", "prev_hash", "hash")


def chain_state(project: Project) -> ChainState:
    """Verified, or broken at #n.

    Verifying re-serialises and re-hashes every entry, on every page that shows the state (the project
    home, the portal, the ledger). The result is a pure function of the stored entries, so it is cached
    under a digest of every stored column the chain covers (the payload as the database stores it, without
    decoding it): one query reads them, and any change to any entry, old or new (a tampered subject or
    payload, a deleted, inserted or renumbered row, a rewritten hash) gives another digest and a full
    verification. ``shinrai verify-ledger`` and the backup drill always verify in full.
    """
    rows = list(
        Entry.objects.filter(project=project)
        .order_by("seq")
        .annotate(raw_payload=Cast("payload", TextField()))
        .values_list(*_CHAIN_COLUMNS, "raw_payload")
    )
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:32]
    key = f"shinrai:ledger:chain:v1:{project.pk}:{digest}"
    state = cache.get(key)
    if state is None:
        # Verify the very rows the digest was made of (no second read that could differ from it).
        state = verify_entries(
            Entry(
                project_id=project.pk,
                **dict(zip(_CHAIN_COLUMNS, row[:-1], strict=True)),
                payload=json.loads(row[-1]) if row[-1] is not None else None,
            )
            for row in rows
        )
        cache.set(key, state, CHAIN_CACHE_SECONDS)
    return state


# --- Customer requests ------------------------------------------------------------------------------------


def requests_for(*, user: User, project: Project) -> QuerySet[CustomerRequest]:
    queryset = access.items_visible_to(
        user, CustomerRequest.objects.filter(project=project), visibility_field=None
    )
    if user.organization.kind == "partner":
        return queryset.none()
    return queryset.select_related("requested_by", "answered_by", "acknowledged_by")


def request_for(*, user: User, project: Project, pk) -> CustomerRequest:
    try:
        return requests_for(user=user, project=project).get(pk=pk)
    except (CustomerRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class RequestIndicators:
    """How the vendor keeps the customer's due times.

    ``counted``: requests answered, plus those past due with no answer (and not closed): each is on time
    (answered by its due time) or not. ``on_time_rate`` = on_time / counted (None when nothing counts yet).
    ``mean_hours``/``median_hours``: from asking to answering, over answered requests.
    """

    total: int
    open: int
    overdue: int
    counted: int
    on_time: int
    on_time_rate: float | None
    mean_hours: float | None
    median_hours: float | None


def request_indicators(requests, now: datetime | None = None) -> RequestIndicators:
    now = now or timezone.now()
    requests = list(requests)
    answered = [r for r in requests if r.answered_at is not None]
    overdue = [r for r in requests if r.is_overdue(now)]
    on_time = sum(1 for r in answered if r.answered_at <= r.due_at)
    counted = len(answered) + len(overdue)
    hours = [(r.answered_at - r.created_at).total_seconds() / 3600 for r in answered]
    return RequestIndicators(
        total=len(requests),
        open=sum(1 for r in requests if not r.is_done),
        overdue=len(overdue),
        counted=counted,
        on_time=on_time,
        on_time_rate=(on_time / counted) if counted else None,
        mean_hours=statistics.fmean(hours) if hours else None,
        median_hours=statistics.median(hours) if hours else None,
    )


# --- Change requests and the contract value ---------------------------------------------------------------


def changes_for(*, user: User, project: Project) -> QuerySet[ChangeRequest]:
    """Vendor roles see every change request; customers see those proposed to them (never drafts)."""
    queryset = access.items_visible_to(
        user, ChangeRequest.objects.filter(project=project), visibility_field=None
    )
    kind = user.organization.kind
    if kind == "partner":
        return queryset.none()
    if kind == "customer":
        queryset = queryset.exclude(status=ChangeRequest.Status.DRAFT).exclude(proposed_at=None)
    return queryset.select_related("created_by", "decided_by")


def changes_awaiting_decision(*, user: User, project: Project) -> QuerySet[ChangeRequest]:
    """Change requests proposed to the customer and waiting for the sponsor's approval (oldest first)."""
    return (
        changes_for(user=user, project=project)
        .filter(status=ChangeRequest.Status.PROPOSED)
        .exclude(proposed_at=None)
        .order_by("proposed_at", "id")
    )


def change_for(*, user: User, project: Project, pk) -> ChangeRequest:
    try:
        return changes_for(user=user, project=project).get(pk=pk)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class ContractValue:
    """The original contract amount (``Project.contract_amount``), the approved changes, the current value."""

    original: int | None
    approved: list = field(default_factory=list)  # ChangeRequest, oldest decision first
    change_total: int = 0
    schedule_days_total: int = 0

    @property
    def current(self) -> int | None:
        return None if self.original is None else self.original + self.change_total


def contract_value(project: Project) -> ContractValue:
    approved = list(
        ChangeRequest.objects.filter(project=project, status=ChangeRequest.Status.APPROVED).order_by(
            "decided_at", "id"
        )
    )
    original = int(project.contract_amount) if project.contract_amount is not None else None
    running = original
    for change in approved:  # the value after each change, for the history table
        running = None if running is None else running + change.cost_impact
        change.running_value = running
    return ContractValue(
        original=original,
        approved=approved,
        change_total=sum(c.cost_impact for c in approved),
        schedule_days_total=sum(c.schedule_impact_days for c in approved),
    )
