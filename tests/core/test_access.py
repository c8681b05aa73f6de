"""The access rule itself, through the public functions other apps use."""

import pytest
from django.http import Http404

from shinrai.core import access
from shinrai.core.models import ProjectMember, Role

from ..factories import ProjectMemberFactory


def test_projects_visible_to_anonymous_is_empty(cast):
    from django.contrib.auth.models import AnonymousUser

    assert list(access.projects_visible_to(AnonymousUser())) == []


def test_inactive_user_sees_nothing(cast):
    user = cast.users["vendor_pm"]
    user.is_active = False
    assert list(access.projects_visible_to(user)) == []
    assert access.role_in(user, cast.own) is None


def test_vendor_manager_sees_every_project_of_their_vendor_only(cast):
    codes = set(access.projects_visible_to(cast.users["vendor_manager"]).values_list("code", flat=True))
    assert codes == {"OWN-1", "OTHER-1"}
    assert access.role_in(cast.users["vendor_manager"], cast.foreign) is None


def test_customer_membership_in_another_customers_project_grants_nothing(cast):
    # Even if a membership row slipped in, a customer never sees a project of another customer.
    ProjectMember.objects.create(
        project=cast.other, user=cast.users["customer_sponsor"], role=Role.CUSTOMER_MEMBER
    )
    assert access.role_in(cast.users["customer_sponsor"], cast.other) is None
    codes = set(access.projects_visible_to(cast.users["customer_sponsor"]).values_list("code", flat=True))
    assert codes == {"OWN-1"}


def test_role_must_fit_the_organization_kind(cast):
    # A partner user recorded with a vendor role does not get vendor rights.
    ProjectMemberFactory(project=cast.other, user=cast.users["outsider_partner"], role=Role.VENDOR_PM)
    assert access.role_in(cast.users["outsider_partner"], cast.other) is None


@pytest.mark.parametrize(
    ("role", "perms"),
    [
        ("vendor_pm", {"view", "edit", "contribute", "see_internal"}),
        ("vendor_member", {"view", "contribute", "see_internal"}),
        ("customer_sponsor", {"view", "decide", "comment"}),
        ("customer_member", {"view", "comment"}),
        ("partner_viewer", {"view"}),
        ("outsider_customer", set()),
    ],
)
def test_perms_in_own_project(cast, role, perms):
    assert {str(p) for p in access.perms_in(cast.users[role], cast.own)} == perms


def test_project_for_answers_404_for_missing_forbidden_and_malformed(cast):
    user = cast.users["customer_sponsor"]
    assert access.project_for(user, cast.own.pk)[0] == cast.own
    for pk in (cast.other.pk, cast.foreign.pk, 999_999, "abc", None):
        with pytest.raises(Http404):
            access.project_for(user, pk)
    with pytest.raises(Http404):
        access.project_for(user, cast.own.pk, access.Perm.SEE_INTERNAL)


def test_items_visible_to_scopes_project_items(cast):
    queryset = ProjectMember.objects.all()
    sponsor_items = access.items_visible_to(cast.users["customer_sponsor"], queryset, visibility_field=None)
    assert {m.project_id for m in sponsor_items} == {cast.own.pk}
    manager_items = access.items_visible_to(cast.users["vendor_manager"], queryset, visibility_field=None)
    assert {m.project_id for m in manager_items} == {cast.own.pk, cast.other.pk}
    assert not access.items_visible_to(
        cast.users["outsider_partner"], queryset, visibility_field=None
    ).exists()


def test_visible_projects_query_count_does_not_grow(cast, django_assert_num_queries):
    from ..factories import ProjectFactory

    user = cast.users["vendor_manager"]
    with django_assert_num_queries(1):
        first = list(access.projects_visible_to(user))
    for _ in range(5):
        ProjectFactory(vendor_org=cast.vendor)
    with django_assert_num_queries(1):
        assert len(list(access.projects_visible_to(user))) == len(first) + 5
