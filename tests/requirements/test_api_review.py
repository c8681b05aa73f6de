"""The requirements API for the customer review: sending, withdrawing, commenting, approving (a baseline),
the changes since the baseline, and withdrawing one requirement."""

import pytest

from shinrai.core.models import AuditEvent
from shinrai.requirements import services
from shinrai.requirements.models import Baseline, Requirement, Review, ReviewComment

from ..clock import _english  # noqa: F401 (pytest fixture, used by name)

pytestmark = pytest.mark.usefixtures("_english")

NO_REVIEW = "There is no review open at the moment."
IN_REVIEW = "The requirements are with the customer for review. Withdraw the review to make changes."


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _messages(response) -> list[tuple[str | None, str]]:
    assert response.status_code == 422, response.content
    return [(error["field"], error["message"]) for error in response.json()["detail"]]


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


def _review_url(cast, action=""):
    return f"/api/v1/projects/{cast.own.pk}/requirements/review" + (f"/{action}" if action else "")


def _submit(cast):
    return services.review_submit(by=cast.users["vendor_pm"], project=cast.own, message="ご確認ください")


def _statuses() -> dict[str, str]:
    return dict(Requirement.objects.filter(project__code="OWN-1").values_list("number", "status"))


# --- Sending and withdrawing ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["vendor_pm", "vendor_manager"])
def test_pm_and_manager_send_the_requirements_for_review(client, cast, make_requirement, role):
    make_requirement()
    make_requirement("社内の運用手順を整備すること", visibility="internal")
    response = _post(_as(client, cast, role), _review_url(cast), {"message": "  ご確認ください "})
    assert response.status_code == 201, response.content
    review = Review.objects.get()
    assert response.json() == {
        "id": review.pk,
        "status": "open",
        "submitted_by": role,
        "submitted_at": response.json()["submitted_at"],
        "message": "ご確認ください",
        "decided_at": None,
    }
    # Only what the customer reads goes into review; the vendor-only requirement stays a draft.
    assert _statuses() == {1: "in_review", 2: "draft"}


@pytest.mark.parametrize("role", ["vendor_member", "customer_sponsor", "customer_member", "partner_viewer"])
def test_other_roles_may_not_send_or_withdraw(client, cast, make_requirement, role):
    make_requirement()
    _as(client, cast, role)
    assert _post(client, _review_url(cast)).status_code == 403
    assert not Review.objects.exists()
    review = _submit(cast)
    assert _post(client, _review_url(cast, "withdraw")).status_code == 403
    review.refresh_from_db()
    assert review.status == "open"


def test_sending_twice_or_with_nothing_shared_answers_422(client, cast, make_requirement):
    _as(client, cast, "vendor_pm")
    make_requirement(visibility="internal")
    assert _messages(_post(client, _review_url(cast))) == [
        (None, "Add at least one requirement shared with the customer before asking for a review.")
    ]
    assert not Review.objects.exists()
    make_requirement()
    _submit(cast)
    assert _messages(_post(client, _review_url(cast))) == [(None, IN_REVIEW)]
    assert Review.objects.count() == 1


def test_send_refuses_unknown_fields(client, cast, make_requirement):
    make_requirement()
    response = _post(
        _as(client, cast, "vendor_pm"), _review_url(cast), {"message": "確認", "status": "approved"}
    )
    assert [field for field, _message in _messages(response)] == ["status"]
    assert not Review.objects.exists()


def test_withdraw_the_review(client, cast, make_requirement):
    make_requirement()
    review = _submit(cast)
    response = _post(_as(client, cast, "vendor_pm"), _review_url(cast, "withdraw"))
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["status"]) == (review.pk, "withdrawn")
    assert response.json()["decided_at"] is not None
    assert _statuses() == {1: "draft"}
    # Nothing open any more: withdrawing again says so.
    assert _messages(_post(client, _review_url(cast, "withdraw"))) == [(None, NO_REVIEW)]


def test_everyone_on_the_project_reads_the_open_review(client, cast, make_requirement):
    make_requirement()
    _as(client, cast, "partner_viewer")
    response = client.get(_review_url(cast))
    assert (response.status_code, response.json()) == (200, None)
    review = _submit(cast)
    body = client.get(_review_url(cast)).json()
    assert (body["id"], body["status"], body["message"], body["submitted_by"]) == (
        review.pk,
        "open",
        "ご確認ください",
        "vendor_pm",
    )


def test_another_tenants_review_answers_404(client, cast):
    _as(client, cast, "outsider_customer")
    assert client.get(_review_url(cast)).status_code == 404
    assert _post(client, _review_url(cast, "approve"), {"confirm": True}).status_code == 404


# --- Approval ------------------------------------------------------------------------------------------


def test_the_sponsor_approves_and_a_baseline_is_fixed(client, cast, make_requirement):
    make_requirement()
    make_requirement("帳票をPDFで出力すること")
    review = _submit(cast)
    response = _post(_as(client, cast, "customer_sponsor"), _review_url(cast, "approve"), {"confirm": True})
    assert response.status_code == 201, response.content
    baseline = Baseline.objects.get()
    assert response.json() == {
        "id": baseline.pk,
        "version": 1,
        "approved_by": "customer_sponsor",
        "approved_at": response.json()["approved_at"],
        "content_hash": baseline.content_hash,
        "requirement_count": 2,
    }
    assert sorted(baseline.content) == ["REQ-001", "REQ-002"]
    review.refresh_from_db()
    assert (review.status, review.decided_by) == ("approved", cast.users["customer_sponsor"])
    assert _statuses() == {1: "approved", 2: "approved"}
    assert AuditEvent.objects.filter(action="baseline.approve").count() == 1
    # The review is closed: approving again says so and fixes nothing more.
    assert _messages(_post(client, _review_url(cast, "approve"), {"confirm": True})) == [(None, NO_REVIEW)]
    assert Baseline.objects.count() == 1


@pytest.mark.parametrize("body", [{"confirm": False}, {}, {"confirm": "maybe"}])
def test_approval_needs_the_confirmation(client, cast, make_requirement, body):
    make_requirement()
    _submit(cast)
    response = _post(_as(client, cast, "customer_sponsor"), _review_url(cast, "approve"), body)
    assert [field for field, _message in _messages(response)] == ["confirm"]
    assert not Baseline.objects.exists()
    assert _statuses() == {1: "in_review"}


def test_unconfirmed_approval_is_explained(client, cast, make_requirement):
    make_requirement()
    _submit(cast)
    response = _post(_as(client, cast, "customer_sponsor"), _review_url(cast, "approve"), {"confirm": False})
    assert _messages(response) == [("confirm", "Please confirm that you have read the requirements.")]


@pytest.mark.parametrize("role", ["customer_member", "vendor_pm", "vendor_manager", "partner_viewer"])
def test_only_the_sponsor_approves(client, cast, make_requirement, role):
    make_requirement()
    _submit(cast)
    response = _post(_as(client, cast, role), _review_url(cast, "approve"), {"confirm": True})
    assert response.status_code == 403
    assert not Baseline.objects.exists()
    assert Review.objects.get().status == "open"


def test_approving_without_a_review_answers_422(client, cast, make_requirement):
    make_requirement()
    response = _post(_as(client, cast, "customer_sponsor"), _review_url(cast, "approve"), {"confirm": True})
    assert _messages(response) == [(None, NO_REVIEW)]
    assert not Baseline.objects.exists()


# --- Comments ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["customer_sponsor", "customer_member"])
def test_customers_comment_during_the_review(client, cast, make_requirement, role):
    requirement = make_requirement()
    review = _submit(cast)
    response = _post(
        _as(client, cast, role),
        f"/api/v1/requirements/{requirement.pk}/comments",
        {"body": " 2秒は平均ですか "},
    )
    assert response.status_code == 201, response.content
    comment = ReviewComment.objects.get()
    assert response.json() == {
        "id": comment.pk,
        "requirement_id": requirement.pk,
        "requirement_ref": "REQ-001",
        "review_id": review.pk,
        "author": role,
        "body": "2秒は平均ですか",
        "created_at": response.json()["created_at"],
    }
    assert (comment.author, comment.review) == (cast.users[role], review)


@pytest.mark.parametrize(
    ("role", "status"), [("vendor_pm", 403), ("vendor_member", 403), ("partner_viewer", 404)]
)
def test_vendor_roles_and_partners_do_not_comment(client, cast, make_requirement, role, status):
    requirement = make_requirement()  # shared with the customer, not with partners
    _submit(cast)
    response = _post(
        _as(client, cast, role), f"/api/v1/requirements/{requirement.pk}/comments", {"body": "質問"}
    )
    assert response.status_code == status
    assert not ReviewComment.objects.exists()


def test_comments_need_an_open_review_and_a_body(client, cast, make_requirement):
    requirement = make_requirement()
    url = f"/api/v1/requirements/{requirement.pk}/comments"
    _as(client, cast, "customer_member")
    assert _messages(_post(client, url, {"body": "質問"})) == [(None, NO_REVIEW)]
    _submit(cast)
    assert [field for field, _m in _messages(_post(client, url, {"body": "   "}))] == ["body"]
    assert [field for field, _m in _messages(_post(client, url, {"body": "x" * 4001}))] == ["body"]
    assert not ReviewComment.objects.exists()


def test_a_vendor_only_requirement_cannot_be_commented_by_customers(client, cast, make_requirement):
    make_requirement()
    internal = make_requirement("社内手順を整備すること", visibility="internal")
    _submit(cast)
    url = f"/api/v1/requirements/{internal.pk}/comments"
    assert _post(_as(client, cast, "customer_sponsor"), url, {"body": "質問"}).status_code == 404


def test_comments_are_listed_for_what_the_reader_may_see(client, cast, make_requirement):
    first = make_requirement()
    second = make_requirement("帳票をPDFで出力すること")
    review = _submit(cast)
    sponsor, member = cast.users["customer_sponsor"], cast.users["customer_member"]
    one = services.review_comment(by=sponsor, review=review, requirement=first, body="平均ですか")
    two = services.review_comment(by=member, review=review, requirement=second, body="様式は?")
    url = f"/api/v1/projects/{cast.own.pk}/requirements/comments"
    page = _as(client, cast, "vendor_member").get(url).json()
    assert [(c["id"], c["requirement_ref"], c["author"]) for c in page["items"]] == [
        (one.pk, "REQ-001", "customer_sponsor"),
        (two.pk, "REQ-002", "customer_member"),
    ]
    assert [c["id"] for c in client.get(url, {"requirement_id": second.pk}).json()["items"]] == [two.pk]
    # Later the second requirement becomes vendor-only: its comments leave the customer's list.
    services.review_withdraw(by=cast.users["vendor_pm"], review=review)
    services.requirement_update(by=cast.users["vendor_pm"], requirement=second, visibility="internal")
    page = _as(client, cast, "customer_member").get(url).json()
    assert [c["id"] for c in page["items"]] == [one.pk]
    assert client.get(url, {"requirement_id": 0}).status_code == 422


# --- Changes since the baseline ------------------------------------------------------------------------


def test_changes_since_the_baseline(client, cast, make_requirement):
    changed = make_requirement()
    make_requirement("帳票をPDFで出力すること")
    url = f"/api/v1/projects/{cast.own.pk}/requirements/changes"
    _as(client, cast, "customer_member")
    assert client.get(url).json() == []  # nothing approved yet
    services.review_approve(by=cast.users["customer_sponsor"], review=_submit(cast))
    pm = cast.users["vendor_pm"]
    services.requirement_update(by=pm, requirement=changed, text="在庫一覧を1秒以内に表示すること")
    make_requirement("CSVで取り込めること")
    make_requirement("社内手順を整備すること", visibility="internal")
    changes = client.get(url).json()
    assert [(c["ref"], c["kind"]) for c in changes] == [("REQ-001", "changed"), ("REQ-003", "added")]
    first = changes[0]
    assert first["fields"] == ["text"]
    assert first["text"] == "在庫一覧を1秒以内に表示すること"
    assert {"op": "removed", "text": "2"} in first["text_diff"]
    assert {"op": "added", "text": "1"} in first["text_diff"]
    assert changes[1]["text"] == "CSVで取り込めること"
    # A vendor-only requirement is outside what the customer approves: no change, for the vendor either.
    assert _as(client, cast, "vendor_member").get(url).json() == changes


# --- Withdrawing one requirement -----------------------------------------------------------------------


def test_withdraw_a_requirement(client, cast, make_requirement):
    requirement = make_requirement()
    url = f"/api/v1/requirements/{requirement.pk}/withdraw"
    response = _post(_as(client, cast, "vendor_member"), url)
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["status"]) == (requirement.pk, "withdrawn")
    requirement.refresh_from_db()
    assert requirement.status == "withdrawn"
    # A retry changes nothing: no second audit event, the same updated_at.
    updated_at = requirement.updated_at
    assert _post(client, url).json()["status"] == "withdrawn"
    requirement.refresh_from_db()
    assert requirement.updated_at == updated_at
    assert AuditEvent.objects.filter(action="requirement.withdraw").count() == 1


def test_withdrawing_during_the_review_answers_422(client, cast, make_requirement):
    requirement = make_requirement()
    _submit(cast)
    response = _post(_as(client, cast, "vendor_pm"), f"/api/v1/requirements/{requirement.pk}/withdraw")
    assert _messages(response) == [(None, IN_REVIEW)]
    requirement.refresh_from_db()
    assert requirement.status == "in_review"


@pytest.mark.parametrize(("role", "status"), [("customer_sponsor", 403), ("partner_viewer", 404)])
def test_customers_and_partners_may_not_withdraw_a_requirement(client, cast, make_requirement, role, status):
    requirement = make_requirement()
    response = _post(_as(client, cast, role), f"/api/v1/requirements/{requirement.pk}/withdraw")
    assert response.status_code == status
    requirement.refresh_from_db()
    assert requirement.status == "draft"
