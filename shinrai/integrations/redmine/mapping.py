"""How Redmine's fields become Shinrai's: pure functions, no database writes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from shinrai.progress.models import Task
from shinrai.troubles.models import Trouble

from .client import RedmineError

# Redmine's default priorities (English and Japanese installs) → trouble severity; unknown names: medium.
SEVERITY_BY_PRIORITY = {
    "low": "low",
    "低め": "low",
    "normal": "medium",
    "通常": "medium",
    "high": "high",
    "高め": "high",
    "urgent": "critical",
    "急いで": "critical",
    "immediate": "critical",
    "今すぐ": "critical",
}
# Tracker names → trouble kind; any other tracker chosen as a trouble tracker gives an issue.
KIND_BY_TRACKER = {
    "risk": Trouble.Kind.RISK,
    "リスク": Trouble.Kind.RISK,
    "bug": Trouble.Kind.INCIDENT,
    "incident": Trouble.Kind.INCIDENT,
    "障害": Trouble.Kind.INCIDENT,
    "バグ": Trouble.Kind.INCIDENT,
}


def field(item: dict, name: str, where: str):
    try:
        return item[name]
    except (KeyError, TypeError):
        raise RedmineError(
            _("Redmine's %(where)s lacks the field %(name)s.") % {"where": where, "name": name}
        ) from None


def ref_id(item: dict, name: str) -> int | None:
    """The id of a nested reference such as ``{"parent": {"id": 3}}``; None when absent."""
    value = item.get(name)
    if isinstance(value, dict) and isinstance(value.get("id"), int):
        return value["id"]
    return None


def to_date(value, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        parsed = parse_date(value) if isinstance(value, str) else None
    except ValueError:  # well-formed but no such day: 2024-02-30
        parsed = None
    if parsed is None:
        raise RedmineError(
            _("Redmine's %(where)s has an unreadable date %(v)r.") % {"where": where, "v": value}
        )
    return parsed


def to_datetime(value, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise RedmineError(
            _("Redmine's %(where)s has an unreadable time %(v)r.") % {"where": where, "v": value}
        )
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, UTC)
        # Stored in UTC: 0001-01-01T00:00+09:00 has no UTC time (it would fail when saved).
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        raise RedmineError(
            _("Redmine's %(where)s has an unreadable time %(v)r.") % {"where": where, "v": value}
        ) from None
    return min(parsed, timezone.now())  # a server clock ahead of ours must not put events in the future


def to_hours(value) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
        # NaN survives quantize() and then refuses every comparison.
        return max(hours, Decimal(0))
    except InvalidOperation:
        raise RedmineError(_("Redmine sent unreadable hours %(v)r.") % {"v": value}) from None


def to_percent(value) -> int:
    try:
        return max(0, min(100, int(value or 0)))
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        return 0


def task_status(*, closed: bool, done_ratio: int) -> str:
    if closed:
        return Task.Status.DONE
    return Task.Status.IN_PROGRESS if done_ratio > 0 else Task.Status.NOT_STARTED


def severity(priority_name: str) -> str:
    return SEVERITY_BY_PRIORITY.get((priority_name or "").strip().lower(), Trouble.Severity.MEDIUM)


def trouble_kind(tracker_name: str) -> str:
    return KIND_BY_TRACKER.get((tracker_name or "").strip().lower(), Trouble.Kind.ISSUE)


def tree_order(issues: list[dict]) -> list[dict]:
    """Parents before children (ids ascending among siblings), so a task's parent always exists first."""
    by_id = {issue["id"]: issue for issue in issues}
    children: dict[int | None, list[dict]] = {}
    for issue in issues:
        parent = ref_id(issue, "parent")
        children.setdefault(parent if parent in by_id else None, []).append(issue)
    ordered, todo = [], sorted(children.get(None, []), key=lambda i: i["id"], reverse=True)
    seen = set()
    while todo:
        issue = todo.pop()
        if issue["id"] in seen:
            continue
        seen.add(issue["id"])
        ordered.append(issue)
        todo.extend(sorted(children.get(issue["id"], []), key=lambda i: i["id"], reverse=True))
    # Anything left sits in a parent cycle (Redmine forbids them); import those at the top level.
    ordered.extend(issue for issue in issues if issue["id"] not in seen)
    return ordered
