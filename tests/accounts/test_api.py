"""The accounts API: reads, plan saves with optimistic locking, roadmap, key people, signals, bad input."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.accounts import services
from shinrai.accounts.models import AccountPlan, KeyPerson, RelationshipSignal, RoadmapStep
from shinrai.core.models import AuditEvent
from tests.factories import OrganizationFactory, ProjectFactory

Kind = RelationshipSignal.Kind


def base(customer):
    return f"/api/v1/accounts/{customer.pk}"


def login(client, cast, role):
    client.force_login(cast.users[role])
    return cast.users[role]


def test_list_accounts(client, cast, clock):
    manager = login(client, cast, "vendor_manager")
    services.signal_record(
        by=manager, customer=cast.customer, kind=Kind.MEETING, occurred_on=date(2026, 10, 30)
    )
    services.signal_record(
        by=manager, customer=cast.customer, kind=Kind.WON_WITHOUT_COMPETITION, occurred_on=date(2026, 4, 1)
    )
    data = client.get("/api/v1/accounts/").json()
    assert data["count"] == 2
    by_name = {item["name"]: item for item in data["items"]}
    c1 = by_name[cast.customer.name]
    assert c1["customer_id"] == cast.customer.pk
    assert c1["projects_count"] == 1
    assert c1["plan_updated_at"] is None
    assert c1["relationship"] == {
        "last_contact_on": "2026-10-30",
        "days_since_contact": 10,
        "silent": False,
        "wins_without_competition": 1,
        "wins_in_competition": 0,
        "share_without_competition": 1.0,
        "latest_rfp_kind": None,
        "latest_rfp_on": None,
        "competitor_quotes_last_year": 0,
    }
    assert by_name[cast.other_customer.name]["relationship"]["silent"] is True


@pytest.mark.parametrize("role", ["customer_sponsor", "partner_viewer", "outsider_customer"])
def test_customers_and_partners_get_404(client, cast, role):
    login(client, cast, role)
    assert client.get("/api/v1/accounts/").status_code == 404
    for customer in (cast.customer, cast.other_customer):
        assert client.get(base(customer)).status_code == 404
        assert client.get(f"{base(customer)}/signals").status_code == 404
        response = client.put(f"{base(customer)}/plan", {"version": 0}, content_type="application/json")
        assert response.status_code == 404
    assert not AccountPlan.objects.exists()


def test_get_account(client, cast, clock):
    pm = cast.users["vendor_pm"]
    services.plan_save(by=pm, customer=cast.customer, version=0, business="製造業", to_be="即時集計")
    step = services.roadmap_step_create(
        by=pm, customer=cast.customer, fiscal_year=2026, title="見える化", project=cast.own
    )
    person = services.key_person_create(
        by=pm, customer=cast.customer, name="佐藤", meet_every_days=30, last_met_on=date(2026, 9, 25)
    )
    login(client, cast, "vendor_member")
    data = client.get(base(cast.customer)).json()
    assert data["can_edit"] is False
    assert data["plan"]["version"] == 1 and data["plan"]["business"] == "製造業"
    assert data["plan"]["to_be"] == "即時集計" and data["plan"]["updated_by"] == "vendor_pm"
    assert data["roadmap"] == [
        {
            "id": step.pk,
            "fiscal_year": 2026,
            "title": "見える化",
            "description": "",
            "status": "idea",
            "project_id": cast.own.pk,
            "position": 0,
        }
    ]
    assert data["key_people"][0] | {} == {
        "id": person.pk,
        "name": "佐藤",
        "position": "",
        "influence": "",
        "meet_every_days": 30,
        "last_met_on": "2026-09-25",
        "days_since_met": 45,
        "overdue": True,
        "notes": "",
    }
    assert data["relationship"]["last_contact_on"] == "2026-09-25"
    assert data["projects"] == [{"id": cast.own.pk, "code": "OWN-1", "name": "自社案件"}]


def test_get_account_without_plan(client, cast, clock):
    login(client, cast, "vendor_pm")
    data = client.get(base(cast.customer)).json()
    assert data["can_edit"] is True
    assert data["plan"]["version"] == 0 and data["plan"]["business"] == ""
    assert data["roadmap"] == [] and data["key_people"] == []


def test_put_plan_and_stale_version(client, cast, clock):
    login(client, cast, "vendor_pm")
    url = f"{base(cast.customer)}/plan"
    response = client.put(url, {"version": 0, "business": "製造業"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["version"] == 1
    response = client.put(url, {"version": 1, "business": "精密部品"}, content_type="application/json")
    assert response.json()["version"] == 2
    # A client that still holds version 1 is refused; nothing is written.
    response = client.put(url, {"version": 1, "business": "古い版から"}, content_type="application/json")
    assert response.status_code == 409
    assert "Someone else saved this account plan" in response.json()["detail"]
    plan = AccountPlan.objects.get()
    assert (plan.business, plan.version) == ("精密部品", 2)
    assert AuditEvent.objects.filter(action__startswith="account_plan.").count() == 2
    # A first save from version 0 when a plan exists is stale too.
    response = client.put(url, {"version": 0, "business": "x"}, content_type="application/json")
    assert response.status_code == 409


def test_put_plan_bad_input(client, cast, clock):
    login(client, cast, "vendor_pm")
    url = f"{base(cast.customer)}/plan"
    for body in ({"business": "x"}, {"version": -1}, {"version": 0, "unknown": "x"}):
        response = client.put(url, body, content_type="application/json")
        assert response.status_code == 422, body
    response = client.put(url, {"version": 0, "market": "x" * 20_001}, content_type="application/json")
    assert response.status_code == 422
    assert not AccountPlan.objects.exists()


def test_vendor_member_reads_but_gets_403_on_writes(client, cast, clock):
    step = services.roadmap_step_create(
        by=cast.users["vendor_pm"], customer=cast.customer, fiscal_year=2026, title="x"
    )
    login(client, cast, "vendor_member")
    b = base(cast.customer)
    assert client.get(b).status_code == 200
    assert client.get(f"{b}/signals").status_code == 200
    json = "application/json"
    assert client.put(f"{b}/plan", {"version": 1}, content_type=json).status_code == 403
    assert (
        client.post(f"{b}/roadmap", {"fiscal_year": 2026, "title": "y"}, content_type=json).status_code == 403
    )
    assert client.patch(f"{b}/roadmap/{step.pk}", {"title": "z"}, content_type=json).status_code == 403
    assert client.delete(f"{b}/roadmap/{step.pk}").status_code == 403
    assert client.post(f"{b}/key-people", {"name": "y"}, content_type=json).status_code == 403
    body = {"kind": "meeting", "occurred_on": "2026-11-01"}
    assert client.post(f"{b}/signals", body, content_type=json).status_code == 403
    assert RoadmapStep.objects.get().title == "x"
    assert not RelationshipSignal.objects.exists() and not KeyPerson.objects.exists()


def test_roadmap_crud(client, cast, clock):
    login(client, cast, "vendor_pm")
    b = base(cast.customer)
    json = "application/json"
    response = client.post(
        f"{b}/roadmap",
        {"fiscal_year": 2027, "title": "需要予測", "status": "planned", "project_id": cast.own.pk},
        content_type=json,
    )
    assert response.status_code == 201
    step_id = response.json()["id"]
    response = client.patch(
        f"{b}/roadmap/{step_id}", {"fiscal_year": 2028, "project_id": None}, content_type=json
    )
    assert response.status_code == 200
    assert (response.json()["fiscal_year"], response.json()["project_id"], response.json()["title"]) == (
        2028,
        None,
        "需要予測",
    )
    assert client.patch(f"{b}/roadmap/{step_id}", {"title": None}, content_type=json).status_code == 422
    assert (
        client.patch(f"{b}/roadmap/{step_id}", {"status": "dreaming"}, content_type=json).status_code == 422
    )
    # A step id of this plan under another customer's URL is not found.
    assert client.delete(f"{base(cast.other_customer)}/roadmap/{step_id}").status_code == 404
    assert client.delete(f"{b}/roadmap/{step_id}").status_code == 204
    assert not RoadmapStep.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"fiscal_year": 1999, "title": "x"},
        {"fiscal_year": 2027, "title": ""},
        {"fiscal_year": 2027, "title": "x", "status": "unknown"},
        {"fiscal_year": 2027, "title": "x", "project_id": "OTHER"},
        {"fiscal_year": 2027, "title": "x", "project_id": "FOREIGN"},
        {"fiscal_year": 2027, "title": "x", "project_id": 999999},
    ],
)
def test_roadmap_bad_input(client, cast, clock, body):
    projects = {"OTHER": cast.other.pk, "FOREIGN": cast.foreign.pk}
    body = body | ({"project_id": projects[body["project_id"]]} if body.get("project_id") in projects else {})
    login(client, cast, "vendor_manager")
    response = client.post(f"{base(cast.customer)}/roadmap", body, content_type="application/json")
    assert response.status_code == 422
    assert not RoadmapStep.objects.exists()


def test_key_people_crud(client, cast, clock):
    login(client, cast, "vendor_pm")
    b = base(cast.customer)
    json = "application/json"
    response = client.post(
        f"{b}/key-people",
        {"name": "佐藤", "influence": "decision_maker", "meet_every_days": 30, "last_met_on": "2026-10-01"},
        content_type=json,
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["days_since_met"], data["overdue"]) == (39, True)
    person_id = data["id"]
    response = client.patch(f"{b}/key-people/{person_id}", {"last_met_on": "2026-11-09"}, content_type=json)
    assert (response.json()["days_since_met"], response.json()["overdue"]) == (0, False)
    response = client.patch(f"{b}/key-people/{person_id}", {"last_met_on": "2026-11-10"}, content_type=json)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "last_met_on", "message": "The date cannot be in the future."}
    ]
    assert (
        client.patch(f"{b}/key-people/{person_id}", {"meet_every_days": 0}, content_type=json).status_code
        == 422
    )
    assert (
        client.patch(f"{b}/key-people/{person_id}", {"influence": None}, content_type=json).json()[
            "influence"
        ]
        == ""
    )
    assert KeyPerson.objects.get().last_met_on == date(2026, 11, 9)
    assert client.delete(f"{b}/key-people/{person_id}").status_code == 204
    assert not KeyPerson.objects.exists()


def test_signals_get_and_post(client, cast, clock):
    login(client, cast, "vendor_pm")
    b = base(cast.customer)
    json = "application/json"
    response = client.post(
        f"{b}/signals",
        {
            "kind": "learned_from_rfp",
            "occurred_on": "2026-11-02",
            "project_id": cast.own.pk,
            "note": "遅れて知った",
        },
        content_type=json,
    )
    assert response.status_code == 201
    assert response.json()["kind_label"] == "Learned of it only from the RFP"
    client.post(f"{b}/signals", {"kind": "meeting", "occurred_on": "2026-11-05"}, content_type=json)
    data = client.get(f"{b}/signals").json()
    assert data["count"] == 2
    assert [item["kind"] for item in data["items"]] == ["meeting", "learned_from_rfp"]
    assert data["items"][1]["recorded_by"] == "vendor_pm" and data["items"][1]["project_id"] == cast.own.pk
    assert client.get(base(cast.customer)).json()["relationship"]["latest_rfp_kind"] == "learned_from_rfp"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "meeting", "occurred_on": "2026-11-10"}, "occurred_on"),  # tomorrow
        ({"kind": "gossip", "occurred_on": "2026-11-01"}, "kind"),
        ({"kind": "meeting", "occurred_on": "not a date"}, "occurred_on"),
        ({"kind": "meeting", "occurred_on": "2026-11-01", "project_id": "OTHER"}, "project_id"),
        ({"kind": "meeting"}, "occurred_on"),
    ],
)
def test_signal_bad_input(client, cast, clock, body, field):
    if body.get("project_id") == "OTHER":
        body = body | {"project_id": cast.other.pk}
    login(client, cast, "vendor_manager")
    response = client.post(f"{base(cast.customer)}/signals", body, content_type="application/json")
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]
    assert not RelationshipSignal.objects.exists()


def test_list_and_detail_have_constant_queries(client, cast, clock):
    manager = login(client, cast, "vendor_manager")

    def grow(n):
        for i in range(n):
            customer = OrganizationFactory()
            ProjectFactory(vendor_org=cast.vendor, customer_org=customer)
            services.signal_record(
                by=manager, customer=customer, kind=Kind.MEETING, occurred_on=date(2026, 9, 1)
            )
            services.roadmap_step_create(by=manager, customer=cast.customer, fiscal_year=2026, title=f"s{i}")
            services.key_person_create(by=manager, customer=cast.customer, name=f"k{i}")

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    grow(1)
    small = [count(u) for u in ("/api/v1/accounts/", base(cast.customer), f"{base(cast.customer)}/signals")]
    grow(4)
    large = [count(u) for u in ("/api/v1/accounts/", base(cast.customer), f"{base(cast.customer)}/signals")]
    assert small == large
