"""Access expectations: gray-zone items and anticipated questions (issue 11), pages and API.

Targets of an item or a position (each cell makes its own, through the services):
- ``own_partner``: OWN-1, shared with the customer and the cast's partner vendor P1 (``partner_viewer`` is on
  the share list);
- ``own_other_partner``: OWN-1, shared with the customer and another partner vendor of the project, P3, only
  (``partner_viewer`` is a partner of the project but *not* on the share list: 404 like anything hidden);
- ``own``: OWN-1, shared with the customer only; ``own_internal``: vendor-only (a draft, for a position);
- ``other`` and ``foreign``: shared with the customer on OTHER-1 (V × C2) and FOREIGN-1 (V2 × C1).

The vendor's pages need ``see_internal``; the portal's read what is shared with the reader. Partner viewers
read and comment on what is shared with their organization and do nothing else (403 in the API, 404 on pages).
Offers are answered by a PM or manager (who records anyone's answer) or the one they are made to (here the
customer organization: its sponsor); the owner of an escalated item is decided by the customer sponsor.
"""

from __future__ import annotations

from shinrai.core.models import Organization, Role, Visibility

from ..factories import ProjectMemberFactory, UserFactory
from .matrix import (
    CAN_CONTRIBUTE,
    CAN_DECIDE,
    CAN_EDIT,
    CAN_SEE_INTERNAL,
    CAN_VIEW,
    PROJECT_TARGETS,
    VENDOR_USERS,
    Expect,
    api_write,
    page_post,
    project_kwargs,
    project_page,
)

TARGETS = ("own_partner", "own_other_partner", "own", "own_internal", "other", "foreign")
_AUTHOR = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}


def _project_of(target: str) -> str:
    return "own" if target.startswith("own") else target


def _per_target(by_project: dict[str, set[str]]) -> dict[str, set[str]]:
    """A per-project set of roles, spread over the targets of that project."""
    return {target: by_project[_project_of(target)] for target in TARGETS}


_CUSTOMER_SIDE = {"customer_sponsor", "customer_member"}
CAN_SEE = {
    "own_partner": CAN_VIEW["own"],
    "own_other_partner": CAN_VIEW["own"] - {"partner_viewer"},
    "own": CAN_VIEW["own"] - {"partner_viewer"},
    "own_internal": CAN_SEE_INTERNAL["own"],
    "other": CAN_VIEW["other"],
    "foreign": CAN_VIEW["foreign"],
}
# The portal shows a vendor what the customer sees: a vendor-only item (a draft) is not there.
CAN_SEE_IN_PORTAL = CAN_SEE | {"own_internal": set()}
VENDOR_SEES = _per_target(CAN_SEE_INTERNAL)
CONTRIBUTORS = _per_target(CAN_CONTRIBUTE)
EDITORS = _per_target(CAN_EDIT)
# The sponsor decides (and answers an offer to the customer) on an item the customer sees.
SPONSORS = {target: CAN_DECIDE[_project_of(target)] & CAN_SEE[target] for target in TARGETS}
ANSWERERS = {target: EDITORS[target] | SPONSORS[target] for target in TARGETS}


def _third_partner(cast) -> Organization:
    """P3, another partner vendor of OWN-1 with its own viewer (made once per test)."""
    org, _new = Organization.objects.get_or_create(
        name="協力会社P3", defaults={"kind": Organization.Kind.PARTNER}
    )
    if not org.users.exists():
        viewer = UserFactory(email="p3_viewer@example.jp", display_name="p3_viewer", organization=org)
        ProjectMemberFactory(project=cast.own, user=viewer, role=Role.PARTNER_VIEWER)
    return org


def _audience(cast, target) -> tuple[str, list]:
    if target == "own_partner":
        return Visibility.PARTNERS, [cast.partner]
    if target == "own_other_partner":
        return Visibility.PARTNERS, [_third_partner(cast)]
    return Visibility.CUSTOMER, []


def _item(cast, target, *, step: str = ""):
    from shinrai.grayzone import services

    project = getattr(cast, _project_of(target))
    author = cast.users[_AUTHOR[_project_of(target)]]
    item = services.item_create(by=author, project=project, title="監視の担当", reason="no_owner")
    if target != "own_internal":
        visibility, partners = _audience(cast, target)
        item = services.item_share(by=author, item=item, visibility=visibility, partners=partners)
    if step == "offered":
        to = project.vendor_org if target == "own_internal" else project.customer_org
        item = services.item_offer(by=author, item=item, organization=to)
    elif step == "escalated":
        item = services.item_escalate(by=author, item=item, note="担当を決めてください")
    return item


def item_kwargs(cast, target, user):
    item = _item(cast, target)
    return {"pk": item.project_id, "item_id": item.pk}


def offered_item_kwargs(cast, target, user):
    item = _item(cast, target, step="offered")
    return {"pk": item.project_id, "item_id": item.pk}


def api_item_kwargs(cast, target, user):
    return {"item_id": _item(cast, target).pk}


def api_offered_kwargs(cast, target, user):
    return {"item_id": _item(cast, target, step="offered").pk}


def api_escalated_kwargs(cast, target, user):
    return {"item_id": _item(cast, target, step="escalated").pk}


def _vendor_of(cast, target) -> dict:
    return {"organization_id": getattr(cast, _project_of(target)).vendor_org_id}


def _position(cast, target):
    from shinrai.grayzone import services

    project = getattr(cast, _project_of(target))
    author = cast.users[_AUTHOR[_project_of(target)]]
    position = services.position_create(
        by=author,
        project=project,
        question="リリースは遅れますか？",
        facts="事実",
        recommendation="予定どおり",
    )
    if target != "own_internal":
        visibility, partners = _audience(cast, target)
        position = services.position_share(
            by=author, position=position, visibility=visibility, partners=partners
        )
    return position


def position_kwargs(cast, target, user):
    position = _position(cast, target)
    return {"pk": position.project_id, "position_id": position.pk}


def position_version_kwargs(cast, target, user):
    return position_kwargs(cast, target, user) | {"number": 1}


def api_position_kwargs(cast, target, user):
    return {"position_id": _position(cast, target).pk}


def api_position_version_kwargs(cast, target, user):
    return {"position_id": _position(cast, target).pk, "number": 1}


# Version 1 exists once shared: a draft has none (404 to everyone).
HAS_VERSION = VENDOR_SEES | {"own_internal": set()}


def _item_page(allowed):
    return Expect(project_page(allowed), item_kwargs, TARGETS)


def _item_post(allowed, kwargs=item_kwargs):
    # Posted empty: the allowed roles are sent back to the item with the form's message (302).
    return Expect(page_post(allowed), kwargs, TARGETS, method="post")


def _api(status, kwargs, targets=TARGETS, method="get", data=None):
    return Expect(status, kwargs, targets, method=method, data=data)


def _vendor_users_page(role, target):
    if role == "anonymous":
        return 302
    return 200 if role in VENDOR_USERS else 404


EXPECTATIONS: dict[str, Expect] = {
    # --- Gray-zone pages ---------------------------------------------------------------------------------
    "grayzone:portfolio": Expect(_vendor_users_page),
    "grayzone:board": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "grayzone:new": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "grayzone:detail": _item_page(VENDOR_SEES),
    "grayzone:edit": _item_page(CONTRIBUTORS),
    "grayzone:share": _item_post(EDITORS),
    "grayzone:offer": _item_post(EDITORS),
    "grayzone:accept": _item_post(ANSWERERS, offered_item_kwargs),
    "grayzone:decline": _item_post(ANSWERERS, offered_item_kwargs),
    "grayzone:escalate": _item_post(EDITORS),
    "grayzone:comment": _item_post(CAN_SEE),
    "grayzone:portal_list": Expect(project_page(CAN_VIEW), project_kwargs(), PROJECT_TARGETS),
    "grayzone:portal_detail": _item_page(CAN_SEE_IN_PORTAL),
    "grayzone:portal_decide": _item_post(SPONSORS),
    # --- Anticipated-question pages -------------------------------------------------------------------
    "positions:list": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "positions:new": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "positions:detail": Expect(project_page(VENDOR_SEES), position_kwargs, TARGETS),
    "positions:edit": Expect(project_page(CONTRIBUTORS), position_kwargs, TARGETS),
    "positions:share": Expect(page_post(EDITORS), position_kwargs, TARGETS, method="post"),
    "positions:version": Expect(project_page(HAS_VERSION), position_version_kwargs, TARGETS),
    "positions:portal_list": Expect(project_page(CAN_VIEW), project_kwargs(), PROJECT_TARGETS),
    "positions:portal_detail": Expect(project_page(CAN_SEE_IN_PORTAL), position_kwargs, TARGETS),
    "positions:portal_version": Expect(project_page(CAN_SEE_IN_PORTAL), position_version_kwargs, TARGETS),
    # --- Gray-zone API ---------------------------------------------------------------------------------
    "api:list_grayzone_items": _api(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:list_portfolio_grayzone_items": Expect(lambda role, target: 401 if role == "anonymous" else 200),
    "api:create_grayzone_item": _api(
        api_write(CAN_VIEW, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"title": "監視の担当", "reason": "no_owner"},
    ),
    "api:get_grayzone_item": _api(project_page(CAN_SEE, anonymous=401), api_item_kwargs),
    "api:update_grayzone_item": _api(
        api_write(CAN_SEE, CONTRIBUTORS, 200),
        api_item_kwargs,
        method="patch",
        data=lambda cast, target, user: {"title": "夜間監視の担当"},
    ),
    "api:share_grayzone_item": _api(
        api_write(CAN_SEE, EDITORS, 200),
        api_item_kwargs,
        method="post",
        data=lambda cast, target, user: {"visibility": "customer"},
    ),
    "api:offer_grayzone_item": _api(
        api_write(CAN_SEE, EDITORS, 200),
        api_item_kwargs,
        method="post",
        data=lambda c, t, u: _vendor_of(c, t),
    ),
    "api:accept_grayzone_item": _api(
        api_write(CAN_SEE, ANSWERERS, 200), api_offered_kwargs, method="post", data=lambda c, t, u: {}
    ),
    "api:decline_grayzone_item": _api(
        api_write(CAN_SEE, ANSWERERS, 200),
        api_offered_kwargs,
        method="post",
        data=lambda cast, target, user: {"reason": "今月は対応できません"},
    ),
    "api:escalate_grayzone_item": _api(
        api_write(CAN_SEE, EDITORS, 200),
        api_item_kwargs,
        method="post",
        data=lambda cast, target, user: {"note": "担当を決めてください"},
    ),
    # Escalating shows the item to the customer: no vendor-only target here.
    "api:decide_grayzone_item": _api(
        api_write(CAN_SEE, SPONSORS, 200),
        api_escalated_kwargs,
        tuple(t for t in TARGETS if t != "own_internal"),
        method="post",
        data=lambda c, t, u: _vendor_of(c, t) | {"rationale": "アプリ側の作業のため"},
    ),
    "api:list_grayzone_comments": _api(project_page(CAN_SEE, anonymous=401), api_item_kwargs),
    "api:create_grayzone_comment": _api(
        api_write(CAN_SEE, CAN_SEE, 201),
        api_item_kwargs,
        method="post",
        data=lambda cast, target, user: {"body": "確認しました"},
    ),
    # --- Positions API ---------------------------------------------------------------------------------
    "api:list_positions": _api(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:create_position": _api(
        api_write(CAN_VIEW, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {
            "question": "遅れますか？",
            "facts": "事実",
            "recommendation": "予定どおり",
        },
    ),
    "api:get_position": _api(project_page(CAN_SEE, anonymous=401), api_position_kwargs),
    "api:update_position": _api(
        api_write(CAN_SEE, CONTRIBUTORS, 200),
        api_position_kwargs,
        method="patch",
        data=lambda cast, target, user: {"facts": "事実(更新)", "note": "追記"},
    ),
    "api:share_position": _api(
        api_write(CAN_SEE, EDITORS, 200),
        api_position_kwargs,
        method="post",
        data=lambda cast, target, user: {"visibility": "customer"},
    ),
    "api:list_position_versions": _api(project_page(CAN_SEE, anonymous=401), api_position_kwargs),
    "api:get_position_version": _api(
        project_page(CAN_SEE | {"own_internal": set()}, anonymous=401), api_position_version_kwargs
    ),
}
