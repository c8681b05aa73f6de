"""The demo data: idempotent, and every demo login lands on the right home page."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from shinrai.core.demo import DEMO_PASSWORD, USERS, load_demo
from shinrai.core.models import AuditEvent, Organization, Project, ProjectMember, User


def test_demo_is_idempotent(db):
    first = load_demo()
    counts = (
        Organization.objects.count(),
        User.objects.count(),
        Project.objects.count(),
        ProjectMember.objects.count(),
        AuditEvent.objects.count(),
    )
    second = load_demo()
    assert first == {"organizations": 5, "users": 12, "projects": 6}
    assert second == {"organizations": 0, "users": 0, "projects": 0}
    assert counts == (
        Organization.objects.count(),
        User.objects.count(),
        Project.objects.count(),
        ProjectMember.objects.count(),
        AuditEvent.objects.count(),
    )


def test_demo_has_three_customers_a_partner_and_six_phases(db):
    load_demo()
    kinds = sorted(Organization.objects.values_list("kind", flat=True))
    assert kinds == ["customer", "customer", "customer", "partner", "vendor"]
    assert Project.objects.values("phase").distinct().count() == 6


@pytest.mark.parametrize("demo_user", USERS, ids=lambda u: u.email)
def test_every_demo_login_lands_on_its_home(client, db, demo_user):
    load_demo()
    response = client.post(
        reverse("login"), {"username": demo_user.email, "password": DEMO_PASSWORD}, follow=True
    )
    final_path = response.redirect_chain[-1][0]
    vendor = demo_user.email.endswith("@sample-systems.example.jp")
    assert final_path == (reverse("core:portfolio") if vendor else reverse("core:portal"))
    assert response.status_code == 200


def test_demo_command_prints_the_logins(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert all(user.email in out for user in USERS)
