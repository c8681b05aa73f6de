"""Access expectations: API routes added for completeness (issue 8): requirements.

Item targets (requirements, stakeholders, goals): ``own`` is shared with the customer (not with partners),
``own_internal`` is vendor-only, ``other`` and ``foreign`` are customer-shared items of OTHER-1 and FOREIGN-1.
Stakeholders are read on the vendor's workspace only: customers who can see one get 403, as for writes.
The review cycle is per project: the PM or manager sends and withdraws, the customer sponsor approves,
customer sponsor and members comment; everyone on the project reads.
"""

from __future__ import annotations

from shinrai.requirements import services as requirement_services

from .matrix import (
    CAN_COMMENT,
    CAN_CONTRIBUTE,
    CAN_DECIDE,
    CAN_EDIT,
    CAN_SEE_INTERNAL,
    CAN_VIEW,
    PROJECT_TARGETS,
    Expect,
    api_write,
    project_kwargs,
    project_page,
)

# As REQUIREMENT_TARGETS / CAN_SEE_REQUIREMENT in test_access_matrix.py (copied: it imports this module).
ITEM_TARGETS = ("own", "own_internal", "other", "foreign")
CAN_SEE_ITEM = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "customer_sponsor", "customer_member"},
    "own_internal": {"vendor_manager", "vendor_pm", "vendor_member"},
    "other": {"vendor_manager", "outsider_customer"},
    "foreign": {"other_vendor_manager"},
}
CAN_CHANGE_ITEM = CAN_CONTRIBUTE | {"own_internal": CAN_CONTRIBUTE["own"]}
CAN_READ_STAKEHOLDER = CAN_SEE_INTERNAL | {"own_internal": CAN_SEE_INTERNAL["own"]}
# Only customers comment, and only on what they can see: nobody on a vendor-only requirement.
CAN_COMMENT_ITEM = CAN_COMMENT | {"own_internal": set()}

_AUTHOR = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}


def _project_and_author(cast, target):
    name = target.removesuffix("_internal")
    return getattr(cast, name), cast.users[_AUTHOR[name]]


def _visibility(target: str) -> str:
    return "internal" if target.endswith("_internal") else "customer"


def _requirement(cast, target):
    project, author = _project_and_author(cast, target)
    return requirement_services.requirement_create(
        by=author, project=project, text="在庫一覧を2秒以内に表示すること", visibility=_visibility(target)
    )


def requirement_kwargs(cast, target, user):
    return {"requirement_id": _requirement(cast, target).pk}


def stakeholder_kwargs(cast, target, user):
    project, author = _project_and_author(cast, target)
    stakeholder = requirement_services.stakeholder_save(
        by=author, project=project, name="現場担当", category="field_staff", visibility=_visibility(target)
    )
    return {"stakeholder_id": stakeholder.pk}


def goal_kwargs(cast, target, user):
    project, author = _project_and_author(cast, target)
    goal = requirement_services.goal_save(
        by=author,
        project=project,
        title="出荷ミスをなくす",
        success_definition="誤出荷ゼロ",
        visibility=_visibility(target),
    )
    return {"goal_id": goal.pk}


def shared_requirement_kwargs(cast, target, user):
    """A project with a customer-shared requirement: something to send for review."""
    _requirement(cast, target)
    return {"project_id": getattr(cast, target).pk}


def open_review_kwargs(cast, target, user):
    project, author = _project_and_author(cast, target)
    _requirement(cast, target)
    requirement_services.review_submit(by=author, project=project)
    return {"project_id": project.pk}


def reviewed_requirement_kwargs(cast, target, user):
    """The target's requirement while its project's review is open (the review needs a shared one)."""
    requirement = _requirement(cast, target)
    project, author = _project_and_author(cast, target)
    if target.endswith("_internal"):
        _requirement(cast, target.removesuffix("_internal"))
    requirement_services.review_submit(by=author, project=project)
    return {"requirement_id": requirement.pk}


def _project_read():
    return Expect(project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS)


EXPECTATIONS: dict[str, Expect] = {
    # A requirement's state change the PATCH cannot make.
    "api:withdraw_requirement": Expect(
        api_write(CAN_SEE_ITEM, CAN_CHANGE_ITEM, 200), requirement_kwargs, ITEM_TARGETS, method="post"
    ),
    # Stakeholders: vendor roles only, for reading too (403 for customers who can see the project or item).
    "api:list_stakeholders": Expect(
        api_write(CAN_VIEW, CAN_SEE_INTERNAL, 200), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:get_stakeholder": Expect(
        api_write(CAN_SEE_ITEM, CAN_READ_STAKEHOLDER, 200), stakeholder_kwargs, ITEM_TARGETS
    ),
    "api:create_stakeholder": Expect(
        api_write(CAN_VIEW, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"name": "倉庫担当", "category": "field_staff"},
    ),
    "api:update_stakeholder": Expect(
        api_write(CAN_SEE_ITEM, CAN_CHANGE_ITEM, 200),
        stakeholder_kwargs,
        ITEM_TARGETS,
        method="patch",
        data=lambda cast, target, user: {"heard_on": "2026-11-20"},
    ),
    # Goals: everyone on the project reads those their visibility allows; vendor roles write.
    "api:list_goals": _project_read(),
    "api:get_goal": Expect(project_page(CAN_SEE_ITEM, anonymous=401), goal_kwargs, ITEM_TARGETS),
    "api:create_goal": Expect(
        api_write(CAN_VIEW, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"title": "出荷ミスをなくす", "success_definition": "誤出荷ゼロ"},
    ),
    "api:update_goal": Expect(
        api_write(CAN_SEE_ITEM, CAN_CHANGE_ITEM, 200),
        goal_kwargs,
        ITEM_TARGETS,
        method="patch",
        data=lambda cast, target, user: {"measures": [{"metric": "誤出荷件数", "target": "0件"}]},
    ),
    # The customer review.
    "api:get_requirements_review": Expect(
        project_page(CAN_VIEW, anonymous=401), open_review_kwargs, PROJECT_TARGETS
    ),
    "api:list_requirement_comments": _project_read(),
    "api:list_requirement_changes": _project_read(),
    "api:submit_requirements_review": Expect(
        api_write(CAN_VIEW, CAN_EDIT, 201),
        shared_requirement_kwargs,
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"message": "ご確認ください"},
    ),
    "api:withdraw_requirements_review": Expect(
        api_write(CAN_VIEW, CAN_EDIT, 200), open_review_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:approve_requirements_review": Expect(
        api_write(CAN_VIEW, CAN_DECIDE, 201),
        open_review_kwargs,
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"confirm": True},
    ),
    "api:create_requirement_comment": Expect(
        api_write(CAN_SEE_ITEM, CAN_COMMENT_ITEM, 201),
        reviewed_requirement_kwargs,
        ITEM_TARGETS,
        method="post",
        data=lambda cast, target, user: {"body": "2秒はどの画面のことですか"},
    ),
}
