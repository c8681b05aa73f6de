"""The surveys API does what the pages do: change a template, close a round, answer in the portal."""

from __future__ import annotations

from shinrai.core.models import AuditEvent
from shinrai.surveys import services
from shinrai.surveys.models import Invitation, Question, Response, Survey, SurveyTemplate

from .distribution_helpers import send, shipped

QUESTIONS = [
    {"code": "a1", "kind": "likert", "category": "A", "facet": "logical", "text_ja": "成果物の品質"},
    {"code": "NPS", "kind": "nps", "text_ja": "推奨度", "text_en": "Recommend us?"},
]


def _own_copy(cast) -> SurveyTemplate:
    return services.template_copy(by=cast.users["vendor_pm"], template=shipped(), name="当社版")


def _put(client, template, **change):
    body = {"version": template.version, "name": "当社版 改", "description": "短縮版", "questions": QUESTIONS}
    return client.put(
        f"/api/v1/survey-templates/{template.pk}", body | change, content_type="application/json"
    )


# --- Changing a template ----------------------------------------------------------------------------------


def test_unused_template_is_changed_in_place(cast, client):
    template = _own_copy(cast)
    client.force_login(cast.users["vendor_manager"])
    response = _put(client, template)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == template.pk and body["version"] == 1
    assert body["name"] == "当社版 改" and body["description"] == "短縮版"
    assert [(q["code"], q["category"], q["facet"]) for q in body["questions"]] == [
        ("A1", "A", "logical"),
        ("NPS", "NPS", ""),
    ]
    assert list(Question.objects.filter(template=template).values_list("code", flat=True)) == ["A1", "NPS"]


def test_used_template_becomes_a_new_version(cast, client, clock, django_capture_on_commit_callbacks):
    template = _own_copy(cast)
    send(cast, django_capture_on_commit_callbacks, template=template)
    client.force_login(cast.users["vendor_pm"])
    response = _put(client, template)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] != template.pk and body["version"] == 2 and body["is_current"] is True
    assert [v["version"] for v in body["versions"]] == [2, 1]
    template.refresh_from_db()
    assert template.is_current is False and template.questions.count() == len(shipped().questions.all())
    # The old version is no longer the current one: changing it again would lose the new version's change.
    stale = _put(client, template, name="古い版から")
    assert stale.status_code == 409
    assert stale.json()["detail"] == (
        f"This template is now at version 2 (id {body['id']}). Read it again and redo your change."
    )
    assert SurveyTemplate.objects.get(pk=body["id"]).name == "当社版 改"


def test_template_version_must_be_the_one_read(cast, client):
    template = _own_copy(cast)
    client.force_login(cast.users["vendor_pm"])
    assert _put(client, template, version=2).status_code == 409
    assert SurveyTemplate.objects.get(pk=template.pk).name == "当社版"


def test_template_change_refused_to_readers_and_for_shipped_ones(cast, client):
    template = _own_copy(cast)
    client.force_login(cast.users["vendor_member"])
    assert _put(client, template).status_code == 403
    client.force_login(cast.users["other_vendor_manager"])
    assert _put(client, template).status_code == 404
    client.force_login(cast.users["customer_sponsor"])
    assert _put(client, template).status_code == 404
    client.force_login(cast.users["vendor_pm"])
    refused = _put(client, shipped())
    assert refused.status_code == 403
    assert refused.json()["detail"] == "A template that ships with Shinrai cannot be changed: make a copy."
    assert SurveyTemplate.objects.get(pk=template.pk).name == "当社版"
    assert shipped().name != "当社版 改"


def test_template_change_validates_like_the_page(cast, client):
    template = _own_copy(cast)
    before = list(Question.objects.filter(template=template).values_list("code", flat=True))
    client.force_login(cast.users["vendor_pm"])
    twice = _put(client, template, questions=[QUESTIONS[0], QUESTIONS[0]])
    assert twice.status_code == 422
    assert twice.json()["detail"] == [{"field": None, "message": "Question 2: the code A1 is used twice."}]
    no_facet = _put(client, template, questions=[QUESTIONS[0] | {"facet": ""}])
    assert no_facet.status_code == 422
    assert "logical" in no_facet.json()["detail"][0]["message"]
    assert _put(client, template, questions=[]).status_code == 422
    bad_kind = _put(client, template, questions=[QUESTIONS[0] | {"kind": "stars"}])
    assert bad_kind.status_code == 422 and bad_kind.json()["detail"][0]["field"] == "questions.0.kind"
    assert _put(client, template, name="   ").status_code == 422
    assert _put(client, template, owner=1).status_code == 422
    assert list(Question.objects.filter(template=template).values_list("code", flat=True)) == before
    assert SurveyTemplate.objects.get(pk=template.pk).name == "当社版"


# --- Closing a round --------------------------------------------------------------------------------------


def test_close_a_round(cast, client, clock, django_capture_on_commit_callbacks):
    survey, tokens = send(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.users["vendor_member"])
    assert client.post(f"/api/v1/surveys/{survey.pk}/close").status_code == 403
    client.force_login(cast.users["customer_sponsor"])
    assert client.post(f"/api/v1/surveys/{survey.pk}/close").status_code == 404
    assert Survey.objects.get(pk=survey.pk).status == "open"
    client.force_login(cast.users["vendor_pm"])
    response = client.post(f"/api/v1/surveys/{survey.pk}/close")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed" and body["closed_at"].startswith("2026-11-09T01:00:00")
    assert AuditEvent.objects.filter(action="survey.close").count() == 1
    # its links no longer take answers
    assert client.get(f"/api/v1/survey-answers/{tokens['customer_member@example.jp']}").status_code == 410
    again = client.post(f"/api/v1/surveys/{survey.pk}/close")
    assert again.status_code == 422
    assert again.json()["detail"] == [{"field": None, "message": "This survey is already closed."}]
    assert AuditEvent.objects.filter(action="survey.close").count() == 1


# --- Answering in the portal ------------------------------------------------------------------------------


def _portal(cast, survey, role="customer_member"):
    invitation = Invitation.objects.get(survey=survey, recipient=cast.users[role])
    return f"/api/v1/projects/{cast.own.pk}/survey-invitations/{invitation.pk}", invitation


def test_recipient_lists_and_answers_in_the_portal(cast, client, clock, django_capture_on_commit_callbacks):
    survey, _tokens = send(cast, django_capture_on_commit_callbacks)
    url, invitation = _portal(cast, survey)
    client.force_login(cast.users["customer_member"])
    listed = client.get(f"/api/v1/projects/{cast.own.pk}/survey-invitations").json()
    assert listed["count"] == 1
    assert listed["items"][0] | {"opened_at": None} == {
        "id": invitation.pk,
        "survey": survey.pk,
        "title": "第1回 パルス調査",
        "answer_until": "2026-11-23",
        "opened_at": None,
        "has_draft": False,
    }
    sheet = client.get(url).json()
    assert [q["code"] for q in sheet["questions"]] == ["B1", "B2", "C1", "NPS", "COMMENT"]
    assert Invitation.objects.get(pk=invitation.pk).opened_at is not None
    saved = client.post(url, {"answers": {"B1": 4}}, content_type="application/json")
    assert saved.json() == {"submitted": False, "draft": {"B1": 4}}
    assert client.get(f"/api/v1/projects/{cast.own.pk}/survey-invitations").json()["items"][0]["has_draft"]
    answers = {"B1": 4, "B2": 3, "C1": 5, "NPS": 9, "COMMENT": "分かりやすい"}
    done = client.post(url, {"answers": answers, "submit": True}, content_type="application/json")
    assert done.json() == {"submitted": True, "draft": {}}
    response = Response.objects.get()
    assert response.respondent == cast.users["customer_member"] and response.nps == 9
    # answered: gone from the list, and the form answers 410
    assert client.get(f"/api/v1/projects/{cast.own.pk}/survey-invitations").json()["count"] == 0
    again = client.post(url, {"answers": answers, "submit": True}, content_type="application/json")
    assert again.status_code == 410
    assert again.json()["detail"] == "Thank you: your answer is already recorded."
    assert Response.objects.count() == 1


def test_portal_answer_is_only_for_the_recipient(cast, client, clock, django_capture_on_commit_callbacks):
    survey, _tokens = send(cast, django_capture_on_commit_callbacks)
    url, _invitation = _portal(cast, survey)
    for role in ("customer_sponsor", "vendor_pm", "partner_viewer", "outsider_customer"):
        client.force_login(cast.users[role])
        assert client.get(url).status_code == 404, role
        assert client.post(url, {"answers": {"B1": 4}}, content_type="application/json").status_code == 404
    # the sponsor has an invitation of their own on the same survey, not this one
    client.force_login(cast.users["customer_sponsor"])
    assert client.get(f"/api/v1/projects/{cast.own.pk}/survey-invitations").json()["count"] == 1
    client.force_login(cast.users["vendor_pm"])
    assert client.get(f"/api/v1/projects/{cast.own.pk}/survey-invitations").json()["count"] == 0
    assert Invitation.objects.get(survey=survey, recipient=cast.users["customer_member"]).draft == {}


def test_portal_answer_refuses_bad_values(cast, client, clock, django_capture_on_commit_callbacks):
    survey, _tokens = send(cast, django_capture_on_commit_callbacks)
    url, invitation = _portal(cast, survey)
    client.force_login(cast.users["customer_member"])
    bad = client.post(url, {"answers": {"B1": 6, "ZZ": 1}}, content_type="application/json")
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"answers.ZZ"}
    bad = client.post(url, {"answers": {"B1": 6}}, content_type="application/json")
    assert bad.json()["detail"] == [
        {"field": "answers.B1", "message": "Choose one of the values from 1 to 5."}
    ]
    missing = client.post(url, {"answers": {"B1": 4}, "submit": True}, content_type="application/json")
    assert {e["field"] for e in missing.json()["detail"]} == {"answers.B2", "answers.C1", "answers.NPS"}
    assert Invitation.objects.get(pk=invitation.pk).draft == {} and Response.objects.count() == 0


def test_portal_answer_after_closing_is_gone(cast, client, clock, django_capture_on_commit_callbacks):
    survey, _tokens = send(cast, django_capture_on_commit_callbacks)
    url, _invitation = _portal(cast, survey)
    services.survey_close(by=cast.users["vendor_pm"], survey=survey)
    client.force_login(cast.users["customer_member"])
    gone = client.get(url)
    assert gone.status_code == 410 and gone.json()["detail"] == "This survey is closed."
    assert client.get(f"/api/v1/projects/{cast.own.pk}/survey-invitations").json()["count"] == 0
