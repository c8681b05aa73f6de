"""Your own settings through the API (GET and PATCH /me): as the settings page shows and changes them."""

import re

import pytest

from shinrai.api.urls import api
from shinrai.core import services
from shinrai.core.models import ApiToken, AuditEvent, TokenScope, User
from tests.clock import _english  # noqa: F401  (autouse: messages in English)

URL = "/api/v1/me"


def _bearer(user, scope=TokenScope.WRITE) -> dict:
    _token, clear = services.api_token_create(user=user, name="test", scope=scope)
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def _patch(client, body, **headers):
    return client.patch(URL, body, content_type="application/json", **headers)


@pytest.mark.parametrize(
    ("role", "organization", "kind", "vendor_manager"),
    [
        ("vendor_manager", "ベンダーV", "vendor", True),
        ("vendor_member", "ベンダーV", "vendor", False),
        ("customer_sponsor", "顧客C1", "customer", False),
        ("partner_viewer", "協力会社P1", "partner", False),
    ],
)
def test_me_says_who_you_are(client, cast, role, organization, kind, vendor_manager):
    user = cast.users[role]
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": user.pk,
        "name": role,
        "email": f"{role}@example.jp",
        "organization": {"id": user.organization_id, "name": organization, "kind": kind},
        "language": "en",
        "is_vendor_manager": vendor_manager,
    }


def test_me_with_a_read_token_is_the_token_owner_and_holds_no_secrets(client, cast):
    user = cast.users["customer_member"]
    response = client.get(URL, **_bearer(user, TokenScope.READ))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == user.pk
    # Nothing about credentials or admin rights: no password, tokens, calendar feed, staff flags.
    assert set(body) == {"id", "name", "email", "organization", "language", "is_vendor_manager"}


def test_me_needs_a_signed_in_caller(client, cast):
    assert client.get(URL).status_code == 401
    assert _patch(client, {"language": "ja"}).status_code == 401


def test_patch_me_changes_the_language_through_the_service(client, cast):
    user = cast.users["customer_sponsor"]
    client.force_login(user)
    response = _patch(client, {"language": "ja"})
    assert response.status_code == 200, response.content
    assert response.json()["language"] == "ja"
    user.refresh_from_db()
    assert user.language == "ja"
    event = AuditEvent.objects.get(action="user.set_language")
    assert (event.actor_id, event.before, event.after) == (user.pk, {"language": "en"}, {"language": "ja"})
    # The next request answers in the saved language.
    refused = _patch(client, {"language": "xx"})
    assert refused.status_code == 422
    assert "選択" in refused.json()["detail"][0]["message"]  # Django's choice message, now in Japanese


def test_patch_me_changes_only_the_callers_own_language(client, cast):
    client.force_login(cast.users["vendor_pm"])
    assert _patch(client, {"language": "ja"}).status_code == 200
    assert set(User.objects.filter(language="ja").values_list("email", flat=True)) == {"vendor_pm@example.jp"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "fr"}, "language"),
        ({"language": ""}, "language"),
        ({"language": 1}, "language"),
        ({}, "language"),
        ({"language": "ja", "is_vendor_manager": True}, "is_vendor_manager"),
        ({"language": "ja", "email": "boss@example.jp"}, "email"),
    ],
)
def test_patch_me_refuses_bad_input_and_stores_nothing(client, cast, body, field):
    user = cast.users["vendor_member"]
    client.force_login(user)
    response = _patch(client, body)
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["detail"]] == [field]
    user.refresh_from_db()
    assert (user.language, user.is_vendor_manager, user.email) == ("en", False, "vendor_member@example.jp")
    assert not AuditEvent.objects.filter(action="user.set_language").exists()


def test_patch_me_with_a_wrong_choice_says_so_in_english(client, cast):
    client.force_login(cast.users["vendor_member"])
    response = _patch(client, {"language": "fr"})
    assert response.json() == {
        "detail": [
            {
                "field": "language",
                "message": "Select a valid choice. That choice is not one of the available choices.",
            }
        ]
    }


def test_a_read_token_may_not_change_the_language(client, cast):
    user = cast.users["vendor_member"]
    response = _patch(client, {"language": "ja"}, **_bearer(user, TokenScope.READ))
    assert response.status_code == 403
    assert response.json() == {"detail": "This token may only read."}
    user.refresh_from_db()
    assert user.language == "en"


def test_a_write_token_may_change_the_language(client, cast):
    user = cast.users["vendor_member"]
    response = _patch(client, {"language": "ja"}, **_bearer(user))
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.language == "ja"


def test_tokens_and_the_calendar_feed_have_no_api_by_design(db):
    # A leaked token must not mint, list or revoke credentials: only the settings page manages them.
    paths = api.get_openapi_schema()["paths"]
    # (The survey answer link's {token} is the invitation's secret, not a credential of the caller.)
    credential_paths = [
        path for path in paths if re.search(r"api-token|/tokens|calendar|feed", path, re.IGNORECASE)
    ]
    assert credential_paths == []
    assert set(paths["/api/v1/me"]) == {"get", "patch"}
    assert ApiToken.objects.count() == 0
