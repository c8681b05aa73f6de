"""Threat: a user reads or changes another tenant's data through the JSON API by sending that tenant's ids —
in a path, a query or a body (IDOR / broken object-level authorization) — or learns that an object exists
from an answer that differs from the answer for a missing one.

ASVS 5.0: V8.2.2 (data-specific access: IDOR, BOLA), V8.4.1 (cross-tenant isolation), V8.2.3 (field-level
access: internal fields and items), V8.3.1 (authorization enforced at the service layer, whatever the
client sends).

The world and its checker are in tenant_world.py (other tenants' objects marked in their text and given
ids no other table uses). Here:
- every path parameter of every API operation, for every role, is set to the id of an object the role may
  not see (another tenant's, or an internal one of its own tenant) with the other parameters naming its own
  objects — a child under the role's own parent and the reverse — with the matrix's valid body and with
  schemathesis' bodies: each answer is exactly the answer for an id that does not exist (404), changes
  nothing, and shows nothing;
- every id in a query or a body (owner, goal, parent task, option, project …) is set to a hidden object's:
  refused (4xx) exactly like a missing id;
- and the checker is shown to catch a selector that forgets the tenant, a lookup that forgets the role and
  a body check that accepts anyone's id.
More examples per case with ``SHINRAI_FUZZ_EXAMPLES`` (as tests/api/test_fuzz.py).
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from shinrai.api.urls import api
from shinrai.core.models import AuditEvent, TokenScope, User

from ..api.test_fuzz import APP, OPERATIONS, fuzz
from .tenant_world import (
    MARK_RE,
    MISSING_ID,
    ROLES,
    TenancyLeak,
    World,
    id_fields,
    kept_connection,
    shared_world,
)
from .test_access_matrix import EXPECTATIONS

EXAMPLES = max(1, int(os.environ.get("SHINRAI_FUZZ_EXAMPLES", "5")) // 5)
SWEEP_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)
WITH_PATH = sorted(label for label in OPERATIONS if "{" in label)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_world(django_db_blocker) as built:
        yield built


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    with kept_connection():
        yield


def _scope(label: str) -> str:
    return TokenScope.READ if label.startswith("GET ") else TokenScope.WRITE


def _normal(text: str, *values) -> str:
    """An answer with the ids that differ between the twin requests blanked out."""
    for value in values:
        text = re.sub(rf"\b{re.escape(str(value))}\b", "<id>", text)
    return text


def _hidden_changes(world: World, role: str) -> int:
    """Audit events on projects the role may not see: a write there leaves one."""
    hidden = [world.cast.foreign.pk] + ([] if role == "vendor_manager" else [world.cast.other.pk])
    if role == "outsider_customer":
        hidden.append(world.cast.own.pk)
    return AuditEvent.objects.filter(project__in=hidden).count()


# --- Other tenants' ids in the path ------------------------------------------------------------------------


def path_combinations(world: World, label: str, role: str):
    """(target, parameter, path parameters): one hidden object's id at a time, the rest the role's own."""
    route = world.routes.get(label)
    if route is None:
        return
    own = world.own_params(label, role)
    names = re.findall(r"\{(\w+)\}", label)
    for target, params in route.params.items():
        if route.status(role, target) != 404:
            continue
        for name in names:
            if params.get(name) != own.get(name):
                yield (
                    target,
                    name,
                    {key: own.get(key, params.get(key)) for key in names} | {name: params[name]},
                )


def _matrix_body(world: World, label: str, target: str, role: str):
    """The body the access matrix sends for this operation on this target (valid for it), if any."""
    expect = EXPECTATIONS[world.routes[label].name]
    if expect.data is None:
        return None
    try:
        return expect.data(world.cast, target, world.cast.users[role])
    except Exception:  # noqa: BLE001 - helpers that look up "the newest" object can miss in a full world
        return None


def sweep(world: World, label: str, role: str) -> int:
    """Send hidden ids in the path; return how many combinations were tried."""
    operation = OPERATIONS[label]
    headers = world.headers(role, _scope(label))
    before = _hidden_changes(world, role)
    tried = 0
    for target, name, params in path_combinations(world, label, role):
        tried += 1

        def twins(case, *, name=name, params=params, target=target):
            foreign = case.call(app=APP, headers=headers)
            case.path_parameters = params | {
                name: MISSING_ID if isinstance(params[name], int) else "zz-missing"
            }
            missing = case.call(app=APP, headers=headers)
            case.path_parameters = params
            where = f"{label} as {role} with {name} of {target}"
            assert foreign.status_code not in range(200, 400), (
                where,
                foreign.status_code,
                foreign.text[:300],
            )
            world.check(role, foreign, where)
            assert (foreign.status_code, _normal(foreign.text, params[name])) == (
                missing.status_code,
                _normal(missing.text, MISSING_ID, "zz-missing"),
            ), f"{where}: a hidden id answers unlike a missing one"
            return foreign.status_code

        body = _matrix_body(world, label, target, role)
        if body is not None or not len(operation.body):
            explicit = operation.Case(
                path_parameters=params,
                **({"body": body, "media_type": "application/json"} if body is not None else {}),
            )
            hidden_only = params == world.routes[label].params[target]
            # Under an object of its own, a role that may not act there can be refused first (403).
            assert twins(explicit) in ((404,) if hidden_only else (403, 404)), (label, role, name, target)

        @SWEEP_SETTINGS
        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=params))
        def generated(case):
            twins(case)

        generated()
    assert _hidden_changes(world, role) == before, f"{label} as {role} changed a hidden project"
    return tried


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", WITH_PATH)
def test_hidden_ids_in_the_path_answer_like_missing_ones(db, world, label, role):
    sweep(world, label, role)


def test_every_path_parameter_gets_a_hidden_id(db, world):
    """Each operation with a path is swept with a hidden object for at least one role, and every one of its
    parameters gets a hidden id somewhere (a route whose helper failed would otherwise be skipped)."""
    missing = []
    for label in WITH_PATH:
        names = set(re.findall(r"\{(\w+)\}", label))
        swept = {name for role in ROLES for _t, name, _p in path_combinations(world, label, role)}
        # The survey answer's token is the credential itself (every role gets the same answer).
        if names - swept - {"token", "number", "index", "element_id"}:
            missing.append((label, sorted(names - swept)))
    assert missing == []


# --- Hidden ids in queries and bodies ----------------------------------------------------------------------

# What each id field of a query or body names. A new id field fails test_every_id_field_is_known until it
# is added here.
ID_FIELDS = {
    "requirement_id": "requirements.Requirement",
    "requirement_ids": "requirements.Requirement",
    "goal_id": "requirements.Goal",
    "source_ids": "requirements.Stakeholder",
    "parent_id": None,  # a task's parent task, a comment's parent comment: see PARENT
    "owner_id": "core.User",
    "milestone_id": "progress.Milestone",
    "option_id": "troubles.Option",
    "project_id": "core.Project",
    "customer_id": "core.Organization",
    "organization_id": "core.Organization",
    "partner_ids": "core.Organization",
    "person_id": "core.User",
    "trouble_id": "troubles.Trouble",
    "follow_up_id": "troubles.FollowUp",
    "customer_request_id": "ledger.CustomerRequest",
    "task_id": "progress.Task",
}
PARENT = {"/tasks": "progress.Task", "/comments": "progress.ReportComment"}


def _model(label: str, field: str):
    from django.apps import apps

    name = ID_FIELDS[field.rsplit(".", 1)[-1]]
    if name is None:
        name = next(model for suffix, model in PARENT.items() if suffix in label)
    return apps.get_model(name)


DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(), default=str))


def _schema_id_fields():
    """(label, where, field) for every id-like property of a query or JSON body in the OpenAPI document."""
    for path, methods in DOCUMENT["paths"].items():
        for method, operation in methods.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"].endswith(("_id", "_ids")):
                    yield label, "query", parameter["name"]
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for field in _id_paths(content["application/json"]["schema"]):
                    yield label, "body", field


def _id_paths(schema: dict, prefix: str = "") -> list[str]:
    """Integer properties (or lists of them) named ``*_id``/``*_ids``: row ids, not BPMN element ids."""
    found = []
    for name, prop in _resolve(schema).get("properties", {}).items():
        prop = _resolve(prop)
        kind = (
            _resolve(prop.get("items", {})).get("type") if prop.get("type") == "array" else prop.get("type")
        )
        if name.endswith(("_id", "_ids")) and kind == "integer":
            found.append(prefix + name)
        items = prop.get("items")
        if items is not None:
            found += _id_paths(items, f"{prefix}{name}[].")
    return found


def _resolve(schema: dict) -> dict:
    """The schema behind a $ref, and behind ``anyOf: [X, null]``."""
    while True:
        if "$ref" in schema:
            schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in schema:
            schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), {})
        else:
            return schema


ID_CASES = sorted(set(_schema_id_fields()))


def test_every_id_field_is_known():
    unknown = sorted({field for _l, _w, field in ID_CASES if field.rsplit(".", 1)[-1] not in ID_FIELDS})
    assert unknown == []
    assert len(ID_CASES) >= 15


def _set(body: dict, path: str, value) -> dict:
    """``body`` with the id field at ``path`` ("owner_id", "preventions[].owner_id") set to ``value``."""
    body = json.loads(json.dumps(body))
    head, _, rest = path.partition("[].")
    if rest:
        items = body.get(head) or [{}]
        body[head] = [_set(items[0], rest, value), *items[1:]]
        return body
    body[head] = [value] if head.endswith("_ids") else value
    return body


def _writers(world: World, label: str) -> list[tuple[str, str | None]]:
    """(role, target): the roles the matrix lets do this operation on an object of their own tenant."""
    route = world.routes[label]
    own = [target for target in route.params if not target.startswith(("other", "foreign"))]
    pairs = []
    for role in (*ROLES, "vendor_admin"):
        for target in own or [None]:
            if route.status(role, target) < 300:
                pairs.append((role, target))
                break
    return pairs


@pytest.mark.parametrize(("label", "where", "field"), ID_CASES)
def test_hidden_ids_in_queries_and_bodies_are_refused_like_missing_ones(
    client, db, world, label, where, field
):
    from shinrai.core import services as core_services

    model = _model(label, field)
    tried = []
    expect = EXPECTATIONS[world.routes[label].name]
    for role, target in _writers(world, label):
        user = world.cast.users[role]
        # A fresh object of the role's own and its body, as the matrix makes them; where the world's state
        # refuses a second one (an open review, this week's report), the world's object serves.
        try:
            with transaction.atomic():
                params = expect.kwargs(world.cast, target, user) if expect.kwargs else {}
                body = (expect.data(world.cast, target, user) if expect.data else None) or {}
        except ValidationError:
            params = world.routes[label].params.get(target, {})
            body = _matrix_body(world, label, target, role) or {}
        hidden = world.hidden_rows(model, role)
        if not hidden:
            continue
        hidden_id, hidden_label = hidden[0]
        _token, clear = core_services.api_token_create(user=user, name="ids", scope=_scope(label))
        headers = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
        method, template = label.split(" ", 1)
        path = template.format(**params)
        answers = []
        for value in (hidden_id, MISSING_ID):
            if where == "query":
                response = client.generic(method, path, **headers, QUERY_STRING=f"{field}={value}")
            else:
                data = json.dumps(_set(body, field, value))
                response = client.generic(method, path, data, content_type="application/json", **headers)
            answers.append(response)
        foreign, missing = answers
        context = f"{label} as {role}: {field}={hidden_id} ({hidden_label})"
        world.check(role, foreign, context)
        assert (foreign.status_code, _normal(foreign.content.decode(), hidden_id)) == (
            missing.status_code,
            _normal(missing.content.decode(), MISSING_ID),
        ), f"{context}: answers unlike a missing id: {foreign.status_code} {foreign.content[:300]}"
        if where == "body":
            assert foreign.status_code in (400, 404, 409, 422), (
                context,
                foreign.status_code,
                foreign.content[:300],
            )
        tried.append(role)
    assert tried, f"no role could send {field} to {label}"


# --- The checker catches what it is for -------------------------------------------------------------------


def test_the_checker_sees_the_roles_own_marks_and_no_others(client, db, world):
    """Lists show the role its own marked objects (so the marks survive into answers) and nothing hidden."""
    for role in ("vendor_pm", "customer_sponsor", "partner_viewer"):
        headers = {"HTTP_AUTHORIZATION": world.headers(role)["Authorization"]}
        response = client.get(f"/api/v1/projects/{world.cast.own.pk}/tasks", **headers)
        assert response.status_code == 200
        assert MARK_RE.search(response.content.decode()), role
        assert world.leaks(role, response.content) == []


def test_the_checker_flags_hidden_ids_in_id_fields(db, world):
    hidden_id, label = world.hidden_rows(_model("", "option_id"), "customer_sponsor")[0]
    body = json.dumps({"items": [{"id": 1, "decision": {"option_id": hidden_id}}]})
    assert world.leaks("customer_sponsor", body) == [f"option_id={hidden_id} of {label}"]
    assert list(id_fields({"a": {"b_ids": [hidden_id, True]}, "count": hidden_id})) == [("b_ids", hidden_id)]


def test_the_checker_catches_a_selector_that_forgets_the_tenant(client, db, world, monkeypatch):
    from shinrai.troubles import selectors
    from shinrai.troubles.models import Trouble

    label = "GET /api/v1/projects/{project_id}/troubles"
    fuzz(world, label, "customer_sponsor", TokenScope.READ)  # as it is: clean
    monkeypatch.setattr(
        selectors, "troubles_for", lambda *, user, project: Trouble.objects.select_related("owner")
    )
    with pytest.raises(TenancyLeak, match="other tenants' data"):
        fuzz(world, label, "customer_sponsor", TokenScope.READ)


def test_the_sweep_catches_a_lookup_that_forgets_the_role(db, world, monkeypatch):
    from django.http import Http404

    from shinrai.core import access
    from shinrai.core.models import Project

    label = "GET /api/v1/projects/{project_id}/milestones"
    assert sweep(world, label, "customer_sponsor") >= 2  # as it is: clean

    def project_for(user, pk, perm=access.Perm.VIEW):
        try:
            return Project.objects.get(pk=pk), access.Role.CUSTOMER_SPONSOR
        except Project.DoesNotExist:
            raise Http404 from None

    monkeypatch.setattr(access, "project_for", project_for)
    with pytest.raises(AssertionError):
        sweep(world, label, "customer_sponsor")


def test_the_body_check_catches_an_owner_from_another_tenant(client, db, world, monkeypatch):
    from shinrai.troubles import api as trouble_api

    case = ("POST /api/v1/projects/{project_id}/troubles", "body", "owner_id")
    test_hidden_ids_in_queries_and_bodies_are_refused_like_missing_ones(client, db, world, *case)
    # Any active user as the owner, as if the check of the vendor's people were gone.
    monkeypatch.setattr(
        trouble_api,
        "owner_in",
        lambda project, owner_id, field="owner_id": User.objects.filter(pk=owner_id).first(),
    )
    with pytest.raises(AssertionError):
        test_hidden_ids_in_queries_and_bodies_are_refused_like_missing_ones(client, db, world, *case)


def test_hidden_projects_count_changes(db, world):
    """The no-change check looks at the right rows: a write on a hidden project is counted."""
    before = _hidden_changes(world, "vendor_pm")
    AuditEvent.objects.create(project=world.cast.foreign, action="x", object_type="x", object_id="1")
    assert _hidden_changes(world, "vendor_pm") == before + 1
