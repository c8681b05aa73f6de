"""API writes on milestones, tasks and weekly reports: the same services and access rule as the pages."""

from datetime import date, datetime

import pytest
from django.core import mail
from django.utils import translation

from shinrai.core import services as core_services
from shinrai.core.models import AuditEvent, User
from shinrai.progress import report_services, services
from shinrai.progress.models import Milestone, ReportAcknowledgement, ReportComment, Task, WeeklyReport

from .conftest import TOKYO

WEEK = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _english_messages(cast):
    # Messages are compared in English: the API answers in the caller's language, so everyone reads English.
    User.objects.update(language="en")
    with translation.override("en"):
        yield


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def _fields(response):
    assert response.status_code == 422, response.content
    return sorted(str(error["field"]) for error in response.json()["detail"])


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


# --- Milestones ----------------------------------------------------------------------------------------


def test_create_milestone_expects_it_on_the_baseline_date(client, cast, today):
    pm = _as(client, cast, "vendor_pm")
    response = _post(
        pm,
        f"/api/v1/projects/{cast.own.pk}/milestones",
        {
            "name": "要件定義完了",
            "baseline_date": "2026-12-04",
            "criteria": "要件一覧の承認",
            "visibility": "internal",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["baseline_date"], body["forecast_date"], body["actual_date"]) == (
        "要件定義完了",
        "2026-12-04",
        "2026-12-04",
        None,
    )
    assert (body["slip_business_days"], body["late"], body["overdue"], body["visibility"]) == (
        0,
        False,
        False,
        "internal",
    )
    milestone = Milestone.objects.get(pk=body["id"])
    assert (milestone.project, milestone.criteria) == (cast.own, "要件一覧の承認")
    assert AuditEvent.objects.filter(action="milestone.create", object_id=str(milestone.pk)).count() == 1


def test_create_milestone_validates_and_forbids_unknown_fields(client, cast):
    pm = _as(client, cast, "vendor_pm")
    url = f"/api/v1/projects/{cast.own.pk}/milestones"
    assert _fields(_post(pm, url, {"name": ""})) == ["name"]
    assert _fields(_post(pm, url, {"name": "x", "visibility": "everyone"})) == ["visibility"]
    assert _fields(_post(pm, url, {"name": "x", "position": -1})) == ["position"]
    assert _fields(_post(pm, url, {"name": "x", "actual_date": "2026-01-05"})) == ["actual_date"]
    assert _fields(_post(pm, url, {"name": "x", "project_id": cast.other.pk})) == ["project_id"]
    assert not Milestone.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("customer_sponsor", 403),
        ("partner_viewer", 403),
        ("outsider_customer", 404),
        ("other_vendor_manager", 404),
    ],
)
def test_create_milestone_is_for_vendor_roles(client, cast, role, status):
    response = _post(_as(client, cast, role), f"/api/v1/projects/{cast.own.pk}/milestones", {"name": "x"})
    assert response.status_code == status
    assert not Milestone.objects.exists()


def test_moving_the_forecast_needs_a_reason_and_is_audited(client, cast, make_milestone, today):
    milestone = make_milestone("要件定義完了", baseline_date=date(2026, 12, 4))
    pm = _as(client, cast, "vendor_pm")
    url = f"/api/v1/milestones/{milestone.pk}"
    refused = _patch(pm, url, {"forecast_date": "2026-12-09"})
    assert _fields(refused) == ["reason"]
    assert "Say why the forecast date moves" in refused.json()["detail"][0]["message"]
    assert _fields(_patch(pm, url, {"forecast_date": "2026-12-09", "reason": "   "})) == ["reason"]
    milestone.refresh_from_db()
    assert milestone.forecast_date == date(2026, 12, 4)

    response = _patch(pm, url, {"forecast_date": "2026-12-09", "reason": "帳票の追加要望"})
    assert response.status_code == 200, response.content
    body = response.json()
    # Fri 4 Dec → Wed 9 Dec: Mon, Tue, Wed = 3 business days late.
    assert (body["forecast_date"], body["slip_business_days"], body["late"]) == ("2026-12-09", 3, True)
    event = AuditEvent.objects.get(action="milestone.reforecast", object_id=str(milestone.pk))
    assert event.before == {"forecast_date": "2026-12-04"}
    assert event.after == {"forecast_date": "2026-12-09", "slip_business_days": 3, "reason": "帳票の追加要望"}
    # Sending the same forecast again is no move and needs no reason.
    assert _patch(pm, url, {"forecast_date": "2026-12-09", "name": "要件定義 完了"}).status_code == 200


def test_a_first_forecast_needs_no_reason(client, cast, make_milestone):
    milestone = make_milestone("未定", baseline_date=None)
    response = _patch(
        _as(client, cast, "vendor_pm"), f"/api/v1/milestones/{milestone.pk}", {"forecast_date": "2027-01-15"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["forecast_date"] == "2027-01-15"


def test_the_baseline_never_moves(client, cast, make_milestone):
    milestone = make_milestone(baseline_date=date(2026, 12, 4))
    response = _patch(
        _as(client, cast, "vendor_pm"), f"/api/v1/milestones/{milestone.pk}", {"baseline_date": "2026-12-11"}
    )
    assert _fields(response) == ["baseline_date"]
    milestone.refresh_from_db()
    assert milestone.baseline_date == date(2026, 12, 4)


def test_recording_the_actual_date_all_or_nothing(client, cast, make_milestone, today):
    milestone = make_milestone("要件定義完了", baseline_date=date(2026, 11, 18))
    pm = _as(client, cast, "vendor_pm")
    url = f"/api/v1/milestones/{milestone.pk}"
    # A day in the future is refused, and the name sent with it is not saved either.
    assert _fields(_patch(pm, url, {"name": "新しい名前", "actual_date": "2026-11-21"})) == ["actual_date"]
    assert _fields(_patch(pm, url, {"actual_date": None})) == ["actual_date"]
    milestone.refresh_from_db()
    assert (milestone.name, milestone.actual_date) == ("要件定義完了", None)
    response = _patch(pm, url, {"actual_date": "2026-11-19"})
    assert response.status_code == 200, response.content
    # Baseline Wed 18 Nov, reached Thu 19 Nov: one business day late.
    assert (response.json()["actual_date"], response.json()["slip_business_days"]) == ("2026-11-19", 1)
    assert AuditEvent.objects.filter(action="milestone.achieve", object_id=str(milestone.pk)).count() == 1


def test_milestone_patch_refuses_null_texts_and_unknown_fields(client, cast, make_milestone):
    milestone = make_milestone()
    pm = _as(client, cast, "vendor_pm")
    url = f"/api/v1/milestones/{milestone.pk}"
    assert _fields(_patch(pm, url, {"name": None})) == ["name"]
    assert _fields(_patch(pm, url, {"slip_business_days": 0})) == ["slip_business_days"]
    assert _fields(_patch(pm, url, {"project_id": cast.other.pk})) == ["project_id"]


def test_customers_cannot_change_milestones(client, cast, make_milestone):
    shared = make_milestone("要件定義完了")
    internal = make_milestone("社内レビュー", visibility="internal")
    customer = _as(client, cast, "customer_sponsor")
    assert _patch(customer, f"/api/v1/milestones/{shared.pk}", {"visibility": "internal"}).status_code == 403
    assert _patch(customer, f"/api/v1/milestones/{internal.pk}", {"name": "x"}).status_code == 404
    shared.refresh_from_db()
    assert shared.visibility == "customer"
    outsider = _as(client, cast, "outsider_customer")
    assert _patch(outsider, f"/api/v1/milestones/{shared.pk}", {"name": "x"}).status_code == 404


# --- Tasks ---------------------------------------------------------------------------------------------


def test_delete_a_leaf_task(client, cast, make_task):
    parent = make_task("設計")
    first = make_task("画面設計", parent=parent)
    second = make_task("帳票設計", parent=parent)
    pm = _as(client, cast, "vendor_pm")
    assert _fields(pm.delete(f"/api/v1/tasks/{parent.pk}")) == ["None"]  # it has sub-tasks
    response = pm.delete(f"/api/v1/tasks/{first.pk}")
    assert response.status_code == 204
    assert not Task.objects.filter(pk=first.pk).exists()
    second.refresh_from_db()
    assert second.position == 0  # the gap is closed
    assert AuditEvent.objects.get(action="task.delete").before["name"] == "画面設計"


def test_delete_task_is_for_vendor_roles(client, cast, make_task):
    shared = make_task("画面設計")
    internal = make_task("社内", visibility="internal")
    customer = _as(client, cast, "customer_member")
    assert customer.delete(f"/api/v1/tasks/{shared.pk}").status_code == 403
    assert customer.delete(f"/api/v1/tasks/{internal.pk}").status_code == 404
    assert _as(client, cast, "other_vendor_manager").delete(f"/api/v1/tasks/{shared.pk}").status_code == 404
    assert Task.objects.count() == 2


def test_a_personal_token_writes_with_its_owners_rights(client, cast):
    # Tokens carry no scopes yet: a token acts with all the rights of its owner.
    _token, pm_token = core_services.api_token_create(user=cast.users["vendor_pm"], name="ci")
    _token, customer_token = core_services.api_token_create(user=cast.users["customer_sponsor"], name="ci")
    url = f"/api/v1/projects/{cast.own.pk}/milestones"
    created = client.post(
        url, {"name": "受入完了"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {pm_token}"
    )
    assert created.status_code == 201, created.content
    refused = client.post(
        url,
        {"name": "受入完了"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {customer_token}",
    )
    assert refused.status_code == 403
    assert Milestone.objects.count() == 1


# --- Weekly reports ------------------------------------------------------------------------------------


@pytest.fixture
def week_with_a_finished_task(cast, clock, make_task):
    """Thursday 19 Nov: 画面設計 is finished; the report of the week of 16 Nov is written on Friday."""
    clock.set(2026, 11, 19, 15)
    task = make_task("画面設計")
    services.task_update_progress(by=cast.users["vendor_pm"], task=task, status="done")
    clock.set(2026, 11, 20, 17)
    return task


@pytest.fixture
def draft(cast, clock):
    clock.set(2026, 11, 20, 17)
    return report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)


@pytest.fixture
def published(cast, draft):
    return report_services.report_publish(by=cast.users["vendor_pm"], report=draft)


def test_create_report_writes_the_draft_from_the_weeks_changes(client, cast, week_with_a_finished_task):
    pm = _as(client, cast, "vendor_pm")
    url = f"/api/v1/projects/{cast.own.pk}/reports"
    response = _post(pm, url, {"week_start": "2026-11-16"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["week_start"], body["state"], body["version"], body["published_at"]) == (
        "2026-11-16",
        "draft",
        None,
        None,
    )
    assert "画面設計" in body["done"]
    assert WeeklyReport.objects.get(pk=body["id"]).created_by == cast.users["vendor_pm"]
    assert _fields(_post(pm, url, {"week_start": "2026-11-16"})) == ["week_start"]  # one per week
    assert _fields(_post(pm, url, {"week_start": "2026-11-17"})) == ["week_start"]  # not a Monday
    assert _fields(_post(pm, url, {"week_start": "2026-11-23"})) == ["week_start"]  # not begun
    assert _fields(_post(pm, url, {"week_start": "2026-11-09", "state": "published"})) == ["state"]
    assert WeeklyReport.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"), [("customer_sponsor", 403), ("partner_viewer", 404), ("outsider_customer", 404)]
)
def test_create_report_is_for_vendor_roles(client, cast, clock, role, status):
    clock.set(2026, 11, 20, 17)
    response = _post(
        _as(client, cast, role), f"/api/v1/projects/{cast.own.pk}/reports", {"week_start": "2026-11-16"}
    )
    assert response.status_code == status
    assert not WeeklyReport.objects.exists()


def test_patch_edits_a_draft_only(client, cast, draft):
    member = _as(client, cast, "vendor_member")
    url = f"/api/v1/reports/{draft.pk}"
    assert _fields(_patch(member, url, {"status": "amber"})) == ["status_reason"]
    assert _fields(_patch(member, url, {"status": "purple"})) == ["status"]
    response = _patch(
        member, url, {"status": "amber", "status_reason": "帳票の追加要望で1日遅れ", "done": "・画面設計"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["done"]) == ("amber", "・画面設計")
    assert AuditEvent.objects.filter(action="report.update", object_id=str(draft.pk)).count() == 1
    report_services.report_publish(by=cast.users["vendor_pm"], report=draft)
    refused = _patch(member, url, {"done": "・書き換え"})
    assert _fields(refused) == ["None"]
    assert "correction" in refused.json()["detail"][0]["message"]
    draft.refresh_from_db()
    assert draft.done == "・画面設計"


@pytest.mark.parametrize(
    "body",
    [
        {"state": "published"},
        {"version": 1},
        {"published_at": "2026-11-20T17:00:00+09:00"},
        {"published_by_id": 1},
        {"corrects_id": 1},
        {"project_id": 1},
    ],
)
def test_patch_cannot_publish_or_move_a_report(client, cast, draft, body):
    response = _patch(_as(client, cast, "vendor_pm"), f"/api/v1/reports/{draft.pk}", body)
    assert _fields(response) == [next(iter(body))]
    draft.refresh_from_db()
    assert (draft.state, draft.version, draft.published_at, draft.project) == ("draft", None, None, cast.own)


def test_customers_cannot_edit_reports(client, cast, draft):
    customer = _as(client, cast, "customer_sponsor")
    assert _patch(customer, f"/api/v1/reports/{draft.pk}", {"done": "x"}).status_code == 404  # a draft
    report_services.report_publish(by=cast.users["vendor_pm"], report=draft)
    assert _patch(customer, f"/api/v1/reports/{draft.pk}", {"done": "x"}).status_code == 403
    # Even a customer cannot smuggle in a published flag: unknown fields are refused before anything else.
    assert _fields(_patch(customer, f"/api/v1/reports/{draft.pk}", {"state": "draft"})) == ["state"]


def test_publish_through_the_api_tells_the_customer(client, cast, draft, django_capture_on_commit_callbacks):
    url = f"/api/v1/reports/{draft.pk}/publish"
    assert _post(_as(client, cast, "vendor_member"), url).status_code == 403
    assert _post(_as(client, cast, "customer_sponsor"), url).status_code == 404  # drafts are not shown
    pm = _as(client, cast, "vendor_pm")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(pm, url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["version"]) == ("published", 1)
    assert datetime.fromisoformat(body["published_at"]) == datetime(2026, 11, 20, 17, tzinfo=TOKYO)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "customer_member@example.jp",
        "customer_sponsor@example.jp",
    ]
    assert "already" in _post(pm, url).json()["detail"][0]["message"]


def test_corrections_need_a_note(client, cast, published, clock, django_capture_on_commit_callbacks):
    url = f"/api/v1/reports/{published.pk}/corrections"
    pm = _as(client, cast, "vendor_pm")
    assert _fields(_post(pm, url, {"done": "・訂正"})) == ["correction_note"]
    assert _fields(_post(pm, url, {"correction_note": "  ", "done": "・訂正"})) == ["correction_note"]
    assert _fields(_post(pm, url, {"correction_note": "x", "version": 5})) == ["version"]
    assert _post(_as(client, cast, "vendor_member"), url, {"correction_note": "x"}).status_code == 403
    assert _post(_as(client, cast, "customer_sponsor"), url, {"correction_note": "x"}).status_code == 403
    clock.set(2026, 11, 24, 9)
    pm = _as(client, cast, "vendor_pm")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(pm, url, {"correction_note": "完了日を訂正しました", "done": "・訂正後"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["corrects_id"], body["correction_note"], body["done"], body["state"]) == (
        2,
        published.pk,
        "完了日を訂正しました",
        "・訂正後",
        "published",
    )
    assert body["problem"] == published.problem  # fields not sent are copied
    assert len(mail.outbox) == 2
    # Only the latest version can be corrected.
    assert "latest" in _post(pm, url, {"correction_note": "もう一度"}).json()["detail"][0]["message"]


def test_acknowledge_once_per_person(client, cast, published):
    url = f"/api/v1/reports/{published.pk}/acknowledgements"
    customer = _as(client, cast, "customer_member")
    first = _post(customer, url)
    assert first.status_code == 201, first.content
    assert (first.json()["user_name"], first.json()["created"]) == ("customer_member", True)
    again = _post(customer, url)
    assert (again.status_code, again.json()["created"]) == (200, False)
    assert ReportAcknowledgement.objects.filter(report=published).count() == 1
    assert _post(_as(client, cast, "vendor_pm"), url).status_code == 403
    assert _post(_as(client, cast, "partner_viewer"), url).status_code == 404
    reread = _as(client, cast, "customer_sponsor").get(f"/api/v1/reports/{published.pk}")
    assert reread.json()["acknowledgements"] == 1


def test_questions_by_customers_and_answers_by_the_vendor(client, cast, published):
    url = f"/api/v1/reports/{published.pk}/comments"
    customer = _as(client, cast, "customer_sponsor")
    asked = _post(customer, url, {"body": "遅れの理由を教えてください"})
    assert asked.status_code == 201, asked.content
    question = asked.json()
    assert (question["parent_id"], question["author_name"], question["from_vendor"]) == (
        None,
        "customer_sponsor",
        False,
    )
    # A customer asks a new question; they do not answer one.
    assert _fields(_post(customer, url, {"body": "追記", "parent_id": question["id"]})) == ["None"]
    assert _fields(_post(customer, url, {"body": ""})) == ["body"]

    vendor = _as(client, cast, "vendor_member")
    assert _fields(_post(vendor, url, {"body": "回答です"})) == ["None"]  # the vendor answers a question
    assert _fields(_post(vendor, url, {"body": "回答です", "parent_id": 999999})) == ["parent_id"]
    answered = _post(vendor, url, {"body": "帳票の追加要望のためです", "parent_id": question["id"]})
    assert answered.status_code == 201, answered.content
    assert (answered.json()["parent_id"], answered.json()["from_vendor"]) == (question["id"], True)

    thread = _as(client, cast, "customer_member").get(url).json()
    assert thread["count"] == 1
    [item] = thread["items"]
    assert item["body"] == "遅れの理由を教えてください"
    assert [(a["body"], a["author_name"], a["from_vendor"]) for a in item["answers"]] == [
        ("帳票の追加要望のためです", "vendor_member", True)
    ]
    assert ReportComment.objects.count() == 2
    assert _as(client, cast, "partner_viewer").get(url).status_code == 404


def test_no_questions_on_a_draft(client, cast, draft):
    response = _post(_as(client, cast, "vendor_pm"), f"/api/v1/reports/{draft.pk}/comments", {"body": "x"})
    assert _fields(response) == ["None"]
    assert (
        _post(
            _as(client, cast, "customer_sponsor"), f"/api/v1/reports/{draft.pk}/comments", {"body": "x"}
        ).status_code
        == 404
    )


def test_plain_language_findings_for_the_vendor(client, cast, draft):
    report_services.report_update(
        by=cast.users["vendor_pm"],
        report=draft,
        done="・結合テストを開始しました",
        next_action="・UAT（受入テスト）の準備",
    )
    response = _as(client, cast, "vendor_member").get(f"/api/v1/reports/{draft.pk}/plain-language")
    assert response.status_code == 200, response.content
    jargon = [(f["field"], f["text"], f["kind"]) for f in response.json() if f["kind"] != "vague"]
    assert jargon == [("done", "結合テスト", "jargon")]  # UAT is explained in parentheses
    assert response.json()[0]["explanation"] == "testing that separately built parts work together"
    report_services.report_publish(by=cast.users["vendor_pm"], report=draft)
    assert (
        _as(client, cast, "customer_sponsor").get(f"/api/v1/reports/{draft.pk}/plain-language").status_code
        == 403
    )
