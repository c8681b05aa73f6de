"""The ledger API's vendor writes: customer-request steps, change-request drafts, recorded entries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shinrai.ledger import services
from shinrai.ledger.models import GENESIS_HASH, ChangeRequest, CustomerRequest, Entry

JSON = "application/json"


def _request(cast):
    return services.request_create(
        by=cast.users["customer_member"],
        project=cast.own,
        title="資料提出",
        due_at=timezone.now() + timedelta(days=1),
    )


def _draft(cast):
    return services.change_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="帳票追加",
        description="帳票を1本",
        reason="要望",
        cost_impact=500_000,
        schedule_impact_days=5,
    )


def _post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type=JSON)


def _fields(response):
    return {d["field"] for d in response.json()["detail"]}


# --- Customer requests -------------------------------------------------------------------------------------


def test_vendor_acknowledges_answers_and_closes_a_request(client, cast):
    item = _request(cast)
    base = f"/api/v1/projects/{cast.own.pk}/customer-requests/{item.pk}"
    client.force_login(cast.users["vendor_member"])

    response = _post(client, f"{base}/acknowledge")
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged" and response.json()["acknowledged_at"]
    assert _post(client, f"{base}/acknowledge").status_code == 422  # only a waiting request

    response = _post(client, f"{base}/answer", {"answer": "本日提出しました"})
    assert response.status_code == 200
    assert response.json()["status"] == "answered" and response.json()["answer"] == "本日提出しました"
    assert response.json()["answered_late"] is False
    assert _post(client, f"{base}/answer", {"answer": "again"}).status_code == 422

    response = _post(client, f"{base}/close")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert _post(client, f"{base}/close").status_code == 422
    item.refresh_from_db()
    assert item.status == CustomerRequest.Status.CLOSED and item.answer == "本日提出しました"
    # the request, acknowledgement, answer and close, all in one verified chain
    ledger = client.get(f"/api/v1/projects/{cast.own.pk}/ledger").json()
    assert ledger["verified"] is True and ledger["count"] == 4


def test_answer_input_is_checked(client, cast):
    item = _request(cast)
    url = f"/api/v1/projects/{cast.own.pk}/customer-requests/{item.pk}/answer"
    client.force_login(cast.users["vendor_pm"])
    response = _post(client, url, {"answer": "   "})
    assert response.status_code == 422 and "answer" in _fields(response)
    assert _post(client, url, {}).status_code == 422
    response = _post(client, url, {"answer": "済", "status": "closed", "answered_by": 1})
    assert response.status_code == 422  # mass assignment refused
    item.refresh_from_db()
    assert item.status == CustomerRequest.Status.OPEN and item.answer == ""


@pytest.mark.parametrize("step", ["acknowledge", "answer", "close"])
def test_request_steps_are_for_the_vendor(client, cast, step):
    item = _request(cast)
    url = f"/api/v1/projects/{cast.own.pk}/customer-requests/{item.pk}/{step}"
    data = {"answer": "回答"}
    for role, expected in (
        ("customer_member", 403),
        ("customer_sponsor", 403),
        ("partner_viewer", 404),
        ("outsider_customer", 404),
        ("other_vendor_manager", 404),
    ):
        client.force_login(cast.users[role])
        assert _post(client, url, data).status_code == expected, role
    item.refresh_from_db()
    assert item.status == CustomerRequest.Status.OPEN
    # a request of another project, addressed through this one: 404
    client.force_login(cast.users["vendor_manager"])
    other = services.request_create(
        by=cast.users["outsider_customer"],
        project=cast.other,
        title="x",
        due_at=timezone.now() + timedelta(days=1),
    )
    assert (
        _post(client, f"/api/v1/projects/{cast.own.pk}/customer-requests/{other.pk}/{step}", data).status_code
        == 404
    )


# --- Change requests ---------------------------------------------------------------------------------------


def test_vendor_drafts_proposes_and_withdraws_a_change(client, cast):
    url = f"/api/v1/projects/{cast.own.pk}/change-requests"
    client.force_login(cast.users["vendor_member"])
    response = _post(
        client,
        url,
        {"title": "帳票追加", "description": "帳票を1本", "reason": "要望", "cost_impact": -200_000},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["cost_impact"] == -200_000 and body["schedule_impact_days"] == 0
    assert body["requested_by"] == cast.users["vendor_member"].get_full_name()
    change_id = body["id"]
    # a draft is not on the customer's list
    client.force_login(cast.users["customer_sponsor"])
    assert client.get(url).json()["count"] == 0
    assert _post(client, f"{url}/{change_id}/propose").status_code == 404
    # a vendor member drafts but does not propose
    client.force_login(cast.users["vendor_member"])
    assert _post(client, f"{url}/{change_id}/propose").status_code == 403

    client.force_login(cast.users["vendor_pm"])
    response = _post(client, f"{url}/{change_id}/propose")
    assert response.status_code == 200 and response.json()["status"] == "proposed"
    assert response.json()["proposed_at"]
    assert _post(client, f"{url}/{change_id}/propose").status_code == 422  # only a draft
    client.force_login(cast.users["customer_sponsor"])
    assert client.get(url).json()["count"] == 1
    assert _post(client, f"{url}/{change_id}/withdraw").status_code == 403  # seen, not theirs to withdraw

    client.force_login(cast.users["vendor_manager"])
    response = _post(client, f"{url}/{change_id}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert _post(client, f"{url}/{change_id}/withdraw").status_code == 422
    assert ChangeRequest.objects.get().status == "withdrawn"


def test_change_input_is_checked(client, cast):
    url = f"/api/v1/projects/{cast.own.pk}/change-requests"
    client.force_login(cast.users["vendor_pm"])
    good = {"title": "帳票追加", "description": "帳票を1本", "reason": "要望"}
    response = _post(client, url, good | {"reason": "  "})
    assert response.status_code == 422 and "reason" in _fields(response)
    response = _post(client, url, good | {"cost_impact": "ten thousand"})
    assert response.status_code == 422 and "cost_impact" in _fields(response)
    assert _post(client, url, good | {"title": "x" * 201}).status_code == 422
    # mass assignment refused
    assert _post(client, url, good | {"status": "approved"}).status_code == 422
    assert _post(client, url, good | {"value_after": 1}).status_code == 422
    assert ChangeRequest.objects.count() == 0


def test_change_writes_refused_to_customers_and_outsiders(client, cast):
    url = f"/api/v1/projects/{cast.own.pk}/change-requests"
    good = {"title": "帳票追加", "description": "帳票を1本", "reason": "要望"}
    for role, expected in (
        ("customer_member", 403),
        ("customer_sponsor", 403),
        ("partner_viewer", 404),
        ("outsider_customer", 404),
        ("other_vendor_manager", 404),
    ):
        client.force_login(cast.users[role])
        assert _post(client, url, good).status_code == expected, role
    draft = _draft(cast)
    for step in ("propose", "withdraw"):
        for role in ("customer_member", "customer_sponsor", "partner_viewer", "outsider_customer"):
            client.force_login(cast.users[role])
            assert _post(client, f"{url}/{draft.pk}/{step}").status_code == 404, (role, step)
    draft.refresh_from_db()
    assert draft.status == "draft" and ChangeRequest.objects.count() == 1


# --- Recorded ledger entries -------------------------------------------------------------------------------


def test_vendor_records_an_agreement_and_a_correction(client, cast):
    url = f"/api/v1/projects/{cast.own.pk}/ledger/entries"
    client.force_login(cast.users["vendor_pm"])
    response = _post(
        client,
        url,
        {"kind": "agreement", "subject": "納期を12月に変更", "agreed_with": "顧客スポンサー、定例会"},
    )
    assert response.status_code == 201
    first = response.json()
    assert first["seq"] == 1 and first["kind"] == "agreement"
    assert first["payload"] == {"details": "", "agreed_with": "顧客スポンサー、定例会"}
    assert first["prev_hash"] == GENESIS_HASH

    response = _post(
        client,
        url,
        {"kind": "correction", "subject": "納期は12月10日", "corrects": 1, "details": "日付の訂正"},
    )
    assert response.status_code == 201
    second = response.json()
    assert second["seq"] == 2 and second["refers_to"] == Entry.objects.get(seq=1).pk
    assert second["prev_hash"] == first["hash"]
    # the customer sees both, and the chain verifies
    client.force_login(cast.users["customer_member"])
    ledger = client.get(f"/api/v1/projects/{cast.own.pk}/ledger").json()
    assert ledger["verified"] is True and [e["seq"] for e in ledger["entries"]] == [1, 2]


def test_record_input_is_checked(client, cast):
    url = f"/api/v1/projects/{cast.own.pk}/ledger/entries"
    client.force_login(cast.users["vendor_manager"])
    response = _post(client, url, {"kind": "customer_request", "subject": "x"})
    assert response.status_code == 422 and "kind" in _fields(
        response
    )  # system kinds are not recorded by hand
    response = _post(client, url, {"kind": "correction", "subject": "x"})
    assert response.status_code == 422 and "corrects" in _fields(response)
    response = _post(client, url, {"kind": "correction", "subject": "x", "corrects": 9})
    assert response.status_code == 422 and "corrects" in _fields(response)
    response = _post(client, url, {"kind": "agreement", "subject": "x", "corrects": 1})
    assert response.status_code == 422 and "corrects" in _fields(response)
    assert _post(client, url, {"kind": "agreement", "subject": ""}).status_code == 422
    # mass assignment refused
    for extra in ({"seq": 7}, {"hash": "0" * 64}, {"actor": 1}, {"payload": {"details": "x"}}):
        assert _post(client, url, {"kind": "agreement", "subject": "x"} | extra).status_code == 422, extra
    assert Entry.objects.count() == 0


def test_recording_is_for_the_vendor_pm_and_manager(client, cast):
    url = f"/api/v1/projects/{cast.own.pk}/ledger/entries"
    for role, expected in (
        ("vendor_member", 403),
        ("customer_sponsor", 403),
        ("customer_member", 403),
        ("partner_viewer", 404),
        ("outsider_customer", 404),
        ("other_vendor_manager", 404),
    ):
        client.force_login(cast.users[role])
        assert _post(client, url, {"kind": "agreement", "subject": "x"}).status_code == expected, role
    assert Entry.objects.count() == 0
    client.logout()
    assert _post(client, url, {"kind": "agreement", "subject": "x"}).status_code == 401
