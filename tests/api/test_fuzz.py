"""Fuzzing the JSON API with schemathesis: no input, from any role, makes it answer 5xx.

Every GET operation is fuzzed with a read token of each role in the cast; every write operation with a write
token of the vendor PM. Few examples per operation (``MAX_EXAMPLES``), so the module runs in a minute or two
within ``make test``; run it alone with more by setting ``SHINRAI_FUZZ_EXAMPLES``. A deterministic sweep then
checks that another tenant's project or customer answers 404 on every GET route that takes one.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from shinrai.api.urls import api
from shinrai.core import services
from shinrai.core.models import TokenScope
from shinrai.ledger import services as ledger_services
from shinrai.progress import report_services, reports
from shinrai.requirements import services as requirement_services
from shinrai.troubles import services as trouble_services

from ..factories import MilestoneFactory, TaskFactory

MAX_EXAMPLES = int(os.environ.get("SHINRAI_FUZZ_EXAMPLES", "5"))
ROLES = (
    "vendor_manager",
    "vendor_pm",
    "vendor_member",
    "customer_sponsor",
    "customer_member",
    "partner_viewer",
    "outsider_customer",
)

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
)


def token_for(user, scope: str) -> dict[str, str]:
    _token, clear = services.api_token_create(user=user, name="fuzz", scope=scope)
    return {"Authorization": f"Bearer {clear}"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Call the WSGI app as Django's test client does: without closing the database connection at the start
    and end of each request. On PostgreSQL that close drops the test's transaction, and every later request
    fails with "the connection is closed" (SQLite's in-memory test database is never closed)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(cast) -> dict[str, int]:
    """One object of each common kind in the own project: the ids the fuzzer puts in paths, so that the
    requests reach the endpoints' logic instead of stopping at 404."""
    pm = cast.users["vendor_pm"]
    now = timezone.now()
    requirement = requirement_services.requirement_create(
        by=pm, project=cast.own, text="利用者はログインできること", kind="functional"
    )
    trouble = trouble_services.trouble_create(
        by=pm, project=cast.own, kind="issue", title="性能劣化", facts="応答が遅い", detected_at=now
    )
    report = report_services.report_create_draft(
        by=pm, project=cast.own, week_start=reports.monday_of(timezone.localdate()) - timedelta(days=7)
    )
    request = ledger_services.request_create(
        by=cast.users["customer_sponsor"], project=cast.own, title="資料提出", due_at=now + timedelta(days=2)
    )
    change = ledger_services.change_create(
        by=pm,
        project=cast.own,
        title="帳票追加",
        description="帳票を1本追加",
        reason="顧客要望",
        cost_impact=100000,
        schedule_impact_days=2,
    )
    return {
        "project_id": cast.own.pk,
        "customer_id": cast.customer.pk,
        "milestone_id": MilestoneFactory(project=cast.own).pk,
        "task_id": TaskFactory(project=cast.own).pk,
        "requirement_id": requirement.pk,
        "trouble_id": trouble.pk,
        "report_id": report.pk,
        "request_id": request.pk,
        "change_id": change.pk,
    }


def fuzz(label: str, headers: dict[str, str], world: dict[str, int]) -> None:
    operation = OPERATIONS[label]
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: world[name] for name in names if name in world}
    seen: list[str] = []

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=fixed))
    def positive(case):
        response = case.call(app=APP, headers=headers)
        seen.append(str(response.status_code))
        assert response.status_code < 500, (label, case.as_curl_command(headers=headers), response.text[:500])

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters=fixed))
    def negative(case):
        response = case.call(app=APP, headers=headers)
        seen.append(str(response.status_code))
        assert response.status_code < 500, (label, case.as_curl_command(headers=headers), response.text[:500])

    positive()
    # Negative data needs something that can be wrong beyond the path: a free-text path parameter (the
    # survey answer token) has no invalid value at all.
    if len(operation.query) or len(operation.body):
        negative()
    assert seen, label


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", READS)
def test_get_operations_never_answer_5xx(cast, world, role, label):
    fuzz(label, token_for(cast.users[role], TokenScope.READ), world)


@pytest.mark.parametrize("label", WRITES)
def test_write_operations_never_answer_5xx_for_the_vendor_pm(cast, world, label):
    fuzz(label, token_for(cast.users["vendor_pm"], TokenScope.WRITE), world)


# --- Other tenants' ids ------------------------------------------------------------------------------------


def _path(template: str, values: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), template)


@pytest.mark.parametrize(
    "role, hidden",
    [
        ("vendor_pm", "foreign"),  # another vendor's project
        ("vendor_manager", "foreign"),
        ("customer_sponsor", "other"),  # the vendor's project for another customer
        ("customer_member", "other"),
        ("partner_viewer", "other"),
        ("outsider_customer", "own"),
    ],
)
def test_other_tenants_projects_answer_404_on_every_get_route(client, cast, role, hidden):
    headers = {"HTTP_AUTHORIZATION": token_for(cast.users[role], TokenScope.READ)["Authorization"]}
    project = getattr(cast, hidden)
    checked = []
    for label in READS:
        template = label.split(" ", 1)[1]
        if "{project_id}" not in template:
            continue
        response = client.get(_path(template, {"project_id": project.pk}), **headers)
        assert response.status_code == 404, (label, response.status_code)
        checked.append(label)
    assert len(checked) >= 10


@pytest.mark.parametrize("role", ["vendor_pm", "customer_sponsor", "partner_viewer"])
def test_other_vendors_customer_account_answers_404(client, cast, role):
    headers = {"HTTP_AUTHORIZATION": token_for(cast.users[role], TokenScope.READ)["Authorization"]}
    checked = []
    for label in READS:
        template = label.split(" ", 1)[1]
        if "{customer_id}" not in template:
            continue
        # The other customer has no project with this vendor: nobody here may see its account.
        response = client.get(_path(template, {"customer_id": cast.other_customer.pk}), **headers)
        assert response.status_code == 404, (label, response.status_code)
        checked.append(label)
    assert checked
