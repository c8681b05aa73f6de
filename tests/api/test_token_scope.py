"""Token scopes: a read token may only read, on every write route of the API; a write token may write."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from shinrai.api.urls import api
from shinrai.core import services
from shinrai.core.models import ApiToken, TokenScope

WRITE_METHODS = ("post", "put", "patch", "delete")
REFUSAL = {"detail": "This token may only read."}
# Routes without authentication (the survey answer link carries its own secret): a bearer token plays no part.
PUBLIC_WRITE_ROUTES = {("post", "/api/v1/survey-answers/{token}")}


def write_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in WRITE_METHODS and operation.get("security")
    ]


def public_write_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in WRITE_METHODS and not operation.get("security")
    }


def concrete(path: str, cast) -> str:
    # Real ids of the user's own project where a project is meant, so that the route would otherwise act.
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "project_id":
            return str(cast.own.pk)
        if name == "customer_id":
            return str(cast.customer.pk)
        return "1"

    return re.sub(r"\{(\w+)\}", value, path)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def call(client: Client, method: str, path: str, token: str):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        return client.get(path, **auth)
    return getattr(client, method)(path, data="{}", content_type="application/json", **auth)


@pytest.fixture
def english_pm(cast):
    user = cast.users["vendor_pm"]
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_the_api_has_write_routes_and_only_the_known_public_one_skips_auth():
    assert len(write_operations()) >= 50
    assert public_write_operations() == PUBLIC_WRITE_ROUTES


def test_read_token_is_refused_on_every_write_route_and_nothing_changes(cast, english_pm):
    _token, clear = services.api_token_create(user=english_pm, name="read", scope=TokenScope.READ)
    client = Client()
    assert call(client, "get", "/api/v1/projects/", clear).status_code == 200  # warms "last used"
    before = row_counts()
    refused = []
    for method, path in write_operations():
        response = call(client, method, concrete(path, cast), clear)
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.json() == REFUSAL, (method, path)
        refused.append(path)
    assert row_counts() == before
    assert len(refused) == len(write_operations())


def test_write_token_is_not_refused_by_scope_on_any_write_route(cast, english_pm):
    _token, clear = services.api_token_create(user=english_pm, name="write", scope=TokenScope.WRITE)
    client = Client()
    for method, path in write_operations():
        response = call(client, method, concrete(path, cast), clear)
        assert response.status_code != 401, (method, path)
        assert response.status_code == 404 or response.json() != REFUSAL, (method, path)


def test_read_token_reads(cast, english_pm):
    _token, clear = services.api_token_create(user=english_pm, name="read", scope=TokenScope.READ)
    response = call(Client(), "get", f"/api/v1/projects/{cast.own.pk}", clear)
    assert response.status_code == 200
    assert response.json()["code"] == "OWN-1"


def test_read_token_cannot_create_a_milestone_but_a_write_token_and_the_session_can(cast, english_pm):
    path = f"/api/v1/projects/{cast.own.pk}/milestones"
    body = '{"name": "受入テスト完了"}'
    _t, read = services.api_token_create(user=english_pm, name="read", scope=TokenScope.READ)
    _t, write = services.api_token_create(user=english_pm, name="write", scope=TokenScope.WRITE)
    client = Client()
    refused = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {read}")
    assert refused.status_code == 403
    assert not cast.own.milestones.exists()
    made = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {write}")
    assert made.status_code == 201, made.content
    session = Client()
    session.force_login(english_pm)
    again = session.post(path, '{"name": "本番移行"}', content_type="application/json")
    assert again.status_code == 201, again.content
    assert sorted(cast.own.milestones.values_list("name", flat=True)) == ["受入テスト完了", "本番移行"]


def test_refusal_is_in_the_token_owners_language(cast, english_pm):
    from django.utils import translation

    english_pm.language = "ja"
    english_pm.save(update_fields=["language"])
    _t, read = services.api_token_create(user=english_pm, name="read", scope=TokenScope.READ)
    response = call(Client(), "delete", "/api/v1/tasks/1", read)
    assert response.status_code == 403
    with translation.override("ja"):
        expected = translation.gettext("This token may only read.")
    assert response.json() == {"detail": expected}


def test_default_scope_of_the_service_is_write_and_of_the_settings_form_read(client, cast, english_pm):
    token, _clear = services.api_token_create(user=english_pm, name="old caller")
    assert token.scope == TokenScope.WRITE
    client.force_login(english_pm)
    client.post(reverse("core:me"), {"name": "Excel"})
    assert english_pm.api_tokens.get(name="Excel").scope == TokenScope.READ
    client.post(reverse("core:me"), {"name": "CI", "scope": "write"})
    assert english_pm.api_tokens.get(name="CI").scope == TokenScope.WRITE
    response = client.post(reverse("core:me"), {"name": "Bad", "scope": "admin"})
    assert response.status_code == 200
    assert not english_pm.api_tokens.filter(name="Bad").exists()


def test_settings_page_offers_the_scope_and_lists_it(client, cast, english_pm):
    services.api_token_create(user=english_pm, name="CI", scope=TokenScope.WRITE)
    services.api_token_create(user=english_pm, name="Excel", scope=TokenScope.READ)
    client.force_login(english_pm)
    html = client.get(reverse("core:me")).content.decode()
    assert 'name="scope" value="read"' in html and "checked" in html
    assert re.search(r'value="read"[^>]*checked', html)
    assert re.search(r"<strong>CI</strong>.*?Read and write", html, re.S)
    assert re.search(r"<strong>Excel</strong>.*?Read only", html, re.S)


def test_revoked_token_and_deactivated_owner_stop_at_once(cast, english_pm):
    token, clear = services.api_token_create(user=english_pm, name="CI", scope=TokenScope.WRITE)
    client = Client()
    assert call(client, "get", "/api/v1/projects/", clear).status_code == 200
    services.api_token_revoke(user=english_pm, token=token)
    assert call(client, "get", "/api/v1/projects/", clear).status_code == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()

    _token, clear = services.api_token_create(user=english_pm, name="CI 2", scope=TokenScope.WRITE)
    assert call(client, "get", "/api/v1/projects/", clear).status_code == 200
    english_pm.is_active = False
    english_pm.save(update_fields=["is_active"])
    assert call(client, "get", "/api/v1/projects/", clear).status_code == 401
    assert call(client, "post", f"/api/v1/projects/{cast.own.pk}/milestones", clear).status_code == 401
