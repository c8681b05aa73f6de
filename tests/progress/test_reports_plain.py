"""The plain-language check: jargon and abbreviations without an explanation, and vague wording."""

from shinrai.progress.reports import DEFAULT_TERMS, Term, check_plain

TERMS = [*DEFAULT_TERMS, Term("課題", "解決が必要な問題")]


def _found(text, **kwargs):
    return [(f.text, f.kind) for f in check_plain(text, TERMS, **kwargs)]


def test_jargon_without_an_explanation_is_flagged_with_its_plain_words():
    findings = check_plain("結合テストを開始しました", TERMS)
    assert [(f.start, f.end, f.text, f.kind) for f in findings] == [(0, 5, "結合テスト", "jargon")]
    assert findings[0].explanation == "別々に作った部分をつなげて、正しく連携するかを確かめる試験"


def test_an_explained_term_is_not_flagged_either_way_round():
    assert _found("UAT（お客様による受入テスト）を12/1に開始します") == []
    assert _found("お客様による受入テスト（UAT）を12/1に開始します") == []
    assert _found("UAT (acceptance test by you) starts on 12/1", vague=False) == []


def test_a_term_is_flagged_once_and_not_again_after_its_explanation():
    assert _found("UAT（受入テスト）の準備中。UATの開始は12/1です") == []
    assert _found("デプロイしました。再度デプロイします") == [("デプロイ", "jargon")]


def test_the_longest_term_wins():
    assert _found("課題管理表を更新しました") == [("課題管理表", "jargon")]
    assert _found("課題を1件登録しました") == [("課題", "jargon")]


def test_unknown_capital_abbreviations_are_flagged_known_ones_as_jargon():
    assert _found("PoCの結果、RPAで対応します。APIも追加します", vague=False) == [
        ("RPA", "abbreviation"),
        ("API", "jargon"),
    ]


def test_capitals_inside_longer_words_or_single_letters_are_not_abbreviations():
    assert _found("Shinrai と Excel で A案 を比較しました", vague=False) == []
    assert _found("APIs and DBMS", vague=False) == [("DBMS", "abbreviation")]


def test_vague_wording_comes_from_the_verifiability_checker():
    findings = check_plain("・性能を改善しました\n・必要に応じて適宜対応します", TERMS)
    assert [(f.text, f.kind, f.category) for f in findings] == [
        ("改善", "vague", "comparative"),
        ("必要に応じて", "vague", "loophole"),
        ("適宜", "vague", "vague_time"),
    ]
    assert findings[1].start == len("・性能を改善しました\n・")


def test_plain_text_has_no_findings():
    assert _found("画面の設計が終わりました。来週から帳票の設計を始めます。") == []
