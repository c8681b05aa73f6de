"""API: survey results and trends, the same figures as the pages (vendor roles only; anything else is 404).

GET ``/projects/{project_id}/survey-results`` (per survey round),
``/accounts/{customer_id}/survey-results`` and ``/survey-results`` (the vendor, per quarter). Each answers
the summary, the trend series with each measure's change since the period before, its p-value and verdict
(``changed`` / ``within_noise`` / ``too_few``), the per-question means and the newest comments.
Anonymous answers follow the page's rule (groups of 3 or more).
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from . import results_selectors as selectors
from .results_pdf import method_sentence

router = Router(tags=["survey results"])


class NpsOut(Schema):
    score: int | None = Field(
        description="% promoters (9–10) − % detractors (0–6), rounded half away from zero"
    )
    promoters: int
    passives: int
    detractors: int


class FiguresOut(Schema):
    answers: int = Field(description="Responses received, including anonymous ones not shown")
    included: int = Field(description="Responses the figures are made of")
    invited: int
    response_rate: float | None = Field(description="answers / invited, 0–1; null when nobody was invited")
    means: dict[str, float | None] = Field(
        description="overall, logical, emotional, a, b, c, d on the 1–5 scale"
    )
    nps: NpsOut
    not_shown: bool = Field(description="True when all answers are anonymous ones in rounds of fewer than 3")
    anonymous_not_shown: int


class ChangeOut(Schema):
    value: int | float | None = Field(description="NPS: an integer; means: two decimals")
    previous: int | float | None
    delta: int | float | None
    p: float | None = Field(description="Two-sided permutation test on the per-response values")
    verdict: str = Field(description="changed (p < 0.05), within_noise, or too_few (fewer than 3 on a side)")


class PeriodOut(Schema):
    key: str
    label: str
    starts: dt.date
    rounds: int
    survey_id: int | None
    figures: FiguresOut
    changes: dict[str, ChangeOut] = Field(
        description="Per measure, since the period before; empty for the first"
    )


class QuestionOut(Schema):
    code: str
    category: str
    facet: str
    kind: str
    text: str
    answers: int
    mean: float | None
    not_shown: bool


class CommentOut(Schema):
    period_key: str
    period_label: str
    question_code: str
    text: str
    name: str | None = Field(description="null for anonymous answers")
    date: dt.date | None = Field(description="null for anonymous answers")


class ResultsOut(Schema):
    scope: str
    title: str
    as_of: dt.datetime
    method: str
    summary: FiguresOut
    periods: list[PeriodOut]
    questions: list[QuestionOut]
    comments: list[CommentOut]
    comments_total: int


class CommentsQuery(Schema):
    comments: int = Field(
        selectors.COMMENT_LIMIT, ge=0, le=1000, description="How many of the newest comments"
    )


def _figures(f: selectors.Figures) -> dict:
    return {
        "answers": f.received,
        "included": f.included,
        "invited": f.invited,
        "response_rate": None if f.rate is None else round(f.rate, 4),
        "means": dict(f.means),
        "nps": {
            "score": f.nps.score,
            "promoters": f.nps.promoters,
            "passives": f.nps.passives,
            "detractors": f.nps.detractors,
        },
        "not_shown": f.withheld,
        "anonymous_not_shown": f.excluded,
    }


def _out(results: selectors.Results) -> dict:
    return {
        "scope": str(results.scope),
        "title": results.title,
        "as_of": results.as_of,
        "method": method_sentence(),
        "summary": _figures(results.summary),
        "periods": [
            {
                "key": p.key,
                "label": p.label,
                "starts": p.starts,
                "rounds": p.rounds,
                "survey_id": p.survey_id,
                "figures": _figures(p.figures),
                "changes": {
                    measure: {
                        "value": c.value,
                        "previous": c.previous,
                        "delta": c.delta,
                        "p": None if c.p is None else round(c.p, 6),
                        "verdict": str(c.verdict),
                    }
                    for measure, c in p.changes.items()
                },
            }
            for p in results.periods
        ],
        "questions": [
            {
                "code": q.code,
                "category": q.category,
                "facet": q.facet,
                "kind": q.kind,
                "text": q.text,
                "answers": q.answers,
                "mean": q.mean,
                "not_shown": q.withheld,
            }
            for q in results.questions
        ],
        "comments": [
            {
                "period_key": c.period_key,
                "period_label": c.period_label,
                "question_code": c.question_code,
                "text": c.text,
                "name": c.name,
                "date": c.day,
            }
            for c in results.comments
        ],
        "comments_total": results.comments_total,
    }


@router.get(
    "/projects/{int:project_id}/survey-results",
    response=ResultsOut,
    summary="Survey results of a project, round by round (vendor roles)",
)
def project_survey_results(request, project_id: int, query: Query[CommentsQuery]):
    return _out(
        selectors.project_results(user=request.auth, project_pk=project_id, comment_limit=query.comments)
    )


@router.get(
    "/accounts/{int:customer_id}/survey-results",
    response=ResultsOut,
    summary="Survey results of an account (one customer's projects), quarter by quarter (vendor roles)",
)
def account_survey_results(request, customer_id: int, query: Query[CommentsQuery]):
    return _out(
        selectors.account_results(user=request.auth, customer_pk=customer_id, comment_limit=query.comments)
    )


@router.get(
    "/survey-results",
    response=ResultsOut,
    summary="Survey results of every project of your vendor you may see, quarter by quarter (vendor users)",
)
def vendor_survey_results(request, query: Query[CommentsQuery]):
    return _out(selectors.vendor_results(user=request.auth, comment_limit=query.comments))
