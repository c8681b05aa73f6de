"""Access expectations: The trust dashboard and its indicators (pages and API).

Vendor users only: customers and partners get 404 everywhere (they never see warnings). Account targets are
customers (as in matrix_accounts): ``own`` is C1 (customer of the own project, and of the other vendor's
``foreign`` project: the other vendor's manager sees *their own* indicators for C1), ``other`` is C2.
"""

from __future__ import annotations

from .matrix import CAN_SEE_INTERNAL, PROJECT_TARGETS, VENDOR_USERS, Expect, project_kwargs, project_page

ACCOUNT_TARGETS = ("own", "other")
CAN_SEE_ACCOUNT = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "other_vendor_manager"},
    "other": {"vendor_manager"},
}


def customer_kwargs(cast, target, user):
    return {"customer_id": (cast.customer if target == "own" else cast.other_customer).pk}


def vendor_only(anonymous: int):
    """200 for every vendor user (their own vendor's figures), 404 for customers and partners."""
    return lambda role, target: anonymous if role == "anonymous" else (200 if role in VENDOR_USERS else 404)


EXPECTATIONS: dict[str, Expect] = {
    "trust:portfolio": Expect(vendor_only(302)),
    "trust:definitions": Expect(vendor_only(302)),
    "trust:account": Expect(project_page(CAN_SEE_ACCOUNT), customer_kwargs, ACCOUNT_TARGETS),
    "trust:project": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "api:trust_portfolio": Expect(vendor_only(401)),
    "api:account_trust": Expect(
        project_page(CAN_SEE_ACCOUNT, anonymous=401), customer_kwargs, ACCOUNT_TARGETS
    ),
    "api:project_trust": Expect(
        project_page(CAN_SEE_INTERNAL, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
}
