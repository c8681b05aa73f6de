"""Threat: learning that another tenant's object exists (or a vendor-only one), without being shown it.

ASVS 5.0 V8.2.2 (object-level access: IDOR), V8.2.3 (no data through other channels), V14.2.1 (no sensitive
data in responses that differ for "exists" and "does not exist"). DESIGN.md: "Not visible ⇒ HTTP 404 (never
reveal existence)".

For every page route of the access matrix that takes an object id (pages, exports, PDFs, attachments,
history; the API's operations get the same treatment in test_api_tenant_isolation.py), and every target on
which some signed-in role gets 404, the answer for that real object is compared with the answer for an id
that does not exist: same status, same headers, same cookies, same body once the request's own path and the
per-request CSRF token are set aside. HEAD answers the same for both (404, or 405 where a view takes GET
only: decided before any lookup), never with the object's headers. A refused write also changes nothing. A
second sweep puts another project's id next to the user's own project id (the classic
``/projects/<mine>/troubles/<theirs>/``) and expects the same "does not exist" answer.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from .matrix import CAN_VIEW
from .routes import fingerprint
from .test_access_matrix import EXPECTATIONS, iter_routes

MISSING_ID = 987654321  # no object of any kind has this id in a test database
# Roles tried, in order, for a target that someone gets 404 on: customers first (the tenant boundary that
# matters most), then partner vendors, then vendor users of the same and of another vendor.
PROBE_ROLES = [
    "customer_sponsor",
    "outsider_customer",
    "partner_viewer",
    "vendor_pm",
    "other_vendor_manager",
    "customer_member",
    "vendor_member",
    "outsider_partner",
    "vendor_admin",
    "vendor_manager",
]
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
# Headers that differ between any two requests whatever they ask for.
_PER_REQUEST_HEADERS = {"content-length", "date"}


def _probes() -> list[tuple[str, str, str]]:
    """(route, role, target) where the role gets 404. On the own project's targets only members of it are
    tried (the item is hidden from them by its visibility or their role); a project hidden as a whole is
    probed on the other customer's and the other vendor's projects."""
    cases = []
    for name, expect in EXPECTATIONS.items():
        if expect.kwargs is None or name.startswith(("calendar:", "api:")):
            # no object id; the feeds' secret is the credential (tests/core/test_calendar_feed.py); every API
            # operation gets the same comparison in test_api_tenant_isolation.py
            continue
        for target in expect.targets:
            roles = (
                PROBE_ROLES
                if target in {"other", "foreign"}
                else [r for r in PROBE_ROLES if r in CAN_VIEW["own"]]
            )
            role = next((r for r in roles if expect.status(r, target) == 404), None)
            if role is not None:
                cases.append((name, role, target))
    return cases


def _missing(kwargs: dict, *, keep: set[str] = frozenset()) -> dict:
    return {k: (MISSING_ID if isinstance(v, int) and k not in keep else v) for k, v in kwargs.items()}


def _send(browser, method, url, data):
    # Forget the CSRF cookie an earlier answer set, so that each answer sets the same cookies.
    browser.cookies.pop("csrftoken", None)
    send = getattr(browser, method)
    if data is None:
        return send(url)
    return send(url, data, content_type="application/json")


def _shape(response, path: str) -> tuple:
    """What an observer could compare between two answers, minus the request's own path and CSRF token."""
    body = _CSRF_INPUT.sub(b'name="csrfmiddlewaretoken" value="-"', response.content)
    body = body.replace(path.encode(), b"<path>")
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in _PER_REQUEST_HEADERS}
    if "content-length" in response.headers and response.request["REQUEST_METHOD"] != "HEAD":
        assert int(response.headers["content-length"]) == len(response.content)
    return response.status_code, headers, sorted(response.cookies.keys()), body


def _compare(cast, name, role, method, data, seen_kwargs, missing_kwargs):
    seen_url = reverse(name, kwargs=seen_kwargs)
    missing_url = reverse(name, kwargs=missing_kwargs)
    browser = Client()
    browser.force_login(cast.users[role])
    before = fingerprint() if method != "get" else None
    seen = _send(browser, method, seen_url, data)
    if before is not None:
        assert fingerprint() == before, f"{method.upper()} {name} as {role}: a refused write changed data"
    missing = _send(browser, method, missing_url, data)
    assert seen.status_code == 404, f"{name} as {role}: {seen.status_code}"
    assert _shape(seen, seen_url) == _shape(missing, missing_url), f"{name} as {role}: answers differ"
    if method == "get":
        head_seen, head_missing = (_send(browser, "head", u, None) for u in (seen_url, missing_url))
        # 405 where a view takes GET only (Django's require_GET, ninja): decided before any lookup.
        assert head_seen.status_code == head_missing.status_code, name
        assert head_seen.status_code in {404, 405}, f"HEAD {name} as {role}: {head_seen.status_code}"
        assert head_seen.content == b""
        assert _shape(head_seen, seen_url)[1] == _shape(head_missing, missing_url)[1], name


@pytest.mark.parametrize(("name", "role", "target"), _probes())
def test_hidden_object_answers_exactly_like_a_missing_one(cast, name, role, target):
    expect = EXPECTATIONS[name]
    user = cast.users[role]
    kwargs = expect.kwargs(cast, target, user)
    data = expect.data(cast, target, user) if expect.data else None
    _compare(cast, name, role, expect.method, data, kwargs, _missing(kwargs))


PROJECT_KEYS = ("pk", "project_id")
_INT_PARAMS = {name: re.findall(r"<int:(\w+)>", route) for name, route in iter_routes()}


def _mixed_probes() -> list[tuple[str, str, str]]:
    """Routes under /projects/<pk>/ with an item id too: the user's own project with another's item."""
    cases = []
    for name, role, target in _probes():
        params = _INT_PARAMS.get(name, [])
        project_keys = [p for p in params if p in PROJECT_KEYS]
        if not project_keys or len(params) < 2:
            continue
        if target in {"other", "foreign"} and EXPECTATIONS[name].status(role, "own") not in {404, 401}:
            cases.append((name, role, target))
    return cases


@pytest.mark.parametrize(("name", "role", "target"), _mixed_probes())
def test_another_projects_item_under_ones_own_project_answers_like_a_missing_one(cast, name, role, target):
    expect = EXPECTATIONS[name]
    user = cast.users[role]
    kwargs = expect.kwargs(cast, target, user)
    project_key = next(k for k in PROJECT_KEYS if k in kwargs)
    mixed = kwargs | {project_key: cast.own.pk}
    data = expect.data(cast, target, user) if expect.data else None
    _compare(cast, name, role, expect.method, data, mixed, _missing(mixed, keep={project_key}))


def test_mixed_probes_cover_the_nested_item_routes():
    """The mixed sweep must not silently shrink to nothing (it keeps only routes with an item id)."""
    nested = {
        name
        for name, _role, _target in _mixed_probes()
        if name.startswith(("troubles:", "ledger:", "reports:", "flows:", "integrations:webhook"))
    }
    assert len(nested) >= 20, sorted(nested)


TIMED_ROUTES = ["troubles:detail", "api:get_trouble", "reports:portal_detail", "flows:version_download"]


@pytest.mark.parametrize("name", TIMED_ROUTES)
def test_time_to_answer_does_not_tell_hidden_from_missing(cast, name):
    """The medians of interleaved tries stay within a generous bound (the answer is decided by a few indexed
    queries either way; a hidden object must not cost a visibly longer path, such as rendering it first)."""
    import statistics
    import time

    expect = EXPECTATIONS[name]
    role = "customer_sponsor"
    kwargs = expect.kwargs(cast, "other", cast.users[role])
    urls = {"hidden": reverse(name, kwargs=kwargs), "missing": reverse(name, kwargs=_missing(kwargs))}
    browser = Client()
    browser.force_login(cast.users[role])
    timings = {"hidden": [], "missing": []}
    for _ in range(15):
        for key, url in urls.items():
            start = time.perf_counter()
            assert browser.get(url).status_code == 404
            timings[key].append(time.perf_counter() - start)
    hidden, missing = (statistics.median(timings[key]) for key in ("hidden", "missing"))
    assert abs(hidden - missing) < 0.005 + 0.5 * max(hidden, missing), (hidden, missing)
