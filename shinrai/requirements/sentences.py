"""Acceptance criteria as readable sentences in Japanese and English (plain module, no database)."""

from __future__ import annotations

from typing import Protocol


class CriterionLike(Protocol):
    metric: str
    operator: str
    threshold: str
    threshold_high: str
    unit: str
    condition: str
    method: str


_JA_OPERATOR = {
    "lte": "{value}以下",
    "lt": "{value}未満",
    "gte": "{value}以上",
    "gt": "{value}を超える値",
    "eq": "{value}",
    "between": "{value}以上{high}以下",
}
_EN_OPERATOR = {
    "lte": "at most {value}",
    "lt": "less than {value}",
    "gte": "at least {value}",
    "gt": "more than {value}",
    "eq": "exactly {value}",
    "between": "between {value} and {high}",
}


def _with_unit(value: str, unit: str, *, space: bool) -> str:
    if not unit:
        return value
    if unit in {"%", "％"}:
        return f"{value}{unit}"
    return f"{value} {unit}" if space else f"{value}{unit}"


def sentence_ja(criterion: CriterionLike) -> str:
    """例: 「同時接続300において、応答時間が2秒以下であること。測定方法: 負荷試験」"""
    value = _with_unit(criterion.threshold, criterion.unit, space=False)
    high = _with_unit(criterion.threshold_high, criterion.unit, space=False)
    bound = _JA_OPERATOR[criterion.operator].format(value=value, high=high)
    condition = f"{criterion.condition}において、" if criterion.condition else ""
    text = f"{condition}{criterion.metric}が{bound}であること。"
    if criterion.method:
        text += f"測定方法: {criterion.method}"
    return text


def sentence_en(criterion: CriterionLike) -> str:
    """E.g. "Response time is at most 2 s when 300 users are connected. Measured by: load test"."""
    value = _with_unit(criterion.threshold, criterion.unit, space=True)
    high = _with_unit(criterion.threshold_high, criterion.unit, space=True)
    bound = _EN_OPERATOR[criterion.operator].format(value=value, high=high)
    metric = criterion.metric[:1].upper() + criterion.metric[1:]
    condition = f" when {criterion.condition}" if criterion.condition else ""
    text = f"{metric} is {bound}{condition}."
    if criterion.method:
        text += f" Measured by: {criterion.method}"
    return text


def sentence(criterion: CriterionLike, language: str) -> str:
    return sentence_ja(criterion) if language.startswith("ja") else sentence_en(criterion)
