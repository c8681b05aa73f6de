"""Shared vocabulary of the access matrix: the roles, the targets and how a route is expected to answer.

test_access_matrix.py holds the expectations of the first apps; later apps keep theirs beside it in
``matrix_<area>.py`` modules (each a dict ``EXPECTATIONS``), merged there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..conftest import CAST_ROLES

ROLES = ["anonymous", *CAST_ROLES]
TARGETS = ["own", "other", "foreign"]
VENDOR_USERS = {"vendor_manager", "vendor_pm", "vendor_member", "vendor_admin", "other_vendor_manager"}
SIGNED_IN = set(CAST_ROLES)

# Who may open which project (own: V×C1 with every role; other: V×C2; foreign: V2×C1).
CAN_VIEW = {
    "own": {
        "vendor_manager",
        "vendor_pm",
        "vendor_member",
        "customer_sponsor",
        "customer_member",
        "partner_viewer",
    },
    "other": {"vendor_manager", "outsider_customer"},
    "foreign": {"other_vendor_manager"},
}
CAN_SEE_INTERNAL = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member"},
    "other": {"vendor_manager"},
    "foreign": {"other_vendor_manager"},
}


@dataclass(frozen=True)
class Expect:
    """How one route answers: ``status(role, target)`` gives the HTTP status of a GET (or ``method``)."""

    status: Callable[[str, str | None], int]
    kwargs: Callable[[object, str | None, object], dict] | None = None  # (cast, target, user) -> URL kwargs
    targets: tuple[str | None, ...] = (None,)
    method: str = "get"
    data: Callable[[object, str | None, object], dict] | None = None  # (cast, target, user) -> JSON body


def page(signed_in: int = 200, anonymous: int = 302) -> Callable:
    return lambda role, target: anonymous if role == "anonymous" else signed_in


def project_page(allowed: dict[str, set[str]], anonymous: int = 302) -> Callable:
    def status(role, target):
        if role == "anonymous":
            return anonymous
        return 200 if role in allowed[target] else 404

    return status


def project_kwargs(name: str = "pk"):
    return lambda cast, target, user: {name: getattr(cast, target).pk}


PROJECT_TARGETS = ("own", "other", "foreign")


CAN_CONTRIBUTE = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member"},
    "other": {"vendor_manager"},
    "foreign": {"other_vendor_manager"},
}


def api_write(can_see: dict[str, set[str]], can_write: dict[str, set[str]], success: int) -> Callable:
    """API writes: 404 for what the caller may not see, 403 for what they may see but not change."""

    def status(role, target):
        if role == "anonymous":
            return 401
        if role in can_write[target]:
            return success
        return 403 if role in can_see[target] else 404

    return status


CAN_EDIT = {
    "own": {"vendor_manager", "vendor_pm"},
    "other": {"vendor_manager"},
    "foreign": {"other_vendor_manager"},
}
CAN_COMMENT = {
    "own": {"customer_sponsor", "customer_member"},
    "other": {"outsider_customer"},
    "foreign": set(),
}
CAN_DECIDE = {"own": {"customer_sponsor"}, "other": {"outsider_customer"}, "foreign": set()}


def page_post(allowed: dict[str, set[str]]) -> Callable:
    """A page form post: 302 back to the page when allowed, 404 when not, 302 to log-in when anonymous."""
    return lambda role, target: 302 if role == "anonymous" or role in allowed[target] else 404


CAN_SEE_REPORTS = {target: allowed - {"partner_viewer"} for target, allowed in CAN_VIEW.items()}


CAN_DISCUSS_REPORTS = {target: CAN_COMMENT[target] | CAN_CONTRIBUTE[target] for target in PROJECT_TARGETS}
