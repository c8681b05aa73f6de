"""Threat: a vendor's administrator (staff, not superuser) reads another vendor's people, customers, tokens or
history through the admin site — its lists, change pages and the autocomplete behind "add a member".

ASVS 5.0 V8.4.1 (tenant isolation holds in administrative interfaces too), V8.2.2. The admin's only
autocomplete (the member picker on a project's page) reads the User admin's queryset, so it is scoped with it.

The regression: before the fix, a non-superuser vendor administrator with the core model permissions got
every user of every organization from ``/admin/autocomplete/`` (name and e-mail), and every vendor's audit
events, tokens and organizations in the lists.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from shinrai.core import services
from shinrai.core.models import AuditEvent


@pytest.fixture
def vendor_staff(cast):
    """A staff member of vendor V (not a superuser) holding every core permission."""
    user = cast.users["vendor_member"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="core"))
    client = Client()
    client.force_login(user)
    return client


def _autocomplete(client, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "core", "model_name": "projectmember", "field_name": "user", "term": term},
    )
    assert response.status_code == 200
    return {row["text"].split(" <")[0] for row in response.json()["results"]}


def test_member_picker_offers_only_people_the_vendor_works_with(cast, vendor_staff):
    offered = _autocomplete(vendor_staff, "example.jp")
    assert "other_vendor_manager" not in offered  # another vendor's people
    assert {"vendor_pm", "customer_sponsor", "partner_viewer", "outsider_customer"} <= offered  # the control


def test_admin_lists_keep_other_vendors_out(cast, vendor_staff):
    services.api_token_create(user=cast.users["other_vendor_manager"], name="v2-laptop")
    services.api_token_create(user=cast.users["vendor_pm"], name="v-laptop")
    services.project_update(by=cast.users["other_vendor_manager"], project=cast.foreign, name="他社案件2")
    users = vendor_staff.get(reverse("admin:core_user_changelist")).content.decode()
    assert "other_vendor_manager@example.jp" not in users and "vendor_pm@example.jp" in users
    orgs = vendor_staff.get(reverse("admin:core_organization_changelist")).content.decode()
    assert "ベンダーV2" not in orgs and "顧客C1" in orgs
    tokens = vendor_staff.get(reverse("admin:core_apitoken_changelist")).content.decode()
    assert "v2-laptop" not in tokens and "v-laptop" in tokens
    foreign_event = AuditEvent.objects.filter(project=cast.foreign).latest("pk")
    own_event = AuditEvent.objects.filter(actor=cast.users["vendor_pm"]).latest("pk")
    assert (
        vendor_staff.get(reverse("admin:core_auditevent_change", args=[foreign_event.pk])).status_code == 302
    )
    assert vendor_staff.get(reverse("admin:core_auditevent_change", args=[own_event.pk])).status_code == 200
    other_user = cast.users["other_vendor_manager"]
    assert vendor_staff.get(reverse("admin:core_user_change", args=[other_user.pk])).status_code == 302


def test_superuser_still_sees_everyone(cast):
    client = Client()
    client.force_login(cast.users["vendor_admin"])
    assert "other_vendor_manager" in _autocomplete(client, "example.jp")
