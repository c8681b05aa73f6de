"""Acceptance criteria read as sentences in Japanese and English."""

from types import SimpleNamespace

import pytest

from shinrai.requirements.sentences import sentence, sentence_en, sentence_ja


def _criterion(**values):
    base = dict(
        metric="検索応答時間",
        operator="lte",
        threshold="2",
        threshold_high="",
        unit="秒",
        condition="同時利用者300人",
        method="負荷試験",
    )
    return SimpleNamespace(**(base | values))


def test_japanese_sentence():
    assert (
        sentence_ja(_criterion())
        == "同時利用者300人において、検索応答時間が2秒以下であること。測定方法: 負荷試験"
    )


def test_english_sentence():
    c = _criterion(
        metric="search response time", unit="s", condition="300 users are connected", method="load test"
    )
    assert (
        sentence_en(c)
        == "Search response time is at most 2 s when 300 users are connected. Measured by: load test"
    )


@pytest.mark.parametrize(
    ("operator", "ja", "en"),
    [
        ("lt", "2秒未満", "less than 2 秒"),
        ("gte", "2秒以上", "at least 2 秒"),
        ("gt", "2秒を超える値", "more than 2 秒"),
        ("eq", "が2秒であること", "exactly 2 秒"),
    ],
)
def test_operators(operator, ja, en):
    c = _criterion(operator=operator, condition="", method="")
    assert ja in sentence_ja(c)
    assert en in sentence_en(c)


def test_range_and_percent():
    c = _criterion(
        metric="稼働率", operator="between", threshold="99", threshold_high="99.9", unit="%", condition=""
    )
    assert sentence(c, "ja") == "稼働率が99%以上99.9%以下であること。測定方法: 負荷試験"
    assert "between 99% and 99.9%" in sentence(c, "en")
