"""Access expectations: the business flows API (/api/v1/…flows…).

Flow targets: ``own`` is a flow of project OWN-1 shared with the customer, ``own_partners`` one shared with
partner vendors too (so the partner viewer reads it, and gets 403 on writes), ``other`` and ``foreign`` are
customer-shared flows of OTHER-1 and FOREIGN-1. Vendor members and customer members edit (upload, link,
comment); partner viewers only read.

Uploads: the harness posts no files (a body, when given, is JSON), so the two multipart upload routes are
posted empty. They decide access before looking at the input, so the matrix still checks every cell: 401,
404 for hidden, 403 for read-only, and 422 ("choose a file") where the role may upload. The successful
upload (201) per role is tested in tests/flows/test_api.py::test_upload_permissions_per_role.
"""

from __future__ import annotations

from shinrai.flows import services
from shinrai.requirements import services as requirement_services

from .matrix import CAN_VIEW, PROJECT_TARGETS, Expect, api_write, project_kwargs, project_page

FLOW_TARGETS = ("own", "own_partners", "other", "foreign")
_EDITORS_OWN = {"vendor_manager", "vendor_pm", "vendor_member", "customer_sponsor", "customer_member"}
CAN_EDIT_FLOWS = {
    "own": _EDITORS_OWN,
    "other": {"vendor_manager", "outsider_customer"},
    "foreign": {"other_vendor_manager"},
}
CAN_SEE_FLOW = {
    "own": _EDITORS_OWN,
    "own_partners": _EDITORS_OWN | {"partner_viewer"},
    "other": CAN_EDIT_FLOWS["other"],
    "foreign": CAN_EDIT_FLOWS["foreign"],
}
CAN_EDIT_FLOW = CAN_EDIT_FLOWS | {"own_partners": _EDITORS_OWN}
_AUTHOR = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}

MINI_BPMN = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'id="d"><process id="p"><task id="t1" name="見積作成"/></process>'
    '<bpmndi:BPMNDiagram id="di"><bpmndi:BPMNPlane id="pl" bpmnElement="p">'
    '<bpmndi:BPMNShape id="s1" bpmnElement="t1"><dc:Bounds x="10" y="10" width="100" height="80"/>'
    "</bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram></definitions>"
).encode()


def _project_name(target: str) -> str:
    return target.removesuffix("_partners")


def _flow(cast, target):
    name = _project_name(target)
    return services.flow_create(
        by=cast.users[_AUTHOR[name]],
        project=getattr(cast, name),
        title="受注フロー",
        data=MINI_BPMN,
        filename="order.bpmn",
        visibility="partners" if target == "own_partners" else "customer",
    )


def _requirement(cast, target):
    name = _project_name(target)
    return requirement_services.requirement_create(
        by=cast.users[_AUTHOR[name]],
        project=getattr(cast, name),
        text="見積を当日中に作成できること",
        visibility="partners" if target == "own_partners" else "customer",
        criteria=[],
    )


def flow_kwargs(cast, target, user):
    return {"flow_id": _flow(cast, target).pk}


def version_kwargs(cast, target, user):
    return flow_kwargs(cast, target, user) | {"number": 1}


def step_kwargs(cast, target, user):
    return flow_kwargs(cast, target, user) | {"element_id": "t1"}


def link_kwargs(cast, target, user):
    flow = _flow(cast, target)
    author = cast.users[_AUTHOR[_project_name(target)]]
    link = services.link_add(by=author, flow=flow, element_id="t1", requirement=_requirement(cast, target))
    return {"flow_id": flow.pk, "link_id": link.pk}


def link_data(cast, target, user):
    return {"element_id": "t1", "requirement_id": _requirement(cast, target).pk}


def _reads(kwargs):
    return Expect(project_page(CAN_SEE_FLOW, anonymous=401), kwargs, FLOW_TARGETS)


EXPECTATIONS: dict[str, Expect] = {
    "api:flows": Expect(project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS),
    "api:flow_gaps": Expect(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    # Posted without a file: 422 where the role may upload (see the module docstring).
    "api:flow_create": Expect(
        api_write(CAN_VIEW, CAN_EDIT_FLOWS, 422), project_kwargs("project_id"), PROJECT_TARGETS, method="post"
    ),
    "api:flow_version_upload": Expect(
        api_write(CAN_SEE_FLOW, CAN_EDIT_FLOW, 422), flow_kwargs, FLOW_TARGETS, method="post"
    ),
    "api:flow": _reads(flow_kwargs),
    "api:flow_diagram_svg": _reads(
        lambda cast, target, user: version_kwargs(cast, target, user) | {"index": 0}
    ),
    "api:flow_svg": _reads(version_kwargs),
    "api:flow_source": _reads(version_kwargs),
    "api:flow_steps": _reads(flow_kwargs),
    "api:flow_links": _reads(flow_kwargs),
    "api:flow_compare": _reads(flow_kwargs),
    "api:flow_step_comments": _reads(step_kwargs),
    "api:flow_link_add": Expect(
        api_write(CAN_SEE_FLOW, CAN_EDIT_FLOW, 201), flow_kwargs, FLOW_TARGETS, method="post", data=link_data
    ),
    "api:flow_link_delete": Expect(
        api_write(CAN_SEE_FLOW, CAN_EDIT_FLOW, 204), link_kwargs, FLOW_TARGETS, method="delete"
    ),
    "api:flow_comment_add": Expect(
        api_write(CAN_SEE_FLOW, CAN_EDIT_FLOW, 201),
        step_kwargs,
        FLOW_TARGETS,
        method="post",
        data=lambda cast, target, user: {"body": "この手順で合っていますか"},
    ),
}
