"""Satisfaction surveys: a pulse after reached milestones and a survey after delivery, with answers.

About 10 responses per project on average (DESIGN.md: 10,000 at the large scale), on the shipped templates.
Answers follow the project's health, and for a few customers ("drifting" accounts, see :func:`drifting`) the
emotional answers fall over the last year while the logical ones hold — the pattern the trust dashboard warns
about. One round in five is anonymous (no link from a response to its invitation or person, day-only times).

Nothing is written to the audit log (the survey pages read the surveys themselves).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from shinrai.surveys import scoring
from shinrai.surveys.defaults import ensure_shipped
from shinrai.surveys.models import Answer, Invitation, Question, Response, Survey, SurveyTemplate

from .base import ProjectPlan, Seeder, at_tokyo

MOOD = {"good": 4.2, "shaky": 3.6, "troubled": 3.0}  # the mean 1–5 answer on a healthy relationship
COMMENTS = (
    "報告が毎週定時に届くので安心できた。",
    "課題が出たときの説明が早く、選択肢を示してもらえたのが良かった。",
    "担当者が替わったときの引継ぎが不十分だった。",
    "見積の内訳がわかりやすかった。",
    "専門用語が多く、社内への説明に苦労した。",
    "現場の意見をよく聞いてくれた。",
    "もう少し早く相談してほしかった。",
)


def drifting(s: Seeder, customer_id: int) -> bool:
    """About one customer in seven is drifting away (the same answer for every area that asks)."""
    return s.rng("drifting", customer_id).random() < 0.15


def _templates(
    s: Seeder,
) -> tuple[tuple[SurveyTemplate, list[Question]], tuple[SurveyTemplate, list[Question]]]:
    """(post-delivery, pulse): the shipped templates, the longer one used after delivery."""
    cached = getattr(s, "_survey_templates", None)
    if cached is None:
        ensure_shipped()
        shipped = []
        for template in SurveyTemplate.objects.filter(vendor_org=None, is_current=True).order_by("pk"):
            shipped.append((template, list(template.questions.order_by("position", "pk"))))
        shipped.sort(key=lambda pair: -len(pair[1]))
        cached = (shipped[0], shipped[-1])
        s._survey_templates = cached
    return cached


def _score(rng, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.8))))


def seed_surveys(s: Seeder, plan: ProjectPlan) -> None:
    if not (plan.sponsors or plan.customer_members):
        return
    rng = s.rng("surveys", plan.index)
    (post_template, post_questions), (pulse_template, pulse_questions) = _templates(s)
    reached = [
        m for m in plan.shared.get("milestones", []) if m.actual is not None and m.visibility != "internal"
    ]
    rounds = [(m.actual, "pulse", m) for m in reached[-5:]]
    if plan.kind == "finished" and plan.end < s.today - timedelta(days=7):
        rounds.append((plan.end, "post_delivery", None))
    people = (plan.sponsors + plan.customer_members)[:5]
    drifts = drifting(s, plan.customer_id)
    for day, kind, milestone in rounds:
        sent = at_tokyo(day + timedelta(days=2), 10)
        if sent > s.now:
            continue
        template, questions = (
            (post_template, post_questions)
            if kind == "post_delivery"
            else (
                pulse_template,
                pulse_questions,
            )
        )
        anonymous = rng.random() < 0.2
        survey = s.add(
            Survey(
                project_id=plan.id,
                template_id=template.pk,
                kind=kind,
                milestone_id=milestone.id if milestone else None,
                title=f"{milestone.name} 後のアンケート" if milestone else "プロジェクト完了後アンケート",
                anonymous=anonymous,
                status="closed" if sent < s.now - timedelta(days=14) else "open",
                sent_at=sent,
                closes_at=sent + timedelta(days=14),
                closed_at=sent + timedelta(days=14) if sent < s.now - timedelta(days=14) else None,
                created_by_id=plan.pm,
                created_at=sent,
            )
        )
        # Drifting accounts: feelings fall as the last year goes by, results hold.
        age_days = (s.today - day).days
        fall = max(0.0, (365 - age_days) / 365) * 1.4 if drifts else 0.0
        mean = MOOD[plan.health]
        responses = 0
        for person in people:
            answered = rng.random() < (0.6 if drifts else 0.85) and sent + timedelta(days=1) <= s.now
            responded_at = min(s.now, sent + timedelta(hours=rng.randint(2, 240))) if answered else None
            digest = hashlib.sha256(f"seed:{survey.pk}:{person}".encode()).hexdigest()
            invitation = s.add(
                Invitation(
                    survey_id=survey.pk,
                    recipient_id=person,
                    email=f"user{person}@seed.invalid",
                    token_digest=digest,
                    expires_at=survey.closes_at,
                    sent_at=sent,
                    opened_at=responded_at,
                    responded_at=responded_at,
                    created_at=sent,
                )
            )
            if not answered:
                continue
            responses += 1
            response = s.add(
                Response(
                    survey_id=survey.pk,
                    invitation_id=None if anonymous else invitation.pk,
                    respondent_id=None if anonymous else person,
                    submitted_at=at_tokyo(responded_at.date(), 0) if anonymous else responded_at,
                )
            )
            scored = []
            for question in questions:
                if question.kind == "likert":
                    value = _score(rng, mean - (fall if question.facet == "emotional" else fall / 4))
                    text = ""
                elif question.kind == "nps":
                    value = max(0, min(10, round(rng.gauss((mean - fall) * 2.2 - 0.5, 1.5))))
                    text = ""
                else:
                    value = None
                    text = rng.choice(COMMENTS) if rng.random() < 0.4 else ""
                    if not text:
                        continue
                s.add(Answer(response_id=response.pk, question_id=question.pk, score=value, text=text))
                scored.append(scoring.ScoredAnswer(question.category, question.facet, question.kind, value))
            for field, value in scoring.response_scores(scored).items():
                setattr(response, field, value)
        survey.invited_count = len(people)
        survey.response_count = responses
