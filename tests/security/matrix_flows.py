"""Access expectations: business flows pages (BPMN diagrams, versions, step links and comments).

Every flow in these cells is shared with partners, so what decides is the project role: everyone who may
open the project reads; vendor and customer members (not partner viewers) upload, link and comment; the
rest get 404.
"""

from __future__ import annotations

from .matrix import CAN_VIEW, PROJECT_TARGETS, Expect, page_post, project_kwargs, project_page

# Editors: vendor and customer members; partner viewers only read.
CAN_EDIT_FLOWS = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "customer_sponsor", "customer_member"},
    "other": {"vendor_manager", "outsider_customer"},
    "foreign": {"other_vendor_manager"},
}

TINY_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="D" targetNamespace="http://example.jp/t">
  <process id="P">
    <startEvent id="S" name="\xe9\x96\x8b\xe5\xa7\x8b"/>
    <task id="T" name="\xe5\x8f\x97\xe6\xb3\xa8\xe3\x81\x99\xe3\x82\x8b"/>
    <sequenceFlow id="F" sourceRef="S" targetRef="T"/>
  </process>
  <bpmndi:BPMNDiagram id="DG"><bpmndi:BPMNPlane id="PL" bpmnElement="P">
    <bpmndi:BPMNShape id="S_di" bpmnElement="S">
      <dc:Bounds x="100" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="T_di" bpmnElement="T">
      <dc:Bounds x="200" y="78" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="F_di" bpmnElement="F">
      <di:waypoint x="136" y="118"/><di:waypoint x="200" y="118"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</definitions>
"""

_UPLOADER = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}


def _flow(cast, target):
    from shinrai.core.models import Visibility
    from shinrai.flows import services

    return services.flow_create(
        by=cast.users[_UPLOADER[target]],
        project=getattr(cast, target),
        title="受注の流れ",
        data=TINY_BPMN,
        filename="tiny.bpmn",
        visibility=Visibility.PARTNERS,
    )


def flow_kwargs(cast, target, user):
    return {"pk": getattr(cast, target).pk, "flow_id": _flow(cast, target).pk}


def version_kwargs(cast, target, user):
    return flow_kwargs(cast, target, user) | {"number": 1}


def step_kwargs(cast, target, user):
    return flow_kwargs(cast, target, user) | {"element_id": "T"}


def link_kwargs(cast, target, user):
    from shinrai.core.models import Visibility
    from shinrai.flows import services
    from shinrai.requirements import services as requirement_services

    flow = _flow(cast, target)
    requirement = requirement_services.requirement_create(
        by=cast.users[_UPLOADER[target]],
        project=flow.project,
        text="受注を登録できること。",
        visibility=Visibility.PARTNERS,
    )
    link = services.link_add(
        by=cast.users[_UPLOADER[target]], flow=flow, element_id="T", requirement=requirement
    )
    return {"pk": flow.project_id, "flow_id": flow.pk, "link_id": link.pk}


def _editor_form(role, target):
    """A form page re-shown (200) to editors when posted empty; 404 to the others."""
    if role == "anonymous":
        return 302
    return 200 if role in CAN_EDIT_FLOWS[target] else 404


def _view(kwargs):
    return Expect(project_page(CAN_VIEW), kwargs, PROJECT_TARGETS)


EXPECTATIONS: dict[str, Expect] = {
    "flows:list": _view(project_kwargs()),
    "flows:gaps": _view(project_kwargs()),
    "flows:detail": _view(flow_kwargs),
    "flows:compare": _view(flow_kwargs),  # without ?from=&to= the flow page shows the form error
    "flows:pdf": _view(flow_kwargs),
    "flows:version_download": _view(version_kwargs),
    "flows:step": _view(step_kwargs),
    "flows:edit": Expect(project_page(CAN_EDIT_FLOWS), flow_kwargs, PROJECT_TARGETS),
    "flows:version_new": Expect(_editor_form, flow_kwargs, PROJECT_TARGETS, method="post"),
    "flows:link_new": Expect(page_post(CAN_EDIT_FLOWS), step_kwargs, PROJECT_TARGETS, method="post"),
    "flows:comment_new": Expect(page_post(CAN_EDIT_FLOWS), step_kwargs, PROJECT_TARGETS, method="post"),
    "flows:link_delete": Expect(page_post(CAN_EDIT_FLOWS), link_kwargs, PROJECT_TARGETS, method="post"),
}
# Posting to the list page uploads a new flow; posted empty, editors see the form again.
LIST_POST = Expect(_editor_form, project_kwargs(), PROJECT_TARGETS, method="post")
