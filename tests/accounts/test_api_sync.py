"""The accounts API for a copy kept elsewhere (the plan's ETag and If-Match, ``updated_since`` on the list),
the "met today" button, and the trust indicators' definitions."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.accounts import services
from shinrai.accounts.models import AccountPlan, KeyPerson
from shinrai.core.models import AuditEvent

PLAN = {"business": "精密部品の製造", "strategy": "海外展開"}


def _plan_url(customer):
    return f"/api/v1/accounts/{customer.pk}/plan"


def _save(cast, customer=None, version=0, **fields):
    return services.plan_save(
        by=cast.users["vendor_manager"],
        customer=customer or cast.customer,
        version=version,
        **(PLAN | fields),
    )


def test_plan_etag_and_not_modified(cast, client, clock):
    client.force_login(cast.users["vendor_member"])
    empty = client.get(_plan_url(cast.customer))
    assert empty.status_code == 200 and empty.json()["version"] == 0 and "ETag" not in empty
    _save(cast)
    first = client.get(_plan_url(cast.customer))
    assert first.json()["business"] == "精密部品の製造" and first.json()["version"] == 1
    tag = first["ETag"]
    assert client.get(_plan_url(cast.customer), headers={"If-None-Match": tag}).status_code == 304
    clock.set(2026, 11, 9, 11)
    _save(cast, version=1, business="医療機器")
    changed = client.get(_plan_url(cast.customer), headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag and changed.json()["version"] == 2


def test_plan_put_with_if_match(cast, client, clock):
    _save(cast)
    client.force_login(cast.users["vendor_pm"])
    tag = client.get(_plan_url(cast.customer))["ETag"]
    clock.set(2026, 11, 9, 10, 30)
    saved = client.put(
        _plan_url(cast.customer),
        {"version": 1, "business": "医療機器"},
        content_type="application/json",
        headers={"If-Match": tag},
    )
    assert saved.status_code == 200 and saved.json()["version"] == 2
    assert saved["ETag"] == client.get(_plan_url(cast.customer))["ETag"] != tag
    # the ETag read before that save is stale now: 412, nothing written (even with the current version)
    stale = client.put(
        _plan_url(cast.customer),
        {"version": 2, "business": "食品"},
        content_type="application/json",
        headers={"If-Match": tag},
    )
    assert stale.status_code == 412
    assert stale.json()["detail"] == (
        "This was changed by someone else after you read it. Read it again and redo your change."
    )
    plan = AccountPlan.objects.get()
    assert (plan.business, plan.version) == ("医療機器", 2)


def test_plan_version_still_answers_409(cast, client):
    _save(cast)
    client.force_login(cast.users["vendor_manager"])
    stale = client.put(
        _plan_url(cast.customer), {"version": 0, "business": "x"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("Someone else saved this account plan after you opened it.")
    assert AccountPlan.objects.get().business == "精密部品の製造"


def test_if_match_without_a_plan_answers_412(cast, client):
    client.force_login(cast.users["vendor_manager"])
    refused = client.put(
        _plan_url(cast.customer),
        {"version": 0, "business": "x"},
        content_type="application/json",
        headers={"If-Match": '"anything"'},
    )
    assert refused.status_code == 412 and not AccountPlan.objects.exists()
    created = client.put(
        _plan_url(cast.customer), {"version": 0, "business": "x"}, content_type="application/json"
    )
    assert created.status_code == 200 and created["ETag"]


def test_plan_read_and_write_refusals(cast, client):
    for role in ("customer_sponsor", "partner_viewer", "outsider_customer"):
        client.force_login(cast.users[role])
        assert client.get(_plan_url(cast.customer)).status_code == 404, role
    client.force_login(cast.users["vendor_member"])
    refused = client.put(
        _plan_url(cast.customer), {"version": 0, "business": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403 and not AccountPlan.objects.exists()


def test_account_list_updated_since(cast, client, clock):
    clock.set(2026, 11, 1, 9)
    _save(cast, customer=cast.other_customer)
    clock.set(2026, 11, 5, 9)
    _save(cast)
    client.force_login(cast.users["vendor_manager"])
    everyone = client.get("/api/v1/accounts/").json()
    assert everyone["count"] == 2
    since = client.get("/api/v1/accounts/", {"updated_since": "2026-11-03T00:00:00"}).json()
    assert [item["customer_id"] for item in since["items"]] == [cast.customer.pk]
    assert since["items"][0]["plan_updated_at"].startswith("2026-11-05T00:00:00")
    # oldest change first; an account without a plan never matches
    both = client.get("/api/v1/accounts/", {"updated_since": "2026-11-01T09:00:00+09:00"}).json()
    assert [item["customer_id"] for item in both["items"]] == [cast.other_customer.pk, cast.customer.pk]
    AccountPlan.objects.filter(customer_org=cast.other_customer).delete()
    assert client.get("/api/v1/accounts/", {"updated_since": "2000-01-01T00:00:00"}).json()["count"] == 1
    assert client.get("/api/v1/accounts/", {"updated_since": "yesterday"}).status_code == 422


def test_account_list_updated_since_adds_no_query(cast, client, clock):
    _save(cast)
    client.force_login(cast.users["vendor_manager"])
    with CaptureQueriesContext(connection) as plain:
        client.get("/api/v1/accounts/")
    with CaptureQueriesContext(connection) as filtered:
        client.get("/api/v1/accounts/", {"updated_since": "2026-01-01T00:00:00"})
    assert len(filtered) == len(plain)


def _person(cast, **fields):
    return services.key_person_create(
        by=cast.users["vendor_manager"], customer=cast.customer, name="佐藤部長", **fields
    )


def test_met_today(cast, client, clock):
    person = _person(cast, meet_every_days=30, last_met_on=date(2026, 9, 1))
    url = f"/api/v1/accounts/{cast.customer.pk}/key-people/{person.pk}/met"
    client.force_login(cast.users["vendor_pm"])
    response = client.post(url)
    assert response.status_code == 200
    body = response.json()
    assert body["last_met_on"] == "2026-11-09" and body["days_since_met"] == 0 and body["overdue"] is False
    assert AuditEvent.objects.filter(action="key_person.met").count() == 1
    # pressed again the same day: nothing moves, nothing more recorded
    assert client.post(url).json()["last_met_on"] == "2026-11-09"
    assert AuditEvent.objects.filter(action="key_person.met").count() == 1


def test_met_today_refusals(cast, client, clock):
    person = _person(cast)
    url = f"/api/v1/accounts/{cast.customer.pk}/key-people/{person.pk}/met"
    client.force_login(cast.users["vendor_member"])
    assert client.post(url).status_code == 403
    client.force_login(cast.users["other_vendor_manager"])
    assert client.post(url).status_code == 404
    client.force_login(cast.users["customer_sponsor"])
    assert client.post(url).status_code == 404
    client.force_login(cast.users["vendor_manager"])
    assert (
        client.post(f"/api/v1/accounts/{cast.other_customer.pk}/key-people/{person.pk}/met").status_code
        == 404
    )
    assert KeyPerson.objects.get(pk=person.pk).last_met_on is None


def test_trust_definitions(cast, client):
    client.force_login(cast.users["vendor_member"])
    body = client.get("/api/v1/trust/definitions").json()
    by_id = {d["id"]: d for d in body}
    assert len(by_id) == len(body) > 5
    assert body[0] == {
        "id": "milestones_on_time",
        "group": "reliability",
        "group_label": "Reliability",
        "name": "Milestones on time",
        "name_ja": "マイルストーン遵守率",
        "definition": "The share of milestones reached in the window on or before their baseline date.",
        "formula": "milestones reached in the window (actual date in the window) with actual date ≤ baseline "
        "date ÷ milestones reached in the window that have a baseline date × 100",
        "window": "The last 90 days, compared with the 90 days before.",
        "unit": "%",
        "better": "higher",
        "green": 90.0,
        "amber": 75.0,
        "account_only": False,
    }
    assert {d["better"] for d in body} <= {"higher", "lower", "closer_to_100", "category"}
    client.force_login(cast.users["customer_sponsor"])
    assert client.get("/api/v1/trust/definitions").status_code == 404
