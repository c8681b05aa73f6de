"""The flows pages: upload, refused files, versions, links and comments by both sides, read-only partners,
what customers may not see, and a constant number of queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.core.models import Visibility
from shinrai.flows import services
from shinrai.flows.models import (
    BusinessFlow,
    FlowDiagram,
    FlowStep,
    FlowVersion,
    StepComment,
    StepRequirementLink,
)
from shinrai.requirements import services as requirement_services
from tests.security.matrix_flows import LIST_POST, TINY_BPMN

from .conftest import sample_bytes

TASK_1 = "_ec59e164-68b4-4f94-98de-ffb1c58a84af"  # "Task 1" of A.1.0
NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def make_flow(cast, *, project=None, title="受注の流れ", visibility=Visibility.CUSTOMER, data=None):
    return services.flow_create(
        by=cast.users["vendor_pm"],
        project=project or cast.own,
        title=title,
        data=data or sample_bytes("A.1.0"),
        filename="a.bpmn",
        visibility=visibility,
    )


def make_requirement(cast, *, project=None, text="受注を登録できること。", visibility=Visibility.CUSTOMER):
    return requirement_services.requirement_create(
        by=cast.users["vendor_pm"], project=project or cast.own, text=text, visibility=visibility
    )


def counts():
    return (
        BusinessFlow.objects.count(),
        FlowVersion.objects.count(),
        FlowDiagram.objects.count(),
        FlowStep.objects.count(),
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_upload_creates_the_flow_and_its_first_version(client, cast):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("flows:list", args=[cast.own.pk]),
        {
            "title": "受注の流れ",
            "visibility": "customer",
            "note": "初版",
            "file": upload("a.bpmn", sample_bytes("A.1.0")),
        },
    )
    flow = BusinessFlow.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("flows:detail", args=[cast.own.pk, flow.pk])
    assert flow.current_version.number == 1
    assert flow.current_version.note == "初版"
    assert flow.current_version.steps.count() == 5
    page = client.get(response["Location"]).content.decode()
    assert "data-bpmn-id" in page
    assert "Task 1" in page


HOSTILE = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<definitions " + NS.encode() + b">&b;</definitions>"
)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<definitions " + NS.encode() + b"><process>", "not well-formed XML"),
        (HOSTILE, "uses a DTD, entities or external references"),
        (b'<?xml version="1.0"?><html><body>hello</body></html>', "not a BPMN 2.0 model"),
        (b"<a>" + b" " * (5 * 1024 * 1024) + b"</a>", "larger than 5 MB"),
    ],
    ids=["malformed", "hostile-entities", "not-bpmn", "too-large"],
)
def test_a_refused_file_shows_the_reason_keeps_the_inputs_and_stores_nothing(client, cast, data, reason):
    client.force_login(cast.users["vendor_pm"])
    before = counts()
    response = client.post(
        reverse("flows:list", args=[cast.own.pk]),
        {"title": "保持されるタイトル", "visibility": "customer", "file": upload("bad.bpmn", data)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert reason in page
    assert "Nothing was stored." in page
    assert 'value="保持されるタイトル"' in page
    assert counts() == before


def test_a_refused_new_version_stores_nothing(client, cast):
    flow = make_flow(cast)
    client.force_login(cast.users["customer_member"])
    before = counts()
    response = client.post(
        reverse("flows:version_new", args=[cast.own.pk, flow.pk]), {"file": upload("x.bpmn", HOSTILE)}
    )
    assert response.status_code == 200
    assert "Nothing was stored." in response.content.decode()
    assert counts() == before


def test_new_versions_are_numbered_and_become_current(client, cast):
    flow = make_flow(cast)
    client.force_login(cast.users["customer_sponsor"])
    url = reverse("flows:version_new", args=[cast.own.pk, flow.pk])
    for _ in range(2):
        response = client.post(url, {"file": upload("b.bpmn", sample_bytes("A.2.0")), "note": "改訂"})
        assert response.status_code == 302
    flow.refresh_from_db()
    assert list(flow.versions.values_list("number", flat=True)) == [3, 2, 1]
    assert flow.current_version.number == 3
    assert flow.current_version.uploaded_by == cast.users["customer_sponsor"]
    page = client.get(reverse("flows:detail", args=[cast.own.pk, flow.pk])).content.decode()
    assert page.count("/versions/") >= 3  # one download link per version


def test_the_original_file_downloads_as_an_attachment(client, cast):
    flow = make_flow(cast)
    client.force_login(cast.users["customer_member"])
    response = client.get(reverse("flows:version_download", args=[cast.own.pk, flow.pk, 1]))
    assert response.status_code == 200
    assert response.content == sample_bytes("A.1.0")
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="a.bpmn"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("role", ["vendor_member", "customer_member"])
def test_both_sides_link_unlink_and_comment(client, cast, role):
    flow = make_flow(cast)
    requirement = make_requirement(cast)
    client.force_login(cast.users[role])
    step_url = reverse("flows:step", args=[cast.own.pk, flow.pk, TASK_1])
    assert requirement.ref in client.get(step_url).content.decode()  # offered in the picker
    response = client.post(
        reverse("flows:link_new", args=[cast.own.pk, flow.pk, TASK_1]), {"requirement": requirement.pk}
    )
    assert response.status_code == 302 and response["Location"] == step_url
    link = StepRequirementLink.objects.get(flow=flow, element_id=TASK_1, requirement=requirement)
    assert link.linked_by == cast.users[role]
    client.post(
        reverse("flows:comment_new", args=[cast.own.pk, flow.pk, TASK_1]), {"body": "確認お願いします"}
    )
    comment = StepComment.objects.get(flow=flow, element_id=TASK_1)
    assert comment.author == cast.users[role]
    page = client.get(step_url).content.decode()
    assert "確認お願いします" in page and cast.users[role].organization.name in page
    client.post(reverse("flows:link_delete", args=[cast.own.pk, flow.pk, link.pk]))
    assert not StepRequirementLink.objects.filter(pk=link.pk).exists()


def test_partner_viewers_only_read(client, cast):
    flow = make_flow(cast, visibility=Visibility.PARTNERS)
    requirement = make_requirement(cast, visibility=Visibility.PARTNERS)
    link = services.link_add(
        by=cast.users["vendor_pm"], flow=flow, element_id=TASK_1, requirement=requirement
    )
    client.force_login(cast.users["partner_viewer"])
    page = client.get(reverse("flows:step", args=[cast.own.pk, flow.pk, TASK_1])).content.decode()
    assert requirement.ref in page
    assert 'id="attach-form"' not in page and 'id="comment-form"' not in page
    assert (
        client.post(
            reverse("flows:link_new", args=[cast.own.pk, flow.pk, TASK_1]), {"requirement": requirement.pk}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("flows:comment_new", args=[cast.own.pk, flow.pk, TASK_1]), {"body": "x"}
        ).status_code
        == 404
    )
    assert client.post(reverse("flows:link_delete", args=[cast.own.pk, flow.pk, link.pk])).status_code == 404
    assert StepComment.objects.count() == 0 and StepRequirementLink.objects.count() == 1


def test_a_requirement_of_another_project_is_refused(client, cast):
    flow = make_flow(cast)
    foreign = make_requirement(cast, project=cast.other, text="他案件の要件。")
    client.force_login(cast.users["vendor_manager"])  # sees both projects
    response = client.post(
        reverse("flows:link_new", args=[cast.own.pk, flow.pk, TASK_1]),
        {"requirement": foreign.pk},
        follow=True,
    )
    assert "Choose one of this project" in response.content.decode()
    assert StepRequirementLink.objects.count() == 0


def test_customers_see_neither_internal_flows_nor_internal_requirements(client, cast):
    internal_flow = make_flow(cast, title="社内用フロー", visibility=Visibility.INTERNAL)
    shared = make_flow(cast, title="共有フロー")
    secret = make_requirement(cast, text="社内だけの要件。", visibility=Visibility.INTERNAL)
    client.force_login(cast.users["customer_sponsor"])
    listing = client.get(reverse("flows:list", args=[cast.own.pk])).content.decode()
    assert "共有フロー" in listing and "社内用フロー" not in listing
    assert '<option value="internal"' not in listing  # customers cannot pick "vendor only"
    assert client.get(reverse("flows:detail", args=[cast.own.pk, internal_flow.pk])).status_code == 404
    step = client.get(reverse("flows:step", args=[cast.own.pk, shared.pk, TASK_1])).content.decode()
    assert secret.ref not in step and "社内だけの要件" not in step
    client.post(reverse("flows:link_new", args=[cast.own.pk, shared.pk, TASK_1]), {"requirement": secret.pk})
    assert StepRequirementLink.objects.count() == 0
    gaps = client.get(reverse("flows:gaps", args=[cast.own.pk])).content.decode()
    assert "社内だけの要件" not in gaps


@pytest.mark.parametrize(
    "role", ["anonymous", "vendor_pm", "customer_member", "partner_viewer", "outsider_customer"]
)
def test_posting_the_new_flow_form(client, cast, role):
    if role != "anonymous":
        client.force_login(cast.users[role])
    response = client.post(reverse("flows:list", args=[cast.own.pk]))
    assert response.status_code == LIST_POST.status(role, "own")


def test_compare_lists_added_removed_and_renamed_steps(client, cast):
    flow = make_flow(cast, data=TINY_BPMN)
    changed = (
        TINY_BPMN.replace("受注する".encode(), "注文を登録する".encode())
        .replace(b'<startEvent id="S"', b'<startEvent id="S2"')
        .replace(b'sourceRef="S"', b'sourceRef="S2"')
        .replace(b'bpmnElement="S"', b'bpmnElement="S2"')
    )
    services.version_upload(by=cast.users["vendor_pm"], flow=flow, data=changed, filename="b.bpmn")
    client.force_login(cast.users["customer_member"])
    page = client.get(reverse("flows:compare", args=[cast.own.pk, flow.pk]) + "?from=1&to=2").content.decode()
    assert 'data-added="S2"' in page
    assert 'data-removed="S"' in page
    assert 'data-renamed="T"' in page and "受注する → 注文を登録する" in page
    missing = client.get(reverse("flows:compare", args=[cast.own.pk, flow.pk]) + "?from=1&to=9")
    assert missing.status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_make_the_same_number_of_queries_as_data_grows(client, cast):
    first = make_flow(cast, title="最初のフロー")
    make_requirement(cast)
    client.force_login(cast.users["customer_sponsor"])
    urls = [
        reverse("flows:list", args=[cast.own.pk]),
        reverse("flows:detail", args=[cast.own.pk, first.pk]),
        reverse("flows:gaps", args=[cast.own.pk]),
        reverse("flows:step", args=[cast.own.pk, first.pk, TASK_1]),
    ]
    small = [_queries(client, url) for url in urls]
    pm = cast.users["vendor_pm"]
    for n in range(3):
        flow = make_flow(cast, title=f"フロー{n}", data=sample_bytes("A.2.0"))
        services.version_upload(by=pm, flow=flow, data=sample_bytes("A.3.0"), filename="c.bpmn")
    for n in range(4):
        requirement = make_requirement(cast, text=f"要件その{n}。")
        services.link_add(by=pm, flow=first, element_id=TASK_1, requirement=requirement)
        services.comment_add(by=pm, flow=first, element_id=TASK_1, body=f"コメント{n}")
    services.version_upload(by=pm, flow=first, data=sample_bytes("A.1.0"), filename="a2.bpmn")
    large = [_queries(client, url) for url in urls]
    assert large == small


def test_the_requirement_page_lists_the_steps_it_serves(client, cast):
    flow = make_flow(cast, title="受注の流れ")
    hidden = make_flow(cast, title="社内フロー", visibility=Visibility.INTERNAL)
    requirement = make_requirement(cast)
    pm = cast.users["vendor_pm"]
    services.link_add(by=pm, flow=flow, element_id=TASK_1, requirement=requirement)
    services.link_add(by=pm, flow=hidden, element_id=TASK_1, requirement=requirement)
    client.force_login(pm)
    page = client.get(reverse("requirements:requirement_edit", args=[cast.own.pk, requirement.pk])).content
    page = page.decode()
    assert "Flow steps this requirement serves" in page
    assert reverse("flows:step", args=[cast.own.pk, flow.pk, TASK_1]) in page
    assert reverse("flows:step", args=[cast.own.pk, hidden.pk, TASK_1]) in page  # vendors see internal flows


def test_events_and_gateways_are_never_marked_as_gaps(client, cast):
    flow = make_flow(cast)
    client.force_login(cast.users["vendor_pm"])
    page = client.get(reverse("flows:detail", args=[cast.own.pk, flow.pk])).content.decode()
    assert page.count("data-gap>") == 3  # Task 1, 2 and 3; not the start and end events
