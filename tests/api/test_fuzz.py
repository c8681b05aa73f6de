"""Fuzzing the JSON API with schemathesis: no input, from any role, makes it answer 5xx or show another
tenant's data.

Every GET operation is fuzzed with a read token of each role in the cast, every write operation with a
write token of three roles (all of them when ``SHINRAI_FUZZ_EXAMPLES`` is above 5), in the world of
tests/security/tenant_world.py: the path parameters name the role's own object of that operation, and every
other tenant's objects (and what the role may not see of its own tenant, such as internal items) carry
marks in their text and ids of their own. Every answer is checked for them (``World.check``). Few examples
per operation (``MAX_EXAMPLES``), so the module stays within a few minutes of ``make test``; run it alone
with more by setting ``SHINRAI_FUZZ_EXAMPLES``. Other tenants' ids in paths, queries and bodies are fed in
by tests/security/test_api_tenant_isolation.py.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from shinrai.api.urls import api
from shinrai.core.models import TokenScope

from ..security.tenant_world import ROLES, World, kept_connection, shared_world

MAX_EXAMPLES = int(os.environ.get("SHINRAI_FUZZ_EXAMPLES", "5"))
# Writes: every role in a deeper run; within make test, one role per kind of writer (a PM who may change
# the project, a vendor member who may not, the customer's sponsor) — the others answer like one of them.
WRITE_ROLES = ROLES if MAX_EXAMPLES > 5 else ("vendor_pm", "vendor_member", "customer_sponsor")

SCHEMA = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), default=str)))
OPERATIONS = {
    f"{operation.method.upper()} {operation.path}": operation
    for operation in (result.ok() for result in SCHEMA.get_all_operations())
}
READS = sorted(label for label in OPERATIONS if label.startswith("GET "))
WRITES = sorted(label for label in OPERATIONS if not label.startswith("GET "))
APP = get_wsgi_application()

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,  # no example database left in the work tree
    derandomize=True,  # the same examples every run: a failure here is reproducible
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,  # one failure, raised as itself (the checker's self-tests expect it)
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_world(django_db_blocker) as built:
        yield built


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    with kept_connection():
        yield


def fuzz(world: World, label: str, role: str, scope: str) -> list[int]:
    """Positive and negative examples of one operation as one role; every answer under 500 and free of
    what the role may not see. Returns the statuses seen."""
    operation = OPERATIONS[label]
    headers = world.headers(role, scope)
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: value for name, value in world.own_params(label, role).items() if name in names}
    seen: list[int] = []

    def call(case):
        response = case.call(app=APP, headers=headers)
        seen.append(response.status_code)
        curl = case.as_curl_command(headers=headers)
        assert response.status_code < 500, (label, role, curl, response.text[:500])
        world.check(role, response, f"by {curl}")

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=fixed))
    def positive(case):
        call(case)

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters=fixed))
    def negative(case):
        call(case)

    positive()
    # Negative data needs something that can be wrong beyond the path: a free-text path parameter (the
    # survey answer token) has no invalid value at all.
    if len(operation.query) or len(operation.body):
        negative()
    assert seen, label
    return seen


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", READS)
def test_get_operations_never_answer_5xx_nor_show_other_tenants(db, world, role, label):
    fuzz(world, label, role, TokenScope.READ)


@pytest.mark.parametrize("role", WRITE_ROLES)
@pytest.mark.parametrize("label", WRITES)
def test_write_operations_never_answer_5xx_nor_show_other_tenants(db, world, role, label):
    fuzz(world, label, role, TokenScope.WRITE)


@pytest.mark.parametrize("role", ["vendor_pm", "customer_sponsor", "partner_viewer"])
def test_the_fuzzer_reaches_the_roles_own_objects(client, db, world, role):
    """The fixed path parameters name objects the role may read: a plain GET of each answers 200. Without
    this, a broken world would make every fuzzed request a 404 and the checks above would pass on nothing."""
    headers = {"HTTP_AUTHORIZATION": world.headers(role)["Authorization"]}
    statuses = {}
    for label in READS:
        template = label.split(" ", 1)[1]
        if "{" not in template:
            continue
        params = world.own_params(label, role)
        if world.target_for(label, role) is None or world.expect_status(label, role) != 200:
            continue
        statuses[label] = client.get(template.format(**params), **headers).status_code
    assert len(statuses) >= {"vendor_pm": 60, "customer_sponsor": 30, "partner_viewer": 15}[role], statuses
    assert {label: status for label, status in statuses.items() if status != 200} == {}
