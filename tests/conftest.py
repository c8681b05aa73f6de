"""The fixed cast every test module uses: one person per role, in their own tenant and in others.

Project ``own`` (vendor V, customer C1) has a member for every project role. ``other`` belongs to the same
vendor but another customer (C2); ``foreign`` belongs to another vendor (V2). ``outsider_customer`` is the
sponsor of ``other``: a customer of another organization.
"""

from dataclasses import dataclass

import pytest

from shinrai.core.models import Organization, Project, Role, User

from .factories import OrganizationFactory, ProjectFactory, ProjectMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_session_idle_limit(settings):
    # Many tests pin the clock and move it on by hours between two requests of one signed-in client; the
    # idle limit would sign them out. tests/security/test_session_lifecycle.py sets it and tests it.
    settings.SESSION_IDLE_MINUTES = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    # Charts and schedule summaries are cached by a data fingerprint; rolled-back tests can reuse ids and
    # (with a pinned clock) timestamps, so one test's cached picture must never answer another's.
    from tests.caches import clear_caches

    clear_caches()


@dataclass
class Cast:
    vendor: Organization
    other_vendor: Organization
    customer: Organization
    other_customer: Organization
    partner: Organization
    own: Project
    other: Project
    foreign: Project
    users: dict[str, User]


CAST_ROLES = [
    "vendor_manager",
    "vendor_pm",
    "vendor_member",
    "customer_sponsor",
    "customer_member",
    "partner_viewer",
    "outsider_customer",
    "outsider_partner",
    "vendor_admin",
    "other_vendor_manager",
]


@pytest.fixture
def cast(db) -> Cast:
    vendor = OrganizationFactory(name="ベンダーV", kind=Organization.Kind.VENDOR)
    other_vendor = OrganizationFactory(name="ベンダーV2", kind=Organization.Kind.VENDOR)
    customer = OrganizationFactory(name="顧客C1", kind=Organization.Kind.CUSTOMER)
    other_customer = OrganizationFactory(name="顧客C2", kind=Organization.Kind.CUSTOMER)
    partner = OrganizationFactory(name="協力会社P1", kind=Organization.Kind.PARTNER)
    other_partner = OrganizationFactory(name="協力会社P2", kind=Organization.Kind.PARTNER)

    own = ProjectFactory(vendor_org=vendor, customer_org=customer, code="OWN-1", name="自社案件")
    other = ProjectFactory(vendor_org=vendor, customer_org=other_customer, code="OTHER-1", name="他顧客案件")
    foreign = ProjectFactory(
        vendor_org=other_vendor, customer_org=customer, code="FOREIGN-1", name="他社案件"
    )

    def user(key, org, **fields):
        return UserFactory(email=f"{key}@example.jp", display_name=key, organization=org, **fields)

    users = {
        "vendor_manager": user("vendor_manager", vendor, is_vendor_manager=True),
        "vendor_pm": user("vendor_pm", vendor),
        "vendor_member": user("vendor_member", vendor),
        "customer_sponsor": user("customer_sponsor", customer),
        "customer_member": user("customer_member", customer),
        "partner_viewer": user("partner_viewer", partner),
        "outsider_customer": user("outsider_customer", other_customer),
        "outsider_partner": user("outsider_partner", other_partner),
        "vendor_admin": user("vendor_admin", vendor, is_staff=True, is_superuser=True),
        "other_vendor_manager": user("other_vendor_manager", other_vendor, is_vendor_manager=True),
    }
    for key, role in [
        ("vendor_pm", Role.VENDOR_PM),
        ("vendor_member", Role.VENDOR_MEMBER),
        ("customer_sponsor", Role.CUSTOMER_SPONSOR),
        ("customer_member", Role.CUSTOMER_MEMBER),
        ("partner_viewer", Role.PARTNER_VIEWER),
    ]:
        ProjectMemberFactory(project=own, user=users[key], role=role)
    ProjectMemberFactory(project=other, user=users["outsider_customer"], role=Role.CUSTOMER_SPONSOR)
    return Cast(vendor, other_vendor, customer, other_customer, partner, own, other, foreign, users)
