"""Threat: oversized and malformed request bodies on every API operation and every page form — huge and
deeply nested JSON, bodies that are not JSON, wrong content types, invalid UTF-8, too many fields, lone
surrogates and NUL characters (ASVS 5.0 V2.2.1 input validation, V4.1.1 content types, V16.5.3 errors
handled without 5xx).

Every answer must be 4xx (or a normal answer for what could be read), never 5xx: an unhandled error is
both a denial of service and, in debug output, a leak. Operations and pages are enumerated from the URL
resolver and the access matrix, so a new one is covered without code here.

Found on the way: a survey answer sent through the API with a lone surrogate (``"\\ud800"``, valid JSON) in
its free-text comment answered 500 (no database can encode it); free text taken as ``Any`` is now cleaned
(``shinrai.core.text.storable``), as the Redmine import's is.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from shinrai.api.urls import api
from shinrai.core import services
from shinrai.core.models import TokenScope

from .hostile_world import is_page
from .routes import allowed_use, api_routes, page_routes, url_for
from .test_access_matrix import EXPECTATIONS, iter_routes

DEEP = 100_000
TOO_BIG = b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}'  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
HOSTILE_TEXT = "a\ud800b\udfffc\x00d"

# (name, content type, body) sent to every API operation that takes a body.
API_BODIES = [
    ("deep_array", "application/json", b"[" * DEEP + b"]" * DEEP),
    ("deep_object", "application/json", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
    ("invalid_utf8", "application/json", b'{"name": "\xff\xfe\xc3\x28"}'),
    ("truncated", "application/json", b'{"name": "x", "visibility": '),
    ("not_an_object", "application/json", b'["name", "x"]'),
    ("null", "application/json", b"null"),
    (
        "nan_and_infinity",
        "application/json",
        b'{"progress": NaN, "estimate_hours": Infinity, "amount": -Infinity}',
    ),
    ("huge_number", "application/json", b'{"progress": 1e99999, "id": 99999999999999999999999999999}'),
    ("too_big", "application/json", TOO_BIG),
    (
        "xml",
        "application/xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ),
    ("form_encoded", "application/x-www-form-urlencoded", b"name=x&title=y"),
    (
        "broken_multipart",
        "multipart/form-data; boundary=zzz",
        b"--zzz\r\nContent-Disposition: form-data\r\n\r\n",
    ),
    ("utf16", "application/json", '{"name": "x"}'.encode("utf-16")),
]


def _openapi_path(route: str) -> str:
    return "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


ROUTES = dict(iter_routes())
SCHEMA = json.loads(json.dumps(api.get_openapi_schema(), default=str))


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def hostile_value(schema: dict, depth: int = 0):
    """A value of the schema's shape whose every string is hostile (lone surrogates and a NUL)."""
    schema = _resolve(schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [_resolve(option) for option in schema[key] if _resolve(option).get("type") != "null"]
            return hostile_value(options[0], depth) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        value = {name: hostile_value(sub, depth + 1) for name, sub in schema.get("properties", {}).items()}
        if schema.get("additionalProperties") not in (None, False) or not schema.get("properties"):
            value[HOSTILE_TEXT] = HOSTILE_TEXT  # free-form objects (Any) reach the services unchecked
        return value
    if kind == "array":
        return [hostile_value(schema.get("items", {}), depth + 1)]
    if kind == "string":
        return "2026-01-05" if schema.get("format") in ("date", "date-time") else HOSTILE_TEXT
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    return HOSTILE_TEXT


def _json_body_schema(name: str) -> dict | None:
    operation = SCHEMA["paths"][_openapi_path(ROUTES[name])].get(EXPECTATIONS[name].method, {})
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


API_WRITES = [
    name for name in api_routes() if EXPECTATIONS[name].method in ("post", "put", "patch", "delete")
]


@pytest.fixture
def api_caller(client, cast):
    """For an operation: a function sending a body to the operation, on an object of the role the matrix lets
    use it (made once), with that role's write token."""

    def caller(name: str):
        use = allowed_use(name)
        user = cast.users[use.role]
        _token, clear = services.api_token_create(user=user, name="malformed", scope=TokenScope.WRITE)
        url = url_for(use, cast, user)
        send = getattr(client, EXPECTATIONS[name].method)
        return lambda content_type, body: send(
            url, body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {clear}"
        )

    return caller


def test_the_api_has_write_operations_to_check():
    assert len(API_WRITES) > 50
    assert sum(_json_body_schema(name) is not None for name in API_WRITES) > 30
    assert len(TEXT_TAKING) > 20


# Bodies that reach each operation's own validation; the others are refused by the framework before any
# operation's code runs, the same way for all: they are sent to a sample (one operation per app and kind).
PER_OPERATION = ("not_an_object", "null", "nan_and_infinity", "huge_number")
API_SAMPLE = (
    "api:create_task",
    "api:update_task_progress",
    "api:create_trouble",
    "api:update_me",
    "api:create_customer_request",
    "api:flow_create",  # multipart
    "api:create_webhook",
    "api:post_survey_answer",  # no account: the token in the path
    "api:update_account_plan",
    "api:delete_task",  # no body
)


def _status_of_each(call, labels) -> dict[str, int]:
    return {label: call(kind, body).status_code for label, kind, body in API_BODIES if label in labels}


@pytest.mark.parametrize("name", API_WRITES)
def test_malformed_api_bodies_never_answer_5xx(api_caller, name):
    labels = {label for label, _kind, _body in API_BODIES} if name in API_SAMPLE else PER_OPERATION
    answers = _status_of_each(api_caller(name), labels)
    assert all(status < 500 for status in answers.values()), answers
    if name in API_SAMPLE and _json_body_schema(name) is not None:
        # What cannot be read at all is refused as such.
        unreadable = ("deep_array", "deep_object", "invalid_utf8", "truncated", "too_big", "xml")
        assert all(400 <= answers[label] < 500 for label in unreadable), answers


def test_the_sample_is_still_there():
    assert set(API_SAMPLE) <= set(API_WRITES)
    assert set(PAGE_SAMPLE) <= set(page_routes())


def _hostile_json(name: str) -> bytes | None:
    """The operation's body with every string hostile, or None when it takes no text."""
    schema = _json_body_schema(name)
    body = json.dumps(hostile_value(schema)).encode() if schema is not None else b""
    return body if b"\\ud800" in body else None  # json.dumps writes the surrogate as an escape: valid JSON


TEXT_TAKING = [name for name in API_WRITES if _hostile_json(name) is not None]


@pytest.mark.parametrize("name", TEXT_TAKING)
def test_lone_surrogates_and_nul_in_every_string_are_refused_or_cleaned(api_caller, name):
    response = api_caller(name)("application/json", _hostile_json(name))
    assert response.status_code < 500, response.content[:300]
    json.loads(response.content)  # answered in JSON, whatever it was (what is stored: the test below)


def test_a_survey_comment_with_a_lone_surrogate_is_stored_cleaned(client, cast):
    """Regression: the survey answer API takes answers as free-form JSON; a lone surrogate answered 500."""
    from shinrai.surveys.models import Answer

    from .matrix_surveys import _survey_and_token

    survey, _invitation, token = _survey_and_token(cast, "own")
    answers = {
        code: ("とても良い\ud800\x00です" if kind == "text" else 8 if kind == "nps" else 4)
        for code, kind in survey.template.questions.values_list("code", "kind")
    }
    url = reverse("api:post_survey_answer", kwargs={"token": token})
    response = client.post(
        url, json.dumps({"answers": answers, "submit": True}), content_type="application/json"
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["submitted"] is True
    assert list(Answer.objects.exclude(text="").values_list("text", flat=True)) == ["とても良い\ufffdです"]


# --- Page forms -----------------------------------------------------------------------------------

FORM_FIELDS = (
    "title",
    "name",
    "body",
    "text",
    "description",
    "note",
    "message",
    "comment",
    "answer",
    "facts",
)
PAGE_BODIES = [
    (
        "invalid_utf8",
        "application/x-www-form-urlencoded",
        b"title=%FF%FE%C3%28&name=\xff\xfe\xc3\x28&text=%ED%A0%80",
    ),
    (
        "nul_everywhere",
        "application/x-www-form-urlencoded",
        "&".join(f"{f}=a%00b" for f in FORM_FIELDS).encode(),
    ),
    ("too_many_fields", "application/x-www-form-urlencoded", b"&".join(b"f%d=1" % n for n in range(1_100))),
    ("too_big", "application/x-www-form-urlencoded", b"text=" + b"x" * (3 * 1024 * 1024)),
    (
        "broken_multipart",
        "multipart/form-data; boundary=zzz",
        b"--zzz\r\nContent-Disposition: form-data; name=\r\n",
    ),
    ("multipart_without_boundary", "multipart/form-data", b"x"),
    ("json_to_a_form", "application/json", b'{"title": "x", "name": "y"}'),
    ("deep_json_to_a_form", "application/json", b"[" * DEEP + b"]" * DEEP),
]


PER_PAGE = ("invalid_utf8", "nul_everywhere", "json_to_a_form")
PAGE_SAMPLE = (
    "requirements:requirement_new",
    "progress:task_new",
    "troubles:new",
    "ledger:portal_request_create",
    "flows:list",  # multipart upload
    "surveys:portal_answer",
    "core:me",
    "login",
)
POST_ONLY = {"logout", "core:set_language"}  # the matrix has them as 405 to GET


# Downloads (PDF, Excel, CSV) read no form: left out (a PDF would be drawn again for every POST).
@pytest.mark.parametrize("name", [name for name in page_routes() if is_page(name)])
def test_malformed_form_posts_never_answer_5xx(client, cast, name):
    if name in POST_ONLY:
        client.force_login(cast.users["vendor_pm"])
        url = reverse(name)
    else:
        use = allowed_use(name) or allowed_use(name, signed_in=False)  # log-in: anonymous
        user = cast.users.get(use.role)
        if user is not None:
            client.force_login(user)
        url = url_for(use, cast, user)
    labels = {label for label, _kind, _body in PAGE_BODIES} if name in PAGE_SAMPLE else PER_PAGE
    answers = {
        label: client.post(url, body, content_type=kind).status_code
        for label, kind, body in PAGE_BODIES
        if label in labels
    }
    assert all(status < 500 for status in answers.values()), answers
