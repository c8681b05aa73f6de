"""The gray-zone and position API: the same steps as the pages, access answers (404 / 403), bad input (422),
ETag, If-Match and updated_since."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shinrai.core.models import Visibility
from shinrai.grayzone import services
from shinrai.grayzone.models import GrayZoneItem
from shinrai.ledger.models import Entry
from shinrai.troubles import services as trouble_services

from .conftest import at, make_item, share

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


def _post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def test_an_item_from_marking_to_the_customers_decision(client, cast, clock):
    pm = cast.users["vendor_pm"]
    trouble = trouble_services.trouble_create(
        by=pm, project=cast.own, title="決済APIが遅い", facts="3.4秒", detected_at=at(2026, 11, 20, 9)
    )
    _as(client, cast, "vendor_pm")
    created = _post(
        client,
        f"{API}/projects/{cast.own.pk}/grayzone-items",
        {"title": "再試行の担当", "reason": "several_vendors", "trouble_id": trouble.pk},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    item_id = body["id"]
    assert {
        k: body[k] for k in ("ref", "state", "visibility", "source", "trouble_id", "source_label", "age_days")
    } == {
        "ref": "GZ-001",
        "state": "unowned",
        "visibility": "internal",
        "source": "trouble",
        "trouble_id": trouble.pk,
        "source_label": "T-001 決済APIが遅い",
        "age_days": 0,
    }
    shared = _post(
        client,
        f"{API}/grayzone-items/{item_id}/share",
        {"visibility": "partners", "partner_ids": [cast.partner.pk]},
    )
    assert shared.json()["shared_with"] == [{"id": cast.partner.pk, "name": "協力会社P1", "kind": "partner"}]
    escalated = _post(client, f"{API}/grayzone-items/{item_id}/escalate", {"note": "担当を決めてください"})
    assert escalated.json()["state"] == "escalated"

    _as(client, cast, "partner_viewer")
    comment = _post(client, f"{API}/grayzone-items/{item_id}/comments", {"body": "基盤側で監視できます"})
    assert comment.status_code == 201 and comment.json()["author_organization"] == "協力会社P1"
    assert (
        _post(
            client,
            f"{API}/grayzone-items/{item_id}/decide",
            {"organization_id": cast.vendor.pk, "rationale": "x"},
        ).status_code
        == 403
    )
    seen = client.get(f"{API}/grayzone-items/{item_id}").json()
    assert (seen["trouble_id"], seen["source_label"]) == (
        None,
        "",
    )  # the trouble is not disclosed to partners

    _as(client, cast, "customer_sponsor")
    decided = _post(
        client,
        f"{API}/grayzone-items/{item_id}/decide",
        {"organization_id": cast.vendor.pk, "person_id": pm.pk, "rationale": "アプリ側で再試行する"},
    )
    assert decided.status_code == 200, decided.content
    body = decided.json()
    entry = Entry.objects.get(project=cast.own)
    assert (body["state"], body["owner"]["name"], body["owner_person"]["name"], body["ledger_seq"]) == (
        "decided",
        "ベンダーV",
        "vendor_pm",
        entry.seq,
    )
    assert body["decided_by"] == "customer_sponsor" and entry.payload["grayzone_item_id"] == item_id
    comments = client.get(f"{API}/grayzone-items/{item_id}/comments").json()["items"]
    assert [c["body"] for c in comments] == ["基盤側で監視できます"]


def test_access_answers(client, cast, clock, second_partner):
    p3, p3_viewer = second_partner
    item = share(cast, make_item(cast), Visibility.PARTNERS, [p3])
    url = f"{API}/grayzone-items/{item.pk}"
    for role, status in (
        ("vendor_member", 200),
        ("customer_member", 200),
        ("partner_viewer", 404),  # a partner of the project, but not on this item's share list
        ("outsider_customer", 404),
        ("other_vendor_manager", 404),
    ):
        assert _as(client, cast, role).get(url).status_code == status, role
    client.force_login(p3_viewer)
    assert client.get(url).status_code == 200
    assert _post(client, f"{url}/offer", {"organization_id": cast.vendor.pk}).status_code == 403
    _as(client, cast, "customer_member")
    assert (
        _post(
            client, f"{API}/projects/{cast.own.pk}/grayzone-items", {"title": "x", "reason": "no_owner"}
        ).status_code
        == 403
    )
    assert _post(client, f"{url}/escalate", {"note": "x"}).status_code == 403
    assert _post(client, f"{url}/comments", {"body": "顧客から", "vendor_only": True}).status_code == 422
    client.logout()
    assert client.get(url).status_code == 401


def test_hidden_and_missing_sources_and_organizations_are_refused_alike(client, cast, clock):
    hidden = trouble_services.trouble_create(
        by=cast.users["vendor_manager"],
        project=cast.other,
        title="他顧客",
        facts="x",
        detected_at=at(2026, 11, 20, 9),
    )
    _as(client, cast, "vendor_pm")
    url = f"{API}/projects/{cast.own.pk}/grayzone-items"
    answers = [
        _post(client, url, {"title": "x", "reason": "no_owner", "trouble_id": pk}).json()
        for pk in (hidden.pk, 10**9)
    ]
    assert (
        answers[0]
        == answers[1]
        == {
            "detail": [
                {"field": "trouble_id", "message": "Choose one of this project's items as the source."}
            ]
        }
    )
    two = _post(client, url, {"title": "x", "reason": "no_owner", "trouble_id": hidden.pk, "task_id": 1})
    assert two.json() == {"detail": [{"field": "source_id", "message": "Name at most one source."}]}
    item = make_item(cast)
    offers = [
        _post(client, f"{API}/grayzone-items/{item.pk}/offer", {"organization_id": pk}).json()
        for pk in (cast.other_customer.pk, cast.other_vendor.pk, 10**9)
    ]
    assert offers[0] == offers[1] == offers[2]
    assert offers[0]["detail"][0]["field"] == "organization_id"
    shares = [
        _post(
            client, f"{API}/grayzone-items/{item.pk}/share", {"visibility": "partners", "partner_ids": [pk]}
        ).json()
        for pk in (cast.other_customer.pk, 10**9)
    ]
    assert (
        shares[0]
        == shares[1]
        == {"detail": [{"field": "partner_ids", "message": "Choose partner vendors of this project."}]}
    )
    assert not GrayZoneItem.objects.exclude(pk=item.pk).exists()


def test_etag_if_match_and_updated_since(client, cast, clock):
    item = make_item(cast)
    _as(client, cast, "vendor_pm")
    url = f"{API}/grayzone-items/{item.pk}"
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    clock.at += timedelta(minutes=5)
    services.item_update(by=cast.users["vendor_member"], item=item, title="先に変えた")
    stale = client.patch(
        url, {"title": "後から"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    current = client.get(url)["ETag"]
    clock.at += timedelta(minutes=5)
    saved = client.patch(
        url, {"description": "詳細"}, content_type="application/json", headers={"If-Match": current}
    )
    assert saved.status_code == 200 and saved["ETag"] != current
    assert (saved.json()["title"], saved.json()["description"]) == ("先に変えた", "詳細")
    assert _post(client, f"{url}/escalate", {"note": "x"}, **{"If-Match": current}).status_code == 412

    clock.at += timedelta(hours=1)
    later = make_item(cast, title="あとで")
    since = (clock.at - timedelta(minutes=1)).isoformat()
    listed = client.get(f"{API}/projects/{cast.own.pk}/grayzone-items", {"updated_since": since}).json()
    assert [row["id"] for row in listed["items"]] == [later.pk]
    assert client.get(f"{API}/projects/{cast.own.pk}/grayzone-items", {"state": "owned"}).json()["count"] == 0
    portfolio = client.get(f"{API}/grayzone-items").json()
    assert [row["id"] for row in portfolio["items"]] == [item.pk, later.pk]


def test_answering_an_offer(client, cast, clock):
    item = share(cast, make_item(cast))
    services.item_offer(by=cast.users["vendor_pm"], item=item, organization=cast.customer)
    url = f"{API}/grayzone-items/{item.pk}"
    _as(client, cast, "customer_member")
    assert client.get(url).json()["can_answer_offer"] is False
    assert _post(client, f"{url}/accept", {}).status_code == 403
    _as(client, cast, "customer_sponsor")
    assert client.get(url).json()["can_answer_offer"] is True
    declined = _post(client, f"{url}/decline", {"reason": "社内で持てません"})
    assert declined.json()["state"] == "unowned" and declined.json()["offered_to"] is None
    assert (
        _post(client, f"{url}/decline", {"reason": "再度"}).status_code == 403
    )  # no offer: nobody to answer
    _as(client, cast, "vendor_pm")
    assert _post(client, f"{url}/accept", {}).json() == {
        "detail": [{"field": None, "message": "This item is not waiting for an answer to an offer."}]
    }


def test_positions_through_the_api(client, cast, clock, second_partner):
    _as(client, cast, "vendor_pm")
    created = _post(
        client,
        f"{API}/projects/{cast.own.pk}/positions",
        {
            "question": "遅れますか？",
            "facts": "事実",
            "recommendation": "予定どおり",
            "meeting_on": "2026-11-27",
        },
    )
    assert created.status_code == 201
    position_id = created.json()["id"]
    assert (created.json()["version"], created.json()["visibility"]) == (0, "internal")
    _as(client, cast, "customer_sponsor")
    assert client.get(f"{API}/positions/{position_id}").status_code == 404

    _as(client, cast, "vendor_pm")
    _post(client, f"{API}/positions/{position_id}/share", {"visibility": "customer"})
    etag = client.get(f"{API}/positions/{position_id}")["ETag"]
    clock.at += timedelta(minutes=1)
    patched = client.patch(
        f"{API}/positions/{position_id}",
        {"recommendation": "1日遅れます", "note": "見直し"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    clock.at += timedelta(minutes=1)
    _post(
        client,
        f"{API}/positions/{position_id}/share",
        {"visibility": "partners", "partner_ids": [cast.partner.pk]},
    )

    _as(client, cast, "customer_member")
    versions = client.get(f"{API}/positions/{position_id}/versions").json()["items"]
    assert [(v["number"], v["recommendation"], v["visibility"]) for v in versions] == [
        (3, "1日遅れます", "partners"),
        (2, "1日遅れます", "customer"),
        (1, "予定どおり", "customer"),
    ]
    assert versions[1]["note"] == "見直し"
    _as(client, cast, "partner_viewer")
    assert [v["number"] for v in client.get(f"{API}/positions/{position_id}/versions").json()["items"]] == [3]
    assert client.get(f"{API}/positions/{position_id}/versions/1").status_code == 404
    seen = client.get(f"{API}/positions/{position_id}").json()
    assert (seen["text_version"], seen["recommendation"], seen["shared_with"]) == (
        3,
        "1日遅れます",
        [{"id": cast.partner.pk, "name": "協力会社P1", "kind": "partner"}],
    )
    assert (
        client.patch(
            f"{API}/positions/{position_id}", {"facts": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(second_partner[1])
    assert client.get(f"{API}/positions/{position_id}").status_code == 404
    assert client.get(f"{API}/projects/{cast.own.pk}/positions").json()["items"] == []


def test_the_lists_take_the_same_number_of_queries_for_more_items(client, cast, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add():
        item = share(cast, make_item(cast), Visibility.PARTNERS, [cast.partner])
        services.item_offer(by=cast.users["vendor_pm"], item=item, organization=cast.customer)
        services.comment_add(by=cast.users["partner_viewer"], item=item, body="確認します")

    def count(role) -> list[int]:
        _as(client, cast, role)
        counts = []
        for url in (f"{API}/projects/{cast.own.pk}/grayzone-items", f"{API}/grayzone-items"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    add()
    small = {role: count(role) for role in ("vendor_pm", "customer_sponsor", "partner_viewer")}
    for _ in range(4):
        add()
    assert {role: count(role) for role in small} == small
    assert client.get(f"{API}/grayzone-items").json()["count"] == 5
