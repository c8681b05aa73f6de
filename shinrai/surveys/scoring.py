"""Scores of one answer sheet, kept on the Response row (no database access here).

Definitions (docs/SURVEYS.md says the same in words):
- category score: the mean of the 1–5 answers to that category's questions (A, B, C, D);
- logical / emotional score: the mean of the 1–5 answers to the questions tagged with that facet;
- overall score: the mean of every 1–5 answer;
- NPS answer: the 0–10 answer as given (the NPS of a group is computed in ``stats``).
Unanswered questions are left out of every mean; a mean with no answers is None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean

from .models import Category, Facet, QuestionKind


@dataclass(frozen=True)
class ScoredAnswer:
    category: str
    facet: str
    kind: str
    score: int | None


def _mean(values: list[int]) -> float | None:
    return round(fmean(values), 4) if values else None


def response_scores(answers: Iterable[ScoredAnswer]) -> dict[str, float | int | None]:
    """The Response score columns for one sheet, keyed by field name."""
    answers = list(answers)
    likert = [a for a in answers if a.kind == QuestionKind.LIKERT and a.score is not None]
    nps_answers = [a.score for a in answers if a.kind == QuestionKind.NPS and a.score is not None]
    scores: dict[str, float | int | None] = {
        f"score_{category.lower()}": _mean([a.score for a in likert if a.category == category])
        for category in (Category.A, Category.B, Category.C, Category.D)
    }
    scores["score_logical"] = _mean([a.score for a in likert if a.facet == Facet.LOGICAL])
    scores["score_emotional"] = _mean([a.score for a in likert if a.facet == Facet.EMOTIONAL])
    scores["score_overall"] = _mean([a.score for a in likert])
    scores["nps"] = nps_answers[0] if nps_answers else None
    return scores
