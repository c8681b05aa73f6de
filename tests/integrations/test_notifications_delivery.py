"""Notifications end to end: the five events, through the real services, with the task queue in-process.

Each action runs inside ``django_capture_on_commit_callbacks(execute=True)``, so what happens after commit
(the app's e-mail, ``events.emit`` → ``notifications.deliver``) runs as it would in production, and the
test settings' immediate task backend puts e-mails in ``mail.outbox``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shinrai.integrations import events, notifications
from shinrai.integrations.models import Event, Notification, NotificationPreference
from shinrai.ledger import services as ledger_services
from shinrai.progress import report_services
from shinrai.troubles import services as trouble_services

from ..clock import TOKYO, Clock
from ..surveys.distribution_helpers import send as send_survey

WEEK = date(2026, 11, 16)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def people(cast):
    """The sponsor reads Japanese, the member English."""
    for key, language in [("customer_sponsor", "ja"), ("customer_member", "en"), ("vendor_pm", "en")]:
        cast.users[key].language = language
        cast.users[key].save(update_fields=["language"])
    return cast.users


def _no_email(user, event):
    NotificationPreference.objects.create(user=user, event=event, email=False, in_app=True)


def _rows(event):
    return {n.user.email: n for n in Notification.objects.filter(event=event).select_related("user")}


def _outbox():
    return {m.to[0]: m for m in mail.outbox}


# --- Weekly report published --------------------------------------------------------------------------------


def _publish(cast, capture):
    draft = report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)
    mail.outbox.clear()
    with capture(execute=True):
        return report_services.report_publish(by=cast.users["vendor_pm"], report=draft)


def test_report_published_tells_customer_members_in_their_language(
    cast, people, clock, django_capture_on_commit_callbacks
):
    clock.set(2026, 11, 20, 17)
    report = _publish(cast, django_capture_on_commit_callbacks)

    rows = _rows(Event.REPORT_PUBLISHED)
    assert sorted(rows) == ["customer_member@example.jp", "customer_sponsor@example.jp"]
    member_row = rows["customer_member@example.jp"]
    assert member_row.title == "Weekly report published: week of 2026-11-16"
    assert member_row.url == f"/portal/projects/{cast.own.pk}/reports/{report.pk}/"
    assert member_row.project == cast.own
    assert member_row.read_at is None
    outbox = _outbox()
    assert sorted(outbox) == ["customer_member@example.jp", "customer_sponsor@example.jp"]
    assert len(mail.outbox) == 2  # the app's own e-mail only, not a second one from deliver()
    assert outbox["customer_sponsor@example.jp"].subject == "[自社案件] 週次報告（2026-11-16 の週）のお知らせ"
    assert outbox["customer_member@example.jp"].subject == "[自社案件] Weekly report: week of 2026-11-16"


def test_report_published_without_email_for_who_turned_it_off(
    cast, people, clock, django_capture_on_commit_callbacks
):
    clock.set(2026, 11, 20, 17)
    _no_email(people["customer_sponsor"], Event.REPORT_PUBLISHED)
    _publish(cast, django_capture_on_commit_callbacks)

    assert sorted(_rows(Event.REPORT_PUBLISHED)) == [
        "customer_member@example.jp",
        "customer_sponsor@example.jp",
    ]
    assert [m.to for m in mail.outbox] == [["customer_member@example.jp"]]


def test_in_app_off_means_email_only(cast, people, clock, django_capture_on_commit_callbacks):
    clock.set(2026, 11, 20, 17)
    NotificationPreference.objects.create(
        user=people["customer_member"], event=Event.REPORT_PUBLISHED, email=True, in_app=False
    )
    _publish(cast, django_capture_on_commit_callbacks)

    assert sorted(_rows(Event.REPORT_PUBLISHED)) == ["customer_sponsor@example.jp"]
    assert sorted(_outbox()) == ["customer_member@example.jp", "customer_sponsor@example.jp"]


def test_a_rolled_back_action_tells_nobody(cast, people, clock, django_capture_on_commit_callbacks):
    clock.set(2026, 11, 20, 17)
    draft = report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report_services.report_publish(by=cast.users["vendor_pm"], report=draft)
        raise RuntimeError("something after the publication failed")

    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


# --- Trouble disclosed --------------------------------------------------------------------------------------


def _trouble(cast):
    return trouble_services.trouble_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        kind="incident",
        title="夜間バッチ停止",
        facts="夜間バッチが停止した",
        detected_at=timezone.now() - timedelta(hours=2),
        severity="high",
    )


def test_trouble_disclosed_tells_the_customer_by_notification_and_email(
    cast, people, django_capture_on_commit_callbacks
):
    _no_email(people["customer_member"], Event.TROUBLE_DISCLOSED)
    trouble = _trouble(cast)
    with django_capture_on_commit_callbacks(execute=True):
        trouble_services.trouble_disclose(
            by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version
        )

    rows = _rows(Event.TROUBLE_DISCLOSED)
    assert sorted(rows) == ["customer_member@example.jp", "customer_sponsor@example.jp"]  # not the partner
    assert rows["customer_member@example.jp"].title == f"Trouble disclosed: {trouble.ref} 夜間バッチ停止"
    assert rows["customer_member@example.jp"].url == f"/portal/projects/{cast.own.pk}/troubles/{trouble.pk}/"
    # deliver() writes this e-mail (the troubles app has none): the sponsor's, in Japanese.
    assert [m.to for m in mail.outbox] == [["customer_sponsor@example.jp"]]
    message = mail.outbox[0]
    assert message.subject.startswith("[自社案件] ")
    assert message.body.startswith("customer_sponsor 様")
    assert f"/portal/projects/{cast.own.pk}/troubles/{trouble.pk}/" in message.body


def test_sharing_with_partners_later_tells_only_the_partners(
    cast, people, django_capture_on_commit_callbacks
):
    trouble = _trouble(cast)
    with django_capture_on_commit_callbacks(execute=True):
        trouble = trouble_services.trouble_disclose(
            by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version
        )
    Notification.objects.all().delete()
    mail.outbox.clear()
    trouble.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        trouble_services.trouble_disclose(
            by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version, visibility="partners"
        )

    assert sorted(_rows(Event.TROUBLE_DISCLOSED)) == ["partner_viewer@example.jp"]
    assert [m.to for m in mail.outbox] == [["partner_viewer@example.jp"]]


# --- Decision needed ----------------------------------------------------------------------------------------


def test_options_proposed_ask_the_sponsor_to_decide(cast, people, django_capture_on_commit_callbacks):
    trouble = _trouble(cast)
    trouble = trouble_services.trouble_disclose(
        by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version
    )
    trouble_services.option_add(by=cast.users["vendor_pm"], trouble=trouble, description="再実行する")
    trouble.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        trouble_services.trouble_propose(by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version)

    rows = _rows(Event.DECISION_NEEDED)
    assert sorted(rows) == ["customer_sponsor@example.jp"]
    assert rows["customer_sponsor@example.jp"].url == f"/portal/projects/{cast.own.pk}/troubles/{trouble.pk}/"
    assert [m.subject for m in mail.outbox] == ["[自社案件] 対応方法のご選択のお願い：夜間バッチ停止"]


def test_options_proposed_without_email_for_a_sponsor_who_turned_it_off(
    cast, people, django_capture_on_commit_callbacks
):
    _no_email(people["customer_sponsor"], Event.DECISION_NEEDED)
    trouble = _trouble(cast)
    trouble = trouble_services.trouble_disclose(
        by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version
    )
    trouble_services.option_add(by=cast.users["vendor_pm"], trouble=trouble, description="再実行する")
    trouble.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        trouble_services.trouble_propose(by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version)

    assert sorted(_rows(Event.DECISION_NEEDED)) == ["customer_sponsor@example.jp"]
    assert mail.outbox == []


def _proposed_change(cast, capture):
    change = ledger_services.change_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="帳票追加",
        description="帳票を1本追加",
        reason="顧客要望",
        cost_impact=500_000,
        schedule_impact_days=5,
    )
    mail.outbox.clear()
    with capture(execute=True):
        return ledger_services.change_propose(by=cast.users["vendor_pm"], change=change)


def test_a_proposed_change_asks_the_sponsor_to_decide(cast, people, django_capture_on_commit_callbacks):
    _proposed_change(cast, django_capture_on_commit_callbacks)

    rows = _rows(Event.DECISION_NEEDED)
    assert sorted(rows) == ["customer_sponsor@example.jp"]
    assert rows["customer_sponsor@example.jp"].url == f"/portal/projects/{cast.own.pk}/ledger/"
    assert [m.subject for m in mail.outbox] == ["[自社案件] 変更のご判断のお願い：帳票追加"]


def test_a_proposed_change_without_email_for_a_sponsor_who_turned_it_off(
    cast, people, django_capture_on_commit_callbacks
):
    _no_email(people["customer_sponsor"], Event.DECISION_NEEDED)
    _proposed_change(cast, django_capture_on_commit_callbacks)

    assert sorted(_rows(Event.DECISION_NEEDED)) == ["customer_sponsor@example.jp"]
    assert mail.outbox == []


# --- Survey invitation --------------------------------------------------------------------------------------


def test_survey_invitation_honours_users_preferences_but_always_mails_other_addresses(
    cast, people, clock, django_capture_on_commit_callbacks
):
    clock.set(2026, 11, 16, 10)
    _no_email(people["customer_sponsor"], Event.SURVEY_INVITATION)
    survey, _tokens = send_survey(
        cast, django_capture_on_commit_callbacks, extra_emails=("guest@example.jp",)
    )

    rows = _rows(Event.SURVEY_INVITATION)
    assert sorted(rows) == ["customer_member@example.jp", "customer_sponsor@example.jp"]
    assert rows["customer_member@example.jp"].title == "Please answer our survey “第1回 パルス調査”"
    assert rows["customer_member@example.jp"].url == f"/portal/projects/{cast.own.pk}/"
    assert sorted(m.to[0] for m in mail.outbox) == ["customer_member@example.jp", "guest@example.jp"]
    assert survey.invited_count == 3


# --- Request due soon ---------------------------------------------------------------------------------------


def _request(cast, title, due_at):
    return ledger_services.request_create(
        by=cast.users["customer_sponsor"], project=cast.own, title=title, due_at=due_at
    )


def test_due_requests_are_notified_once_a_day(cast, people, clock, django_capture_on_commit_callbacks):
    clock.set(2026, 11, 16, 9)  # Monday
    _request(cast, "資料提出", datetime(2026, 11, 18, 17, 0, tzinfo=TOKYO))  # second business day: due soon
    _request(cast, "見積提出", datetime(2026, 11, 19, 17, 0, tzinfo=TOKYO))  # third: not yet
    answered = _request(cast, "議事録送付", datetime(2026, 11, 17, 12, 0, tzinfo=TOKYO))
    ledger_services.request_answer(by=cast.users["vendor_pm"], request=answered, answer="送付済み")
    clock.set(2026, 11, 16, 10)
    mail.outbox.clear()

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("notify-due-requests", stdout=open("/dev/null", "w"))  # noqa: SIM115

    rows = Notification.objects.filter(event=Event.REQUEST_DUE)
    assert [(n.user.email, n.title) for n in rows] == [
        ("vendor_pm@example.jp", "Request due 2026-11-18 17:00: 資料提出")
    ]
    assert rows[0].url == f"/projects/{cast.own.pk}/requests/"
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["vendor_pm@example.jp"], "[自社案件] Request due 2026-11-18 17:00: 資料提出")
    ]

    # The next day both are due soon (Wednesday and Thursday are the next two business days): the first is
    # told again, the second for the first time.
    clock.set(2026, 11, 17, 10)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.due_requests_notify() == 2
    assert Notification.objects.filter(event=Event.REQUEST_DUE).count() == 3


# --- deliver() itself ---------------------------------------------------------------------------------------


def test_deliver_words_each_title_in_the_readers_language_and_skips_inactive_people(cast, people):
    gone = cast.users["customer_member"]
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    occurrence = events.Occurrence(
        event=Event.TROUBLE_DISCLOSED,
        project=cast.own,
        subject=gettext_lazy("Status: %(status)s"),
        url="/portal/",
        params={"status": "OK"},
    )
    notifications.deliver(occurrence, [people["customer_sponsor"], people["vendor_pm"], gone])

    assert {n.user.email: n.title for n in Notification.objects.select_related("user")} == {
        "customer_sponsor@example.jp": "状況：OK",
        "vendor_pm@example.jp": "Status: OK",
    }


def test_deliver_never_stores_an_outside_address(cast, people):
    occurrence = events.Occurrence(
        event=Event.REQUEST_DUE, project=None, subject="x", url="//evil.example/steal"
    )
    notifications.deliver(occurrence, [people["vendor_pm"]])

    assert Notification.objects.get().url == ""


def test_due_requests_without_email_for_a_pm_who_turned_it_off(
    cast, people, clock, django_capture_on_commit_callbacks
):
    clock.set(2026, 11, 16, 9)
    _request(cast, "資料提出", datetime(2026, 11, 17, 17, 0, tzinfo=TOKYO))
    _no_email(people["vendor_pm"], Event.REQUEST_DUE)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.due_requests_notify() == 1

    assert [n.user.email for n in Notification.objects.filter(event=Event.REQUEST_DUE)] == [
        "vendor_pm@example.jp"
    ]
    assert mail.outbox == []
