"""Reads of the trust dashboard: every indicator for every project the user may see, in a fixed number of
queries (grouped aggregates, GROUP BY project), rolled up to accounts and the portfolio in Python.

Vendor users only: customer and partner users get an empty board (and the pages answer 404 before asking).
The scope is ``access.projects_visible_to(user)`` — through ``core.selectors.portfolio_rows``, whose
weekly-report punctuality is reused as it is — so a vendor manager sees every project and account of their
vendor, other vendor users the projects they are a member of and those projects' accounts.

Queries (uncached), whatever the number of projects: 4 for the project list and report punctuality (now and
8 weeks ago); 1 for the projects' stored tallies (``trust_cache``, the cached aggregate the pages and the API
read) and, for the projects whose tallies are missing (all of them without the aggregate:
``trust_board(stored=False)``), 1 each for milestones, tasks, requests on time, request acknowledgement,
troubles, report questions, gray zones and survey responses, then 1 to store them (per 249 projects on
SQLite) inside a savepoint; 3 + 3 for relationship summaries (today and 90 days ago) and 1 for recent
competitor quotes.
That is 12 when every project's tallies are stored, 23 when some are missing, 19 without the aggregate.
``trust_board_cached`` keeps a board in Django's cache for the hour, keyed by
the vendor, the user's scope and a one-query data fingerprint (see its docstring).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from shinrai.core import access
from shinrai.core.models import AuditEvent, Organization, User
from shinrai.core.selectors import portfolio_rows
from shinrai.grayzone.models import GrayZoneItem, age_in_business_days
from shinrai.ledger.models import CustomerRequest
from shinrai.progress.models import Milestone, ReportComment, Task
from shinrai.progress.reports import TOKYO
from shinrai.surveys.models import Response
from shinrai.troubles.models import Trouble

from . import indicators as ind
from . import trust_cache
from .indicators import EarlyWarning, Figure, Tally
from .models import RelationshipSignal
from .signals import RelationshipSummary, relationship_summaries

CACHE_VERSION = 1
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class ProjectRef:
    """What the dashboard shows of a project (small: the board is cached and read back on every page)."""

    pk: int
    code: str
    name: str
    customer_org_id: int
    customer_name: str


@dataclass(frozen=True)
class CustomerRef:
    pk: int
    name: str


def _pack(figures: dict[str, Figure]) -> tuple:
    return tuple((f.id, f.value, f.previous, f.basis, f.hidden) for f in figures.values())


def _unpack(packed: tuple) -> dict[str, Figure]:
    return {row[0]: Figure(*row) for row in packed}


@dataclass
class ProjectTrust:
    """One project's figures (kept packed as plain tuples: fast to cache) and warnings."""

    project: ProjectRef
    packed: tuple
    warnings: list[EarlyWarning]

    @property
    def figures(self) -> dict[str, Figure]:
        return _unpack(self.packed)


@dataclass
class AccountTrust:
    customer: CustomerRef
    packed: tuple
    warnings: list[EarlyWarning]
    projects: list[ProjectTrust]
    relationship: RelationshipSummary | None = None

    @property
    def figures(self) -> dict[str, Figure]:
        return _unpack(self.packed)

    @property
    def drifting(self) -> bool:
        return ind.is_drifting(self.warnings)


@dataclass
class TrustBoard:
    now: datetime
    today: date
    cache_key: str = ""
    figures: dict[str, Figure] = field(default_factory=dict)
    accounts: list[AccountTrust] = field(default_factory=list)
    projects: list[ProjectTrust] = field(default_factory=list)

    @property
    def drifting_count(self) -> int:
        return sum(1 for a in self.accounts if a.drifting)

    def account(self, customer_id: int) -> AccountTrust | None:
        return next((a for a in self.accounts if a.customer.pk == customer_id), None)

    def project(self, project_id: int) -> ProjectTrust | None:
        return next((p for p in self.projects if p.project.pk == project_id), None)


@dataclass(frozen=True)
class Windows:
    """The current and previous windows: datetimes [start, end) and dates [first, last] in Asia/Tokyo."""

    now: datetime
    today: date

    @property
    def end(self) -> datetime:
        """The current windows include "now" itself (something done this very second counts)."""
        return self.now + timedelta(microseconds=1)

    @property
    def cur(self) -> tuple[datetime, datetime]:
        return self.now - timedelta(days=ind.WINDOW_DAYS), self.end

    @property
    def prev(self) -> tuple[datetime, datetime]:
        return self.now - timedelta(days=2 * ind.WINDOW_DAYS), self.now - timedelta(days=ind.WINDOW_DAYS)

    @property
    def sat_cur(self) -> tuple[datetime, datetime]:
        return self.now - timedelta(days=ind.SATISFACTION_WINDOW_DAYS), self.end

    @property
    def sat_prev(self) -> tuple[datetime, datetime]:
        days = ind.SATISFACTION_WINDOW_DAYS
        return self.now - timedelta(days=2 * days), self.now - timedelta(days=days)

    @property
    def cur_dates(self) -> tuple[date, date]:
        return self.today - timedelta(days=ind.WINDOW_DAYS - 1), self.today

    @property
    def prev_dates(self) -> tuple[date, date]:
        return self.today - timedelta(days=2 * ind.WINDOW_DAYS - 1), self.today - timedelta(
            days=ind.WINDOW_DAYS
        )


def _in(name: str, bounds) -> Q:
    """``name`` within [start, end) for datetimes."""
    return Q(**{f"{name}__gte": bounds[0], f"{name}__lt": bounds[1]})


def _in_dates(name: str, bounds) -> Q:
    """``name`` within [first, last] for dates."""
    return Q(**{f"{name}__gte": bounds[0], f"{name}__lte": bounds[1]})


# tallies[project_id][indicator_id] = [current Tally, previous Tally]
Tallies = dict[int, dict[str, list[Tally]]]


def _new_tallies() -> Tallies:
    return defaultdict(lambda: defaultdict(lambda: [Tally(), Tally()]))


def _waited(asked: datetime, first: datetime | None, end: datetime) -> float:
    """Hours from ``asked`` to the first response, or to ``end`` when there was none by then."""
    return ind.hours_between(asked, first if first is not None and first <= end else end)


def _gather(tallies: Tallies, scope, w: Windows) -> dict[int, int]:
    """Fill the tallies of every indicator from grouped queries; returns troubles the customer found first
    (detected in the current window) per project."""
    windows = (("cur", w.cur, w.cur_dates, w.sat_cur), ("prev", w.prev, w.prev_dates, w.sat_prev))

    # Milestones on time: reached (actual date) in the window, with a baseline.
    annotations = {}
    for key, _dt, dates, _sat in windows:
        reached = _in_dates("actual_date", dates)
        annotations[f"{key}_n"] = Count("id", filter=reached)
        annotations[f"{key}_ok"] = Count("id", filter=reached & Q(actual_date__lte=F("baseline_date")))
    for row in (
        Milestone.objects.filter(scope("project__"), baseline_date__isnull=False)
        .filter(_in_dates("actual_date", (w.prev_dates[0], w.cur_dates[1])))
        .order_by()
        .values("project_id")
        .annotate(**annotations)
    ):
        for i, (key, *_rest) in enumerate(windows):
            tally = tallies[row["project_id"]]["milestones_on_time"][i]
            tally.num, tally.den = row[f"{key}_ok"], row[f"{key}_n"]

    # Estimate accuracy: done leaf tasks with an estimate, completed in the window.
    annotations = {}
    for key, dt, _dates, _sat in windows:
        annotations[f"{key}_est"] = Sum("estimate_hours", filter=_in("completed_at", dt))
        annotations[f"{key}_act"] = Sum("actual_hours", filter=_in("completed_at", dt))
        annotations[f"{key}_tasks"] = Count("id", filter=_in("completed_at", dt))
    has_children = Exists(Task.objects.filter(parent_id=OuterRef("pk")))
    for row in (
        Task.objects.filter(scope("project__"), status=Task.Status.DONE, estimate_hours__gt=0)
        .filter(_in("completed_at", (w.prev[0], w.cur[1])))
        .filter(~has_children)
        .order_by()
        .values("project_id")
        .annotate(**annotations)
    ):
        for i, (key, *_rest) in enumerate(windows):
            tally = tallies[row["project_id"]]["estimate_accuracy"][i]
            tally.num, tally.den = row[f"{key}_act"] or 0, row[f"{key}_est"] or 0
            tally.count = row[f"{key}_tasks"]

    # Customer requests answered on time: due in the window (the rule of ledger.selectors.request_indicators).
    annotations = {}
    for key, dt, _dates, _sat in windows:
        due = _in("due_at", dt)
        annotations[f"{key}_answered"] = Count("id", filter=due & Q(answered_at__isnull=False))
        annotations[f"{key}_on_time"] = Count("id", filter=due & Q(answered_at__lte=F("due_at")))
        annotations[f"{key}_overdue"] = Count(
            "id", filter=due & Q(answered_at__isnull=True) & ~Q(status=CustomerRequest.Status.CLOSED)
        )
    for row in (
        CustomerRequest.objects.filter(scope("project__"))
        .filter(_in("due_at", (w.prev[0], w.cur[1])))
        .order_by()
        .values("project_id")
        .annotate(**annotations)
    ):
        for i, (key, *_rest) in enumerate(windows):
            tally = tallies[row["project_id"]]["requests_on_time"][i]
            tally.num = row[f"{key}_on_time"]
            tally.den = row[f"{key}_answered"] + row[f"{key}_overdue"]

    # Time to acknowledge a request: asked in the window; the first of acknowledged, answered, closed.
    for project_id, asked, acknowledged, answered, closed in (
        CustomerRequest.objects.filter(scope("project__"))
        .filter(_in("created_at", (w.prev[0], w.cur[1])))
        .order_by()
        .values_list("project_id", "created_at", "acknowledged_at", "answered_at", "closed_at")
    ):
        i = 0 if asked >= w.cur[0] else 1
        end = (w.cur, w.prev)[i][1]
        firsts = [t for t in (acknowledged, answered, closed) if t is not None]
        tallies[project_id]["request_ack_hours"][i].values.append(
            _waited(asked, min(firsts) if firsts else None, end)
        )

    # Troubles: disclosed in the window (time to disclose, who found it); found by the customer recently.
    customer_found: dict[int, int] = defaultdict(int)
    for project_id, detected, disclosed, found_by in (
        Trouble.objects.filter(scope("project__"))
        .filter(
            _in("disclosed_at", (w.prev[0], w.cur[1]))
            | (Q(found_by=Trouble.FoundBy.CUSTOMER) & _in("detected_at", w.cur))
        )
        .order_by()
        .values_list("project_id", "detected_at", "disclosed_at", "found_by")
    ):
        if found_by == Trouble.FoundBy.CUSTOMER and w.cur[0] <= detected < w.cur[1]:
            customer_found[project_id] += 1
        if disclosed is None or not (w.prev[0] <= disclosed < w.cur[1]):
            continue
        i = 0 if disclosed >= w.cur[0] else 1
        hours = ind.hours_between(detected, disclosed)  # = Trouble.hours_to_disclose, without a model
        tallies[project_id]["time_to_disclose"][i].values.append(hours)
        first = tallies[project_id]["disclosed_first"][i]
        first.den += 1
        first.num += found_by == Trouble.FoundBy.VENDOR

    # Questions on weekly reports (the customer asks, the vendor answers): asked in the window.
    for _pk, project_id, asked, answered in (
        ReportComment.objects.filter(scope("report__project__"), parent__isnull=True)
        .filter(_in("created_at", (w.prev[0], w.cur[1])))
        .order_by()
        .values_list("pk", "report__project_id", "created_at")
        .annotate(first_answer=Min("answers__created_at"))
    ):
        i = 0 if asked >= w.cur[0] else 1
        end = (w.cur, w.prev)[i][1]
        tallies[project_id]["question_answer_hours"][i].values.append(_waited(asked, answered, end))

    # Gray zones without an owner at each window's end (now; 90 days ago): their age then, in business days.
    ends = (w.cur[1], w.prev[1])
    for project_id, marked, owned in (
        GrayZoneItem.objects.filter(scope("project__"), created_at__lt=w.cur[1])
        .filter(Q(owned_at__isnull=True) | Q(owned_at__gte=w.prev[1]))
        .order_by()
        .values_list("project_id", "created_at", "owned_at")
    ):
        for i, end in enumerate(ends):
            if marked < end and (owned is None or owned >= end):
                until = timezone.localtime(end, TOKYO).date()
                tallies[project_id]["grayzone_age"][i].values.append(age_in_business_days(marked, until))

    # Satisfaction: survey responses submitted in the (180-day) window.
    annotations = {}
    for key, _dt, _dates, sat in windows:
        inside = _in("submitted_at", sat)
        annotations[f"{key}_overall"] = Sum("score_overall", filter=inside)
        annotations[f"{key}_overall_n"] = Count("score_overall", filter=inside)
        annotations[f"{key}_emotional"] = Sum("score_emotional", filter=inside)
        annotations[f"{key}_emotional_n"] = Count("score_emotional", filter=inside)
        annotations[f"{key}_nps_n"] = Count("nps", filter=inside)
        annotations[f"{key}_promoters"] = Count("id", filter=inside & Q(nps__gte=9))
        annotations[f"{key}_detractors"] = Count("id", filter=inside & Q(nps__lte=6))
        annotations[f"{key}_anonymous"] = Count("id", filter=inside & Q(survey__anonymous=True))
    for row in (
        Response.objects.filter(scope("survey__project__"))
        .filter(_in("submitted_at", (w.sat_prev[0], w.sat_cur[1])))
        .order_by()
        .values("survey__project_id")
        .annotate(**annotations)
    ):
        figures = tallies[row["survey__project_id"]]
        for i, (key, *_rest) in enumerate(windows):
            anonymous = row[f"{key}_anonymous"]
            cs = figures["cs_score"][i]
            cs.num, cs.den, cs.anonymous = row[f"{key}_overall"] or 0, row[f"{key}_overall_n"], anonymous
            emo = figures["emotional_score"][i]
            emo.num, emo.den, emo.anonymous = (
                row[f"{key}_emotional"] or 0,
                row[f"{key}_emotional_n"],
                anonymous,
            )
            score = figures["nps"][i]
            score.num, score.extra = row[f"{key}_promoters"], row[f"{key}_detractors"]
            score.den, score.anonymous = row[f"{key}_nps_n"], anonymous
    return customer_found


def _figures(tallies: dict[str, list[Tally]]) -> dict[str, Figure]:
    figures = {}
    for indicator_id in ind.PROJECT_IDS:
        current, previous = tallies.get(indicator_id, [None, None])
        figures[indicator_id] = ind.figure_from_tallies(indicator_id, current, previous)
    return figures


def _sum(many: list[dict[str, list[Tally]]]) -> dict[str, list[Tally]]:
    """The tallies of several projects added up (in place on fresh tallies: linear in the number of items)."""
    total: dict[str, list[Tally]] = defaultdict(lambda: [Tally(), Tally()])
    for tallies in many:
        for indicator_id, pair in tallies.items():
            for into, tally in zip(total[indicator_id], pair, strict=True):
                into.num += tally.num
                into.den += tally.den
                into.extra += tally.extra
                into.values.extend(tally.values)
                into.anonymous += tally.anonymous
                into.count += tally.count
    return dict(total)


def _project_warnings(figures: dict[str, Figure], customer_found: int) -> list[EarlyWarning]:
    return [
        *ind.satisfaction_warnings(figures),
        *ind.punctuality_warnings(figures.get("report_punctuality")),
        *ind.trouble_warnings(customer_found),
    ]


def _relationship_figures(now: RelationshipSummary | None, before: RelationshipSummary | None) -> dict:
    def get(summary, name):
        return getattr(summary, name) if summary is not None else None

    share_now, share_before = (get(s, "share_without_competition") for s in (now, before))
    return {
        "days_since_contact": Figure(
            "days_since_contact", get(now, "days_since_contact"), get(before, "days_since_contact")
        ),
        "won_without_competition": Figure(
            "won_without_competition",
            None if share_now is None else ind.round1(share_now * 100),
            None if share_before is None else ind.round1(share_before * 100),
            basis=(now.wins_without_competition + now.wins_in_competition) if now else 0,
        ),
        "latest_rfp": Figure("latest_rfp", get(now, "latest_rfp_kind"), get(before, "latest_rfp_kind")),
        "competitor_quotes": Figure(
            "competitor_quotes",
            get(now, "competitor_quotes_last_year"),
            get(before, "competitor_quotes_last_year"),
        ),
    }


def _scope_for(user: User, project_ids: list[int]):
    """A Q factory reaching the scoped projects from another model (``prefix`` ends in ``project__``)."""
    if user.is_vendor_manager:
        return lambda prefix: Q(**{f"{prefix}vendor_org_id": user.organization_id})
    return lambda prefix: Q(**{f"{prefix}id__in": project_ids})


def trust_board(*, user: User, now: datetime | None = None, stored: bool = False) -> TrustBoard:
    """Every indicator and early warning of the projects and accounts ``user`` may see (vendor users).

    ``stored``: take the projects' tallies from the cached aggregate (``trust_cache``), as the pages do
    through ``trust_board_cached``; otherwise gather them from the data (nothing is stored)."""
    now = now or timezone.now()
    today = timezone.localtime(now, TOKYO).date()
    board = TrustBoard(now=now, today=today, figures=_figures({}))
    if not access.is_vendor_user(user):
        return board
    rows = [r for r in portfolio_rows(user=user, now=now) if r.project.vendor_org_id == user.organization_id]
    if not rows:
        return board
    before = {
        r.project.pk: r for r in portfolio_rows(user=user, now=now - timedelta(weeks=ind.PUNCTUALITY_WEEKS))
    }
    project_ids = [r.project.pk for r in rows]

    tallies = _new_tallies()
    for row in rows:
        prev = before.get(row.project.pk)
        tallies[row.project.pk]["report_punctuality"] = [
            Tally(num=row.on_time_weeks, den=row.due_weeks),
            Tally(num=prev.on_time_weeks if prev else 0, den=prev.due_weeks if prev else 0),
        ]
    scope = _scope_for(user, project_ids)
    if stored:
        # From the cached aggregate (trust_cache): computed here only for the projects written to since, or
        # not computed yet this hour.
        customer_found = trust_cache.stored_tallies(tallies, project_ids, now=now, scope=scope)
    else:
        customer_found = _gather(tallies, scope, Windows(now=now, today=today))

    customers: dict[int, CustomerRef] = {}
    by_customer: dict[int, list[ProjectTrust]] = defaultdict(list)
    for row in rows:
        project = row.project
        figures = _figures(tallies[project.pk])
        ref = ProjectRef(
            project.pk, project.code, project.name, project.customer_org_id, project.customer_org.name
        )
        trust = ProjectTrust(
            project=ref,
            packed=_pack(figures),
            warnings=_project_warnings(figures, customer_found[project.pk]),
        )
        board.projects.append(trust)
        customers[project.customer_org_id] = CustomerRef(project.customer_org_id, project.customer_org.name)
        by_customer[project.customer_org_id].append(trust)

    customer_ids = sorted(customers)
    vendor = user.organization_id
    summaries = relationship_summaries(vendor_org=vendor, customer_ids=customer_ids, today=today)
    summaries_before = relationship_summaries(
        vendor_org=vendor, customer_ids=customer_ids, today=today - timedelta(days=ind.WINDOW_DAYS)
    )
    recent_quotes = dict(
        RelationshipSignal.objects.filter(
            vendor_org_id=vendor,
            customer_org_id__in=customer_ids,
            kind=RelationshipSignal.Kind.COMPETITOR_QUOTES,
            occurred_on__gt=today - timedelta(days=ind.WARN_SIGNAL_DAYS),
            occurred_on__lte=today,
        )
        .order_by()
        .values("customer_org_id")
        .annotate(n=Count("id"))
        .values_list("customer_org_id", "n")
    )

    for customer_id in customer_ids:
        projects = by_customer[customer_id]
        figures = _figures(_sum([tallies[p.project.pk] for p in projects]))
        summary = summaries.get(customer_id)
        figures |= _relationship_figures(summary, summaries_before.get(customer_id))
        warnings = [
            *ind.relationship_warnings(
                days_since_contact=summary.days_since_contact if summary else None,
                latest_rfp_kind=summary.latest_rfp_kind if summary else None,
                latest_rfp_on=summary.latest_rfp_on if summary else None,
                quotes_recent=recent_quotes.get(customer_id, 0),
                today=today,
            ),
            *_project_warnings(figures, sum(customer_found[p.project.pk] for p in projects)),
        ]
        projects.sort(key=lambda p: (-len(p.warnings), p.project.code))
        board.accounts.append(
            AccountTrust(
                customer=customers[customer_id],
                packed=_pack(figures),
                warnings=warnings,
                projects=projects,
                relationship=summary,
            )
        )
    board.accounts.sort(key=lambda a: (not a.drifting, -len(a.warnings), a.customer.name, a.customer.pk))
    board.projects.sort(key=lambda p: (-len(p.warnings), p.project.code))
    board.figures = _figures(_sum([tallies[pk] for pk in project_ids]))
    return board


# --- Cache -----------------------------------------------------------------------------------------------


def data_fingerprint() -> str:
    """One query: the newest audit event and survey response ids. Every write through the services records an
    audit event, so a new one means the figures may have changed; responses are added as a second line.
    Writes outside the services (admin, raw SQL, the seed generator) are seen within the hour at the latest,
    as the cache key also carries the hour."""
    row = (
        Organization.objects.order_by()
        .annotate(
            audit=Subquery(AuditEvent.objects.order_by("-id").values("id")[:1]),
            response=Subquery(Response.objects.order_by("-id").values("id")[:1]),
        )
        .values_list("audit", "response")
        .first()
    )
    return f"{row[0]}-{row[1]}" if row else "-"


def board_key(*, user: User, now: datetime | None = None) -> str:
    """The cache key of a user's board: the vendor, the user's scope (all the vendor's projects for managers,
    the user's memberships otherwise), the hour in Japan and ``data_fingerprint`` (one query)."""
    now = now or timezone.now()
    scope = "all" if user.is_vendor_manager else f"u{user.pk}"
    hour = timezone.localtime(now, TOKYO).strftime("%Y%m%d%H")
    return f"trust:{CACHE_VERSION}:{user.organization_id}:{scope}:{hour}:{data_fingerprint()}"


def trust_board_cached(*, user: User, now: datetime | None = None, key: str | None = None) -> TrustBoard:
    """``trust_board`` kept in Django's cache under ``board_key``.

    A cached page costs the fingerprint query; time-dependent figures (overdue requests, report deadlines)
    move at the next hour at the latest.
    """
    if not access.is_vendor_user(user):
        return trust_board(user=user, now=now)
    key = key or board_key(user=user, now=now)
    board = cache.get(key)
    if board is None:
        board = trust_board(user=user, now=now, stored=True)
        board.cache_key = key
        cache.set(key, board, CACHE_SECONDS)
    return board


def cached_piece(key: str, part: str, build):
    """A piece of a board (an account, a project, rendered tables) kept beside it in the cache, so that a
    page reads back only what it shows (reading the whole board of 1,000 projects costs ~10 ms)."""
    piece_key = f"{key}:{part}"
    piece = cache.get(piece_key)
    if piece is None:
        piece = build()
        cache.set(piece_key, piece, CACHE_SECONDS)
    return piece


def account_trust_cached(*, user: User, customer_id: int, key: str | None = None) -> AccountTrust | None:
    key = key or board_key(user=user)
    return cached_piece(
        key, f"a{customer_id}", lambda: trust_board_cached(user=user, key=key).account(customer_id)
    )


def project_trust_cached(*, user: User, project_id: int) -> tuple[ProjectTrust | None, AccountTrust | None]:
    """A project's figures and its account's (for the drifting flag and the link)."""
    key = board_key(user=user)

    def build():
        board = trust_board_cached(user=user, key=key)
        trust = board.project(project_id)
        return trust, board.account(trust.project.customer_org_id) if trust else None

    return cached_piece(key, f"p{project_id}", build)
