"""Services write in one transaction and leave an audit event; the audit log cannot be changed."""

import pytest
from django.core.exceptions import ValidationError

from shinrai.core import services
from shinrai.core.models import AuditEvent, Project, ProjectMember, Role


def test_project_create_records_an_audit_event(cast):
    pm = cast.users["vendor_pm"]
    project = services.project_create(
        by=pm, vendor_org=cast.vendor, customer_org=cast.customer, code="NEW-1", name="新規案件"
    )
    event = AuditEvent.objects.get(action="project.create", object_id=str(project.pk))
    assert event.actor == pm
    assert event.project == project
    assert event.after["code"] == "NEW-1"


def test_project_create_rejects_wrong_organization_kinds(cast):
    with pytest.raises(ValidationError):
        services.project_create(
            by=None, vendor_org=cast.customer, customer_org=cast.customer, code="X", name="x"
        )
    with pytest.raises(ValidationError):
        services.project_create(
            by=None, vendor_org=cast.vendor, customer_org=cast.partner, code="X", name="x"
        )
    assert not Project.objects.filter(code="X").exists()
    assert not AuditEvent.objects.filter(action="project.create").exists()


def test_project_update_audits_only_what_changed(cast):
    services.project_update(
        by=cast.users["vendor_pm"], project=cast.own, name="新しい名前", phase=cast.own.phase
    )
    event = AuditEvent.objects.get(action="project.update")
    assert event.before == {"name": "自社案件"}
    assert event.after == {"name": "新しい名前"}
    cast.own.refresh_from_db()
    assert cast.own.name == "新しい名前"


def test_project_update_without_change_writes_nothing(cast):
    services.project_update(by=None, project=cast.own, name=cast.own.name)
    assert not AuditEvent.objects.filter(action="project.update").exists()


def test_project_update_rejects_end_before_start(cast):
    import datetime

    with pytest.raises(ValidationError):
        services.project_update(
            by=None,
            project=cast.own,
            start_date=datetime.date(2026, 5, 1),
            end_date=datetime.date(2026, 4, 1),
        )
    cast.own.refresh_from_db()
    assert cast.own.start_date is None


@pytest.mark.parametrize(
    ("user_key", "role"),
    [
        ("outsider_customer", Role.CUSTOMER_MEMBER),  # customer of another organization
        ("partner_viewer", Role.VENDOR_MEMBER),  # partner cannot take a vendor role
        ("other_vendor_manager", Role.VENDOR_PM),  # vendor role from another vendor
        ("customer_member", Role.PARTNER_VIEWER),  # customer cannot be a partner viewer
    ],
)
def test_member_add_rejects_roles_that_do_not_fit(cast, user_key, role):
    with pytest.raises(ValidationError):
        services.member_add(by=None, project=cast.own, user=cast.users[user_key], role=role)
    assert not ProjectMember.objects.filter(project=cast.own, user=cast.users[user_key], role=role).exists()


def test_member_add_changes_role_and_audits(cast):
    services.member_add(
        by=None, project=cast.own, user=cast.users["customer_member"], role=Role.CUSTOMER_SPONSOR
    )
    event = AuditEvent.objects.get(action="member.change_role")
    assert event.before == {"role": "customer_member"}
    assert (
        ProjectMember.objects.get(project=cast.own, user=cast.users["customer_member"]).role
        == "customer_sponsor"
    )


def test_member_remove_audits(cast):
    member = ProjectMember.objects.get(project=cast.own, user=cast.users["partner_viewer"])
    services.member_remove(by=cast.users["vendor_pm"], member=member)
    assert AuditEvent.objects.get(action="member.remove").before["role"] == "partner_viewer"
    assert not ProjectMember.objects.filter(pk=member.pk).exists()


def test_audit_log_is_append_only(cast):
    event = services.audit_record(actor=None, action="test", obj=cast.own)
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test"


def test_api_token_is_stored_as_digest_only(cast):
    token, clear = services.api_token_create(user=cast.users["vendor_pm"], name="CI")
    assert clear.startswith("shr_")
    assert clear not in token.digest and token.digest != clear
    assert services.api_token_authenticate(clear) == cast.users["vendor_pm"]
    assert services.api_token_authenticate(clear + "x") is None
    services.api_token_revoke(user=cast.users["vendor_pm"], token=token)
    assert services.api_token_authenticate(clear) is None
