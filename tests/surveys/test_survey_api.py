"""The surveys API: templates, rounds, reminders, and answering by token without an account."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.surveys.models import Invitation, Response, Survey, SurveyTemplate

from .distribution_helpers import send, shipped, tokens_by_email


def test_template_list_detail_and_copy(cast, client):
    client.force_login(cast.users["vendor_pm"])
    listing = client.get("/api/v1/survey-templates").json()
    assert listing["count"] == 2
    post = next(t for t in listing["items"] if t["question_count"] == 14)
    assert post["builtin"] is True and post["version"] == 1
    detail = client.get(f"/api/v1/survey-templates/{post['id']}").json()
    assert [q["code"] for q in detail["questions"]][:3] == ["A1", "A2", "A3"]
    assert detail["questions"][0]["facet"] == "logical" and detail["versions"][0]["version"] == 1
    copied = client.post(
        f"/api/v1/survey-templates/{post['id']}/copy", {"name": "当社版"}, content_type="application/json"
    )
    assert copied.status_code == 201
    body = copied.json()
    assert body["name"] == "当社版" and body["builtin"] is False and body["question_count"] == 14
    assert SurveyTemplate.objects.get(pk=body["id"]).vendor_org == cast.vendor
    assert client.get("/api/v1/survey-templates").json()["count"] == 3


def test_template_api_permissions(cast, client):
    client.force_login(cast.users["vendor_pm"])
    own = client.post(
        f"/api/v1/survey-templates/{shipped().pk}/copy", {}, content_type="application/json"
    ).json()
    client.force_login(cast.users["vendor_member"])
    assert client.get(f"/api/v1/survey-templates/{own['id']}").status_code == 200
    assert (
        client.post(
            f"/api/v1/survey-templates/{own['id']}/copy", {}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(cast.users["other_vendor_manager"])
    assert client.get(f"/api/v1/survey-templates/{own['id']}").status_code == 404
    client.force_login(cast.users["customer_sponsor"])
    assert client.get("/api/v1/survey-templates").json()["count"] == 0
    assert client.get(f"/api/v1/survey-templates/{shipped().pk}").status_code == 404


def _payload(cast, **change) -> dict:
    return {
        "template": shipped().pk,
        "kind": "pulse",
        "title": "API からの調査",
        "answer_until": "2026-11-20",
        "recipients": [cast.users["customer_sponsor"].pk],
        "extra_emails": ["guest@example.com", "GUEST@example.com"],
    } | change


def test_create_survey_sends_and_reads_back(cast, client, clock, django_capture_on_commit_callbacks):
    client.force_login(cast.users["vendor_pm"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/projects/{cast.own.pk}/surveys", _payload(cast), content_type="application/json"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["invited_count"] == 2 and body["status"] == "open" and body["kind"] == "pulse"
    assert body["closes_at"].startswith("2026-11-20T15:00:00")  # 2026-11-21 00:00 in Japan
    assert sorted(i["email"] for i in body["invitations"]) == [
        "customer_sponsor@example.jp",
        "guest@example.com",
    ]
    assert "token" not in str(body).lower()
    assert len(mail.outbox) == 2
    listing = client.get(f"/api/v1/projects/{cast.own.pk}/surveys").json()
    assert listing["count"] == 1 and listing["items"][0]["round"] == 1
    detail = client.get(f"/api/v1/surveys/{body['id']}").json()
    assert detail["title"] == "API からの調査" and len(detail["invitations"]) == 2


def test_create_survey_validates_like_the_form(cast, client, clock):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        f"/api/v1/projects/{cast.own.pk}/surveys",
        _payload(cast, extra_emails=["bad@"], recipients=[cast.users["vendor_member"].pk], template=999999),
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["detail"]}
    assert fields == {"template", "recipients"}  # recipients checked first; e-mails after a valid choice
    response = client.post(
        f"/api/v1/projects/{cast.own.pk}/surveys",
        _payload(cast, extra_emails=["bad@"], recipients=[]),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "extra_emails", "message": "These are not valid e-mail addresses: bad@"}
    ]
    assert not Survey.objects.exists()


def test_survey_api_permissions(cast, client, clock, django_capture_on_commit_callbacks):
    survey, _tokens = send(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.users["vendor_member"])
    assert client.get(f"/api/v1/surveys/{survey.pk}").status_code == 200
    assert client.post(f"/api/v1/surveys/{survey.pk}/remind").status_code == 403
    assert (
        client.post(
            f"/api/v1/projects/{cast.own.pk}/surveys", _payload(cast), content_type="application/json"
        ).status_code
        == 403
    )
    for role in ("customer_sponsor", "partner_viewer", "other_vendor_manager"):
        client.force_login(cast.users[role])
        assert client.get(f"/api/v1/surveys/{survey.pk}").status_code == 404
        assert client.post(f"/api/v1/surveys/{survey.pk}/remind").status_code == 404
        assert client.get(f"/api/v1/projects/{cast.own.pk}/surveys").status_code == 404


def test_remind_through_the_api(cast, client, clock, django_capture_on_commit_callbacks):
    survey, tokens = send(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.users["vendor_pm"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/surveys/{survey.pk}/remind").json() == {"reminded": 2}
    old = tokens["customer_member@example.jp"]
    assert client.get(f"/api/v1/survey-answers/{old}").status_code == 404
    new = tokens_by_email()["customer_member@example.jp"]
    assert client.get(f"/api/v1/survey-answers/{new}").status_code == 200


@pytest.fixture
def token(cast, clock, django_capture_on_commit_callbacks):
    _survey, tokens = send(cast, django_capture_on_commit_callbacks)
    return tokens["customer_member@example.jp"]


def test_public_answer_sheet_needs_no_account(client, token):
    response = client.get(f"/api/v1/survey-answers/{token}")
    assert response.status_code == 200
    body = response.json()
    assert [q["code"] for q in body["questions"]] == ["B1", "B2", "C1", "NPS", "COMMENT"]
    assert body["likert_labels"][0] == {"value": 1, "ja": "全くそう思わない", "en": "Strongly disagree"}
    assert body["draft"] == {} and body["answer_until"] == "2026-11-23"
    assert Invitation.objects.get(email="customer_member@example.jp").opened_at is not None


def test_public_answer_save_then_submit(client, token):
    url = f"/api/v1/survey-answers/{token}"
    saved = client.post(url, {"answers": {"B1": 4}, "submit": False}, content_type="application/json")
    assert saved.json() == {"submitted": False, "draft": {"B1": 4}}
    assert client.get(url).json()["draft"] == {"B1": 4}
    missing = client.post(url, {"answers": {"B1": 4}, "submit": True}, content_type="application/json")
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["detail"]} == {"answers.B2", "answers.C1", "answers.NPS"}
    bad = client.post(
        url, {"answers": {"B1": 6, "ZZ": 1, "NPS": True}, "submit": True}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"answers.ZZ"}
    answers = {"B1": 4, "B2": "2", "C1": 5, "NPS": 10, "COMMENT": "ok"}
    done = client.post(url, {"answers": answers, "submit": True}, content_type="application/json")
    assert done.json() == {"submitted": True, "draft": {}}
    assert Response.objects.get().nps == 10
    replay = client.post(url, {"answers": answers, "submit": True}, content_type="application/json")
    # The invitation was written in Japanese, so the public API answers in Japanese.
    assert replay.status_code == 410 and "すでに記録されています" in replay.json()["detail"]
    assert client.get(url).status_code == 410
    assert Response.objects.count() == 1


def test_public_answer_unknown_token_and_bad_values(client, token):
    assert client.get("/api/v1/survey-answers/garbled").status_code == 404
    url = f"/api/v1/survey-answers/{token}"
    bad = client.post(
        url, {"answers": {"B1": 6, "NPS": True}, "submit": False}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"answers.B1", "answers.NPS"}
    assert Invitation.objects.get(email="customer_member@example.jp").draft == {}


def test_survey_list_api_queries_do_not_grow(cast, client, clock, django_capture_on_commit_callbacks):
    client.force_login(cast.users["vendor_pm"])
    send(cast, django_capture_on_commit_callbacks)
    url = f"/api/v1/projects/{cast.own.pk}/surveys"
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(5):
        send(cast, django_capture_on_commit_callbacks, title=f"r{n}", extra_emails=(f"x{n}@example.com",))
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).json()["count"] == 6
    assert len(small) == len(large)
