"""Requirements services: numbering, findings, review, approval, baselines and re-approval."""

import pytest
from django.core.exceptions import ValidationError

from shinrai.core.models import AuditEvent
from shinrai.requirements import services
from shinrai.requirements.baselines import content_hash
from shinrai.requirements.models import Baseline, Requirement, Review

from .conftest import CRITERION


def test_numbers_are_per_project_and_never_reused(cast, make_requirement):
    first = make_requirement()
    second = make_requirement()
    services.requirement_withdraw(by=cast.users["vendor_pm"], requirement=second)
    third = make_requirement()
    other = make_requirement(project=cast.other, by=cast.users["vendor_manager"])
    assert [first.ref, second.ref, third.ref, other.ref] == ["REQ-001", "REQ-002", "REQ-003", "REQ-001"]


def test_findings_are_computed_on_save(make_requirement):
    vague = make_requirement("画面は迅速に表示されること")
    assert not vague.is_verifiable
    assert any(f["text"] == "迅速に" for f in vague.findings)
    clear = make_requirement("検索結果は95パーセンタイルで2秒以内に表示すること")
    assert clear.is_verifiable and clear.findings == []


def test_non_functional_needs_a_category(cast, make_requirement):
    with pytest.raises(ValidationError):
        make_requirement(kind="non_functional", category="")
    assert not Requirement.objects.exists()


def test_bad_criterion_writes_nothing(cast, make_requirement):
    with pytest.raises(ValidationError):
        make_requirement(criteria=[CRITERION | {"operator": "between", "threshold_high": ""}])
    assert not Requirement.objects.exists()
    assert not AuditEvent.objects.filter(action="requirement.create").exists()


def test_goal_of_another_project_is_refused(cast, make_requirement):
    other_goal = services.goal_save(
        by=cast.users["vendor_manager"], project=cast.other, title="他", success_definition="他"
    )
    with pytest.raises(ValidationError):
        make_requirement(goal=other_goal)


def test_review_locks_editing_until_withdrawn(cast, make_requirement):
    requirement = make_requirement()
    review = services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    requirement.refresh_from_db()
    assert requirement.status == "in_review"
    with pytest.raises(ValidationError):
        services.requirement_update(by=cast.users["vendor_pm"], requirement=requirement, text="変更")
    with pytest.raises(ValidationError):
        services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    services.review_withdraw(by=cast.users["vendor_pm"], review=review)
    requirement.refresh_from_db()
    assert requirement.status == "draft"
    services.requirement_update(by=cast.users["vendor_pm"], requirement=requirement, text="変更後の要件文")


def test_review_needs_at_least_one_requirement(cast):
    with pytest.raises(ValidationError):
        services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    assert not Review.objects.exists()


def test_approval_creates_an_immutable_hashed_baseline(cast, make_requirement):
    make_requirement()
    make_requirement("帳票をPDFで出力できること")
    review = services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    baseline = services.review_approve(by=cast.users["customer_sponsor"], review=review)
    assert baseline.version == 1
    assert baseline.approved_by == cast.users["customer_sponsor"]
    assert sorted(baseline.content) == ["REQ-001", "REQ-002"]
    assert baseline.content["REQ-001"]["criteria"][0]["threshold"] == "2"
    assert baseline.content_hash == content_hash(baseline.content)
    assert set(Requirement.objects.values_list("status", flat=True)) == {"approved"}
    with pytest.raises(PermissionError):
        baseline.save()
    with pytest.raises(PermissionError):
        Baseline.objects.filter(pk=baseline.pk).update(content={})
    with pytest.raises(ValidationError):
        services.review_approve(by=cast.users["customer_sponsor"], review=review)


def test_change_after_approval_needs_reapproval_and_shows_in_diff(cast, make_requirement):
    from shinrai.requirements import selectors

    requirement = make_requirement("在庫一覧を表示すること")
    review = services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    baseline = services.review_approve(by=cast.users["customer_sponsor"], review=review)
    services.requirement_update(
        by=cast.users["vendor_pm"], requirement=requirement, text="在庫一覧を3秒以内に表示すること"
    )
    requirement.refresh_from_db()
    assert requirement.status == "draft"
    (change,) = selectors.changes_since_baseline(
        user=cast.users["vendor_pm"], project=cast.own, baseline=baseline
    )
    assert change.ref == "REQ-001" and change.kind == "changed"
    assert "".join(s.text for s in change.text_diff if s.op == "added") == "3秒以内に"
    second = services.review_approve(
        by=cast.users["customer_sponsor"],
        review=services.review_submit(by=cast.users["vendor_pm"], project=cast.own),
    )
    assert second.version == 2
    assert (
        selectors.changes_since_baseline(user=cast.users["vendor_pm"], project=cast.own, baseline=second)
        == []
    )


def test_unchanged_update_keeps_approval(cast, make_requirement):
    requirement = make_requirement()
    services.review_approve(
        by=cast.users["customer_sponsor"],
        review=services.review_submit(by=cast.users["vendor_pm"], project=cast.own),
    )
    requirement.refresh_from_db()
    services.requirement_update(
        by=cast.users["vendor_pm"], requirement=requirement, text=requirement.text, criteria=[CRITERION]
    )
    requirement.refresh_from_db()
    assert requirement.status == "approved"


def test_comment_needs_text_and_an_open_review(cast, make_requirement):
    requirement = make_requirement()
    review = services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    with pytest.raises(ValidationError):
        services.review_comment(
            by=cast.users["customer_member"], review=review, requirement=requirement, body="  "
        )
    comment = services.review_comment(
        by=cast.users["customer_member"],
        review=review,
        requirement=requirement,
        body="「在庫」は倉庫別ですか?",
    )
    assert comment.requirement == requirement
    services.review_withdraw(by=cast.users["vendor_pm"], review=review)
    with pytest.raises(ValidationError):
        services.review_comment(
            by=cast.users["customer_member"], review=review, requirement=requirement, body="x"
        )


def test_stakeholder_and_goal_are_audited(cast):
    stakeholder = services.stakeholder_save(
        by=cast.users["vendor_pm"], project=cast.own, name="工場長", category="executive"
    )
    goal = services.goal_save(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="納期回答の迅速化",
        success_definition="当日中に回答",
        measures=[{"metric": "当日回答率", "target": "95%以上", "due_date": None}],
    )
    assert goal.measures.get().target == "95%以上"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"stakeholder.create", "goal.create"} <= actions
    assert not stakeholder.is_heard


def test_unfilled_template_placeholders_are_refused(cast, make_requirement):
    with pytest.raises(ValidationError):
        make_requirement("〇〇画面は95パーセンタイルで△秒以内に表示されること")
    with pytest.raises(ValidationError):
        make_requirement(criteria=[CRITERION | {"threshold": "△"}])
    assert not Requirement.objects.exists()


def test_vendor_only_requirements_stay_out_of_review_and_baseline(cast, make_requirement):
    from shinrai.requirements import selectors

    shared = make_requirement("共有する要件を表示すること")
    internal = make_requirement("社内で検討中の要件であること", visibility="internal")
    baseline = services.review_approve(
        by=cast.users["customer_sponsor"],
        review=services.review_submit(by=cast.users["vendor_pm"], project=cast.own),
    )
    assert list(baseline.content) == [shared.ref]
    internal.refresh_from_db()
    assert internal.status == "draft"
    make_requirement("社内だけの新しい要件であること", visibility="internal")
    assert (
        selectors.changes_since_baseline(
            user=cast.users["customer_sponsor"], project=cast.own, baseline=baseline
        )
        == []
    )
