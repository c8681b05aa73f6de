"""Answering: the page behind the e-mailed link (no account) and in the portal; token rules; anonymity."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.core.models import AuditEvent
from shinrai.surveys import services
from shinrai.surveys.models import Answer, Invitation, Response, Survey

from ..clock import TOKYO
from .distribution_helpers import PULSE_ANSWERS, send, shipped


@pytest.fixture
def sent(cast, clock, django_capture_on_commit_callbacks):
    survey, tokens = send(cast, django_capture_on_commit_callbacks)
    return survey, tokens["customer_member@example.jp"]


def _url(token: str) -> str:
    return reverse("surveys:answer", args=[token])


def test_the_page_groups_questions_and_labels_the_scale_in_both_languages(client, sent, clock):
    _survey, token = sent
    response = client.get(_url(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('id="cat-B"') < html.index('id="cat-C"') < html.index('id="cat-NPS"')
    assert "Progress and problems are shared with us early and accurately." in html  # invitation: English
    assert "進捗や課題は、早く正確に共有されている。" in html  # the other language below it
    assert "全くそう思わない" in html and "Strongly disagree" in html
    assert html.count('name="q-NPS"') == 11
    assert 'name="q-COMMENT"' in html
    assert 'name="viewport"' in html and "shinrai/survey.css" in html
    assert "anonymous" not in html.lower().split("<form")[0]
    assert response["Referrer-Policy"] == "same-origin"


def test_japanese_invitation_shows_japanese_first(cast, client, clock, django_capture_on_commit_callbacks):
    _survey, tokens = send(cast, django_capture_on_commit_callbacks, extra_emails=("guest@example.com",))
    html = client.get(_url(tokens["guest@example.com"])).content.decode()
    assert '<html lang="ja">' in html
    first_ja = html.index("進捗や課題は、早く正確に共有されている。")
    assert first_ja < html.index("Progress and problems are shared with us early and accurately.")


def test_first_open_is_recorded_once(client, sent, clock):
    _survey, token = sent
    client.get(_url(token))
    first = Invitation.objects.get(email="customer_member@example.jp").opened_at
    assert first == clock.at
    clock.set(2026, 11, 10, 8, 0)
    client.get(_url(token))
    assert Invitation.objects.get(email="customer_member@example.jp").opened_at == first


def test_save_and_continue_later_keeps_a_validated_draft(client, sent):
    _survey, token = sent
    response = client.post(_url(token), {"q-B1": "4", "q-NPS": "7", "q-COMMENT": " 途中 ", "action": "save"})
    assert response.status_code == 302 and response["Location"] == _url(token)
    invitation = Invitation.objects.get(email="customer_member@example.jp")
    assert invitation.draft == {"B1": 4, "NPS": 7, "COMMENT": "途中"}
    assert invitation.responded_at is None and not Response.objects.exists()
    resumed = client.get(_url(token)).content.decode()
    assert 'value="4" checked' in resumed and 'id="q-NPS-7" value="7" checked' in resumed
    assert "途中</textarea>" in resumed
    assert "Your answers are saved." in resumed


def test_a_bad_value_in_a_draft_is_refused_and_nothing_is_stored(client, sent):
    _survey, token = sent
    client.post(_url(token), {"q-B1": "4", "action": "save"})
    response = client.post(_url(token), {"q-B1": "9", "q-B2": "3", "action": "save"})
    assert response.status_code == 200
    assert "Choose one of the values from 1 to 5." in response.content.decode()
    assert Invitation.objects.get(email="customer_member@example.jp").draft == {"B1": 4}


def test_submit_with_missing_answers_shows_each_error_and_keeps_the_answers(client, sent):
    _survey, token = sent
    response = client.post(_url(token), {"q-B1": "4", "q-COMMENT": "よい", "action": "submit"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 questions need your attention. Your other answers are kept." in html
    for code in ("B2", "C1", "NPS"):
        assert f'id="error-{code}"' in html
    assert 'id="error-B1"' not in html and 'id="error-COMMENT"' not in html  # the comment is optional
    assert 'id="q-B1-4" value="4" checked' in html and "よい</textarea>" in html
    assert not Response.objects.exists()
    assert Invitation.objects.get(email="customer_member@example.jp").responded_at is None


def test_submit_records_answers_and_scores_in_one_go(cast, client, sent, clock):
    survey, token = sent
    client.post(_url(token), {"q-B1": "1", "action": "save"})
    response = client.post(_url(token), PULSE_ANSWERS | {"action": "submit"})
    assert response.status_code == 200
    assert "Thank you for your answers" in response.content.decode()
    sheet = Response.objects.get()
    invitation = Invitation.objects.get(email="customer_member@example.jp")
    assert sheet.invitation == invitation and sheet.respondent == cast.users["customer_member"]
    assert sheet.submitted_at == clock.at
    # B1 logical 4, B2 emotional 2, C1 emotional 5:
    # B = 3.0, C = 5.0, logical 4.0, emotional 3.5, overall 11/3.
    assert (sheet.score_a, sheet.score_b, sheet.score_c, sheet.score_d) == (None, 3.0, 5.0, None)
    assert (sheet.score_logical, sheet.score_emotional, sheet.score_overall) == (4.0, 3.5, 3.6667)
    assert sheet.nps == 9
    answers = {a.question.code: (a.score, a.text) for a in Answer.objects.select_related("question")}
    assert answers == {
        "B1": (4, ""),
        "B2": (2, ""),
        "C1": (5, ""),
        "NPS": (9, ""),
        "COMMENT": (None, "毎週の報告が分かりやすい"),
    }
    assert invitation.responded_at == clock.at and invitation.draft == {}
    assert Survey.objects.get(pk=survey.pk).response_count == 1
    assert AuditEvent.objects.get(action="survey.respond").object_id == str(sheet.pk)


def test_a_used_link_answers_410_with_a_thank_you(client, sent):
    _survey, token = sent
    client.post(_url(token), PULSE_ANSWERS | {"action": "submit"})
    for response in (client.get(_url(token)), client.post(_url(token), PULSE_ANSWERS | {"action": "submit"})):
        assert response.status_code == 410
        html = response.content.decode()
        assert "Thank you: your answer is already recorded" in html and 'data-state="answered"' in html
        assert "Traceback" not in html
    assert Response.objects.count() == 1 and Survey.objects.get().response_count == 1


@pytest.mark.parametrize("token", ["x", "garbled-token-" + "a" * 30, "%E3%81%82", "a" * 300])
def test_unknown_or_garbled_tokens_answer_404_with_a_plain_page(client, sent, token):
    response = client.get(f"/s/{token}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This link does not work" in html and 'data-state="unknown"' in html
    assert Invitation.objects.filter(opened_at__isnull=False).count() == 0


def test_expired_link_answers_410(client, sent, clock):
    _survey, token = sent
    client.post(_url(token), {"q-B1": "4", "action": "save"})
    clock.set(2026, 11, 24, 0, 0)  # answers were taken until the end of 2026-11-23
    response = client.get(_url(token))
    assert response.status_code == 410 and "This link has expired" in response.content.decode()
    response = client.post(_url(token), PULSE_ANSWERS | {"action": "submit"})
    assert response.status_code == 410 and not Response.objects.exists()


def test_closed_survey_answers_410(cast, client, sent):
    survey, token = sent
    services.survey_close(by=cast.users["vendor_pm"], survey=survey)
    response = client.post(_url(token), PULSE_ANSWERS | {"action": "submit"})
    assert response.status_code == 410 and "This survey is closed" in response.content.decode()
    assert not Response.objects.exists()


def test_error_pages_say_it_in_both_languages(client, sent):
    html = client.get("/s/nonsense/").content.decode()
    assert '<section lang="ja"' in html and '<section lang="en"' in html


def test_anonymous_answers_are_not_linked_to_anyone(cast, client, clock, django_capture_on_commit_callbacks):
    clock.set(2026, 11, 9, 23, 30)  # late evening in Japan: still 2026-11-09 there, 14:30 UTC
    _survey, tokens = send(cast, django_capture_on_commit_callbacks, anonymous=True)
    token = tokens["customer_member@example.jp"]
    page = client.get(_url(token)).content.decode()
    assert "Your answers are anonymous" in page
    client.post(_url(token), PULSE_ANSWERS | {"action": "submit"})
    sheet = Response.objects.get()
    assert sheet.invitation is None and sheet.respondent is None
    assert sheet.submitted_at == datetime(2026, 11, 9, 0, 0, tzinfo=TOKYO)
    invitation = Invitation.objects.get(email="customer_member@example.jp")
    assert invitation.responded_at == datetime(2026, 11, 9, 0, 0, tzinfo=TOKYO)
    assert not hasattr(invitation, "response") or Response.objects.filter(invitation=invitation).count() == 0
    event = AuditEvent.objects.get(action="survey.respond")
    assert event.actor is None and event.object_type == "surveys.survey" and event.after in ({}, None)
    assert event.at == datetime(2026, 11, 9, 0, 0, tzinfo=TOKYO)
    assert "customer_member" not in str(Response.objects.values().get())


def test_portal_card_lists_open_invitations_and_the_portal_form_answers(
    cast, client, clock, django_capture_on_commit_callbacks
):
    survey, _tokens = send(cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="customer_member@example.jp")
    url = reverse("surveys:portal_answer", args=[cast.own.pk, invitation.pk])
    client.force_login(cast.users["customer_member"])
    portal = client.get(reverse("core:portal_project", args=[cast.own.pk])).content.decode()
    assert 'id="survey-card"' in portal and url in portal and "answer by 2026-11-23" in portal
    assert client.get(url).status_code == 200
    response = client.post(url, PULSE_ANSWERS | {"action": "submit"})
    assert "Thank you for your answers" in response.content.decode()
    assert Response.objects.get().respondent == cast.users["customer_member"]
    portal = client.get(reverse("core:portal_project", args=[cast.own.pk])).content.decode()
    assert 'id="survey-card"' not in portal
    assert client.get(url).status_code == 410


@pytest.mark.parametrize("role", ["customer_sponsor", "vendor_pm", "outsider_customer", "partner_viewer"])
def test_portal_form_is_only_for_the_person_asked(
    cast, client, clock, django_capture_on_commit_callbacks, role
):
    send(cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="customer_member@example.jp")
    client.force_login(cast.users[role])
    assert client.get(reverse("surveys:portal_answer", args=[cast.own.pk, invitation.pk])).status_code == 404
    assert client.post(reverse("surveys:portal_answer", args=[cast.own.pk, invitation.pk])).status_code == 404


def test_portal_form_on_the_wrong_project_is_404(cast, client, clock, django_capture_on_commit_callbacks):
    send(cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="customer_member@example.jp")
    client.force_login(cast.users["customer_member"])
    assert (
        client.get(reverse("surveys:portal_answer", args=[cast.foreign.pk, invitation.pk])).status_code == 404
    )


def _answer_page_queries(client, token) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(token)).status_code == 200
    return len(queries)


def test_answer_page_queries_do_not_grow(cast, client, clock, django_capture_on_commit_callbacks):
    _survey, tokens = send(cast, django_capture_on_commit_callbacks, kind="pulse")
    token = tokens["customer_member@example.jp"]
    client.get(_url(token))  # the first open writes opened_at
    small = _answer_page_queries(client, token)
    # More questions (the long template), more rounds, invitations and answers around it.
    _big, big_tokens = send(
        cast,
        django_capture_on_commit_callbacks,
        kind="post_delivery",
        template=shipped("post_delivery"),
        extra_emails=tuple(f"p{n}@example.com" for n in range(12)),
    )
    for n in range(5):
        client.post(_url(big_tokens[f"p{n}@example.com"]), {"q-A1": "3", "action": "save"})
    big_token = big_tokens["customer_member@example.jp"]
    client.get(_url(big_token))
    assert _answer_page_queries(client, big_token) == small


def test_answers_validate_rules():
    from shinrai.surveys.models import Question

    questions = [
        Question(code="A1", category="A", facet="logical", kind="likert", required=True),
        Question(code="NPS", category="NPS", kind="nps", required=True),
        Question(code="COMMENT", category="COMMENT", kind="text", required=False),
    ]
    answers, errors = services.answers_validate(questions, {"A1": "5", "NPS": 0, "COMMENT": ""}, final=True)
    assert answers == {"A1": 5, "NPS": 0} and errors == {}
    _answers, errors = services.answers_validate(
        questions, {"A1": True, "NPS": 11, "X": 1}, final=True, strict=True
    )
    assert set(errors) == {"A1", "NPS", "X"}
    _answers, errors = services.answers_validate(questions, {"A1": "0", "COMMENT": "x" * 5001}, final=False)
    assert set(errors) == {"A1", "COMMENT"}
    assert services.answers_validate(questions, {}, final=False) == ({}, {})


def test_answer_until_is_inclusive_of_the_last_day(cast, client, clock, django_capture_on_commit_callbacks):
    _survey, tokens = send(cast, django_capture_on_commit_callbacks, answer_until=date(2026, 11, 9))
    clock.set(2026, 11, 9, 23, 59)
    assert client.get(_url(tokens["customer_member@example.jp"])).status_code == 200
