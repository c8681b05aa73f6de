"""Access expectations: Account plans, key people and relationship signals (pages and API).

Targets are customers: ``own`` is C1 (the customer of the own project, and also of the other vendor's
``foreign`` project), ``other`` is C2 (the customer of the ``other`` project). An account is one customer as
seen by one vendor: the other vendor's manager opens and keeps *their own* account of C1, never ours, so our
roadmap steps and key people answer 404 to them.
"""

from __future__ import annotations

from .matrix import VENDOR_USERS, Expect, api_write, page_post, project_page

ACCOUNT_TARGETS = ("own", "other")
# Who may open the account (own vendor's or their own vendor's view of that customer).
CAN_SEE_ACCOUNT = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "other_vendor_manager"},
    "other": {"vendor_manager"},
}
CAN_KEEP_ACCOUNT = {
    "own": {"vendor_manager", "vendor_pm", "other_vendor_manager"},
    "other": {"vendor_manager"},
}
# Roadmap steps and key people of vendor V's plans: the other vendor does not even see they exist.
CAN_SEE_OURS = {target: roles - {"other_vendor_manager"} for target, roles in CAN_SEE_ACCOUNT.items()}
CAN_KEEP_OURS = {target: roles - {"other_vendor_manager"} for target, roles in CAN_KEEP_ACCOUNT.items()}


def _customer(cast, target):
    return cast.customer if target == "own" else cast.other_customer


def customer_kwargs(cast, target, user):
    return {"customer_id": _customer(cast, target).pk}


def step_kwargs(cast, target, user):
    from shinrai.accounts import services

    customer = _customer(cast, target)
    step = services.roadmap_step_create(
        by=cast.users["vendor_manager"], customer=customer, fiscal_year=2027, title="在庫の見える化"
    )
    return {"customer_id": customer.pk, "step_id": step.pk}


def person_kwargs(cast, target, user):
    from shinrai.accounts import services

    customer = _customer(cast, target)
    person = services.key_person_create(
        by=cast.users["vendor_manager"], customer=customer, name="佐藤部長", meet_every_days=30
    )
    return {"customer_id": customer.pk, "person_id": person.pk}


def vendor_only_page(anonymous: int):
    """A list for vendor users only: 200 for every vendor user, 404 for customers and partners."""
    return lambda role, target: anonymous if role == "anonymous" else (200 if role in VENDOR_USERS else 404)


PLAN = {"version": 0, "business": "精密部品の製造", "strategy": "海外展開"}


def _body(data):
    return lambda cast, target, user: data


def _account(allowed, **extra):
    return Expect(project_page(allowed, **extra), customer_kwargs, ACCOUNT_TARGETS)


EXPECTATIONS: dict[str, Expect] = {
    # Pages
    "accounts:list": Expect(vendor_only_page(302)),
    "accounts:detail": _account(CAN_SEE_ACCOUNT),
    "accounts:plan_edit": _account(CAN_KEEP_ACCOUNT),
    "accounts:step_new": _account(CAN_KEEP_ACCOUNT),
    "accounts:person_new": _account(CAN_KEEP_ACCOUNT),
    "accounts:signal_new": _account(CAN_KEEP_ACCOUNT),
    "accounts:step_edit": Expect(project_page(CAN_KEEP_OURS), step_kwargs, ACCOUNT_TARGETS),
    "accounts:person_edit": Expect(project_page(CAN_KEEP_OURS), person_kwargs, ACCOUNT_TARGETS),
    "accounts:step_delete": Expect(page_post(CAN_KEEP_OURS), step_kwargs, ACCOUNT_TARGETS, method="post"),
    "accounts:person_delete": Expect(page_post(CAN_KEEP_OURS), person_kwargs, ACCOUNT_TARGETS, method="post"),
    "accounts:person_met": Expect(page_post(CAN_KEEP_OURS), person_kwargs, ACCOUNT_TARGETS, method="post"),
    # API
    "api:list_accounts": Expect(vendor_only_page(401)),
    "api:get_account": _account(CAN_SEE_ACCOUNT, anonymous=401),
    "api:list_account_signals": _account(CAN_SEE_ACCOUNT, anonymous=401),
    "api:update_account_plan": Expect(
        api_write(CAN_SEE_ACCOUNT, CAN_KEEP_ACCOUNT, 200),
        customer_kwargs,
        ACCOUNT_TARGETS,
        method="put",
        data=_body(PLAN),
    ),
    "api:create_account_roadmap_step": Expect(
        api_write(CAN_SEE_ACCOUNT, CAN_KEEP_ACCOUNT, 201),
        customer_kwargs,
        ACCOUNT_TARGETS,
        method="post",
        data=_body({"fiscal_year": 2027, "title": "需要予測"}),
    ),
    "api:update_account_roadmap_step": Expect(
        api_write(CAN_SEE_OURS, CAN_KEEP_OURS, 200),
        step_kwargs,
        ACCOUNT_TARGETS,
        method="patch",
        data=_body({"status": "planned"}),
    ),
    "api:delete_account_roadmap_step": Expect(
        api_write(CAN_SEE_OURS, CAN_KEEP_OURS, 204), step_kwargs, ACCOUNT_TARGETS, method="delete"
    ),
    "api:create_account_key_person": Expect(
        api_write(CAN_SEE_ACCOUNT, CAN_KEEP_ACCOUNT, 201),
        customer_kwargs,
        ACCOUNT_TARGETS,
        method="post",
        data=_body({"name": "鈴木課長", "meet_every_days": 60}),
    ),
    "api:update_account_key_person": Expect(
        api_write(CAN_SEE_OURS, CAN_KEEP_OURS, 200),
        person_kwargs,
        ACCOUNT_TARGETS,
        method="patch",
        data=_body({"last_met_on": "2020-01-10"}),
    ),
    "api:delete_account_key_person": Expect(
        api_write(CAN_SEE_OURS, CAN_KEEP_OURS, 204), person_kwargs, ACCOUNT_TARGETS, method="delete"
    ),
    "api:create_account_signal": Expect(
        api_write(CAN_SEE_ACCOUNT, CAN_KEEP_ACCOUNT, 201),
        customer_kwargs,
        ACCOUNT_TARGETS,
        method="post",
        data=_body({"kind": "consulted_before_rfp", "occurred_on": "2020-01-10"}),
    ),
}
