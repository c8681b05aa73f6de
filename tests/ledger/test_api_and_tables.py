"""The ledger API and the requests' Excel/CSV downloads."""

import io
from datetime import datetime

import openpyxl
from django.urls import reverse

from shinrai.ledger import services
from shinrai.ledger.models import ChangeRequest, CustomerRequest, Entry

from ..clock import TOKYO


def _proposed(cast, cost=500_000):
    pm = cast.users["vendor_pm"]
    change = services.change_create(
        by=pm,
        project=cast.own,
        title="帳票追加",
        description="帳票を1本",
        reason="要望",
        cost_impact=cost,
        schedule_impact_days=5,
    )
    return services.change_propose(by=pm, change=change)


def test_customer_creates_a_request_through_the_api(client, cast, clock):
    client.force_login(cast.users["customer_member"])
    url = f"/api/v1/projects/{cast.own.pk}/customer-requests"
    response = client.post(
        url,
        {"title": "明日中に資料を提出して", "due_at": "2026-11-10T18:00:00"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["due_at"].startswith("2026-11-10T18:00:00")  # no zone given: Japan time
    assert CustomerRequest.objects.get().due_at == datetime(2026, 11, 10, 18, 0, tzinfo=TOKYO)
    assert Entry.objects.get().kind == "customer_request"
    # a due time in the past: 422 with the field named, nothing stored
    response = client.post(
        url, {"title": "x", "due_at": "2026-11-01T10:00:00+09:00"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert CustomerRequest.objects.count() == 1
    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["items"][0]["overdue"] is False
    # vendor roles may see but not create requests: 403
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        url, {"title": "x", "due_at": "2026-12-01T10:00:00"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_sponsor_decides_through_the_api(client, cast):
    change = _proposed(cast)
    url = f"/api/v1/projects/{cast.own.pk}/change-requests/{change.pk}/decision"
    client.force_login(cast.users["customer_member"])
    assert client.post(url, {"approve": True}, content_type="application/json").status_code == 403
    client.force_login(cast.users["partner_viewer"])
    assert client.post(url, {"approve": True}, content_type="application/json").status_code == 404
    client.force_login(cast.users["customer_sponsor"])
    response = client.post(url, {"approve": True, "note": "了承"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["value_after"] == 10_500_000
    assert client.post(url, {"approve": False}, content_type="application/json").status_code == 422
    assert ChangeRequest.objects.get().status == "approved"

    ledger = client.get(f"/api/v1/projects/{cast.own.pk}/ledger").json()
    assert ledger["verified"] is True and ledger["count"] == 2
    assert [e["payload"]["step"] for e in ledger["entries"]] == ["proposed", "approved"]
    assert ledger["entries"][1]["prev_hash"] == ledger["entries"][0]["hash"]
    client.force_login(cast.users["partner_viewer"])
    assert client.get(f"/api/v1/projects/{cast.own.pk}/ledger").status_code == 404


def test_customers_do_not_see_drafts_in_the_api(client, cast):
    _proposed(cast)
    services.change_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="社内検討中",
        description="d",
        reason="r",
        cost_impact=1,
        schedule_impact_days=0,
    )
    client.force_login(cast.users["customer_sponsor"])
    titles = [
        c["title"] for c in client.get(f"/api/v1/projects/{cast.own.pk}/change-requests").json()["items"]
    ]
    assert titles == ["帳票追加"]
    client.force_login(cast.users["vendor_member"])
    titles = [
        c["title"] for c in client.get(f"/api/v1/projects/{cast.own.pk}/change-requests").json()["items"]
    ]
    assert sorted(titles) == ["帳票追加", "社内検討中"]


def test_requests_download(client, cast, clock):
    item = services.request_create(
        by=cast.users["customer_sponsor"],
        project=cast.own,
        title='=HYPERLINK("x")',
        due_at=datetime(2026, 11, 10, 18, 0, tzinfo=TOKYO),
    )
    clock.set(2026, 11, 11, 9, 0)
    services.request_answer(by=cast.users["vendor_pm"], request=item, answer="遅れました")
    client.force_login(cast.users["customer_member"])
    response = client.get(reverse("ledger:portal_requests_xlsx", args=[cast.own.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == '=HYPERLINK("x")' and sheet["A2"].data_type == "s"  # text, not a formula
    assert sheet["E2"].value == datetime(2026, 11, 10, 18, 0)  # due, Japan time
    assert sheet["H2"].value == datetime(2026, 11, 11, 9, 0)  # answered
    assert sheet["J2"].value == "No (late)"
    response = client.get(reverse("ledger:portal_requests_csv", args=[cast.own.pk]))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK" in text and "2026-11-10 18:00" in text and "遅れました" in text
    client.force_login(cast.users["partner_viewer"])
    assert client.get(reverse("ledger:portal_requests_csv", args=[cast.own.pk])).status_code == 404
