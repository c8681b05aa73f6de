"""The questionnaires that ship with Shinrai (plain data, no database access).

Migration ``surveys/0002_shipped_templates`` creates one read-only template (``vendor_org`` empty) for each
entry of :data:`SHIPPED_TEMPLATES`; vendors copy them to make their own. The lineage UUIDs are fixed so the
migration (and a later one that ships a new version) can find them again. Question codes (A1 … D3, NPS,
COMMENT) never change meaning: results are compared code by code over time.

Changing this file does not change databases that already ran the migration: ship a new version of a
template with a new data migration instead (old results stay tied to the questions they answered).
"""

from __future__ import annotations

import uuid
from typing import TypedDict


class QuestionData(TypedDict):
    code: str
    category: str  # A, B, C, D, NPS or COMMENT (models.Category)
    facet: str  # logical / emotional for Likert questions, "" otherwise
    kind: str  # likert, nps or text (models.QuestionKind)
    text_ja: str
    text_en: str
    required: bool


class TemplateData(TypedDict):
    lineage: uuid.UUID
    name: str
    description: str
    questions: list[QuestionData]


POST_DELIVERY_LINEAGE = uuid.UUID("6b1f3c2e-5d1a-4f0e-9a57-1c0de5a1a001")
PULSE_LINEAGE = uuid.UUID("6b1f3c2e-5d1a-4f0e-9a57-1c0de5a1a002")


def _likert(code: str, facet: str, text_ja: str, text_en: str) -> QuestionData:
    return {
        "code": code,
        "category": code[0],
        "facet": facet,
        "kind": "likert",
        "text_ja": text_ja,
        "text_en": text_en,
        "required": True,
    }


def _nps(text_ja: str, text_en: str) -> QuestionData:
    return {
        "code": "NPS",
        "category": "NPS",
        "facet": "",
        "kind": "nps",
        "text_ja": text_ja,
        "text_en": text_en,
        "required": True,
    }


def _comment(text_ja: str, text_en: str) -> QuestionData:
    return {
        "code": "COMMENT",
        "category": "COMMENT",
        "facet": "",
        "kind": "text",
        "text_ja": text_ja,
        "text_en": text_en,
        "required": False,
    }


POST_DELIVERY: TemplateData = {
    "lineage": POST_DELIVERY_LINEAGE,
    "name": "顧客満足度調査（納品後） / Satisfaction survey after delivery",
    "description": (
        "納品・検収のあとにお送りする標準の調査です。成果物、体制・スキル・進め方、態度・行動姿勢、"
        "契約プロセスの4分野について、結果（論理的満足）と気持ち（感情的満足）の両方を伺います。"
        " / The standard survey sent after delivery and acceptance: four categories (deliverables; team, "
        "skills and approach; attitude and behaviour; contract process), each asking about the result "
        "(logical satisfaction) and how it felt (emotional satisfaction)."
    ),
    "questions": [
        _likert(
            "A1",
            "logical",
            "成果物は、合意した要件と受入基準を満たしていた。",
            "The deliverables met the requirements and acceptance criteria we agreed on.",
        ),
        _likert(
            "A2",
            "logical",
            "成果物の品質（不具合の少なさ、使いやすさ）に満足している。",
            "We are satisfied with the quality of the deliverables (few defects, easy to use).",
        ),
        _likert(
            "A3",
            "emotional",
            "出来上がったものは、私たちが本当に必要としていたものだと感じる。",
            "What was delivered feels like what we really needed.",
        ),
        _likert(
            "B1",
            "logical",
            "プロジェクトの体制と担当者のスキルは十分だった。",
            "The team and its skills were right for the project.",
        ),
        _likert(
            "B2",
            "logical",
            "進捗や課題は、早く正確に共有されていた。",
            "Progress and problems were shared with us early and accurately.",
        ),
        _likert(
            "B3",
            "emotional",
            "安心して任せられる進め方だった。",
            "The way the work was run let us rely on the team with peace of mind.",
        ),
        _likert(
            "C1",
            "emotional",
            "担当者は、私たちの立場に立って考えてくれた。",
            "The team saw things from our point of view.",
        ),
        _likert(
            "C2",
            "emotional",
            "担当者は相談しやすく、誠実に対応してくれた。",
            "The team was easy to talk to and dealt with us honestly.",
        ),
        _likert(
            "C3",
            "logical",
            "問い合わせや依頼への対応は速かった。",
            "Our questions and requests were answered quickly.",
        ),
        _likert(
            "D1",
            "logical",
            "見積と契約の内容は分かりやすく、納得できるものだった。",
            "The estimate and the contract were clear and reasonable.",
        ),
        _likert(
            "D2",
            "logical",
            "仕様や費用の変更は、事前に説明され、合意してから進められた。",
            "Changes to scope or cost were explained in advance and agreed before the work went ahead.",
        ),
        _likert(
            "D3",
            "emotional",
            "契約や費用の面でも、信頼できる相手だと感じた。",
            "On contract and cost matters too, we felt we could trust the team.",
        ),
        _nps(
            "次の機会にも当社と一緒に仕事をしたい、または知人に当社を勧めたいと思いますか。",
            "How likely are you to work with us again, or to recommend us to a colleague?",
        ),
        _comment(
            "よかった点、改善してほしい点などをご自由にお書きください。",
            "Please tell us what went well and what we should do better.",
        ),
    ],
}

PULSE: TemplateData = {
    "lineage": PULSE_LINEAGE,
    "name": "パルス調査（プロジェクト途中） / Pulse survey during the project",
    "description": (
        "マイルストーンごとなど、プロジェクトの途中でお送りする短い調査です（5問、約2分）。"
        " / A short survey sent during the project, for example after each milestone (5 questions, "
        "about 2 minutes)."
    ),
    "questions": [
        _likert(
            "B1",
            "logical",
            "進捗や課題は、早く正確に共有されている。",
            "Progress and problems are shared with us early and accurately.",
        ),
        _likert(
            "B2",
            "emotional",
            "今の進め方なら、安心して任せられる。",
            "The way the work is run lets us rely on the team with peace of mind.",
        ),
        _likert(
            "C1",
            "emotional",
            "担当者は相談しやすく、誠実に対応してくれる。",
            "The team is easy to talk to and deals with us honestly.",
        ),
        _nps(
            "現時点で、当社を知人に勧めたいと思いますか。",
            "As things stand today, how likely are you to recommend us to a colleague?",
        ),
        _comment(
            "気になっていること、もっとこうしてほしいことがあればお書きください。",
            "Is anything worrying you, or is there anything you would like us to do differently?",
        ),
    ],
}

SHIPPED_TEMPLATES: tuple[TemplateData, ...] = (POST_DELIVERY, PULSE)


def ensure_shipped(template_model=None, question_model=None) -> int:
    """Create the shipped templates that are missing; returns how many were created.

    Called by the data migration (with its historical models) and by the demo and seed loaders (a test
    database flushed between browser tests loses what the migration created).
    """
    if template_model is None:
        from .models import Question, SurveyTemplate

        template_model, question_model = SurveyTemplate, Question
    created = 0
    for data in SHIPPED_TEMPLATES:
        if template_model.objects.filter(lineage=data["lineage"]).exists():
            continue
        template = template_model.objects.create(
            vendor_org=None,
            lineage=data["lineage"],
            version=1,
            is_current=True,
            name=data["name"],
            description=data["description"],
        )
        question_model.objects.bulk_create(
            question_model(template=template, position=position, **question)
            for position, question in enumerate(data["questions"])
        )
        created += 1
    return created
