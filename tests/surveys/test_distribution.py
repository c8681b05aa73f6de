"""Sending survey rounds: invitations and tokens, e-mails, the project's survey pages, reminders, closing."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.core.models import AuditEvent, Role
from shinrai.surveys import services, tasks
from shinrai.surveys.models import Invitation, Survey, SurveyTemplate
from tests.factories import MilestoneFactory, ProjectMemberFactory, UserFactory

from ..clock import TOKYO
from .distribution_helpers import PULSE_ANSWERS, send, shipped, tokens_by_email


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Sending ------------------------------------------------------------------------------------------------


def test_send_creates_one_invitation_per_person_with_only_the_digest_stored(
    cast, clock, django_capture_on_commit_callbacks
):
    survey, tokens = send(cast, django_capture_on_commit_callbacks)
    invitations = list(Invitation.objects.filter(survey=survey).order_by("email"))
    assert [i.email for i in invitations] == ["customer_member@example.jp", "customer_sponsor@example.jp"]
    assert survey.status == Survey.Status.OPEN
    assert survey.invited_count == 2 and survey.response_count == 0
    assert survey.sent_at == clock.at
    # Answers until the end of 2026-11-23 in Japan.
    assert survey.closes_at == datetime(2026, 11, 24, 0, 0, tzinfo=TOKYO)
    for invitation in invitations:
        token = tokens[invitation.email]
        assert len(token) == 43  # secrets.token_urlsafe(32)
        assert invitation.token_digest == _digest(token)
        assert invitation.expires_at == survey.closes_at
        assert invitation.sent_at == clock.at
        # The clear token is nowhere in the row.
        assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert invitations[0].recipient == cast.users["customer_member"]
    assert AuditEvent.objects.filter(action="survey.send", object_id=str(survey.pk)).count() == 1


def test_each_person_gets_a_mail_in_their_language_with_a_working_link(
    cast, clock, client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://shinrai.example.jp"
    sponsor = cast.users["customer_sponsor"]
    sponsor.language = "ja"
    sponsor.save(update_fields=["language"])
    survey, tokens = send(cast, django_capture_on_commit_callbacks, extra_emails=("guest@example.com",))
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"customer_sponsor@example.jp", "customer_member@example.jp", "guest@example.com"}
    japanese, english = by_to["customer_sponsor@example.jp"], by_to["customer_member@example.jp"]
    assert "Please answer our survey" in english.subject and "第1回 パルス調査" in english.subject
    assert "2026-11-23" in english.body
    link = f"https://shinrai.example.jp/s/{tokens['customer_sponsor@example.jp']}/"
    assert link in japanese.body
    assert Invitation.objects.get(email="guest@example.com").language == "ja"  # no account: Japanese
    assert Invitation.objects.get(email="customer_member@example.jp").language == "en"
    page = client.get(link.removeprefix("https://shinrai.example.jp"))
    assert page.status_code == 200
    assert "第1回 パルス調査" in page.content.decode()


def test_duplicate_addresses_are_merged(cast, clock, django_capture_on_commit_callbacks):
    survey, tokens = send(
        cast,
        django_capture_on_commit_callbacks,
        people=("customer_sponsor",),
        extra_emails=("Customer_Sponsor@Example.jp", "x@example.com", "X@example.com"),
    )
    assert survey.invited_count == 2
    assert sorted(Invitation.objects.filter(survey=survey).values_list("email", flat=True)) == [
        "customer_sponsor@example.jp",
        "x@example.com",
    ]
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"extra_emails": ["not-an-address"]}, "extra_emails"),
        ({"recipients": []}, "recipients"),
        ({"title": "  "}, "title"),
        ({"answer_until": date(2026, 11, 8)}, "answer_until"),
        ({"kind": "weekly"}, "kind"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_sent(
    cast, clock, django_capture_on_commit_callbacks, change, field
):
    arguments = {
        "by": cast.users["vendor_pm"],
        "project": cast.own,
        "template": shipped(),
        "kind": "pulse",
        "title": "t",
        "answer_until": date(2026, 11, 23),
        "recipients": [cast.users["customer_sponsor"]],
    } | change
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as raised:
        services.survey_send(**arguments)
    assert field in raised.value.message_dict
    assert not Survey.objects.exists() and not Invitation.objects.exists() and mail.outbox == []


def test_templates_and_milestones_of_others_and_vendor_people_are_refused(
    cast, clock, django_capture_on_commit_callbacks
):
    foreign_template = services.template_copy(by=cast.users["other_vendor_manager"], template=shipped())
    foreign_milestone = MilestoneFactory(project=cast.other)
    with pytest.raises(ValidationError) as raised:
        services.survey_send(
            by=cast.users["vendor_pm"],
            project=cast.own,
            template=foreign_template,
            kind="pulse",
            title="t",
            answer_until=date(2026, 11, 23),
            milestone=foreign_milestone,
            recipients=[cast.users["vendor_member"]],
        )
    assert set(raised.value.message_dict) == {"template", "milestone", "recipients"}
    assert not Survey.objects.exists()


def test_an_old_template_version_cannot_be_sent(cast, clock, django_capture_on_commit_callbacks):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    send(cast, django_capture_on_commit_callbacks, template=own)
    newer = services.template_update(
        by=cast.users["vendor_pm"],
        template=own,
        name="v2",
        questions=[{"code": "NPS", "category": "NPS", "kind": "nps", "text_ja": "勧めますか"}],
    )
    assert newer.version == 2
    with pytest.raises(ValidationError, match="templates offered"):
        send(cast, django_capture_on_commit_callbacks, template=SurveyTemplate.objects.get(pk=own.pk))


# --- Pages --------------------------------------------------------------------------------------------------


def _form(cast, **change) -> dict:
    return {
        "template": shipped().pk,
        "kind": "pulse",
        "milestone": "",
        "title": "要件定義後のアンケート",
        "answer_until": "2026-11-20",
        "recipients": [cast.users["customer_sponsor"].pk, cast.users["customer_member"].pk],
        "extra_emails": "a@example.com, b@example.com\nA@example.com",
    } | change


def test_new_survey_page_sends_and_shows_the_round(cast, clock, client, django_capture_on_commit_callbacks):
    client.force_login(cast.users["vendor_pm"])
    url = reverse("surveys:new", args=[cast.own.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="2026-11-23"' in html  # default: 14 days from today
    assert "customer_sponsor@example.jp" in html and "vendor_member@example.jp" not in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form(cast))
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:detail", args=[cast.own.pk, survey.pk])
    assert survey.invited_count == 4 and len(mail.outbox) == 4
    detail = client.get(response["Location"]).content.decode()
    assert "a@example.com" in detail and "data-rate>0/4<" in detail
    listing = client.get(reverse("surveys:list", args=[cast.own.pk])).content.decode()
    assert "要件定義後のアンケート" in listing and "0/4" in listing


def test_new_survey_page_shows_errors_and_stores_nothing(cast, clock, client):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("surveys:new", args=[cast.own.pk]),
        _form(cast, recipients=[], extra_emails="nobody@", title=""),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "These are not valid e-mail addresses: nobody@" in html
    assert "This field is required." in html
    assert not Survey.objects.exists() and mail.outbox == []


def test_reached_milestones_without_a_pulse_are_suggested_with_a_prefilled_form(
    cast, clock, client, django_capture_on_commit_callbacks
):
    reached = MilestoneFactory(project=cast.own, name="要件定義完了", actual_date=date(2026, 11, 6))
    MilestoneFactory(project=cast.own, name="設計完了")  # not reached
    client.force_login(cast.users["vendor_pm"])
    listing = client.get(reverse("surveys:list", args=[cast.own.pk])).content.decode()
    assert "要件定義完了" in listing and "設計完了" not in listing
    prefilled = client.get(
        reverse("surveys:new", args=[cast.own.pk]), {"kind": "pulse", "milestone": reached.pk}
    )
    form = prefilled.context["form"]
    assert form.initial["milestone"] == reached.pk
    assert form.initial["template"] == shipped("pulse").pk
    assert "要件定義完了" in form.initial["title"]
    assert set(form.initial["recipients"]) == {
        cast.users["customer_sponsor"].pk,
        cast.users["customer_member"].pk,
    }
    send(cast, django_capture_on_commit_callbacks, milestone=reached)
    listing = client.get(reverse("surveys:list", args=[cast.own.pk])).content.decode()
    assert 'id="suggestions"' not in listing


def test_vendor_members_read_but_do_not_send(cast, clock, client, django_capture_on_commit_callbacks):
    survey, _tokens = send(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.users["vendor_member"])
    assert client.get(reverse("surveys:list", args=[cast.own.pk])).status_code == 200
    assert client.get(reverse("surveys:detail", args=[cast.own.pk, survey.pk])).status_code == 200
    assert client.get(reverse("surveys:new", args=[cast.own.pk])).status_code == 404
    assert client.post(reverse("surveys:remind", args=[cast.own.pk, survey.pk])).status_code == 404
    assert client.post(reverse("surveys:close", args=[cast.own.pk, survey.pk])).status_code == 404
    client.force_login(cast.users["customer_sponsor"])
    assert client.get(reverse("surveys:list", args=[cast.own.pk])).status_code == 404
    assert client.get(reverse("surveys:detail", args=[cast.own.pk, survey.pk])).status_code == 404
    client.force_login(cast.users["vendor_manager"])  # a survey of "own" under another project: 404
    assert client.get(reverse("surveys:detail", args=[cast.other.pk, survey.pk])).status_code == 404


def test_survey_link_on_the_project_page_for_vendor_roles_only(cast, client):
    client.force_login(cast.users["vendor_member"])
    html = client.get(reverse("core:project_home", args=[cast.own.pk])).content.decode()
    assert reverse("surveys:list", args=[cast.own.pk]) in html
    client.force_login(cast.users["customer_sponsor"])
    html = client.get(reverse("core:portal_project", args=[cast.own.pk])).content.decode()
    assert reverse("surveys:list", args=[cast.own.pk]) not in html


def _grow(cast, capture, rounds: int) -> None:
    for n in range(rounds):
        milestone = MilestoneFactory(project=cast.own, actual_date=date(2026, 10, 1 + n))
        send(cast, capture, milestone=milestone, title=f"round {n}")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_survey_list_and_detail_queries_do_not_grow(cast, clock, client, django_capture_on_commit_callbacks):
    client.force_login(cast.users["vendor_pm"])
    _grow(cast, django_capture_on_commit_callbacks, 1)
    survey = Survey.objects.get()
    list_url = reverse("surveys:list", args=[cast.own.pk])
    detail_url = reverse("surveys:detail", args=[cast.own.pk, survey.pk])
    small = (_queries(client, list_url), _queries(client, detail_url))
    _grow(cast, django_capture_on_commit_callbacks, 6)
    for _n in range(8):
        user = UserFactory(organization=cast.customer)
        ProjectMemberFactory(project=cast.own, user=user, role=Role.CUSTOMER_MEMBER)
    send(
        cast,
        django_capture_on_commit_callbacks,
        people=("customer_sponsor",),
        extra_emails=tuple(f"p{n}@example.com" for n in range(10)),
    )
    MilestoneFactory(project=cast.own, actual_date=date(2026, 11, 1))
    large = (_queries(client, list_url), _queries(client, detail_url))
    assert small == large
    assert Survey.objects.count() == 8


# --- Reminders and closing ----------------------------------------------------------------------------------


def test_remind_sends_a_new_link_and_the_old_one_stops_working(
    cast, clock, client, django_capture_on_commit_callbacks
):
    survey, first = send(cast, django_capture_on_commit_callbacks)
    old = first["customer_member@example.jp"]
    clock.set(2026, 11, 10, 9, 0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.survey_remind(by=cast.users["vendor_pm"], survey=survey) == 2
    reminders = {m.to[0]: m for m in mail.outbox}
    assert "Reminder" in reminders["customer_member@example.jp"].subject
    assert "no longer works" in reminders["customer_member@example.jp"].body
    new = tokens_by_email()["customer_member@example.jp"]
    assert new != old
    assert client.get(reverse("surveys:answer", args=[old])).status_code == 404
    assert client.get(reverse("surveys:answer", args=[new])).status_code == 200
    invitation = Invitation.objects.get(email="customer_member@example.jp")
    assert invitation.reminder_count == 1 and invitation.reminded_at == clock.at
    assert invitation.token_digest == _digest(new)


def test_remind_skips_answered_and_stops_after_three(cast, clock, client, django_capture_on_commit_callbacks):
    survey, tokens = send(cast, django_capture_on_commit_callbacks)
    client.post(
        reverse("surveys:answer", args=[tokens["customer_sponsor@example.jp"]]),
        PULSE_ANSWERS | {"action": "submit"},
    )
    counts = []
    for _round in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            counts.append(services.survey_remind(by=cast.users["vendor_pm"], survey=survey))
    assert counts == [1, 1, 1, 0]
    assert Invitation.objects.get(email="customer_member@example.jp").reminder_count == 3
    assert Invitation.objects.get(email="customer_sponsor@example.jp").reminder_count == 0


def test_remind_page_and_close_page(cast, clock, client, django_capture_on_commit_callbacks):
    survey, tokens = send(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.users["vendor_pm"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:remind", args=[cast.own.pk, survey.pk]), follow=True)
    assert "Reminded 2 people with a new link." in response.content.decode()
    response = client.post(reverse("surveys:close", args=[cast.own.pk, survey.pk]), follow=True)
    assert "The survey is closed." in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED and survey.closed_at == clock.at
    for token in tokens_by_email().values():  # the reminders' links
        assert client.get(reverse("surveys:answer", args=[token])).status_code == 410
    again = client.post(reverse("surveys:close", args=[cast.own.pk, survey.pk]), follow=True)
    assert "already closed" in again.content.decode()
    with pytest.raises(ValidationError):
        services.survey_remind(by=cast.users["vendor_pm"], survey=survey)


def test_scheduled_reminders_three_days_after_the_last_mail(cast, clock, django_capture_on_commit_callbacks):
    send(cast, django_capture_on_commit_callbacks)  # sent 2026-11-09 10:00
    mail.outbox.clear()
    clock.set(2026, 11, 12, 9, 59)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due() == 0
    clock.set(2026, 11, 12, 10, 0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send-survey-reminders")
    assert len(mail.outbox) == 2
    assert Invitation.objects.filter(reminder_count=1).count() == 2
    # The next one counts from the reminder, through the task this time.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            tasks.send_survey_reminders.call(now=datetime(2026, 11, 14, 10, 0, tzinfo=TOKYO).isoformat()) == 0
        )
        assert (
            tasks.send_survey_reminders.call(now=datetime(2026, 11, 15, 10, 0, tzinfo=TOKYO).isoformat()) == 2
        )
    assert AuditEvent.objects.filter(action="survey.remind", actor=None).count() == 2


def test_scheduled_reminders_respect_the_limit_expiry_and_closing(
    cast, clock, django_capture_on_commit_callbacks
):
    survey, _tokens = send(cast, django_capture_on_commit_callbacks, answer_until=date(2026, 11, 30))
    for day in (12, 15, 18, 21):
        clock.set(2026, 11, day, 10, 0)
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_send_due()
    assert list(Invitation.objects.values_list("reminder_count", flat=True)) == [3, 3]
    other, _tokens = send(
        cast, django_capture_on_commit_callbacks, answer_until=date(2026, 11, 23), title="b"
    )
    services.survey_close(by=cast.users["vendor_pm"], survey=other)
    clock.set(2026, 11, 25, 10, 0)
    third, _tokens = send(
        cast, django_capture_on_commit_callbacks, answer_until=date(2026, 11, 26), title="c"
    )
    clock.set(2026, 11, 28, 10, 0)  # third has expired, other is closed
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due() == 0
