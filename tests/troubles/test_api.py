"""The trouble API: the same access rule as the pages, optimistic locking as 409, never internal notes."""

import pytest

from shinrai.core.models import Visibility
from shinrai.troubles import services
from shinrai.troubles.models import Trouble

from .conftest import disclose, make_trouble, proposed

pytestmark = pytest.mark.django_db


def test_customers_list_only_disclosed_troubles_without_internal_notes(client, cast):
    shared = make_trouble(cast, title="共有済み")
    services.note_add(by=cast.users["vendor_pm"], trouble=shared, body="社内メモ：見積ミス")
    proposed(cast, shared)
    make_trouble(cast, title="未共有")
    client.force_login(cast.users["customer_member"])
    body = client.get(f"/api/v1/projects/{cast.own.pk}/troubles").json()
    assert [t["title"] for t in body["items"]] == ["共有済み"]
    item = body["items"][0]
    assert [o["label"] for o in item["options"]] == ["A", "B", "C"]
    assert item["options"][1]["cost"] == 800_000
    detail = client.get(f"/api/v1/troubles/{shared.pk}")
    assert detail.status_code == 200 and "社内メモ" not in detail.content.decode()
    client.force_login(cast.users["vendor_member"])
    titles = [t["title"] for t in client.get(f"/api/v1/projects/{cast.own.pk}/troubles").json()["items"]]
    assert titles == ["未共有", "共有済み"]


def test_partners_get_only_partner_shared_troubles(client, cast):
    disclose(cast, make_trouble(cast, title="顧客向け"))
    partners = make_trouble(cast, title="協力会社向け")
    disclose(cast, partners, visibility=Visibility.PARTNERS)
    client.force_login(cast.users["partner_viewer"])
    body = client.get(f"/api/v1/projects/{cast.own.pk}/troubles").json()
    assert [t["title"] for t in body["items"]] == ["協力会社向け"]


def test_create_and_bad_input(client, cast, clock):
    client.force_login(cast.users["vendor_member"])
    url = f"/api/v1/projects/{cast.own.pk}/troubles"
    ok = client.post(
        url,
        {
            "kind": "incident",
            "title": "ログイン不可",
            "facts": "全員",
            "detected_at": "2026-11-23T09:00:00+09:00",
        },
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["ref"] == "T-001" and ok.json()["visibility"] == "internal"
    future = client.post(
        url,
        {"title": "未来", "facts": "x", "detected_at": "2026-11-24T09:00:00+09:00"},
        content_type="application/json",
    )
    assert future.status_code == 422
    assert future.json()["detail"][0]["field"] == "detected_at"
    negative = client.post(
        url,
        {"title": "x", "facts": "x", "detected_at": "2026-11-23T09:00:00+09:00", "cost_impact": -5},
        content_type="application/json",
    )
    assert negative.status_code == 422
    assert Trouble.objects.count() == 1


def test_a_stale_update_answers_409_and_keeps_the_first(client, cast):
    trouble = make_trouble(cast)
    client.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/troubles/{trouble.pk}"
    first = client.patch(url, {"version": 1, "title": "先の変更"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(url, {"version": 1, "severity": "low"}, content_type="application/json")
    assert second.status_code == 409
    assert "Someone else changed" in second.json()["detail"]
    stored = Trouble.objects.get(pk=trouble.pk)
    assert (stored.title, stored.severity) == ("先の変更", "high")


def test_customers_cannot_change_a_trouble(client, cast):
    trouble = make_trouble(cast)
    disclose(cast, trouble)
    client.force_login(cast.users["customer_sponsor"])
    response = client.patch(
        f"/api/v1/troubles/{trouble.pk}", {"version": 2, "title": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Trouble.objects.get(pk=trouble.pk).title == "夜間バッチが停止"
