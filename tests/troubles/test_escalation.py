"""Troubles still undisclosed past their target are escalated to the vendor managers by e-mail, once."""

import pytest
from django.core import mail

from shinrai.core.models import AuditEvent, Role
from shinrai.troubles.tasks import escalate_undisclosed

from ..factories import ProjectMemberFactory, UserFactory
from .conftest import at, disclose, make_trouble

pytestmark = pytest.mark.django_db


def test_overdue_undisclosed_troubles_are_mailed_to_the_vendor_managers(
    cast, clock, django_capture_on_commit_callbacks
):
    clock.set(2026, 11, 21, 16, 0)
    # high, detected 30 h before "now" (target 24 h): overdue.
    late = make_trouble(cast, severity="high", detected=at(2026, 11, 20, 10, 0), title="請求データ誤り")
    # medium, 30 h (target 72 h): not yet.
    make_trouble(cast, severity="medium", detected=at(2026, 11, 20, 10, 0), title="画面表示崩れ")
    # critical, 5 h (target 4 h) but already disclosed: nothing to escalate.
    told = make_trouble(cast, severity="critical", detected=at(2026, 11, 21, 11, 0), title="全面停止")
    disclose(cast, told)
    # Another vendor's overdue trouble goes to that vendor's manager only.
    foreign = make_trouble(
        cast,
        project=cast.foreign,
        by="other_vendor_manager",
        detected=at(2026, 11, 19, 9, 0),
        title="他社の件",
    )
    # A project-level vendor manager of the project hears too; an inactive manager does not.
    project_manager = UserFactory(email="pm_lead@example.jp", organization=cast.vendor, language="en")
    ProjectMemberFactory(project=cast.own, user=project_manager, role=Role.VENDOR_MANAGER)
    UserFactory(email="gone@example.jp", organization=cast.vendor, is_vendor_manager=True, is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        result = escalate_undisclosed.enqueue(now=at(2026, 11, 21, 16, 0).isoformat())
    assert result.return_value == 2

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 3
    assert set(by_recipient) == {
        "other_vendor_manager@example.jp",
        "pm_lead@example.jp",
        "vendor_manager@example.jp",
    }
    english = by_recipient["pm_lead@example.jp"]
    assert english.subject == f"[{cast.own.name}] Not yet disclosed to the customer: T-001 請求データ誤り"
    # 10:00 on the 20th → 16:00 on the 21st = 30 hours; the target for high severity is 24 hours.
    assert "was detected 30.0 hours ago" in english.body
    assert "The target is 24 hours." in english.body
    assert f"/projects/{cast.own.pk}/troubles/{late.pk}/" in english.body
    assert "他社の件" in by_recipient["other_vendor_manager@example.jp"].subject
    assert "他社の件" not in by_recipient["vendor_manager@example.jp"].subject
    late.refresh_from_db()
    foreign.refresh_from_db()
    assert late.escalated_at == at(2026, 11, 21, 16, 0)
    assert AuditEvent.objects.filter(action="trouble.escalate_disclosure").count() == 2

    # The next run (an hour later) does not mail the same troubles again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = escalate_undisclosed.enqueue(now=at(2026, 11, 21, 17, 0).isoformat())
    assert again.return_value == 0
    assert mail.outbox == []


def test_nothing_is_escalated_before_the_target(cast, clock, django_capture_on_commit_callbacks):
    clock.set(2026, 11, 21, 9, 59)
    make_trouble(cast, severity="high", detected=at(2026, 11, 20, 10, 0))  # due 11/21 10:00
    with django_capture_on_commit_callbacks(execute=True):
        result = escalate_undisclosed.enqueue(now=at(2026, 11, 21, 9, 59).isoformat())
    assert result.return_value == 0
    assert mail.outbox == []


def test_the_cron_command_escalates_too(cast, clock, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    clock.set(2026, 11, 21, 16, 0)
    make_trouble(cast, severity="high", detected=at(2026, 11, 20, 10, 0))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalate-undisclosed", stdout=out)
    assert "escalated: 1." in out.getvalue()
    assert [m.to for m in mail.outbox] == [["vendor_manager@example.jp"]]
