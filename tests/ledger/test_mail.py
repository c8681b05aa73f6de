"""E-mail: a new request to the vendor's PMs, the answer to the asker, a proposed change to the sponsors."""

from datetime import datetime

from django.core import mail

from shinrai.ledger import services

from ..clock import TOKYO


def test_request_and_answer_mails(cast, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = services.request_create(
            by=cast.users["customer_member"],
            project=cast.own,
            title="明日中に資料を提出して",
            due_at=datetime(2026, 11, 10, 18, 0, tzinfo=TOKYO),
        )
    assert [m.to for m in mail.outbox] == [["vendor_pm@example.jp"]]
    assert "明日中に資料を提出して" in mail.outbox[0].subject
    assert "2026-11-10 18:00" in mail.outbox[0].body
    assert f"/projects/{cast.own.pk}/requests/" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_answer(by=cast.users["vendor_pm"], request=item, answer="提出しました")
    assert [m.to for m in mail.outbox] == [["customer_member@example.jp"]]
    assert f"/portal/projects/{cast.own.pk}/ledger/" in mail.outbox[0].body


def test_proposed_change_mails_the_sponsor_only(cast, django_capture_on_commit_callbacks):
    pm = cast.users["vendor_pm"]
    with django_capture_on_commit_callbacks(execute=True):  # a draft sends nothing
        change = services.change_create(
            by=pm,
            project=cast.own,
            title="帳票追加",
            description="d",
            reason="r",
            cost_impact=500000,
            schedule_impact_days=5,
        )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.change_propose(by=pm, change=change)
    assert [m.to for m in mail.outbox] == [["customer_sponsor@example.jp"]]
    assert "+500,000" in mail.outbox[0].body and "+5" in mail.outbox[0].body
