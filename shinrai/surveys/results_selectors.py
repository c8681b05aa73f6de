"""Survey results for a project, an account (one customer) and the whole vendor, with their trend over time.

Every entry point starts from :mod:`shinrai.core.access` (vendor roles only; anything else is a 404) and
answers with a :class:`Results`: the summary of the scope, the trend series (fixed-point observation), the
per-question means and the free-text comments.

Periods: for a project, each survey round in order of ``sent_at``; for an account and the vendor, calendar
quarters in Asia/Tokyo of the round's ``sent_at`` (a round's late answers stay with the round).

Anonymity: the answers of an anonymous round that has fewer than 3 responses are left out of every figure,
comment, trend and export (they would identify people, also by subtracting one published figure from
another). A period with nothing else to show says "not shown: fewer than 3 answers". A question whose
figures would rest on 1 or 2 anonymous answers is not shown either. Anonymous comments carry neither name nor
date and are listed in the order of their text, so their order cannot be matched to the invitations.

Queries: a fixed number whatever the data size. While the survey data behind a scope has not changed, its
figures come from the cache (``caches["charts"]``, shared by a machine's processes in production), keyed by
the scope, the language, the projects the user may see and :func:`data_fingerprint`: the projects, the
fingerprint and the commenters' names, three queries at most. Otherwise (``_compute``): the survey rounds (or
their per-quarter sums), the left-out anonymous rounds, one aggregate per period on the Response score
columns, the per-response values for the trend test (one query for all periods), one aggregate per question
and one page of comments. tests/surveys/test_results_cache.py checks the cached figures against a
straightforward computation after every kind of change.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np
from django.core.cache import caches
from django.db import connections
from django.db.models import Case, Count, F, Q, QuerySet, Sum, TextField, Value, When
from django.db.models.functions import TruncQuarter
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Organization, Project

from . import stats
from .models import Answer, Category, QuestionKind, Response, Survey

__all__ = [
    "ANONYMITY_MIN",
    "COMMENT_LIMIT",
    "MEANS",
    "MEASURES",
    "Comment",
    "Figures",
    "Period",
    "QuestionRow",
    "Results",
    "Scope",
    "account_results",
    "project_results",
    "vendor_results",
]

TOKYO = ZoneInfo("Asia/Tokyo")
ANONYMITY_MIN = 3
COMMENT_LIMIT = 100  # comments on the page; the exports have them all
#: The means, in the order pages show them, and their Response columns.
MEANS = {
    "overall": "score_overall",
    "logical": "score_logical",
    "emotional": "score_emotional",
    "a": "score_a",
    "b": "score_b",
    "c": "score_c",
    "d": "score_d",
}
MEASURES = (*MEANS, "nps")
CATEGORY_MEASURES = (("a", Category.A), ("b", Category.B), ("c", Category.C), ("d", Category.D))
P_CACHE_SECONDS = 30 * 24 * 3600  # a p-value depends only on the two lists of values: cache it long
#: The figures, p-values and charts are kept in the cache of drawn charts: in production without Redis it is
#: shared by a machine's processes (files), so a change is computed once per machine, not once per worker,
#: and a restart does not recompute every p-value (seconds on the large dataset).
CACHE = "charts"
CACHE_SECONDS = 7 * 24 * 3600  # cached figures are keyed by their data: they never go stale, only unused
CACHE_VERSION = 1  # raise it when what is cached (Figures, Period, QuestionRow, Comment) changes shape


class Scope(StrEnum):
    PROJECT = "project"
    ACCOUNT = "account"
    VENDOR = "vendor"


def measure_label(measure: str) -> str:
    return {
        "overall": _("Overall"),
        "logical": _("Logical (the result)"),
        "emotional": _("Emotional (how it felt)"),
        "a": str(Category.A.label),
        "b": str(Category.B.label),
        "c": str(Category.C.label),
        "d": str(Category.D.label),
        "nps": _("NPS"),
    }[measure]


def measure_short_label(measure: str) -> str:
    """For narrow table headings (the PDF): Overall, Logical, Emotional, A … D, NPS."""
    return {
        "overall": _("Overall"),
        "logical": _("Logical"),
        "emotional": _("Emotional"),
        "nps": _("NPS"),
    }.get(measure, measure.upper())


@dataclass
class Figures:
    """The figures of one group of responses (the scope, one period)."""

    received: int = 0  # responses received, including left-out anonymous ones
    included: int = 0  # responses the figures are made of
    invited: int = 0
    means: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(MEANS))
    nps: stats.NpsResult = field(default_factory=lambda: stats.nps_from_counts(0, 0, 0))

    @property
    def excluded(self) -> int:
        """Anonymous responses left out: their round had fewer than 3."""
        return self.received - self.included

    @property
    def withheld(self) -> bool:
        """Nothing can be shown: every response of the group is a left-out anonymous one."""
        return self.included == 0 and self.excluded > 0

    @property
    def rate(self) -> float | None:
        return stats.response_rate(self.received, self.invited)

    @property
    def rate_percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else stats.round_half_away(rate * 100)

    def value(self, measure: str) -> float | int | None:
        return self.nps.score if measure == "nps" else self.means[measure]


@dataclass
class Period:
    key: str
    label: str
    starts: date
    figures: Figures = field(default_factory=Figures)
    rounds: int = 1
    #: measure → change since the period before (empty for the first period)
    changes: dict[str, stats.Change] = field(default_factory=dict)
    survey_id: int | None = None
    short_label: str = ""  # under the chart: the day sent (rounds) or the quarter

    def __post_init__(self) -> None:
        self.short_label = self.short_label or self.label


@dataclass
class QuestionRow:
    code: str
    category: str
    facet: str
    kind: str
    text: str
    answers: int
    mean: float | None
    withheld: bool


@dataclass
class Comment:
    period_key: str
    period_label: str
    question_code: str
    question_text: str
    text: str
    name: str | None  # None: anonymous
    day: date | None  # None: anonymous
    answer_id: int | None = field(default=None, repr=False)  # to read the name afresh (_refresh_names)


@dataclass
class Results:
    scope: Scope
    title: str
    subject: object  # the Project, the customer Organization or the vendor Organization
    summary: Figures
    periods: list[Period]
    questions: list[QuestionRow]
    comments: list[Comment]
    comments_total: int
    as_of: datetime
    #: The key the figures are cached under (pages keep their rendered parts beside them).
    cache_key: str = ""
    computed: bool = False  # the figures were computed for this call (not read from the cache)

    @property
    def comments_more(self) -> bool:
        return self.comments_total > len(self.comments)

    @property
    def latest(self) -> Period | None:
        return self.periods[-1] if self.periods else None

    @property
    def withheld_periods(self) -> int:
        return sum(period.figures.withheld for period in self.periods)

    @property
    def excluded(self) -> int:
        return self.summary.excluded


# --- Entry points -----------------------------------------------------------------------------------------


def project_results(*, user, project_pk, comment_limit: int | None = COMMENT_LIMIT) -> Results:
    """Results of one project, per survey round; vendor roles only (404 otherwise)."""
    project, _role = access.project_for(user, project_pk, Perm.SEE_INTERNAL)
    surveys = Survey.objects.filter(project=project, sent_at__isnull=False)

    def periods() -> list[Period]:
        rounds = surveys.order_by("sent_at", "id").values("id", "title", "sent_at", "invited_count")
        return [
            Period(
                key=f"survey-{row['id']}",
                label=row["title"],
                starts=timezone.localtime(row["sent_at"], TOKYO).date(),
                figures=Figures(invited=row["invited_count"]),
                survey_id=row["id"],
                short_label=f"{timezone.localtime(row['sent_at'], TOKYO):%Y-%m-%d}",
            )
            for row in rounds
        ]

    return _results(
        scope=Scope.PROJECT,
        title=project.name,
        subject=project,
        surveys=surveys,
        project_ids=[project.pk],
        periods=periods,
        period_of=lambda prefix="": F(f"{prefix}survey_id"),
        key_of=lambda value: f"survey-{value}",
        comment_limit=comment_limit,
    )


def account_results(*, user, customer_pk, comment_limit: int | None = COMMENT_LIMIT) -> Results:
    """Results of one customer's projects (those of the user's vendor the user may see), per quarter."""
    customer = access.account_for(user, customer_pk)
    projects = access.projects_visible_to(user).filter(vendor_org=user.organization, customer_org=customer)
    return _quarterly(Scope.ACCOUNT, customer.name, customer, projects, comment_limit)


def vendor_results(*, user, comment_limit: int | None = COMMENT_LIMIT) -> Results:
    """Results of every project of the user's vendor that the user may see, per quarter; vendor users only."""
    if not access.is_vendor_user(user):
        raise Http404
    vendor: Organization = user.organization
    projects = access.projects_visible_to(user).filter(vendor_org=vendor)
    return _quarterly(Scope.VENDOR, vendor.name, vendor, projects, comment_limit)


# --- Building the results ---------------------------------------------------------------------------------


def _quarter_key(value: datetime) -> str:
    value = timezone.localtime(value, TOKYO) if timezone.is_aware(value) else value
    return f"{value.year}-Q{(value.month - 1) // 3 + 1}"


def _quarter_label(value: datetime) -> str:
    value = timezone.localtime(value, TOKYO) if timezone.is_aware(value) else value
    return _("%(year)s Q%(quarter)s") % {"year": value.year, "quarter": (value.month - 1) // 3 + 1}


def _quarterly(scope, title, subject, projects: QuerySet[Project], comment_limit) -> Results:
    surveys = Survey.objects.filter(project__in=projects, sent_at__isnull=False)

    def periods() -> list[Period]:
        quarters = (
            surveys.annotate(period=TruncQuarter("sent_at", tzinfo=TOKYO))
            .values("period")
            .annotate(invited=Sum("invited_count"), rounds=Count("id"))
            .order_by("period")
        )
        return [
            Period(
                key=_quarter_key(row["period"]),
                label=_quarter_label(row["period"]),
                starts=timezone.localtime(row["period"], TOKYO).date()
                if timezone.is_aware(row["period"])
                else row["period"].date(),
                figures=Figures(invited=row["invited"] or 0),
                rounds=row["rounds"],
            )
            for row in quarters
        ]

    return _results(
        scope=scope,
        title=title,
        subject=subject,
        surveys=surveys,
        # the projects the user may see (the access rule's answer, exactly): part of the cache key
        project_ids=list(projects.order_by("pk").values_list("pk", flat=True)),
        periods=periods,
        period_of=lambda prefix="": TruncQuarter(f"{prefix}survey__sent_at", tzinfo=TOKYO),
        key_of=_quarter_key,
        comment_limit=comment_limit,
    )


@dataclass
class _Computed:
    """The figures of one scope as computed from the data (what is cached, see :func:`_results`)."""

    summary: Figures
    periods: list[Period]
    questions: list[QuestionRow]
    excluded_ids: list[int]  # anonymous rounds with fewer than 3 responses


def _results(
    *, scope, title, subject, surveys, project_ids, periods, period_of, key_of, comment_limit
) -> Results:
    """The scope's results: from the cache while the data they come from is unchanged, computed otherwise.

    The figures and the page of newest comments are kept under a key made of the scope, the language, the
    projects the user may see and :func:`data_fingerprint`, so a cached page costs two or three queries
    (the projects, the fingerprint, the commenters' names) however many answers there are. Names are read
    afresh on every request (a person's name may change without the survey data changing); the exports'
    full list of comments (``comment_limit=None``) is always read afresh.
    """
    store = caches[CACHE]
    key = cache_key(scope, subject.pk, project_ids)
    computed = store.get(key)
    fresh = computed is None
    if fresh:
        computed = _compute(surveys=surveys, periods=periods(), period_of=period_of, key_of=key_of)
        store.set(key, computed, CACHE_SECONDS)
    by_key = {period.key: period for period in computed.periods}

    def read_comments() -> tuple[list[Comment], int]:
        return _comments(surveys, computed.excluded_ids, period_of, key_of, by_key, comment_limit)

    if comment_limit is None:
        comments, comments_total = read_comments()
    else:
        comments_key = f"{key}:comments:{comment_limit}"
        cached = store.get(comments_key)
        if cached is None:
            cached = read_comments()
            store.set(comments_key, cached, CACHE_SECONDS)
        comments, comments_total = cached
        _refresh_names(comments)
    return Results(
        scope=scope,
        title=title,
        subject=subject,
        summary=computed.summary,
        periods=computed.periods,
        questions=computed.questions,
        comments=comments,
        comments_total=comments_total,
        as_of=timezone.now(),
        cache_key=key,
        computed=fresh,
    )


def data_fingerprint(project_ids: list[int] | None = None) -> tuple:
    """What the results of some projects (every project when ``None``) are computed from, in one query: the
    number of their survey rounds (and of sent ones), of responses, and the newest round, response and
    answer ids.

    Rounds, responses and answers are only ever added (with new, higher ids: a response with its answers, in
    one transaction) or deleted (the count drops; a later addition raises the newest id), and the columns the
    results read are not changed once written (a round's project, title, anonymity, sending time and
    invitation count, a response's scores, an answer), so any change to the data behind the results changes
    this. Names on comments are not covered: they are read afresh (``_refresh_names``).

    Raw SQL: each count or maximum on its own is answered from an index (microseconds on SQLite); the same
    figures as one ORM aggregate scan the tables (milliseconds on the large dataset).
    """
    if project_ids is not None and not project_ids:
        return ("no projects",)
    connection = connections[Survey.objects.db]
    quote = connection.ops.quote_name
    survey, response, answer = (quote(m._meta.db_table) for m in (Survey, Response, Answer))
    pk, sent_at, project, in_survey, in_response = map(
        quote, ("id", "sent_at", "project_id", "survey_id", "response_id")
    )
    # Quoted names of our own tables and columns; the project ids are parameters.
    if project_ids is None:
        rounds, sent, responses, answers = survey, f"{survey} WHERE {sent_at} IS NOT NULL", response, answer
    else:
        rounds = f"{survey} WHERE {project} IN ({', '.join(['%s'] * len(project_ids))})"
        sent = f"{rounds} AND {sent_at} IS NOT NULL"
        responses = f"{response} WHERE {in_survey} IN (SELECT {pk} FROM {rounds})"  # noqa: S608
        answers = f"{answer} WHERE {in_response} IN (SELECT {pk} FROM {responses})"  # noqa: S608
    parts = [
        ("COUNT(*)", rounds),
        (f"MAX({pk})", rounds),
        ("COUNT(*)", sent),
        ("COUNT(*)", responses),
        (f"MAX({pk})", responses),
        (f"MAX({pk})", answers),
    ]
    columns = ", ".join(f"(SELECT {what} FROM {source})" for what, source in parts)  # noqa: S608
    params = [] if project_ids is None else [int(pk) for _part in parts for pk in project_ids]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}", params)
        return tuple(cursor.fetchone())


def cache_key(scope: str, subject_pk: int, project_ids: list[int]) -> str:
    """The key of a scope's cached results: scope, subject, language, and a digest of the projects the user
    may see and the :func:`data_fingerprint` of those projects (one query). The vendor-wide results take
    the fingerprint of every project: cheaper than naming a thousand projects, and a change anywhere at a
    vendor is most likely in its results anyway."""
    fingerprint = data_fingerprint(None if scope == Scope.VENDOR else project_ids)
    source = repr((sorted(project_ids), fingerprint))
    digest = hashlib.sha256(source.encode()).hexdigest()[:32]
    return f"surveys:results:v{CACHE_VERSION}:{scope}:{subject_pk}:{get_language() or 'ja'}:{digest}"


def _compute(*, surveys, periods, period_of, key_of) -> _Computed:
    """The figures, trend and questions of the scope, from the data (a fixed number of queries)."""
    by_key = {period.key: period for period in periods}
    responses = Response.objects.filter(survey__in=surveys).order_by()

    # Anonymous rounds with fewer than 3 responses: counted as received, left out of everything else.
    excluded_ids: list[int] = []
    for row in (
        responses.filter(survey__anonymous=True)
        .annotate(period=period_of())
        .values("survey_id", "period")
        .annotate(n=Count("id"))
        .filter(n__lt=ANONYMITY_MIN)
    ):
        excluded_ids.append(row["survey_id"])
        if (period := by_key.get(key_of(row["period"]))) is not None:
            period.figures.received += row["n"]
    included = responses.exclude(survey_id__in=excluded_ids) if excluded_ids else responses

    # One aggregate per period on the score columns (sums and counts, so the scope's means are exact too).
    aggregates = {"n": Count("id")}
    for measure, column in MEANS.items():
        aggregates[f"{measure}_sum"] = Sum(column)
        aggregates[f"{measure}_n"] = Count(column)
    aggregates["promoters"] = Count("id", filter=Q(nps__gte=stats.PROMOTER_MIN))
    aggregates["passives"] = Count("id", filter=Q(nps__gt=stats.DETRACTOR_MAX, nps__lt=stats.PROMOTER_MIN))
    aggregates["detractors"] = Count("id", filter=Q(nps__lte=stats.DETRACTOR_MAX))
    totals: dict[str, float] = defaultdict(float)
    for row in included.annotate(period=period_of()).values("period").annotate(**aggregates):
        period = by_key.get(key_of(row["period"]))
        if period is None:  # pragma: no cover - every response's round is among the periods
            continue
        figures = period.figures
        figures.received += row["n"]
        figures.included += row["n"]
        for measure in MEANS:
            count, total = row[f"{measure}_n"], row[f"{measure}_sum"]
            figures.means[measure] = _round(total / count) if count else None
            totals[f"{measure}_n"] += count
            totals[f"{measure}_sum"] += total or 0
        figures.nps = stats.nps_from_counts(row["promoters"], row["passives"], row["detractors"])
        for name in ("promoters", "passives", "detractors"):
            totals[name] += row[name]

    summary = Figures(
        received=sum(p.figures.received for p in periods),
        included=sum(p.figures.included for p in periods),
        invited=sum(p.figures.invited for p in periods),
        means={m: _round(totals[f"{m}_sum"] / totals[f"{m}_n"]) if totals[f"{m}_n"] else None for m in MEANS},
        nps=stats.nps_from_counts(
            int(totals["promoters"]), int(totals["passives"]), int(totals["detractors"])
        ),
    )

    _add_changes(periods, included, period_of, key_of)
    return _Computed(
        summary=summary,
        periods=periods,
        questions=_questions(surveys, excluded_ids),
        excluded_ids=excluded_ids,
    )


def _round(value: float) -> float:
    """Two decimals, halves away from zero (1.125 → 1.13), as people round by hand."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _add_changes(periods: list[Period], included, period_of, key_of) -> None:
    """Each period's change since the one before, with the permutation test's verdict (one query)."""
    if len(periods) < 2:
        return
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    columns = list(MEANS.values())
    for period_value, *row in included.annotate(period=period_of()).values_list("period", *columns, "nps"):
        series = values[key_of(period_value)]
        for measure, value in zip(MEANS, row[:-1], strict=True):
            if value is not None:
                series[measure].append(value)
        if row[-1] is not None:
            series["nps"].append(stats.nps_points(row[-1]))
    pairs = list(zip(periods, periods[1:], strict=False))
    p_values = _p_values(
        {
            (current.key, measure): (values[current.key][measure], values[previous.key][measure])
            for previous, current in pairs
            for measure in MEASURES
        }
    )
    for previous, current in pairs:
        for measure in MEASURES:
            change = stats.compare(
                values[current.key][measure],
                values[previous.key][measure],
                value=current.figures.value(measure),
                previous_value=previous.figures.value(measure),
                p_value=lambda _x, _y, key=(current.key, measure): p_values[key],
            )
            if change.delta is not None and measure != "nps":
                change = stats.Change(
                    change.value, change.previous, _round(change.delta), change.p, change.verdict
                )
            current.changes[measure] = change


def _p_key(measures: dict[str, tuple[list[float], list[float]]]) -> str:
    """The cache key of one pair of periods' p-values: the sorted values of each measure on both sides."""
    digest = hashlib.sha256()
    for measure, (x, y) in sorted(measures.items()):
        digest.update(measure.encode())
        digest.update(np.sort(np.asarray(x, dtype=float)).tobytes())
        digest.update(b"|")
        digest.update(np.sort(np.asarray(y, dtype=float)).tobytes())
        digest.update(b";")
    return f"surveys:p:v2:{digest.hexdigest()}"


def _p_values(pairs: dict) -> dict:
    """The p-value of every pair with enough values on both sides (see :func:`stats.compare`).

    ``pairs`` maps (period key, measure) to the values now and before. A p-value depends only on the two
    lists of values, so the p-values of each pair of periods are cached together by their content (``CACHE``:
    a new answer changes only the pairs of periods it is in; one entry per pair of periods, not per measure,
    keeps a thousand projects' entries within the cache's size). The missing ones are computed together, one
    scipy call per pair of group sizes (:func:`stats.permutation_p_many`).
    """
    periods: dict[str, dict] = defaultdict(dict)
    for (period, measure), (x, y) in pairs.items():
        if len(x) >= stats.MIN_VALUES and len(y) >= stats.MIN_VALUES:
            periods[period][measure] = (x, y)
    cache = caches[CACHE]
    cache_keys = {period: _p_key(measures) for period, measures in periods.items()}
    cached = cache.get_many(list(set(cache_keys.values())))
    result = {}
    missing = []
    for period in periods:
        found = cached.get(cache_keys[period])
        if found is None:
            missing.append(period)
        else:
            result.update({(period, measure): p for measure, p in found.items()})
    by_sizes: dict[tuple[int, int], list] = defaultdict(list)
    for period in missing:
        for measure, (x, y) in periods[period].items():
            by_sizes[(len(x), len(y))].append((period, measure))
    for keys in by_sizes.values():
        found = stats.permutation_p_many(
            [periods[period][measure][0] for period, measure in keys],
            [periods[period][measure][1] for period, measure in keys],
        )
        result.update(zip(keys, found, strict=True))
    fresh = {
        cache_keys[period]: {measure: result[(period, measure)] for measure in periods[period]}
        for period in missing
    }
    if fresh:
        cache.set_many(fresh, P_CACHE_SECONDS)
    return result


def _questions(surveys, excluded_ids: list[int]) -> list[QuestionRow]:
    """Per-question means by code (the same code is the same question in every template version)."""
    answers = Answer.objects.filter(
        response__survey__in=surveys, question__kind__in=[QuestionKind.LIKERT, QuestionKind.NPS]
    )
    if excluded_ids:
        answers = answers.exclude(response__survey_id__in=excluded_ids)
    rows = (
        answers.values(
            "question__code",
            "question__category",
            "question__facet",
            "question__kind",
            "question__text_ja",
            "question__text_en",
            "question__template_id",
            "question__position",
        )
        .annotate(
            n=Count("score"),
            total=Sum("score"),
            anonymous=Count("id", filter=Q(response__survey__anonymous=True, score__isnull=False)),
        )
        .order_by()
    )
    english = (get_language() or "ja").startswith("en")
    merged: dict[str, dict] = {}
    for row in rows:
        code = row["question__code"]
        entry = merged.setdefault(code, {"n": 0, "total": 0, "anonymous": 0, "template": -1})
        entry["n"] += row["n"]
        entry["total"] += row["total"] or 0
        entry["anonymous"] += row["anonymous"]
        if row["question__template_id"] > entry["template"]:  # the wording of the newest version
            entry.update(
                template=row["question__template_id"],
                category=row["question__category"],
                facet=row["question__facet"],
                kind=row["question__kind"],
                position=row["question__position"],
                text=(row["question__text_en"] if english and row["question__text_en"] else "")
                or row["question__text_ja"],
            )
    order = {value: index for index, value in enumerate(Category.values)}
    result = []
    for code, entry in sorted(merged.items(), key=lambda item: (order.get(item[1]["category"], 99), item[0])):
        withheld = 0 < entry["anonymous"] < ANONYMITY_MIN
        result.append(
            QuestionRow(
                code=code,
                category=entry["category"],
                facet=entry["facet"],
                kind=entry["kind"],
                text=entry["text"],
                answers=entry["n"],
                mean=None if withheld or not entry["n"] else _round(entry["total"] / entry["n"]),
                withheld=withheld,
            )
        )
    return result


def _comments(surveys, excluded_ids, period_of, key_of, by_key, limit) -> tuple[list[Comment], int]:
    """Free-text answers, newest round first; anonymous ones without name or date, in order of their text."""
    answers = Answer.objects.filter(response__survey__in=surveys, question__kind=QuestionKind.TEXT).exclude(
        text=""
    )
    if excluded_ids:
        answers = answers.exclude(response__survey_id__in=excluded_ids)
    total = answers.count()
    answers = (
        answers.annotate(period=period_of("response__"))
        .select_related("question", "response__respondent", "response__invitation", "response__survey")
        .order_by(
            "-response__survey__sent_at",
            "-response__survey_id",
            Case(
                When(response__survey__anonymous=True, then=F("text")),
                default=Value(""),
                output_field=TextField(),
            ),
            "-response__submitted_at",
            "-id",
        )
    )
    if limit is not None:
        answers = answers[:limit]
    language = get_language() or "ja"
    comments = []
    for answer in answers:
        response = answer.response
        anonymous = response.survey.anonymous
        name = None
        if not anonymous:
            respondent, invitation = response.respondent, response.invitation
            name = _name(
                respondent is not None,
                respondent.display_name if respondent else "",
                invitation is not None,
                invitation.name if invitation else "",
                invitation.email if invitation else "",
            )
        key = key_of(answer.period)
        period = by_key.get(key)
        comments.append(
            Comment(
                period_key=key,
                period_label=period.label if period else "",
                question_code=answer.question.code,
                question_text=answer.question.text_for(language),
                text=answer.text,
                name=name,
                day=None if anonymous else timezone.localtime(response.submitted_at, TOKYO).date(),
                answer_id=answer.pk,
            )
        )
    return comments, total


def _name(
    has_respondent: bool, display_name: str, has_invitation: bool, invitation_name: str, invitation_email: str
) -> str:
    """A named comment's name: the respondent's, else the invitation's name or address, else empty."""
    if has_respondent:
        return display_name
    if has_invitation:
        return invitation_name or invitation_email
    return ""


def _refresh_names(comments: list[Comment]) -> None:
    """Set the names of the named comments (cached ones) as they are now: one query, whatever the comments.

    Names are not part of the data fingerprint: a person may be renamed, or deleted (the invitation's name
    shows then), without any survey data changing.
    """
    named = {comment.answer_id: comment for comment in comments if comment.name is not None}
    # Always the one query, also without named comments (pk 0 matches nothing): a page's query count is fixed.
    rows = Answer.objects.filter(pk__in=list(named) or [0]).values_list(
        "pk",
        "response__respondent_id",
        "response__respondent__display_name",
        "response__invitation_id",
        "response__invitation__name",
        "response__invitation__email",
    )
    for pk, respondent_id, display_name, invitation_id, invitation_name, invitation_email in rows:
        named[pk].name = _name(
            respondent_id is not None,
            display_name or "",
            invitation_id is not None,
            invitation_name or "",
            invitation_email or "",
        )


# --- Words and numbers as the pages, exports and API show them --------------------------------------------


def verdict_label(verdict: str | None) -> str:
    return {
        stats.Verdict.CHANGED: _("changed"),
        stats.Verdict.WITHIN_NOISE: _("within noise"),
        stats.Verdict.TOO_FEW: _("too few answers to tell"),
    }.get(verdict, "")


def format_value(measure: str, value: float | int | None) -> str:
    if value is None:
        return "—"
    if measure == "nps":
        return f"{int(value):+d}" if value else "0"
    return f"{value:.2f}"


def format_delta(measure: str, delta: float | int | None) -> str:
    if delta is None:
        return ""
    if measure == "nps":
        return f"{int(delta):+d}"
    return f"{delta:+.2f}"


def arrow(delta: float | int | None) -> str:
    if delta is None:
        return ""
    return "↑" if delta > 0 else ("↓" if delta < 0 else "→")


@dataclass(frozen=True)
class TrendCell:
    measure: str
    value: str
    delta: str
    arrow: str
    verdict: str  # "" for the first period and for periods not shown
    verdict_label: str
    p: float | None


def trend_cells(period: Period) -> list[TrendCell]:
    """One period's cells of the trend table, measure by measure (in :data:`MEASURES` order)."""
    cells = []
    for measure in MEASURES:
        change = period.changes.get(measure)
        shown = change is not None and not period.figures.withheld
        cells.append(
            TrendCell(
                measure=measure,
                value=format_value(measure, period.figures.value(measure)),
                delta=format_delta(measure, change.delta) if shown else "",
                arrow=arrow(change.delta) if shown else "",
                verdict=str(change.verdict) if shown else "",
                verdict_label=verdict_label(change.verdict) if shown else "",
                p=change.p if shown else None,
            )
        )
    return cells


def scope_label(results: Results) -> str:
    if results.scope == Scope.PROJECT:
        project = results.subject
        return _("Project %(name)s (%(code)s)") % {"name": project.name, "code": project.code}
    if results.scope == Scope.ACCOUNT:
        return _("Account %(name)s: all its projects you can see") % {"name": results.title}
    return _("All projects of %(name)s you can see") % {"name": results.title}


def periods_label(results: Results) -> str:
    if not results.periods:
        return "—"
    first, last = results.periods[0], results.periods[-1]
    if first is last:
        return first.label
    return f"{first.label} – {last.label}"


def trend_points(results: Results):
    """The periods as points of the trend chart (values not shown stay empty)."""
    from .results_charts import TrendPoint

    return [
        TrendPoint(
            label=period.short_label,
            overall=period.figures.means["overall"],
            logical=period.figures.means["logical"],
            emotional=period.figures.means["emotional"],
            nps=period.figures.nps.score,
        )
        for period in results.periods
    ]
