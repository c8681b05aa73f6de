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

Queries: a fixed number whatever the data size: the survey rounds (or their per-quarter sums), the left-out
anonymous rounds, one aggregate per period on the Response score columns, the per-response values for the
trend test (one query for all periods), one aggregate per question and one page of comments.
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
from django.core.cache import cache
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
    rounds = list(surveys.order_by("sent_at", "id").values("id", "title", "sent_at", "invited_count"))
    periods = [
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
    quarters = (
        surveys.annotate(period=TruncQuarter("sent_at", tzinfo=TOKYO))
        .values("period")
        .annotate(invited=Sum("invited_count"), rounds=Count("id"))
        .order_by("period")
    )
    periods = [
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
        periods=periods,
        period_of=lambda prefix="": TruncQuarter(f"{prefix}survey__sent_at", tzinfo=TOKYO),
        key_of=_quarter_key,
        comment_limit=comment_limit,
    )


def _results(*, scope, title, subject, surveys, periods, period_of, key_of, comment_limit) -> Results:
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
    questions = _questions(surveys, excluded_ids)
    comments, comments_total = _comments(surveys, excluded_ids, period_of, key_of, by_key, comment_limit)
    return Results(
        scope=scope,
        title=title,
        subject=subject,
        summary=summary,
        periods=periods,
        questions=questions,
        comments=comments,
        comments_total=comments_total,
        as_of=timezone.now(),
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


def _p_key(x: list[float], y: list[float]) -> str:
    digest = hashlib.sha256(np.sort(np.asarray(x, dtype=float)).tobytes())
    digest.update(b"|")
    digest.update(np.sort(np.asarray(y, dtype=float)).tobytes())
    return f"surveys:p:v1:{digest.hexdigest()}"


def _p_values(pairs: dict) -> dict:
    """The p-value of every pair with enough values on both sides (see :func:`stats.compare`).

    A p-value depends only on the two lists of values, so it is cached by their content (Django's cache: a
    new answer changes only the pairs it is in). The missing ones are computed together, one scipy call per
    pair of group sizes (:func:`stats.permutation_p_many`).
    """
    testable = {
        key: (x, y)
        for key, (x, y) in pairs.items()
        if len(x) >= stats.MIN_VALUES and len(y) >= stats.MIN_VALUES
    }
    cache_keys = {key: _p_key(x, y) for key, (x, y) in testable.items()}
    cached = cache.get_many(list(set(cache_keys.values())))
    result = {key: cached[cache_key] for key, cache_key in cache_keys.items() if cache_key in cached}
    by_sizes: dict[tuple[int, int], list] = defaultdict(list)
    for key, (x, y) in testable.items():
        if key not in result:
            by_sizes[(len(x), len(y))].append(key)
    fresh = {}
    for keys in by_sizes.values():
        found = stats.permutation_p_many([testable[k][0] for k in keys], [testable[k][1] for k in keys])
        for key, p in zip(keys, found, strict=True):
            result[key] = p
            fresh[cache_keys[key]] = p
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
            if response.respondent is not None:
                name = response.respondent.display_name
            elif response.invitation is not None:
                name = response.invitation.name or response.invitation.email
            else:
                name = ""
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
            )
        )
    return comments, total


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
