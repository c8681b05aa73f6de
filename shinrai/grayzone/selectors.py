"""Reads of the gray-zone items and anticipated questions, always through :mod:`shinrai.core.access`.

Who sees an item or a position: vendor roles always; customer roles once it is shared with the customer;
a partner vendor only when it is shared with partners and their organization is on its share list
(``access.items_shared_with``). Everything else answers 404. Lists have a fixed number of queries.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import (
    CUSTOMER_ROLES,
    PARTNER_ROLES,
    VENDOR_ROLES,
    Organization,
    Project,
    Role,
    User,
    Visibility,
)
from shinrai.ledger.models import CustomerRequest
from shinrai.progress.models import Task
from shinrai.troubles.models import FollowUp, Trouble

from .models import GrayZoneComment, GrayZoneItem, GrayZoneShare, Position, PositionShare, PositionVersion

S = GrayZoneItem.State
_ROWS = (
    "project",
    "offered_to_org",
    "offered_to_user",
    "owner_org",
    "owner_user",
    "trouble",
    "follow_up__trouble",
    "customer_request",
    "task",
)


# --- Who is who on a project --------------------------------------------------------------------------------


def partner_orgs(*, project: Project) -> QuerySet[Organization]:
    """The partner vendors of a project: partner organizations with a partner viewer on it."""
    return Organization.objects.filter(
        kind=Organization.Kind.PARTNER,
        users__memberships__project=project,
        users__memberships__role=Role.PARTNER_VIEWER,
    ).distinct()


def owner_orgs(*, project: Project) -> list[Organization]:
    """Who can own an item of the project: its vendor, its customer and its partner vendors, in order."""
    return [project.vendor_org, project.customer_org, *partner_orgs(project=project).order_by("name")]


def owner_people(*, project: Project, organization: Organization) -> QuerySet[User]:
    """The people of ``organization`` who can own an item of the project: the project's members of that
    organization (in a role that fits it) and, for the vendor, its managers."""
    roles = {
        Organization.Kind.VENDOR: VENDOR_ROLES,
        Organization.Kind.CUSTOMER: CUSTOMER_ROLES,
        Organization.Kind.PARTNER: PARTNER_ROLES,
    }[organization.kind]
    on_project = Q(memberships__project=project, memberships__role__in=roles)
    if organization.kind == Organization.Kind.VENDOR:
        on_project |= Q(is_vendor_manager=True)
    return (
        User.objects.filter(organization=organization, is_active=True)
        .filter(on_project)
        .distinct()
        .order_by("display_name")
    )


def people_by_org(*, project: Project) -> list[tuple[Organization, list[User]]]:
    """Every possible owner organization with its possible owner people (for the offer and decide forms)."""
    return [
        (org, list(owner_people(project=project, organization=org))) for org in owner_orgs(project=project)
    ]


# --- Items ------------------------------------------------------------------------------------------------


def items_for(*, user: User, project: Project) -> QuerySet[GrayZoneItem]:
    return access.items_shared_with(user, GrayZoneItem.objects.filter(project=project))


def _with_shares(queryset: QuerySet, user: User) -> QuerySet:
    """The share list, as the reader may see it: a partner vendor sees only its own organization on it."""
    shares = GrayZoneShare.objects.select_related("organization").order_by("organization__name")
    if _signed_in(user) and user.organization.kind == Organization.Kind.PARTNER:
        shares = shares.filter(organization=user.organization_id)
    return queryset.prefetch_related(Prefetch("shares", queryset=shares))


def item_for(*, user: User, project: Project, pk) -> GrayZoneItem:
    try:
        return _with_shares(items_for(user=user, project=project).select_related(*_ROWS), user).get(pk=pk)
    except (GrayZoneItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def item_by_id(*, user: User, pk) -> tuple[Project, Role, GrayZoneItem]:
    """The item with its project and the user's role; 404 when missing or not visible, alike."""
    try:
        project_id = GrayZoneItem.objects.values_list("project_id", flat=True).get(pk=pk)
    except (GrayZoneItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    project, role = access.project_for(user, project_id)
    return project, role, item_for(user=user, project=project, pk=pk)


@dataclass(frozen=True)
class BoardRow:
    item: GrayZoneItem
    age: int  # business days without an owner
    source_label: str  # "" when the reader may not see the source


@dataclass
class Board:
    rows: list[BoardRow] = field(default_factory=list)
    unowned: int = 0  # open items (no owner yet) among the rows
    median_age: float | None = None  # of the open items, business days
    oldest: int | None = None


def _source_label(item: GrayZoneItem) -> str:
    source = item.source
    if source == GrayZoneItem.Source.TROUBLE and item.trouble_id:
        return f"{item.trouble.ref} {item.trouble.title}"
    if source == GrayZoneItem.Source.FOLLOW_UP and item.follow_up_id:
        return f"{item.follow_up.trouble.ref} {item.follow_up.action}"
    if source == GrayZoneItem.Source.CUSTOMER_REQUEST and item.customer_request_id:
        return item.customer_request.title
    if source == GrayZoneItem.Source.TASK and item.task_id:
        return item.task.name
    return ""


def visible_sources(*, user: User, items: list[GrayZoneItem]) -> set[tuple[str, int]]:
    """(source, id) of the items' sources the user may open themselves (a query per kind at most).

    Vendor users see every source; a customer sees disclosed troubles (and their follow-ups), requests and
    tasks shared with the customer; a partner vendor troubles and tasks shared with partners, never the
    customer's requests. An item can be shared more widely than its source: the source is then not named.
    """
    wanted: dict[str, set[int]] = {}
    for item in items:
        if item.source_id is not None:
            wanted.setdefault(item.source, set()).add(item.source_id)
    if not wanted:
        return set()
    if access.is_vendor_user(user):
        return {(source, pk) for source, pks in wanted.items() for pk in pks}
    is_partner = user.organization.kind == Organization.Kind.PARTNER
    found: set[tuple[str, int]] = set()
    troubles = access.items_visible_to(user, Trouble.objects.filter(disclosed_at__isnull=False))
    if pks := wanted.get(GrayZoneItem.Source.TROUBLE):
        found |= {("trouble", pk) for pk in troubles.filter(pk__in=pks).values_list("pk", flat=True)}
    if pks := wanted.get(GrayZoneItem.Source.FOLLOW_UP):
        rows = FollowUp.objects.filter(pk__in=pks, trouble__in=troubles.values("pk")).values_list(
            "pk", flat=True
        )
        found |= {("follow_up", pk) for pk in rows}
    if (pks := wanted.get(GrayZoneItem.Source.CUSTOMER_REQUEST)) and not is_partner:
        rows = access.items_visible_to(
            user, CustomerRequest.objects.filter(pk__in=pks), visibility_field=None
        ).values_list("pk", flat=True)
        found |= {("customer_request", pk) for pk in rows}
    if pks := wanted.get(GrayZoneItem.Source.TASK):
        rows = access.items_visible_to(user, Task.objects.filter(pk__in=pks)).values_list("pk", flat=True)
        found |= {("task", pk) for pk in rows}
    return found


def _board(items: list[GrayZoneItem], user: User, today: date) -> Board:
    visible = visible_sources(user=user, items=items)
    board = Board()
    open_ages = []
    for item in items:
        age = item.age_days(today)
        label = _source_label(item) if (item.source, item.source_id) in visible else ""
        board.rows.append(BoardRow(item=item, age=age, source_label=label))
        if item.is_open:
            open_ages.append(age)
    board.unowned = len(open_ages)
    if open_ages:
        board.median_age = float(statistics.median(open_ages))
        board.oldest = max(open_ages)
    return board


STATE_FILTERS = ("open", "owned", *S.values)


def _filtered(queryset: QuerySet, *, state: str = "", reason: str = "", source: str = "") -> QuerySet:
    if state == "open":
        queryset = queryset.filter(state__in=GrayZoneItem.OPEN_STATES)
    elif state == "owned":
        queryset = queryset.filter(state__in=GrayZoneItem.OWNED_STATES)
    elif state in S.values:
        queryset = queryset.filter(state=state)
    if reason in GrayZoneItem.Reason.values:
        queryset = queryset.filter(reason=reason)
    if source in GrayZoneItem.Source.values:
        queryset = queryset.filter(source=source)
    return queryset


def board(
    *,
    user: User,
    project: Project,
    state: str = "",
    reason: str = "",
    source: str = "",
    min_age: int | None = None,
    today: date | None = None,
    shared_only: bool = False,
) -> Board:
    """A project's gray-zone board as the user may see it: open items first (oldest first), then owned ones.

    ``min_age``: only items at least that many business days old (their age as of today, or when owned).
    ``shared_only``: leave out vendor-only items (the portal's preview shows what the customer sees)."""
    today = today or timezone.localdate()
    queryset = _filtered(items_for(user=user, project=project), state=state, reason=reason, source=source)
    if shared_only:
        queryset = queryset.exclude(visibility=Visibility.INTERNAL)
    items = list(_with_shares(queryset.select_related(*_ROWS), user).order_by("created_at", "id"))
    result = _board(items, user, today)
    if min_age:
        result = _board([row.item for row in result.rows if row.age >= min_age], user, today)
    result.rows.sort(key=lambda row: (not row.item.is_open, -row.age, row.item.number))
    return result


def portfolio_board(
    *,
    user: User,
    state: str = "open",
    reason: str = "",
    min_age: int | None = None,
    today: date | None = None,
) -> Board:
    """Gray-zone items across every project the (vendor) user may open: for the vendor manager's portfolio.
    Customer and partner users get an empty board (the page answers 404 before asking)."""
    if not access.is_vendor_user(user):
        return Board()
    today = today or timezone.localdate()
    projects = access.projects_visible_to(user).filter(vendor_org=user.organization)
    queryset = _filtered(
        GrayZoneItem.objects.filter(project__in=projects.values("pk")), state=state, reason=reason
    )
    items = list(_with_shares(queryset.select_related(*_ROWS), user).order_by("created_at", "id"))
    result = _board(items, user, today)
    if min_age:
        result = _board([row.item for row in result.rows if row.age >= min_age], user, today)
    result.rows.sort(key=lambda row: (not row.item.is_open, -row.age, row.item.project.code, row.item.number))
    return result


def comments_for(*, user: User, item: GrayZoneItem) -> QuerySet[GrayZoneComment]:
    """The item's comments written for an audience the user belongs to (vendor-only ones for the vendor)."""
    return access.items_visible_to(
        user, GrayZoneComment.objects.filter(item=item), project_field="item__project"
    ).select_related("author__organization")


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_respond(user: User, item: GrayZoneItem, perms: frozenset | None = None) -> bool:
    """Whether ``user`` may accept or decline the offer on ``item`` (which they can see).

    The person it is offered to; the customer sponsor for an offer to the customer organization as a whole;
    a vendor PM or manager, who records the answer of anyone (a partner vendor's included: partner viewers
    only read and comment in Shinrai). ``perms``: the user's permissions in the item's project, when the
    caller has them (a list of items asks once per project).
    """
    if item.state != S.OFFERED or not _signed_in(user):
        return False
    if user.organization.kind == Organization.Kind.PARTNER:
        return False
    perms = access.perms_in(user, item.project) if perms is None else perms
    if not perms:
        return False
    if Perm.EDIT in perms or user.pk == item.offered_to_user_id:
        return True
    to_customer = item.offered_to_org_id == item.project.customer_org_id and item.offered_to_user_id is None
    return to_customer and Perm.DECIDE in perms


def may_answer(user: User, item: GrayZoneItem) -> bool:
    """Whether pages and the API let ``user`` answer an offer on ``item``: a vendor PM or manager (the service
    then refuses an item that is not offered), or whoever ``can_respond``. Never a partner vendor."""
    if not _signed_in(user) or user.organization.kind == Organization.Kind.PARTNER:
        return False
    return Perm.EDIT in access.perms_in(user, item.project) or can_respond(user, item)


def awaiting_decision(*, user: User, project: Project) -> QuerySet[GrayZoneItem]:
    """Escalated items waiting for the customer sponsor's decision (oldest first); empty for partners."""
    if user.organization.kind == Organization.Kind.PARTNER:
        return GrayZoneItem.objects.none()
    return items_for(user=user, project=project).filter(state=S.ESCALATED).order_by("escalated_at", "id")


def source_choices(*, user: User, project: Project) -> dict[str, list[tuple[int, str]]]:
    """What an item can be marked from (vendor pages): open troubles, open follow-ups, open requests and tasks
    not done, each as (id, label), leaving out those that already are an open gray-zone item; five queries."""
    troubles = access.items_visible_to(user, Trouble.objects.filter(project=project)).exclude(
        status=Trouble.Status.CLOSED
    )
    follow_ups = FollowUp.objects.filter(
        trouble__in=troubles.values("pk"), done_at__isnull=True
    ).select_related("trouble")
    requests = access.items_visible_to(
        user, CustomerRequest.objects.filter(project=project), visibility_field=None
    ).exclude(status=CustomerRequest.Status.CLOSED)
    tasks = access.items_visible_to(user, Task.objects.filter(project=project)).exclude(
        status=Task.Status.DONE
    )
    taken = list(
        GrayZoneItem.objects.filter(project=project, state__in=GrayZoneItem.OPEN_STATES).values_list(
            "trouble_id", "follow_up_id", "customer_request_id", "task_id"
        )
    )
    troubles = troubles.exclude(pk__in={row[0] for row in taken if row[0]})
    follow_ups = follow_ups.exclude(pk__in={row[1] for row in taken if row[1]})
    requests = requests.exclude(pk__in={row[2] for row in taken if row[2]})
    tasks = tasks.exclude(pk__in={row[3] for row in taken if row[3]})
    return {
        GrayZoneItem.Source.TROUBLE: [(t.pk, f"{t.ref} {t.title}") for t in troubles.order_by("number")],
        GrayZoneItem.Source.FOLLOW_UP: [
            (f.pk, f"{f.trouble.ref} {f.action}") for f in follow_ups.order_by("trouble__number", "id")
        ],
        GrayZoneItem.Source.CUSTOMER_REQUEST: [(r.pk, r.title) for r in requests.order_by("due_at", "id")],
        GrayZoneItem.Source.TASK: [(t.pk, t.name) for t in tasks.order_by("name", "id")],
    }


def source_object(*, user: User, project: Project, source: str, pk):
    """The source object of the project for ``source`` and its id, as the user may see it; None when there is
    no such object (a missing and a hidden one look the same)."""
    model, queryset = {
        GrayZoneItem.Source.TROUBLE: (
            Trouble,
            access.items_visible_to(user, Trouble.objects.filter(project=project)),
        ),
        GrayZoneItem.Source.FOLLOW_UP: (
            FollowUp,
            FollowUp.objects.filter(
                trouble__in=access.items_visible_to(user, Trouble.objects.filter(project=project)).values(
                    "pk"
                )
            ),
        ),
        GrayZoneItem.Source.CUSTOMER_REQUEST: (
            CustomerRequest,
            access.items_visible_to(
                user, CustomerRequest.objects.filter(project=project), visibility_field=None
            ),
        ),
        GrayZoneItem.Source.TASK: (Task, access.items_visible_to(user, Task.objects.filter(project=project))),
    }.get(source, (None, None))
    if model is None:
        return None
    try:
        return queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        return None


# --- Anticipated questions -------------------------------------------------------------------------------


def positions_for(*, user: User, project: Project) -> QuerySet[Position]:
    """Vendor roles: every position, drafts included; others: the shared ones they may read."""
    return access.items_shared_with(user, Position.objects.filter(project=project)).select_related("author")


def position_for(*, user: User, project: Project, pk) -> Position:
    try:
        return (
            positions_for(user=user, project=project)
            .prefetch_related(Prefetch("shares", queryset=position_shares(user)))
            .get(pk=pk)
        )
    except (Position.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def position_shares(user: User) -> QuerySet:
    shares = PositionShare.objects.select_related("organization").order_by("organization__name")
    if _signed_in(user) and user.organization.kind == Organization.Kind.PARTNER:
        shares = shares.filter(organization=user.organization_id)
    return shares


def position_by_id(*, user: User, pk) -> tuple[Project, Role, Position]:
    try:
        project_id = Position.objects.values_list("project_id", flat=True).get(pk=pk)
    except (Position.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    project, role = access.project_for(user, project_id)
    return project, role, position_for(user=user, project=project, pk=pk)


def position_list(*, user: User, project: Project) -> list[Position]:
    """The project's positions, newest first, with their share lists (two queries)."""
    return list(
        positions_for(user=user, project=project)
        .prefetch_related(Prefetch("shares", queryset=position_shares(user)))
        .order_by("-number")
    )


def versions_for(*, user: User, position: Position) -> QuerySet[PositionVersion]:
    """The shared versions of a position the user may read, newest first: a partner vendor reads the versions
    that were shared with partners when they were written."""
    return (
        access.items_visible_to(
            user, PositionVersion.objects.filter(position=position), project_field="position__project"
        )
        .select_related("written_by")
        .order_by("-number")
    )


def version_for(*, user: User, position: Position, number) -> PositionVersion:
    try:
        return versions_for(user=user, position=position).get(number=number)
    except (PositionVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def latest_versions(*, user: User, positions: list[Position]) -> list[PositionVersion]:
    """What a customer or partner reads of each position: its newest version they may see (one query)."""
    rows = access.items_visible_to(
        user,
        PositionVersion.objects.filter(position__in=[p.pk for p in positions]),
        project_field="position__project",
    ).order_by("position_id", "-number")
    latest: dict[int, PositionVersion] = {}
    for row in rows:
        latest.setdefault(row.position_id, row)
    return list(latest.values())
