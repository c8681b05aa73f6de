"""The trust pages and API: who sees them, what they show, definitions one click away, constant queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.accounts import indicators as ind
from shinrai.accounts import trust_selectors
from shinrai.core.models import Organization, Role
from tests.caches import clear_caches

from ..factories import OrganizationFactory, ProjectFactory, ProjectMemberFactory
from .test_trust import (
    K,
    at,
    build_scenario,
    milestone,
    question,
    report,
    request,
    response,
    signal,
    survey,
    task,
    trouble,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(cast):
    return build_scenario(cast)


@pytest.fixture
def now(clock):
    clock.set(2026, 11, 9, 10, 0)
    return clock.at


def test_portfolio_page_lists_accounts_drifting_first_with_warnings(client, scenario, now):
    client.force_login(scenario.users["vendor_manager"])
    response_ = client.get(reverse("trust:portfolio"))
    assert response_.status_code == 200
    html = response_.content.decode()
    first, second = (
        html.index(f'id="account-{scenario.customer.pk}"'),
        html.index(f'id="account-{scenario.other_customer.pk}"'),
    )
    assert first < second
    assert "Drifting to 'one of them'" in html
    assert "We learned of their RFP of 2026-09-15 only from the RFP itself." in html
    assert "No meaningful contact for 100 days." in html
    assert "The customer found 2 troubles before we told them (last 90 days)." in html
    assert f'id="project-{scenario.own.pk}"' in html and f'id="project-{scenario.other.pk}"' in html
    # Every indicator's name links to its definition.
    definitions = reverse("trust:definitions")
    for definition in ind.DEFINITIONS:
        assert f'href="{definitions}#{definition.anchor}"' in html, definition.id
    assert 'class="trust-figure trust-red"' in html and "66.7%" in html


def test_a_pm_sees_only_their_projects_and_accounts(client, scenario, now):
    client.force_login(scenario.users["vendor_pm"])
    html = client.get(reverse("trust:portfolio")).content.decode()
    assert scenario.own.code in html and scenario.other.code not in html
    assert scenario.other_customer.name not in html


def test_account_page(client, scenario, now):
    client.force_login(scenario.users["vendor_pm"])
    html = client.get(reverse("trust:account", args=[scenario.customer.pk])).content.decode()
    assert "Drifting to 'one of them'" in html
    assert "5 warnings" in html
    assert 'id="figure-days_since_contact"' in html and "100 days" in html
    assert "Learned of it only from the RFP" in html
    assert scenario.own.code in html
    assert client.get(reverse("trust:account", args=[scenario.other_customer.pk])).status_code == 404


def test_project_page_shows_figures_with_previous_and_over_under(client, scenario, now):
    client.force_login(scenario.users["vendor_member"])
    html = client.get(reverse("trust:project", args=[scenario.own.pk])).content.decode()
    assert 'id="figure-estimate_accuracy"' in html
    assert "5% over the estimate" in html
    assert "Previous window: 150%" in html
    assert "Weekly report punctuality fell by 25 points (from 100% to 75%)." in html
    assert reverse("trust:account", args=[scenario.customer.pk]) in html
    # relationship figures belong to the account, not the project
    assert 'id="figure-days_since_contact"' not in html


def test_definitions_page_has_every_indicator_with_its_formula(client, cast):
    client.force_login(cast.users["vendor_member"])
    html = client.get(reverse("trust:definitions")).content.decode()
    for definition in ind.DEFINITIONS:
        assert f'id="{definition.anchor}"' in html
        assert definition.name_ja in html
    assert "median of (disclosed at − detected at)" in html


@pytest.mark.parametrize(
    "role", ["customer_sponsor", "customer_member", "partner_viewer", "outsider_customer"]
)
def test_customers_and_partners_never_see_the_dashboard(client, scenario, now, role):
    client.force_login(scenario.users[role])
    for url in (
        reverse("trust:portfolio"),
        reverse("trust:definitions"),
        reverse("trust:account", args=[scenario.customer.pk]),
        reverse("trust:project", args=[scenario.own.pk]),
        "/api/v1/trust",
        f"/api/v1/accounts/{scenario.customer.pk}/trust",
        f"/api/v1/projects/{scenario.own.pk}/trust",
    ):
        assert client.get(url).status_code == 404, url


def test_the_project_page_has_the_trust_button_for_vendor_roles(client, cast):
    client.force_login(cast.users["vendor_member"])
    html = client.get(reverse("core:project_home", args=[cast.own.pk])).content.decode()
    assert f'href="{reverse("trust:project", args=[cast.own.pk])}"' in html


def test_trust_link_is_empty_for_non_vendor_roles(cast):
    from shinrai.accounts.templatetags.trust_tags import trust_link

    assert trust_link(cast.own, Role.CUSTOMER_SPONSOR) == ""
    assert trust_link(cast.own, None) == ""
    assert "trust" in trust_link(cast.own, Role.VENDOR_MEMBER)


def test_bad_ids_answer_404(client, cast):
    client.force_login(cast.users["vendor_manager"])
    assert client.get("/trust/customers/999999/").status_code == 404
    assert client.get("/projects/999999/trust/").status_code == 404
    assert client.get(f"/trust/customers/{cast.vendor.pk}/").status_code == 404  # a vendor is no account
    assert client.get("/api/v1/accounts/999999/trust").status_code == 404


# --- API ----------------------------------------------------------------------------------------------------


def test_api_portfolio(client, scenario, now):
    client.force_login(scenario.users["vendor_manager"])
    body = client.get("/api/v1/trust").json()
    assert [a["customer_id"] for a in body["accounts"]] == [scenario.customer.pk, scenario.other_customer.pk]
    c1 = body["accounts"][0]
    assert c1["drifting"] is True
    assert c1["project_ids"] == [scenario.own.pk]
    assert [w["code"] for w in c1["warnings"]] == [
        "rfp",
        "no_contact",
        "satisfaction_drop",
        "punctuality",
        "customer_found_first",
    ]
    by_id = {i["id"]: i for i in c1["indicators"]}
    assert by_id["milestones_on_time"] | {"definition_url": ""} == {
        "id": "milestones_on_time",
        "name": "Milestones on time",
        "value": 66.7,
        "previous": 0.0,
        "delta": 66.7,
        "unit": "%",
        "status": "red",
        "trend": "better",
        "basis": 3,
        "definition_url": "",
    }
    assert by_id["milestones_on_time"]["definition_url"].endswith(
        "/trust/definitions/#indicator-milestones_on_time"
    )
    assert by_id["latest_rfp"]["value"] == "learned_from_rfp"
    assert len(by_id) == 16
    assert {i["id"] for i in body["indicators"]} == set(ind.PROJECT_IDS)


def test_api_account_and_project(client, scenario, now):
    client.force_login(scenario.users["vendor_pm"])
    account = client.get(f"/api/v1/accounts/{scenario.customer.pk}/trust").json()
    assert account["name"] == scenario.customer.name
    assert [p["project_id"] for p in account["projects"]] == [scenario.own.pk]
    project = client.get(f"/api/v1/projects/{scenario.own.pk}/trust").json()
    assert {i["id"]: i["value"] for i in project["indicators"]}["request_ack_hours"] == 3.0
    assert (
        project["warnings"][2]["sentence"]
        == "The customer found 2 troubles before we told them (last 90 days)."
    )
    assert client.get(f"/api/v1/projects/{scenario.other.pk}/trust").status_code == 404
    assert client.get(f"/api/v1/accounts/{scenario.other_customer.pk}/trust").status_code == 404


# --- Cache -----------------------------------------------------------------------------------------------


def test_the_cached_board_follows_new_data(client, scenario, now):
    from shinrai.troubles import services as trouble_services

    user = scenario.users["vendor_pm"]
    trust_selectors.trust_board_cached(user=user)
    with CaptureQueriesContext(connection) as cached:
        again = trust_selectors.trust_board_cached(user=user)
    assert len(cached) == 1  # the fingerprint only
    assert again.project(scenario.own.pk).figures["disclosed_first"].value == 66.7
    # A write through a service (audited) changes the fingerprint: the next read computes afresh.
    created = trouble_services.trouble_create(
        by=user,
        project=scenario.own,
        kind="issue",
        title="新規",
        facts="事実",
        detected_at=at(2026, 11, 9, 8),
    )
    trouble_services.trouble_disclose(
        by=user, trouble=created, version=created.version, visibility="customer"
    )
    fresh = trust_selectors.trust_board_cached(user=user)
    assert fresh.project(scenario.own.pk).figures["disclosed_first"].value == 75.0


# --- Constant queries ------------------------------------------------------------------------------------


def _project_with_data(cast, vendor, customer, n):
    project = ProjectFactory(
        vendor_org=vendor, customer_org=customer, code=f"Q-{n}", start_date=date(2026, 6, 1)
    )
    ProjectMemberFactory(project=project, user=cast.users["vendor_pm"], role=Role.VENDOR_PM)
    milestone(project, date(2026, 10, 10), date(2026, 10, 9))
    task(project, 10, 12, at(2026, 10, 1, 12))
    request(
        cast, project, created=at(2026, 10, 1, 9), due=at(2026, 10, 2, 12), acknowledged=at(2026, 10, 1, 10)
    )
    trouble(project, detected=at(2026, 10, 1, 9), disclosed=at(2026, 10, 1, 12), found_by="customer")
    weekly = report(project, date(2026, 10, 5), at(2026, 10, 12, 9))
    question(cast, weekly, at(2026, 10, 13, 9), [at(2026, 10, 13, 12)])
    response(survey(cast, project), at(2026, 10, 1, 10), 4.0, 4.0, 9)
    signal(cast, customer, K.MEETING, date(2026, 10, 1) - timedelta(days=n))
    return project


def _count(client, user, url) -> int:
    clear_caches()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["vendor_manager", "vendor_pm"])
def test_the_same_number_of_queries_for_2_and_12_projects(client, cast, now, role):
    user = cast.users[role]
    _project_with_data(cast, cast.vendor, cast.customer, 0)
    _project_with_data(cast, cast.vendor, cast.other_customer, 1)
    first = _project_with_data(cast, cast.vendor, cast.customer, 2)
    urls = [
        reverse("trust:portfolio"),
        reverse("trust:account", args=[cast.customer.pk]),
        reverse("trust:project", args=[first.pk]),
        "/api/v1/trust",
    ]
    small = [_count(client, user, url) for url in urls]
    for n in range(3, 13):
        customer = OrganizationFactory(kind=Organization.Kind.CUSTOMER)
        _project_with_data(cast, cast.vendor, customer, n)
    large = [_count(client, user, url) for url in urls]
    assert small == large
    board = trust_selectors.trust_board(user=user, now=now)
    assert len(board.projects) >= 12
    assert board.figures["disclosed_first"].value == 0.0  # every generated trouble was found by the customer


def test_a_vendor_user_without_projects_sees_an_empty_dashboard(client, cast):
    client.force_login(cast.users["vendor_admin"])  # staff, no memberships, not a manager
    response_ = client.get(reverse("trust:portfolio"))
    assert response_.status_code == 200
    assert "No accounts yet." in response_.content.decode()
    body = client.get("/api/v1/trust").json()
    assert body["accounts"] == [] and {i["value"] for i in body["indicators"]} == {None}
