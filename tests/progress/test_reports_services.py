"""Weekly report services: drafts, publication and its e-mail, acknowledgements, corrections, the thread."""

from datetime import date, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shinrai.core.models import AuditEvent, Role
from shinrai.progress import report_selectors, report_services, reports
from shinrai.progress.models import PlainLanguageTerm, ReportAcknowledgement, WeeklyReport

from ..factories import ProjectMemberFactory, UserFactory
from .conftest import TOKYO


@pytest.fixture(autouse=True)
def _english_messages():
    # The assertions below match the English wording of the services' messages.
    from django.utils import translation

    with translation.override("en"):
        yield


WEEK = date(2026, 11, 16)


@pytest.fixture
def draft(cast, clock):
    clock.set(2026, 11, 20, 17)
    return report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)


def test_one_draft_per_project_and_week(cast, draft):
    with pytest.raises(ValidationError, match="already a report"):
        report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)


def test_a_week_starts_on_a_monday_and_must_have_begun(cast, clock):
    clock.set(2026, 11, 20, 17)
    pm = cast.users["vendor_pm"]
    with pytest.raises(ValidationError, match="Monday"):
        report_services.report_create_draft(by=pm, project=cast.own, week_start=date(2026, 11, 17))
    with pytest.raises(ValidationError, match="not started"):
        report_services.report_create_draft(by=pm, project=cast.own, week_start=date(2026, 11, 23))


def test_the_first_draft_gives_the_vendor_the_default_glossary(cast, draft):
    assert (
        PlainLanguageTerm.objects.filter(vendor_org=cast.vendor).count() == len(reports.DEFAULT_TERMS) == 25
    )
    assert report_services.plain_terms_ensure_defaults(vendor_org=cast.vendor) == 0


def test_amber_and_red_need_a_reason(cast, draft):
    with pytest.raises(ValidationError) as error:
        report_services.report_update(
            by=cast.users["vendor_pm"], report=draft, status="amber", status_reason=" "
        )
    assert "status_reason" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyReport.objects.filter(pk=draft.pk).update(status="red", status_reason="")


def test_publish_emails_the_customer_members_only(cast, draft, django_capture_on_commit_callbacks):
    # A partner and a customer of another organization on the project hear nothing.
    other = UserFactory(email="stray@example.jp", organization=cast.other_customer)
    ProjectMemberFactory(project=cast.own, user=other, role=Role.CUSTOMER_MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_services.report_publish(by=cast.users["vendor_pm"], report=draft)
    assert (report.state, report.version, report.published_by) == ("published", 1, cast.users["vendor_pm"])
    assert report.published_at == datetime(2026, 11, 20, 17, tzinfo=TOKYO)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "customer_member@example.jp",
        "customer_sponsor@example.jp",
    ]
    assert f"/portal/projects/{cast.own.pk}/reports/{report.pk}/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="report.publish", object_id=str(report.pk)).count() == 1


def test_publishing_twice_is_refused_and_sends_nothing(cast, draft, django_capture_on_commit_callbacks):
    report_services.report_publish(by=cast.users["vendor_pm"], report=draft)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError, match="already"):
        report_services.report_publish(by=cast.users["vendor_pm"], report=draft)
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["vendor_member", "customer_sponsor", "partner_viewer"])
def test_only_pm_and_manager_publish(cast, draft, role):
    with pytest.raises(PermissionError):
        report_services.report_publish(by=cast.users[role], report=draft)


def test_a_published_report_is_not_edited_but_corrected(
    cast, draft, clock, django_capture_on_commit_callbacks
):
    pm = cast.users["vendor_pm"]
    v1 = report_services.report_publish(by=pm, report=draft)
    with pytest.raises(ValidationError, match="correction"):
        report_services.report_update(by=pm, report=v1, done="・変更")
    with pytest.raises(ValidationError):
        report_services.report_correct(by=pm, report=v1, note="", done="・訂正")
    clock.set(2026, 11, 24, 9)
    with django_capture_on_commit_callbacks(execute=True):
        v2 = report_services.report_correct(by=pm, report=v1, note="完了日を訂正しました", done="・訂正後")
    assert (v2.version, v2.corrects, v2.state, v2.done) == (2, v1, "published", "・訂正後")
    v1.refresh_from_db()
    assert v1.done == draft.done  # what the customer read first stays as it was
    # Each recipient gets the e-mail in their own language (Japanese by default).
    assert [m.subject for m in mail.outbox][
        0
    ] == f"[{cast.own.name}] 週次報告（2026-11-16 の週）訂正のお知らせ（バージョン 2）"
    with pytest.raises(ValidationError, match="latest"):
        report_services.report_correct(by=pm, report=v1, note="もう一度")
    event = AuditEvent.objects.get(action="report.correct")
    assert event.after == {"version": 2, "fields": "done", "note": "完了日を訂正しました"}


def test_acknowledged_once_per_customer(cast, draft):
    report = report_services.report_publish(by=cast.users["vendor_pm"], report=draft)
    sponsor = cast.users["customer_sponsor"]
    _ack, created = report_services.report_acknowledge(by=sponsor, report=report)
    _again, created_again = report_services.report_acknowledge(by=sponsor, report=report)
    assert (created, created_again) == (True, False)
    assert ReportAcknowledgement.objects.filter(report=report).count() == 1
    assert AuditEvent.objects.filter(action="report.acknowledge").count() == 1
    with pytest.raises(PermissionError):
        report_services.report_acknowledge(by=cast.users["vendor_pm"], report=report)


def test_drafts_cannot_be_acknowledged_or_discussed(cast, draft):
    with pytest.raises(ValidationError):
        report_services.report_acknowledge(by=cast.users["customer_member"], report=draft)
    with pytest.raises(ValidationError):
        report_services.report_comment(by=cast.users["customer_member"], report=draft, body="質問")


def test_the_customer_asks_and_the_vendor_answers(cast, draft):
    report = report_services.report_publish(by=cast.users["vendor_pm"], report=draft)
    question = report_services.report_comment(
        by=cast.users["customer_member"], report=report, body="遅延の影響は?"
    )
    with pytest.raises(ValidationError):
        report_services.report_comment(
            by=cast.users["vendor_member"], report=report, body="回答"
        )  # no question
    answer = report_services.report_comment(
        by=cast.users["vendor_member"], report=report, body="影響はありません", parent=question
    )
    with pytest.raises(ValidationError):
        report_services.report_comment(
            by=cast.users["customer_member"], report=report, body="追加", parent=question
        )
    with pytest.raises(PermissionError):
        report_services.report_comment(by=cast.users["partner_viewer"], report=report, body="質問")
    thread = report_selectors.report_thread(report=report)
    assert [(q.body, [a.body for a in q.answers.all()]) for q in thread] == [("遅延の影響は?", [answer.body])]


def test_late_and_missing_weeks(cast, clock):
    """Due by the next Monday 12:00 JST: a report published at 12:01 is late; an unwritten week is missing."""
    cast.own.start_date = date(2026, 11, 2)
    cast.own.save(update_fields=["start_date"])
    pm = cast.users["vendor_pm"]
    clock.set(2026, 11, 9, 11, 59)
    on_time = report_services.report_create_draft(by=pm, project=cast.own, week_start=date(2026, 11, 2))
    report_services.report_publish(by=pm, report=on_time)
    clock.set(2026, 11, 23, 12, 1)
    late = report_services.report_create_draft(by=pm, project=cast.own, week_start=date(2026, 11, 16))
    report_services.report_publish(by=pm, report=late)
    clock.set(2026, 11, 30, 12, 0)  # the week of 23 November is not due yet (exactly at the deadline)

    rows = report_selectors.report_weeks(user=pm, project=cast.own, now=clock.at)
    assert [(r.week_start, r.late, r.missing) for r in rows] == [
        (date(2026, 11, 16), True, False),
        (date(2026, 11, 9), True, True),
        (date(2026, 11, 2), False, False),
    ]
    assert reports.is_late(date(2026, 11, 23), None, datetime(2026, 11, 30, 12, 0, 1, tzinfo=TOKYO))


def test_customers_see_published_reports_partners_nothing(cast, draft):
    published = report_services.report_create_draft(
        by=cast.users["vendor_pm"], project=cast.own, week_start=date(2026, 11, 9)
    )
    report_services.report_publish(by=cast.users["vendor_pm"], report=published)

    def visible(role):
        return sorted(r.pk for r in report_selectors.reports_for(user=cast.users[role], project=cast.own))

    assert visible("vendor_member") == sorted([draft.pk, published.pk])
    assert visible("customer_member") == [published.pk]
    assert visible("partner_viewer") == []
    assert visible("outsider_customer") == []
