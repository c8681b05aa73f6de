"""Access expectations: Survey results, trends and exports (pages and API). Vendor roles only.

Accounts: target "own" is customer C1 (a customer of vendor V through project "own", and of vendor V2
through "foreign": V2's manager opens V2's own account of C1), "other" is customer C2 (only V's manager).
"""

from __future__ import annotations

from .matrix import CAN_SEE_INTERNAL, PROJECT_TARGETS, VENDOR_USERS, Expect, project_kwargs, project_page

ACCOUNT_TARGETS = ("own", "other")
CAN_OPEN_ACCOUNT = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "other_vendor_manager"},
    "other": {"vendor_manager"},
}


def account_kwargs(name: str = "customer_id"):
    return lambda cast, target, user: {name: (cast.customer if target == "own" else cast.other_customer).pk}


def vendor_only(anonymous: int = 302):
    def status(role, target):
        if role == "anonymous":
            return anonymous
        return 200 if role in VENDOR_USERS else 404

    return status


def account_status(anonymous: int = 302):
    def status(role, target):
        if role == "anonymous":
            return anonymous
        return 200 if role in CAN_OPEN_ACCOUNT[target] else 404

    return status


EXPECTATIONS: dict[str, Expect] = {
    **{
        f"survey_results:{name}": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS)
        for name in ("project", "project_pdf", "project_xlsx")
    },
    **{
        f"survey_results:{name}": Expect(account_status(), account_kwargs(), ACCOUNT_TARGETS)
        for name in ("account", "account_pdf", "account_xlsx")
    },
    **{f"survey_results:{name}": Expect(vendor_only()) for name in ("vendor", "vendor_pdf", "vendor_xlsx")},
    "api:project_survey_results": Expect(
        project_page(CAN_SEE_INTERNAL, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:account_survey_results": Expect(account_status(401), account_kwargs(), ACCOUNT_TARGETS),
    "api:vendor_survey_results": Expect(vendor_only(401)),
}
