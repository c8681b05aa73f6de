"""The one access-control rule: which projects, and which project items, a user may see or change.

Every selector, view, API endpoint, export, feed and search goes through this module.
Anything a user may not see answers 404 (``Http404``): missing and forbidden look the same.

The rule, in words:
- a vendor manager sees every project of their own vendor organization;
- every other user sees the projects they are a member of, and only if the project belongs to their
  organization in that role (vendor roles: the project's vendor; customer roles: the project's
  customer; partner roles: any project they were explicitly added to);
- inside a project, items carry a ``visibility``: vendor users see all, customer users see items
  for the customer or partners, partner users see only items shared with partners.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import (
    CUSTOMER_ROLES,
    PARTNER_ROLES,
    VENDOR_ROLES,
    Organization,
    Project,
    ProjectMember,
    Role,
    Visibility,
)


class Perm(StrEnum):
    VIEW = "view"  # open the project and its shared items
    EDIT = "edit"  # change project settings and members
    CONTRIBUTE = "contribute"  # create and update vendor work items
    SEE_INTERNAL = "see_internal"  # vendor-only fields and items
    DECIDE = "decide"  # approve, sign off, choose an option (customer sponsor)
    COMMENT = "comment"  # ask, acknowledge, comment (customer roles)


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.VENDOR_MANAGER: frozenset({Perm.VIEW, Perm.EDIT, Perm.CONTRIBUTE, Perm.SEE_INTERNAL}),
    Role.VENDOR_PM: frozenset({Perm.VIEW, Perm.EDIT, Perm.CONTRIBUTE, Perm.SEE_INTERNAL}),
    Role.VENDOR_MEMBER: frozenset({Perm.VIEW, Perm.CONTRIBUTE, Perm.SEE_INTERNAL}),
    Role.CUSTOMER_SPONSOR: frozenset({Perm.VIEW, Perm.DECIDE, Perm.COMMENT}),
    Role.CUSTOMER_MEMBER: frozenset({Perm.VIEW, Perm.COMMENT}),
    Role.PARTNER_VIEWER: frozenset({Perm.VIEW}),
}

_ROLES_FOR_ORG_KIND = {
    Organization.Kind.VENDOR: VENDOR_ROLES,
    Organization.Kind.CUSTOMER: CUSTOMER_ROLES,
    Organization.Kind.PARTNER: PARTNER_ROLES,
}
_VISIBILITIES_FOR_ORG_KIND = {
    Organization.Kind.VENDOR: tuple(Visibility.values),
    Organization.Kind.CUSTOMER: (Visibility.CUSTOMER, Visibility.PARTNERS),
    Organization.Kind.PARTNER: (Visibility.PARTNERS,),
}


def _is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _project_condition(user, prefix: str = "") -> Q | None:
    """The visibility rule as a Q on Project (``prefix`` reaches Project from another model)."""
    if not _is_signed_in(user):
        return None
    org = user.organization
    roles = _ROLES_FOR_ORG_KIND[org.kind]
    membership = ProjectMember.objects.filter(
        project=OuterRef(f"{prefix}pk" if prefix else "pk"), user=user, role__in=roles
    )
    own_org_field = {
        Organization.Kind.VENDOR: "vendor_org",
        Organization.Kind.CUSTOMER: "customer_org",
        Organization.Kind.PARTNER: None,
    }[org.kind]
    condition = Q(Exists(membership))
    if own_org_field:
        condition &= Q(**{f"{prefix}{own_org_field}": org})
    if org.kind == Organization.Kind.VENDOR and user.is_vendor_manager:
        condition |= Q(**{f"{prefix}vendor_org": org})
    return condition


def projects_visible_to(user) -> QuerySet[Project]:
    """Every project the user may open."""
    condition = _project_condition(user)
    if condition is None:
        return Project.objects.none()
    return Project.objects.filter(condition)


def role_in(user, project: Project) -> Role | None:
    """The user's effective role in a project, or None when they may not see it."""
    if not _is_signed_in(user):
        return None
    org = user.organization
    if org.kind == Organization.Kind.VENDOR and user.is_vendor_manager and project.vendor_org_id == org.id:
        return Role.VENDOR_MANAGER
    if org.kind == Organization.Kind.VENDOR and project.vendor_org_id != org.id:
        return None
    if org.kind == Organization.Kind.CUSTOMER and project.customer_org_id != org.id:
        return None
    role = (
        ProjectMember.objects.filter(project=project, user=user, role__in=_ROLES_FOR_ORG_KIND[org.kind])
        .values_list("role", flat=True)
        .first()
    )
    return Role(role) if role else None


def perms_in(user, project: Project) -> frozenset[Perm]:
    role = role_in(user, project)
    return ROLE_PERMS[role] if role else frozenset()


def has_perm(user, perm: Perm, project: Project) -> bool:
    return perm in perms_in(user, project)


def project_for(user, pk, perm: Perm = Perm.VIEW) -> tuple[Project, Role]:
    """Look a project up for a user who needs ``perm`` in it; 404 when missing, hidden or not allowed."""
    try:
        project = Project.objects.select_related("vendor_org", "customer_org").get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    role = role_in(user, project)
    if role is None or perm not in ROLE_PERMS[role]:
        raise Http404
    return project, role


def items_visible_to(
    user, queryset: QuerySet, *, project_field: str = "project", visibility_field: str | None = "visibility"
) -> QuerySet:
    """Scope a queryset of project items to one user: visible projects, and the visibilities they may read.

    ``visibility_field=None`` is for items that everyone on the project may see (e.g. memberships).
    """
    condition = _project_condition(user, prefix=f"{project_field}__")
    if condition is None:
        return queryset.none()
    queryset = queryset.filter(condition)
    if visibility_field is not None:
        queryset = queryset.filter(**{f"{visibility_field}__in": visibilities_for(user)})
    return queryset


def visibilities_for(user) -> tuple[str, ...]:
    """The visibilities of project items ``user`` may read (on the projects they may see); none signed out.

    ``items_visible_to`` applies the same rule; caches of what a reader sees are keyed by it."""
    if not _is_signed_in(user):
        return ()
    return _VISIBILITIES_FOR_ORG_KIND[user.organization.kind]


def items_shared_with(
    user, queryset: QuerySet, *, project_field: str = "project", shares_field: str = "shares"
) -> QuerySet:
    """``items_visible_to``, narrowed for partner vendors to the items whose share list names their
    organization (``shares_field``: the reverse relation to rows with an ``organization``). Items shared
    with partners in general are not enough: each item says which partner vendors it is for."""
    queryset = items_visible_to(user, queryset, project_field=project_field)
    if _is_signed_in(user) and user.organization.kind == Organization.Kind.PARTNER:
        queryset = queryset.filter(**{f"{shares_field}__organization": user.organization_id})
    return queryset


def is_vendor_user(user) -> bool:
    return _is_signed_in(user) and user.organization.kind == Organization.Kind.VENDOR


# --- Accounts: one customer organization as seen by one vendor (vendor-internal) ---------------------------


def account_customers_visible_to(user) -> QuerySet[Organization]:
    """The customer organizations whose account a user may open: vendor users only, through their projects.

    A vendor manager sees every customer of their vendor that has a project; other vendor users see the
    customers of the projects they are a member of. Customer and partner users see none.
    """
    if not is_vendor_user(user):
        return Organization.objects.none()
    visible = projects_visible_to(user).filter(vendor_org=user.organization)
    return Organization.objects.filter(
        kind=Organization.Kind.CUSTOMER, pk__in=visible.values("customer_org_id")
    ).order_by("name")


def can_edit_account(user, customer: Organization) -> bool:
    """Vendor managers, and PMs of one of the account's projects, keep the account plan and signals."""
    if not is_vendor_user(user):
        return False
    if user.is_vendor_manager:
        return Project.objects.filter(vendor_org=user.organization, customer_org=customer).exists()
    return ProjectMember.objects.filter(
        user=user,
        role=Role.VENDOR_PM,
        project__vendor_org=user.organization,
        project__customer_org=customer,
    ).exists()


def account_for(user, customer_pk, *, edit: bool = False) -> Organization:
    """The customer organization of an account the user may open (or change); 404 otherwise."""
    try:
        customer = account_customers_visible_to(user).get(pk=customer_pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if edit and not can_edit_account(user, customer):
        raise Http404
    return customer
