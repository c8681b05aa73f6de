"""Comparing the steps of two versions: added, removed and renamed, matched by element id."""

from shinrai.flows.bpmn.compare import StepRef, compare_steps

OLD = [StepRef("a", "task", "見積作成"), StepRef("b", "task", "受注登録"), StepRef("c", "endEvent", "")]
NEW = [
    StepRef("a", "task", "見積書作成"),
    StepRef("b", "task", "受注\n登録"),
    StepRef("d", "userTask", "出荷"),
]


def test_added_removed_renamed():
    result = compare_steps(OLD, NEW)
    assert result.added == [StepRef("d", "userTask", "出荷")]
    assert result.removed == [StepRef("c", "endEvent", "")]
    assert result.renamed == [(OLD[0], NEW[0])]
    assert not result.unchanged


def test_whitespace_only_changes_are_not_renames():
    old = [StepRef("a", "task", "Check  order"), StepRef("b", "task", " 受注 ")]
    new = [StepRef("a", "task", "Check\norder"), StepRef("b", "task", "受注")]
    result = compare_steps(old, new)
    assert result.renamed == []
    assert result.unchanged


def test_case_and_character_changes_are_renames():
    result = compare_steps([StepRef("a", "task", "check order")], [StepRef("a", "task", "Check order")])
    assert len(result.renamed) == 1


def test_identical_versions_are_unchanged():
    assert compare_steps(OLD, list(OLD)).unchanged


def test_marks_for_both_sides():
    result = compare_steps(OLD, NEW)
    assert result.marks_for_new() == {"d": "added", "a": "renamed"}
    assert result.marks_for_old() == {"c": "removed", "a": "renamed"}


def test_a_changed_id_is_one_removed_and_one_added():
    result = compare_steps([StepRef("x1", "task", "出荷")], [StepRef("x2", "task", "出荷")])
    assert [s.element_id for s in result.removed] == ["x1"]
    assert [s.element_id for s in result.added] == ["x2"]
    assert result.renamed == []


def test_empty_sides():
    assert compare_steps([], NEW).added == NEW
    assert compare_steps(OLD, []).removed == OLD


def test_a_line_break_inside_japanese_text_is_not_a_rename():
    result = compare_steps([StepRef("a", "task", "受注登録")], [StepRef("a", "task", "受注\n登録")])
    assert result.unchanged
