"""Threat: a customer (or any user) gains rights they were not given — by sending fields the form or API does
not offer (mass assignment), by changing hidden fields, by calling vendor-only routes, or by using HTTP
methods a route was not written for.

ASVS 5.0 V8.2.1 (function-level access), V8.3.1 (authorization at the service layer, whatever the client
sends), V15.3.3 (mass assignment: only the fields meant for the action are bound), V4.1.x/V13.4 (HTTP
methods: no unexpected method changes state, TRACE echoes nothing), V3.7.2 (open redirects via hidden
``next`` fields).

The sweeps use the access matrix's own objects and bodies (tests/security/test_access_matrix.py):
- every API write, sent by the first role the matrix lets use it (a customer role where one may), with the
  matrix's body plus fields that would raise rights (role, organization, project, visibility, owner,
  is_vendor_manager …): the answer is the matrix's (extras ignored) or 422 (refused), and no user,
  organization, membership or project changes, no other project's rows change, and a customer or partner
  never makes anything vendor-only;
- every page route, with PUT, PATCH, DELETE, OPTIONS and TRACE, as a user the matrix lets use it: nothing
  changes, no 5xx, and TRACE never echoes the request (its cookie);
- every write a customer, partner or another tenant is refused (403/404) changes nothing.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.apps import apps
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from shinrai.core.models import Organization, Project, ProjectMember, User

from .routes import ROLE_PREFERENCE, Use, api_routes, fingerprint, page_routes, url_for
from .test_access_matrix import EXPECTATIONS

CUSTOMER_SIDE = ["customer_sponsor", "customer_member", "partner_viewer"]


def _escalation_fields(cast) -> dict:
    """Fields no form or API body offers a non-administrator, pointing at the other tenants."""
    return {
        "role": "vendor_manager",
        "is_vendor_manager": True,
        "is_staff": True,
        "is_superuser": True,
        "is_active": True,
        "organization": cast.vendor.pk,
        "organization_id": cast.vendor.pk,
        "project": cast.other.pk,
        "project_id": cast.other.pk,
        "vendor_org": cast.other_vendor.pk,
        "customer_org": cast.other_customer.pk,
        "visibility": "internal",
        "owner": cast.users["other_vendor_manager"].pk,
        "owner_id": cast.users["other_vendor_manager"].pk,
        "author": cast.users["vendor_manager"].pk,
        "author_id": cast.users["vendor_manager"].pk,
        "created_by": cast.users["vendor_manager"].pk,
        "decided_by": cast.users["outsider_customer"].pk,
        "user": cast.users["vendor_admin"].pk,
        "user_id": cast.users["vendor_admin"].pk,
        "internal_note": "escalated",
        "contract_amount": 1,
    }


def _rows_digest(queryset) -> str:
    if not queryset._fields:
        queryset = queryset.values_list()
    return hashlib.sha256(repr(list(queryset.order_by("pk"))).encode()).hexdigest()


def _protected(cast, *, keep_project: Project | None) -> tuple:
    """People, organizations, memberships and projects, every project's rows except ``keep_project``'s, and
    how many vendor-only items there are."""
    projects = Project.objects.all()
    if keep_project is not None:  # its own row may be touched (updated_at); its terms may not
        projects = projects.exclude(pk=keep_project.pk)
    digests = [
        _rows_digest(
            User.objects.values_list(
                "pk",
                "email",
                "organization",
                "is_active",
                "is_staff",
                "is_superuser",
                "is_vendor_manager",
                "password",
            )
        ),
        _rows_digest(Organization.objects.all()),
        _rows_digest(ProjectMember.objects.all()),
        _rows_digest(projects),
        _rows_digest(
            Project.objects.values_list(
                "pk", "vendor_org", "customer_org", "contract_amount", "internal_note", "code"
            )
        ),
    ]
    internal = 0
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "project" in names and keep_project is not None:
            rows = model._base_manager.filter(project__isnull=False).filter(~Q(project=keep_project))
            digests.append(_rows_digest(rows))
        if "visibility" in names:
            internal += model._base_manager.filter(visibility="internal").count()
    return tuple(digests), internal


def _api_write_uses() -> list[Use]:
    """Each API write once, by a customer-side role where the matrix lets one use it, else the first role."""
    uses = []
    for name in api_routes():
        expect = EXPECTATIONS[name]
        if expect.method == "get":
            continue
        chosen = None
        for role in [*CUSTOMER_SIDE, *ROLE_PREFERENCE]:
            for target in sorted(expect.targets, key=lambda t: (t != "own", str(t))):
                status = expect.status(role, target)
                if status < 400 and (role != "anonymous" or name.startswith("api:post_survey_answer")):
                    chosen = Use(name, role, target, expect, status)
                    break
            if chosen:
                break
        if chosen:
            uses.append(chosen)
    return uses


def _project_of(cast, target) -> Project | None:
    if target is None:
        return None
    for name in ("own", "other", "foreign"):
        if str(target).startswith(name):
            return getattr(cast, name)
    return None


@pytest.mark.parametrize("use", _api_write_uses(), ids=lambda use: f"{use.name}-{use.role}")
def test_api_write_with_escalating_extra_fields_gains_nothing(cast, use):
    user = cast.users.get(use.role)
    client = Client()
    if user is not None:
        client.force_login(user)
    url = url_for(use, cast, user)
    data = use.expect.data(cast, use.target, user) if use.expect.data else {}
    body = _escalation_fields(cast) | data  # the matrix's own fields win: the request stays valid
    before = _protected(cast, keep_project=_project_of(cast, use.target))
    response = getattr(client, use.expect.method)(url, body, content_type="application/json")
    assert response.status_code in {use.status, 422}, f"{use.name} as {use.role}: {response.status_code}"
    after = _protected(cast, keep_project=_project_of(cast, use.target))
    assert after[0] == before[0], f"{use.name} as {use.role}: people, projects or other projects changed"
    if use.role in CUSTOMER_SIDE or use.role == "anonymous":
        assert after[1] == before[1], f"{use.name} as {use.role}: made something vendor-only"


def test_api_sweep_includes_customer_writes():
    by_customers = [use.name for use in _api_write_uses() if use.role in CUSTOMER_SIDE]
    assert len(by_customers) >= 15, by_customers


# --- pages: forms with extra fields -------------------------------------------------------------------------


def _customer_page_posts() -> list[tuple[str, str, str | None]]:
    """Page routes a customer-side role may POST to (POST-only routes and forms they may open)."""
    cases = []
    for name in page_routes():
        expect = EXPECTATIONS[name]
        for role in CUSTOMER_SIDE:
            target = next((t for t in expect.targets if expect.status(role, t) in {200, 302}), "none")
            if target != "none" and not name.startswith(("login", "password_", "calendar:feed", "favicon")):
                cases.append((name, role, target))
                break
    return cases


@pytest.mark.parametrize(("name", "role", "target"), _customer_page_posts())
def test_page_post_with_escalating_extra_fields_gains_nothing(cast, name, role, target):
    expect = EXPECTATIONS[name]
    user = cast.users[role]
    client = Client()
    client.force_login(user)
    url = reverse(name, kwargs=expect.kwargs(cast, target, user) if expect.kwargs else {})
    before = _protected(cast, keep_project=_project_of(cast, target))
    body = _escalation_fields(cast) | {"body": "質問です", "title": "依頼", "due_at": "2030-01-10T10:00"}
    response = client.post(url, body)
    assert response.status_code < 500, f"{name} as {role}: {response.status_code}"
    after = _protected(cast, keep_project=_project_of(cast, target))
    assert after == before, f"{name} as {role}: rights or other tenants' data changed"


def test_customer_page_sweep_is_not_empty():
    assert len(_customer_page_posts()) >= 15


def test_settings_page_and_api_cannot_raise_ones_own_flags(cast):
    customer = cast.users["customer_sponsor"]
    client = Client()
    client.force_login(customer)
    fields = _escalation_fields(cast)
    client.post(reverse("core:me"), fields | {"name": "laptop", "scope": "write"})
    client.post(reverse("core:set_language"), fields | {"language": "en"})
    response = client.patch("/api/v1/me", fields | {"language": "en"}, content_type="application/json")
    assert response.status_code == 422  # the API names what it does not take
    client.patch("/api/v1/me", {"language": "en"}, content_type="application/json")
    customer.refresh_from_db()
    assert (customer.is_vendor_manager, customer.is_staff, customer.is_superuser) == (False, False, False)
    assert customer.organization_id == cast.customer.pk
    assert customer.language == "en"  # the control: the allowed field did change


def test_customer_cannot_make_a_flow_vendor_only_through_the_api(cast):
    from .matrix_flows import TINY_BPMN

    client = Client()
    client.force_login(cast.users["customer_member"])
    response = client.post(
        f"/api/v1/projects/{cast.own.pk}/flows",
        {"title": "受注", "visibility": "internal", "file": io.BytesIO(TINY_BPMN)},
    )
    assert response.status_code == 201, response.status_code  # "vendor only" becomes "vendor and customer"
    from shinrai.flows.models import BusinessFlow

    assert list(BusinessFlow.objects.values_list("visibility", flat=True)) == ["customer"]


# --- hidden fields ------------------------------------------------------------------------------------------


def test_reply_to_a_question_of_another_project_is_refused(cast):
    """The report comment form's hidden ``parent``: a question of another project's report is not a parent."""
    from .test_access_matrix import _report

    theirs = _report(cast, "other", publish=True)
    from shinrai.progress.models import ReportComment

    question = ReportComment.objects.create(
        report=theirs, author=cast.users["outsider_customer"], body="質問"
    )
    ours = _report(cast, "own", publish=True)
    client = Client()
    client.force_login(cast.users["vendor_pm"])
    before = fingerprint()
    response = client.post(
        reverse("reports:portal_comment", args=[cast.own.pk, ours.pk]),
        {"body": "回答", "parent": question.pk},
    )
    assert response.status_code in {302, 404}
    assert fingerprint() == before
    assert not ReportComment.objects.filter(parent=question).exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_hidden_next_fields_never_send_people_off_site(cast, target):
    client = Client()
    response = client.post(reverse("core:set_language"), {"language": "en", "next": target})
    assert response["Location"] == "/"
    response = client.post(
        reverse("login"),
        {
            "username": "customer_sponsor@example.jp",
            "password": "correct-horse-battery-staple",
            "next": target,
        },
    )
    assert response.status_code == 302
    assert not response["Location"].startswith(("http", "//", "/\\")), response["Location"]


def test_customer_cannot_choose_an_option_of_another_trouble(cast):
    """The portal's option radio: an option id of another trouble (or project) is not a choice."""
    from .test_access_matrix import _trouble

    theirs = _trouble(cast, "other", propose=True)
    ours = _trouble(cast, "own", propose=True)
    client = Client()
    client.force_login(cast.users["customer_sponsor"])
    before = fingerprint()
    response = client.post(
        reverse("troubles:portal_choose", args=[cast.own.pk, ours.pk]),
        {"option": theirs.options.get().pk, "version": ours.version, "rationale": "安い"},
    )
    assert response.status_code in {200, 302, 409}
    assert fingerprint() == before


# --- HTTP methods on pages ----------------------------------------------------------------------------------

OTHER_METHODS = ["put", "patch", "delete", "options", "trace"]


def _page_method_cases():
    from .routes import allowed_use

    for name in page_routes():
        use = allowed_use(name) or allowed_use(name, signed_in=False)
        if use is not None:
            yield use


@pytest.mark.parametrize("use", list(_page_method_cases()), ids=lambda use: use.name)
def test_other_http_methods_on_pages_change_nothing_and_echo_nothing(cast, use):
    user = cast.users.get(use.role)
    client = Client()
    if user is not None:
        client.force_login(user)
    url = url_for(use, cast, user)
    client.get(url)  # what a GET does by design (opening a notification marks it read) is done first
    before = fingerprint()
    for method in OTHER_METHODS:
        response = getattr(client, method)(url, "a=1", content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, f"{method.upper()} {use.name}: {response.status_code}"
        if method == "trace":
            assert response.status_code == 405, f"TRACE {use.name}: {response.status_code}"
        assert response.status_code not in {201, 204}, f"{method.upper()} {use.name}: {response.status_code}"
        if user is not None:
            assert client.cookies["sessionid"].value.encode() not in response.content, method
    assert fingerprint() == before, f"{use.name}: another method changed data"


def test_trace_is_not_echoed_anywhere(cast):
    client = Client()
    client.force_login(cast.users["customer_sponsor"])
    for url in ("/", reverse("core:portal"), "/api/v1/projects/", reverse("login"), "/no-such-page/"):
        response = client.generic("TRACE", url, headers={"x-probe": "echo-me-please"})
        assert b"echo-me-please" not in response.content, url
        assert response.status_code == 405, (url, response.status_code)


# --- refused writes change nothing --------------------------------------------------------------------------


def _refused_api_writes():
    for name in api_routes():
        expect = EXPECTATIONS[name]
        if expect.method == "get":
            continue
        # Other tenants' refusals (404) are swept with every id in test_api_tenant_isolation.py.
        for role in CUSTOMER_SIDE:
            target = next((t for t in expect.targets if expect.status(role, t) in {403, 404}), "none")
            if target != "none":
                yield name, role, target


@pytest.mark.parametrize(("name", "role", "target"), list(_refused_api_writes()))
def test_refused_api_write_changes_nothing(cast, name, role, target):
    expect = EXPECTATIONS[name]
    user = cast.users[role]
    client = Client()
    client.force_login(user)
    url = reverse(name, kwargs=expect.kwargs(cast, target, user) if expect.kwargs else {})
    data = expect.data(cast, target, user) if expect.data else {}
    before = fingerprint()
    response = getattr(client, expect.method)(url, data, content_type="application/json")
    assert response.status_code == expect.status(role, target), f"{name} as {role}: {response.status_code}"
    assert fingerprint() == before, f"{name} as {role} on {target}: refused, but data changed"


def test_no_model_form_binds_every_field():
    """Forms list their fields: no ModelForm outside the admin takes ``__all__`` or an ``exclude`` list."""
    import inspect

    from django import forms as django_forms

    offenders = []
    for app in apps.get_app_configs():
        if not app.name.startswith("shinrai."):
            continue
        for module_name in ("forms", "notification_forms", "webhook_forms", "report_forms"):
            try:
                module = __import__(f"{app.name}.{module_name}", fromlist=["*"])
            except ModuleNotFoundError:
                continue
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                meta = getattr(cls, "Meta", None)
                binds_all = getattr(meta, "fields", None) == "__all__" or getattr(meta, "exclude", None)
                if issubclass(cls, django_forms.ModelForm) and binds_all:
                    offenders.append(f"{module.__name__}.{cls.__name__}")
    assert offenders == []


def test_customer_decision_cannot_rewrite_a_change_requests_impact(cast):
    """A change request's cost and schedule impact are the vendor's to propose: a customer's decision body
    that carries them changes neither."""
    from shinrai.ledger.models import ChangeRequest

    from .test_access_matrix import _ledger_change_kwargs

    found = _ledger_change_kwargs(propose=True)(cast, "own", None)
    client = Client()
    client.force_login(cast.users["customer_sponsor"])
    response = client.post(
        f"/api/v1/projects/{cast.own.pk}/change-requests/{found['change_id']}/decision",
        {"approve": True, "note": "了承", "cost_impact": 1, "schedule_impact_days": 0, "status": "draft"},
        content_type="application/json",
    )
    assert response.status_code in {200, 422}
    change = ChangeRequest.objects.get(pk=found["change_id"])
    assert (change.cost_impact, change.schedule_impact_days) == (500_000, 5)
