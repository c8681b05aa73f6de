"""The flows services: version numbering, stored steps, links across versions, visibility, audit, comments.

``bpmn()`` builds a small valid file (start → tasks → end in one lane); the API tests import it too.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shinrai.core.models import AuditEvent
from shinrai.flows import selectors, services
from shinrai.flows.models import (
    BusinessFlow,
    FlowDiagram,
    FlowStep,
    FlowVersion,
    StepComment,
    StepRequirementLink,
)
from shinrai.requirements import services as requirement_services

from .conftest import sample_bytes


def bpmn(*tasks: tuple[str, str], lane: str = "営業部", process_name: str = "受注") -> bytes:
    """A process with a start event, the given (id, name) tasks in a row and an end event, with DI."""
    nodes = [("start", "startEvent", "開始")] + [(i, "task", n) for i, n in tasks] + [("end", "endEvent", "")]
    semantic = "".join(f'<bpmn:{kind} id="{i}" name="{name}"/>' for i, kind, name in nodes)
    flows = "".join(
        f'<bpmn:sequenceFlow id="f_{a[0]}" sourceRef="{a[0]}" targetRef="{b[0]}"/>'
        for a, b in zip(nodes, nodes[1:], strict=False)
    )
    refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i, _k, _n in nodes)
    shapes = "".join(
        f'<bpmndi:BPMNShape id="s_{i}" bpmnElement="{i}">'
        f'<dc:Bounds x="{100 + 150 * n}" y="80" width="{36 if kind != "task" else 100}" '
        f'height="{36 if kind != "task" else 80}"/></bpmndi:BPMNShape>'
        for n, (i, kind, _name) in enumerate(nodes)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="defs">'
        f'<bpmn:process id="proc" name="{process_name}">'
        f'<bpmn:laneSet id="ls"><bpmn:lane id="lane1" name="{lane}">{refs}</bpmn:lane></bpmn:laneSet>'
        f"{semantic}{flows}</bpmn:process>"
        '<bpmndi:BPMNDiagram id="d1" name="受注の流れ"><bpmndi:BPMNPlane id="p1" bpmnElement="proc">'
        f"{shapes}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
    ).encode()


TWO_TASKS = bpmn(("t1", "見積作成"), ("t2", "受注登録"))


def make_flow(cast, *, by="vendor_pm", data=TWO_TASKS, visibility="customer", project=None):
    return services.flow_create(
        by=cast.users[by],
        project=project or cast.own,
        title="受注フロー",
        data=data,
        filename="order.bpmn",
        visibility=visibility,
    )


def make_requirement(cast, *, project=None, visibility="customer", by="vendor_pm"):
    return requirement_services.requirement_create(
        by=cast.users[by],
        project=project or cast.own,
        text="見積を当日中に作成できること",
        visibility=visibility,
        criteria=[],
    )


def test_flow_create_stores_version_1_with_diagram_and_steps(cast):
    flow = make_flow(cast)
    version = flow.current_version
    assert version.number == 1
    assert version.filename == "order.bpmn"
    assert bytes(version.source) == TWO_TASKS
    assert len(version.sha256) == 64
    diagram = FlowDiagram.objects.get(version=version)
    assert (diagram.index, diagram.name) == (0, "受注の流れ")
    assert diagram.svg.lstrip().startswith("<")
    steps = list(FlowStep.objects.filter(version=version).values_list("element_id", "kind", "name", "lane"))
    assert steps == [
        ("start", "startEvent", "開始", "営業部"),
        ("t1", "task", "見積作成", "営業部"),
        ("t2", "task", "受注登録", "営業部"),
        ("end", "endEvent", "", "営業部"),
    ]
    assert set(FlowStep.objects.filter(version=version).values_list("diagram_index", flat=True)) == {0}
    assert list(FlowStep.objects.filter(version=version).values_list("position", flat=True)) == [0, 1, 2, 3]


def test_version_numbers_increase_and_old_versions_stay(cast):
    flow = make_flow(cast)
    second = services.version_upload(
        by=cast.users["customer_member"],
        flow=flow,
        data=bpmn(("t1", "見積")),
        filename="v2.bpmn",
        note="  短縮 ",
    )
    third = services.version_upload(by=cast.users["vendor_pm"], flow=flow, data=TWO_TASKS, filename="v3.bpmn")
    assert (second.number, third.number) == (2, 3)
    assert second.note == "短縮"
    flow.refresh_from_db()
    assert flow.current_version_id == third.pk
    assert list(
        FlowVersion.objects.filter(flow=flow).order_by("number").values_list("number", flat=True)
    ) == [
        1,
        2,
        3,
    ]
    assert FlowStep.objects.filter(version__flow=flow, version__number=1).count() == 4
    assert FlowStep.objects.filter(version=second).count() == 3


def test_uploads_from_stale_copies_of_the_flow_get_distinct_numbers(cast):
    # Two people opened the same flow (version 1) and upload one after the other: numbers come from the
    # stored versions, not from the copy each of them holds.
    flow = make_flow(cast)
    first_copy, second_copy = BusinessFlow.objects.get(pk=flow.pk), BusinessFlow.objects.get(pk=flow.pk)
    a = services.version_upload(by=cast.users["vendor_pm"], flow=first_copy, data=TWO_TASKS, filename="a")
    b = services.version_upload(
        by=cast.users["customer_member"], flow=second_copy, data=TWO_TASKS, filename="b"
    )
    assert (a.number, b.number) == (2, 3)
    flow.refresh_from_db()
    assert flow.current_version_id == b.pk


def test_uploads_one_after_another_number_from_the_highest(cast):
    flow = make_flow(cast)
    FlowVersion.objects.filter(flow=flow, number=1).update(number=7)
    version = services.version_upload(
        by=cast.users["vendor_pm"], flow=flow, data=TWO_TASKS, filename="x.bpmn"
    )
    assert version.number == 8


def test_rejected_file_stores_nothing(cast):
    before = (BusinessFlow.objects.count(), FlowVersion.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as raised:
        make_flow(cast, data=b"<html/>")
    assert list(raised.value.message_dict) == ["file"]
    assert "Nothing was stored" in raised.value.message_dict["file"][0]
    assert (BusinessFlow.objects.count(), FlowVersion.objects.count(), AuditEvent.objects.count()) == before


def test_rejected_new_version_stores_nothing(cast):
    flow = make_flow(cast)
    with pytest.raises(ValidationError):
        services.version_upload(by=cast.users["vendor_pm"], flow=flow, data=b"\x00\x01", filename="x.bpmn")
    assert FlowVersion.objects.filter(flow=flow).count() == 1
    flow.refresh_from_db()
    assert flow.current_version.number == 1


def test_links_survive_a_new_version_when_the_element_id_stays(cast):
    flow = make_flow(cast)
    requirement = make_requirement(cast)
    services.link_add(by=cast.users["customer_member"], flow=flow, element_id="t1", requirement=requirement)
    services.version_upload(
        by=cast.users["vendor_pm"],
        flow=flow,
        data=bpmn(("t1", "見積作成（改）"), ("t3", "出荷")),
        filename="v2",
    )
    flow.refresh_from_db()
    gaps = selectors.gaps_for(user=cast.users["vendor_pm"], project=cast.own)
    assert [step.element_id for _flow, step in gaps.unlinked_steps] == ["t3"]
    assert gaps.unlinked_requirements == []
    assert [link.element_id for link in selectors.links_for(user=cast.users["vendor_pm"], flow=flow)] == [
        "t1"
    ]


def test_a_link_to_a_step_gone_from_the_new_version_does_not_count_in_gaps(cast):
    flow = make_flow(cast)
    requirement = make_requirement(cast)
    services.link_add(by=cast.users["vendor_pm"], flow=flow, element_id="t2", requirement=requirement)
    assert selectors.gaps_for(user=cast.users["vendor_pm"], project=cast.own).unlinked_requirements == []
    services.version_upload(
        by=cast.users["vendor_pm"], flow=flow, data=bpmn(("t1", "見積作成")), filename="v2"
    )
    gaps = selectors.gaps_for(user=cast.users["vendor_pm"], project=cast.own)
    assert gaps.unlinked_requirements == [requirement]
    assert [step.element_id for _flow, step in gaps.unlinked_steps] == ["t1"]
    # The link row itself is kept: the step may come back in a later version.
    assert StepRequirementLink.objects.filter(flow=flow, element_id="t2").exists()


def test_link_add_refuses_other_projects_and_absent_steps(cast):
    flow = make_flow(cast)
    other = make_requirement(cast, project=cast.other, by="vendor_manager")
    with pytest.raises(ValidationError) as raised:
        services.link_add(by=cast.users["vendor_manager"], flow=flow, element_id="t1", requirement=other)
    assert list(raised.value.message_dict) == ["requirement"]
    with pytest.raises(ValidationError) as raised:
        services.link_add(
            by=cast.users["vendor_pm"], flow=flow, element_id="nope", requirement=make_requirement(cast)
        )
    assert list(raised.value.message_dict) == ["element_id"]
    assert StepRequirementLink.objects.count() == 0


def test_linking_twice_is_one_link(cast):
    flow = make_flow(cast)
    requirement = make_requirement(cast)
    first = services.link_add(by=cast.users["vendor_pm"], flow=flow, element_id="t1", requirement=requirement)
    again = services.link_add(
        by=cast.users["customer_member"], flow=flow, element_id="t1", requirement=requirement
    )
    assert first.pk == again.pk
    assert AuditEvent.objects.filter(action="flow.link_add").count() == 1


def test_customer_cannot_create_an_internal_flow(cast):
    flow = make_flow(cast, by="customer_member", visibility="internal")
    assert flow.visibility == "customer"
    services.flow_update(
        by=cast.users["customer_sponsor"], flow=flow, title="受注", description="", visibility="internal"
    )
    flow.refresh_from_db()
    assert flow.visibility == "customer"


def test_vendor_can_create_an_internal_flow(cast):
    assert make_flow(cast, visibility="internal").visibility == "internal"


def test_bad_title_and_visibility_are_refused(cast):
    with pytest.raises(ValidationError) as raised:
        services.flow_create(
            by=cast.users["vendor_pm"], project=cast.own, title="  ", data=TWO_TASKS, filename=""
        )
    assert list(raised.value.message_dict) == ["title"]
    with pytest.raises(ValidationError) as raised:
        make_flow(cast, visibility="everyone")
    assert list(raised.value.message_dict) == ["visibility"]
    assert BusinessFlow.objects.count() == 0


def test_audit_events_are_written(cast):
    flow = make_flow(cast)
    requirement = make_requirement(cast)
    link = services.link_add(by=cast.users["vendor_pm"], flow=flow, element_id="t1", requirement=requirement)
    services.comment_add(by=cast.users["customer_member"], flow=flow, element_id="t1", body="確認します")
    services.link_remove(by=cast.users["vendor_pm"], link=link)
    services.version_upload(by=cast.users["vendor_pm"], flow=flow, data=TWO_TASKS, filename="v2.bpmn")
    actions = list(
        AuditEvent.objects.filter(project=cast.own).order_by("pk").values_list("action", flat=True)
    )
    flow_actions = [a for a in actions if a.startswith("flow.")]
    assert flow_actions == [
        "flow.create",
        "flow.version_upload",
        "flow.link_add",
        "flow.comment_add",
        "flow.link_remove",
        "flow.version_upload",
    ]


def test_comment_length_limits(cast):
    flow = make_flow(cast)
    user = cast.users["customer_member"]
    with pytest.raises(ValidationError) as raised:
        services.comment_add(by=user, flow=flow, element_id="t1", body="   ")
    assert list(raised.value.message_dict) == ["body"]
    with pytest.raises(ValidationError):
        services.comment_add(by=user, flow=flow, element_id="t1", body="あ" * (services.MAX_COMMENT + 1))
    comment = services.comment_add(
        by=user, flow=flow, element_id="t1", body=" " + "あ" * services.MAX_COMMENT
    )
    assert len(comment.body) == services.MAX_COMMENT
    with pytest.raises(ValidationError) as raised:
        services.comment_add(by=user, flow=flow, element_id="gone", body="x")
    assert list(raised.value.message_dict) == ["element_id"]
    assert StepComment.objects.count() == 1


def test_samples_store_their_steps(cast):
    flow = make_flow(cast, data=sample_bytes("B.1.0"))
    assert FlowStep.objects.filter(version=flow.current_version).count() > 10
    assert FlowDiagram.objects.filter(version=flow.current_version).count() >= 1
