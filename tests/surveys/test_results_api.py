"""Survey results API: the page's figures as JSON, the trend with p and verdict, the anonymity rule, 404s."""

from __future__ import annotations

import pytest

from .test_results import rounds  # noqa: F401  (fixture)


def test_project_results_json(client, cast, rounds):  # noqa: F811
    client.force_login(cast.users["vendor_pm"])
    body = client.get(f"/api/v1/projects/{cast.own.pk}/survey-results").json()
    assert body["scope"] == "project"
    assert body["title"] == cast.own.name
    s = body["summary"]
    assert (s["answers"], s["included"], s["invited"], s["anonymous_not_shown"]) == (10, 8, 14, 2)
    assert s["response_rate"] == pytest.approx(10 / 14, abs=1e-4)
    assert s["means"]["overall"] == 2.97
    assert s["nps"] == {"score": 25, "promoters": 4, "passives": 2, "detractors": 2}
    first, second, third = body["periods"]
    assert first["changes"] == {}
    assert first["label"] == "第1回" and first["starts"] == "2026-04-10"
    overall = second["changes"]["overall"]
    assert overall["value"] == 4.5 and overall["previous"] == 1.44 and overall["delta"] == 3.06
    assert overall["p"] == pytest.approx(2 / 70, abs=1e-6)
    assert overall["verdict"] == "changed"
    assert second["changes"]["nps"]["delta"] == 100 and isinstance(second["changes"]["nps"]["delta"], int)
    assert set(second["changes"]) == {"overall", "logical", "emotional", "a", "b", "c", "d", "nps"}
    assert third["figures"]["not_shown"] is True
    assert third["figures"]["means"]["overall"] is None
    assert third["changes"]["overall"]["verdict"] == "too_few"
    assert [q["code"] for q in body["questions"]] == ["A1", "B1", "C1", "D1", "NPS"]
    assert [c["text"] for c in body["comments"]] == ["とても良かった", '=HYPERLINK("http://evil.example")']
    assert body["comments"][0]["name"] == "佐藤" and body["comments"][0]["date"] == "2026-08-10"
    assert "秘密" not in str(body)
    assert "permutation test" in body["method"]


def test_comments_parameter(client, cast, rounds):  # noqa: F811
    client.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/projects/{cast.own.pk}/survey-results"
    body = client.get(url, {"comments": 1}).json()
    assert len(body["comments"]) == 1 and body["comments_total"] == 2
    assert client.get(url, {"comments": -1}).status_code == 422
    assert client.get(url, {"comments": 1001}).status_code == 422
    assert client.get(url, {"comments": "many"}).status_code == 422


def test_account_and_vendor_json(client, cast, rounds):  # noqa: F811
    client.force_login(cast.users["vendor_manager"])
    account = client.get(f"/api/v1/accounts/{cast.customer.pk}/survey-results").json()
    assert account["scope"] == "account"
    assert [p["key"] for p in account["periods"]] == ["2026-Q2", "2026-Q3"]
    assert account["periods"][1]["figures"]["anonymous_not_shown"] == 2
    assert account["periods"][1]["changes"]["overall"]["verdict"] == "changed"
    vendor = client.get("/api/v1/survey-results").json()
    assert vendor["scope"] == "vendor" and vendor["summary"]["answers"] == 10


@pytest.mark.parametrize(
    "role", ["customer_sponsor", "customer_member", "partner_viewer", "outsider_customer"]
)
def test_customers_and_partners_get_404(client, cast, rounds, role):  # noqa: F811
    client.force_login(cast.users[role])
    for url in (
        f"/api/v1/projects/{cast.own.pk}/survey-results",
        f"/api/v1/accounts/{cast.customer.pk}/survey-results",
        "/api/v1/survey-results",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found"}


def test_unknown_ids_are_404(client, cast):
    client.force_login(cast.users["vendor_manager"])
    assert client.get("/api/v1/projects/999999/survey-results").status_code == 404
    assert client.get("/api/v1/accounts/999999/survey-results").status_code == 404
    # the vendor itself is not a customer account
    assert client.get(f"/api/v1/accounts/{cast.vendor.pk}/survey-results").status_code == 404
