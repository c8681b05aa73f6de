"""Survey results the straightforward way: every row read into Python and counted there, exact fractions.

The reference the results tests compare ``shinrai.surveys.results_selectors`` with (its grouped SQL and its
cache): written from the definitions in docs/SURVEY_RESULTS.md, sharing nothing with the selectors but the
dataclasses they answer with and the permutation test of ``stats`` (``stats.permutation_p``, one pair at a
time). No tests here.

Means are exact (fractions of the stored scores) and rounded half away from zero to two decimals: equal to the
selectors' floats as long as the scores are exact binary fractions (the test data use means of one, two or
four 1–5 answers), whatever order a database adds them in.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from fractions import Fraction
from math import floor
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import get_language

from shinrai.core import access
from shinrai.surveys import stats
from shinrai.surveys.models import Answer, Category, QuestionKind, Response, Survey
from shinrai.surveys.results_selectors import (
    COMMENT_LIMIT,
    MEANS,
    MEASURES,
    Comment,
    Figures,
    Period,
    QuestionRow,
)

TOKYO = ZoneInfo("Asia/Tokyo")


def round2(value: Fraction) -> float:
    """Two decimals, halves away from zero."""
    hundredths = floor(abs(value) * 100 + Fraction(1, 2))
    return float(Fraction(hundredths if value >= 0 else -hundredths, 100))


def _mean(values: list) -> float | None:
    return round2(sum(Fraction(v) for v in values) / len(values)) if values else None


def _nps(answers: list[int]):
    return stats.nps_from_counts(
        sum(a >= 9 for a in answers), sum(7 <= a <= 8 for a in answers), sum(a <= 6 for a in answers)
    )


def _figures(responses: list[Response], received: int, invited: int) -> Figures:
    return Figures(
        received=received,
        included=len(responses),
        invited=invited,
        means={
            m: _mean([getattr(r, c) for r in responses if getattr(r, c) is not None])
            for m, c in MEANS.items()
        },
        nps=_nps([r.nps for r in responses if r.nps is not None]),
    )


def _values(responses: list[Response], measure: str) -> list:
    if measure == "nps":
        return [stats.nps_points(r.nps) for r in responses if r.nps is not None]
    return [getattr(r, MEANS[measure]) for r in responses if getattr(r, MEANS[measure]) is not None]


def _quarter(survey: Survey) -> tuple[int, int]:
    local = timezone.localtime(survey.sent_at, TOKYO)
    return local.year, (local.month - 1) // 3 + 1


def results(*, user, scope: str, subject_pk: int, comment_limit: int | None = COMMENT_LIMIT) -> dict:
    """What the results of ``scope`` ("project", "account", "vendor") show, as :func:`shown` puts it."""
    visible = access.projects_visible_to(user).filter(vendor_org=user.organization_id)
    if scope == "project":
        visible = visible.filter(pk=subject_pk)
    elif scope == "account":
        visible = visible.filter(customer_org=subject_pk)
    surveys = sorted(
        Survey.objects.filter(project__in=list(visible), sent_at__isnull=False),
        key=lambda s: (s.sent_at, s.pk),
    )
    responses = defaultdict(list)
    for response in Response.objects.filter(survey__in=surveys).order_by("pk"):
        responses[response.survey_id].append(response)
    excluded = {s.pk for s in surveys if s.anonymous and 0 < len(responses[s.pk]) < 3}

    # Periods: each round of a project, else quarters (Japan time) of the day sent.
    groups: dict[str, list[Survey]] = {}
    if scope == "project":
        for survey in surveys:
            groups[f"survey-{survey.pk}"] = [survey]
    else:
        for survey in surveys:
            year, quarter = _quarter(survey)
            groups.setdefault(f"{year}-Q{quarter}", []).append(survey)
    periods, included_of = [], {}
    for key, members in groups.items():
        included = [r for s in members if s.pk not in excluded for r in responses[s.pk]]
        figures = _figures(
            included, sum(len(responses[s.pk]) for s in members), sum(s.invited_count for s in members)
        )
        first = members[0]
        if scope == "project":
            local = timezone.localtime(first.sent_at, TOKYO)
            period = Period(
                key=key,
                label=first.title,
                starts=local.date(),
                figures=figures,
                survey_id=first.pk,
                short_label=f"{local:%Y-%m-%d}",
            )
        else:
            year, quarter = _quarter(first)
            label = f"{year} Q{quarter}"  # the tests read the English UI
            period = Period(
                key=key,
                label=label,
                starts=date(year, 3 * quarter - 2, 1),
                figures=figures,
                rounds=len(members),
            )
        periods.append(period)
        included_of[key] = included
    if scope != "project":
        periods.sort(key=lambda p: p.starts)

    for previous, current in zip(periods, periods[1:], strict=False):
        for measure in MEASURES:
            change = stats.compare(
                _values(included_of[current.key], measure),
                _values(included_of[previous.key], measure),
                value=current.figures.value(measure),
                previous_value=previous.figures.value(measure),
                p_value=stats.permutation_p,
            )
            if change.delta is not None and measure != "nps":
                delta = round2(Fraction(str(change.value)) - Fraction(str(change.previous)))
                change = stats.Change(change.value, change.previous, delta, change.p, change.verdict)
            current.changes[measure] = change

    all_included = [r for key in included_of for r in included_of[key]]
    summary = _figures(
        all_included, sum(len(v) for v in responses.values()), sum(s.invited_count for s in surveys)
    )

    answers = list(
        Answer.objects.filter(response__in=all_included).select_related("question", "response__survey")
    )
    english = get_language().startswith("en")
    questions = {}
    for code in {a.question.code for a in answers if a.question.kind != QuestionKind.TEXT}:
        mine = [a for a in answers if a.question.code == code]
        newest = max((a.question for a in mine), key=lambda q: q.template_id)
        scores = [a.score for a in mine if a.score is not None]
        anonymous = sum(a.score is not None and a.response.survey.anonymous for a in mine)
        withheld = 0 < anonymous < 3
        questions[code] = QuestionRow(
            code=code,
            category=newest.category,
            facet=newest.facet,
            kind=newest.kind,
            text=(newest.text_en if english and newest.text_en else "") or newest.text_ja,
            answers=len(scores),
            mean=None if withheld or not scores else round2(Fraction(sum(scores), len(scores))),
            withheld=withheld,
        )
    order = list(Category.values)
    question_rows = sorted(questions.values(), key=lambda q: (order.index(q.category), q.code))

    texts = [a for a in answers if a.question.kind == QuestionKind.TEXT and a.text]
    texts.sort(key=lambda a: (-a.pk,))
    texts.sort(key=lambda a: a.response.submitted_at, reverse=True)
    texts.sort(key=lambda a: a.text if a.response.survey.anonymous else "")
    texts.sort(key=lambda a: (a.response.survey.sent_at, a.response.survey_id), reverse=True)
    key_of = {s.pk: key for key, members in groups.items() for s in members}
    label_of = {p.key: p.label for p in periods}
    comments = []
    for answer in texts if comment_limit is None else texts[:comment_limit]:
        response = Response.objects.select_related("respondent", "invitation", "survey").get(
            pk=answer.response_id
        )
        anonymous = response.survey.anonymous
        if anonymous:
            name = None
        elif response.respondent is not None:
            name = response.respondent.display_name
        elif response.invitation is not None:
            name = response.invitation.name or response.invitation.email
        else:
            name = ""
        key = key_of[response.survey_id]
        comments.append(
            Comment(
                period_key=key,
                period_label=label_of[key],
                question_code=answer.question.code,
                question_text=answer.question.text_for(get_language()),
                text=answer.text,
                name=name,
                day=None if anonymous else timezone.localtime(response.submitted_at, TOKYO).date(),
            )
        )
    return {
        "summary": summary,
        "periods": periods,
        "questions": question_rows,
        "comments": [_comment(c) for c in comments],
        "comments_total": len(texts),
    }


def _comment(c: Comment) -> tuple:
    return (c.period_key, c.period_label, c.question_code, c.question_text, c.text, c.name, c.day)


def shown(results) -> dict:
    """What a ``results_selectors.Results`` shows, in the form :func:`results` answers with."""
    return {
        "summary": results.summary,
        "periods": results.periods,
        "questions": results.questions,
        "comments": [_comment(c) for c in results.comments],
        "comments_total": results.comments_total,
    }
