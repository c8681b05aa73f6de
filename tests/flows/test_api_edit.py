"""Editing a flow's title, description and visibility through the API, as the flow's edit page allows."""

import pytest

from shinrai.api import sync
from shinrai.core.models import AuditEvent
from shinrai.flows import services
from shinrai.flows.models import BusinessFlow
from tests.security.matrix_flows_api import MINI_BPMN


@pytest.fixture
def flow(cast):
    return services.flow_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="受注フロー",
        description="説明",
        data=MINI_BPMN,
        filename="order.bpmn",
        visibility="partners",
    )


def _patch(client, cast, role, flow, body, **headers):
    client.force_login(cast.users[role])
    return client.patch(f"/api/v1/flows/{flow.pk}", body, content_type="application/json", **headers)


@pytest.mark.parametrize("role", ["vendor_member", "customer_member"])
def test_editors_change_only_the_fields_sent(client, cast, flow, role):
    response = _patch(client, cast, role, flow, {"title": " 受注・出荷フロー "})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["description"], body["visibility"]) == (
        "受注・出荷フロー",
        "説明",
        "partners",
    )
    assert response["ETag"] == sync.etag(BusinessFlow.objects.get(pk=flow.pk))
    assert AuditEvent.objects.filter(action="flow.update", object_id=str(flow.pk)).count() == 1


def test_partner_viewers_get_403_and_outsiders_404(client, cast, flow):
    assert _patch(client, cast, "partner_viewer", flow, {"title": "x"}).status_code == 403
    assert _patch(client, cast, "outsider_customer", flow, {"title": "x"}).status_code == 404
    assert BusinessFlow.objects.get(pk=flow.pk).title == "受注フロー"


def test_a_customer_cannot_make_a_flow_vendor_only(client, cast, flow):
    response = _patch(client, cast, "customer_sponsor", flow, {"visibility": "internal"})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "visibility", "message": "Choose who may see the flow."}]
    assert BusinessFlow.objects.get(pk=flow.pk).visibility == "partners"


def test_the_vendor_can(client, cast, flow):
    response = _patch(client, cast, "vendor_pm", flow, {"visibility": "internal", "description": ""})
    assert response.status_code == 200
    assert (response.json()["visibility"], response.json()["description"]) == ("internal", "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": None}, "title"),
        ({"visibility": "everyone"}, "visibility"),
        ({"project": 2}, "project"),
    ],
)
def test_bad_input_answers_422_and_changes_nothing(client, cast, flow, body, field):
    response = _patch(client, cast, "vendor_pm", flow, body)
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["detail"]] == [field]
    assert BusinessFlow.objects.get(pk=flow.pk).title == "受注フロー"


def test_if_match_refuses_a_stale_tag_and_get_answers_304_until_the_flow_changes(client, cast, flow):
    client.force_login(cast.users["vendor_pm"])
    tag = client.get(f"/api/v1/flows/{flow.pk}")["ETag"]
    assert client.get(f"/api/v1/flows/{flow.pk}", HTTP_IF_NONE_MATCH=tag).status_code == 304
    first = _patch(client, cast, "vendor_pm", flow, {"title": "一回目"}, HTTP_IF_MATCH=tag)
    assert first.status_code == 200
    second = _patch(client, cast, "vendor_pm", flow, {"title": "二回目"}, HTTP_IF_MATCH=tag)
    assert second.status_code == 412
    assert BusinessFlow.objects.get(pk=flow.pk).title == "一回目"
    assert client.get(f"/api/v1/flows/{flow.pk}", HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_a_new_version_changes_the_flows_etag_and_the_list_since(client, cast, flow):
    client.force_login(cast.users["vendor_pm"])
    before = client.get(f"/api/v1/flows/{flow.pk}")
    services.version_upload(by=cast.users["vendor_pm"], flow=flow, data=MINI_BPMN, filename="v2.bpmn")
    after = client.get(f"/api/v1/flows/{flow.pk}", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["current_version"] == 2
    listed = client.get(
        f"/api/v1/projects/{cast.own.pk}/flows", {"updated_since": after.json()["updated_at"]}
    ).json()["items"]
    assert [item["id"] for item in listed] == [flow.pk]
