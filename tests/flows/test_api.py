"""The flows JSON API: upload, versions, SVG and source, steps, links, comments, gaps, comparison."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from shinrai.flows import services
from shinrai.flows.bpmn import BpmnRejected
from shinrai.flows.models import BusinessFlow, FlowVersion, StepComment, StepRequirementLink
from shinrai.flows.rejections import message_for

from .test_services import TWO_TASKS, bpmn, make_flow, make_requirement

JSON = "application/json"


def _upload(client, url, data=TWO_TASKS, **fields):
    return client.post(url, {"file": SimpleUploadedFile("order.bpmn", data), **fields})


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("vendor_pm", 201),
        ("vendor_member", 201),
        ("customer_sponsor", 201),
        ("customer_member", 201),
        ("partner_viewer", 403),
        ("outsider_customer", 404),
        ("other_vendor_manager", 404),
    ],
)
def test_upload_permissions_per_role(client, cast, role, status):
    client.force_login(cast.users[role])
    response = _upload(client, f"/api/v1/projects/{cast.own.pk}/flows", title="受注フロー")
    assert response.status_code == status
    assert BusinessFlow.objects.count() == (1 if status == 201 else 0)
    flow = make_flow(cast, visibility="partners")
    response = _upload(client, f"/api/v1/flows/{flow.pk}/versions", note="v2")
    assert response.status_code == status
    assert FlowVersion.objects.filter(flow=flow).count() == (2 if status == 201 else 1)


def test_upload_creates_flow_with_detail(client, cast):
    client.force_login(cast.users["vendor_pm"])
    response = _upload(
        client,
        f"/api/v1/projects/{cast.own.pk}/flows",
        title=" 受注フロー ",
        description="説明",
        visibility="internal",
        note="初版",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["description"], body["visibility"]) == ("受注フロー", "説明", "internal")
    assert (body["current_version"], body["version_count"], body["can_edit"]) == (1, 1, True)
    [version] = body["versions"]
    assert version["number"] == 1
    assert version["filename"] == "order.bpmn"
    assert version["note"] == "初版"
    assert version["uploaded_by"] == cast.users["vendor_pm"].get_full_name()
    assert version["diagrams"] == [{"index": 0, "name": "受注の流れ"}]


def _expected_message(code: str, language: str) -> str:
    with translation.override(language):
        return str(message_for(BpmnRejected(code)))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_rejected_upload_answers_422_in_the_users_language(client, cast, language):
    user = cast.users["vendor_pm"]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = _upload(client, f"/api/v1/projects/{cast.own.pk}/flows", data=b"<html/>", title="x")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "file", "message": _expected_message("not_bpmn", language)}]
    }
    assert BusinessFlow.objects.count() == 0


def test_upload_without_file_or_title_answers_422(client, cast):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(f"/api/v1/projects/{cast.own.pk}/flows", {"title": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"
    response = _upload(client, f"/api/v1/projects/{cast.own.pk}/flows", title="  ")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "title"


def test_list_is_paginated_and_hides_what_the_reader_may_not_see(client, cast):
    make_flow(cast, visibility="internal")
    shared = make_flow(cast, visibility="partners")
    services.version_upload(by=cast.users["vendor_pm"], flow=shared, data=TWO_TASKS, filename="v2.bpmn")
    url = f"/api/v1/projects/{cast.own.pk}/flows"
    client.force_login(cast.users["vendor_member"])
    body = client.get(url).json()
    assert body["count"] == 2
    client.force_login(cast.users["customer_member"])
    assert client.get(url).json()["count"] == 1
    client.force_login(cast.users["partner_viewer"])
    [item] = client.get(url).json()["items"]
    assert (item["id"], item["current_version"], item["version_count"]) == (shared.pk, 2, 2)
    assert set(item) == {
        "id",
        "project",
        "title",
        "description",
        "visibility",
        "current_version",
        "version_count",
        "updated_at",
    }
    assert client.get(url, {"limit": 1, "offset": 1}).json()["items"] == []


def test_reads_take_a_fixed_number_of_queries(client, cast):
    client.force_login(cast.users["customer_member"])
    flow = make_flow(cast)
    # One of each from the start: an empty `IN ()` is answered without a query and would skew the count.
    services.link_add(
        by=cast.users["vendor_pm"], flow=flow, element_id="t1", requirement=make_requirement(cast)
    )
    services.comment_add(by=cast.users["vendor_pm"], flow=flow, element_id="t1", body="最初")
    urls = [
        f"/api/v1/projects/{cast.own.pk}/flows",
        f"/api/v1/flows/{flow.pk}",
        f"/api/v1/flows/{flow.pk}/steps",
        f"/api/v1/flows/{flow.pk}/links",
        f"/api/v1/flows/{flow.pk}/steps/t1/comments",
        f"/api/v1/projects/{cast.own.pk}/flow-gaps",
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            result.append(len(queries))
        return result

    small = counts()
    many = bpmn(*[(f"t{n}", f"作業{n}") for n in range(1, 8)])
    for _ in range(3):
        make_flow(cast, data=many)
        services.version_upload(by=cast.users["vendor_pm"], flow=flow, data=many, filename="v.bpmn")
    flow.refresh_from_db()  # version_upload updates its own locked copy of the flow
    for n in range(2, 6):
        services.link_add(
            by=cast.users["vendor_pm"], flow=flow, element_id=f"t{n}", requirement=make_requirement(cast)
        )
        services.comment_add(by=cast.users["vendor_pm"], flow=flow, element_id="t1", body=f"コメント{n}")
    assert counts() == small


def test_svg_is_served_with_strict_headers(client, cast):
    flow = make_flow(cast)
    client.force_login(cast.users["customer_member"])
    for url in (
        f"/api/v1/flows/{flow.pk}/versions/1/diagrams/0.svg",
        f"/api/v1/flows/{flow.pk}/versions/1/svg?diagram=0",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        assert response["Content-Security-Policy"] == "default-src 'none'"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.content.decode() == flow.current_version.diagrams.get().svg
    assert client.get(f"/api/v1/flows/{flow.pk}/versions/1/diagrams/1.svg").status_code == 404
    assert client.get(f"/api/v1/flows/{flow.pk}/versions/2/svg").status_code == 404


def test_source_is_the_uploaded_file_as_attachment(client, cast):
    flow = make_flow(cast)
    client.force_login(cast.users["customer_sponsor"])
    response = client.get(f"/api/v1/flows/{flow.pk}/versions/1/source")
    assert response.status_code == 200
    assert response.content == TWO_TASKS
    assert response["Content-Disposition"] == 'attachment; filename="order.bpmn"'


def test_steps_show_only_visible_linked_requirements(client, cast):
    flow = make_flow(cast, visibility="partners")
    shared = make_requirement(cast, visibility="partners")
    internal = make_requirement(cast, visibility="internal")
    for requirement in (shared, internal):
        services.link_add(by=cast.users["vendor_pm"], flow=flow, element_id="t1", requirement=requirement)
    client.force_login(cast.users["vendor_pm"])
    steps = client.get(f"/api/v1/flows/{flow.pk}/steps").json()
    assert [s["element_id"] for s in steps] == ["start", "t1", "t2", "end"]
    assert steps[1] == {
        "element_id": "t1",
        "kind": "task",
        "name": "見積作成",
        "lane": "営業部",
        "diagram_index": 0,
        "requirements": [{"id": shared.pk, "ref": shared.ref}, {"id": internal.pk, "ref": internal.ref}],
    }
    client.force_login(cast.users["customer_member"])
    steps = client.get(f"/api/v1/flows/{flow.pk}/steps").json()
    assert steps[1]["requirements"] == [{"id": shared.pk, "ref": shared.ref}]
    assert [link["requirement_id"] for link in client.get(f"/api/v1/flows/{flow.pk}/links").json()] == [
        shared.pk
    ]


def test_link_add_and_delete(client, cast):
    flow = make_flow(cast)
    requirement = make_requirement(cast)
    client.force_login(cast.users["customer_member"])
    url = f"/api/v1/flows/{flow.pk}/links"
    response = client.post(url, {"element_id": "t2", "requirement_id": requirement.pk}, content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    assert (body["element_id"], body["requirement_id"], body["requirement_ref"]) == (
        "t2",
        requirement.pk,
        "REQ-001",
    )
    assert body["linked_by"] == cast.users["customer_member"].get_full_name()
    response = client.delete(f"{url}/{body['id']}")
    assert response.status_code == 204
    assert StepRequirementLink.objects.count() == 0


def test_link_add_refuses_hidden_and_other_project_requirements(client, cast):
    flow = make_flow(cast)
    url = f"/api/v1/flows/{flow.pk}/links"
    internal = make_requirement(cast, visibility="internal")
    other = make_requirement(cast, project=cast.other, by="vendor_manager")
    client.force_login(cast.users["customer_member"])
    response = client.post(url, {"element_id": "t1", "requirement_id": internal.pk}, content_type=JSON)
    assert response.status_code == 404
    client.force_login(cast.users["vendor_manager"])
    response = client.post(url, {"element_id": "t1", "requirement_id": other.pk}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "requirement"
    response = client.post(
        url, {"element_id": "gone", "requirement_id": make_requirement(cast).pk}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "element_id"
    assert StepRequirementLink.objects.count() == 0


def test_comments(client, cast):
    flow = make_flow(cast)
    url = f"/api/v1/flows/{flow.pk}/steps/t1/comments"
    client.force_login(cast.users["customer_member"])
    response = client.post(url, {"body": " 確認お願いします "}, content_type=JSON)
    assert response.status_code == 201
    assert response.json()["body"] == "確認お願いします"
    client.force_login(cast.users["vendor_pm"])
    client.post(url, {"body": "承知しました"}, content_type=JSON)
    comments = client.get(url).json()
    assert [(c["author"], c["body"]) for c in comments] == [
        (cast.users["customer_member"].get_full_name(), "確認お願いします"),
        (cast.users["vendor_pm"].get_full_name(), "承知しました"),
    ]
    assert client.post(url, {"body": "x" * 4001}, content_type=JSON).status_code == 422
    gone = f"/api/v1/flows/{flow.pk}/steps/gone/comments"
    assert client.post(gone, {"body": "x"}, content_type=JSON).status_code == 422
    assert StepComment.objects.count() == 2


def test_gaps(client, cast):
    flow = make_flow(cast)
    served = make_requirement(cast)
    loose = make_requirement(cast)
    services.link_add(by=cast.users["vendor_pm"], flow=flow, element_id="t1", requirement=served)
    client.force_login(cast.users["customer_sponsor"])
    body = client.get(f"/api/v1/projects/{cast.own.pk}/flow-gaps").json()
    assert [(s["flow_id"], s["element_id"]) for s in body["unlinked_steps"]] == [(flow.pk, "t2")]
    assert [r["ref"] for r in body["unlinked_requirements"]] == [loose.ref]


def test_compare(client, cast):
    flow = make_flow(cast)
    services.version_upload(
        by=cast.users["vendor_pm"], flow=flow, data=bpmn(("t1", "見積書作成"), ("t3", "出荷")), filename="v2"
    )
    client.force_login(cast.users["vendor_pm"])
    expected = {
        "from_version": 1,
        "to_version": 2,
        "added": [{"element_id": "t3", "kind": "task", "name": "出荷"}],
        "removed": [{"element_id": "t2", "kind": "task", "name": "受注登録"}],
        "renamed": [{"element_id": "t1", "kind": "task", "old_name": "見積作成", "new_name": "見積書作成"}],
    }
    assert client.get(f"/api/v1/flows/{flow.pk}/compare", {"from": 1, "to": 2}).json() == expected
    assert client.get(f"/api/v1/flows/{flow.pk}/compare").json() == expected
    assert client.get(f"/api/v1/flows/{flow.pk}/compare", {"from": 1, "to": 9}).status_code == 404
