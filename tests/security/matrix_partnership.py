"""Access expectations: the partnership check (issue 11), pages and API.

Targets are customers, as for the accounts (``matrix_accounts``): ``own`` is C1 (the customer of the own
project and of the other vendor's ``foreign`` project), ``other`` is C2. The partnership check is read and
written by the account's keepers only — the vendor managers, and the vendor PMs of one of the account's
projects. Everyone else gets 404 on every page and endpoint: the customer's sponsor and field staff, partner
vendors, vendor members (who see the account page but not how we rate the customer), a vendor
administrator on no project, and the other vendor's manager on *our* checks (it keeps its own check of C1:
200 on the account-level routes, which show its own vendor's data only).
"""

from __future__ import annotations

from .matrix import Expect, api_write, project_page
from .matrix_accounts import ACCOUNT_TARGETS, CAN_KEEP_ACCOUNT, CAN_KEEP_OURS, customer_kwargs

SCORES = {"own_part": 4, "decisions": 2, "equal_partner": 4, "learns": 3, "scope": 5}


def _customer(cast, target):
    return cast.customer if target == "own" else cast.other_customer


def _check(cast, target):
    from shinrai.partnership import services

    return services.assessment_create(
        by=cast.users["vendor_manager"],
        customer=_customer(cast, target),
        fiscal_year=2026,
        quarter=2,
        **SCORES,
    )


def check_kwargs(cast, target, user):
    return {"customer_id": _customer(cast, target).pk, "assessment_id": _check(cast, target).pk}


def _account(allowed, **extra):
    return Expect(project_page(allowed, **extra), customer_kwargs, ACCOUNT_TARGETS)


EXPECTATIONS: dict[str, Expect] = {
    # Pages
    "partnership:check": _account(CAN_KEEP_ACCOUNT),
    "partnership:new": _account(CAN_KEEP_ACCOUNT),
    "partnership:edit": Expect(project_page(CAN_KEEP_OURS), check_kwargs, ACCOUNT_TARGETS),
    # API: reads
    "api:get_partnership": _account(CAN_KEEP_ACCOUNT, anonymous=401),
    "api:get_partnership_trend": _account(CAN_KEEP_ACCOUNT, anonymous=401),
    "api:get_partnership_facts": _account(CAN_KEEP_ACCOUNT, anonymous=401),
    "api:list_partnership_assessments": _account(CAN_KEEP_ACCOUNT, anonymous=401),
    "api:get_partnership_assessment": Expect(
        project_page(CAN_KEEP_OURS, anonymous=401), check_kwargs, ACCOUNT_TARGETS
    ),
    # API: writes (who may not see answers 404: there is no "see but not write" here)
    "api:create_partnership_assessment": Expect(
        api_write(CAN_KEEP_ACCOUNT, CAN_KEEP_ACCOUNT, 201),
        customer_kwargs,
        ACCOUNT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"fiscal_year": 2026, "quarter": 1, **SCORES},
    ),
    "api:update_partnership_assessment": Expect(
        api_write(CAN_KEEP_OURS, CAN_KEEP_OURS, 200),
        check_kwargs,
        ACCOUNT_TARGETS,
        method="patch",
        data=lambda cast, target, user: {"decisions": 3},
    ),
}
