"""The JSON API: token and session auth, the OpenAPI document, and what each role gets back."""

from shinrai.core import services

from ..factories import ProjectFactory


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_personal_token_authenticates(client, cast):
    _token, clear = services.api_token_create(user=cast.users["customer_sponsor"], name="Excel")
    response = client.get("/api/v1/projects/", **_bearer(clear))
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["items"]] == ["OWN-1"]


def test_bad_or_revoked_token_is_refused(client, cast):
    token, clear = services.api_token_create(user=cast.users["customer_sponsor"], name="Excel")
    assert client.get("/api/v1/projects/", **_bearer("shr_not-a-token")).status_code == 401
    services.api_token_revoke(user=cast.users["customer_sponsor"], token=token)
    assert client.get("/api/v1/projects/", **_bearer(clear)).status_code == 401


def test_token_of_inactive_user_is_refused(client, cast):
    _token, clear = services.api_token_create(user=cast.users["vendor_pm"], name="CI")
    cast.users["vendor_pm"].is_active = False
    cast.users["vendor_pm"].save(update_fields=["is_active"])
    assert client.get("/api/v1/projects/", **_bearer(clear)).status_code == 401


def test_project_detail_for_vendor_includes_internal_note(client, cast):
    client.force_login(cast.users["vendor_member"])
    data = client.get(f"/api/v1/projects/{cast.own.pk}").json()
    assert data["role"] == "vendor_member"
    assert data["internal_note"] == "社内メモ: 見積超過"
    assert data["contract_amount"] == 10_000_000
    assert data["customer"] == {"id": cast.customer.pk, "name": "顧客C1"}
    assert data["phase_label"] == "開発"


def test_project_detail_for_customer_hides_internal_note(client, cast):
    client.force_login(cast.users["customer_member"])
    data = client.get(f"/api/v1/projects/{cast.own.pk}").json()
    assert data["role"] == "customer_member"
    assert data["internal_note"] is None
    assert data["contract_amount"] == 10_000_000


def test_missing_project_answers_like_a_hidden_one(client, cast):
    client.force_login(cast.users["customer_member"])
    hidden = client.get(f"/api/v1/projects/{cast.other.pk}")
    missing = client.get("/api/v1/projects/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_list_is_paginated_with_constant_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.users["vendor_manager"])
    for _ in range(30):
        ProjectFactory(vendor_org=cast.vendor)
    with django_assert_max_num_queries(6):
        page = client.get("/api/v1/projects/?limit=10&offset=5").json()
    assert page["count"] == 32
    assert len(page["items"]) == 10


def test_openapi_document_lists_the_project_routes(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/projects/" in schema["paths"]
    assert "/api/v1/projects/{project_id}" in schema["paths"]
    assert {"PersonalTokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_openapi_docs_page_uses_local_assets(client, db):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html
