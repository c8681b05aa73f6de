"""Properties of the verifiability checker (shinrai.requirements.verifiability) on any text, Japanese,
English or neither: it never raises, its findings are well formed, and it answers in time linear in the
text's length, including texts made to defeat regular expressions (long runs of one character, nested
brackets, mixed scripts, lone surrogates, 100 KB). Threat: denial of service through input that makes the
checker's regular expressions or context rules super-linear (CWE-1333, CWE-400).

Regressions: a 100 KB requirement of repeated vague words (迅速に…) took 100 s (each finding rescanned its
clause and the text before it); runs of brackets or symbols tried every English term at every position;
a lone surrogate in Japanese text (possible in a JSON string) crashed MeCab and answered 500.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinrai.core import services as core_services
from shinrai.requirements.verifiability import CATEGORIES, check, detect_language, is_verifiable

from .bounds import SECONDS_PER_10_KB, SECONDS_PER_100_KB, examples, within

# Words and marks the checker reacts to, in both languages, and the characters around them that its rules
# look at (clause breaks, brackets, quotes, numbers with units, conditions, purposes, standards).
ATOMS = [
    "迅速に", "速やかに", "など", "等", "約", "約3秒", "程度", "可能な限り", "適宜", "十分な", "使いやすい",
    "上記", "エラーが発生しないこと", "高速化", "契約", "等級", "場合", "とき", "ため、", "により", "できる",
    "毎日", "15分以内に", "1,000件", "ISO 27001", "HTTP 200", "、", "。", "「", "」", "『", "』", "(", ")",
    "（", "）", "【", "】", "“", "”", '"', "ＡＢＣ", "１０秒", "こと", "表示する",
    "fast", "quickly", "faster",
    "user-friendly", "etc.", "as appropriate", "if ", "when ", "no errors", "never fails", "by using",
    "can ", "the necessary KPIs", "Secure", "so that ", "to ", "is ", "The ", "shall ", "100 %",
    "about 3 s", "regularly", "every day", ", and ", "; ", ". ", "\n", " ", "\t", "0", "9", "-", "_",
]  # fmt: skip
# Any character at all, lone surrogates included (a JSON string may carry one).
ANY_CHARACTER = st.characters(exclude_categories=())
TEXT = st.lists(st.one_of(st.sampled_from(ATOMS), st.text(ANY_CHARACTER, max_size=8)), max_size=40).map(
    "".join
)


def well_formed(text: str, findings) -> None:
    previous_end = 0
    for finding in findings:
        assert previous_end <= finding.start < finding.end <= len(text), (finding, text)
        assert finding.category in CATEGORIES
        assert finding.message and finding.suggestion
        assert finding.message_ja and finding.message_en and finding.suggestion_ja and finding.suggestion_en
        previous_end = finding.end


@given(text=TEXT)
def test_check_never_raises_and_its_findings_are_ordered_spans_of_the_text(text):
    findings = check(text)
    well_formed(text, findings)
    assert is_verifiable(text) == (not findings)
    assert detect_language(text) in ("ja", "en")
    assert check(text) == findings  # no state carried from one call to the next


@given(text=st.text(ANY_CHARACTER))
def test_check_never_raises_on_arbitrary_characters(text):
    well_formed(text, check(text))


@given(inner=TEXT.map(lambda text: text.replace("「", "").replace("」", "")))
def test_quoted_text_is_never_checked(inner):
    """Documented: "Quoted text is never checked" — a requirement that is one quotation has no finding."""
    assert check(f"「{inner}」") == []


@given(text=TEXT)
def test_findings_keep_their_offsets_in_a_longer_text(text):
    """A finding's offsets are positions in the text given, also after unrelated text before it."""
    prefix = "画面を表示すること。" if detect_language(text) == "ja" else "The screen is shown. "
    shifted = check(prefix + text)
    for finding in shifted:
        assert (prefix + text)[finding.start : finding.end].strip()


# --- Time ------------------------------------------------------------------------------------------------

PATHOLOGICAL = st.lists(
    st.sampled_from(ATOMS + ["あ", "a", "1,", "((", "「「", "\u202e", "😀"]), min_size=1, max_size=4
)


@examples(fast=20)
@given(parts=PATHOLOGICAL)
def test_check_of_10_kb_is_linear(parts):
    unit = "".join(parts)
    text = unit * (10_000 // len(unit) + 1)
    well_formed(text, within(SECONDS_PER_10_KB, check, text))


@examples(fast=3)
@given(parts=PATHOLOGICAL)
def test_check_of_100_kb_is_bounded(parts):
    unit = "".join(parts)
    text = unit * (100_000 // len(unit) + 1)
    within(SECONDS_PER_100_KB, check, text)


@pytest.mark.parametrize(
    "unit",
    [
        "迅速に",  # 100 s before: every finding rescanned its clause and the whole text before it
        "など、",  # 45 s before
        "速やかにfast約3秒など",  # 29 s before: both scripts, every kind of candidate
        "「",  # 1 s per 50 KB before: every English term tried at every bracket
        "quickly and ",
        "1,",
        "約",  # one finding per character: the most output there can be
    ],
)
def test_check_of_100_kb_regressions(unit):
    text = unit * (100_000 // len(unit))
    within(SECONDS_PER_100_KB, check, text)


def test_a_lone_surrogate_in_japanese_text_is_checked():
    """MeCab reads UTF-8; a JSON string can carry "\\ud800". It crashed the checker (500 from the API)."""
    findings = check("検索結果を迅速に\ud800表示すること")
    assert [(f.start, f.end, f.category) for f in findings] == [(5, 8, "unquantified")]


def test_the_api_checks_text_with_a_lone_surrogate(client, cast):
    _token, clear = core_services.api_token_create(
        user=cast.users["customer_member"], name="t", scope="write"
    )
    response = client.post(
        "/api/v1/verifiability",
        '{"text": "迅速に\\ud800"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {clear}",
    )
    assert response.status_code == 200
    assert [f["category"] for f in response.json()["findings"]] == ["unquantified"]
