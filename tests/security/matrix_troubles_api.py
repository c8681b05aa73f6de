"""Access expectations: API routes added for completeness (issue 8): a trouble's lifecycle and internal notes.

Targets as in test_access_matrix.py: ``own`` is a trouble of OWN-1 disclosed to the customer, ``own_partners``
one shared with partner vendors too, ``own_internal`` one not yet disclosed (vendor only); ``other`` and
``foreign`` are disclosed troubles of OTHER-1 and FOREIGN-1. Each cell makes a trouble in the state its action
needs (proposed for a choice, decided for a follow-up, every follow-up done for closing), so that the roles
allowed answer 200/201 and the others 403 (they see the trouble) or 404 (they do not).

Internal notes answer 404 to every customer and partner role, even on a trouble they see.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shinrai.troubles import services
from shinrai.troubles.models import FollowUp, Prevention, Trouble

from .matrix import (
    CAN_CONTRIBUTE,
    CAN_DECIDE,
    CAN_EDIT,
    CAN_SEE_INTERNAL,
    CAN_VIEW,
    PROJECT_TARGETS,
    Expect,
    api_write,
    project_page,
)

# Copied from test_access_matrix.py (small, and that module is not to be imported from here).
ITEM_TARGETS = ("own", "own_partners", "own_internal", "other", "foreign")
CAN_SEE_ITEM = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "customer_sponsor", "customer_member"},
    "own_partners": CAN_VIEW["own"],
    "own_internal": {"vendor_manager", "vendor_pm", "vendor_member"},
    "other": {"vendor_manager", "outsider_customer"},
    "foreign": {"other_vendor_manager"},
}
_AUTHOR = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}


def _by_item_project(allowed: dict[str, set[str]]) -> dict[str, set[str]]:
    return allowed | {"own_partners": allowed["own"], "own_internal": allowed["own"]}


def _project_name(target: str) -> str:
    return target.removesuffix("_internal").removesuffix("_partners")


def _trouble(cast, target, *, stage: str = "open") -> Trouble:
    """A trouble of the target's project, by its project's PM (or manager), taken up to ``stage``:
    open, optioned (one option), proposed, decided, follow_up (one follow-up, done)."""
    name = _project_name(target)
    project, author = getattr(cast, name), cast.users[_AUTHOR[name]]
    visibility = {"_internal": "internal", "_partners": "partners"}.get(target[len(name) :], "customer")
    trouble = services.trouble_create(
        by=author,
        project=project,
        kind="incident",
        title="夜間バッチ停止",
        facts="夜間バッチが停止した",
        detected_at=timezone.now() - timedelta(hours=2),
        severity="high",
    )
    if visibility != "internal":
        services.trouble_disclose(by=author, trouble=trouble, version=trouble.version, visibility=visibility)
    if stage == "open":
        return trouble
    option = services.option_add(by=author, trouble=trouble, description="再実行する")
    if stage == "optioned":
        return trouble
    services.trouble_propose(by=author, trouble=trouble, version=trouble.version)
    if stage == "proposed":
        return trouble
    services.trouble_decide(
        by=author,
        trouble=trouble,
        option=option,
        rationale="早く戻せる",
        version=trouble.version,
        how="meeting",
        decided_by_name="顧客部長",
        meeting_at=timezone.now() - timedelta(hours=1),
    )
    if stage == "decided":
        return trouble
    follow_up = services.followup_add(by=author, trouble=trouble, action="監視追加")
    services.followup_done(by=author, follow_up=follow_up)
    return trouble


def _kwargs(stage: str = "open"):
    return lambda cast, target, user: {"trouble_id": _trouble(cast, target, stage=stage).pk}


def _latest(cast, target) -> Trouble:
    """The trouble the cell's kwargs just made (the newest of its project)."""
    return Trouble.objects.filter(project=getattr(cast, _project_name(target))).latest("pk")


def _version(cast, target, user) -> dict:
    return {"version": _latest(cast, target).version}


def _option_choice(cast, target, user) -> dict:
    trouble = _latest(cast, target)
    return {"version": trouble.version, "option_id": trouble.options.get().pk, "rationale": "費用が小さい"}


def _meeting_decision(cast, target, user) -> dict:
    return _option_choice(cast, target, user) | {
        "decided_by_name": "顧客部長",
        "meeting_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }


def _close(cast, target, user) -> dict:
    return _version(cast, target, user) | {
        "whys": ["ジョブが停止した", "監視がなかった"],
        "root_cause": "監視設計の漏れ",
        "preventions": [{"measure": "監視項目の見直し"}],
    }


def _follow_up_kwargs(cast, target, user):
    trouble = _trouble(cast, target)
    item = FollowUp.objects.create(trouble=trouble, action="監視追加")
    return {"trouble_id": trouble.pk, "follow_up_id": item.pk}


def _prevention_kwargs(cast, target, user):
    trouble = _trouble(cast, target)
    item = Prevention.objects.create(trouble=trouble, measure="手順書整備")
    return {"trouble_id": trouble.pk, "prevention_id": item.pk}


_SEE = CAN_SEE_ITEM
_CONTRIBUTE = _by_item_project(CAN_CONTRIBUTE)
_EDIT = _by_item_project(CAN_EDIT)
_VENDOR = _by_item_project(CAN_SEE_INTERNAL)

EXPECTATIONS: dict[str, Expect] = {
    "api:disclose_trouble": Expect(
        api_write(_SEE, _EDIT, 200),
        _kwargs(),
        ITEM_TARGETS,
        method="post",
        data=lambda cast, target, user: _version(cast, target, user) | {"visibility": "customer"},
    ),
    "api:start_trouble_analysis": Expect(
        api_write(_SEE, _CONTRIBUTE, 200), _kwargs(), ITEM_TARGETS, method="post", data=_version
    ),
    "api:add_trouble_option": Expect(
        api_write(_SEE, _CONTRIBUTE, 201),
        _kwargs(),
        ITEM_TARGETS,
        method="post",
        data=lambda cast, target, user: {"description": "手動で再実行する", "cost": 0},
    ),
    # Proposing needs a disclosed trouble: the project targets only (all disclosed to the customer).
    "api:propose_trouble_options": Expect(
        api_write(_SEE, CAN_EDIT, 200), _kwargs("optioned"), PROJECT_TARGETS, method="post", data=_version
    ),
    # The portal's choice: the customer sponsor only; vendor roles and customer members see it (403).
    "api:choose_trouble_option": Expect(
        api_write(_SEE, CAN_DECIDE, 200),
        _kwargs("proposed"),
        PROJECT_TARGETS,
        method="post",
        data=_option_choice,
    ),
    "api:record_trouble_decision": Expect(
        api_write(_SEE, CAN_EDIT, 200),
        _kwargs("proposed"),
        PROJECT_TARGETS,
        method="post",
        data=_meeting_decision,
    ),
    "api:add_trouble_follow_up": Expect(
        api_write(_SEE, CAN_CONTRIBUTE, 201),
        _kwargs("decided"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"action": "監視を追加する", "due": "2030-01-31"},
    ),
    "api:mark_follow_up_done": Expect(
        api_write(_SEE, _CONTRIBUTE, 200), _follow_up_kwargs, ITEM_TARGETS, method="post"
    ),
    "api:close_trouble": Expect(
        api_write(_SEE, CAN_EDIT, 200), _kwargs("follow_up"), PROJECT_TARGETS, method="post", data=_close
    ),
    "api:mark_prevention_done": Expect(
        api_write(_SEE, _CONTRIBUTE, 200), _prevention_kwargs, ITEM_TARGETS, method="post"
    ),
    # Internal notes: 404 for customer and partner roles, even on a trouble they see.
    "api:list_trouble_notes": Expect(project_page(_VENDOR, anonymous=401), _kwargs(), ITEM_TARGETS),
    "api:create_trouble_note": Expect(
        api_write(_VENDOR, _CONTRIBUTE, 201),
        _kwargs(),
        ITEM_TARGETS,
        method="post",
        data=lambda cast, target, user: {"body": "見積の前提に誤り"},
    ),
}
