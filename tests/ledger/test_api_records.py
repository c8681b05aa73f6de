"""The ledger API reads what the ledger pages show: the chain check, the export, the contract value, the
indicators of the customer's requests, and who answered or decided."""

from __future__ import annotations

import json
from datetime import datetime

from django.db import connection
from django.urls import reverse

from shinrai.ledger import services

from ..clock import TOKYO


def _record(cast, n=3):
    return [
        services.record_entry(
            by=cast.users["vendor_pm"], project=cast.own, kind="agreement", subject=f"仕様合意 その{i + 1}"
        )
        for i in range(n)
    ]


def _approved(cast, cost, days=5):
    pm = cast.users["vendor_pm"]
    change = services.change_create(
        by=pm,
        project=cast.own,
        title=f"変更 {cost}",
        description="帳票を1本",
        reason="要望",
        cost_impact=cost,
        schedule_impact_days=days,
    )
    change = services.change_propose(by=pm, change=change)
    return services.change_decide(by=cast.users["customer_sponsor"], change=change, approve=True, note="了承")


def test_chain_check_verified_then_broken(cast, client):
    entries = _record(cast)
    url = f"/api/v1/projects/{cast.own.pk}/ledger/chain"
    client.force_login(cast.users["customer_member"])
    assert client.get(url).json() == {
        "verified": True,
        "count": 3,
        "broken_at_seq": None,
        "reason": "",
        "last_hash": entries[-1].hash,
    }
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_entry SET subject = %s WHERE id = %s", ["改ざん", entries[1].pk])
    broken = client.get(url).json()
    assert (broken["verified"], broken["broken_at_seq"], broken["reason"]) == (False, 2, "hash")


def test_chain_check_of_an_empty_ledger(cast, client):
    client.force_login(cast.users["vendor_member"])
    body = client.get(f"/api/v1/projects/{cast.own.pk}/ledger/chain").json()
    assert body == {"verified": True, "count": 0, "broken_at_seq": None, "reason": "", "last_hash": None}


def test_export_is_the_download(cast, client):
    _record(cast)
    client.force_login(cast.users["customer_sponsor"])
    api = client.get(f"/api/v1/projects/{cast.own.pk}/ledger/export")
    assert api.status_code == 200 and api["Content-Type"].startswith("application/json")
    assert api["Cache-Control"] == "private, no-store"
    page = client.get(reverse("ledger:portal_export_json", args=[cast.own.pk]))
    from_api, from_page = json.loads(api.content), json.loads(page.content)
    assert from_api.pop("exported_at") and from_page.pop("exported_at")
    assert from_api == from_page
    assert from_api["chain"]["verified"] is True and len(from_api["entries"]) == 3
    assert from_api["entries"][0]["kind_label"] == "Agreement"


def test_contract_value(cast, client):
    first = _approved(cast, 500_000)
    _approved(cast, -200_000, days=-2)
    client.force_login(cast.users["customer_member"])
    body = client.get(f"/api/v1/projects/{cast.own.pk}/contract-value").json()
    assert body["original"] == 10_000_000 and body["current"] == 10_300_000
    assert body["change_total"] == 300_000 and body["schedule_days_total"] == 3
    assert [(c["id"], c["cost_impact"], c["value_after"]) for c in body["approved"]][0] == (
        first.pk,
        500_000,
        10_500_000,
    )
    assert body["approved"][1]["value_after"] == 10_300_000
    # who decided it shows in the change list too, as on the page
    changes = client.get(f"/api/v1/projects/{cast.own.pk}/change-requests").json()["items"]
    assert {c["decided_by"] for c in changes} == {cast.users["customer_sponsor"].get_full_name()}


def test_request_indicators_and_who_answered(cast, client, clock):
    sponsor, pm = cast.users["customer_sponsor"], cast.users["vendor_pm"]
    on_time = services.request_create(
        by=sponsor, project=cast.own, title="資料", due_at=datetime(2026, 11, 10, 18, 0, tzinfo=TOKYO)
    )
    services.request_create(
        by=sponsor, project=cast.own, title="見積", due_at=datetime(2026, 11, 9, 12, 0, tzinfo=TOKYO)
    )
    clock.set(2026, 11, 9, 16)
    services.request_answer(by=pm, request=on_time, answer="提出しました")
    client.force_login(cast.users["customer_member"])
    body = client.get(f"/api/v1/projects/{cast.own.pk}/customer-requests/indicators").json()
    assert body == {
        "total": 2,
        "open": 1,
        "overdue": 1,
        "counted": 2,
        "on_time": 1,
        "on_time_rate": 0.5,
        "mean_hours": 6.0,
        "median_hours": 6.0,
    }
    items = client.get(f"/api/v1/projects/{cast.own.pk}/customer-requests").json()["items"]
    answered = next(item for item in items if item["id"] == on_time.pk)
    assert answered["answered_by"] == pm.get_full_name() and answered["closed_at"] is None
    assert next(item for item in items if item["id"] != on_time.pk)["answered_by"] is None


def test_partner_vendors_and_strangers_see_none_of_it(cast, client):
    _record(cast, 1)
    for role in ("partner_viewer", "outsider_customer", "other_vendor_manager"):
        client.force_login(cast.users[role])
        for path in ("ledger/chain", "ledger/export", "contract-value", "customer-requests/indicators"):
            assert client.get(f"/api/v1/projects/{cast.own.pk}/{path}").status_code == 404, (role, path)
