"""Access expectations: API routes added for completeness (issue 8): progress, projects (members, recent
changes), the requirement template catalogue, business flows.

Progress items: ``own`` is shared with the customer, ``own_partners`` also with partner vendors,
``own_internal`` with nobody outside the vendor (as in test_access_matrix.py). The glossary belongs to a
vendor organization: ``own`` is a term of vendor V, ``foreign`` one of vendor V2.
"""

from __future__ import annotations

from shinrai.progress import services as progress_services

from .matrix import (
    CAN_CONTRIBUTE,
    CAN_SEE_INTERNAL,
    CAN_VIEW,
    PROJECT_TARGETS,
    VENDOR_USERS,
    Expect,
    api_write,
    project_kwargs,
    project_page,
)
from .matrix_flows_api import CAN_EDIT_FLOW, CAN_SEE_FLOW, FLOW_TARGETS, flow_kwargs

ITEM_TARGETS = ("own", "own_partners", "own_internal", "other", "foreign")
CAN_SEE_ITEM = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "customer_sponsor", "customer_member"},
    "own_partners": CAN_VIEW["own"],
    "own_internal": {"vendor_manager", "vendor_pm", "vendor_member"},
    "other": {"vendor_manager", "outsider_customer"},
    "foreign": {"other_vendor_manager"},
}
_AUTHOR = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}
# The members of a project: everyone on it but partner vendors (the portal does not show them the list).
CAN_SEE_MEMBERS = {target: allowed - {"partner_viewer"} for target, allowed in CAN_VIEW.items()}

GLOSSARY_EDITORS = {"own": {"vendor_manager", "vendor_pm"}, "foreign": {"other_vendor_manager"}}
GLOSSARY_VENDOR = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "vendor_admin"},
    "foreign": {"other_vendor_manager"},
}


def _item_project(cast, target):
    name = target.removesuffix("_internal").removesuffix("_partners")
    visibility = {"_internal": "internal", "_partners": "partners"}.get(target[len(name) :], "customer")
    return getattr(cast, name), cast.users[_AUTHOR[name]], visibility


def task_kwargs(cast, target, user):
    project, author, visibility = _item_project(cast, target)
    task = progress_services.task_save(by=author, project=project, name="画面設計", visibility=visibility)
    return {"task_id": task.pk}


def milestone_kwargs(cast, target, user):
    project, author, visibility = _item_project(cast, target)
    milestone = progress_services.milestone_save(
        by=author, project=project, name="要件定義完了", visibility=visibility
    )
    return {"milestone_id": milestone.pk}


def glossary_status(success: int):
    """401 anonymous; ``success`` for the glossary's editors; 403 for other users of its vendor; else 404."""

    def status(role, target):
        if role == "anonymous":
            return 401
        if target is None:
            vendor_users, editors = VENDOR_USERS, GLOSSARY_EDITORS["own"] | GLOSSARY_EDITORS["foreign"]
        else:
            vendor_users, editors = GLOSSARY_VENDOR[target], GLOSSARY_EDITORS[target]
        if role in editors:
            return success
        return 403 if role in vendor_users else 404

    return status


def glossary_term_kwargs(cast, target, user):
    from shinrai.progress.models import PlainLanguageTerm

    vendor = {"own": cast.vendor, "foreign": cast.other_vendor}[target]
    term = PlainLanguageTerm.objects.create(vendor_org=vendor, term="PMO", plain_ja="管理の事務局")
    return {"term_id": term.pk}


def _glossary_reader(role, target):
    if role == "anonymous":
        return 401
    readers = VENDOR_USERS if target is None else GLOSSARY_VENDOR[target]
    return 200 if role in readers else 404


_PROJECT = project_kwargs("project_id")


EXPECTATIONS: dict[str, Expect] = {
    # Progress: single items for everyone who sees them; the chart data for everyone on the project (each
    # audience gets what is shared with it).
    "api:get_milestone": Expect(project_page(CAN_SEE_ITEM, anonymous=401), milestone_kwargs, ITEM_TARGETS),
    "api:get_task": Expect(project_page(CAN_SEE_ITEM, anonymous=401), task_kwargs, ITEM_TARGETS),
    "api:get_gantt": Expect(project_page(CAN_VIEW, anonymous=401), _PROJECT, PROJECT_TARGETS),
    "api:get_progress_charts": Expect(project_page(CAN_VIEW, anonymous=401), _PROJECT, PROJECT_TARGETS),
    # The vendor's glossary: vendor users read their own vendor's, its managers and PMs change it.
    "api:list_glossary_terms": Expect(_glossary_reader),
    "api:create_glossary_term": Expect(
        glossary_status(201),
        method="post",
        data=lambda cast, target, user: {"term": "UAT", "plain_ja": "お客様ご自身が行う受入テスト"},
    ),
    "api:get_glossary_term": Expect(_glossary_reader, glossary_term_kwargs, ("own", "foreign")),
    "api:update_glossary_term": Expect(
        glossary_status(200),
        glossary_term_kwargs,
        ("own", "foreign"),
        method="patch",
        data=lambda cast, target, user: {"plain_en": "Project management office"},
    ),
    "api:delete_glossary_term": Expect(
        glossary_status(204), glossary_term_kwargs, ("own", "foreign"), method="delete"
    ),
    # Projects: the members for vendor and customer roles; partner vendors see the project, not its people.
    "api:list_project_members": Expect(api_write(CAN_VIEW, CAN_SEE_MEMBERS, 200), _PROJECT, PROJECT_TARGETS),
    # The recent changes of the vendor's project page: vendor roles; customers and partners see the project
    # but no history (403).
    "api:list_project_activity": Expect(
        api_write(CAN_VIEW, CAN_SEE_INTERNAL, 200), _PROJECT, PROJECT_TARGETS
    ),
    # The non-functional template catalogue: the roles that add requirements, like its page.
    "api:list_requirement_templates": Expect(
        api_write(CAN_VIEW, CAN_CONTRIBUTE, 200), _PROJECT, PROJECT_TARGETS
    ),
    # Business flows: editing title, description, visibility as the flow's edit page allows.
    "api:flow_update": Expect(
        api_write(CAN_SEE_FLOW, CAN_EDIT_FLOW, 200),
        flow_kwargs,
        FLOW_TARGETS,
        method="patch",
        data=lambda cast, target, user: {"title": "受注フロー（改）"},
    ),
}
