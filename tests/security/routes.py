"""Helpers shared by the attack modules: every route with a user who may use it, and a fingerprint of the
database to prove that a refused request changed nothing.

Built on the access matrix (test_access_matrix.EXPECTATIONS): its kwargs builders make the objects a route
needs, and its expected statuses tell which role may use a route on which target.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse

from .matrix import Expect
from .test_access_matrix import ADMIN_NAMESPACE, EXPECTATIONS, iter_routes

# Signed-in roles first, the most capable first, so that the chosen user is one the route would serve.
ROLE_PREFERENCE = [
    "vendor_pm",
    "vendor_manager",
    "customer_sponsor",
    "customer_member",
    "vendor_member",
    "partner_viewer",
    "vendor_admin",
    "outsider_customer",
    "other_vendor_manager",
    "outsider_partner",
    "anonymous",
]
REFUSED = {401, 403, 404, 405}

# Tables that change on reads or logins by design: sessions and throttling records, queued task results,
# the per-project indicator cache (filled by the first board that needs it).
_VOLATILE_MODELS = {
    "sessions.Session",
    "axes.AccessFailureLog",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessLog",
    "django_tasks_database.DBTaskResult",
    "accounts.ProjectIndicators",
}
# Columns that a read updates by design (when a credential was last used, when someone last logged in).
_VOLATILE_FIELDS = {"last_used_at", "last_login"}


def fingerprint() -> str:
    """A digest of every row of every table that a refused request must not touch."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.label in _VOLATILE_MODELS:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in _VOLATILE_FIELDS]
        digest.update(model._meta.label.encode())
        for row in model._base_manager.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def page_routes() -> list[str]:
    """Every named route that is not the API's or the admin's."""
    return sorted(
        name
        for name, _route in iter_routes()
        if not name.startswith(("api:", f"{ADMIN_NAMESPACE}:")) and name in EXPECTATIONS
    )


def api_routes() -> list[str]:
    return sorted(name for name, _route in iter_routes() if name.startswith("api:") and name in EXPECTATIONS)


@dataclass(frozen=True)
class Use:
    """One route, used by a role on a target the matrix says that role may use it on."""

    name: str
    role: str
    target: str | None
    expect: Expect
    status: int  # what the matrix expects for this role and target


def allowed_use(name: str, *, signed_in: bool = True) -> Use | None:
    """The first role (ROLE_PREFERENCE) that the matrix lets use the route, on the own target if it can."""
    expect = EXPECTATIONS[name]
    targets = sorted(expect.targets, key=lambda t: (t != "own", str(t)))
    for role in ROLE_PREFERENCE:
        if signed_in and role == "anonymous":
            continue
        for target in targets:
            status = expect.status(role, target)
            if status not in REFUSED and not (status == 302 and role != "anonymous" and _is_login(name)):
                return Use(name, role, target, expect, status)
    return None


def _is_login(name: str) -> bool:
    return name == "login"


def url_for(use: Use, cast, user) -> str:
    kwargs = use.expect.kwargs(cast, use.target, user) if use.expect.kwargs else {}
    return reverse(use.name, kwargs=kwargs)
