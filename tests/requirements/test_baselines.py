"""Baseline hashing and the diff against a baseline (plain module, no database)."""

from shinrai.requirements.baselines import content_hash, diff, word_diff


def _req(text, **extra):
    return {
        "text": text,
        "kind": "functional",
        "category": "",
        "priority": "must",
        "goal": None,
        "criteria": [],
    } | extra


def test_content_hash_is_stable_and_order_independent():
    a = {"REQ-001": _req("A"), "REQ-002": _req("B")}
    b = {"REQ-002": _req("B"), "REQ-001": _req("A")}
    assert content_hash(a) == content_hash(b)
    assert len(content_hash(a)) == 64
    assert content_hash(a) != content_hash({"REQ-001": _req("A")})


def test_diff_reports_added_changed_and_removed():
    baseline = {"REQ-001": _req("在庫を表示すること"), "REQ-002": _req("帳票を出力すること")}
    current = {"REQ-001": _req("在庫を3秒以内に表示すること"), "REQ-003": _req("CSVを取り込むこと")}
    changes = {c.ref: c for c in diff(baseline, current)}
    assert changes["REQ-001"].kind == "changed"
    assert changes["REQ-001"].fields == ["text"]
    assert changes["REQ-002"].kind == "removed"
    assert changes["REQ-003"].kind == "added"


def test_diff_ignores_unchanged_requirements():
    snapshot = {"REQ-001": _req("同じ")}
    assert diff(snapshot, dict(snapshot)) == []


def test_diff_reports_criteria_and_priority_changes():
    old = {"REQ-001": _req("x", criteria=[{"metric": "応答時間", "threshold": "3"}])}
    new = {"REQ-001": _req("x", priority="should", criteria=[{"metric": "応答時間", "threshold": "2"}])}
    (change,) = diff(old, new)
    assert change.fields == ["priority", "criteria"]
    assert change.text_diff == []


def test_word_diff_marks_japanese_words_not_single_characters():
    segments = word_diff("在庫を表示すること", "在庫を3秒以内に表示すること")
    added = "".join(s.text for s in segments if s.op == "added")
    assert added == "3秒以内に"
    assert "".join(s.text for s in segments if s.op != "added") == "在庫を表示すること"


def test_word_diff_english():
    segments = word_diff("The list loads fast", "The list loads within 2 s")
    assert [s.text for s in segments if s.op == "removed"] == ["fast"]
    assert "".join(s.text for s in segments if s.op == "added") == "within 2 s"
