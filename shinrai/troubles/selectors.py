"""Read queries of the troubles app, always scoped through shinrai.core.access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from shinrai.core import access
from shinrai.core.models import Project, User, Visibility

from .models import FollowUp, Option, Prevention, Trouble, disclosure_hours

S = Trouble.Status


def troubles_for(*, user: User, project: Project) -> QuerySet[Trouble]:
    """The project's troubles the user may see: all for vendor roles, disclosed ones for customers, those
    shared with partners for partner vendors."""
    queryset = access.items_visible_to(user, Trouble.objects.filter(project=project))
    if not access.is_vendor_user(user):
        queryset = queryset.filter(disclosed_at__isnull=False)
    return queryset.select_related("owner")


def awaiting_decision(*, user: User, project: Project) -> QuerySet[Trouble]:
    """Disclosed troubles whose options are before the customer, waiting for the sponsor's choice (oldest
    first). Empty for partner vendors: choosing is between the vendor and its customer."""
    if user.organization.kind == "partner":
        return Trouble.objects.none()
    return (
        troubles_for(user=user, project=project)
        .filter(status=S.OPTIONS_PROPOSED, disclosed_at__isnull=False)
        .exclude(visibility=Visibility.INTERNAL)
        .order_by("disclosed_at", "number")
    )


def register(
    *, user: User, project: Project, kind: str = "", status: str = "", full: bool = False
) -> list[Trouble]:
    """The register's rows, filtered; ``full`` also loads the decision, root cause and prevention measures
    (for the exports)."""
    queryset = troubles_for(user=user, project=project)
    if full:
        queryset = queryset.select_related("decision__option", "root_cause").prefetch_related("preventions")
    if kind in Trouble.Kind.values:
        queryset = queryset.filter(kind=kind)
    if status == "active":
        queryset = queryset.exclude(status=S.CLOSED)
    elif status in S.values:
        queryset = queryset.filter(status=status)
    return list(queryset.order_by("-number"))


@dataclass(frozen=True)
class DisclosureStats:
    disclosed: int  # troubles told to the customer
    within_target: int  # ... within the target for their severity
    average_hours: float | None  # mean time to disclose
    overdue_now: int  # not yet told, past the target

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.within_target / self.disclosed) if self.disclosed else None


def disclosure_stats(*, user: User, project: Project, now: datetime | None = None) -> DisclosureStats:
    """How quickly the vendor tells the customer, over every trouble of the project (one query)."""
    now = now or timezone.now()
    rows = list(
        troubles_for(user=user, project=project).only(
            "severity", "detected_at", "disclosed_at", "status", "project_id", "owner_id"
        )
    )
    disclosed = [t for t in rows if t.disclosed_at is not None]
    hours = [t.hours_to_disclose for t in disclosed]
    return DisclosureStats(
        disclosed=len(disclosed),
        within_target=sum(1 for t in disclosed if not t.disclosed_late),
        average_hours=round(sum(hours) / len(hours), 1) if hours else None,
        overdue_now=sum(1 for t in rows if t.disclosure_overdue(now)),
    )


def trouble_for(*, user: User, project: Project, pk) -> Trouble:
    try:
        return troubles_for(user=user, project=project).get(pk=pk)
    except (Trouble.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def trouble_detail(*, user: User, project: Project, pk, internal: bool) -> Trouble:
    """One trouble with its options, decision, follow-ups, root cause and prevention measures; internal notes
    only when ``internal`` (vendor pages) — customer and partner views never load them."""
    prefetch = [
        Prefetch("options", queryset=Option.objects.order_by("position", "id")),
        Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner")),
        Prefetch("preventions", queryset=Prevention.objects.select_related("owner")),
    ]
    if internal:
        if not access.has_perm(user, access.Perm.SEE_INTERNAL, project):
            raise Http404
        prefetch.append("internal_notes__author")
    try:
        return (
            troubles_for(user=user, project=project)
            .select_related("decision__option", "root_cause")
            .prefetch_related(*prefetch)
            .get(pk=pk)
        )
    except (Trouble.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def overdue_undisclosed(*, now: datetime | None = None) -> list[Trouble]:
    """Every trouble (all projects) still undisclosed past its disclosure target and not yet escalated."""
    now = now or timezone.now()
    found = []
    for severity, hours in disclosure_hours().items():
        found += list(
            Trouble.objects.filter(
                severity=severity,
                disclosed_at__isnull=True,
                escalated_at__isnull=True,
                detected_at__lt=now - timedelta(hours=hours),
            )
            .exclude(status=S.CLOSED)
            .select_related("project")
        )
    return sorted(found, key=lambda t: (t.project_id, t.number))


def week_troubles(*, project: Project, start: datetime, end: datetime) -> tuple[list[Trouble], list[Trouble]]:
    """For the weekly report draft: troubles shared with the customer and open at the week's end, and those
    decided during the week (the draft is written for the customer: vendor-only troubles are left out)."""
    shared = Trouble.objects.filter(
        project=project,
        visibility__in=(Visibility.CUSTOMER, Visibility.PARTNERS),
        disclosed_at__isnull=False,
        disclosed_at__lt=end,
    ).select_related("decision__option")
    rows = list(shared.exclude(status=S.CLOSED, closed_at__lt=start).order_by("number"))
    decided = [t for t in rows if hasattr(t, "decision") and start <= t.decision.at < end]
    decided_ids = {t.pk for t in decided}
    open_ = [t for t in rows if t.status != S.CLOSED and t.pk not in decided_ids]
    return open_, decided


# --- Similar past troubles --------------------------------------------------------------------------------

SIMILAR_CANDIDATES = 2000  # the most recently closed troubles compared (bounded work per page)


def _bigrams(text: str) -> set[str]:
    """Character bigrams of the text, NFKC-normalised, lower-case, without spaces and punctuation: works for
    Japanese (no word boundaries) and for English alike."""
    import unicodedata

    chars = [
        c
        for c in unicodedata.normalize("NFKC", text).lower()
        if not unicodedata.category(c).startswith(("Z", "P", "S", "C"))
    ]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams (0–1)."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def similar_troubles(*, user: User, trouble: Trouble, limit: int = 5, threshold: float = 0.1) -> list:
    """Closed troubles of the same vendor's other projects most like this one (title and facts), for vendor
    roles only, and only from projects the user may open (through the access rule), so that nothing of one
    customer is suggested where the user could not read it anyway. [(score, trouble)] best first."""
    if not access.has_perm(user, access.Perm.SEE_INTERNAL, trouble.project):
        return []
    candidates = (
        access.items_visible_to(user, Trouble.objects.filter(status=S.CLOSED))
        .filter(project__vendor_org_id=trouble.project.vendor_org_id)
        .exclude(project_id=trouble.project_id)
        .order_by("-closed_at")
        .only("id", "title", "facts", "project_id", "number")[:SIMILAR_CANDIDATES]
    )
    text = f"{trouble.title}\n{trouble.facts}"
    scored = sorted(
        ((similarity(text, f"{c.title}\n{c.facts}"), c) for c in candidates), key=lambda p: (-p[0], p[1].pk)
    )
    best = [(score, c) for score, c in scored[:limit] if score >= threshold]
    if not best:
        return []
    details = {
        t.pk: t
        for t in Trouble.objects.filter(pk__in=[c.pk for _s, c in best])
        .select_related("project", "root_cause", "decision__option")
        .prefetch_related("preventions")
    }
    return [(round(score, 2), details[c.pk]) for score, c in best]
