"""Threat: lost updates. Two people edit the same object; the second save silently overwrites the first.

ASVS 5.0 V2.3.3 (a business operation succeeds in full or is rolled back) and V2.3.4 (business-logic level
locking so that concurrent users cannot overwrite each other), applied to every editable object: a save made
from a stale copy is refused (409 with the conflict view on pages, 409/412 in the API) and writes nothing,
no audit event included. The pieces are in shinrai/core/locking.py.

The inventory below is the list of edit paths. ``test_every_edit_route_is_in_the_inventory`` and
``test_every_update_service_is_in_the_inventory`` fail when a new edit page, PATCH/PUT operation or update
service appears without an entry, so a new edit path cannot ship without a lock (or a written reason).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import threading
from html import escape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import shinrai
from shinrai.core import locking
from shinrai.core.models import AuditEvent, ProjectMember, Role, User
from shinrai.progress.models import Task
from shinrai.surveys.models import Survey, SurveyTemplate
from tests.clock import _english  # noqa: F401  (autouse: messages in English)

from ..factories import UserFactory
from .edit_cases import (
    API_CASES,
    PAGE_CASES,
    database_digest,
    make_report,
    make_task,
    make_template,
    post_form,
)
from .test_access_matrix import iter_routes

# --- The inventory ---------------------------------------------------------------------------------------

GUARD = "locking.guard: hidden lock token, row re-read with select_for_update and compared"
OWN_VERSION = "own version column, conditional UPDATE … WHERE version = <read>"
IF_MATCH = "If-Match → 412 (sync.if_match, row locked); ETag on GET and on the answer"

#: Pages that change an existing object, and the lock that protects them.
PAGE_LOCKS = {
    "requirements:stakeholder_edit": GUARD,
    "requirements:goal_edit": GUARD + " (with its success measures)",
    "requirements:requirement_edit": GUARD + " (updated_at; with its criteria)",
    "progress:milestone_edit": GUARD + " (updated_at)",
    "progress:milestone_actual": GUARD + " (updated_at; quick form on the roadmap)",
    "progress:task_edit": GUARD + " (updated_at)",
    "progress:task_progress": GUARD + " (updated_at; quick form on each WBS row)",
    "reports:edit": GUARD + " (updated_at; the draft)",
    "reports:publish": GUARD + " (publishes the draft as read: a draft changed since is shown first)",
    "reports:glossary_edit": GUARD,
    "surveys:template_edit": GUARD + " (with its questions; a used template gets a new version)",
    "accounts:plan_edit": OWN_VERSION + " (StalePlan)",
    "accounts:step_edit": GUARD,
    "accounts:person_edit": GUARD,
    "troubles:edit": OWN_VERSION + " (StaleEdit)",
    "flows:edit": GUARD + " (updated_at)",
    "integrations:webhook_edit": GUARD + " (the secret is left out of the state)",
    "integrations:notification_preferences": GUARD + " (state of the person's preferences)",
    "grayzone:edit": GUARD + " (updated_at)",
    "positions:edit": GUARD + " (updated_at; a shared position gets a new version)",
    "partnership:edit": GUARD + " (updated_at)",
}

#: Edit-like routes without an optimistic lock, and why none is needed.
PAGE_EXEMPT = {
    "accounts:person_met": "sets last_met_on to today; repeating it changes nothing (idempotent)",
}

#: PATCH/PUT operations of the API (method, path as in the OpenAPI document).
API_LOCKS = {
    ("patch", "/api/v1/me"): IF_MATCH,
    ("patch", "/api/v1/requirements/{requirement_id}"): IF_MATCH,
    ("patch", "/api/v1/stakeholders/{stakeholder_id}"): IF_MATCH,
    ("patch", "/api/v1/goals/{goal_id}"): IF_MATCH,
    ("patch", "/api/v1/milestones/{milestone_id}"): IF_MATCH,
    ("patch", "/api/v1/tasks/{task_id}"): IF_MATCH,
    ("put", "/api/v1/tasks/{task_id}"): IF_MATCH,
    ("patch", "/api/v1/reports/{report_id}"): IF_MATCH,
    ("patch", "/api/v1/glossary/{term_id}"): IF_MATCH,
    ("patch", "/api/v1/troubles/{trouble_id}"): IF_MATCH + "; body version → 409",
    ("put", "/api/v1/survey-templates/{template_id}"): IF_MATCH + "; body version → 409 once superseded",
    ("put", "/api/v1/accounts/{customer_id}/plan"): IF_MATCH + "; body version → 409",
    ("patch", "/api/v1/accounts/{customer_id}/roadmap/{step_id}"): IF_MATCH + " (ETag from the last write)",
    ("patch", "/api/v1/accounts/{customer_id}/key-people/{person_id}"): IF_MATCH
    + " (ETag from the last write)",
    ("patch", "/api/v1/flows/{flow_id}"): IF_MATCH,
    ("put", "/api/v1/me/notification-preferences"): IF_MATCH + " (state of the person's preferences)",
    ("patch", "/api/v1/projects/{project_id}/webhooks/{webhook_id}"): IF_MATCH,
    ("patch", "/api/v1/grayzone-items/{item_id}"): IF_MATCH,
    ("patch", "/api/v1/positions/{position_id}"): IF_MATCH,
    ("patch", "/api/v1/accounts/{customer_id}/partnership/assessments/{assessment_id}"): IF_MATCH,
}

#: Update services (functions named *_update, *_save …), and what guards their callers.
SERVICE_LOCKS = {
    "accounts.services.plan_save": "version argument (StalePlan)",
    "accounts.services.roadmap_step_update": "accounts:step_edit, PATCH roadmap step",
    "accounts.services.key_person_update": "accounts:person_edit, PATCH key person",
    "core.services.project_update": "admin change page (ProjectAdminForm lock, with the members' roles)",
    "core.services.user_set_language": "PATCH /me (If-Match); the language switch sets one value",
    "flows.services.flow_update": "flows:edit, PATCH flow",
    "integrations.notifications.preferences_save": "integrations:notification_preferences, PUT preferences",
    "integrations.webhook_services.webhook_update": "integrations:webhook_edit, PATCH webhook",
    "progress.glossary.term_save": "reports:glossary_edit, PATCH glossary term",
    "progress.report_services.report_update": "reports:edit, PATCH report",
    "progress.services.milestone_save": "progress:milestone_edit, PATCH milestone",
    "progress.services.milestone_record_actual": "progress:milestone_actual",
    "progress.services.task_save": "progress:task_edit, PUT task",
    "progress.services.task_update_progress": "progress:task_progress, PATCH task",
    "requirements.services.goal_save": "requirements:goal_edit, PATCH goal",
    "requirements.services.requirement_update": "requirements:requirement_edit, PATCH requirement",
    "requirements.services.stakeholder_save": "requirements:stakeholder_edit, PATCH stakeholder",
    "surveys.services.template_update": "surveys:template_edit, PUT survey template",
    "surveys.services.invitation_save_draft": "exempt: one respondent's own unsent answers, saved as they go",
    "troubles.services.trouble_update": "version argument (StaleEdit)",
    "grayzone.services.item_update": "grayzone:edit, PATCH gray-zone item",
    "grayzone.services.position_update": "positions:edit, PATCH position",
    "partnership.services.assessment_update": "partnership:edit, PATCH partnership check",
}

EDIT_ROUTE = re.compile(r"(^|[:_])(edit|update)($|_)|_progress$|_actual$|_met$|preferences$|:publish$")
UPDATE_SERVICE = re.compile(r"^[a-z][a-z_]*(_(update|save|update_progress|record_actual|save_draft)$|_set_)")
SERVICE_MODULES = re.compile(r"(^|_)services$|^glossary$|^notifications$")


def _page_routes() -> set[str]:
    # The API's routes are checked by method (PATCH/PUT) below; the admin's by its own test.
    names = {name for name, _route in iter_routes() if not name.startswith(("admin:", "api:"))}
    return {name for name in names if EDIT_ROUTE.search(name)}


def _api_writes() -> set[tuple[str, str]]:
    from shinrai.api.urls import api

    paths = api.get_openapi_schema()["paths"]
    return {
        (method, path)
        for path, operations in paths.items()
        for method in operations
        if method in ("put", "patch")
    }


def _update_services() -> set[str]:
    found = set()
    for module_info in pkgutil.walk_packages(shinrai.__path__, "shinrai."):
        name = module_info.name
        if (
            ".migrations" in name
            or ".management" in name
            or not SERVICE_MODULES.search(name.rsplit(".", 1)[-1])
        ):
            continue
        module = importlib.import_module(name)
        for function_name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == name and UPDATE_SERVICE.search(function_name):
                found.add(f"{name.removeprefix('shinrai.')}.{function_name}")
    return found


def test_every_edit_route_is_in_the_inventory():
    routes = _page_routes()
    assert sorted(routes - set(PAGE_LOCKS) - set(PAGE_EXEMPT)) == [], "edit pages without a lock"
    names = {name for name, _route in iter_routes()}
    assert sorted((set(PAGE_LOCKS) | set(PAGE_EXEMPT)) - names) == [], "stale entries"


def test_every_api_update_is_in_the_inventory():
    writes = _api_writes()
    assert sorted(writes - set(API_LOCKS)) == [], "PATCH/PUT operations without a lock"
    assert sorted(set(API_LOCKS) - writes) == [], "stale entries"
    assert {(case.method, case.path) for case in API_CASES} == set(API_LOCKS)


def test_every_update_service_is_in_the_inventory():
    found = _update_services()
    assert sorted(found - set(SERVICE_LOCKS)) == [], "update services without a lock"
    assert sorted(set(SERVICE_LOCKS) - found) == [], "stale entries"


def test_every_locked_page_has_a_two_editor_test():
    tested = {case.route for case in PAGE_CASES} | {"reports:publish"}
    assert tested == set(PAGE_LOCKS)


# --- Pages -----------------------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _load(client: Client, case, cast, obj):
    path = case.url(cast, obj)
    response = client.get(path)
    assert response.status_code == 200, (case.route, response.status_code)
    action = case.action(cast, obj) if case.action else None
    return post_form(response.content.decode(), page_path=path, action=action), path, action


def _changed(form, changes: dict) -> dict:
    data = form.data()
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [value]
    return data


@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda case: case.route)
def test_a_stale_page_save_is_refused_with_the_conflict_view(cast, case):
    obj = case.make(cast)
    first, second = (cast.users[key] for key in case.editors)
    a, b = _client(first), _client(second)
    form_a, path, action = _load(a, case, cast, obj)
    form_b, _path, _action = _load(b, case, cast, obj)
    assert form_b.value(case.token_field), "the page does not carry the state it shows"

    saved = a.post(action or path, _changed(form_a, case.a))
    assert saved.status_code == 302, (saved.status_code, saved.content.decode()[:2000])
    assert case.read(obj) == case.a_state

    before, events = database_digest(), AuditEvent.objects.count()
    refused = b.post(action or path, _changed(form_b, case.b))
    body = refused.content.decode()
    assert refused.status_code == 409, body[:2000]
    # Nothing of the stale save is written: no row, no audit event.
    assert database_digest() == before
    assert AuditEvent.objects.count() == events
    assert case.read(obj) == case.a_state
    # The conflict view: who changed it, what is saved now, and the user's input kept in the form.
    assert 'id="conflict"' in body and "Your changes" in body
    if first == second:
        assert "You saved it yourself at" in body
    else:
        assert f"{escape(first.display_name)} saved it at" in body
    mine = case.shown or next(value for value in case.b.values() if value is not None)
    assert escape(mine) in body
    assert "Reload (discard my input)" in body

    # Saving the kept input again is a deliberate overwrite, and it works.
    again = post_form(body, page_path=path, action=action)
    assert again.value(case.token_field) != form_b.value(case.token_field)
    overwritten = b.post(action or path, again.data())
    assert overwritten.status_code == 302, overwritten.content.decode()[:2000]
    assert case.read(obj) != case.a_state


def test_publishing_a_draft_changed_since_it_was_read_is_refused(cast):
    report = make_report(cast)
    manager, pm = _client(cast.users["vendor_manager"]), _client(cast.users["vendor_pm"])
    path = reverse("reports:edit", args=[cast.own.pk, report.pk])
    publish = reverse("reports:publish", args=[cast.own.pk, report.pk])
    seen = post_form(pm.get(path).content.decode(), page_path=path, action=publish)
    edit = post_form(manager.get(path).content.decode(), page_path=path)
    assert manager.post(path, _changed(edit, {"done": "追記: 結合試験の遅れ"})).status_code == 302

    before, events = database_digest(), AuditEvent.objects.count()
    refused = pm.post(publish, seen.data())
    assert refused.status_code == 409
    assert database_digest() == before and AuditEvent.objects.count() == events
    report.refresh_from_db()
    assert report.state == report.State.DRAFT
    body = refused.content.decode()
    assert "vendor_manager saved it at" in body and "追記: 結合試験の遅れ" in body
    # Publishing from the refreshed page publishes what is now shown.
    assert pm.post(publish, post_form(body, page_path=path, action=publish).data()).status_code == 302
    report.refresh_from_db()
    assert report.state == report.State.PUBLISHED and report.done == "追記: 結合試験の遅れ"


def test_two_quick_progress_reports_from_the_same_page_do_not_overwrite_each_other(cast):
    """The WBS page shows one form per task: the second of two stale rows' saves is refused alone."""
    task = make_task(cast)
    pm = _client(cast.users["vendor_pm"])
    wbs = reverse("progress:wbs", args=[cast.own.pk])
    action = reverse("progress:task_progress", args=[cast.own.pk, task.pk])
    html = pm.get(wbs).content.decode()
    row = post_form(html, page_path=wbs, action=action)
    assert pm.post(action, _changed(row, {"progress": "30"})).status_code == 302
    # The same unchanged page posted again (the browser's back button): stale.
    assert pm.post(action, _changed(row, {"progress": "60"})).status_code == 409
    task.refresh_from_db()
    assert task.progress == 30


def test_a_form_without_a_token_saves_as_before(cast):
    """Pages opened before this release post no token: their save is unconditional, as it was."""
    obj = PAGE_CASES[0].make(cast)
    client = _client(cast.users["vendor_pm"])
    path = reverse("requirements:stakeholder_edit", args=[cast.own.pk, obj.pk])
    data = _changed(post_form(client.get(path).content.decode(), page_path=path), {"name": "新しい名前"})
    data.pop("lock")
    assert client.post(path, data).status_code == 302
    obj.refresh_from_db()
    assert obj.name == "新しい名前"


def _stale_message_in(user) -> str:
    # The admin speaks the administrator's own language (UserLanguageMiddleware), not the test's English.
    with translation.override(user.language):
        return escape(locking.stale_message())


def test_project_admin_refuses_a_page_opened_before_someone_changed_the_project_or_its_members(cast):
    admin_a = cast.users["vendor_admin"]
    admin_b = UserFactory(
        email="admin2@example.jp",
        display_name="admin2",
        organization=cast.vendor,
        is_staff=True,
        is_superuser=True,
    )
    a, b = _client(admin_a), _client(admin_b)
    path = reverse("admin:core_project_change", args=[cast.own.pk])
    form_a = post_form(a.get(path).content.decode(), page_path=path)
    form_b = post_form(b.get(path).content.decode(), page_path=path)
    assert form_b.value("lock")
    assert a.post(path, _changed(form_a, {"name": "自社案件(改)"})).status_code == 302

    before, events = database_digest(), AuditEvent.objects.count()
    refused = b.post(path, _changed(form_b, {"phase": "design"}))
    assert refused.status_code == 200  # the admin's own page, with the error on top
    assert _stale_message_in(admin_b) in refused.content.decode()
    assert database_digest() == before and AuditEvent.objects.count() == events

    # A member's role changed elsewhere makes the page stale too.
    form_b = post_form(b.get(path).content.decode(), page_path=path)
    ProjectMember.objects.filter(project=cast.own, user=cast.users["vendor_member"]).update(
        role=Role.VENDOR_PM
    )
    assert _stale_message_in(admin_b) in b.post(path, form_b.data()).content.decode()


# --- API -------------------------------------------------------------------------------------------------


def _send(client: Client, method: str, path: str, body: dict, **headers):
    return getattr(client, method)(path, body, content_type="application/json", headers=headers)


def _with_version(case, client, path, body: dict) -> dict:
    if not case.versioned:
        return body
    return body | {"version": client.get(path).json()["version"]}


def _etag(case, client, path, body) -> str:
    if case.no_get:
        # No GET of its own: every write answers the ETag of the state it saved.
        response = _send(client, case.method, path, body)
        assert response.status_code == 200, response.content
        return response["ETag"]
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response["ETag"]


@pytest.mark.parametrize("case", API_CASES, ids=lambda case: f"{case.method} {case.path}")
def test_a_stale_if_match_answers_412_and_writes_nothing(cast, case):
    obj = case.make(cast)
    first, second = (cast.users[key] for key in case.editors)
    a, b = _client(first), _client(second)
    path = case.url(cast, obj)
    body_a = _with_version(case, a, path, case.a)
    body_b = _with_version(case, b, path, case.b)
    tag = _etag(case, b, path, body_b)
    assert tag.startswith('"') and tag.endswith('"')

    saved = _send(a, case.method, path, body_a, **{"If-Match": tag})
    assert saved.status_code == 200, saved.content
    assert case.read(obj) == case.a_state
    assert saved["ETag"] != tag

    before, events = database_digest(), AuditEvent.objects.count()
    refused = _send(b, case.method, path, body_b, **{"If-Match": tag})
    assert refused.status_code == 412, refused.content
    assert refused.json()["detail"]
    assert database_digest() == before and AuditEvent.objects.count() == events
    assert case.read(obj) == case.a_state

    # The ETag of the answer names the stored state: a client that sends it back saves.
    current = _with_version(case, b, path, case.b)
    assert _send(b, case.method, path, current, **{"If-Match": saved["ETag"]}).status_code == 200
    assert case.read(obj) != case.a_state


@pytest.mark.parametrize(
    "case",
    [
        case
        for case in API_CASES
        if case.path in {"/api/v1/troubles/{trouble_id}", "/api/v1/accounts/{customer_id}/plan"}
    ],
    ids=lambda case: case.path,
)
def test_a_stale_version_in_the_body_answers_409_and_writes_nothing(cast, case):
    obj = case.make(cast)
    a, b = _client(cast.users["vendor_manager"]), _client(cast.users["vendor_pm"])
    path = case.url(cast, obj)
    body_a, body_b = _with_version(case, a, path, case.a), _with_version(case, b, path, case.b)
    assert _send(a, case.method, path, body_a).status_code == 200
    before, events = database_digest(), AuditEvent.objects.count()
    refused = _send(b, case.method, path, body_b)
    assert refused.status_code == 409, refused.content
    assert database_digest() == before and AuditEvent.objects.count() == events
    assert case.read(obj) == case.a_state


def test_an_update_without_if_match_saves_as_before(cast):
    """Existing clients that send no If-Match keep working: the update is unconditional."""
    case = next(case for case in API_CASES if case.path == "/api/v1/stakeholders/{stakeholder_id}")
    obj = case.make(cast)
    client = _client(cast.users["vendor_pm"])
    assert _send(client, "patch", case.url(cast, obj), {"name": "無条件"}).status_code == 200
    assert case.read(obj) == "無条件"


def test_a_stale_save_of_a_template_that_got_a_new_version_goes_to_the_new_version(cast):
    """A template already used is never changed: the first save made version 2. The second editor's save is
    refused against version 2, and their kept input is posted to version 2 when they save again."""
    template = make_template(cast)
    Survey.objects.create(
        project=cast.own, template=template, title="4月のアンケート", created_by=cast.users["vendor_pm"]
    )
    a, b = _client(cast.users["vendor_manager"]), _client(cast.users["vendor_pm"])
    path = reverse("surveys:template_edit", args=[template.pk])
    form_a = post_form(a.get(path).content.decode(), page_path=path)
    form_b = post_form(b.get(path).content.decode(), page_path=path)
    assert a.post(path, _changed(form_a, {"name": "部長版"})).status_code == 302
    newer = SurveyTemplate.objects.get(lineage=template.lineage, is_current=True)
    assert newer.version == 2 and newer.name == "部長版"

    before = database_digest()
    refused = b.post(path, _changed(form_b, {"name": "PM版"}))
    assert refused.status_code == 409
    assert database_digest() == before
    body = refused.content.decode()
    newer_path = reverse("surveys:template_edit", args=[newer.pk])
    again = post_form(body, page_path=path, action=newer_path)
    assert b.post(newer_path, again.data()).status_code == 302
    newer.refresh_from_db()
    assert newer.name == "PM版" and newer.version == 2  # version 2 was not used yet: changed in place


@pytest.mark.parametrize("route", ["requirements:stakeholder_edit", "requirements:goal_edit"])
def test_stakeholder_and_goal_pages_save_and_audit_the_change(cast, route):
    """Regression: the ModelForm copied the input onto the object before the service compared it with what
    was stored, so a stakeholder's page edit was never saved and a goal's was saved without an audit event."""
    case = next(case for case in PAGE_CASES if case.route == route)
    obj = case.make(cast)
    client = _client(cast.users["vendor_pm"])
    path = case.url(cast, obj)
    form = post_form(client.get(path).content.decode(), page_path=path)
    assert client.post(path, _changed(form, case.a)).status_code == 302
    assert case.read(obj) == case.a_state
    event = AuditEvent.objects.filter(object_id=str(obj.pk), action__endswith=".update").get()
    assert event.after == case.a


@pytest.mark.django_db(transaction=True)
def test_two_saves_from_the_same_copy_at_the_same_moment_save_once(cast):
    """The check and the write are one locked step: of two saves racing from the same copy, one is refused.

    The first save holds its lock while the second starts; it waits (briefly) for the second to get past
    its own check. With the row locked the second cannot: it gets there only after the first committed, and
    is then refused. Without the lock both would pass the check and the second would overwrite the first.
    """
    from django.db import connection

    from shinrai.core import locking
    from shinrai.progress import services as progress_services

    if connection.vendor == "sqlite":
        # The test database is SQLite in memory with a shared cache, which refuses a second writer at once
        # ("table is locked") instead of waiting as a file database with IMMEDIATE transactions does.
        pytest.skip("needs a database where a second writer waits for the lock: runs on PostgreSQL")
    task = make_task(cast)
    token = locking.token(task)
    first_inside, second_inside = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def save(name: str, progress: int, inside: threading.Event, wait_for: threading.Event | None) -> None:
        try:
            copy = Task.objects.get(pk=task.pk)
            with locking.guard(copy, token):
                inside.set()
                if wait_for is not None:
                    wait_for.wait(timeout=0.3)
                progress_services.task_update_progress(
                    by=cast.users["vendor_pm"], task=copy, progress=progress
                )
            outcomes[name] = "saved"
        except locking.Stale:
            outcomes[name] = "stale"
        finally:
            connection.close()

    first = threading.Thread(target=save, args=("first", 40, first_inside, second_inside))
    second = threading.Thread(target=save, args=("second", 70, second_inside, None))
    first.start()
    assert first_inside.wait(timeout=10)
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert outcomes == {"first": "saved", "second": "stale"}
    assert Task.objects.get(pk=task.pk).progress == 40
