"""Sync support: ``updated_since`` on lists, ETag / If-None-Match on objects (shinrai/api/sync.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from shinrai.api import sync
from shinrai.core import services
from shinrai.core.models import Project, TokenScope

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def reader(cast):
    _token, clear = services.api_token_create(
        user=cast.users["vendor_manager"], name="sync", scope=TokenScope.READ
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    return client


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_updated_since_keeps_only_projects_changed_at_or_after_it_oldest_first(cast, reader):
    base = datetime(2026, 11, 1, 9, 0, tzinfo=TOKYO)
    Project.objects.filter(pk=cast.own.pk).update(updated_at=base + timedelta(days=2))
    Project.objects.filter(pk=cast.other.pk).update(updated_at=base)
    everything = _codes(reader.get("/api/v1/projects/"))
    assert set(everything) >= {"OWN-1", "OTHER-1"}
    assert "FOREIGN-1" not in everything  # another vendor's project stays out whatever the filter

    since = (base + timedelta(days=1)).isoformat()
    assert _codes(reader.get("/api/v1/projects/", {"updated_since": since})) == ["OWN-1"]
    # At the very instant counts (>=): a client that remembers the newest updated_at it saw misses nothing.
    exact = (base + timedelta(days=2)).isoformat()
    assert _codes(reader.get("/api/v1/projects/", {"updated_since": exact})) == ["OWN-1"]
    both = _codes(reader.get("/api/v1/projects/", {"updated_since": base.isoformat()}))
    assert both == ["OTHER-1", "OWN-1"]  # oldest change first


def test_updated_since_without_an_offset_is_japan_time(cast, reader):
    at = datetime(2026, 11, 1, 9, 0, tzinfo=TOKYO)
    Project.objects.filter(pk=cast.own.pk).update(updated_at=at)
    Project.objects.exclude(pk=cast.own.pk).update(updated_at=at - timedelta(days=30))
    assert _codes(reader.get("/api/v1/projects/", {"updated_since": "2026-11-01T09:00:00"})) == ["OWN-1"]
    assert _codes(reader.get("/api/v1/projects/", {"updated_since": "2026-11-01T09:00:01"})) == []


def test_updated_since_that_is_not_a_time_answers_422(cast, reader):
    response = reader.get("/api/v1/projects/", {"updated_since": "yesterday"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "updated_since"


def test_updated_at_is_in_the_answer_and_moves_when_the_project_changes(cast, reader):
    first = reader.get(f"/api/v1/projects/{cast.own.pk}")
    services.project_update(by=cast.users["vendor_pm"], project=cast.own, name="名前を変えた案件")
    second = reader.get(f"/api/v1/projects/{cast.own.pk}")
    assert datetime.fromisoformat(second.json()["updated_at"]) > datetime.fromisoformat(
        first.json()["updated_at"]
    )


def test_detail_carries_an_etag_that_changes_with_the_object_and_answers_304_when_current(cast, reader):
    path = f"/api/v1/projects/{cast.own.pk}"
    first = reader.get(path)
    tag = first["ETag"]
    assert tag.startswith('"') and tag.endswith('"')
    assert reader.get(path)["ETag"] == tag  # the same state, the same tag

    unchanged = reader.get(path, HTTP_IF_NONE_MATCH=tag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    Project.objects.filter(pk=cast.own.pk).update(updated_at=timezone.now() + timedelta(seconds=1))
    changed = reader.get(path, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag
    assert changed.json()["code"] == "OWN-1"


def test_an_invisible_project_answers_404_even_with_a_matching_etag(cast, reader):
    tag = sync.etag(cast.foreign)
    response = reader.get(f"/api/v1/projects/{cast.foreign.pk}", HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 404


def test_if_match_refuses_a_stale_tag_with_412_and_runs_the_update_for_a_current_one(cast, rf):
    project = cast.own
    request = rf.patch("/", HTTP_IF_MATCH='"stale"')
    ran = []
    with pytest.raises(Exception) as refused, sync.if_match(request, project):
        ran.append(True)
    assert getattr(refused.value, "status_code", None) == 412
    assert ran == []

    for header in (sync.etag(project), f"W/{sync.etag(project)}", "*", f'"x", {sync.etag(project)}'):
        with sync.if_match(rf.patch("/", HTTP_IF_MATCH=header), project):
            ran.append(header)
    with sync.if_match(rf.patch("/"), project):  # no If-Match: no precondition
        ran.append("none")
    assert len(ran) == 5


def _item_schema(schema: dict, operation: dict) -> dict | None:
    """The item schema of a list answer (paginated {"items": [...], "count": n} or an array), else None."""
    components = schema["components"]["schemas"]

    def resolve(node: dict) -> dict:
        return components[node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node

    responses = operation.get("responses", {})
    content = (responses.get(200) or responses.get("200") or {}).get("content", {})
    answer = resolve(content.get("application/json", {}).get("schema", {}))
    if answer.get("type") != "array":
        answer = resolve(answer.get("properties", {}).get("items", {}))
    if answer.get("type") != "array" or "$ref" not in answer.get("items", {}):
        return None
    return resolve(answer["items"])


def test_every_list_of_objects_with_updated_at_takes_updated_since():
    from shinrai.api.urls import api

    schema = api.get_openapi_schema()
    lists, missing = [], []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        item = operation and _item_schema(schema, operation)
        if not item or "updated_at" not in item.get("properties", {}):
            continue
        lists.append(path)
        if "updated_since" not in {parameter["name"] for parameter in operation.get("parameters", [])}:
            missing.append(path)
    assert "/api/v1/projects/" in lists
    assert missing == []
