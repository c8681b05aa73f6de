"""A world where every other tenant's data is marked, and a checker that finds those marks in any answer.

The API fuzzers (tests/api/test_fuzz.py, test_api_tenant_isolation.py) run against it:

- **Objects.** For every API route of the access matrix and every target it names (``own``,
  ``own_internal``, ``other``, ``foreign`` …), the matrix's own helper makes the route's object, so a route
  added to the matrix gets objects here without more code. The cast's projects, organizations and outsiders
  are planted too.
- **Who must not see them.** A *planting* is the rows one helper made for one target. It is hidden from
  every fuzzed role for which the matrix expects 404 on each route that uses it (the matrix states who
  may see what; this module derives nothing from shinrai.core.access).
- **Marks.** Every free-text column of a planted row starts with ``ZQXJ<nnnn>`` (nnnn: the planting), and
  before anything is made each table's id sequence is moved to a range of its own, so that every row of
  the world has an id no other table uses. :meth:`World.leaks` then flags, for a role, any hidden planting's
  mark in a body, and any hidden row's id in an ``id``/``*_id``/``*_ids`` field of a JSON body.

The world is built once per test module inside a transaction that is rolled back at the module's end; each
test runs in a savepoint inside it (as Django's ``TestCase.setUpTestData`` does).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.core import signals
from django.db import close_old_connections, connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Left

from shinrai.core import services as core_services
from shinrai.core.models import AuditEvent, TokenScope
from shinrai.integrations.models import Event, Notification
from shinrai.progress.models import ReportComment, WeeklyReport

from ..conftest import Cast
from ..conftest import cast as cast_fixture
from . import matrix_notifications, matrix_requirements_api
from .test_access_matrix import EXPECTATIONS, iter_routes

# The roles the fuzzers sign in as: the six project roles and a customer of another organization.
ROLES = (
    "vendor_manager",
    "vendor_pm",
    "vendor_member",
    "customer_sponsor",
    "customer_member",
    "partner_viewer",
    "outsider_customer",
)
OTHER_TENANT = {"outsider_customer"}  # whose own project is the matrix's "other"
# Every role the checker knows: the fuzzed ones and the vendor's administrator (the Redmine import).
CHECKED = (*ROLES, "vendor_admin")
MARK = "ZQXJ"
MARK_RE = re.compile(MARK + r"(\d{4})")
# Every table's ids start at its own multiple of this: no two rows of the world share an id.
ID_RANGE = 100_000
# An id no row has: what a foreign id must answer like.
MISSING_ID = 1_999_999_999

# Columns that are not text a person typed (hashes, digests, secrets, codes the code dispatches on,
# our own SVG, addresses): left as they are, so the objects keep working.
NOT_MARKED = {
    "core.User.password",
    "core.AuditEvent.action",
    "core.AuditEvent.object_type",
    "core.AuditEvent.object_id",
    "core.ApiToken.prefix",
    "core.ApiToken.digest",
    "core.CalendarFeedToken.digest",
    "requirements.Baseline.content_hash",
    "ledger.Entry.prev_hash",
    "ledger.Entry.hash",
    "surveys.Question.code",
    "surveys.Invitation.language",
    "surveys.Invitation.token_digest",
    "flows.FlowVersion.sha256",
    "flows.FlowDiagram.svg",
    "flows.FlowStep.element_id",
    "flows.FlowStep.kind",
    "flows.StepRequirementLink.element_id",
    "flows.StepComment.element_id",
    "integrations.Notification.url",
    "integrations.Webhook.secret",
    "integrations.WebhookDelivery.event",
    "integrations.ExternalRef.source",
    "integrations.ExternalRef.kind",
    "integrations.ExternalRef.external_id",
    "integrations.ExternalRef.remote_updated_at",
    "integrations.ImportRun.source",
}
# Notifications' "other" target is another user's notification in the *same* tenant, made for whichever
# user the matrix passes: not a tenant's object. Foreign users' notifications are planted below instead.
SKIP_HELPERS = {matrix_notifications._notification_kwargs}
LOCKING_HELPERS = {
    matrix_requirements_api.open_review_kwargs,
    matrix_requirements_api.reviewed_requirement_kwargs,
}


class TenancyLeak(AssertionError):
    """An answer showed a role something the matrix says it may not see."""


@dataclass
class Planting:
    label: str
    hidden_from: set[str]
    rows: dict[type[models.Model], list[int]] = field(default_factory=dict)
    kwargs: dict | None = None  # the path parameters the helper gave
    target: str | None = None  # the matrix target it was made for


@dataclass
class Route:
    """One API operation of the matrix and the path parameters of its object on each target."""

    name: str
    label: str  # "GET /api/v1/troubles/{trouble_id}"
    params: dict[str, dict] = field(default_factory=dict)  # target -> path parameters
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)  # target -> role -> expected status

    def status(self, role: str, target: str | None) -> int:
        if target in self.statuses:
            return self.statuses[target][role]
        return EXPECTATIONS[self.name].status(role, target)


@dataclass
class World:
    cast: Cast
    plantings: list[Planting]
    routes: dict[str, Route]  # by operation label
    tokens: dict[tuple[str, str], dict[str, str]]  # (role, scope) -> headers
    hidden_ids: dict[str, dict[int, str]]  # role -> {id: planting label}
    skipped: list[tuple[str, str]]  # (operation, target) whose helper failed here (another object serves)

    def leaks(self, role: str, body: bytes | str) -> list[str]:
        """What in ``body`` the role may not see: hidden plantings' marks, hidden rows' ids."""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        found = []
        for match in MARK_RE.finditer(text):
            index = int(match.group(1))
            planting = self.plantings[index] if index < len(self.plantings) else None
            if planting is None or role in planting.hidden_from:
                found.append(f"mark {match.group(0)} of {planting.label if planting else '?'}")
        try:
            data = json.loads(text)
        except ValueError:
            return found
        hidden = self.hidden_ids[role]
        for key, value in id_fields(data):
            if value in hidden:
                found.append(f"{key}={value} of {hidden[value]}")
        return found

    def check(self, role: str, response, context: str = "") -> None:
        found = self.leaks(role, response.content)
        if found:
            raise TenancyLeak(f"{role} was shown other tenants' data {context}: {found[:5]}")

    def headers(self, role: str, scope: str = TokenScope.READ) -> dict[str, str]:
        return self.tokens[role, scope]

    def target_for(self, label: str, role: str) -> str | None:
        """The target whose object the role works on: the first it may change or read, else the first."""
        route = self.routes.get(label)
        if route is None or not route.params:
            return None
        # The customer of the other project works on that project's objects (its own tenant).
        home = sorted(route.params, key=lambda t: not (role in OTHER_TENANT and t.startswith("other")))
        statuses = {target: route.status(role, target) for target in home}
        for wanted in (lambda s: s < 300, lambda s: s == 403, lambda s: True):
            for target, status in statuses.items():
                if wanted(status):
                    return target
        return None

    def expect_status(self, label: str, role: str) -> int | None:
        """What the matrix expects the role to get on its own object of the operation."""
        target = self.target_for(label, role)
        return self.routes[label].status(role, target) if target else None

    def own_params(self, label: str, role: str) -> dict:
        """Path parameters that reach the role's own object of the operation (what the fuzzer keeps fixed)."""
        target = self.target_for(label, role)
        return dict(self.routes[label].params[target]) if target else {}

    def hidden_rows(self, model: type[models.Model], role: str) -> list[tuple[int, str]]:
        """Planted rows of ``model`` hidden from ``role``: (id, planting label), the other vendor's first."""
        rows = [
            (pk, planting.label)
            for planting in self.plantings
            if role in planting.hidden_from
            for pk in planting.rows.get(model, [])
        ]
        return sorted(rows, key=lambda row: "foreign" not in row[1])  # stable: planting order otherwise


def id_fields(data) -> Iterator[tuple[str, int]]:
    """(key, value) for every integer in a field named ``id``, ``*_id`` or ``*_ids``, at any depth."""
    if isinstance(data, dict):
        for name, value in data.items():
            is_id = name == "id" or name.endswith(("_id", "_ids"))
            if is_id and isinstance(value, int) and not isinstance(value, bool):
                yield name, value
            elif is_id and isinstance(value, list):
                yield from (
                    (name, item) for item in value if isinstance(item, int) and not isinstance(item, bool)
                )
            else:
                yield from id_fields(value)
    elif isinstance(data, list):
        for item in data:
            yield from id_fields(item)


# --- Building ----------------------------------------------------------------------------------------------


def _tables() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("shinrai.") and isinstance(model._meta.pk, models.AutoField)
    ]


def _move_id_sequences(tables: list[type[models.Model]]) -> None:
    """Table i hands out ids from (i + 1) × ID_RANGE on. SQLite keeps this in sqlite_sequence (inside the
    transaction: rolled back with it); PostgreSQL's setval is not transactional, which is harmless."""
    with connection.cursor() as cursor:
        for index, model in enumerate(tables):
            table, start = model._meta.db_table, (index + 1) * ID_RANGE
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                    [table, model._meta.pk.column, start],
                )
            else:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start - 1, table])
                if cursor.rowcount == 0:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start - 1]
                    )


def _max_ids(tables: list[type[models.Model]]) -> list[int]:
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {index}, MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)}"
        for index, model in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = dict(cursor.fetchall())
    return [found.get(index) or 0 for index in range(len(tables))]


def _new_rows(tables, before: list[int], after: list[int]) -> dict[type[models.Model], list[int]]:
    rows = {}
    for model, low, high in zip(tables, before, after, strict=True):
        if high > low:
            rows[model] = list(
                model._default_manager.filter(pk__gt=low, pk__lte=high).values_list("pk", flat=True)
            )
    return rows


def _text_columns(model: type[models.Model]) -> list[models.Field]:
    return [
        column
        for column in model._meta.concrete_fields
        if isinstance(column, models.CharField | models.TextField)
        and not isinstance(column, models.EmailField | models.URLField)
        and not column.choices
        and (column.max_length is None or column.max_length >= 16)
        and f"{model._meta.label}.{column.name}" not in NOT_MARKED
    ]


def _mark(index: int, rows: dict[type[models.Model], list[int]]) -> None:
    """Put the planting's mark in front of every free-text column of its rows (cut to the column's length)."""
    prefix = Value(f"{MARK}{index:04d} ")
    for model, pks in rows.items():
        updates = {}
        for column in _text_columns(model):
            value = Concat(prefix, F(column.name), output_field=column)
            updates[column.name] = Left(value, column.max_length) if column.max_length else value
        if updates:
            # A plain queryset: the audit log and the ledger refuse updates through their managers.
            models.QuerySet(model).filter(pk__in=pks).update(**updates)


def _by_model(plantings: list[Planting]) -> list[Planting]:
    """One planting per model: a row is hidden from a role only if every route that shows rows of its model
    on its target hides them from that role.

    A single route can be narrower than its objects: the internal notes of a trouble are hidden from the
    customer, the trouble itself is not; a survey round is vendor-only, but its recipient reads its title.
    Audit events are hidden from whom all the objects they describe are hidden. Routes that answer every
    role alike (the survey answer link: the token is the credential) hide nothing and limit nothing.
    """
    hidden: dict[tuple[type[models.Model], str], set[str]] = {}
    for planting in plantings:
        if planting.target is None or not planting.hidden_from:
            continue
        for model in planting.rows:
            key = (model, planting.target)
            hidden[key] = hidden.get(key, planting.hidden_from) & planting.hidden_from
    split = []
    for planting in plantings:
        if planting.target is None:
            split.append(planting)
            continue
        by_model = {
            model: hidden.get((model, planting.target), set()) if planting.hidden_from else set()
            for model in planting.rows
            if model is not AuditEvent
        }
        events = set.intersection(*by_model.values()) if by_model else planting.hidden_from
        for model, pks in planting.rows.items():
            split.append(
                Planting(
                    f"{planting.label}: {model._meta.label}",
                    events if model is AuditEvent else by_model[model],
                    {model: pks},
                    planting.kwargs,
                    planting.target,
                )
            )
    return split


def route_label(name: str, route: str) -> str:
    path = "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return f"{EXPECTATIONS[name].method.upper()} {path}"


def api_routes() -> dict[str, str]:
    """Matrix name of every API operation -> its label in the OpenAPI document."""
    return {
        name: route_label(name, route)
        for name, route in iter_routes()
        if name.startswith("api:") and name not in ("api:openapi-json", "api:openapi-view", "api:api-root")
    }


def build_world() -> World:
    tables = _tables()
    _move_id_sequences(tables)
    # The cast of tests/conftest.py, built here rather than per test (its fixture function, unwrapped).
    cast = cast_fixture.__wrapped__(None)
    plantings: list[Planting] = []

    def plant(label: str, hidden_from: set[str], make) -> Planting:
        before = _max_ids(tables)
        made = make()
        planting = Planting(label, set(hidden_from), _new_rows(tables, before, _max_ids(tables)))
        plantings.append(planting)
        return made, planting

    everyone = set(CHECKED)
    # The vendor's administrator (staff, no membership) knows the vendor's projects and customers.
    sees_other = {"vendor_manager", "outsider_customer", "vendor_admin"}
    outsiders = [
        ("project own", {"outsider_customer"}, [cast.own]),
        ("project other", everyone - sees_other, [cast.other, cast.other_customer]),
        ("user outsider_customer", everyone - sees_other, [cast.users["outsider_customer"]]),
        (
            "foreign: the other vendor",
            everyone,
            [cast.foreign, cast.other_vendor, cast.users["other_vendor_manager"]],
        ),
        ("another partner", everyone, [cast.users["outsider_partner"]]),
    ]
    for label, hidden_from, objects in outsiders:
        rows: dict[type[models.Model], list[int]] = {}
        for obj in objects:
            rows.setdefault(type(obj), []).append(obj.pk)
        plantings.append(Planting(label, hidden_from, rows))
    plant(
        "notification of other_vendor_manager",
        everyone,
        lambda: Notification.objects.create(
            user=cast.users["other_vendor_manager"],
            event=Event.REQUEST_DUE,
            title="期限",
            body="依頼",
            url="/",
        ),
    )

    routes: dict[str, Route] = {}
    made: dict[tuple[object, str], Planting] = {}
    params_by_target: dict[str, dict] = {}
    failed: list[tuple[str, str]] = []
    # Objects that open the customer's review lock the project's requirements: made last.
    ordered = sorted(api_routes().items(), key=lambda item: EXPECTATIONS[item[0]].kwargs in LOCKING_HELPERS)
    for name, label in ordered:
        expect = EXPECTATIONS[name]
        route = routes.setdefault(label, Route(name, label))
        if expect.kwargs is None or expect.kwargs in SKIP_HELPERS:
            continue
        for target in expect.targets:
            hidden = {role for role in CHECKED if expect.status(role, target) == 404}
            key = (expect.kwargs, target)
            if key in made:
                # Another route uses the same objects: hidden only from whom both routes hide them.
                made[key].hidden_from &= hidden
                route.params[target] = made[key].kwargs
                continue
            try:
                with transaction.atomic():
                    kwargs, planting = plant(
                        f"{name} on {target}", hidden, lambda e=expect, t=target: e.kwargs(cast, t, None)
                    )
            except Exception:  # noqa: BLE001 - e.g. a second report for the same week: reuse one below
                failed.append((label, target))
                continue
            planting.kwargs, planting.target = kwargs, target
            made[key] = planting
            route.params[target] = kwargs
            params_by_target.setdefault(target, {}).update(kwargs)
    for label, target in failed:
        route = routes[label]
        names = set(re.findall(r"\{(\w+)\}", label))
        if names <= params_by_target.get(target, {}).keys():
            route.params[target] = {kw: params_by_target[target][kw] for kw in names}

    # A question on another tenant's weekly report (no route's helper makes one).
    for project, hidden in (
        (cast.foreign, everyone),
        (cast.other, everyone - {"vendor_manager", "outsider_customer"}),
    ):
        report = WeeklyReport.objects.filter(project=project).order_by("pk").first()
        plant(
            f"report comment on {project.code}",
            hidden,
            lambda report=report: ReportComment.objects.create(report=report, author=None, body="質問です"),
        )

    # Each role's own notification, hidden from every other role (targets "user <role>").
    mark_read = next(route for route in routes.values() if route.name == "api:mark_notification_read")
    for role in ROLES:
        notification, _planting = plant(
            f"notification of {role}",
            everyone - {role},
            lambda role=role: Notification.objects.create(
                user=cast.users[role], event=Event.REQUEST_DUE, title="期限", body="依頼の期限", url="/"
            ),
        )
        mark_read.params[f"user {role}"] = {"notification_id": notification.pk}
        mark_read.statuses[f"user {role}"] = {other: 200 if other == role else 404 for other in CHECKED}

    plantings = _by_model(plantings)
    for index, planting in enumerate(plantings):
        _mark(index, planting.rows)
    # Internal notes of projects: for the vendor only (written after the project's own mark).
    for project, sees in (
        (cast.own, {"vendor_manager", "vendor_pm", "vendor_member"}),
        (cast.other, {"vendor_manager"}),
    ):
        plantings.append(Planting(f"internal note of {project.code}", everyone - sees))
        project.internal_note = f"{MARK}{len(plantings) - 1:04d} 社内メモ"
        project.save(update_fields=["internal_note"])
    for obj in (
        cast.own,
        cast.other,
        cast.foreign,
        cast.other_customer,
        cast.other_vendor,
        *cast.users.values(),
    ):
        obj.refresh_from_db()

    hidden_ids: dict[str, dict[int, str]] = {role: {} for role in CHECKED}
    for planting in plantings:
        for role in planting.hidden_from:
            for pks in planting.rows.values():
                hidden_ids[role].update(dict.fromkeys(pks, planting.label))

    tokens = {}
    for role in CHECKED:
        for scope in (TokenScope.READ, TokenScope.WRITE):
            _token, clear = core_services.api_token_create(user=cast.users[role], name="fuzz", scope=scope)
            tokens[role, scope] = {"Authorization": f"Bearer {clear}"}
    return World(cast, plantings, routes, tokens, hidden_ids, failed)


@contextmanager
def kept_connection() -> Iterator[None]:
    """Call the WSGI app as Django's test client does: without close_old_connections on the request
    signals. On PostgreSQL it would close the connection and lose the test's transaction (SQLite's in-memory
    test database ignores it). The test client connects it again after each of its own requests, so each
    test takes it off again (an autouse fixture in the modules using the world)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@contextmanager
def shared_world(django_db_blocker) -> Iterator[World]:
    """Build the world in a transaction of its own, yield it, roll it back.

    Tests using it must also use ``db``: pytest-django then runs each in a savepoint inside this
    transaction, as Django's ``TestCase.setUpTestData`` does, and ``kept_connection`` around each.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
