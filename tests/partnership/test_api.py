"""The partnership API: checks (create, list, get, patch with ETag / If-Match), the trend, the facts and the
summary; 404 for everyone but the account's keepers; bad input 422."""

from __future__ import annotations

import pytest

from shinrai.ledger.models import ChangeRequest
from shinrai.partnership.models import Assessment

from .conftest import SCORES, at, make_check

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


def _base(cast, customer=None):
    return f"{API}/accounts/{(customer or cast.customer).pk}/partnership"


def test_record_read_and_change_a_check(client, cast, clock):
    _as(client, cast, "vendor_pm")
    created = client.post(
        f"{_base(cast)}/assessments",
        {"fiscal_year": 2026, "quarter": 3, **SCORES, "decisions_note": "遅い"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in ("fiscal_year", "quarter", "period_label", "overall", "assessed_on")} == {
        "fiscal_year": 2026,
        "quarter": 3,
        "period_label": "FY2026 Q3",
        "overall": 3.8,
        "assessed_on": "2026-11-24",
    }
    url = f"{_base(cast)}/assessments/{body['id']}"
    read = client.get(url)
    etag = read["ETag"]
    assert read.json()["decisions_note"] == "遅い"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    clock.set(2026, 11, 24, 11, 0)
    changed = client.patch(url, {"learns": 5}, content_type="application/json", headers={"If-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["learns"] == 5 and changed["ETag"] != etag
    # The old ETag is stale now: 412 and nothing written.
    stale = client.patch(url, {"learns": 1}, content_type="application/json", headers={"If-Match": etag})
    assert stale.status_code == 412
    assert Assessment.objects.get().learns == 5
    listed = client.get(f"{_base(cast)}/assessments").json()
    assert [row["id"] for row in listed["items"]] == [body["id"]]


def test_bad_input_answers_422(client, cast, clock):
    make_check(cast)
    _as(client, cast, "vendor_manager")
    url = f"{_base(cast)}/assessments"
    out_of_range = client.post(
        url, {"fiscal_year": 2026, "quarter": 1, **(SCORES | {"scope": 6})}, content_type="application/json"
    )
    assert out_of_range.status_code == 422
    assert out_of_range.json()["detail"][0]["field"] == "scope"
    twice = client.post(url, {"fiscal_year": 2026, "quarter": 2, **SCORES}, content_type="application/json")
    assert twice.status_code == 422
    assert twice.json()["detail"] == [
        {"field": "quarter", "message": "FY2026 Q2 already has a partnership check: change that one."}
    ]
    check = Assessment.objects.get()
    nulled = client.patch(f"{url}/{check.pk}", {"scope": None}, content_type="application/json")
    assert nulled.status_code == 422
    assert Assessment.objects.count() == 1


def test_trend_facts_and_summary(client, cast, clock):
    make_check(cast, quarter=1, decisions=4)
    make_check(cast, quarter=2, decisions=1)
    ChangeRequest.objects.create(
        project=cast.own,
        title="帳票追加",
        description="x",
        reason="y",
        requested_by="部長",
        created_by=cast.users["vendor_pm"],
        status=ChangeRequest.Status.APPROVED,
        proposed_at=at(2026, 10, 1, 10),
        decided_at=at(2026, 10, 22, 10),  # 10/2, 10/5–9, 10/13–16, 10/19–22 (10/12 a holiday) = 14
    )
    _as(client, cast, "vendor_manager")
    trend = client.get(f"{_base(cast)}/trend").json()
    assert [q["code"] for q in trend["questions"]] == [
        "own_part",
        "decisions",
        "equal_partner",
        "learns",
        "scope",
    ]
    assert [
        (p["period_label"], p["scores"]["decisions"], p["overall"], p["change"]) for p in trend["points"]
    ] == [
        ("FY2026 Q1", 4, 4.0, None),
        ("FY2026 Q2", 1, 3.4, -0.6),
    ]
    found = client.get(f"{_base(cast)}/facts").json()
    assert found["current_window"] == {"first": "2026-05-29", "last": "2026-11-24"}
    changes = found["change_decisions"]["current"]
    assert (changes["count"], changes["median_days"]) == (1, 14.0)
    assert changes["items"][0]["title"] == "帳票追加"
    summary = client.get(_base(cast)).json()
    assert summary["theirs"] == "watch"
    assert [s["code"] for s in summary["suggestions"]] == [
        "slow_change_decisions",
        "low_decisions",
        "silence",
    ]
    assert (summary["current_fiscal_year"], summary["current_quarter"], summary["current_assessment_id"]) == (
        2026,
        3,
        None,
    )
    assert summary["latest"]["period_label"] == "FY2026 Q2"


@pytest.mark.parametrize(
    "role", ["vendor_member", "customer_sponsor", "customer_member", "partner_viewer", "outsider_partner"]
)
def test_everyone_but_the_keepers_gets_404(client, cast, clock, role):
    check = make_check(cast)
    _as(client, cast, role)
    base = _base(cast)
    for url in (
        base,
        f"{base}/trend",
        f"{base}/facts",
        f"{base}/assessments",
        f"{base}/assessments/{check.pk}",
    ):
        assert client.get(url).status_code == 404, url
    body = {"fiscal_year": 2026, "quarter": 1, **SCORES}
    assert client.post(f"{base}/assessments", body, content_type="application/json").status_code == 404
    patched = client.patch(f"{base}/assessments/{check.pk}", {"scope": 1}, content_type="application/json")
    assert patched.status_code == 404
    assert Assessment.objects.get().scope == SCORES["scope"]


def test_another_vendor_sees_only_its_own_checks(client, cast, clock):
    check = make_check(cast)
    _as(client, cast, "other_vendor_manager")
    assert client.get(f"{_base(cast)}/assessments").json()["items"] == []
    assert client.get(f"{_base(cast)}/assessments/{check.pk}").status_code == 404
