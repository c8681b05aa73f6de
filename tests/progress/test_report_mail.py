"""E-mail around the question-and-answer thread of a weekly report.

A customer's question goes to the project's vendor PMs and to the person who published the report; the
vendor's answer goes back to the customer who asked. Each in their own language, after commit, through the
task queue (the test settings run tasks at once and keep e-mail in ``mail.outbox``).
"""

from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from shinrai.core.models import Role
from shinrai.progress import report_services

from ..factories import ProjectMemberFactory, UserFactory

WEEK = date(2026, 11, 16)


@pytest.fixture
def published(cast, clock):
    """Drafted by the PM, published by the vendor manager (who is not a member of the project)."""
    clock.set(2026, 11, 20, 17)
    draft = report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)
    return report_services.report_publish(by=cast.users["vendor_manager"], report=draft)


def _ask(cast, report, captured, role="customer_sponsor", body="遅れの理由を教えてください"):
    with captured(execute=True):
        return report_services.report_comment(by=cast.users[role], report=report, body=body)


def test_a_question_emails_the_pms_and_the_publisher(cast, published, django_capture_on_commit_callbacks):
    # A second PM of the project hears too; a PM of another project and an inactive PM do not.
    second_pm = UserFactory(email="second_pm@example.jp", organization=cast.vendor, language="en")
    ProjectMemberFactory(project=cast.own, user=second_pm, role=Role.VENDOR_PM)
    gone = UserFactory(email="gone_pm@example.jp", organization=cast.vendor, is_active=False)
    ProjectMemberFactory(project=cast.own, user=gone, role=Role.VENDOR_PM)
    elsewhere = UserFactory(email="elsewhere_pm@example.jp", organization=cast.vendor)
    ProjectMemberFactory(project=cast.other, user=elsewhere, role=Role.VENDOR_PM)

    question = _ask(cast, published, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "second_pm@example.jp",
        "vendor_manager@example.jp",
        "vendor_pm@example.jp",
    ]
    assert all(len(m.to) == 1 for m in mail.outbox)
    to_second = next(m for m in mail.outbox if m.to == ["second_pm@example.jp"])
    assert to_second.subject == f"[{cast.own.name}] Question on the weekly report of the week of 2026-11-16"
    link = reverse("reports:portal_detail", args=[cast.own.pk, published.pk]) + f"#comment-{question.pk}"
    assert f"{settings.SITE_URL.rstrip('/')}{link}" in to_second.body
    assert "customer_sponsor asked a question" in to_second.body
    assert "遅れの理由を教えてください" in to_second.body


def test_each_recipient_reads_it_in_their_language(cast, published, django_capture_on_commit_callbacks):
    cast.users["vendor_pm"].language = "en"
    cast.users["vendor_pm"].save(update_fields=["language"])
    _ask(cast, published, django_capture_on_commit_callbacks)
    to_pm = next(m for m in mail.outbox if m.to == ["vendor_pm@example.jp"])
    to_manager = next(m for m in mail.outbox if m.to == ["vendor_manager@example.jp"])
    assert to_pm.body.startswith("Dear vendor_pm,")
    # The manager's language is Japanese (the default); the greeting is shared with the publication e-mail.
    assert to_manager.body.startswith("vendor_manager 様")


def test_an_answer_emails_the_customer_who_asked(cast, published, django_capture_on_commit_callbacks):
    question = _ask(cast, published, django_capture_on_commit_callbacks, role="customer_member")
    mail.outbox.clear()
    cast.users["customer_member"].language = "en"
    cast.users["customer_member"].save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_comment(
            by=cast.users["vendor_member"], report=published, body="帳票の追加要望のためです", parent=question
        )
    [message] = mail.outbox
    assert message.to == ["customer_member@example.jp"]  # not the sponsor, not the vendor
    assert message.subject == (
        f"[{cast.own.name}] Answer to your question on the weekly report of the week of 2026-11-16"
    )
    assert "vendor_member answered your question" in message.body
    assert "帳票の追加要望のためです" in message.body
    assert f"/portal/projects/{cast.own.pk}/reports/{published.pk}/#comment-{question.pk}" in message.body


def test_no_answer_mail_to_someone_who_left(cast, published, django_capture_on_commit_callbacks):
    question = _ask(cast, published, django_capture_on_commit_callbacks, role="customer_member")
    mail.outbox.clear()
    cast.users["customer_member"].is_active = False
    cast.users["customer_member"].save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_comment(
            by=cast.users["vendor_pm"], report=published, body="回答します", parent=question
        )
    assert mail.outbox == []


def test_a_refused_question_sends_nothing(cast, clock, django_capture_on_commit_callbacks):
    clock.set(2026, 11, 20, 17)
    draft = report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        report_services.report_comment(by=cast.users["customer_sponsor"], report=draft, body="質問")
    assert mail.outbox == []


def test_asking_on_the_portal_page_sends_the_mail(
    client, cast, published, django_capture_on_commit_callbacks
):
    client.force_login(cast.users["customer_sponsor"])
    url = reverse("reports:portal_comment", args=[cast.own.pk, published.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "テスト環境はいつ使えますか"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["vendor_manager@example.jp", "vendor_pm@example.jp"]
    assert all("テスト環境はいつ使えますか" in m.body for m in mail.outbox)


def test_asking_through_the_api_sends_the_mail(client, cast, published, django_capture_on_commit_callbacks):
    client.force_login(cast.users["customer_member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/reports/{published.pk}/comments", {"body": "質問です"}, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    assert sorted(m.to[0] for m in mail.outbox) == ["vendor_manager@example.jp", "vendor_pm@example.jp"]
