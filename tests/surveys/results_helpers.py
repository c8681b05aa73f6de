"""Test data for the results tests, built directly with the models (no services): rounds, invitations…

No tests here; the results test modules import these builders.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from shinrai.surveys import scoring
from shinrai.surveys.models import (
    Answer,
    Category,
    Facet,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyTemplate,
)

TOKYO = ZoneInfo("Asia/Tokyo")
_tokens = itertools.count(1)

#: code, category, facet, kind, Japanese, English
QUESTIONS = [
    (
        "A1",
        Category.A,
        Facet.LOGICAL,
        QuestionKind.LIKERT,
        "成果物の品質に満足している",
        "The deliverables are good",
    ),
    (
        "B1",
        Category.B,
        Facet.EMOTIONAL,
        QuestionKind.LIKERT,
        "安心して任せられた",
        "We felt we could rely on the team",
    ),
    ("C1", Category.C, Facet.EMOTIONAL, QuestionKind.LIKERT, "誠実に対応してくれた", "They were sincere"),
    (
        "D1",
        Category.D,
        Facet.LOGICAL,
        QuestionKind.LIKERT,
        "契約手続きが明確だった",
        "The contract process was clear",
    ),
    ("NPS", Category.NPS, "", QuestionKind.NPS, "当社を勧めますか", "Would you recommend us"),
    ("FREE", Category.COMMENT, "", QuestionKind.TEXT, "ご意見をお聞かせください", "Any comments"),
]


def tokyo(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def make_template(*, vendor=None, version: int = 1, lineage=None, wording: str = "") -> SurveyTemplate:
    fields = {"lineage": lineage} if lineage else {}
    if lineage:
        SurveyTemplate.objects.filter(lineage=lineage).update(is_current=False)
    template = SurveyTemplate.objects.create(vendor_org=vendor, version=version, name="満足度調査", **fields)
    for position, (code, category, facet, kind, ja, en) in enumerate(QUESTIONS):
        Question.objects.create(
            template=template,
            code=code,
            position=position,
            category=category,
            facet=facet,
            kind=kind,
            text_ja=ja + wording,
            text_en=en + wording,
            required=kind != QuestionKind.TEXT,
        )
    return template


def make_round(project, template, *, title: str, sent_at: datetime, anonymous=False, invited=0) -> Survey:
    return Survey.objects.create(
        project=project,
        template=template,
        title=title,
        anonymous=anonymous,
        status=Survey.Status.OPEN,
        sent_at=sent_at,
        invited_count=invited,
    )


def answer(
    survey: Survey,
    *,
    a=None,
    b=None,
    c=None,
    d=None,
    nps=None,
    comment: str = "",
    respondent=None,
    name: str = "",
    at: datetime | None = None,
) -> Response:
    """One submitted sheet: 1–5 answers to A1–D1, the 0–10 answer and a comment; scores via scoring."""
    questions = {q.code: q for q in survey.template.questions.all()}
    given = {"A1": a, "B1": b, "C1": c, "D1": d, "NPS": nps}
    scores = scoring.response_scores(
        scoring.ScoredAnswer(q.category, q.facet, q.kind, given[code])
        for code, q in questions.items()
        if code in given
    )
    invitation = None
    if not survey.anonymous:
        number = next(_tokens)
        invitation = Invitation.objects.create(
            survey=survey,
            recipient=respondent,
            email=f"answer{number}@example.jp",
            name=name,
            token_digest=f"digest-{number}",
            expires_at=tokyo(2030, 1, 1),
            responded_at=at or survey.sent_at,
        )
    response = Response.objects.create(
        survey=survey,
        invitation=invitation,
        respondent=None if survey.anonymous else respondent,
        submitted_at=at or survey.sent_at,
        **scores,
    )
    for code, value in given.items():
        if value is not None:
            Answer.objects.create(response=response, question=questions[code], score=value)
    if comment:
        Answer.objects.create(response=response, question=questions["FREE"], text=comment)
    return response
