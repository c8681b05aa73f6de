"""The project's members through the API: as the project page and the portal list them."""

import pytest

from tests.clock import _english  # noqa: F401  (autouse: role labels in English)


def _members(client, cast, role, project=None):
    client.force_login(cast.users[role])
    return client.get(f"/api/v1/projects/{(project or cast.own).pk}/members")


@pytest.mark.parametrize("role", ["vendor_manager", "vendor_member", "customer_sponsor", "customer_member"])
def test_members_by_role_then_name_with_organization(client, cast, role):
    response = _members(client, cast, role)
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(m["name"], m["organization"]["name"], m["role"]) for m in items] == [
        ("customer_member", "顧客C1", "customer_member"),
        ("customer_sponsor", "顧客C1", "customer_sponsor"),
        ("partner_viewer", "協力会社P1", "partner_viewer"),
        ("vendor_member", "ベンダーV", "vendor_member"),
        ("vendor_pm", "ベンダーV", "vendor_pm"),
    ]
    pm = items[4]
    assert (pm["user_id"], pm["organization"]["id"], pm["role_label"]) == (
        cast.users["vendor_pm"].pk,
        cast.vendor.pk,
        "Project manager",
    )
    assert set(pm) == {"user_id", "name", "organization", "role", "role_label"}  # no e-mail address


def test_partner_vendors_get_403_as_the_portal_hides_the_list_from_them(client, cast):
    assert _members(client, cast, "partner_viewer").status_code == 403


@pytest.mark.parametrize("role", ["outsider_customer", "other_vendor_manager", "vendor_admin"])
def test_a_project_the_caller_cannot_see_answers_404(client, cast, role):
    assert _members(client, cast, role).status_code == 404
